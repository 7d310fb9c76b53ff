import Distributions

/// Likelihood-ratio tests of the random-effects terms, one reduced model at a time (lmerTest's
/// `ranova`): an "ANOVA-like table for random-effects: single term deletions".
public struct RandomEffectsTermTests: Sendable, Equatable, Codable {
    /// One model of the table: the full model, or the model with one term reduced.
    public struct Row: Sendable, Equatable, Codable {
        /// The term reduced, as lmerTest names it: `Days in (1 + Days | Subject)` when `Days` is
        /// dropped from the term, `(1 | Subject)` when the whole term is removed; `<none>` for
        /// the full model.
        public let term: String
        /// The term that replaces it (`(1 | Subject)`), or `nil` when the term was removed (and
        /// for the full model).
        public let replacement: String?
        /// The number of parameters: θ, the fixed effects and σ (lmerTest's `npar`).
        public let parameters: Int
        /// The maximised log-likelihood (restricted, for REML fits).
        public let logLikelihood: Double
        /// −2 log L + 2 · parameters.
        public let aic: Double
        /// 2 (log L_full − log L_reduced); NaN for the full model.
        public let lrStat: Double
        /// The difference in parameters; 0 for the full model.
        public let df: Int
        /// P(χ²(df) ≥ lrStat); NaN for the full model or when df ≤ 0.
        public let pValue: Double
    }

    /// The full model's row (`<none>`).
    public let full: Row
    /// One row per reduced term, in lmerTest's order: the formula's random-effects terms in the
    /// order written, and within a term its droppable columns in order.
    public let terms: [Row]
    /// ML or REML: the reduced models are fitted as the full model was (lmerTest does not refit by ML).
    public let method: EstimationMethod
}

extension FittedModel {
    /// lmerTest's `ranova`: for each random-effects term, the model with that term reduced,
    /// refitted with the same method (ML or REML), and its likelihood-ratio test against this fit.
    ///
    /// A term `(1 + x + z | g)` is reduced by dropping, in turn, each of its variables' terms that
    /// no other of its terms contains (R's `drop.scope`), giving `(1 + z | g)` and `(1 + x | g)`;
    /// a term with a single variable term becomes `(1 | g)`, even without an intercept (as lmerTest
    /// does: `(0 + x | g)` is reduced to `(1 | g)`). A term without variables, `(1 | g)`, is
    /// removed. A reduced term equal to another term of the model merges with it, as in R's
    /// formulas. A model left without random effects is the linear model (lmerTest fits `lm`).
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for a model without random effects, and
    ///   the errors of the refits.
    /// - Complexity: one fit per row.
    public func randomEffectsTermTests() throws(MixedModelError) -> RandomEffectsTermTests {
        let design = model.design
        guard !design.randomEffectsTerms.isEmpty else {
            throw .invalidArgument("ranova: the model has no random-effects terms to test")
        }
        let fullRow = RandomEffectsTermTests.Row(term: "<none>", replacement: nil, parameters: parameterCountForInformationCriteria,
                                                 logLikelihood: logLikelihood, aic: aic, lrStat: .nan, df: 0, pValue: .nan)
        var rows: [RandomEffectsTermTests.Row] = []
        for index in Self.formulaOrder(design) {
            for reduction in Self.reductions(of: design.randomEffectsTerms[index].specification) {
                var reduced = design
                var terms = design.randomEffectsTerms
                if let replacement = reduction.replacement {
                    let original = terms[index]
                    let columns = RandomEffectsTerm.modelMatrix(replacement, predictors: design.predictors,
                                                                rowCount: design.observationCount,
                                                                coding: design.options.categoricalCoding)
                    let pattern: CovariancePattern = original.covariancePattern == .compoundSymmetry && columns.columnCount < 2
                        ? .fullCholesky : original.covariancePattern
                    if terms.contains(where: { $0.specification == replacement }) {
                        terms.remove(at: index)
                    } else {
                        terms[index] = RandomEffectsTerm(reducing: original, to: replacement, columns: columns, pattern: pattern)
                    }
                } else {
                    terms.remove(at: index)
                }
                reduced.randomEffectsTerms = terms
                let refit = try LinearMixedModel(design: reduced).fit(method: method, optimizer: optimizerSettings)
                let statistic = 2 * (logLikelihood - refit.logLikelihood)
                let df = parameterCountForInformationCriteria - refit.parameterCountForInformationCriteria
                let pValue = df > 0 ? ChiSquaredDistribution(degreesOfFreedom: Double(df)).survival(max(statistic, 0)) : .nan
                rows.append(RandomEffectsTermTests.Row(term: reduction.name, replacement: reduction.replacement?.description,
                                                       parameters: refit.parameterCountForInformationCriteria,
                                                       logLikelihood: refit.logLikelihood, aic: refit.aic,
                                                       lrStat: statistic, df: df, pValue: pValue))
            }
        }
        return RandomEffectsTermTests(full: fullRow, terms: rows, method: method)
    }

    /// The design's random-effects terms in the formula's order (the design orders them by
    /// decreasing level count), as indices into ``ModelDesign/randomEffectsTerms``.
    static func formulaOrder(_ design: ModelDesign) -> [Int] {
        var used = Set<Int>()
        var order: [Int] = []
        for specification in design.formula.randomTerms {
            if let index = design.randomEffectsTerms.indices.first(where: {
                !used.contains($0) && design.randomEffectsTerms[$0].specification == specification
            }) {
                used.insert(index)
                order.append(index)
            }
        }
        return order + design.randomEffectsTerms.indices.filter { !used.contains($0) }
    }

    /// lmerTest's reductions of one term (`get_newforms`): its name in the table and the term
    /// replacing it (`nil`: removed).
    static func reductions(of specification: RandomEffectsSpecification)
        -> [(name: String, replacement: RandomEffectsSpecification?)] {
        let terms = specification.terms
        guard !terms.isEmpty else { return [(specification.description, nil)] }
        // R's drop.scope: the terms that no other term of the specification contains.
        let droppable = terms.filter { term in
            !terms.contains { other in other != term && Set(term.variables).isSubset(of: Set(other.variables)) }
        }
        return droppable.map { term in
            let remaining = terms.filter { $0 != term }
            let replacement = remaining.isEmpty
                ? RandomEffectsSpecification(hasIntercept: true, terms: [], grouping: specification.grouping)
                : RandomEffectsSpecification(hasIntercept: specification.hasIntercept, terms: remaining,
                                             grouping: specification.grouping)
            return ("\(term.description) in \(specification.description)", replacement)
        }
    }
}

extension RandomEffectsTerm {
    /// `term` with its model matrix replaced by `columns` of the reduced `specification` (same
    /// grouping factor and levels).
    init(reducing term: RandomEffectsTerm, to specification: RandomEffectsSpecification, columns: TermColumns,
         pattern: CovariancePattern) {
        self.specification = specification
        self.groupName = term.groupName
        self.levels = term.levels
        self.levelIndices = term.levelIndices
        self.columnNames = columns.names
        self.z = columns.values
        self.covariancePattern = pattern
        (self.columnCentres, self.workingZ) = RandomEffectsCentring.working(z: columns.values, columnNames: columns.names,
                                                                           pattern: pattern)
    }
}
