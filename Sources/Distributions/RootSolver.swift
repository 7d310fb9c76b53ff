import Foundation

/// Safeguarded Newton iteration used by all quantile functions.
///
/// The equation tail(x) = target is solved for the logarithm of the probability ratio,
/// g = log(tail(x) / target), with Newton steps taken in a log-type variable (log x on the
/// half-line, logit x on the unit interval). In those coordinates power-law and gamma-type
/// tails are nearly linear, so Newton converges in a few steps from an asymptotic start.
/// A bracket is kept throughout, and any step that leaves it (or is not finite) is replaced
/// by bisection, so convergence is guaranteed for a monotone tail.
enum RootSolver {
    /// Relative step below which Newton iteration stops (the next step would be ~1e-26).
    static let stepTolerance = 1e-13

    /// Solves tail(x) = target for x in [0, ∞].
    ///
    /// - Parameters:
    ///   - target: the wanted tail probability, in (0, 1).
    ///   - increasing: `true` when `tail` is the lower tail (cdf), `false` for the upper tail.
    ///   - starts: candidate starting points; the one with the smallest |g| is used.
    ///   - tail: the tail probability at x.
    ///   - density: the density at x (absolute derivative of `tail`).
    static func solvePositive(
        target: Double, increasing: Bool, starts: [Double],
        tail: (Double) -> Double, density: (Double) -> Double
    ) -> Double {
        if target.isNaN { return .nan }
        // Roots below the smallest normal double are returned as 0 (not representable to
        // any relative accuracy); roots above the largest finite double as +∞.
        var lo = Double.leastNormalMagnitude
        var hi = Double.greatestFiniteMagnitude
        let tailLo = tail(lo)
        let tailHi = tail(hi)
        if increasing {
            if tailLo >= target { return 0 }
            if tailHi < target { return .infinity }
        } else {
            if tailHi > target { return .infinity }
            if tailLo < target { return 0 }
        }
        let sign: Double = increasing ? 1 : -1
        func logRatio(_ t: Double) -> Double {
            let r = t / target
            return r.isFinite && r > 0 ? log(r) : log(t) - log(target)
        }
        var x = 1.0
        var bestG = Double.infinity
        for s in starts where s.isFinite && s > lo && s < hi {
            let g = abs(logRatio(tail(s)))
            if g < bestG {
                bestG = g
                x = s
            }
        }
        for _ in 0..<400 {
            let t = tail(x)
            if t == target { return x }
            if (t > target) == increasing { hi = x } else { lo = x }
            let g = logRatio(t)
            let slope = sign * x * density(x) / t
            var step = -g / slope
            var next = x * exp(step)
            if !(step.isFinite && next > lo && next < hi) {
                next = sqrt(lo) * sqrt(hi)
                step = .infinity
            }
            if abs(step) < stepTolerance { return next }
            if hi <= lo * (1 + 4 * Double.ulpOfOne) { return next }
            x = next
        }
        return x
    }

    /// Solves tail(x, 1 − x) = target for x in [0, 1], iterating on w = log(x / (1 − x)).
    ///
    /// `tail` receives both x and y = 1 − x (each with full relative precision);
    /// `logitSlope(x, y)` is |d tail / dw| = density(x) · x · y.
    static func solveUnit(
        target: Double, increasing: Bool, starts: [Double],
        tail: (Double, Double) -> Double, logitSlope: (Double, Double) -> Double
    ) -> (x: Double, y: Double) {
        if target.isNaN { return (.nan, .nan) }
        func point(_ w: Double) -> (Double, Double) {
            (1 / (1 + exp(-w)), 1 / (1 + exp(w)))
        }
        var wLo = -740.0
        var wHi = 740.0
        let (xl, yl) = point(wLo)
        let (xh, yh) = point(wHi)
        let tailLo = tail(xl, yl)
        let tailHi = tail(xh, yh)
        if increasing {
            if tailLo >= target { return (0, 1) }
            if tailHi < target { return (1, 0) }
        } else {
            if tailHi > target { return (1, 0) }
            if tailLo < target { return (0, 1) }
        }
        let sign: Double = increasing ? 1 : -1
        func logRatio(_ t: Double) -> Double {
            let r = t / target
            return r.isFinite && r > 0 ? log(r) : log(t) - log(target)
        }
        var w = 0.0
        var bestG = Double.infinity
        for s in starts where s > 0 && s < 1 {
            let ws = log(s) - log1p(-s)
            guard ws > wLo && ws < wHi else { continue }
            let (sx, sy) = point(ws)
            let g = abs(logRatio(tail(sx, sy)))
            if g < bestG {
                bestG = g
                w = ws
            }
        }
        var (x, y) = point(w)
        for _ in 0..<400 {
            let t = tail(x, y)
            if t == target { return (x, y) }
            if (t > target) == increasing { wHi = w } else { wLo = w }
            let g = logRatio(t)
            let slope = sign * logitSlope(x, y) / t
            let step = -g / slope
            let nextW = w + step
            if step.isFinite && nextW > wLo && nextW < wHi {
                // Update x and y multiplicatively so that both keep full relative precision.
                let e = exp(-step)
                let denominator = x + y * e
                let nx = x / denominator
                let ny = y * e / denominator
                if abs(step) < stepTolerance { return (nx, ny) }
                (x, y, w) = (nx, ny, nextW)
            } else {
                w = 0.5 * (wLo + wHi)
                (x, y) = point(w)
            }
            if wHi - wLo <= 4 * Double.ulpOfOne * max(1, abs(w)) { return (x, y) }
        }
        return (x, y)
    }
}
