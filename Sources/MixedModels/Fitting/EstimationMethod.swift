/// The estimation criterion (MATLAB's `'FitMethod'`, lme4's `REML =`).
public enum EstimationMethod: String, Sendable, CaseIterable, Codable {
    /// Maximum likelihood (MATLAB's default).
    case ml = "ML"
    /// Restricted (residual) maximum likelihood (lme4's default).
    case reml = "REML"
}
