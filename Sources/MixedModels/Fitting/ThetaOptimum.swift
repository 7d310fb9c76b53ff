/// Where ``LinearMixedModel/minimize(_:from:settings:requiresFiniteStart:)`` ended.
struct ThetaOptimum: Sendable {
    /// θ at the optimum (after snapping to bounds).
    let theta: [Double]
    /// The objective at ``theta``.
    let objective: Double
    /// The objective at the start.
    let initialObjective: Double
    /// Evaluations: the start, the optimiser's and the snaps.
    var evaluations: Int
    /// Whether the optimiser reached its convergence criterion.
    let converged: Bool
    /// The optimiser's return status.
    let status: String
    /// ρ_end of the settings.
    let finalTrustRadius: Double
    /// Evaluations spent by the boundary check (``BoundaryCheck``), included in ``evaluations``.
    var boundaryEvaluations: Int = 0
}
