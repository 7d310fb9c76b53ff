extension DataTable {
    /// Returns a copy with `column` recoded to the level order `order`; the first level becomes the
    /// reference level. A numeric column is first made categorical (see ``makingCategorical(_:)``).
    ///
    /// - Parameters:
    ///   - column: The column's name.
    ///   - order: Every level of the column, each exactly once.
    /// - Throws: ``DataTableError/unknownColumn(_:available:)`` for a missing column,
    ///   ``DataTableError/duplicateLevel(column:level:)`` when `order` repeats a level,
    ///   ``DataTableError/unknownLevel(column:level:available:)`` when it names a level not in the
    ///   column, and ``DataTableError/incompleteLevelOrder(column:missing:)`` when it leaves levels out.
    public func reorderingLevels(of column: String, to order: [String]) throws(DataTableError) -> DataTable {
        let table = try makingCategorical(column)
        guard case .categorical(let categorical) = try table.requireColumn(column) else {
            throw .notCategorical(column: column)
        }
        switch LevelOrdering.order(of: categorical.levels, requested: order) {
        case .success(let positions):
            let recoded = LevelOrdering.applying(positions, to: categorical.codes, levels: categorical.levels)
            return try table.replacing(column, with: .categorical(recoded))
        case .failure(.duplicate(let level)):
            throw .duplicateLevel(column: column, level: level)
        case .failure(.unknown(let levels)):
            throw .unknownLevel(column: column, level: levels.first ?? "", available: categorical.levels)
        case .failure(.missing(let levels)):
            throw .incompleteLevelOrder(column: column, missing: levels)
        }
    }

    /// Returns a copy with the numeric `column` made categorical; a categorical column is left as is.
    ///
    /// Levels are the distinct values in ascending numeric order. Labels print whole numbers
    /// without a decimal point (`308`) and other values in Swift's shortest round-trip form
    /// (`1.5`). Missing values (NaN) stay missing.
    /// - Throws: ``DataTableError/unknownColumn(_:available:)`` for a missing column.
    public func makingCategorical(_ column: String) throws(DataTableError) -> DataTable {
        guard case .numeric(let numeric) = try requireColumn(column) else { return self }
        let distinct = Set(numeric.values.filter { !$0.isNaN }).sorted()
        var codeOfValue = [Double: Int32]()
        for (code, value) in distinct.enumerated() {
            codeOfValue[value] = Int32(truncatingIfNeeded: code)
        }
        let codes = numeric.values.map { value in
            value.isNaN ? CategoricalColumn.missingCode : codeOfValue[value] ?? CategoricalColumn.missingCode
        }
        let levels = distinct.map(Self.label(for:))
        return try replacing(column, with: .categorical(CategoricalColumn(codes: codes, levels: levels)))
    }

    /// A level label for a number: `308` for whole numbers below 10^15 in size, else `1.5`, `1e+20`.
    static func label(for value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return value.description
    }

    /// A copy with the column called `name` replaced.
    private func replacing(_ name: String, with column: Column) throws(DataTableError) -> DataTable {
        guard let index = columnNames.firstIndex(of: name) else {
            throw .unknownColumn(name, available: columnNames)
        }
        var newColumns = columns
        newColumns[index] = column
        return try DataTable(columnNames: columnNames, columns: newColumns, source: source, sourceLines: sourceLines)
    }
}
