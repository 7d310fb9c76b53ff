import Foundation
import Testing
@testable import MixedModels

/// The reader first tries one pass that types the columns as it tokenizes them
/// (`CSVReader.readInOnePass`), reading large inputs in two parts; when it gives up, the general
/// path reads the input. These tests check that the one-pass path, in one part and in two, gives
/// exactly the general path's table (values bit for bit, codes, level order, source lines) and
/// that reading gives the general path's errors.
@Suite("CSV one-pass path")
struct CSVOnePassTests {
    /// A table reduced to what must match exactly, or the error.
    enum Outcome: Equatable, CustomStringConvertible {
        case table(Snapshot)
        case error(CSVError)

        var description: String {
            switch self {
            case .table(let snapshot): return "table \(snapshot)"
            case .error(let error): return "error \(error)"
            }
        }
    }

    struct Snapshot: Equatable {
        var names: [String]
        /// Per column: the values' bit patterns (numeric) or nil.
        var numbers: [[UInt64]?]
        /// Per column: codes and levels (categorical) or nil.
        var codes: [[Int32]?]
        var levels: [[String]?]
        var lines: [Int]?
        var source: String

        init(_ table: DataTable) {
            names = table.columnNames
            numbers = table.columns.map { column in
                guard case .numeric(let numeric) = column else { return nil }
                return numeric.values.map(\.bitPattern)
            }
            codes = table.columns.map { column in
                guard case .categorical(let categorical) = column else { return nil }
                return categorical.codes
            }
            levels = table.columns.map { column in
                guard case .categorical(let categorical) = column else { return nil }
                return categorical.levels
            }
            lines = table.sourceLines
            source = table.source
        }
    }

    static func reader(_ options: CSVReadOptions, onePass: Bool = true, split: Bool = false) -> CSVReader {
        var reader = CSVReader(source: "data.csv", options: options, fileExtension: nil)
        reader.triesOnePass = onePass
        reader.splitThreshold = split ? 0 : Int.max
        return reader
    }

    static func outcome(_ bytes: [UInt8], _ reader: CSVReader) -> Outcome {
        bytes.withUnsafeBufferPointer { buffer in
            do throws(CSVError) {
                return .table(Snapshot(try reader.read(buffer)))
            } catch {
                return .error(error)
            }
        }
    }

    /// The one-pass path alone: `nil` when it gives up.
    static func onePassOutcome(_ bytes: [UInt8], _ reader: CSVReader) -> Outcome? {
        bytes.withUnsafeBufferPointer { buffer in
            do throws(CSVError) {
                return try reader.readInOnePassOnly(buffer).map { .table(Snapshot($0)) }
            } catch {
                return .error(error)
            }
        }
    }

