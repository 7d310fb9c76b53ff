import Distributions
import Foundation

/// Which criterion a likelihood-ratio comparison of REML fits uses.
public enum ComparisonCriterion: String, Sendable, CaseIterable, Codable {
    /// Compare REML criteria when both fits are REML with the same fixed effects (MATLAB's
    /// `compare` allows this); otherwise refit REML fits by ML.
    case automatic
    /// Always refit REML fits by ML first (lme4's `anova` default, `refit = TRUE`).
    case maximumLikelihood
}

/// A likelihood-ratio comparison of two nested fits (MATLAB's `compare`, lme4's
/// `anova(m_small, m_big)`), with a χ² reference distribution.
public struct LikelihoodRatioTest: Sendable, Equatable, Codable {
    /// One row of the comparison table.
    public struct ModelRow: Sendable, Equatable, Codable {
        /// The model's formula.
        public let formula: String
        /// The criterion compared (ML unless both fits are REML with the same fixed effects).
        public let method: EstimationMethod
        /// The number of parameters: covariance parameters + fixed effects + σ (MATLAB's `DF`,
        /// lme4's `npar`).
        public let df: Int
        /// Akaike's information criterion.
        public let aic: Double
        /// Bayes' information criterion (MATLAB's: log(n − p) for REML, log(n) for ML).
        public let bic: Double
        /// The maximised (restricted) log-likelihood.
        public let logLikelihood: Double
        /// −2 log L.
        public let deviance: Double
    }

    /// The smaller model, then the bigger one.
    public let models: [ModelRow]
    /// 2 (log L_big − log L_small).
    public let lrStat: Double
    /// The difference in the number of parameters.
    public let deltaDF: Int
    /// P(χ²(deltaDF) ≥ lrStat); NaN when deltaDF ≤ 0.
    public let pValue: Double
    /// Whether the first model is nested in the second (fixed-effects columns and random-effects
    /// grouping factors and columns are subsets).
    public let nested: Bool
    /// What was done and what to be careful about (ML refits, REML comparisons, nesting).
    public let note: String

