import Distributions

/// The numbers the diagnostic plots draw, computed once from a fit: fitted values, observed
/// responses and residuals in the model's row order, and the conditional modes of the random
/// effects with their conditional standard deviations.
public struct DiagnosticData: Sendable {
    /// The fitted values (conditional Xβ̂ + Zb̂, or marginal Xβ̂).
    public let fitted: [Double]
    /// The observed responses y.
    public let observed: [Double]
    /// The residuals of ``residualType``.
    public let residuals: [Double]
    /// The 1-based data row of each observation (rows dropped for missing values are skipped),
    /// the x axis of the case-order plot.
    public let rows: [Int]
    /// Which residuals ``residuals`` holds.
    public let residualType: ResidualType
    /// Whether residuals and fitted values include the random effects.
    public let isConditional: Bool
    /// The conditional modes per random-effects term and column, for the caterpillar plots.
    public let randomEffects: [RandomEffectsSeries]

    /// Diagnostic data from arrays (e.g. computed elsewhere).
    public init(fitted: [Double], observed: [Double], residuals: [Double], rows: [Int],
                residualType: ResidualType = .raw, isConditional: Bool = true,
                randomEffects: [RandomEffectsSeries] = []) {
        self.fitted = fitted
        self.observed = observed
        self.residuals = residuals
        self.rows = rows
        self.residualType = residualType
        self.isConditional = isConditional
        self.randomEffects = randomEffects
    }

    /// The diagnostic data of a fit: the residuals of `residualType` (conditional unless
    /// `conditional` is false, as MATLAB's `plotResiduals` default of raw conditional residuals),
    /// and lme4's conditional modes with conditional SDs (`ranef(condVar = TRUE)`).
    /// - Complexity: the residuals' cost (see ``FittedModel/residuals(_:conditional:)``) plus
    ///   building ``MixedModelEquationsInverse`` once for the conditional SDs.
    public init(fit: FittedModel, residualType: ResidualType = .raw, conditional: Bool = true) {
        self.init(fitted: fit.fitted(conditional: conditional), observed: fit.response,
                  residuals: fit.residuals(residualType, conditional: conditional),
                  rows: fit.model.design.rowIndices.map { $0 + 1 }, residualType: residualType,
                  isConditional: conditional, randomEffects: RandomEffectsSeries.all(of: fit))
    }

    /// The axis title of the residuals, e.g. "Raw conditional residual".
    var residualTitle: String {
        let kind: String
        switch residualType {
        case .raw: kind = "Raw"
        case .pearson: kind = "Pearson"
        case .standardized: kind = "Standardized"
        }
        return "\(kind) \(isConditional ? "conditional" : "marginal") residual"
    }

    /// The axis title of the fitted values.
    var fittedTitle: String {
        isConditional ? "Fitted value (conditional: Xβ + Zb)" : "Fitted value (marginal: Xβ)"
    }

    /// The finite residuals and how many were not finite (a standardized residual at leverage 1).
    var finiteResiduals: (values: [Double], omitted: Int) {
        let values = residuals.filter(\.isFinite)
        return (values, residuals.count - values.count)
    }

    /// "n = 180", with the number of omitted non-finite values and how the points are drawn.
    func countNote(shown: Int, omitted: Int, scatter: Bool = true) -> String {
        var note = "n = \(ScatterLayer.formatCount(shown))"
        if omitted > 0 { note += "; \(ScatterLayer.formatCount(omitted)) non-finite values omitted" }
        if scatter, let density = ScatterLayer.densityNote(count: shown) { note += "; " + density }
        return note
    }
}

/// The conditional modes of one random-effects column of one term (e.g. the `Days` slopes of
/// `Subject`), with their conditional standard deviations.
public struct RandomEffectsSeries: Sendable, Equatable {
    /// The grouping factor, e.g. `Subject`.
    public let group: String
    /// The random-effects column, e.g. `(Intercept)` or `Days`.
    public let name: String
    /// The levels of the grouping factor.
    public let levels: [String]
    /// The conditional modes b̂, one per level.
    public let estimates: [Double]
    /// lme4's conditional standard deviations, one per level.
    public let conditionalSDs: [Double]

    /// A series from its values.
    public init(group: String, name: String, levels: [String], estimates: [Double], conditionalSDs: [Double]) {
        self.group = group
        self.name = name
        self.levels = levels
        self.estimates = estimates
        self.conditionalSDs = conditionalSDs
    }

    /// Every term's columns, in the fitted term order.
    /// - Complexity: builds ``MixedModelEquationsInverse`` once (O(q'³)).
    static func all(of fit: FittedModel) -> [RandomEffectsSeries] {
        let blocks = MixedModelEquationsInverse(factor: fit.factor).diagonalBlocks(full: false)
        let variance = fit.sigma * fit.sigma
        var series: [RandomEffectsSeries] = []
        for (k, term) in fit.model.design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            // In the units of the data (T · Tᵀ for a term the fit centres).
            let covariances = blocks[k].map {
                RandomEffectsCentring.userCovariance(FittedModel.sandwich(lambda: fit.workingLambdas[k], block: $0, size: s),
                                                     size: s, centres: term.columnCentres)
            }
            for column in 0..<s {
                let estimates = term.levels.indices.map { fit.randomEffectsModes[k][$0 * s + column] }
                let sds = covariances.map { (variance * $0[column * s + column]).squareRoot() }
                series.append(RandomEffectsSeries(group: term.groupName, name: term.columnNames[column],
                                                  levels: term.levels, estimates: estimates, conditionalSDs: sds))
            }
        }
        return series
    }
}
