/// The model matrices of a fitted model on new data, coded with the FITTED model's codings:
/// the same levels and contrasts for categorical predictors, the same kept (non-aliased)
/// fixed-effects columns, and the fitted levels of each grouping factor (MATLAB's `predict`
/// and `random` on a new table, lme4's `newdata`).
///
/// - A level of a categorical fixed-effects predictor that the fit has not seen is an error
///   (``DesignError/unseenLevel(column:level:known:)``), as in MATLAB and R.
/// - A level of a grouping factor that the fit has not seen is allowed: it gets the index −1 in
///   ``levelIndices`` (no fitted random effect; predictions use a zero random effect, as MATLAB
///   and lme4's `allow.new.levels = TRUE`), and its own index from ``levelCount(ofTerm:)`` onwards
///   in ``extendedLevelIndices`` (a new random effect when simulating, as MATLAB's `random`).
/// - Rows with a missing value in a variable the model needs are kept and flagged in
///   ``isComplete``; their predictions are NaN (MATLAB).
/// - Computed variables (`log(x)`, `scale(x)`, `poly(x, 2)`, `factor(x)`) and offsets are
///   evaluated on the new rows with the constants of the fitted rows (as R's `predict`).
/// - The response and the weights are not needed.
struct NewDataDesign: Sendable {
    /// The number of rows of the new table.
    let rowCount: Int
    /// Whether each row has every variable the model needs.
    let isComplete: [Bool]
    /// X, row-major (`rowCount` × p), with the fitted model's kept columns.
    let fixedEffects: [Double]
    /// Per term, z row-major (`rowCount` × s_k), as the fit works with it (``RandomEffectsTerm/workingZ``).
    let z: [[Double]]
    /// Per term, the fitted level of each row, or −1 (unseen level or incomplete row).
    let levelIndices: [[Int32]]
    /// Per term, the fitted level of each row, unseen levels numbered from the fitted level
    /// count in order of first appearance; −1 for incomplete rows.
    let extendedLevelIndices: [[Int32]]
    /// Per term, the number of levels including unseen ones.
    let extendedLevelCounts: [Int]
    /// Per term, the labels of the unseen levels in order of first appearance.
    let newLevelLabels: [[String]]
    /// The formula's offset per row (`nil` without `offset(...)`), with the fitted transforms.
    let offset: [Double]?

    init(design: ModelDesign, table: DataTable) throws(DesignError) {
        let formula = design.formula
        let rowCount = table.rowCount
        self.rowCount = rowCount
        let predictorNames = Self.unique(formula.fixedTerms.flatMap(\.variables)
                                         + formula.randomTerms.flatMap { $0.terms.flatMap(\.variables) })
        let groupingNames = Self.unique(formula.randomTerms.flatMap(\.grouping))
        let computed = formula.computedVariables
        let predictorColumns = predictorNames.flatMap { computed[$0]?.columns ?? [$0] } + formula.offsets.flatMap(\.columns)
        let needed = Self.unique(predictorColumns + groupingNames)
        let unknown = needed.filter { table.column(named: $0) == nil }
        if !unknown.isEmpty { throw .unknownVariables(unknown, available: table.columnNames, source: table.source) }

        var complete = [Bool](repeating: true, count: rowCount)
        for name in needed {
            guard let column = table.column(named: name) else { continue }
            for row in 0..<rowCount where column.isMissing(at: row) { complete[row] = false }
        }
        self.isComplete = complete

        var variables: [String: CodedVariable] = [:]
        let evaluator = TransformEvaluator(table: table, rows: Array(0..<rowCount))
        for name in predictorNames {
            if let definition = computed[name] {
                if case .factor(let columnName) = definition.kind {
                    guard let column = table.column(named: columnName) else { continue }
                    variables[name] = try Self.coded(column, name: name, coding: design.variableCodings[name] ?? .numeric,
                                                     rowCount: rowCount)
                } else {
                    var constants = design.transformConstants.values[name] ?? []
                    variables[name] = try evaluator.variable(definition, constants: &constants, learning: false)
                }
                continue
            }
            guard let column = table.column(named: name) else { continue }
            variables[name] = try Self.coded(column, name: name, coding: design.variableCodings[name] ?? .numeric,
                                             rowCount: rowCount)
        }

        var constants = design.transformConstants
        self.offset = try evaluator.offset(formula.offsets, constants: &constants, learning: false)

        // X: all candidate columns as the fit built them, then the fitted model's kept columns.
        let (names, columns) = design.candidateFixedColumns(variables: variables, rowCount: rowCount)
        let kept = design.fixedEffects.columnNames
        var selected: [[Double]] = []
        var next = 0
        for (index, name) in names.enumerated() where next < kept.count && name == kept[next] {
            selected.append(columns[index])
            next += 1
        }
        let p = kept.count
        var x = [Double](repeating: 0, count: rowCount * p)
        if selected.count == p {
            for column in 0..<p {
                for row in 0..<rowCount { x[row * p + column] = selected[column][row] }
            }
        }
        self.fixedEffects = x

        // Z and the grouping levels, term by term in the fitted order.
        var zs: [[Double]] = []
        var indices: [[Int32]] = []
        var extended: [[Int32]] = []
        var counts: [Int] = []
        var newLabels: [[String]] = []
        for term in design.randomEffectsTerms {
            let specification = term.specification
            var blocks: [TermColumns] = []
            if specification.hasIntercept { blocks.append(.intercept(rowCount: rowCount)) }
            for inner in specification.terms {
                let full = TermColumns.fullIndicatorVariables(of: inner, modelTerms: specification.terms,
                                                              hasIntercept: specification.hasIntercept,
                                                              variables: variables)
                blocks.append(TermColumns.build(term: inner, variables: variables, rowCount: rowCount,
                                                coding: design.options.categoricalCoding, fullIndicators: full))
            }
            let fullWidth = blocks.reduce(0) { $0 + $1.columnCount }
            var full = [Double](repeating: 0, count: rowCount * fullWidth)
            var offset = 0
            for block in blocks {
                for row in 0..<rowCount {
                    for column in 0..<block.columnCount {
                        full[row * fullWidth + offset + column] = block.values[row * block.columnCount + column]
                    }
                }
                offset += block.columnCount
            }
            // The fitted term's columns: all, or the block a custom covariance pattern selected.
            let selection = (specification.columnSelection ?? Array(0..<fullWidth)).filter { $0 < fullWidth }
            let width = term.columnCount
            var z = [Double](repeating: 0, count: rowCount * width)
            if selection.count == width {
                for row in 0..<rowCount {
                    for (position, column) in selection.enumerated() { z[row * width + position] = full[row * fullWidth + column] }
                }
            }
            // Centred as the fit's columns, with the fitted rows' centres.
            zs.append(RandomEffectsCentring.centred(z, columnCount: width, centres: term.columnCentres))

            var lookup: [String: Int32] = [:]
            for (position, label) in term.levels.enumerated() { lookup[label] = Int32(position) }
            var known = [Int32](repeating: -1, count: rowCount)
            var all = [Int32](repeating: -1, count: rowCount)
            var unseen: [String: Int32] = [:]
            var unseenOrder: [String] = []
            let groupingColumns = specification.grouping.map { table.column(named: $0) }
            for row in 0..<rowCount where complete[row] {
                let label = groupingColumns.map { Self.label(of: $0, at: row) }.joined(separator: ":")
                if let index = lookup[label] {
                    known[row] = index
                    all[row] = index
                } else if let index = unseen[label] {
                    all[row] = index
                } else {
                    let index = Int32(term.levelCount + unseenOrder.count)
                    unseen[label] = index
                    unseenOrder.append(label)
                    all[row] = index
                }
            }
            indices.append(known)
            extended.append(all)
            counts.append(term.levelCount + unseenOrder.count)
            newLabels.append(unseenOrder)
        }
        self.z = zs
        self.levelIndices = indices
        self.extendedLevelIndices = extended
        self.extendedLevelCounts = counts
        self.newLevelLabels = newLabels
    }

