import Optimization

/// After the optimiser stops, the check that a θ component close to its lower bound (a variance
/// near zero) is not in fact at it (the role of lme4's `restart_edge` and `boundary.tol`). A
/// derivative-free optimiser that meets a nearly flat objective next to the bound can stop a
/// hair above it (θ = 1.9·10⁻⁴ with the log-likelihood of θ = 0 to 10⁻⁹) and the fit then reads
/// as not singular. Each such component, nearest first, is set to its bound; the point is kept
/// when the objective is not worse (by more than the optimiser's function tolerance, or a few
/// units in the last place: differences the optimiser could not see). When it is worse by very
/// little, the other components are
/// reoptimised with this one held at the bound (a short run from the boundary point, with a
/// small initial step) and the result is kept when it is not worse than the interior optimum.
///
/// Cost: nothing unless a bounded component ends within ``reach`` of its bound; then one
/// evaluation per such component, plus a reoptimisation (typically 2k + 1 to a few tens of
/// evaluations for k parameters) only when the objective at the bound is within
/// ``reoptimizationGap`` of the optimum.
struct BoundaryCheck {
    let lower: [Double]
    let upper: [Double]
    let scales: [Double]
    let settings: OptimizerSettings

    /// Components with 0 < θ / scale < reach (and a lower bound of 0) are tried at the bound.
    static let reach = 1e-2
    /// The largest increase of the objective at the bound (others fixed) that is worth a
    /// reoptimisation of the others (deviance units; a difference of 10⁻⁵ is statistically nil).
    static let reoptimizationGap = 1e-5

    /// Applies the check to `theta` (value `value`, the objective f there); returns the number of
    /// evaluations of f.
    mutating func apply(_ theta: inout [Double], value: inout Double, _ f: ([Double]) -> Double) -> Int {
        let candidates = theta.indices
            .filter { lower[$0] == 0 && theta[$0] > 0 && theta[$0] < Self.reach * scales[$0] }
            .sorted { theta[$0] / scales[$0] < theta[$1] / scales[$1] }
        var evaluations = 0
        for index in candidates where evaluations < settings.maxEvaluations {
            var trial = theta
            trial[index] = 0
            let trialValue = f(trial)
            evaluations += 1
            let tolerance = max(settings.functionTolerance, 4 * value.ulp)
            if trialValue <= value + tolerance {
                theta = trial
                value = trialValue
                continue
            }
            guard trialValue - value <= Self.reoptimizationGap, settings.maxEvaluations - evaluations >= 1,
                  theta.indices.contains(where: { $0 != index && lower[$0] < upper[$0] }) else { continue }
            var heldLower = lower
            var heldUpper = upper
            heldLower[index] = 0
            heldUpper[index] = 0
            var short = settings
            short.initialTrustRadius = min(settings.initialTrustRadius, 0.05)
            short.maxEvaluations = settings.maxEvaluations - evaluations
            let result = LinearMixedModel.runOptimizer(settings: short, lower: heldLower, upper: heldUpper,
                                                       scales: scales, start: trial, initialValue: trialValue, f)
            evaluations += result.evaluations
            if result.value.isFinite && result.value <= value + tolerance {
                theta = result.x
                theta[index] = 0
                value = result.value
            }
        }
        return evaluations
    }
}
