import Optimization

/// The record of an optimisation over θ: where it started and ended, how many objective
/// evaluations it took, and whether it converged (MixedModels.jl's `OptSummary`).
public struct OptimizationSummary: Sendable, Equatable, Codable {
    /// The optimiser's name.
    public let optimizer: String
    /// θ at the start.
    public let initialTheta: [Double]
    /// The objective at the start.
    public let initialObjective: Double
    /// θ at the optimum.
    public let finalTheta: [Double]
    /// The objective at the optimum.
    public let finalObjective: Double
    /// The number of objective evaluations.
    public let evaluations: Int
    /// Whether the optimiser reached its convergence criterion.
    public let converged: Bool
    /// The optimiser's return status.
    public let status: String
    /// The final trust-region radius (BOBYQA's ρ_end).
    public let finalTrustRadius: Double
    /// In-process seconds to build the model and fit it (not counting reading the data).
    public var seconds: Double
    /// Evaluations spent trying near-bound θ components at their bound after the optimiser
    /// stopped (included in ``evaluations``).
    public var boundaryEvaluations: Int = 0
    /// Where the optimisation started: `"moments"` (``StartMethod/moments``), `"identity"`
    /// (λ = I), `"given"` (a start θ from the caller) or `"saved"` (no optimisation).
    public var startMethod: String = StartMethod.identity.rawValue
}
