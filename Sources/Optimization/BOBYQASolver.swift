/// The main iteration of BOBYQA (Powell 2009, DAMTP 2009/NA06; Powell's BOBYQB),
/// working on the free variables only, with finite bounds.
///
/// Each pass either takes a trust-region step from the model (TRSBOX), improves
/// the geometry of the interpolation set (ALTMOV), or reduces the lower bound rho of
/// the trust-region radius, following the decisions of Powell's paper. Powell's
/// RESCUE is replaced by a simpler fallback, see ``rebuildStage(_:)``.
struct BOBYQASolver {
    /// What the iteration does next (the labels of Powell's BOBYQB).
    enum Stage {
        case trustRegion
        case geometry(point: Int, radius: Double)
        case farthestPoint(distanceSquared: Double)
        case reduceRho
        case rebuild
        case finalStep
        case finished(OptimizationStatus)
    }

    let n: Int
    let count: Int
    let lower: [Double]
    let upper: [Double]
    let rhoBegin: Double
    let rhoEnd: Double
    let maxEvaluations: Int
    let functionTolerance: Double

    var set: InterpolationSet
    var model: QuadraticModel
    var inverse: KKTInverse
    var evaluator: ObjectiveEvaluator
    var trustRegion: TrustRegionSubproblem
    var geometry: GeometryStep

    /// The best interpolation point relative to the base (XOPT) and its squared norm.
    var xopt: [Double]
    var xoptSquared = 0.0
    /// The trial point relative to the base (XNEW) and the step d = xnew − xopt.
    var xnew: [Double]
    var step: [Double]
    /// Lagrange function values at the trial point and the rest of H w (VLAG).
    var lagrange: [Double]
    /// Work space of `count` and `n` entries.
    var work: [Double]
    var work2: [Double]
    var work3: [Double]
    var workN: [Double]
    var workN2: [Double]
    var absolute: [Double]

    var rho = 0.0
    var delta = 0.0
    var ratio = 1.0
    var dnorm = 0.0
    var ntrits = 0
    var nfsav = 0
    var nresc = 0
    var itest = 0
    var diffa = 0.0
    var diffb = 0.0
    var diffc = 0.0

    /// m for `requested` (nil: 2n + 1), clamped to the range Powell allows, n + 2 … (n + 1)(n + 2)/2.
    static func interpolationPointCount(requested: Int?, variables n: Int) -> Int {
        let full = (n + 1) * (n + 2) / 2
        return min(max(requested ?? 2 * n + 1, n + 2), full)
    }

    /// Number of objective evaluations so far.
    var evaluations: Int { evaluator.evaluations }

    /// - Parameter interpolationPoints: m, clamped to n + 2 … (n + 1)(n + 2)/2; `nil` is 2n + 1.
    init(lower: [Double], upper: [Double], rhoBegin: Double, rhoEnd: Double,
         maxEvaluations: Int, functionTolerance: Double, evaluator: ObjectiveEvaluator,
         interpolationPoints: Int? = nil) {
        let n = lower.count
        let count = Self.interpolationPointCount(requested: interpolationPoints, variables: n)
        self.n = n
        self.count = count
        self.lower = lower
        self.upper = upper
        self.rhoBegin = rhoBegin
        self.rhoEnd = rhoEnd
        self.maxEvaluations = maxEvaluations
        self.functionTolerance = functionTolerance
        self.evaluator = evaluator
        set = InterpolationSet(n: n, count: count)
        model = QuadraticModel(n: n, count: count)
        inverse = KKTInverse(n: n, count: count)
        trustRegion = TrustRegionSubproblem(n: n)
        geometry = GeometryStep(n: n, count: count)
        xopt = Array(repeating: 0, count: n)
        xnew = Array(repeating: 0, count: n)
        step = Array(repeating: 0, count: n)
        lagrange = Array(repeating: 0, count: count + n)
        work = Array(repeating: 0, count: count)
        work2 = Array(repeating: 0, count: count)
        work3 = Array(repeating: 0, count: count)
        workN = Array(repeating: 0, count: n)
        workN2 = Array(repeating: 0, count: n)
        absolute = Array(repeating: 0, count: n)
    }

