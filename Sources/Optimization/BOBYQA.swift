/// A bound-constrained, derivative-free minimiser: M.J.D. Powell's BOBYQA
/// ("Bound Optimization BY Quadratic Approximation"; Powell 2009, "The BOBYQA
/// algorithm for bound constrained optimization without derivatives", Cambridge
/// report DAMTP 2009/NA06), the method lme4 (through NLopt) and MixedModels.jl use
/// to fit linear mixed models.
///
/// Each iteration minimises a quadratic model of f within a trust region and the
/// bounds. The model interpolates f at m points (by default 2n + 1;
/// ``interpolationPoints`` chooses another m) and is updated by the symmetric Broyden
/// (least Frobenius norm) formula. Every evaluated point lies within the bounds, and a
/// coordinate that the algorithm puts on a bound is exactly equal to it.
///
/// Implementation notes: written from the published description. Powell's RESCUE
/// is replaced by rebuilding the interpolation set around the best point (2n
/// evaluations; see ``OptimizationStatus/failed``). Variables with equal lower and
/// upper bounds are held fixed and removed from the problem; infinite bounds are
/// treated as ±10¹⁰⁰.
public struct BOBYQA: Sendable {
    /// Lower bounds, one per variable; may contain `-Double.infinity`.
    public var lowerBounds: [Double]
    /// Upper bounds, one per variable; may contain `+Double.infinity`.
    public var upperBounds: [Double]
    /// The initial trust-region radius (Powell's RHOBEG). If some free variable's
    /// bounds are closer than twice this, half the smallest gap is used, as Powell
    /// requires.
    public var initialTrustRadius: Double
    /// The final trust-region radius (Powell's RHOEND): roughly the accuracy required
    /// in x. Runs stop with ``OptimizationStatus/converged`` when it is reached.
    public var finalTrustRadius: Double
    /// The maximum number of objective evaluations (Powell's MAXFUN).
    public var maxEvaluations: Int
    /// NLopt-style absolute function tolerance (`ftol_abs`): stop when a new value
    /// differs from the best value so far by less than this. 0 (default) disables it.
    public var functionTolerance: Double = 0
    /// Per-variable scales sⱼ > 0 (NLopt's rescaling by the initial steps): the trust region
    /// works with xⱼ / sⱼ, so the first interpolation step along variable j is sⱼ · ρ_beg.
    /// `nil` (default) means all scales are 1.
    public var variableScales: [Double]?
    /// The number m of interpolation points of the quadratic model, for n free variables: `nil`
    /// (default) is Powell's recommended 2n + 1; values are clamped to n + 2 … (n + 1)(n + 2)/2.
    /// With (n + 1)(n + 2)/2 the model is a full quadratic from the start (Powell's NPT; MINQA's
    /// `npt`), which costs more evaluations at the start and can save many later for small n.
    public var interpolationPoints: Int?

    /// The largest magnitude used for bounds; infinite bounds are replaced by it.
    static let boundLimit = 1e100

    /// Creates a minimiser for the box `lowerBounds ≤ x ≤ upperBounds`
    /// (Powell 2009, DAMTP 2009/NA06).
    public init(lowerBounds: [Double], upperBounds: [Double], initialTrustRadius: Double = 0.5,
                finalTrustRadius: Double = 1e-8, maxEvaluations: Int = 100_000) {
        self.lowerBounds = lowerBounds
        self.upperBounds = upperBounds
        self.initialTrustRadius = initialTrustRadius
        self.finalTrustRadius = finalTrustRadius
        self.maxEvaluations = maxEvaluations
    }

