/// How the confidence intervals of the fixed effects and the covariance parameters are found
/// (lme4's `confint(method = …)`).
public enum ConfidenceIntervalMethod: String, Sendable, CaseIterable, Codable {
    /// Wald intervals: t (or z) intervals on the fixed effects with the chosen degrees of freedom,
    /// and intervals on the log-SD / Fisher-z scale for the covariance parameters (MATLAB's).
    case wald
    /// Likelihood-profile intervals, as lme4's `confint(method = "profile")` (of the ML fit, also
    /// for a REML fit, as lme4).
    case profile
    /// Parametric-bootstrap percentile intervals, as lme4's `confint(method = "boot")`
    /// (`boot.type = "perc"`): the model is refitted, by its own method, to responses simulated
    /// from the fit.
    case bootstrap
}

/// The fixed-effects and covariance-parameter tables with the limits of one interval method.
public struct IntervalTables: Sendable, Equatable {
    /// The fixed-effects rows; only ``FixedEffectRow/lower`` and ``FixedEffectRow/upper``
    /// depend on the method (the t statistics and p-values stay Wald's).
    public let fixedEffects: [FixedEffectRow]
    /// The covariance-parameter rows in ``FittedModel/covarianceParameters(alpha:)``'s order.
    public let covarianceParameters: [CovarianceParameterRow]
    /// The number of bootstrap refits (``ConfidenceIntervalMethod/bootstrap`` only; 0 otherwise).
    public let replicates: Int
    /// The bootstrap refits that gave a finite objective, from which the percentiles are taken.
    public let usableReplicates: Int
}

extension FittedModel {
    /// The rows `fixedEffects` (from ``fixedEffects(dfMethod:alpha:)``) and `covariance` (from
    /// ``covarianceParameters(alpha:)``) with their limits replaced by likelihood-profile limits
    /// at confidence 1 − α (``profileConfidenceIntervals(level:)``; for a REML fit those of the ML
    /// refit, as lme4, while the estimates stay the REML ones).
    /// - Throws: the errors of ``profileConfidenceIntervals(level:)``, and
    ///   ``MixedModelError/invalidArgument(_:)`` when the rows are not this fit's.
    public func profileIntervalTables(fixedEffects: [FixedEffectRow], covariance: [CovarianceParameterRow],
                                      alpha: Double) throws(MixedModelError) -> IntervalTables {
        let map = NaturalParameterMap(parametrizations: model.parametrizations)
        try checkRows(fixedEffects: fixedEffects, covariance: covariance, map: map)
        let intervals = try profileConfidenceIntervals(level: 1 - alpha)
        let natural = intervals.prefix(map.count).map { ($0.lower, $0.upper) }
        let fixed = intervals.dropFirst(map.count).map { ($0.lower, $0.upper) }
        return tables(fixedEffects: fixedEffects, fixedLimits: Array(fixed), covariance: covariance, map: map,
                      naturalLimits: Array(natural), replicates: 0, usable: 0)
    }

    /// The rows with their limits replaced by parametric-bootstrap percentile limits at
    /// confidence 1 − α (``parametricBootstrap(replicates:seed:threads:)``, type-7 quantiles as
    /// R's `quantile`, the default of lme4's `confint(method = "boot")`): of β̂ for the fixed
    /// effects, and of the SDs, correlations and σ̂ of each refit for the covariance parameters.
    /// Replicates whose refit failed, and a correlation's undefined values (a zero SD), are left out.
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for fewer than 1 replicate or rows that
    ///   are not this fit's.
    public func bootstrapIntervalTables(fixedEffects: [FixedEffectRow], covariance: [CovarianceParameterRow],
                                        alpha: Double, replicates: Int, seed: UInt64,
                                        threads: Int = 2) throws(MixedModelError) -> IntervalTables {
        guard replicates >= 1 else { throw .invalidArgument("the bootstrap needs at least 1 replicate (got \(replicates))") }
        guard alpha > 0, alpha < 1 else { throw .invalidArgument("alpha must be in (0, 1), got \(alpha)") }
        let map = NaturalParameterMap(parametrizations: model.parametrizations)
        try checkRows(fixedEffects: fixedEffects, covariance: covariance, map: map)
        let bootstrap = try parametricBootstrap(replicates: replicates, seed: seed, threads: threads)
        let usable = bootstrap.replicates.filter { $0.objective.isFinite }
        let parametrizations = model.parametrizations
        let naturalValues: [[Double]] = usable.map { refit in
            var offset = 0
            let lambdas = parametrizations.map { parametrization -> [Double] in
                var lambda = [Double](repeating: 0, count: parametrization.size * parametrization.size)
                parametrization.fillLambda(refit.theta[offset..<(offset + parametrization.parameterCount)], into: &lambda)
                offset += parametrization.parameterCount
                return lambda
            }
            return map.natural(lambdas: lambdas, sigma: refit.sigma)
        }
        let tail = alpha / 2
        let percentile = { (values: [Double]) -> (Double, Double) in
            let sorted = values.filter(\.isFinite).sorted()
            return (ParametricBootstrap.quantile(sorted, tail), ParametricBootstrap.quantile(sorted, 1 - tail))
        }
        let natural = (0..<map.count).map { index in percentile(naturalValues.map { $0[index] }) }
        let fixed = (0..<fixedEffectCount).map { index in percentile(usable.map { $0.beta[index] }) }
        return tables(fixedEffects: fixedEffects, fixedLimits: fixed, covariance: covariance, map: map,
                      naturalLimits: natural, replicates: replicates, usable: usable.count)
    }

    private func checkRows(fixedEffects: [FixedEffectRow], covariance: [CovarianceParameterRow],
                           map: NaturalParameterMap) throws(MixedModelError) {
        guard fixedEffects.count == fixedEffectCount,
              covariance.count == covarianceRows(map: map, interval: { _ in (.nan, .nan) }).count else {
            throw .invalidArgument("the fixed-effects and covariance rows are not those of this fit")
        }
    }

    private func tables(fixedEffects: [FixedEffectRow], fixedLimits: [(Double, Double)],
                        covariance: [CovarianceParameterRow], map: NaturalParameterMap,
                        naturalLimits: [(Double, Double)], replicates: Int, usable: Int) -> IntervalTables {
        let fixed = zip(fixedEffects, fixedLimits).map { row, limits in
            FixedEffectRow(name: row.name, estimate: row.estimate, standardError: row.standardError, tStat: row.tStat,
                           df: row.df, pValue: row.pValue, lower: limits.0, upper: limits.1)
        }
        let limitsRows = covarianceRows(map: map) { index in
            (lower: naturalLimits[index].0, upper: naturalLimits[index].1)
        }
        let covarianceRows = zip(covariance, limitsRows).map { estimate, limits in
            CovarianceParameterRow(group: estimate.group, name1: estimate.name1, name2: estimate.name2, type: estimate.type,
                                   estimate: estimate.estimate, lower: limits.lower, upper: limits.upper)
        }
        return IntervalTables(fixedEffects: fixed, covarianceParameters: covarianceRows, replicates: replicates,
                              usableReplicates: usable)
    }
}
