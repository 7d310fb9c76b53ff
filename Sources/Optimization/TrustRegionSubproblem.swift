/// Powell's TRSBOX: an approximate solution of the trust-region subproblem with
/// simple bounds (Powell 2009, DAMTP 2009/NA06, Section 3).
///
/// Minimises Q(xopt + d) subject to ‖d‖ ≤ Δ and sl ≤ xopt + d ≤ su by a truncated
/// conjugate-gradient method in which a variable that reaches a bound is fixed there
/// (restarting the CG iteration); once the step reaches the trust-region boundary,
/// further reductions of Q are sought by rotating d within the plane spanned by d and
/// the projected steepest-descent direction, keeping ‖d‖ fixed.
struct TrustRegionSubproblem {
    let n: Int
    /// The step d.
    var step: [Double]
    /// The model gradient at xopt + d (Powell's GNEW).
    var gradient: [Double]
    /// xopt + d, with coordinates on a bound set exactly to it (Powell's XNEW).
    var trial: [Double]
    /// ‖d‖² of the returned step.
    var stepSquared = 0.0
    /// Least curvature of Q seen along an interior CG search direction; 0 if the
    /// step reached the trust-region boundary, −1 if no curvature was measured
    /// (Powell's CRVMIN).
    var curvatureMin = 0.0

    /// −1/+1 if the variable is fixed at its lower/upper bound, 0 if free (XBDI).
    private var boundState: [Int]
    private var direction: [Double]
    private var hessianDirection: [Double]
    private var hessianStep: [Double]

    init(n: Int) {
        self.n = n
        step = Array(repeating: 0, count: n)
        gradient = Array(repeating: 0, count: n)
        trial = Array(repeating: 0, count: n)
        boundState = Array(repeating: 0, count: n)
        direction = Array(repeating: 0, count: n)
        hessianDirection = Array(repeating: 0, count: n)
        hessianStep = Array(repeating: 0, count: n)
    }

    /// The state carried from the conjugate-gradient phase to the boundary phase.
    private struct Progress {
        var delsq: Double
        var qred = 0.0
        var active = 0
        var iterations = 0
    }

    /// Computes the step for trust-region radius `delta` around `xopt`.
    mutating func solve(xopt: [Double], model: QuadraticModel, points: InterpolationSet, delta: Double) {
        let sl = points.lowerGap
        let su = points.upperGap
        var progress = Progress(delsq: delta * delta)
        for i in 0..<n {
            boundState[i] = 0
            if xopt[i] <= sl[i] && model.gradient[i] >= 0 {
                boundState[i] = -1
            } else if xopt[i] >= su[i] && model.gradient[i] <= 0 {
                boundState[i] = 1
            }
            if boundState[i] != 0 { progress.active += 1 }
            step[i] = 0
            gradient[i] = model.gradient[i]
        }
        curvatureMin = -1
        if conjugateGradient(xopt: xopt, model: model, points: points, progress: &progress) {
            curvatureMin = 0
            boundaryIterations(xopt: xopt, model: model, points: points, progress: &progress)
        }
        finish(xopt: xopt, sl: sl, su: su)
    }

