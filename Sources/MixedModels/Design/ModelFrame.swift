/// The rows and variables a model uses: the complete cases of the formula's variables, the
/// response, the prior weights, and each predictor coded as numeric or categorical.
///
/// Rows with a missing value in any variable the formula (or the weights) uses are dropped and
/// counted, as R's `na.omit`. Rows with a zero prior weight carry no information: they are
/// excluded and counted too (MATLAB's `fitlme` accepts weights ≥ 0). Categorical levels that no
/// kept row uses are dropped, as lme4 does. Computed variables (`log(x)`, `poly(x, 2)`,
/// `factor(x)`, ...) are evaluated on the kept rows.
struct ModelFrame: Sendable {
    /// Indices of the table rows the model uses.
    let rows: [Int]
    /// The number of table rows dropped for missing values (excluded rows not counted).
    let droppedRowCount: Int
    /// The number of table rows excluded on request (``ModelOptions/excludedRows``).
    let excludedRowCount: Int
    /// The number of complete table rows excluded because their prior weight is zero.
    let zeroWeightRowCount: Int
    /// The response on the kept rows.
    let response: [Double]
    /// Prior weights on the kept rows, or `nil`.
    let weights: [Double]?
    /// Predictor variables (fixed and random-effects model columns) on the kept rows.
    let predictors: [String: CodedVariable]
    /// Grouping variables as categorical codes on the kept rows (numeric columns become factors).
    let groupings: [String: CodedVariable]
    /// The sum of the formula's `offset(...)` terms on the kept rows, or `nil` without one.
    let offset: [Double]?
    /// The constants of data-dependent transforms (`scale`, `center`, `poly`) on the kept rows.
    let transformConstants: TransformConstants
    /// Predictors read as categorical although they hold numbers, with the first text that is
    /// not a number (a missing-value code or a decimal comma, most likely).
    let predictorsReadAsText: [String: NonNumericText]

    /// - Parameter excludedRows: table rows left out before anything else (0-based); their
    ///   values are never read, and the kept rows keep their table indices.
    init(formula: Formula, table: DataTable, weightsColumn: String?, excludedRows: Set<Int> = []) throws(DesignError) {
        if let bad = excludedRows.filter({ $0 < 0 || $0 >= table.rowCount }).min() {
            throw .excludedRowOutOfRange(index: bad, rowCount: table.rowCount)
        }
        let unknown = formula.variables.filter { table.column(named: $0) == nil }
        if !unknown.isEmpty {
            throw .unknownVariables(unknown, available: table.columnNames, source: table.source)
        }
        if let weightsColumn, table.column(named: weightsColumn) == nil {
            throw .unknownWeightsColumn(weightsColumn, available: table.columnNames, source: table.source)
        }
        let needed = formula.variables + (weightsColumn.map { [$0] } ?? [])
        let columns = needed.compactMap { table.column(named: $0) }
        // Complete rows, marked column by column (a pass per column over its raw values).
        var complete = [Bool](repeating: true, count: table.rowCount)
        for row in excludedRows { complete[row] = false }
        for column in columns {
            switch column {
            case .numeric(let numeric):
                numeric.values.withUnsafeBufferPointer { values in
                    for row in 0..<min(values.count, complete.count) where values[row].isNaN { complete[row] = false }
                }
            case .categorical(let categorical):
                categorical.codes.withUnsafeBufferPointer { codes in
                    for row in 0..<min(codes.count, complete.count) where codes[row] == CategoricalColumn.missingCode {
                        complete[row] = false
                    }
                }
            }
        }
        var rows: [Int] = []
        rows.reserveCapacity(table.rowCount)
        for row in 0..<complete.count where complete[row] { rows.append(row) }
        if rows.isEmpty && !excludedRows.isEmpty {
            throw .allRowsExcluded(excluded: excludedRows.count, rowCount: table.rowCount)
        }
        if rows.isEmpty { throw .noCompleteRows(variables: needed) }
        self.excludedRowCount = excludedRows.count
        self.droppedRowCount = table.rowCount - excludedRows.count - rows.count

        if let weightsColumn {
            let weights = try Self.numericValues(of: weightsColumn, in: table, rows: rows, role: "weights")
            for (index, weight) in weights.enumerated() where !(weight >= 0 && weight.isFinite) {
                throw .invalidWeight(column: weightsColumn, row: rows[index] + 1, value: weight,
                                     line: table.sourceLine(ofRow: rows[index]))
            }
            let positive = weights.indices.filter { weights[$0] > 0 }
            if positive.isEmpty { throw .noPositiveWeights(column: weightsColumn) }
            self.zeroWeightRowCount = rows.count - positive.count
            rows = positive.map { rows[$0] }
            self.weights = positive.map { weights[$0] }
        } else {
            self.zeroWeightRowCount = 0
            self.weights = nil
        }
        self.rows = rows

        // Transforms are evaluated (and data-dependent constants learned) on the rows the model
        // uses: after exclusions, missing values and zero weights.
        let evaluator = TransformEvaluator(table: table, rows: rows)
        var constants = TransformConstants()
        if case .column(let name) = formula.responseExpression {
            self.response = try Self.numericValues(of: name, in: table, rows: rows, role: "response")
        } else {
            var learned: [Double] = []
            var cursor = 0
            self.response = try evaluator.values(of: formula.responseExpression, constants: &learned, cursor: &cursor, learning: true)
        }
        try Self.requireFinite(response, column: formula.response, rows: rows)
        self.offset = try evaluator.offset(formula.offsets, constants: &constants, learning: true)

        var predictors: [String: CodedVariable] = [:]
        let predictorNames = formula.fixedTerms.flatMap(\.variables) + formula.randomTerms.flatMap { $0.terms.flatMap(\.variables) }
        for name in predictorNames where predictors[name] == nil {
            if let definition = formula.computedVariables[name] {
                if case .factor(let column) = definition.kind {
                    predictors[name] = Self.coded(table.column(named: column), rows: rows, asFactor: true)
                } else {
                    var learned: [Double] = []
                    predictors[name] = try evaluator.variable(definition, constants: &learned, learning: true)
                    if !learned.isEmpty { constants.values[name] = learned }
                }
                continue
            }
            let variable = Self.coded(table.column(named: name), rows: rows, asFactor: false)
            if case .numeric(let values) = variable { try Self.requireFinite(values, column: name, rows: rows) }
            predictors[name] = variable
        }
        self.predictors = predictors
        self.transformConstants = constants
        var readAsText: [String: NonNumericText] = [:]
        for name in Set(predictorNames) where formula.computedVariables[name] == nil {
            if case .categorical(let column)? = table.column(named: name),
               let culprit = NonNumericText.first(in: column, rows: rows, table: table) {
                readAsText[name] = culprit
            }
        }
        self.predictorsReadAsText = readAsText
        var groupings: [String: CodedVariable] = [:]
        for name in formula.randomTerms.flatMap(\.grouping) where groupings[name] == nil {
            groupings[name] = Self.coded(table.column(named: name), rows: rows, asFactor: true)
        }
        self.groupings = groupings
    }

