import Foundation
import Testing
@testable import MixedModels

// MARK: - Helpers

private func numbers(_ table: DataTable, _ name: String) -> [Double]? {
    guard case .numeric(let column)? = table.column(named: name) else { return nil }
    return column.values
}

private func categorical(_ table: DataTable, _ name: String) -> CategoricalColumn? {
    guard case .categorical(let column)? = table.column(named: name) else { return nil }
    return column
}

private func labels(_ table: DataTable, _ name: String) -> [String?] {
    guard let column = categorical(table, name) else { return [] }
    return column.codes.indices.map { column.label(at: $0) }
}

/// Numbers are equal bit for bit, so NaN equals NaN and 0 differs from -0.
private func sameBits(_ left: [Double]?, _ right: [Double]) -> Bool {
    guard let left, left.count == right.count else { return false }
    return zip(left, right).allSatisfy { $0.bitPattern == $1.bitPattern }
}

private func parse(_ text: String) -> ParsedNumber {
    NumberParsing.parse(text)
}

/// What `Double(String)` says about a text the reader accepts as a number.
private func expected(_ text: String) -> ParsedNumber? {
    guard let value = Double(text) else { return nil }
    return value.isFinite ? .finite(value) : .nonFinite
}

private func sameParse(_ text: String) -> Bool {
    switch (parse(text), expected(text)) {
    case (.finite(let mine), .finite(let swift)?): return mine.bitPattern == swift.bitPattern
    case (.nonFinite, .nonFinite?): return true
    default: return false
    }
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("csv-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Reading CSV and TSV text and files into tables.
@Suite struct CSVReaderTests {
    // MARK: - Structure

    @Test func readsRWriteCSVOutputWithQuotedFactorLabels() throws {
        let table = try DataTable(csv: "\"Reaction\",\"Days\",\"Subject\"\n249.56,0,\"308\"\n258.7047,1,\"308\"\n222.7339,0,\"309\"\n",
                                  source: "sleep.csv")
        #expect(table.columnNames == ["Reaction", "Days", "Subject"])
        #expect(table.rowCount == 3)
        #expect(table.source == "sleep.csv")
        #expect(numbers(table, "Reaction") == [249.56, 258.7047, 222.7339])
        #expect(numbers(table, "Days") == [0, 1, 0])
        #expect(categorical(table, "Subject") == CategoricalColumn(codes: [0, 0, 1], levels: ["308", "309"]))
    }

    @Test func acceptsCRLFBOMMissingFinalNewlineAndBlankLines() throws {
        let variants = [
            "a,b\n1,x\n2,y",
            "a,b\r\n1,x\r\n2,y\r\n",
            "\u{FEFF}a,b\n1,x\n2,y\n\n",
            "\n\na,b\n\n1,x\n\n2,y\n\n\n",
            "a,b\r1,x\r2,y\r",
        ]
        for text in variants {
            let table = try DataTable(csv: text)
            #expect(table.columnNames == ["a", "b"], "\(text.debugDescription)")
            #expect(numbers(table, "a") == [1, 2])
            #expect(labels(table, "b") == ["x", "y"])
        }
    }

    @Test func quotedFieldsHoldDelimitersQuotesAndLineBreaks() throws {
        let text = "id,text\n1,\"a,b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\r\nlines\"\n4,\"\"\"\"\n"
        let table = try DataTable(csv: text)
        #expect(table.rowCount == 4)
        #expect(labels(table, "text") == ["a,b", "say \"hi\"", "two\r\nlines", "\""])
    }

    @Test func quotedHeaderNamesAndBlanksAroundFields() throws {
        let table = try DataTable(csv: "\"my col\", other \n  1.5 , \"x y\" \n2,\t z\n")
        #expect(table.columnNames == ["my col", "other"])
        #expect(numbers(table, "my col") == [1.5, 2])
        #expect(labels(table, "other") == ["x y", "z"])
    }

    @Test func lineNumbersOfRecordsFollowQuotedLineBreaks() throws {
        do {
            _ = try DataTable(csv: "a,b\n\"x\ny\",1\n2,Inf\n", source: "s")
            Issue.record("expected an error")
        } catch {
            #expect(error == .nonFiniteNumber(source: "s", line: 4, column: "b", field: 2, text: "Inf"))
        }
    }

    // MARK: - Delimiters

    @Test func infersTabAndSemicolonFromTheHeader() throws {
        let tsv = try DataTable(csv: "a\tb\n1,5\tx\n")
        #expect(tsv.columnNames == ["a", "b"])
        #expect(labels(tsv, "a") == ["1,5"])
        let semicolon = try DataTable(csv: "a;b\n1;x\n")
        #expect(semicolon.columnNames == ["a", "b"])
        let comma = try DataTable(csv: "a,b;c\n1,x\n")
        #expect(comma.columnNames == ["a", "b;c"])
        let quotedComma = try DataTable(csv: "\"a,1\"\t\"b\"\n1\t2\n")
        #expect(quotedComma.columnNames == ["a,1", "b"])
    }

    @Test func explicitDelimiterWins() throws {
        let table = try DataTable(csv: "a|b\n1|2\n", options: CSVReadOptions(delimiter: UInt8(ascii: "|")))
        #expect(table.columnNames == ["a", "b"])
        #expect(numbers(table, "b") == [2])
    }

    @Test func tsvFileExtensionMeansTab() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("data.tsv")
        try Data("a,b\tc\n1\t2\n".utf8).write(to: url)
        let table = try DataTable(contentsOf: url)
        #expect(table.columnNames == ["a,b", "c"])
        #expect(table.source == url.path(percentEncoded: false))
    }

    // MARK: - Types and missing values

    @Test func columnTypesAreInferred() throws {
        let text = "num,quotedNum,mixedQuote,text,allMissing\n1,\"1\",\"1\",a,NA\n2.5,\"10\",2,b,\n-3e2,\"2\",3,c,NA\n"
        let table = try DataTable(csv: text)
        #expect(numbers(table, "num") == [1, 2.5, -300])
        #expect(categorical(table, "quotedNum")?.levels == ["1", "2", "10"])
        #expect(numbers(table, "mixedQuote") == [1, 2, 3])
        #expect(categorical(table, "text")?.levels == ["a", "b", "c"])
        #expect(numbers(table, "allMissing")?.allSatisfy(\.isNaN) == true)
    }

    @Test func missingValuesAreNaNOrMissingCode() throws {
        let table = try DataTable(csv: "x,g\nNA,a\n,NA\n\"\",\"\"\n 4 ,b\n\"NA\",c\n")
        #expect(sameBits(numbers(table, "x"), [.nan, .nan, .nan, 4, .nan]))
        #expect(labels(table, "g") == ["a", nil, nil, "b", "c"])
        #expect(categorical(table, "g")?.levels == ["a", "b", "c"])
    }

    @Test func customMissingTokens() throws {
        let options = CSVReadOptions(missingTokens: ["-", "."])
        let table = try DataTable(csv: "x,g\n-,a\n1,.\n2,NA\n", options: options)
        #expect(sameBits(numbers(table, "x"), [.nan, 1, 2]))
        #expect(labels(table, "g") == ["a", nil, "NA"])
    }

    @Test func nonFiniteWordsAreLabelsInTextColumns() throws {
        let table = try DataTable(csv: "name,quoted\nNaN,\"Inf\"\nBob,\"1\"\n")
        #expect(categorical(table, "name")?.levels == ["Bob", "NaN"])
        #expect(categorical(table, "quoted")?.levels == ["1", "Inf"])
    }

    @Test func hexadecimalIsText() throws {
        let table = try DataTable(csv: "h\n0x1A\n10\n")
        #expect(categorical(table, "h")?.levels == ["0x1A", "10"])
    }

    @Test func declaredCategoricalKeepsTheTextAsWritten() throws {
        let options = CSVReadOptions(categoricalColumns: ["Subject", "dose"])
        let table = try DataTable(csv: "Subject,dose,y\n310,1.50,1\n308,0.5,2\n99,NA,3\n308,10,4\n", options: options)
        #expect(categorical(table, "Subject") == CategoricalColumn(codes: [2, 1, 0, 1], levels: ["99", "308", "310"]))
        #expect(labels(table, "dose") == ["1.50", "0.5", nil, "10"])
        #expect(categorical(table, "dose")?.levels == ["0.5", "1.50", "10"])
        #expect(numbers(table, "y") == [1, 2, 3, 4])
    }

    @Test func textLevelsSortByUnicodeScalars() throws {
        let table = try DataTable(csv: "g\nb\nB\na\nÄ\n10\n9\n")
        #expect(categorical(table, "g")?.levels == ["10", "9", "B", "a", "b", "Ä"])
    }

    @Test func levelOrdersSetTheReferenceLevel() throws {
        let options = CSVReadOptions(levelOrders: ["Sex": ["Male", "Female"], "Days": ["2", "0", "1"]])
        let table = try DataTable(csv: "Sex,Days\nFemale,0\nMale,1\nNA,2\nMale,0\n", options: options)
        #expect(categorical(table, "Sex") == CategoricalColumn(codes: [1, 0, -1, 0], levels: ["Male", "Female"]))
        #expect(categorical(table, "Days") == CategoricalColumn(codes: [1, 2, 0, 1], levels: ["2", "0", "1"]))
    }

    // MARK: - Level changes on tables

    @Test func reorderingLevelsRecodes() throws {
        let table = try DataTable(csv: "g,y\nb,1\na,2\nc,3\nNA,4\n")
        let reordered = try table.reorderingLevels(of: "g", to: ["c", "a", "b"])
        #expect(categorical(reordered, "g") == CategoricalColumn(codes: [2, 1, 0, -1], levels: ["c", "a", "b"]))
        #expect(labels(reordered, "g") == labels(table, "g"))
        #expect(categorical(table, "g")?.levels == ["a", "b", "c"])
    }

    @Test func reorderingLevelsReportsBadOrders() throws {
        let table = try DataTable(csv: "g,y\nb,1\na,2\n")
        #expect(throws: DataTableError.duplicateLevel(column: "g", level: "a")) {
            try table.reorderingLevels(of: "g", to: ["a", "a", "b"])
        }
        #expect(throws: DataTableError.unknownLevel(column: "g", level: "z", available: ["a", "b"])) {
            try table.reorderingLevels(of: "g", to: ["a", "b", "z"])
        }
        #expect(throws: DataTableError.incompleteLevelOrder(column: "g", missing: ["b"])) {
            try table.reorderingLevels(of: "g", to: ["a"])
        }
        #expect(throws: DataTableError.unknownColumn("h", available: ["g", "y"])) {
            try table.reorderingLevels(of: "h", to: ["a"])
        }
    }

    @Test func reorderingLevelsOfANumericColumnMakesItCategorical() throws {
        let table = try DataTable(csv: "Days,y\n0,1\n1,2\n2,3\n")
        let reordered = try table.reorderingLevels(of: "Days", to: ["2", "0", "1"])
        #expect(categorical(reordered, "Days") == CategoricalColumn(codes: [1, 2, 0], levels: ["2", "0", "1"]))
    }

    @Test func makingCategoricalSortsNumericallyAndPrintsLikeTheInput() throws {
        let table = try DataTable(csv: "x,y\n308,1\n1.5,2\n-0,3\nNA,4\n308,5\n10,6\n")
        let made = try table.makingCategorical("x")
        #expect(categorical(made, "x") == CategoricalColumn(codes: [3, 1, 0, -1, 3, 2], levels: ["0", "1.5", "10", "308"]))
        #expect(try made.makingCategorical("x") == made)
        #expect(throws: DataTableError.unknownColumn("z", available: ["x", "y"])) { try table.makingCategorical("z") }
        #expect(DataTable.label(for: 1e20) == "1e+20")
        #expect(DataTable.label(for: 0.1) == "0.1")
    }

    // MARK: - Built-in data sets

    private struct Manifest: Decodable {
        struct Dataset: Decodable {
            let file: String
            let rows: Int
            let columns: [ManifestColumn]
        }
        struct ManifestColumn: Decodable {
            let name: String
            let type: String
            let levels: [String]?
        }
        let datasets: [String: Dataset]
    }

    private func datasetsDirectory() -> URL {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/MixedModels/Datasets")
    }

    @Test func readsEveryBuiltInDataSetAsTheManifestDescribes() throws {
        let directory = datasetsDirectory()
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        #expect(manifest.datasets.count >= 14)
        for (name, dataset) in manifest.datasets {
            let url = directory.appendingPathComponent(dataset.file)
            var orders = [String: [String]]()
            for column in dataset.columns { orders[column.name] = column.levels }
            let plain = try DataTable(contentsOf: url)
            let ordered = try DataTable(contentsOf: url, options: CSVReadOptions(levelOrders: orders))
            #expect(plain.rowCount == dataset.rows, "\(name)")
            #expect(plain.columnNames == dataset.columns.map(\.name), "\(name)")
            for column in dataset.columns {
                let isFactor = column.type == "factor"
                #expect(plain.column(named: column.name)?.isCategorical == isFactor, "\(name).\(column.name)")
                if let levels = column.levels {
                    #expect(categorical(ordered, column.name)?.levels == levels, "\(name).\(column.name)")
                    #expect(Set(categorical(plain, column.name)?.levels ?? []) == Set(levels), "\(name).\(column.name)")
                    #expect(labels(ordered, column.name) == labels(plain, column.name), "\(name).\(column.name)")
                }
            }
        }
    }

    // MARK: - Number parsing

    @Test(arguments: [
        "0", "-0", "+0", "0.0", "-0.0", "0.1", "0.2", "0.3", "1", "-1", "+1.5", ".5", "5.", "-.5e-3", "1e5", "1E5", "1e+5",
        "00012", "0.000001", "123456789", "249.56", "258.7047", "1e-320", "4.9e-324", "5e-324", "2.4e-324", "2.5e-324",
        "1.7976931348623157e308", "1.7976931348623158e308", "2.2250738585072011e-308", "2.2250738585072014e-308",
        "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995", "1e22", "1e23", "1e37",
        "123456789012345678901234567890", "0.1000000000000000055511151231257827", "8.98846567431158e307",
        "3.141592653589793238462643383279", "1e-400", "0e999999", "1e0000000000000000000001",
        "7.038531e-26", "0.30000000000000004", "1448997445238699", "4.35679719e+22", "179769313486231580793728971405301e276",
        "1e400", "-1e400", "1.8e308",
    ] as [String])
    func numberParsingMatchesSwift(_ text: String) {
        #expect(sameParse(text), "\(text): \(parse(text)) vs \(String(describing: Double(text)))")
    }

    @Test(arguments: ["", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "1,5", "0x10", "1_000", " 1", "1 ", "--1", "1e5.5", "١"] as [String])
    func nonNumbersAreText(_ text: String) {
        #expect(parse(text) == .notANumber)
    }

    @Test(arguments: ["NaN", "nan", "-nan", "Inf", "-Inf", "+inf", "INFINITY", "Infinity"] as [String])
    func nonFiniteWordsAreRecognised(_ text: String) {
        #expect(parse(text) == .nonFinite)
    }

    @Test func numberParsingMatchesSwiftOnRandomValues() {
        var generator = SplitMix64(seed: 2024)
        var mismatches = [String]()
        for _ in 0..<100_000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            for text in [value.description, String(format: "%.17g", value), String(format: "%.15g", value)]
            where !sameParse(text) {
                mismatches.append(text)
            }
        }
        for _ in 0..<200_000 {
            let text = randomDecimal(&generator)
            if !sameParse(text) { mismatches.append(text) }
        }
        for _ in 0..<50_000 {
            let value = (Double(generator.next() % 2_000_000) - 1_000_000) / 10_000
            if !sameParse(value.description) { mismatches.append(value.description) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    /// Random decimal text: 1 to 25 digits, an optional point, an optional exponent.
    private func randomDecimal(_ generator: inout SplitMix64) -> String {
        let digitCount = Int(generator.next() % 25) + 1
        var digits = (0..<digitCount).map { _ in Character(String(generator.next() % 10)) }
        if generator.next() % 2 == 0 {
            digits.insert(".", at: Int(generator.next() % UInt64(digitCount + 1)))
        }
        var text = (generator.next() % 4 == 0 ? "-" : "") + String(digits)
        if generator.next() % 2 == 0 {
            text += "e\(Int(generator.next() % 660) - 330)"
        }
        return text
    }

    @Test func labelInternerGivesCodesInOrderOfAppearance() {
        var interner = LabelInterner()
        var codes = [Int32]()
        let words = (0..<1_000).map { "w\($0 % 300)" }
        for word in words {
            var copy = word
            codes.append(copy.withUTF8 { interner.code(for: $0) })
        }
        #expect(interner.count == 300)
        #expect(interner.labels == (0..<300).map { "w\($0)" })
        #expect(codes.enumerated().allSatisfy { Int($1) == $0 % 300 })
    }

    // MARK: - Speed

    /// Reads generated 1,000,000-row, 4-column CSV files (3 numeric columns and 1 quoted
    /// categorical one) and prints the best of three times. Run in release mode:
    /// `MM_BENCH=1 swift test -c release --filter csvReadSpeed`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["MM_BENCH"] != nil))
    func csvReadSpeed() throws {
        let short = try timeReading(label: "short decimals (249.56)") { generator in
            let reaction = Double(150_000 + generator.next() % 350_000) / 1_000
            let days = generator.next() % 10
            let dose = Double(generator.next() % 100_000) / 10_000 - 5
            return "\(reaction),\(days),\(dose),\"S\(100 + generator.next() % 1_000)\"\n"
        }
        let full = try timeReading(label: "17-digit doubles") { generator in
            let values = (0..<3).map { _ in String(format: "%.17g", Double(generator.next() % (1 << 52)) / Double(1 << 40)) }
            return values.joined(separator: ",") + ",\"S\(100 + generator.next() % 1_000)\"\n"
        }
        #expect(short < 2 && full < 5)
    }

    /// Writes a 1,000,000-row file with rows from `row`, reads it three times, prints and
    /// returns the best time in seconds.
    private func timeReading(label: String, row: (inout SplitMix64) -> String) throws -> Double {
        let rows = 1_000_000
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("bench.csv")
        var generator = SplitMix64(seed: 7)
        var text = "\"Reaction\",\"Days\",\"Dose\",\"Subject\"\n"
        text.reserveCapacity(rows * 64)
        for _ in 0..<rows { text += row(&generator) }
        try Data(text.utf8).write(to: url)
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        var table: DataTable?
        for _ in 0..<3 {
            let start = clock.now
            table = try DataTable(contentsOf: url)
            best = min(best, clock.now - start)
        }
        #expect(table?.rowCount == rows)
        #expect(table?.column(named: "Subject")?.isCategorical == true)
        #expect(table?.column(named: "Dose")?.isCategorical == false)
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        print("csvReadSpeed, \(label): \(rows) rows x 4 columns, \(text.utf8.count) bytes: best of 3 = \(String(format: "%.3f", seconds)) s")
        return seconds
    }
}