    /// The truncated CG phase. Returns `true` if the step reached the trust-region
    /// boundary, so that the boundary phase should follow.
    private mutating func conjugateGradient(xopt: [Double], model: QuadraticModel, points: InterpolationSet,
                                            progress p: inout Progress) -> Bool {
        let sl = points.lowerGap
        let su = points.upperGap
        var beta = 0.0
        var gredsq = 0.0
        var ggsav = 0.0
        var iterationLimit = 0
        while true {
            var stepsq = 0.0
            for i in 0..<n {
                if boundState[i] != 0 {
                    direction[i] = 0
                } else if beta == 0 {
                    direction[i] = -gradient[i]
                } else {
                    direction[i] = beta * direction[i] - gradient[i]
                }
                stepsq += direction[i] * direction[i]
            }
            if stepsq == 0 { return false }
            if beta == 0 {
                gredsq = stepsq
                iterationLimit = p.iterations + n - p.active
            }
            if gredsq * p.delsq <= 1e-4 * p.qred * p.qred { return false }
            model.hessianTimes(direction, points: points, into: &hessianDirection)
            var resid = p.delsq
            var ds = 0.0
            var shs = 0.0
            for i in 0..<n where boundState[i] == 0 {
                resid -= step[i] * step[i]
                ds += direction[i] * step[i]
                shs += direction[i] * hessianDirection[i]
            }
            if resid <= 0 { return true }
            let root = (stepsq * resid + ds * ds).squareRoot()
            let boundaryLength = ds < 0 ? (root - ds) / stepsq : resid / (root + ds)
            var length = boundaryLength
            if shs > 0 { length = min(boundaryLength, gredsq / shs) }
            var hit = -1
            for i in 0..<n where direction[i] != 0 {
                let xsum = xopt[i] + step[i]
                let room = direction[i] > 0 ? (su[i] - xsum) / direction[i] : (sl[i] - xsum) / direction[i]
                if room < length {
                    length = room
                    hit = i
                }
            }
            var sdec = 0.0
            if length > 0 {
                p.iterations += 1
                let curvature = shs / stepsq
                if hit < 0 && curvature > 0 {
                    curvatureMin = curvatureMin == -1 ? curvature : min(curvatureMin, curvature)
                }
                ggsav = gredsq
                gredsq = 0
                for i in 0..<n {
                    gradient[i] += length * hessianDirection[i]
                    if boundState[i] == 0 { gredsq += gradient[i] * gradient[i] }
                    step[i] += length * direction[i]
                }
                sdec = max(length * (ggsav - 0.5 * length * shs), 0)
                p.qred += sdec
            }
            if hit >= 0 {
                p.active += 1
                boundState[hit] = direction[hit] < 0 ? -1 : 1
                p.delsq -= step[hit] * step[hit]
                if p.delsq <= 0 { return true }
                beta = 0
                continue
            }
            if length < boundaryLength {
                if p.iterations == iterationLimit || sdec <= 0.01 * p.qred || ggsav == 0 { return false }
                beta = gredsq / ggsav
                continue
            }
            return true
        }
    }

    /// The boundary phase: rotations of d on the trust-region sphere.
    private mutating func boundaryIterations(xopt: [Double], model: QuadraticModel, points: InterpolationSet,
                                             progress p: inout Progress) {
        let sl = points.lowerGap
        let su = points.upperGap
        restart: while p.active < n - 1 {
            var dredsq = 0.0
            var dredg = 0.0
            var gredsq = 0.0
            for i in 0..<n {
                if boundState[i] == 0 {
                    dredsq += step[i] * step[i]
                    dredg += step[i] * gradient[i]
                    gredsq += gradient[i] * gradient[i]
                    direction[i] = step[i]
                } else {
                    direction[i] = 0
                }
            }
            model.hessianTimes(direction, points: points, into: &hessianStep)
            while true {
                p.iterations += 1
                var temp = gredsq * dredsq - dredg * dredg
                if temp <= 1e-4 * p.qred * p.qred { return }
                temp = temp.squareRoot()
                for i in 0..<n {
                    direction[i] = boundState[i] == 0 ? (dredg * step[i] - dredsq * gradient[i]) / temp : 0
                }
                let sredg = -temp
                // The largest tangent of the half angle before a bound is reached.
                var angleBound = 1.0
                var hit = -1
                var hitSide = 0
                for i in 0..<n where boundState[i] == 0 {
                    let roomBelow = xopt[i] + step[i] - sl[i]
                    let roomAbove = su[i] - xopt[i] - step[i]
                    if roomBelow <= 0 {
                        p.active += 1
                        boundState[i] = -1
                        continue restart
                    }
                    if roomAbove <= 0 {
                        p.active += 1
                        boundState[i] = 1
                        continue restart
                    }
                    let ssq = step[i] * step[i] + direction[i] * direction[i]
                    var t = ssq - (xopt[i] - sl[i]) * (xopt[i] - sl[i])
                    if t > 0 {
                        t = t.squareRoot() - direction[i]
                        if angleBound * t > roomBelow {
                            angleBound = roomBelow / t
                            hit = i
                            hitSide = -1
                        }
                    }
                    t = ssq - (su[i] - xopt[i]) * (su[i] - xopt[i])
                    if t > 0 {
                        t = t.squareRoot() + direction[i]
                        if angleBound * t > roomAbove {
                            angleBound = roomAbove / t
                            hit = i
                            hitSide = 1
                        }
                    }
                }
                model.hessianTimes(direction, points: points, into: &hessianDirection)
                var shs = 0.0
                var dhs = 0.0
                var dhd = 0.0
                for i in 0..<n where boundState[i] == 0 {
                    shs += direction[i] * hessianDirection[i]
                    dhs += step[i] * hessianDirection[i]
                    dhd += step[i] * hessianStep[i]
                }
                let choice = bestAngle(bound: angleBound, shs: shs, dhs: dhs, dhd: dhd, dredg: dredg, sredg: sredg)
                guard let (tangent, sdec, atBound) = choice, sdec > 0 else { return }
                let cth = (1 - tangent * tangent) / (1 + tangent * tangent)
                let sth = (2 * tangent) / (1 + tangent * tangent)
                dredg = 0
                gredsq = 0
                for i in 0..<n {
                    gradient[i] += (cth - 1) * hessianStep[i] + sth * hessianDirection[i]
                    if boundState[i] == 0 {
                        step[i] = cth * step[i] + sth * direction[i]
                        dredg += step[i] * gradient[i]
                        gredsq += gradient[i] * gradient[i]
                    }
                    hessianStep[i] = cth * hessianStep[i] + sth * hessianDirection[i]
                }
                p.qred += sdec
                if hit >= 0 && atBound {
                    p.active += 1
                    boundState[hit] = hitSide
                    continue restart
                }
                if sdec <= 0.01 * p.qred { return }
            }
        }
    }

