/// Everything built from a table and a formula before fitting: the rows used, the response,
/// the prior weights, the fixed-effects matrix X and the random-effects terms.
///
/// Random-effects terms are ordered as lme4 orders them: by decreasing number of levels
/// (stable), so that θ lists its entries in lme4's order.
public struct ModelDesign: Sendable {
    /// The formula.
    public let formula: Formula
    /// The options the design was built with.
    public let options: ModelOptions
    /// The indices (0-based) of the table rows the model uses.
    public let rowIndices: [Int]
    /// The number of table rows dropped because a variable the model uses was missing.
    public let droppedRowCount: Int
    /// The number of table rows excluded on request (``ModelOptions/excludedRows``).
    public let excludedRowCount: Int
    /// The number of complete table rows excluded because their prior weight is zero (they are
    /// outside n and the weights' log-determinant, as rows that carry no information).
    public let zeroWeightRowCount: Int
    /// Predictors that were coded as categorical although most of their values are numbers,
    /// with the first value that is not (see ``FittedModel/warnings``).
    public let predictorsReadAsText: [String: NonNumericText]
    /// The response y.
    public let response: [Double]
    /// Prior weights w (`nil`: all 1).
    public let weights: [Double]?
    /// The sum of the formula's `offset(...)` terms per observation (`nil`: no offset). The model
    /// is y = offset + Xβ + Zb + ε: the fit works with y − offset, and fitted values and
    /// predictions include the offset.
    public let offset: [Double]?
    /// The constants of data-dependent transforms (`scale`, `center`, `poly`) on the fitted
    /// rows, reused for new data.
    public let transformConstants: TransformConstants
    /// The fixed-effects matrix X.
    public let fixedEffects: FixedEffectsMatrix
    /// The random-effects terms.
    public internal(set) var randomEffectsTerms: [RandomEffectsTerm]
    /// Where the data came from (a file path or a built-in data set name), for messages.
    public let sourceDescription: String
    /// How each predictor of the fixed and random-effects model matrices was coded (numeric, or
    /// categorical with the levels present in the fitted rows), so that new data are coded the
    /// same way (``FittedModel/predict(on:conditional:interval:simultaneous:alpha:dfMethod:)``).
    public let variableCodings: [String: VariableCoding]
    /// The predictor variables on the model's rows as coded for the model matrices (used to build
    /// the cell design behind lmerTest's type III hypotheses).
    let predictors: [String: CodedVariable]

    /// n, the number of observations used.
    public var observationCount: Int { response.count }

    /// The response the fit works with: y, or y − offset.
    var responseLessOffset: [Double] {
        guard let offset else { return response }
        return zip(response, offset).map { $0 - $1 }
    }

    /// Builds the design.
    /// - Throws: ``DesignError`` for unknown columns, a categorical response, bad weights,
    ///   grouping factors with too many levels, and similar problems.
    public init(formula: Formula, data: DataTable, options: ModelOptions = ModelOptions()) throws(DesignError) {
        try self.init(formula: formula, data: data, options: options, checksGroupingFactors: true)
    }

