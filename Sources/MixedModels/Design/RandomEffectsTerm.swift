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
    /// Per column, the centre c_j the fit subtracts from it (times the intercept column), or
    /// empty when no column is centred: a column far from zero relative to its spread in an
    /// unstructured term (FullCholesky or Full) with an intercept (mean² above 100 × variance; z̃_j = z_j − c_j z₀, so
    /// b = T b̃ and Σ = T Σ̃ Tᵀ per level). Every reported number is in the units of ``z``.
    public let columnCentres: [Double]
    /// z as the fit works with it: ``z`` with the ``columnCentres`` taken out (the same array when
    /// none is centred).
    let workingZ: [Double]

    /// ℓ, the number of levels.
    public var levelCount: Int { levels.count }
    /// s, the number of columns of z (random effects per level).
    public var columnCount: Int { columnNames.count }
    /// ℓ s, the number of random effects of the term.
    public var randomEffectCount: Int { levelCount * columnCount }

    init(specification: RandomEffectsSpecification, frame: ModelFrame, rowCount: Int,
         coding: CategoricalCoding, pattern: CovariancePattern) {
        self.specification = specification
        self.groupName = specification.groupName
        let grouping = Self.groupingFactor(specification.grouping, frame: frame, rowCount: rowCount)
        self.levels = grouping.levels
        self.levelIndices = grouping.codes
        let columns = Self.modelMatrix(specification, predictors: frame.predictors, rowCount: rowCount, coding: coding)
        self.columnNames = columns.names
        self.z = columns.values
        self.covariancePattern = pattern
        (self.columnCentres, self.workingZ) = RandomEffectsCentring.working(z: columns.values, columnNames: columns.names,
                                                                           pattern: pattern)
    }

    /// Whether the fit works with centred columns (``columnCentres``).
    public var isCentred: Bool { !columnCentres.isEmpty }

    /// z for `specification`: the intercept, then each term's columns.
    static func modelMatrix(_ specification: RandomEffectsSpecification, predictors: [String: CodedVariable],
                            rowCount: Int, coding: CategoricalCoding) -> TermColumns {
        var columns = TermColumns(names: [], values: [])
        var blocks: [TermColumns] = []
        if specification.hasIntercept { blocks.append(.intercept(rowCount: rowCount)) }
        for term in specification.terms {
            let full = TermColumns.fullIndicatorVariables(of: term, modelTerms: specification.terms,
                                                          hasIntercept: specification.hasIntercept,
                                                          variables: predictors)
            blocks.append(TermColumns.build(term: term, variables: predictors, rowCount: rowCount,
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
        if let selection = specification.columnSelection {
            var selected: [Double] = []
            selected.reserveCapacity(rowCount * selection.count)
            for row in 0..<rowCount {
                for column in selection { selected.append(columns.values[row * width + column]) }
            }
            columns = TermColumns(names: selection.map { columns.names[$0] }, values: selected)
        }
        return columns
    }

    /// The interaction of the grouping variables as one factor; its levels are ordered with the
    /// first variable varying slowest (as R's `a:b`), and only combinations present are kept.
    /// The grouping factor of a term: one factor, or the interaction of several (`a:b`), with
    /// the levels that occur, in the lexicographic order of their component codes.
    /// - Complexity: O(n + Π levels) for one factor or when the product of the level counts is
    ///   small; O(n log n) otherwise.
    private static func groupingFactor(_ names: [String], frame: ModelFrame, rowCount: Int) -> (codes: [Int32], levels: [String]) {
        var factors: [(codes: [Int32], levels: [String])] = []
        for name in names {
            guard case .categorical(let codes, let levels)? = frame.groupings[name] else { continue }
            factors.append((codes, levels))
        }
        guard !factors.isEmpty else { return ([Int32](repeating: 0, count: rowCount), [""]) }
        if factors.count == 1, factors[0].codes.count == rowCount, let single = usedLevels(of: factors[0]) {
            return single
        }
        // A mixed-radix key per row (the first factor most significant), so that key order is the
        // lexicographic order of the code tuples.
        var keys = [Int](repeating: 0, count: rowCount)
        var radix = 1
        var overflow = false
        for factor in factors.reversed() {
            let count = max(factor.levels.count, 1)
            factor.codes.withUnsafeBufferPointer { codes in
                keys.withUnsafeMutableBufferPointer { target in
                    for row in 0..<min(rowCount, codes.count) { target[row] += Int(codes[row]) * radix }
                }
            }
            let (product, overflowed) = radix.multipliedReportingOverflow(by: count)
            if overflowed || product > Int(Int32.max) * 64 { overflow = true; break }
            radix = product
        }
        if overflow { return combinedGroupingFactor(factors, rowCount: rowCount) }
        var distinct: [Int]
        if radix <= max(4 * rowCount, 1 << 16) {
            var seen = [Bool](repeating: false, count: radix)
            for key in keys { seen[key] = true }
            distinct = []
            for key in 0..<radix where seen[key] { distinct.append(key) }
        } else {
            distinct = Array(Set(keys)).sorted()
        }
        var index: [Int: Int32] = [:]
        var dense: [Int32] = []
        if radix <= max(4 * rowCount, 1 << 16) {
            dense = [Int32](repeating: 0, count: radix)
            for (position, key) in distinct.enumerated() { dense[key] = Int32(position) }
        } else {
            for (position, key) in distinct.enumerated() { index[key] = Int32(position) }
        }
        let labels = distinct.map { key -> String in
            var parts: [String] = []
            var rest = key
            var components: [Int] = []
            for factor in factors.reversed() {
                let count = max(factor.levels.count, 1)
                components.append(rest % count)
                rest /= count
            }
            for (factor, code) in zip(factors, components.reversed()) { parts.append(factor.levels[code]) }
            return parts.joined(separator: ":")
        }
        let codes = dense.isEmpty ? keys.map { index[$0] ?? 0 } : keys.map { dense[$0] }
        return (codes, labels)
    }

    /// One factor's codes and labels restricted to the levels that occur (in code order, as the
    /// general path of ``groupingFactor(_:frame:rowCount:)`` orders them), without forming a
    /// label per level when every level occurs; `nil` when a code is out of range.
    private static func usedLevels(of factor: (codes: [Int32], levels: [String])) -> (codes: [Int32], levels: [String])? {
        let count = factor.levels.count
        var used = [Bool](repeating: false, count: count)
        var valid = true
        factor.codes.withUnsafeBufferPointer { codes in
            used.withUnsafeMutableBufferPointer { seen in
                for code in codes {
                    guard code >= 0, Int(code) < count else {
                        valid = false
                        return
                    }
                    seen[Int(code)] = true
                }
            }
        }
        guard valid else { return nil }
        if !used.contains(false) { return factor }
        var rank = [Int32](repeating: -1, count: count)
        var levels: [String] = []
        for level in 0..<count where used[level] {
            rank[level] = Int32(levels.count)
            levels.append(factor.levels[level])
        }
        return (factor.codes.map { rank[Int($0)] }, levels)
    }

    /// The general case of ``groupingFactor(_:frame:rowCount:)`` when the level counts' product
    /// does not fit a key: distinct code tuples, sorted.
    private static func combinedGroupingFactor(_ factors: [(codes: [Int32], levels: [String])],
                                               rowCount: Int) -> (codes: [Int32], levels: [String]) {
        var combined = [[Int32]](repeating: [], count: rowCount)
        for factor in factors {
            for row in 0..<rowCount { combined[row].append(factor.codes[row]) }
        }
        let distinct = Set(combined).sorted { $0.lexicographicallyPrecedes($1) }
        var index: [[Int32]: Int32] = [:]
        for (position, key) in distinct.enumerated() { index[key] = Int32(position) }
        let labels = distinct.map { key in
            zip(key, factors).map { code, factor in factor.levels[Int(code)] }.joined(separator: ":")
        }
        return (combined.map { index[$0] ?? 0 }, labels)
    }
}
