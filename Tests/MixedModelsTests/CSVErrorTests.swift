import Foundation
import Testing
@testable import MixedModels

/// One bad CSV input and the phrases its error message must contain.
struct BadCSVCase: Sendable, CustomTestStringConvertible {
    enum Input: Sendable {
        case text(String)
        case bytes([UInt8])
        case file(String)
    }

    let name: String
    let input: Input
    var options = CSVReadOptions()
    /// Phrases the message must contain (besides the source name, which every message must name).
    let expected: [String]

    var testDescription: String { name }

    /// The source name the message must contain.
    var source: String {
        if case .file(let path) = input { return path }
        return "bad.csv"
    }

    func read() throws(CSVError) -> DataTable {
        switch input {
        case .text(let text):
            return try DataTable(csv: text, source: "bad.csv", options: options)
        case .bytes(let bytes):
            return try DataTable(csvBytes: bytes, source: "bad.csv", options: options)
        case .file(let path):
            return try DataTable(contentsOf: URL(fileURLWithPath: path), options: options)
        }
    }
}

private let sexData = "Height,Sex\n1.80,Male\n1.65,Female\n1.72,Male\n"

private func bytes(_ text: String, _ tail: [UInt8], _ rest: String = "") -> [UInt8] {
    Array(text.utf8) + tail + Array(rest.utf8)
}

let badCSVCases: [BadCSVCase] = [
    BadCSVCase(name: "missing file", input: .file("/nonexistent/dir/data.csv"),
               expected: ["no such file"]),
    BadCSVCase(name: "directory instead of file", input: .file(NSTemporaryDirectory()),
               expected: ["cannot read", "directory"]),
    BadCSVCase(name: "empty input", input: .text(""), expected: ["empty", "header"]),
    BadCSVCase(name: "only a byte-order mark and blank lines", input: .text("\u{FEFF}\n\r\n\n"),
               expected: ["empty"]),
    BadCSVCase(name: "header only", input: .text("Reaction,Days,Subject\n"), expected: ["no data rows"]),
    BadCSVCase(name: "empty column name", input: .text("a,,c\n1,2,3\n"),
               expected: ["line 1", "field 2", "empty column name"]),
    BadCSVCase(name: "empty last column name (trailing comma)", input: .text("a,b,\n1,2,3\n"),
               expected: ["line 1", "field 3", "empty column name"]),
    BadCSVCase(name: "duplicate column names", input: .text("a,b,a\n1,2,3\n"),
               expected: ["line 1", "duplicate column name 'a'", "fields 1 and 3"]),
    BadCSVCase(name: "row with too few fields", input: .text("a,b,c\n1,2,3\n4,5\n"),
               expected: ["line 3", "2 fields", "header has 3 columns"]),
    BadCSVCase(name: "row with too many fields", input: .text("a,b\n1,2,3\n"),
               expected: ["line 2", "3 fields", "header has 2 columns"]),
    BadCSVCase(name: "ragged row with CRLF line ends", input: .text("a,b\r\n1,2\r\n3\r\n"),
               expected: ["line 3", "1 field,", "2 columns"]),
    BadCSVCase(name: "ragged record that starts before a quoted line break", input: .text("a,b\n1,2\n\"x\ny\",2,3\n"),
               expected: ["line 3", "3 fields"]),
    BadCSVCase(name: "unterminated quoted field", input: .text("Days,Subject\n1,\"308\n2,309\n"),
               expected: ["line 2", "column 'Subject' (field 2)", "unterminated"]),
    BadCSVCase(name: "unterminated quote after a multi-line field", input: .text("a,b\n\"x\ny\",2\n3,\"z\n"),
               expected: ["line 4", "column 'b'", "unterminated", "opened on line 4"]),
    BadCSVCase(name: "unterminated quote in the header", input: .text("\"a,b\n1,2\n"),
               expected: ["line 1", "field 1", "unterminated"]),
    BadCSVCase(name: "text after a closing quote", input: .text("a,b\n1,\"ab\"c\n"),
               expected: ["line 2", "column 'b'", "after the closing quote"]),
    BadCSVCase(name: "bare quote inside an unquoted field", input: .text("a,b\n1,2\n3,ab\"c\n"),
               expected: ["line 3", "column 'b'", "double quote inside an unquoted field"]),
    BadCSVCase(name: "invalid UTF-8 byte", input: .bytes(bytes("a,b\n1,2\n3,", [0xFF], "\n")),
               expected: ["line 3", "invalid UTF-8"]),
    BadCSVCase(name: "overlong UTF-8 sequence", input: .bytes(bytes("a,b\n1,", [0xC0, 0xAF], "\n")),
               expected: ["line 2", "invalid UTF-8"]),
    BadCSVCase(name: "truncated UTF-8 sequence at the end", input: .bytes(bytes("a,b\n1,2\n3,4", [0xE2, 0x82])),
               expected: ["line 3", "invalid UTF-8"]),
    BadCSVCase(name: "NUL byte", input: .bytes(bytes("a,b\n1,2", [0], "\n")),
               expected: ["line 2", "NUL"]),
    BadCSVCase(name: "UTF-16 file", input: .bytes([0xFF, 0xFE, 0x61, 0x00, 0x0A, 0x00]),
               expected: ["line 1", "UTF-16", "expected UTF-8"]),
    BadCSVCase(name: "UTF-16 text without a byte-order mark", input: .bytes([0x61, 0x00, 0x0A, 0x00, 0x31, 0x00]),
               expected: ["line 1", "NUL"]),
    BadCSVCase(name: "Inf in the first numeric column", input: .text("Reaction,Days\n250.5,0\nInf,1\n"),
               expected: ["line 3", "column 'Reaction' (field 1)", "'Inf'", "not a finite number", "mixed models"]),
    BadCSVCase(name: "Inf in a numeric column", input: .text("Reaction,Days\n250.5,0\n251.5,-Inf\n"),
               expected: ["line 3", "column 'Days' (field 2)", "'-Inf'", "finite"]),
    BadCSVCase(name: "number too large for a Double", input: .text("x,y\n1e400,1\n2,3\n"),
               expected: ["line 2", "column 'x'", "'1e400'", "finite"]),
    BadCSVCase(name: "categorical column that does not exist",
               input: .text("Reaction,Days,Subject\n1,2,3\n"),
               options: CSVReadOptions(categoricalColumns: ["Subjct"]),
               expected: ["'Subjct'", "declared categorical", "does not exist", "'Reaction', 'Days', 'Subject'"]),
    BadCSVCase(name: "level order for a column that does not exist", input: .text(sexData),
               options: CSVReadOptions(levelOrders: ["Gender": ["Male", "Female"]]),
               expected: ["level order", "'Gender'", "does not exist", "'Height', 'Sex'"]),
    BadCSVCase(name: "level order naming a level not in the data", input: .text(sexData),
               options: CSVReadOptions(levelOrders: ["Sex": ["Male", "Female", "Other"]]),
               expected: ["column 'Sex'", "'Other'", "not in the data", "'Female', 'Male'"]),
    BadCSVCase(name: "level order leaving out a level", input: .text(sexData),
               options: CSVReadOptions(levelOrders: ["Sex": ["Male"]]),
               expected: ["column 'Sex'", "leaves out", "'Female'"]),
    BadCSVCase(name: "level order repeating a level", input: .text(sexData),
               options: CSVReadOptions(levelOrders: ["Sex": ["Male", "Female", "Male"]]),
               expected: ["column 'Sex'", "'Male'", "more than once"]),
    BadCSVCase(name: "semicolon file read with a comma delimiter", input: .text("a;b;c\n1;2;3\n"),
               options: CSVReadOptions(delimiter: UInt8(ascii: ",")),
               expected: ["line 1", "single column 'a;b;c'", "';'", "delimiter"]),
    BadCSVCase(name: "double quote as the delimiter", input: .text("a,b\n1,2\n"),
               options: CSVReadOptions(delimiter: UInt8(ascii: "\"")),
               expected: ["delimiter", "cannot be used"]),
    BadCSVCase(name: "ragged row in a tab-separated file", input: .text("a\tb\tc\n1\t2\t3\n4\t5\t6\t7\n"),
               expected: ["line 3", "4 fields", "3 columns"]),
]

