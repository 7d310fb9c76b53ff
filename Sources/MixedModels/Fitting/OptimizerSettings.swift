/// The derivative-free optimiser that minimises the profiled deviance over θ.
public enum OptimizerAlgorithm: String, Sendable, Equatable, Codable, CaseIterable {
    /// Powell's BOBYQA (the default, as lme4 and MixedModels.jl).
    case bobyqa
    /// A bound-constrained Nelder–Mead simplex (as lme4's `Nelder_Mead`).
    case nelderMead = "neldermead"
}

/// Where the optimiser over θ starts when no start is given.
public enum StartMethod: String, Sendable, Equatable, Codable, CaseIterable {
    /// θ from moment estimates of the covariance parameters (MIVQUE(0), as SAS PROC MIXED starts),
    /// with the smaller first trust radius ``OptimizerSettings/momentStartTrustRadius``; λ = I
    /// when the estimates do not exist (see ``LinearMixedModel/momentStartTheta``) or the
    /// objective is lower at λ = I (one evaluation more).
    case moments
    /// λ = I for every term, lme4's start, with ``OptimizerSettings/initialTrustRadius``.
    case identity
}

/// Settings of the optimiser over θ (lme4's `lmerControl(optimizer = …, optCtrl = …)`).
public struct OptimizerSettings: Sendable, Equatable, Codable {
    /// The initial trust-region radius ρ_beg (BOBYQA), or the initial simplex step (Nelder–Mead),
    /// from λ = I or a given start (from the moment start: ``momentStartTrustRadius``).
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
    /// Where to start when the fit is given no start θ.
    public var startMethod: StartMethod = .moments
    /// ρ_beg (BOBYQA) or the simplex step (Nelder–Mead, at most 0.1 in any case) when starting
    /// from the moment estimates, which are near the optimum; also the least distance of the
    /// start's λ diagonal from its bound. Measured on the 30 reference fits
    /// (`Benchmarks/results/moment_start.md`, evaluations in all): 1,559 from λ = I with
    /// ρ_beg = 0.75; from the moment start, its comparison with λ = I included, 914 with 0.1 and
    /// 862 with 0.03, the only value tried at which no reference fit needs more evaluations than
    /// lme4 (before the comparison was added: 1,234 with 0.75, 1,152 with 0.3, 882 with 0.1).
    public var momentStartTrustRadius: Double = 0.03
    /// BOBYQA's number of interpolation points m (Powell's NPT), or `nil` for the rule of
    /// ``interpolationPoints(variables:)``.
    public var interpolationPointCount: Int? = nil

    /// The largest number of parameters for which BOBYQA's model is a full quadratic from the
    /// start ((n + 1)(n + 2)/2 points instead of 2n + 1).
    static let fullQuadraticLimit = 10

    /// BOBYQA's m for n parameters: ``interpolationPointCount`` if set; else a full quadratic,
    /// (n + 1)(n + 2)/2 points, for 2 ≤ n ≤ 10, and Powell's 2n + 1 otherwise. Measured on the
    /// reference models (`lmm-bench`, evaluations 2n + 1 → full): sleepstudy (1 + Days | Subject)
    /// ML 54 → 50, REML 69 → 63; the weighted fit 78 → 59 and 78 → 55; Orthodont 147 → 105 and
    /// 130 → 88; Machines (Machine | Worker), n = 6, 324 → 155 and 325 → 176; InstEval 115 → 93;
    /// the 1M-row crossed design (n = 4) 137 → 118; a 4 × 4 term (n = 10) 2117 → 986; every
    /// optimum the same or lower. For n = 2 (6 points against 5) the ten reference fits took 399
    /// against 407 evaluations (some more, some fewer), the 1M-row students × teachers design 45
    /// against 50 and the 1.5M-row workers × firms design 42 against 49. Beyond n = 10 it was not measured, and the
    /// (n + 1)(n + 2)/2 start evaluations grow with n², so those keep 2n + 1
    /// (`Benchmarks/results/optimizer_points.md`).
    public func interpolationPoints(variables n: Int) -> Int? {
        if let interpolationPointCount { return interpolationPointCount }
        guard n >= 2, n <= Self.fullQuadraticLimit else { return nil }
        return (n + 1) * (n + 2) / 2
    }

    public init(initialTrustRadius: Double = 0.75, finalTrustRadius: Double = 1e-7, maxEvaluations: Int = 100_000,
                functionTolerance: Double = 1e-10, algorithm: OptimizerAlgorithm = .bobyqa) {
        self.initialTrustRadius = initialTrustRadius
        self.finalTrustRadius = finalTrustRadius
        self.maxEvaluations = maxEvaluations
        self.functionTolerance = functionTolerance
        self.algorithm = algorithm
    }

    private enum CodingKeys: String, CodingKey {
        case initialTrustRadius, finalTrustRadius, maxEvaluations, functionTolerance, algorithm, checksBoundary
        case interpolationPointCount, startMethod, momentStartTrustRadius
    }

    /// Decodes the settings; keys added after the first saved fits (the algorithm, the boundary
    /// check, the start method and its radius) take their defaults when absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        initialTrustRadius = try container.decode(Double.self, forKey: .initialTrustRadius)
        finalTrustRadius = try container.decode(Double.self, forKey: .finalTrustRadius)
        maxEvaluations = try container.decode(Int.self, forKey: .maxEvaluations)
        functionTolerance = try container.decode(Double.self, forKey: .functionTolerance)
        algorithm = try container.decodeIfPresent(OptimizerAlgorithm.self, forKey: .algorithm) ?? .bobyqa
        checksBoundary = try container.decodeIfPresent(Bool.self, forKey: .checksBoundary) ?? true
        interpolationPointCount = try container.decodeIfPresent(Int.self, forKey: .interpolationPointCount)
        startMethod = try container.decodeIfPresent(StartMethod.self, forKey: .startMethod) ?? .moments
        momentStartTrustRadius = try container.decodeIfPresent(Double.self, forKey: .momentStartTrustRadius) ?? 0.03
    }

    /// The defaults: the moment start with ρ_beg = 0.03 (0.75 from λ = I or a given start),
    /// ρ_end = 1e-7, absolute function tolerance 1e-10. (lme4's
    /// `ftol_abs` = 1e-8 saves about 15% of the evaluations but misses σ and the standard errors
    /// of Machines and Orthodont by more than 1e-5 and 1e-4 relative.)
    public static let `default` = OptimizerSettings()
}
