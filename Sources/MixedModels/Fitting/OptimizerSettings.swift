/// The derivative-free optimiser that minimises the profiled deviance over θ.
public enum OptimizerAlgorithm: String, Sendable, Equatable, Codable, CaseIterable {
    /// Powell's BOBYQA (the default, as lme4 and MixedModels.jl).
    case bobyqa
    /// A bound-constrained Nelder–Mead simplex (as lme4's `Nelder_Mead`).
    case nelderMead = "neldermead"
}

/// Settings of the optimiser over θ (lme4's `lmerControl(optimizer = …, optCtrl = …)`).
public struct OptimizerSettings: Sendable, Equatable, Codable {
    /// The initial trust-region radius ρ_beg (BOBYQA), or the initial simplex step (Nelder–Mead).
    public var initialTrustRadius: Double
    /// The final trust-region radius ρ_end: the precision of θ at convergence (for Nelder–Mead,
    /// the largest distance of a simplex vertex from the best one at convergence).
    public var finalTrustRadius: Double
    /// The most objective evaluations allowed, the start's included (the boundary check stays
    /// within them; snapping to bounds may add one per θ component near its bound).
    public var maxEvaluations: Int
    /// Stop when an evaluation comes within this absolute distance of the best objective so far
    /// (NLopt's `ftol_abs`, which lme4 sets to 1e-8); 0 turns it off. For Nelder–Mead: stop when
    /// the simplex's values span less than this (and its vertices are within ρ_end).
    public var functionTolerance: Double
    /// The optimiser.
    public var algorithm: OptimizerAlgorithm = .bobyqa
    /// Whether a fit whose bounded θ components end near their bound tries them at the bound
    /// (reoptimising the others) and keeps the bound when the objective is not worse
    /// (see ``LinearMixedModel/fit(method:optimizer:start:progress:)``).
    public var checksBoundary: Bool = true

    public init(initialTrustRadius: Double = 0.75, finalTrustRadius: Double = 1e-7, maxEvaluations: Int = 100_000,
                functionTolerance: Double = 1e-10, algorithm: OptimizerAlgorithm = .bobyqa) {
        self.initialTrustRadius = initialTrustRadius
        self.finalTrustRadius = finalTrustRadius
        self.maxEvaluations = maxEvaluations
        self.functionTolerance = functionTolerance
        self.algorithm = algorithm
    }

    /// The defaults: ρ_beg = 0.75, ρ_end = 1e-7, absolute function tolerance 1e-10. (lme4's
    /// `ftol_abs` = 1e-8 saves about 15% of the evaluations but misses σ and the standard errors
    /// of Machines and Orthodont by more than 1e-5 and 1e-4 relative.)
    public static let `default` = OptimizerSettings()
}