/// Bad CSV inputs: each error must say what is wrong and where.
@Suite struct CSVErrorTests {
    @Test("A bad CSV input gives an error that says what is wrong and where", arguments: badCSVCases)
    func badCSVInputIsReported(_ testCase: BadCSVCase) {
        do {
            let table = try testCase.read()
            Issue.record("expected an error, but read \(table.rowCount) rows of \(table.columnNames)")
        } catch {
            let message = error.description
            #expect(message.contains(testCase.source), "message does not name the source: \(message)")
            for phrase in testCase.expected {
                #expect(message.contains(phrase), "'\(phrase)' is missing from: \(message)")
            }
        }
    }

    @Test func thereAreAtLeastTwentyTwoBadInputs() {
        #expect(badCSVCases.count >= 22)
    }

    @Test func errorsAreEquatable() {
        let first = CSVError.noDataRows(source: "a.csv")
        #expect(first == CSVError.noDataRows(source: "a.csv"))
        #expect(first != CSVError.noDataRows(source: "b.csv"))
    }

    /// Damaged inputs must give a table or a `CSVError`, never a trap.
    @Test func randomlyDamagedInputsNeverTrap() {
        var generator = SplitMix64(seed: 42)
        let valid = Array("Reaction,Days,Subject\n249.56,0,\"308\"\n258.7047,1,\"308\"\n\"a\"\"b\",NA,\"x\ny\"\r\n1e3,,\"309\"\n".utf8)
        let alphabet: [UInt8] = Array(",;\t\"\r\n ab1.e-NA".utf8) + [0, 0xC3, 0xA9, 0xFF, 0xEF, 0xBB, 0xBF]
        var outcomes = (tables: 0, errors: 0)
        for _ in 0..<3_000 {
            var input = valid
            let edits = Int(generator.next() % 6) + 1
            for _ in 0..<edits {
                let position = Int(generator.next() % UInt64(input.count + 1))
                let byte = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                switch generator.next() % 3 {
                case 0: input.insert(byte, at: position)
                case 1: if position < input.count { input.remove(at: position) }
                default: if position < input.count { input[position] = byte }
                }
            }
            do {
                let table = try DataTable(csvBytes: input, source: "fuzz")
                #expect(table.columns.allSatisfy { $0.count == table.rowCount })
                outcomes.tables += 1
            } catch {
                #expect(error.description.hasPrefix("fuzz"))
                outcomes.errors += 1
            }
        }
        #expect(outcomes.tables > 0 && outcomes.errors > 0)
    }
}

/// A small deterministic random number generator, so failures can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
