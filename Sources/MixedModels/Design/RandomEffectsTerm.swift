/// One random-effects term of a model: its grouping factor with levels, and its model matrix z.
///
/// The term contributes the block Z_k (n × ℓ s) of Z, whose row i is zero except in the s
/// columns of level `levelIndices[i]`, which hold row i of z. Its random effects are
/// b_k ~ N(0, σ² (I_ℓ ⊗ λ λ')).
public struct RandomEffectsTerm: Sendable, Equatable {
    /// The formula term this was built from.
    public let specification: RandomEffectsSpecification
    /// The grouping factor's name, e.g. `Subject` or `cask:batch`.
    public let groupName: String
    /// The grouping factor's levels present in the data, in coding order.
    public let levels: [String]
    /// The names of z's columns, e.g. `(Intercept)`, `Days`, `Machine_B`.
    public let columnNames: [String]
    /// Per observation, the index of its level in ``levels``.
    public let levelIndices: [Int32]
    /// z, row-major: one row of ``columnCount`` values per observation.
    public let z: [Double]
    /// The covariance pattern of λ.
    public let covariancePattern: CovariancePattern

    /// ℓ, the number of levels.
    public var levelCount: Int { levels.count }
    /// s, the number of columns of z (random effects per level).
    public var columnCount: Int { columnNames.count }
    /// ℓ s, the number of random effects of the term.
    public var randomEffectCount: Int { levelCount * columnCount }

    init(specification: RandomEffectsSpecification, frame: ModelFrame, rowCount: Int,
         coding: DummyCoding, pattern: CovariancePattern) {
        self.specification = specification
        self.groupName = specification.groupName
        let grouping = Self.groupingFactor(specification.grouping, frame: frame, rowCount: rowCount)
        self.levels = grouping.levels
        self.levelIndices = grouping.codes

        var columns = TermColumns(names: [], values: [])
        var blocks: [TermColumns] = []
        if specification.hasIntercept { blocks.append(.intercept(rowCount: rowCount)) }
        for term in specification.terms {
            let full = TermColumns.fullIndicatorVariables(of: term, modelTerms: specification.terms,
                                                          hasIntercept: specification.hasIntercept,
                                                          variables: frame.predictors)
            blocks.append(TermColumns.build(term: term, variables: frame.predictors, rowCount: rowCount,
                                            coding: coding, fullIndicators: full))
        }
        let width = blocks.reduce(0) { $0 + $1.columnCount }
        columns.names = blocks.flatMap(\.names)
        columns.values = [Double](repeating: 0, count: rowCount * width)
        var offset = 0
        for block in blocks {
            for row in 0..<rowCount {
                for column in 0..<block.columnCount {
                    columns.values[row * width + offset + column] = block.values[row * block.columnCount + column]
                }
            }
            offset += block.columnCount
        }
        self.columnNames = columns.names
        self.z = columns.values
        self.covariancePattern = pattern
    }

    /// The interaction of the grouping variables as one factor; its levels are ordered with the
    /// first variable varying slowest (as R's `a:b`), and only combinations present are kept.
    private static func groupingFactor(_ names: [String], frame: ModelFrame, rowCount: Int) -> (codes: [Int32], levels: [String]) {
        var combined = [[Int32]](repeating: [], count: rowCount)
        var factorLevels: [[String]] = []
        for name in names {
            guard case .categorical(let codes, let levels)? = frame.groupings[name] else { continue }
            factorLevels.append(levels)
            for row in 0..<rowCount { combined[row].append(codes[row]) }
        }
        let distinct = Set(combined).sorted { $0.lexicographicallyPrecedes($1) }
        var index: [[Int32]: Int32] = [:]
        for (position, key) in distinct.enumerated() { index[key] = Int32(position) }
        let labels = distinct.map { key in
            zip(key, factorLevels).map { code, levels in levels[Int(code)] }.joined(separator: ":")
        }
        return (combined.map { index[$0] ?? 0 }, labels)
    }
}
