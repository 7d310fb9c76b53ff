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

    /// Creates a table from named columns of equal length.
    /// - Throws: ``DataTableError`` when names repeat or column lengths differ.
    public init(columnNames: [String], columns: [Column], source: String = "table") throws(DataTableError) {
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
        self.columnNames = columnNames
        self.columns = columns
        self.rowCount = rows
        self.source = source
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
        }
    }
}
