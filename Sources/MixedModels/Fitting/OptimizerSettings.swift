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
                functionTolerance: Double = 1e-10) {
        self.initialTrustRadius = initialTrustRadius
        self.finalTrustRadius = finalTrustRadius
        self.maxEvaluations = maxEvaluations
        self.functionTolerance = functionTolerance
    }

    /// The defaults: ρ_beg = 0.75, ρ_end = 1e-7, absolute function tolerance 1e-10. (lme4's
    /// `ftol_abs` = 1e-8 saves about 15% of the evaluations but misses σ and the standard errors
    /// of Machines and Orthodont by more than 1e-5 and 1e-4 relative.)
    public static let `default` = OptimizerSettings()
}
