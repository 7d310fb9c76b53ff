/// Powell's ALTMOV: the step that improves the geometry of the interpolation set
/// (Powell 2009, DAMTP 2009/NA06, Section 5).
///
/// Point `knew` is to be replaced by a point within distance Δ (`radius`) of xopt and
/// inside the bounds at which the Lagrange function l_knew is large in modulus,
/// so that the denominator of the KKT update stays well away from zero. Two
/// candidates are formed: the best point on the lines through xopt and the other
/// interpolation points (`trial`), and a bound-constrained Cauchy step along
/// ±∇l_knew (`alternative`, with `cauchy` = l_knew² there).
struct GeometryStep {
    let n: Int
    let count: Int
    /// The line-search candidate (Powell's XNEW), relative to the base point.
    var trial: [Double]
    /// The Cauchy candidate (Powell's XALT), relative to the base point.
    var alternative: [Double]
    /// Ω(knew, knew) (Powell's ALPHA).
    var alpha = 0.0
    /// The square of l_knew at `alternative`; 0 if no Cauchy step exists (CAUCHY).
    var cauchy = 0.0

    private var lagrangeGradient: [Double]
    private var omegaColumn: [Double]
    private var cauchyStep: [Double]
    private var free: [Bool]
    private var saved: [Double]

    init(n: Int, count: Int) {
        self.n = n
        self.count = count
        trial = Array(repeating: 0, count: n)
        alternative = Array(repeating: 0, count: n)
        lagrangeGradient = Array(repeating: 0, count: n)
        omegaColumn = Array(repeating: 0, count: count)
        cauchyStep = Array(repeating: 0, count: n)
        free = Array(repeating: false, count: n)
        saved = Array(repeating: 0, count: n)
    }

    /// Computes both candidates for replacing point `knew`.
    mutating func solve(replacing knew: Int, radius: Double, xopt: [Double],
                        points: InterpolationSet, inverse: KKTInverse) {
        inverse.omegaColumn(knew, into: &omegaColumn)
        alpha = omegaColumn[knew]
        for i in 0..<n { lagrangeGradient[i] = inverse.bmat[knew * n + i] }
        for k in 0..<count {
            let t = omegaColumn[k] * points.dot(k, xopt)
            for i in 0..<n { lagrangeGradient[i] += t * points.coordinate(k, i) }
        }
        lineSearch(knew: knew, radius: radius, xopt: xopt, points: points)
        cauchySearch(radius: radius, xopt: xopt, points: points)
    }

    /// The search along the lines through xopt and each other point yₖ: on such a line
    /// l_knew is a known quadratic in the step length, so its extreme values inside the
    /// trust region and the bounds are found analytically.
    private mutating func lineSearch(knew: Int, radius: Double, xopt: [Double], points: InterpolationSet) {
        let sl = points.lowerGap
        let su = points.upperGap
        let halfAlpha = 0.5 * alpha
        var bestScore = 0.0
        var bestPoint = -1
        var bestLength = 0.0
        var bestBound = 0
        for k in 0..<count where k != points.best {
            var slope = 0.0
            var distsq = 0.0
            for i in 0..<n {
                let t = points.coordinate(k, i) - xopt[i]
                slope += lagrangeGradient[i] * t
                distsq += t * t
            }
            guard distsq > 0 else { continue }
            var upper = radius / distsq.squareRoot()
            var lower = -upper
            var lowerBound = 0
            var upperBound = 0
            let floor = min(1, upper)
            for i in 0..<n {
                let t = points.coordinate(k, i) - xopt[i]
                if t > 0 {
                    if lower * t < sl[i] - xopt[i] { lower = (sl[i] - xopt[i]) / t; lowerBound = -i - 1 }
                    if upper * t > su[i] - xopt[i] { upper = max(floor, (su[i] - xopt[i]) / t); upperBound = i + 1 }
                } else if t < 0 {
                    if lower * t > su[i] - xopt[i] { lower = (su[i] - xopt[i]) / t; lowerBound = i + 1 }
                    if upper * t < sl[i] - xopt[i] { upper = max(floor, (sl[i] - xopt[i]) / t); upperBound = -i - 1 }
                }
            }
            var length: Double
            var value: Double
            var bound: Int
            if k == knew {
                // l(s) = s (slope − s (slope − 1)).
                let diff = slope - 1
                length = lower
                value = lower * (slope - lower * diff)
                bound = lowerBound
                let atUpper = upper * (slope - upper * diff)
                if abs(atUpper) > abs(value) { length = upper; value = atUpper; bound = upperBound }
                let half = 0.5 * slope
                if (half - diff * lower) * (half - diff * upper) < 0 {
                    let peak = half * half / diff
                    if abs(peak) > abs(value) { length = half / diff; value = peak; bound = 0 }
                }
            } else {
                // l(s) = slope · s (1 − s).
                length = lower
                value = lower * (1 - lower)
                bound = lowerBound
                let atUpper = upper * (1 - upper)
                if abs(atUpper) > abs(value) { length = upper; value = atUpper; bound = upperBound }
                if upper > 0.5 && abs(value) < 0.25 { length = 0.5; value = 0.25; bound = 0 }
                value *= slope
            }
            let t = length * (1 - length) * distsq
            let score = value * value * (value * value + halfAlpha * t * t)
            if score > bestScore {
                bestScore = score
                bestPoint = k
                bestLength = length
                bestBound = bound
            }
        }
        for i in 0..<n {
            let target = bestPoint >= 0 ? points.coordinate(bestPoint, i) : xopt[i]
            trial[i] = max(sl[i], min(su[i], xopt[i] + bestLength * (target - xopt[i])))
        }
        if bestBound < 0 { trial[-bestBound - 1] = sl[-bestBound - 1] }
        if bestBound > 0 { trial[bestBound - 1] = su[bestBound - 1] }
    }

