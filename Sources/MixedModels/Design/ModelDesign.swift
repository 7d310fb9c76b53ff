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
    /// The fixed-effects matrix X.
    public let fixedEffects: FixedEffectsMatrix
    /// The random-effects terms.
    public let randomEffectsTerms: [RandomEffectsTerm]
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

    /// Builds the design.
    /// - Throws: ``DesignError`` for unknown columns, a categorical response, bad weights,
    ///   grouping factors with too many levels, and similar problems.
    public init(formula: Formula, data: DataTable, options: ModelOptions = ModelOptions()) throws(DesignError) {
        try self.init(formula: formula, data: data, options: options, checksGroupingFactors: true)
    }

    /// - Parameter checksGroupingFactors: apply lme4's checks on grouping factors (at least two
    ///   levels, fewer levels than observations); the matrix interface allows a single group.
    init(formula: Formula, data: DataTable, options: ModelOptions, checksGroupingFactors: Bool) throws(DesignError) {
        let frame = try ModelFrame(formula: formula, table: data, weightsColumn: options.weightsColumn)
        let rowCount = frame.rows.count
        let groups = Set(formula.randomTerms.map(\.groupName))
        for name in options.covariancePatterns.keys where !groups.contains(name) {
            throw .unknownGroup(name, available: formula.randomTerms.map(\.groupName))
        }
        var terms: [RandomEffectsTerm] = []
        for specification in formula.randomTerms {
            let pattern = options.covariancePatterns[specification.groupName] ?? .fullCholesky
            let term = RandomEffectsTerm(specification: specification, frame: frame, rowCount: rowCount,
                                         coding: options.dummyCoding, pattern: pattern)
            try Self.check(term, observationCount: rowCount, checksGroupingFactors: checksGroupingFactors)
            terms.append(term)
        }
        terms = terms.enumerated()
            .sorted { ($1.element.levelCount, $0.offset) < ($0.element.levelCount, $1.offset) }
            .map(\.element)

        let fixed = FixedEffectsMatrix(formula: formula, variables: frame.predictors, rowCount: rowCount,
                                       coding: options.dummyCoding)
        if fixed.columnCount == 0 && terms.isEmpty { throw .emptyModel }

        self.formula = formula
        self.options = options
        self.rowIndices = frame.rows
        self.droppedRowCount = frame.droppedRowCount
        self.zeroWeightRowCount = frame.zeroWeightRowCount
        self.predictorsReadAsText = frame.predictorsReadAsText
        self.response = frame.response
        self.weights = frame.weights
        self.fixedEffects = fixed
        self.randomEffectsTerms = terms
        self.sourceDescription = data.source
        self.predictors = frame.predictors
        self.variableCodings = frame.predictors.mapValues { variable in
            switch variable {
            case .numeric: return .numeric
            case .categorical(_, let levels): return .categorical(levels: levels)
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