    /// - Parameter checksGroupingFactors: apply lme4's checks on grouping factors (at least two
    ///   levels, fewer levels than observations); the matrix interface allows a single group.
    init(formula: Formula, data: DataTable, options: ModelOptions, checksGroupingFactors: Bool) throws(DesignError) {
        let frame = try ModelFrame(formula: formula, table: data, weightsColumn: options.weightsColumn,
                                   excludedRows: options.excludedRows)
        try Self.checkContrasts(options.contrasts, predictors: frame.predictors)
        let rowCount = frame.rows.count
        let choices = try CovarianceAssignment.choices(for: formula, options: options)
        var terms: [RandomEffectsTerm] = []
        for (specification, choice) in zip(formula.randomTerms, choices) {
            let term = RandomEffectsTerm(specification: specification, frame: frame, rowCount: rowCount,
                                         coding: options.categoricalCoding, pattern: choice.pattern)
            guard let freeEntries = choice.freeEntries else {
                try Self.check(term, observationCount: rowCount, checksGroupingFactors: checksGroupingFactors)
                terms.append(term)
                continue
            }
            // A custom pattern: one unstructured term per block of correlated random effects.
            guard freeEntries.size == term.columnCount else {
                throw .invalidCovariancePattern(group: specification.description,
                                                reason: "the matrix \(freeEntries) is \(freeEntries.size)×\(freeEntries.size), but the term has \(term.columnCount) random effects per level (\(term.columnNames.joined(separator: ", ")))")
            }
            let blocks = freeEntries.blocks
            for block in blocks {
                let part = blocks.count == 1 ? term
                    : RandomEffectsTerm(specification: specification.selecting(block), frame: frame, rowCount: rowCount,
                                        coding: options.categoricalCoding, pattern: .fullCholesky)
                try Self.check(part, observationCount: rowCount, checksGroupingFactors: checksGroupingFactors)
                terms.append(part)
            }
        }
        terms = terms.enumerated()
            .sorted { ($1.element.levelCount, $0.offset) < ($0.element.levelCount, $1.offset) }
            .map(\.element)

        let fixed = FixedEffectsMatrix(formula: formula, variables: frame.predictors, rowCount: rowCount,
                                       coding: options.categoricalCoding)
        if fixed.columnCount == 0 && terms.isEmpty { throw .emptyModel }

        self.formula = formula
        self.options = options
        self.rowIndices = frame.rows
        self.droppedRowCount = frame.droppedRowCount
        self.excludedRowCount = frame.excludedRowCount
        self.zeroWeightRowCount = frame.zeroWeightRowCount
        self.predictorsReadAsText = frame.predictorsReadAsText
        self.response = frame.response
        self.weights = frame.weights
        self.offset = frame.offset
        self.transformConstants = frame.transformConstants
        self.fixedEffects = fixed
        self.randomEffectsTerms = terms
        self.sourceDescription = data.source
        self.predictors = frame.predictors
        self.variableCodings = frame.predictors.mapValues { variable in
            switch variable {
            case .numeric, .numericColumns: return .numeric
            case .categorical(_, let levels): return .categorical(levels: levels)
            }
        }
    }

    /// Contrasts may be given only for categorical predictors (lme4 warns and ignores the others).
    private static func checkContrasts(_ contrasts: [String: ContrastCoding],
                                       predictors: [String: CodedVariable]) throws(DesignError) {
        for name in contrasts.keys.sorted() {
            switch predictors[name] {
            case .categorical?: continue
            case .numeric?, .numericColumns?, nil:
                let categorical = predictors.compactMap { key, value -> String? in
                    if case .categorical = value { return key } else { return nil }
                }.sorted()
                let isNumeric = predictors[name]?.isNumeric ?? false
                throw .contrastsForNonCategorical(variable: name, isNumeric: isNumeric, categorical: categorical)
            }
        }
    }

    /// lme4's identifiability checks (check.nlev.gtr.1, check.nobs.vs.nlev, check.nobs.vs.nRE).
    private static func check(_ term: RandomEffectsTerm, observationCount: Int,
                              checksGroupingFactors: Bool) throws(DesignError) {
        if checksGroupingFactors && term.levelCount < 2 {
            throw .constantGrouping(group: term.groupName)
        }
        if checksGroupingFactors && term.levelCount >= observationCount {
            throw .tooManyLevels(group: term.groupName, levels: term.levelCount, observations: observationCount)
        }
        if term.randomEffectCount >= observationCount {
            throw .tooManyRandomEffects(term: term.specification.description, randomEffects: term.randomEffectCount,
                                        observations: observationCount)
        }
        switch term.covariancePattern {
        case .compoundSymmetry where term.columnCount < 2:
            throw .invalidCovariancePattern(group: term.groupName, reason: "CompSymm needs a term with two or more columns")
        default:
            break
        }
    }
}