    /// The constrained Cauchy step for +l_knew and −l_knew: steepest ascent of |l|
    /// projected onto the bounds with length `radius`, with the variables that hit a
    /// bound fixed one pass at a time. The better of the two signs is kept.
    private mutating func cauchySearch(radius: Double, xopt: [Double], points: InterpolationSet) {
        var savedCauchy = -1.0
        cauchy = 0
        for pass in 0..<2 {
            if pass == 1 {
                for i in 0..<n { lagrangeGradient[i] = -lagrangeGradient[i] }
            }
            guard let value = cauchyCandidate(radius: radius, xopt: xopt, points: points, negated: pass == 1) else {
                cauchy = 0
                break
            }
            cauchy = value
            if pass == 0 {
                for i in 0..<n { saved[i] = alternative[i] }
                savedCauchy = value
            }
        }
        if savedCauchy > cauchy {
            for i in 0..<n { alternative[i] = saved[i] }
            cauchy = savedCauchy
        }
    }

    /// One signed Cauchy candidate written to `alternative`; returns l² there, or nil
    /// when every variable is blocked by a bound.
    private mutating func cauchyCandidate(radius: Double, xopt: [Double], points: InterpolationSet,
                                          negated: Bool) -> Double? {
        let sl = points.lowerGap
        let su = points.upperGap
        let g = lagrangeGradient
        var fixedSquare = 0.0
        var freeSquare = 0.0
        for i in 0..<n {
            cauchyStep[i] = 0
            free[i] = min(xopt[i] - sl[i], g[i]) > 0 || max(xopt[i] - su[i], g[i]) < 0
            if free[i] { freeSquare += g[i] * g[i] }
        }
        guard freeSquare > 0 else { return nil }
        var length = 0.0
        while true {
            let room = radius * radius - fixedSquare
            guard room > 0 else { break }
            let previous = fixedSquare
            length = (room / freeSquare).squareRoot()
            freeSquare = 0
            for i in 0..<n where free[i] {
                let x = xopt[i] - length * g[i]
                if x <= sl[i] {
                    free[i] = false
                    cauchyStep[i] = sl[i] - xopt[i]
                    fixedSquare += cauchyStep[i] * cauchyStep[i]
                } else if x >= su[i] {
                    free[i] = false
                    cauchyStep[i] = su[i] - xopt[i]
                    fixedSquare += cauchyStep[i] * cauchyStep[i]
                } else {
                    freeSquare += g[i] * g[i]
                }
            }
            if !(fixedSquare > previous && freeSquare > 0) { break }
        }
        var gw = 0.0
        for i in 0..<n {
            if free[i] {
                cauchyStep[i] = -length * g[i]
                alternative[i] = max(sl[i], min(su[i], xopt[i] + cauchyStep[i]))
            } else if cauchyStep[i] == 0 {
                alternative[i] = xopt[i]
            } else if g[i] > 0 {
                alternative[i] = sl[i]
            } else {
                alternative[i] = su[i]
            }
            gw += g[i] * cauchyStep[i]
        }
        var curvature = 0.0
        for k in 0..<count {
            let t = points.dot(k, cauchyStep)
            curvature += omegaColumn[k] * t * t
        }
        if negated { curvature = -curvature }
        if curvature > -gw && curvature < -(1 + 2.0.squareRoot()) * gw {
            let scale = -gw / curvature
            for i in 0..<n {
                alternative[i] = max(sl[i], min(su[i], xopt[i] + scale * cauchyStep[i]))
            }
            let half = 0.5 * gw * scale
            return half * half
        }
        let value = gw + 0.5 * curvature
        return value * value
    }
}