    /// Minimises f from x0 (x0 is projected into the bounds first) by BOBYQA
    /// (Powell 2009, DAMTP 2009/NA06).
    ///
    /// Never traps. Invalid input (bounds of the wrong length, NaN bounds or start,
    /// a lower bound above an upper bound, non-positive or non-finite radii) gives
    /// ``OptimizationStatus/failed`` without calling f. A `maxEvaluations` below 1
    /// gives ``OptimizationStatus/maxEvaluationsReached`` without calling f. With no
    /// variables (or all of them fixed by equal bounds) f is called once. Non-finite
    /// values of f are treated as very bad points.
    ///
    /// `initialValue`, if given, is f(x0) already computed by the caller: it is reused for the
    /// first interpolation point (when x0 is inside the bounds and at least ρ_beg from them) and
    /// is not counted in ``OptimizationResult/evaluations``.
    public func minimize(from x0: [Double], initialValue: Double? = nil,
                         _ f: ([Double]) -> Double) -> OptimizationResult {
        guard let start = validatedStart(x0) else {
            return OptimizationResult(x: x0, value: .nan, initialValue: .nan, evaluations: 0, status: .failed)
        }
        guard maxEvaluations >= 1 else {
            return OptimizationResult(x: start, value: .nan, initialValue: .nan, evaluations: 0,
                                      status: .maxEvaluationsReached)
        }
        let freeIndices = start.indices.filter { lowerBounds[$0] < upperBounds[$0] }
        guard !freeIndices.isEmpty else {
            let value = f(start)
            return OptimizationResult(x: start, value: value, initialValue: value, evaluations: 1,
                                      status: value.isFinite ? .converged : .failed)
        }
        let scales = freeIndices.map { variableScales?[$0] ?? 1 }
        let lower = freeIndices.enumerated().map { j, index in max(lowerBounds[index] / scales[j], -BOBYQA.boundLimit) }
        let upper = freeIndices.enumerated().map { j, index in min(upperBounds[index] / scales[j], BOBYQA.boundLimit) }
        var smallestGap = Double.infinity
        for j in lower.indices { smallestGap = min(smallestGap, upper[j] - lower[j]) }
        let rhoBegin = min(initialTrustRadius, 0.5 * smallestGap)
        let rhoEnd = min(finalTrustRadius, rhoBegin)
        var solver = BOBYQASolver(lower: lower, upper: upper, rhoBegin: rhoBegin, rhoEnd: rhoEnd,
                                  maxEvaluations: maxEvaluations,
                                  functionTolerance: functionTolerance > 0 ? functionTolerance : 0,
                                  evaluator: ObjectiveEvaluator(template: start, freeIndices: freeIndices,
                                                                 scales: scales),
                                  interpolationPoints: interpolationPoints)
        let reducedStart = freeIndices.enumerated().map { j, index in
            max(min(start[index] / scales[j], upper[j]), lower[j])
        }
        let known = (initialValue?.isFinite ?? false) && reducedStart.indices.allSatisfy({ j in
            reducedStart[j] * scales[j] == start[freeIndices[j]]
        }) ? initialValue : nil
        if let known { solver.evaluator.seed(value: known) }
        let status = solver.run(from: reducedStart, knownValue: known, f)
        let evaluator = solver.evaluator
        guard evaluator.hasFiniteValue else {
            return OptimizationResult(x: evaluator.bestPoint, value: .nan, initialValue: evaluator.initialValue,
                                      evaluations: evaluator.evaluations, status: .failed)
        }
        return OptimizationResult(x: evaluator.bestPoint, value: evaluator.bestValue,
                                  initialValue: evaluator.initialValue,
                                  evaluations: evaluator.evaluations, status: status)
    }

    /// Checks the settings and returns x0 projected into the bounds, or nil if the
    /// problem is invalid.
    func validatedStart(_ x0: [Double]) -> [Double]? {
        let n = x0.count
        guard lowerBounds.count == n, upperBounds.count == n else { return nil }
        guard initialTrustRadius > 0, initialTrustRadius.isFinite,
              finalTrustRadius > 0, finalTrustRadius.isFinite, !functionTolerance.isNaN else { return nil }
        if let variableScales {
            guard variableScales.count == n, variableScales.allSatisfy({ $0 > 0 && $0.isFinite }) else { return nil }
        }
        var start = x0
        for i in 0..<n {
            let lo = lowerBounds[i]
            let hi = upperBounds[i]
            guard !lo.isNaN, !hi.isNaN, lo <= hi, !x0[i].isNaN else { return nil }
            start[i] = max(min(x0[i], hi), lo)
            guard start[i].isFinite || lo == hi else { return nil }
        }
        return start
    }
}