    enum Expectation: Sendable {
        /// In one part and in two.
        case always
        /// In one part; in two it may give up (the split falls inside a quoted field, or the
        /// first part has text where the second has only numbers).
        case inOnePart
        /// It may give up: the general path gives the error, or needs fields already passed.
        case mayGiveUp
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        var options = CSVReadOptions()
        /// Whether the one-pass path should give the result itself.
        var onePass = Expectation.always
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "quotes", text: "a,b,c\n\"x,y\",1,\"he said \"\"hi\"\"\"\n\"z\",2,plain\n\"w\",3,\"\"\n"),
        Case(name: "CRLF", text: "a,b\r\n1,x\r\n2,y\r\n\r\n3,z\r\n"),
        Case(name: "lone CR", text: "a,b\r1,x\r\r2,y\r3,x"),
        Case(name: "empty fields and NA", text: "a,b,c\n1,,x\n,2,\nNA,\"NA\",NA\n3,4,y\n"),
        Case(name: "missing codes", text: "a,b\n-999,x\n1.5,.\n.,y\n-999,-999\n",
             options: CSVReadOptions(missingTokens: ["-999", ".", ""])),
        Case(name: "unicode labels", text: "id,name\n1,é\n2,日本\n3,B\n4,a\n5,e\u{301}\n6,🙂\n7,Ä\n8,é\n9,日本語\n"),
        Case(name: "long labels and shared prefixes",
             text: "g,y\nabcdefgh,1\nabcdefghi,2\nabcdefg,3\nabcdefgh_long_label_2,4\nabcdefgh_long_label_1,5\n"
                + "\(String(repeating: "z", count: 300)),6\n\(String(repeating: "z", count: 299))y,7\nabcdefghi,8\n"
                + "\"abcdefgh_long_label_1\",9\n\(String(repeating: "z", count: 300)),10\n"),
        Case(name: "exponents and odd numbers",
             text: "v,w\n1e5,a\n-2.5E-3,b\n+3.25e+10,c\n.5,d\n5.,e\n0.000000000000000000000000123,f\n"
                + "123456789012345678901234,g\n-0.0,h\n1e-400,i\n0.30000000000000004,j\n1.7976931348623157e308,k\n"
                + "4.9e-324,l\n9007199254740993,m\n\(String(repeating: "1", count: 300)),n\n"),
        Case(name: "NaN is missing", text: "v,w\nNaN,1\n-nan,2\n2,3\n\"NaN\",4\n"),
        Case(name: "an infinity is an error", text: "v\n1\n1e400\n", onePass: .mayGiveUp),
        Case(name: "an infinity in a text column", text: "v\nInf\nabc\n", onePass: .mayGiveUp),
        Case(name: "a numeric column with text later", text: "v\n1\n2\nx\n", onePass: .mayGiveUp),
        Case(name: "all quoted numbers are labels", text: "s,y\n\"308\",1\n\"309\",2\n\"308\",3\n\"10\",4\n\"1e1\",5\n"),
        Case(name: "quoted and unquoted numbers", text: "s\n\"3\"\n\"NA\"\n\"5\"\n4\n\"3\"\n"),
        Case(name: "an escaped quote makes text", text: "s\n\"3\"\n\"4\"\"\"\n5\n", onePass: .inOnePart),
        Case(name: "all missing", text: "a,b\n1,\n2,NA\n3,\"\"\n"),
        Case(name: "missing, then text", text: "a,b\n1,\n2,x\n3,\n"),
        Case(name: "missing, then numbers", text: "a,b\n1,\n2,NA\n3,4.5\n"),
        Case(name: "blanks", text: "a , b\n 1 , x \n\t2\t,\t\"y\" \n3,  \n"),
        Case(name: "tab delimiter", text: "a\tb\n1\tx y\n2\t z\n", options: CSVReadOptions(delimiter: UInt8(ascii: "\t"))),
        Case(name: "decimal comma", text: "a;b\n1,5;x\n2,25;y\n\"3,5\";z\n",
             options: CSVReadOptions(decimalSeparator: UInt8(ascii: ","))),
        Case(name: "empty lines", text: "\n\na,b\n\n1,x\n\n\n2,y\n\n"),
        Case(name: "no final line break", text: "a,b\n1,x\n2,y"),
        Case(name: "a quoted line break", text: "a,b\n1,\"line1\nline2\"\n2,y\n3,\"line1\r\nline2\"\n", onePass: .inOnePart),
        Case(name: "declared categorical numbers", text: "id,v\n10,a\n9,b\n1.0,c\n1,d\n-0,e\n0,f\n",
             options: CSVReadOptions(categoricalColumns: ["id"])),
        Case(name: "numbers in one part, text in the other", text: "g,y\n10,1\n9,2\n1.0,3\nx,4\n2,5\n10,6\n",
             options: CSVReadOptions(categoricalColumns: ["g"])),
        Case(name: "a level order", text: "g,y\na,1\nb,2\na,3\nc,4\n", options: CSVReadOptions(levelOrders: ["g": ["c", "b", "a"]])),
        Case(name: "a level order that leaves out a level", text: "g,y\na,1\nb,2\n",
             options: CSVReadOptions(levelOrders: ["g": ["b"]]), onePass: .mayGiveUp),
        Case(name: "a level order with an unknown level", text: "g,y\na,1\nb,2\n",
             options: CSVReadOptions(levelOrders: ["g": ["b", "a", "q"]]), onePass: .mayGiveUp),
        Case(name: "a ragged row", text: "a,b\n1,2\n3\n4,5\n", onePass: .mayGiveUp),
        Case(name: "a long row", text: "a,b\n1,2\n3,4,5\n", onePass: .mayGiveUp),
        Case(name: "an unterminated quote", text: "a,b\n1,\"abc\n2,3\n", onePass: .mayGiveUp),
        Case(name: "text after a closing quote", text: "a,b\n1,\"ab\"c\n", onePass: .mayGiveUp),
        Case(name: "a quote in an unquoted field", text: "a,b\n1,ab\"c\n", onePass: .mayGiveUp),
        Case(name: "no data rows", text: "a,b\n\n", onePass: .mayGiveUp),
        Case(name: "byte-order mark", text: "\u{FEFF}a,b\n1,x\n"),
        Case(name: "bytewise label order", text: "g,y\nb10,1\nb9,2\nB,3\na,4\n_,5\n~,6\n"),
        Case(name: "numeric label order", text: "g\n\"10\"\n\"9\"\n\"1e1\"\n\"-1\"\n\"0.5\"\n\"+9\"\n"),
    ]

    @Test("the one-pass path gives the general path's result", arguments: cases)
    func sameAsGeneralPath(_ example: Case) {
        let bytes = Array(example.text.utf8)
        let general = Self.outcome(bytes, Self.reader(example.options, onePass: false))
        for split in [false, true] {
            let reader = Self.reader(example.options, split: split)
            #expect(Self.outcome(bytes, reader) == general, "split: \(split)")
            let onePass = Self.onePassOutcome(bytes, reader)
            if example.onePass == .always || (example.onePass == .inOnePart && !split) {
                #expect(onePass == general, "split: \(split)")
            } else if let onePass {
                #expect(onePass == general, "split: \(split)")
            }
        }
        // The same records in other orders move the split and the first appearances.
        let lines = example.text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 2 else { return }
        for shift in 1..<(lines.count - 1) {
            let body = Array(lines[1...])
            let rotated = [lines[0]] + Array(body[shift...] + body[..<shift])
            let text = Array(rotated.joined(separator: "\n").utf8)
            let expected = Self.outcome(text, Self.reader(example.options, onePass: false))
            for split in [false, true] {
                #expect(Self.outcome(text, Self.reader(example.options, split: split)) == expected,
                        "shift \(shift), split: \(split)")
            }
        }
    }

    /// Random small files from tricky fields: the one-pass path, in one part or two, never
    /// disagrees with the general path, and it is taken for a good share of them.
    @Test func randomFilesMatchGeneralPath() {
        let fields = ["1", "-2.5", "1e3", "\"7\"", "NA", "", "\"NA\"", "x", "\"a,b\"", "\"q\"\"q\"", "Inf", "NaN",
                      " 3 ", "é", "\"line\nbreak\"", "0.1", "abcdefghij", "abcdefgh", "-0", "\"\"", "12345678901234567890",
                      ".5", "y", "\"8\""]
        let breaks = ["\n", "\r\n", "\r"]
        var generator = SplitMix64(seed: 11)
        var disagreements = [String]()
        var takenInOnePass = 0
        let files = 3_000
        for _ in 0..<files {
            let columns = Int(generator.next() % 4) + 1
            let rows = Int(generator.next() % 12) + 1
            let lineBreak = breaks[Int(generator.next() % 3)]
            // Columns draw from a few fields each, so that many are consistently typed.
            let pools = (0..<columns).map { _ in (0..<3).map { _ in fields[Int(generator.next() % UInt64(fields.count))] } }
            var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + lineBreak
            for _ in 0..<rows {
                var count = columns
                if generator.next() % 40 == 0 { count += generator.next() % 2 == 0 ? 1 : -1 }
                let row = (0..<max(count, 1)).map { column in
                    let pool = pools[min(column, columns - 1)]
                    return pool[Int(generator.next() % UInt64(pool.count))]
                }
                text += row.joined(separator: ",") + lineBreak
                if generator.next() % 10 == 0 { text += lineBreak }
            }
            let bytes = Array(text.utf8)
            let options = CSVReadOptions()
            let general = Self.outcome(bytes, Self.reader(options, onePass: false))
            for split in [false, true] {
                let reader = Self.reader(options, split: split)
                if Self.outcome(bytes, reader) != general { disagreements.append(text) }
                if let onePass = Self.onePassOutcome(bytes, reader) {
                    if onePass != general { disagreements.append(text) }
                    if !split { takenInOnePass += 1 }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(3))")
        #expect(takenInOnePass > files / 4, "the one-pass path read only \(takenInOnePass) of \(files) files")
    }

    /// A large R-style file (quoted labels, empty lines) is read in two parts on the one-pass
    /// path and gives the general path's table and lines.
    @Test func largeQuotedFileInTwoParts() {
        var generator = SplitMix64(seed: 5)
        var text = "\"y\",\"x\",\"subject\",\"item\"\n"
        for row in 0..<60_000 {
            let y = Double(generator.next() % 1_000_000) / 1000
            text += "\(y),\(generator.next() % 100),\"s\(row / 7)\",\"it\(generator.next() % 301)\"\n"
            if row % 997 == 0 { text += "\n" }
        }
        let bytes = Array(text.utf8)
        let general = Self.outcome(bytes, Self.reader(CSVReadOptions(), onePass: false))
        guard case .table = general else {
            Issue.record("the general path failed: \(general)")
            return
        }
        #expect(Self.onePassOutcome(bytes, Self.reader(CSVReadOptions(), split: true)) == general)
        #expect(Self.onePassOutcome(bytes, Self.reader(CSVReadOptions(), split: false)) == general)
    }
}
