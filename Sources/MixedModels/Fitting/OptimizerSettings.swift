/// Settings of the BOBYQA optimiser over θ (lme4's `lmerControl(optCtrl = …)`).
public struct OptimizerSettings: Sendable, Equatable, Codable {
    /// The initial trust-region radius ρ_beg.
    public var initialTrustRadius: Double
    /// The final trust-region radius ρ_end: the precision of θ at convergence.
    public var finalTrustRadius: Double
    /// The most objective evaluations allowed.
    public var maxEvaluations: Int
    /// Stop when an evaluation comes within this absolute distance of the best objective so far
    /// (NLopt's `ftol_abs`, which lme4 sets to 1e-8); 0 turns it off.
    public var functionTolerance: Double

    public init(initialTrustRadius: Double = 0.75, finalTrustRadius: Double = 1e-7, maxEvaluations: Int = 100_000,
                functionTolerance: Double = 1e-8) {
        self.initialTrustRadius = initialTrustRadius
        self.finalTrustRadius = finalTrustRadius
        self.maxEvaluations = maxEvaluations
        self.functionTolerance = functionTolerance
    }

    /// The defaults: ρ_beg = 0.75, ρ_end = 1e-7, absolute function tolerance 1e-8 (lme4's
    /// `ftol_abs`; our rule also stops on a non-improving value that close to the best, and
    /// keeps the tighter ρ_end, so the optimum stays more precise than lme4's default fit).
    public static let `default` = OptimizerSettings()
}