    /// Runs BOBYQA from `start` (inside the bounds) and returns why it stopped.
    /// `knownValue` is f(start) if the caller has it.
    mutating func run(from start: [Double], knownValue: Double? = nil, _ f: ([Double]) -> Double) -> OptimizationStatus {
        guard buildInterpolationSet(around: start, step: rhoBegin, knownValue: knownValue, f) else {
            return .maxEvaluationsReached
        }
        rho = rhoBegin
        delta = rho
        nresc = evaluations
        nfsav = evaluations
        var stage = Stage.trustRegion
        while true {
            switch stage {
            case .trustRegion: stage = trustRegionStage(f)
            case let .geometry(point, radius): stage = geometryStage(point: point, radius: radius, f)
            case let .farthestPoint(distanceSquared): stage = farthestPointStage(distanceSquared)
            case .reduceRho: stage = reduceRhoStage()
            case .rebuild: stage = rebuildStage(f)
            case .finalStep: return finalStep(f)
            case let .finished(status): return status
            }
        }
    }

    // MARK: - Stages

    /// Powell's label 60: a trust-region step, or the decision that it is too short.
    mutating func trustRegionStage(_ f: ([Double]) -> Double) -> Stage {
        trustRegion.solve(xopt: xopt, model: model, points: set, delta: delta)
        for i in 0..<n {
            xnew[i] = trustRegion.trial[i]
            step[i] = trustRegion.step[i]
        }
        let dsq = trustRegion.stepSquared
        dnorm = min(delta, dsq.squareRoot())
        if dnorm < 0.5 * rho {
            ntrits = -1
            return shortStepDecision()
        }
        ntrits += 1
        shiftBaseIfFar(stepSquared: dsq)
        return trialStage(trust: true, geometryPoint: -1, f)
    }

    /// After a short trust-region step: improve the model's accuracy (geometry step)
    /// unless the recent model errors and the bound gradients show that reducing rho
    /// is safe (Powell's tests with ERRBIG, CRVMIN and BDTOL).
    mutating func shortStepDecision() -> Stage {
        let distsq = (10 * rho) * (10 * rho)
        if evaluations <= nfsav + 2 { return .farthestPoint(distanceSquared: distsq) }
        let errbig = max(diffa, diffb, diffc)
        let crvmin = trustRegion.curvatureMin
        if crvmin > 0 && errbig > 0.125 * rho * rho * crvmin { return .farthestPoint(distanceSquared: distsq) }
        let bdtol = errbig / rho
        for j in 0..<n {
            var bdtest = bdtol
            if xnew[j] == set.lowerGap[j] { bdtest = trustRegion.gradient[j] }
            if xnew[j] == set.upperGap[j] { bdtest = -trustRegion.gradient[j] }
            if bdtest < bdtol {
                bdtest += 0.5 * model.hessianDiagonal(j, points: set) * rho
                if bdtest < bdtol { return .farthestPoint(distanceSquared: distsq) }
            }
        }
        return .reduceRho
    }

    /// Powell's label 650: replace the interpolation point farthest from xopt, if it
    /// is farther than `distanceSquared`.
    mutating func farthestPointStage(_ distanceSquared: Double) -> Stage {
        var distsq = distanceSquared
        var knew = -1
        for k in 0..<count {
            let d = set.distanceSquared(k, xopt)
            if d > distsq {
                knew = k
                distsq = d
            }
        }
        if knew >= 0 {
            let dist = distsq.squareRoot()
            if ntrits == -1 {
                delta = min(0.1 * delta, 0.5 * dist)
                if delta <= 1.5 * rho { delta = rho }
            }
            ntrits = 0
            let radius = max(min(0.1 * dist, delta), rho)
            return .geometry(point: knew, radius: radius)
        }
        if ntrits == -1 { return .reduceRho }
        if ratio > 0 { return .trustRegion }
        if max(delta, dnorm) > rho { return .trustRegion }
        return .reduceRho
    }

