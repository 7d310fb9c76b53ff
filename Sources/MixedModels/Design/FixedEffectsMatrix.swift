/// The fixed-effects model matrix X (n × p) with named columns.
///
/// Terms are in lme4's and MATLAB's order: intercept, main effects, then interactions by order.
/// Aliased (linearly dependent) columns are dropped and named in ``droppedColumnNames``.
public struct FixedEffectsMatrix: Sendable, Equatable {
    /// A term of the fixed-effects part and the range of its (kept) columns in X.
    public struct TermColumnRange: Sendable, Equatable {
        /// The term's name: `(Intercept)`, `Days`, `recipe:temperature`.
        public let name: String
        /// The term's kept columns.
        public let columns: Range<Int>
        /// The term itself (`nil` for the intercept).
        public let term: FormulaTerm?
    }

    /// Names of the kept columns.
    public let columnNames: [String]
    /// Names of the aliased columns that were dropped.
    public let droppedColumnNames: [String]
    /// The values, column-major: `rowCount × columnNames.count`.
    public let values: [Double]
    /// The number of rows (observations).
    public let rowCount: Int
    /// The terms and their column ranges, in column order.
    public let terms: [TermColumnRange]

    /// The number of columns p.
    public var columnCount: Int { columnNames.count }

    /// X[row, column].
    public subscript(row: Int, column: Int) -> Double { values[column * rowCount + row] }

    /// Builds X for `formula` on the frame's rows and drops aliased columns.
    init(formula: Formula, variables: [String: CodedVariable], rowCount: Int, coding: CategoricalCoding) {
        var blocks: [(name: String, term: FormulaTerm?, columns: TermColumns)] = []
        if formula.hasIntercept {
            blocks.append(("(Intercept)", nil, .intercept(rowCount: rowCount)))
        }
        for term in formula.fixedTerms {
            let full = TermColumns.fullIndicatorVariables(of: term, modelTerms: formula.fixedTerms,
                                                          hasIntercept: formula.hasIntercept, variables: variables)
            let columns = TermColumns.build(term: term, variables: variables, rowCount: rowCount,
                                            coding: coding, fullIndicators: full)
            blocks.append((term.description, term, columns))
        }
        self.init(blocks: blocks, rowCount: rowCount)
    }

    private init(blocks: [(name: String, term: FormulaTerm?, columns: TermColumns)], rowCount: Int) {
        var allNames: [String] = []
        var owner: [Int] = []
        let total = blocks.reduce(0) { $0 + $1.columns.columnCount }
        var all = [Double](repeating: 0, count: rowCount * total)
        all.withUnsafeMutableBufferPointer { target in
            var next = 0
            for (index, block) in blocks.enumerated() {
                let width = block.columns.columnCount
                block.columns.values.withUnsafeBufferPointer { values in
                    for column in 0..<width {
                        allNames.append(block.columns.names[column])
                        owner.append(index)
                        let base = next * rowCount
                        for row in 0..<min(rowCount, values.count / max(width, 1)) {
                            target[base + row] = values[row * width + column]
                        }
                        next += 1
                    }
                }
            }
        }
        let aliased = Set(AliasedColumns.find(in: all, rowCount: rowCount, columnCount: allNames.count))
        var names: [String] = []
        var values: [Double] = []
        var ranges: [TermColumnRange] = []
        if aliased.isEmpty {
            values = all
        } else {
            values.reserveCapacity(rowCount * (allNames.count - aliased.count))
        }
        for (index, block) in blocks.enumerated() {
            let start = names.count
            for column in allNames.indices where owner[column] == index && !aliased.contains(column) {
                names.append(allNames[column])
                if !aliased.isEmpty { values.append(contentsOf: all[(column * rowCount)..<((column + 1) * rowCount)]) }
            }
            if names.count > start {
                ranges.append(TermColumnRange(name: block.name, columns: start..<names.count, term: block.term))
            }
        }
        self.columnNames = names
        self.droppedColumnNames = aliased.sorted().map { allNames[$0] }
        self.values = values
        self.rowCount = rowCount
        self.terms = ranges
    }
}