    private static func numericValues(of name: String, in table: DataTable, rows: [Int], role: String) throws(DesignError) -> [Double] {
        switch table.column(named: name) {
        case .numeric(let column)?:
            return rows.map { column.values[$0] }
        case .categorical(let column)?:
            if let culprit = NonNumericText.first(in: column, rows: rows, table: table) {
                throw .textInNumericColumn(column: name, role: role, culprit: culprit, source: table.source)
            }
            if role == "response" {
                let example = rows.first.flatMap { column.label(at: $0) } ?? ""
                throw .categoricalResponse(name, example: example)
            }
            throw .notNumeric(column: name, role: role)
        case nil:
            throw .unknownVariables([name], available: table.columnNames, source: table.source)
        }
    }

    /// Throws for an infinite value (a table built in code can hold one; CSV input cannot).
    private static func requireFinite(_ values: [Double], column: String, rows: [Int]) throws(DesignError) {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .nonFiniteValue(column: column, row: rows[index] + 1, value: values[index])
        }
    }

    /// Codes a column on the kept rows; unused levels are dropped, keeping the level order.
    static func coded(_ column: Column?, rows: [Int], asFactor: Bool) -> CodedVariable {
        switch column {
        case .numeric(let numeric)?:
            let values = numeric.values.withUnsafeBufferPointer { source in rows.map { source[$0] } }
            guard asFactor else { return .numeric(values) }
            let distinct = Array(Set(values)).sorted()
            var index: [Double: Int32] = [:]
            for (position, value) in distinct.enumerated() { index[value] = Int32(position) }
            return .categorical(codes: values.map { index[$0] ?? -1 }, levels: distinct.map(formatLevel))
        case .categorical(let categorical)?:
            var used = [Bool](repeating: false, count: categorical.levels.count)
            categorical.codes.withUnsafeBufferPointer { codes in
                for row in rows { used[Int(codes[row])] = true }
            }
            var remap = [Int32](repeating: -1, count: categorical.levels.count)
            var levels: [String] = []
            for (old, label) in categorical.levels.enumerated() where used[old] {
                remap[old] = Int32(levels.count)
                levels.append(label)
            }
            if levels.count == categorical.levels.count, rows.count == categorical.codes.count {
                // Every level used and every row kept: the codes as they are (remap is the identity).
                return .categorical(codes: categorical.codes, levels: levels)
            }
            return .categorical(codes: categorical.codes.withUnsafeBufferPointer { codes in
                rows.map { remap[Int(codes[$0])] }
            }, levels: levels)
        case nil:
            return .numeric([])
        }
    }

    /// A numeric value as a level label: whole numbers without a decimal point.
    static func formatLevel(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