    /// Powell's label 210: a geometry-improving step for point `point`.
    mutating func geometryStage(point: Int, radius: Double, _ f: ([Double]) -> Double) -> Stage {
        shiftBaseIfFar(stepSquared: radius * radius)
        geometry.solve(replacing: point, radius: radius, xopt: xopt, points: set, inverse: inverse)
        for i in 0..<n {
            xnew[i] = geometry.trial[i]
            step[i] = xnew[i] - xopt[i]
        }
        return trialStage(trust: false, geometryPoint: point, f)
    }

    /// Powell's label 680: reduce rho, or stop when it has reached rhoend.
    mutating func reduceRhoStage() -> Stage {
        guard rho > rhoEnd else {
            return ntrits == -1 ? .finalStep : .finished(.converged)
        }
        delta = 0.5 * rho
        let reduction = rho / rhoEnd
        if reduction <= 16 {
            rho = rhoEnd
        } else if reduction <= 250 {
            rho = reduction.squareRoot() * rhoEnd
        } else {
            rho *= 0.1
        }
        delta = max(delta, rho)
        ntrits = 0
        nfsav = evaluations
        return .trustRegion
    }

    /// The last short trust-region step is tried once before returning, as Powell does.
    mutating func finalStep(_ f: ([Double]) -> Double) -> OptimizationStatus {
        if evaluations < maxEvaluations {
            _ = evaluateRelative(xnew, f)
        }
        return .converged
    }

    /// Replaces Powell's RESCUE. When rounding errors have spoiled the interpolation
    /// system (a tiny or negative KKT denominator, or a trust-region step that does
    /// not reduce the model), the interpolation set is rebuilt from scratch around
    /// the best point with step rho, exactly as in the initial PRELIM stage. This
    /// costs 2n evaluations instead of Powell's cheaper repair, and is only done if
    /// something was evaluated since the previous rebuild.
    mutating func rebuildStage(_ f: ([Double]) -> Double) -> Stage {
        var centre = absolute
        if evaluator.hasFiniteValue {
            centre = evaluator.bestScaledPoint
        } else {
            for i in 0..<n { centre[i] = absolutePoint(i, relative: xopt[i]) }
        }
        let known = evaluator.hasFiniteValue ? evaluator.bestValue : set.values[set.best]
        guard buildInterpolationSet(around: centre, step: rho, knownValue: known, f) else {
            return .finished(.maxEvaluationsReached)
        }
        nresc = evaluations
        nfsav = evaluations
        ntrits = 0
        itest = 0
        diffa = 0
        diffb = 0
        diffc = 0
        delta = max(delta, rho)
        return .trustRegion
    }

    /// Rebuild if anything was evaluated since the last rebuild, otherwise give up.
    func rebuildOrFail() -> Stage {
        evaluations > nresc ? .rebuild : .finished(.failed)
    }

    // MARK: - Evaluation

    /// Coordinate `i` of the absolute point for a coordinate `relative` to the base,
    /// clipped to the bounds and exactly on a bound when the relative coordinate
    /// equals the bound's displacement.
    @inline(__always)
    func absolutePoint(_ i: Int, relative: Double) -> Double {
        if relative == set.lowerGap[i] { return lower[i] }
        if relative == set.upperGap[i] { return upper[i] }
        return max(min(set.base[i] + relative, upper[i]), lower[i])
    }

    /// Evaluates the objective at base + `relative`.
    mutating func evaluateRelative(_ relative: [Double], _ f: ([Double]) -> Double) -> Double {
        for i in 0..<n { absolute[i] = absolutePoint(i, relative: relative[i]) }
        return evaluator.evaluate(absolute, f)
    }
}