    /// Compares two fits by a likelihood-ratio test; give the smaller model first.
    ///
    /// Rules (lme4's `anova` and MATLAB's `compare`):
    /// - both fits must use the same observations and response;
    /// - with `criterion` `.automatic`, REML criteria are compared only when both fits are REML
    ///   with the same fixed effects (MATLAB allows this); otherwise, and always with
    ///   `.maximumLikelihood` (lme4's `anova`), every REML fit is refitted by ML first (lme4's
    ///   "refitting model(s) with ML"), and ``note`` says so;
    /// - nesting is checked and explained in ``note`` (the χ² p-value assumes it);
    /// - with deltaDF ≤ 0 the p-value is NaN (MATLAB).
    ///
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` when the fits use different data, and the
    ///   errors of an ML refit.
    public static func compare(_ small: FittedModel, _ big: FittedModel,
                               criterion: ComparisonCriterion = .automatic) throws(MixedModelError) -> LikelihoodRatioTest {
        try prepare(small, big, criterion: criterion).test
    }

    /// The fits actually compared (after ML refits) and the theoretical test.
    static func prepare(_ small: FittedModel, _ big: FittedModel, criterion: ComparisonCriterion) throws(MixedModelError)
        -> (small: FittedModel, big: FittedModel, test: LikelihoodRatioTest) {
        let first = small.model.design
        let second = big.model.design
        try checkSameObservations(first, second)
        var notes: [String] = []
        var compared = (small, big)
        let sameFixed = first.fixedEffects.columnNames == second.fixedEffects.columnNames
            && first.fixedEffects.values == second.fixedEffects.values
        if small.method == .reml && big.method == .reml && sameFixed && criterion == .automatic {
            notes.append("REML criteria compared: both models are REML fits with the same fixed effects (lme4's anova would refit them by ML)")
        } else if small.method == .reml || big.method == .reml {
            if small.method == .reml { compared.0 = try small.model.fit(method: .ml) }
            if big.method == .reml { compared.1 = try big.model.fit(method: .ml) }
            notes.append("refitting model(s) with ML (instead of REML)")
        }
        let nesting = nestingProblems(first, second)
        if !nesting.isEmpty {
            notes.append("the first model is not nested in the second (\(nesting.joined(separator: "; "))): the χ² reference distribution does not apply")
        }
        let rows = [compared.0, compared.1].map { fit in
            ModelRow(formula: fit.model.design.formula.text, method: fit.method,
                     df: fit.parameterCountForInformationCriteria, aic: fit.aic, bic: fit.bic,
                     logLikelihood: fit.logLikelihood, deviance: fit.deviance)
        }
        let statistic = compared.0.deviance - compared.1.deviance
        let deltaDF = rows[1].df - rows[0].df
        let pValue: Double
        if deltaDF > 0 {
            pValue = ChiSquaredDistribution(degreesOfFreedom: Double(deltaDF)).survival(max(statistic, 0))
        } else {
            pValue = .nan
            notes.append("the second model has no more parameters than the first (deltaDF = \(deltaDF)): give the smaller model first")
        }
        if deltaDF > 0 && statistic < 0 {
            notes.append("the bigger model has the lower likelihood; check that both fits converged")
        }
        let test = LikelihoodRatioTest(models: rows, lrStat: statistic, deltaDF: deltaDF, pValue: pValue,
                                       nested: nesting.isEmpty, note: notes.joined(separator: ". "))
        return (compared.0, compared.1, test)
    }

    /// Throws unless both designs use the same observations (rows), response and weights.
    static func checkSameObservations(_ first: ModelDesign, _ second: ModelDesign) throws(MixedModelError) {
        guard first.observationCount == second.observationCount, first.response == second.response else {
            throw .invalidArgument("the models must be fitted to the same observations of the same response (\(first.observationCount) and \(second.observationCount) observations used)")
        }
        // Equal responses can still come from different rows (rows dropped for different missing values).
        if let index = first.rowIndices.indices.first(where: { first.rowIndices[$0] != second.rowIndices[$0] }) {
            throw .invalidArgument("the models must be fitted to the same observations: observation \(index + 1) is data row \(first.rowIndices[index] + 1) in the first model and data row \(second.rowIndices[index] + 1) in the second (rows with missing values in a model's variables are dropped)")
        }
        guard first.weights == second.weights else {
            throw .invalidArgument("the models must be fitted with the same observation weights")
        }
    }

    /// Why `small` is not nested in `big` (empty when it is): fixed-effects columns of the small
    /// model missing from the big one, or random-effects grouping factors / columns missing.
    static func nestingProblems(_ small: ModelDesign, _ big: ModelDesign) -> [String] {
        var problems: [String] = []
        let n = small.observationCount
        let bigColumns = Dictionary(big.fixedEffects.columnNames.enumerated().map { ($1, $0) },
                                    uniquingKeysWith: { first, _ in first })
        var missing: [String] = []
        for (index, name) in small.fixedEffects.columnNames.enumerated() {
            guard let other = bigColumns[name],
                  small.fixedEffects.values[(index * n)..<((index + 1) * n)]
                    == big.fixedEffects.values[(other * n)..<((other + 1) * n)] else {
                missing.append(name)
                continue
            }
        }
        if !missing.isEmpty {
            problems.append("fixed effects \(missing.joined(separator: ", ")) are not in the second model")
        }
        var bigGroups: [String: Set<String>] = [:]
        for term in big.randomEffectsTerms { bigGroups[term.groupName, default: []].formUnion(term.columnNames) }
        for term in small.randomEffectsTerms {
            guard let columns = bigGroups[term.groupName] else {
                problems.append("grouping factor \(term.groupName) has no random effects in the second model")
                continue
            }
            let absent = term.columnNames.filter { !columns.contains($0) }
            if !absent.isEmpty {
                problems.append("random effects \(absent.joined(separator: ", ")) | \(term.groupName) are not in the second model")
            }
        }
        return problems
    }
}
