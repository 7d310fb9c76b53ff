/// The diagnostic plots of a fitted model: the residual plots of MATLAB's
/// `LinearMixedModel.plotResiduals`, observed against fitted values, and the caterpillar plot
/// of the conditional modes (lme4's `dotplot(ranef(fit, condVar = TRUE))`).
public enum DiagnosticPlotKind: String, CaseIterable, Sendable, Codable {
    /// Residuals against fitted values (MATLAB `'fitted'`).
    case fitted
    /// Normal quantile–quantile plot of the residuals (MATLAB `'probability'`, R `qqnorm`).
    case qq
    /// Histogram of the residuals with the normal density of their mean and SD (MATLAB
    /// `'histogram'`).
    case histogram
    /// Observed responses against fitted values, with the line y = x (MATLAB `'observed'`).
    case observed
    /// Conditional modes with intervals ±z·condSD per level, sorted by estimate.
    case caterpillar
    /// Residuals against the data row (MATLAB `'caseorder'`).
    case caseorder
    /// Each residual against the previous one, r(t) against r(t − 1) (MATLAB `'lagged'`).
    case lagged
    /// Symmetry plot: upper-half distances from the median against lower-half ones (MATLAB
    /// `'symmetry'`).
    case symmetry

    /// A one-line description for help texts.
    public var summary: String {
        switch self {
        case .fitted: return "residuals against fitted values"
        case .qq: return "normal Q-Q plot of the residuals (alias: probability)"
        case .histogram: return "histogram of the residuals"
        case .observed: return "observed against fitted values"
        case .caterpillar: return "conditional modes with intervals (±1.96 conditional SD) per level, sorted"
        case .caseorder: return "residuals in data-row order"
        case .lagged: return "each residual against the previous one"
        case .symmetry: return "symmetry plot of the residuals about their median"
        }
    }
}
