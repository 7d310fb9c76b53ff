/// A problem reading a CSV or TSV file into a ``DataTable``.
///
/// Every message starts with the source (the file path or the source name given to the reader),
/// names the line where relevant (1-based physical line; for a record, the line where it starts),
/// the column by name and 1-based field number where known, and says what was expected.
public enum CSVError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but cannot be read (for example, it is a directory or access is denied).
    case unreadableFile(path: String, reason: String)
    /// The input has no header line (it is empty, or holds only a byte-order mark or blank lines).
    case emptyInput(source: String)
    /// The header is not followed by any data row.
    case noDataRows(source: String)
    /// A header field is empty.
    case emptyColumnName(source: String, line: Int, field: Int)
    /// Two header fields have the same name.
    case duplicateColumnName(source: String, line: Int, name: String, firstField: Int, secondField: Int)
    /// A record has a different number of fields than the header.
    case raggedRow(source: String, line: Int, fieldCount: Int, headerCount: Int)
    /// A quoted field is never closed.
    case unterminatedQuote(source: String, line: Int, field: Int, column: String?)
    /// Text follows the closing quote of a quoted field, as in `"ab"c`.
    case textAfterClosingQuote(source: String, line: Int, field: Int, column: String?)
    /// A double quote inside an unquoted field, as in `ab"c`.
    case quoteInUnquotedField(source: String, line: Int, field: Int, column: String?)
    /// The bytes are not valid UTF-8.
    case invalidUTF8(source: String, line: Int, byteOffset: Int)
    /// The input starts with a UTF-16 byte-order mark.
    case utf16Input(source: String)
    /// The input contains a NUL byte (binary or UTF-16 data).
    case nulByte(source: String, line: Int)
    /// `Inf` or an out-of-range number in a column that is otherwise numeric (`NaN` is missing).
    case nonFiniteNumber(source: String, line: Int, column: String, field: Int, text: String)
    /// A column declared categorical is not in the file.
    case unknownCategoricalColumn(source: String, name: String, available: [String])
    /// A level order is given for a column that is not in the file.
    case levelOrderForUnknownColumn(source: String, name: String, available: [String])
    /// A level order names levels that do not occur in the column.
    case unknownLevels(source: String, column: String, levels: [String], available: [String])
    /// A level order leaves out levels that occur in the column.
    case missingLevels(source: String, column: String, missing: [String])
    /// A level order names a level more than once.
    case duplicateLevel(source: String, column: String, level: String)
    /// The header reads as one column whose name contains another likely delimiter.
    case singleColumnHeader(source: String, name: String, suspected: UInt8, used: UInt8)
    /// The delimiter option cannot be used.
    case invalidDelimiter(source: String, byte: UInt8)
    /// The columns read could not form a table.
    case invalidTable(source: String, DataTableError)
    /// The decimal separator option is neither `.` nor `,`, or it is also the delimiter.
    case invalidDecimalSeparator(source: String, byte: UInt8, delimiter: UInt8)

    /// A message that says what is wrong, where, and what was expected.
    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "\(path): no such file; expected the path of a CSV or TSV file"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the file: \(reason)"
        case .emptyInput(let source):
            return "\(source): the input is empty; expected a header line of column names followed by data rows"
        case .noDataRows(let source):
            return "\(source): no data rows after the header line; expected at least one data row"
        case .emptyColumnName(let source, let line, let field):
            return "\(source), line \(line), field \(field): empty column name in the header; every column needs a name"
        case .duplicateColumnName(let source, let line, let name, let first, let second):
            return "\(source), line \(line): duplicate column name '\(name)' (fields \(first) and \(second)); column names must be unique"
        case .raggedRow(let source, let line, let count, let expected):
            return "\(source), line \(line): the row has \(count) \(count == 1 ? "field" : "fields"), "
                + "but the header has \(expected) \(expected == 1 ? "column" : "columns"); every row needs one field per column"
        case .unterminatedQuote(let source, let line, let field, let column):
            return "\(source), line \(line), \(Self.place(field, column)): unterminated quoted field: "
                + "the double quote opened on line \(line) is never closed; expected a closing \""
        case .textAfterClosingQuote(let source, let line, let field, let column):
            return "\(source), line \(line), \(Self.place(field, column)): text after the closing quote of a quoted field; "
                + "expected a delimiter or the end of the line (write a quote inside a quoted field as \"\")"
        case .quoteInUnquotedField(let source, let line, let field, let column):
            return "\(source), line \(line), \(Self.place(field, column)): a double quote inside an unquoted field; "
                + "quote the whole field and double the inner quote, as in \"a\"\"b\""
        case .invalidUTF8(let source, let line, let offset):
            return "\(source), line \(line): invalid UTF-8 (byte \(offset + 1) of the input); expected UTF-8 text"
        case .utf16Input(let source):
            return "\(source), line 1: the input is UTF-16 (it starts with a UTF-16 byte-order mark); expected UTF-8 text"
        case .nulByte(let source, let line):
            return "\(source), line \(line): NUL byte (0x00) in the input; expected UTF-8 text, not binary or UTF-16 data"
        case .nonFiniteNumber(let source, let line, let column, let field, let text):
            return "\(source), line \(line), \(Self.place(field, column)): '\(text)' is not a finite number; "
                + "mixed models need finite values (write a missing value as NA, NaN or an empty field)"
        case .unknownCategoricalColumn(let source, let name, let available):
            return "\(source): the column '\(name)' declared categorical does not exist; the columns are: \(Self.list(available))"
        case .levelOrderForUnknownColumn(let source, let name, let available):
            return "\(source): a level order is given for the column '\(name)', which does not exist; the columns are: \(Self.list(available))"
        case .unknownLevels(let source, let column, let levels, let available):
            return "\(source), column '\(column)': the level order names \(levels.count == 1 ? "a level" : "levels") "
                + "not in the data: \(Self.list(levels)); the levels present are: \(Self.list(available))"
        case .missingLevels(let source, let column, let missing):
            return "\(source), column '\(column)': the level order leaves out \(missing.count == 1 ? "a level" : "levels") "
                + "present in the data: \(Self.list(missing)); expected every level exactly once"
        case .duplicateLevel(let source, let column, let level):
            return "\(source), column '\(column)': the level order names the level '\(level)' more than once; expected every level exactly once"
        case .singleColumnHeader(let source, let name, let suspected, let used):
            return "\(source), line 1: the header has a single column '\(name)', which contains \(Self.show(suspected)); "
                + "the delimiter used was \(Self.show(used)) — is the delimiter \(Self.show(suspected))?"
        case .invalidDelimiter(let source, let byte):
            return "\(source): the delimiter \(Self.show(byte)) cannot be used; expected an ASCII character other than a double quote, CR or LF"
        case .invalidTable(let source, let error):
            return "\(source): \(error)"
        case .invalidDecimalSeparator(let source, let byte, let delimiter):
            if byte == delimiter {
                return "\(source): the decimal separator \(Self.show(byte)) is also the field delimiter; "
                    + "with decimal commas, separate the fields with ';' or tab"
            }
            return "\(source): the decimal separator \(Self.show(byte)) cannot be used; expected '.' or ','"
        }
    }

    /// "column 'Days' (field 2)" or "field 5" when the field has no header column.
    private static func place(_ field: Int, _ column: String?) -> String {
        guard let column else { return "field \(field)" }
        return "column '\(column)' (field \(field))"
    }

    private static func list(_ names: [String]) -> String {
        names.map { "'\($0)'" }.joined(separator: ", ")
    }

    /// A delimiter byte for messages: `','`, `tab`, or `0x22`.
    private static func show(_ byte: UInt8) -> String {
        switch byte {
        case 0x09: return "tab"
        case 0x20...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            return "0x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }
}