    /// Reduction of Q for the rotation with half-angle tangent t:
    /// sin θ (t·dᵀg − sᵀg − ½ sin θ (sᵀHs − 2t dᵀHs + t² dᵀHd)).
    private static func reduction(_ t: Double, shs: Double, dhs: Double, dhd: Double,
                                  dredg: Double, sredg: Double) -> Double {
        let sth = (2 * t) / (1 + t * t)
        let curvature = shs + t * (t * dhd - dhs - dhs)
        return sth * (t * dredg - sredg - 0.5 * sth * curvature)
    }

    /// Samples the reduction on a grid of half-angle tangents in (0, bound] and
    /// refines the best sample by a parabola, as Powell does. Returns the tangent,
    /// the reduction and whether the sample chosen was the bound itself.
    private func bestAngle(bound: Double, shs: Double, dhs: Double, dhd: Double,
                           dredg: Double, sredg: Double) -> (Double, Double, Bool)? {
        let samples = Int(17 * bound + 3.1)
        var best = 0.0
        var bestIndex = 0
        var previous = 0.0
        var beforeBest = 0.0
        var afterBest = 0.0
        for i in 1...max(samples, 1) {
            let t = bound * Double(i) / Double(samples)
            let value = TrustRegionSubproblem.reduction(t, shs: shs, dhs: dhs, dhd: dhd, dredg: dredg, sredg: sredg)
            if value > best {
                best = value
                bestIndex = i
                beforeBest = previous
            } else if i == bestIndex + 1 {
                afterBest = value
            }
            previous = value
        }
        guard bestIndex > 0 else { return nil }
        var t = bound
        if bestIndex < samples {
            let denominator = 2 * best - beforeBest - afterBest
            let shift = denominator > 0 ? (afterBest - beforeBest) / denominator : 0
            t = bound * (Double(bestIndex) + 0.5 * shift) / Double(samples)
        }
        let value = TrustRegionSubproblem.reduction(t, shs: shs, dhs: dhs, dhd: dhd, dredg: dredg, sredg: sredg)
        return (t, value, bestIndex == samples)
    }

    /// Forms xnew = xopt + d inside the bounds, exactly on the bounds of fixed
    /// variables, and recomputes d and ‖d‖².
    private mutating func finish(xopt: [Double], sl: [Double], su: [Double]) {
        stepSquared = 0
        for i in 0..<n {
            var x = max(min(xopt[i] + step[i], su[i]), sl[i])
            if boundState[i] == -1 { x = sl[i] }
            if boundState[i] == 1 { x = su[i] }
            trial[i] = x
            step[i] = x - xopt[i]
            stepSquared += step[i] * step[i]
        }
    }
}
