/// A column-typed table: the data a model is fitted to.
///
/// Columns are numeric (`Double`) or categorical (text levels). A table is a value: every
/// operation that changes it returns a new table, and the input is never modified.
public struct DataTable: Sendable, Equatable {
    /// Column names in file order.
    public let columnNames: [String]
    /// Columns in the order of ``columnNames``.
    public let columns: [Column]
    /// The number of rows.
    public let rowCount: Int
    /// Where the table came from (a file path or a built-in data set name), used in messages.
    public let source: String
    /// Per row, the (1-based) line of the source file where the row starts, when the table was
    /// read from CSV text; `nil` for a table built in code. Messages name a row by its line.
    public let sourceLines: [Int]?

    /// Creates a table from named columns of equal length.
    /// - Throws: ``DataTableError`` when names repeat, column lengths differ, or a categorical
    ///   column repeats a level label or has a code that is neither a level index nor
    ///   ``CategoricalColumn/missingCode``.
    /// - Parameter sourceLines: Per row, the source line where it starts (``sourceLines``), or `nil`.
    public init(columnNames: [String], columns: [Column], source: String = "table",
                sourceLines: [Int]? = nil) throws(DataTableError) {
        try self.init(columnNames: columnNames, columns: columns, source: source, sourceLines: sourceLines,
                      levelLabelsKnownDistinct: false)
    }

    /// Creates a table; with `levelLabelsKnownDistinct` the check that each categorical column's
    /// labels are distinct is skipped, for callers that built the labels distinct (the CSV reader
    /// interns them), where hashing every label again costs a noticeable part of reading a large file.
    init(
        columnNames: [String], columns: [Column], source: String, sourceLines: [Int]?, levelLabelsKnownDistinct: Bool
    ) throws(DataTableError) {
        guard columnNames.count == columns.count else {
            throw .columnCountMismatch(names: columnNames.count, columns: columns.count)
        }
        var seen = Set<String>()
        for name in columnNames {
            if !seen.insert(name).inserted { throw .duplicateColumn(name) }
        }
        let rows = columns.first?.count ?? 0
        for (name, column) in zip(columnNames, columns) where column.count != rows {
            throw .columnLengthMismatch(column: name, expected: rows, actual: column.count)
        }
        for (name, column) in zip(columnNames, columns) {
            guard case .categorical(let categorical) = column else { continue }
            try Self.validate(categorical, name: name, checkingLabels: !levelLabelsKnownDistinct)
        }
        if let sourceLines, sourceLines.count != rows {
            throw .columnLengthMismatch(column: "(source lines)", expected: rows, actual: sourceLines.count)
        }
        self.columnNames = columnNames
        self.columns = columns
        self.rowCount = rows
        self.source = source
        self.sourceLines = sourceLines
    }

    /// Checks that every code indexes a level (or is the missing code) and that labels are distinct,
    /// so that later lookups by code or by label cannot fail.
    private static func validate(
        _ column: CategoricalColumn, name: String, checkingLabels: Bool
    ) throws(DataTableError) {
        let levelCount = column.levels.count
        if let row = column.codes.firstIndex(where: { $0 != CategoricalColumn.missingCode && !(0..<levelCount).contains(Int($0)) }) {
            throw .invalidCode(column: name, row: row + 1, code: Int(column.codes[row]), levelCount: levelCount)
        }
        guard checkingLabels else { return }
        var seen = Set<String>(minimumCapacity: column.levels.count)
        for level in column.levels where !seen.insert(level).inserted {
            throw .repeatedLevel(column: name, level: level)
        }
    }

    /// The source line of the 0-based `row`, or `nil` when the table was not read from text.
    public func sourceLine(ofRow row: Int) -> Int? {
        guard let sourceLines, sourceLines.indices.contains(row) else { return nil }
        return sourceLines[row]
    }

    /// Tables are equal when their names, columns and sources are (``sourceLines`` is not compared).
    public static func == (lhs: DataTable, rhs: DataTable) -> Bool {
        lhs.columnNames == rhs.columnNames && lhs.columns == rhs.columns && lhs.source == rhs.source
            && lhs.rowCount == rhs.rowCount
    }

    /// The column called `name`, or `nil`.
    public func column(named name: String) -> Column? {
        guard let index = columnNames.firstIndex(of: name) else { return nil }
        return columns[index]
    }

    /// The column called `name`.
    /// - Throws: ``DataTableError/unknownColumn(_:available:)`` naming the columns that exist.
    public func requireColumn(_ name: String) throws(DataTableError) -> Column {
        guard let column = column(named: name) else {
            throw .unknownColumn(name, available: columnNames)
        }
        return column
    }
}

/// Errors in building or changing a ``DataTable``.
public enum DataTableError: Error, Sendable, Equatable, CustomStringConvertible {
    case columnCountMismatch(names: Int, columns: Int)
    case duplicateColumn(String)
    case columnLengthMismatch(column: String, expected: Int, actual: Int)
    case unknownColumn(String, available: [String])
    case unknownLevel(column: String, level: String, available: [String])
    case incompleteLevelOrder(column: String, missing: [String])
    case duplicateLevel(column: String, level: String)
    case notCategorical(column: String)
    /// A categorical code (in the 1-based `row`) that is neither a level index nor the missing code.
    case invalidCode(column: String, row: Int, code: Int, levelCount: Int)
    /// A categorical column whose level labels are not distinct.
    case repeatedLevel(column: String, level: String)

    public var description: String {
        switch self {
        case .columnCountMismatch(let names, let columns):
            return "\(names) column names were given for \(columns) columns"
        case .duplicateColumn(let name):
            return "the column name '\(name)' appears more than once"
        case .columnLengthMismatch(let column, let expected, let actual):
            return "column '\(column)' has \(actual) values where the table has \(expected) rows"
        case .unknownColumn(let name, let available):
            return "there is no column '\(name)'; the columns are: \(available.joined(separator: ", "))"
        case .unknownLevel(let column, let level, let available):
            return "column '\(column)' has no level '\(level)'; its levels are: \(available.joined(separator: ", "))"
        case .incompleteLevelOrder(let column, let missing):
            return "the level order given for column '\(column)' leaves out: \(missing.joined(separator: ", "))"
        case .duplicateLevel(let column, let level):
            return "the level order given for column '\(column)' names '\(level)' more than once"
        case .notCategorical(let column):
            return "column '\(column)' is not categorical"
        case .invalidCode(let column, let row, let code, let levelCount):
            return "column '\(column)' has the code \(code) in row \(row), but its \(levelCount) levels have codes 0 to \(levelCount - 1) (and \(CategoricalColumn.missingCode) means missing)"
        case .repeatedLevel(let column, let level):
            return "column '\(column)' lists the level '\(level)' more than once; level labels must be distinct"
        }
    }
}