    /// The design of the fitted rows themselves (no unseen levels, every row complete).
    init(fitted design: ModelDesign) {
        let n = design.observationCount
        let p = design.fixedEffects.columnCount
        self.rowCount = n
        self.isComplete = [Bool](repeating: true, count: n)
        var x = [Double](repeating: 0, count: n * p)
        for column in 0..<p {
            for row in 0..<n { x[row * p + column] = design.fixedEffects[row, column] }
        }
        self.fixedEffects = x
        self.z = design.randomEffectsTerms.map(\.workingZ)
        self.levelIndices = design.randomEffectsTerms.map(\.levelIndices)
        self.extendedLevelIndices = design.randomEffectsTerms.map(\.levelIndices)
        self.extendedLevelCounts = design.randomEffectsTerms.map(\.levelCount)
        self.newLevelLabels = design.randomEffectsTerms.map { _ in [] }
        self.offset = design.offset
    }

    /// Row `row` of X.
    func fixedRow(_ row: Int, columnCount p: Int) -> ArraySlice<Double> {
        fixedEffects[(row * p)..<((row + 1) * p)]
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    private static func label(of column: Column?, at row: Int) -> String {
        switch column {
        case .numeric(let numeric)?: return ModelFrame.formatLevel(numeric.values[row])
        case .categorical(let categorical)?: return categorical.label(at: row) ?? ""
        case nil: return ""
        }
    }

    /// Codes a new column with the fitted coding; missing values become NaN / code −1.
    private static func coded(_ column: Column, name: String, coding: VariableCoding,
                              rowCount: Int) throws(DesignError) -> CodedVariable {
        switch coding {
        case .numeric:
            guard case .numeric(let numeric) = column else { throw .notNumeric(column: name, role: "predictor") }
            return .numeric(numeric.values)
        case .categorical(let levels):
            var lookup: [String: Int32] = [:]
            for (position, label) in levels.enumerated() { lookup[label] = Int32(position) }
            var codes = [Int32](repeating: -1, count: rowCount)
            for row in 0..<rowCount where !column.isMissing(at: row) {
                let label = Self.label(of: column, at: row)
                guard let code = lookup[label] else { throw .unseenLevel(column: name, level: label, known: levels) }
                codes[row] = code
            }
            return .categorical(codes: codes, levels: levels)
        }
    }
}

extension ModelDesign {
    /// Every column the fixed-effects part builds from `variables` (coded on `rowCount` rows, as
    /// the fit coded its data) before aliased columns are dropped, by name (column-major values):
    /// the design of new data and of least-squares-means grids.
    func candidateFixedColumns(variables: [String: CodedVariable], rowCount: Int) -> (names: [String], columns: [[Double]]) {
        var names: [String] = []
        var columns: [[Double]] = []
        if formula.hasIntercept {
            names.append("(Intercept)")
            columns.append([Double](repeating: 1, count: rowCount))
        }
        for term in formula.fixedTerms {
            let full = TermColumns.fullIndicatorVariables(of: term, modelTerms: formula.fixedTerms,
                                                          hasIntercept: formula.hasIntercept, variables: variables)
            let built = TermColumns.build(term: term, variables: variables, rowCount: rowCount,
                                          coding: options.categoricalCoding, fullIndicators: full)
            for column in 0..<built.columnCount {
                names.append(built.names[column])
                columns.append((0..<rowCount).map { built.values[$0 * built.columnCount + column] })
            }
        }
        return (names, columns)
    }
}
