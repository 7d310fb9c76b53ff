/// The estimation criterion (MATLAB's `'FitMethod'`, lme4's `REML =`).
public enum EstimationMethod: String, Sendable, CaseIterable, Codable {
    /// Maximum likelihood (MATLAB's default).
    case ml = "ML"
    /// Restricted (residual) maximum likelihood (lme4's default).
    case reml = "REML"
}

extension EstimationMethod {
    /// The divisor of the penalised residual sum of squares in σ̂² = r²/m and the multiplier of
    /// log(2πσ²) in the deviance: m = n for ML, n − p for REML (Bates et al. 2015, eqs. 32 and 41).
    /// The one place the ML/REML denominator is derived.
    func residualDegrees(observations n: Int, fixedEffects p: Int) -> Double {
        switch self {
        case .ml: return Double(n)
        case .reml: return Double(n - p)
        }
    }
}
