/// Reads CSV or TSV bytes into a ``DataTable``.
///
/// The work is done in passes over the bytes, never through `String` splitting:
/// 1. the encoding check (UTF-8, no NUL byte; an initial byte-order mark is skipped);
/// 2. the header record, and checks of the header and of the options against it;
/// 3. the records, as byte spans per field (``CSVTokenizer``);
/// 4. per column, the type and values: numeric when every non-missing field is a finite decimal
///    number and not every one of them is quoted; otherwise categorical, with labels interned
///    from bytes (``LabelInterner``) and levels ordered by ``LevelOrdering``.
///
/// Steps 3 and 4 are first tried in one pass (``readInOnePass(from:input:delimiter:names:)``),
/// which gives the same table when it succeeds; when it gives up, the steps above run as written
/// and give the exact table or error.
struct CSVReader {
    /// The source named in messages: a file path or a caller-given name.
    let source: String
    let options: CSVReadOptions
    /// The file name extension, used to infer a tab delimiter for `.tsv` and `.tab` files.
    let fileExtension: String?
    /// Whether to try the one-pass path first (``readInOnePass(from:input:delimiter:names:)``);
    /// tests turn it off to compare it with the general path.
    var triesOnePass = true
    /// The least number of record bytes the one-pass path reads in two parts, or `nil` for
    /// ``parallelByteThreshold`` on a machine with more than one core; tests set it to split
    /// small inputs.
    var splitThreshold: Int?

    /// Reads `input` (the whole file) into a table.
    func read(_ input: UnsafeBufferPointer<UInt8>) throws(CSVError) -> DataTable {
        let (start, delimiter, names) = try readHeader(of: input)
        if triesOnePass, let table = readInOnePass(from: start, input: input, delimiter: delimiter, names: names) {
            return table
        }
        var tokenizer = start
        return try readRecordsGenerally(&tokenizer, input: input, delimiter: delimiter, names: names)
    }

    /// Reads `input` by the one-pass path only: `nil` when that path gives up (for tests, which
    /// check that it is taken where it should be).
    func readInOnePassOnly(_ input: UnsafeBufferPointer<UInt8>) throws(CSVError) -> DataTable? {
        let (tokenizer, delimiter, names) = try readHeader(of: input)
        return readInOnePass(from: tokenizer, input: input, delimiter: delimiter, names: names)
    }

    /// Steps 1 and 2: the tokenizer after the header, the delimiter and the column names.
    private func readHeader(
        of input: UnsafeBufferPointer<UInt8>
    ) throws(CSVError) -> (tokenizer: CSVTokenizer, delimiter: UInt8, names: [String]) {
        let start = Self.byteOrderMarkLength(input)
        try checkEncoding(input, from: start)
        let delimiter = try chooseDelimiter(input, from: start)
        let decimal = options.decimalSeparator
        guard decimal == UInt8(ascii: ".") || decimal == UInt8(ascii: ","), decimal != delimiter else {
            throw .invalidDecimalSeparator(source: source, byte: decimal, delimiter: delimiter)
        }
        var tokenizer = CSVTokenizer(bytes: input, start: start, delimiter: delimiter)
        guard tokenizer.skipEmptyLines() else { throw .emptyInput(source: source) }
        let names = try readHeader(&tokenizer, input: input, delimiter: delimiter)
        try checkOptions(against: names)
        return (tokenizer, delimiter, names)
    }

    /// Steps 3 and 4 as written.
    private func readRecordsGenerally(
        _ tokenizer: inout CSVTokenizer, input: UnsafeBufferPointer<UInt8>, delimiter: UInt8, names: [String]
    ) throws(CSVError) -> DataTable {
        let grid = try readAllRecords(&tokenizer, input: input, delimiter: delimiter, names: names)
        guard grid.rowCount > 0 else { throw .noDataRows(source: source) }
        let missing = MissingTokens(options.missingTokens)
        // Columns are typed and coded independently: on both cores when the file is large.
        let shared = SharedInput(bytes: input)
        let reader = self
        let threads = grid.rowCount >= Self.parallelRowThreshold ? 2 : 1
        let results = ParallelReplicates.run(count: names.count, threads: threads) { index -> Result<Column, CSVError> in
            do throws(CSVError) {
                return .success(try reader.column(index, names: names, grid: grid, input: shared.bytes, missing: missing))
            } catch {
                return .failure(error)
            }
        }
        var columns = [Column]()
        columns.reserveCapacity(names.count)
        for result in results {
            switch result {
            case .success(let column): columns.append(column)
            case .failure(let error): throw error
            }
        }
        do {
            return try DataTable(columnNames: names, columns: columns, source: source, sourceLines: grid.rowLines,
                                 levelLabelsKnownDistinct: true)
        } catch {
            throw .invalidTable(source: source, error)
        }
    }

    // MARK: - Encoding and delimiter

    private static func byteOrderMarkLength(_ input: UnsafeBufferPointer<UInt8>) -> Int {
        input.count >= 3 && input[0] == 0xEF && input[1] == 0xBB && input[2] == 0xBF ? 3 : 0
    }

    private func checkEncoding(_ input: UnsafeBufferPointer<UInt8>, from start: Int) throws(CSVError) {
        if input.count >= 2, (input[0] == 0xFF && input[1] == 0xFE) || (input[0] == 0xFE && input[1] == 0xFF) {
            throw .utf16Input(source: source)
        }
        switch CSVEncodingCheck.firstProblem(in: input, from: start) {
        case nil:
            return
        case .invalidUTF8(let offset)?:
            throw .invalidUTF8(source: source, line: CSVEncodingCheck.line(of: offset, in: input), byteOffset: offset)
        case .nulByte(let offset)?:
            throw .nulByte(source: source, line: CSVEncodingCheck.line(of: offset, in: input))
        }
    }

    /// The given delimiter, or the inferred one (see ``CSVReadOptions/delimiter``).
    private func chooseDelimiter(_ input: UnsafeBufferPointer<UInt8>, from start: Int) throws(CSVError) -> UInt8 {
        if let given = options.delimiter {
            let forbidden: Set<UInt8> = [0, UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
            guard given < 0x80, !forbidden.contains(given) else {
                throw .invalidDelimiter(source: source, byte: given)
            }
            return given
        }
        if let fileExtension, ["tsv", "tab"].contains(fileExtension.lowercased()) {
            return UInt8(ascii: "\t")
        }
        let counts = Self.headerDelimiterCounts(input, from: start)
        if options.decimalSeparator == UInt8(ascii: ",") {
            if counts.tabs > 0 && counts.semicolons == 0 { return UInt8(ascii: "\t") }
            if counts.commas > 0 && counts.semicolons == 0 { return UInt8(ascii: ",") }
            return UInt8(ascii: ";")
        }
        if counts.tabs > 0 && counts.commas == 0 { return UInt8(ascii: "\t") }
        if counts.semicolons > 0 && counts.commas == 0 && counts.tabs == 0 { return UInt8(ascii: ";") }
        return UInt8(ascii: ",")
    }

    /// Commas, tabs and semicolons outside quotes on the first non-empty line.
    private static func headerDelimiterCounts(
        _ input: UnsafeBufferPointer<UInt8>, from start: Int
    ) -> (commas: Int, tabs: Int, semicolons: Int) {
        var index = start
        while index < input.count, input[index] == UInt8(ascii: "\n") || input[index] == UInt8(ascii: "\r") {
            index += 1
        }
        var inQuotes = false
        var counts = (commas: 0, tabs: 0, semicolons: 0)
        while index < input.count {
            switch input[index] {
            case UInt8(ascii: "\""): inQuotes.toggle()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): if !inQuotes { return counts }
            case UInt8(ascii: ","): if !inQuotes { counts.commas += 1 }
            case UInt8(ascii: "\t"): if !inQuotes { counts.tabs += 1 }
            case UInt8(ascii: ";"): if !inQuotes { counts.semicolons += 1 }
            default: break
            }
            index += 1
        }
        return counts
    }

    // MARK: - Header

    private func readHeader(
        _ tokenizer: inout CSVTokenizer, input: UnsafeBufferPointer<UInt8>, delimiter: UInt8
    ) throws(CSVError) -> [String] {
        let line = tokenizer.line
        var names = [String]()
        var quoted = [Bool]()
        var endsRecord = false
        while !endsRecord {
            let field: (span: FieldSpan, endsRecord: Bool)
            do {
                field = try tokenizer.nextField(index: names.count)
            } catch {
                throw csvError(error, columnNames: [])
            }
            names.append(field.span.string(in: input))
            quoted.append(field.span.isQuoted)
            endsRecord = field.endsRecord
        }
        var firstField = [String: Int]()
        for (index, name) in names.enumerated() {
            guard !name.isEmpty else { throw .emptyColumnName(source: source, line: line, field: index + 1) }
            if let first = firstField[name] {
                throw .duplicateColumnName(source: source, line: line, name: name, firstField: first, secondField: index + 1)
            }
            firstField[name] = index + 1
        }
        if names.count == 1, !quoted[0], let suspected = Self.likelyDelimiter(in: names[0], other: delimiter) {
            throw .singleColumnHeader(source: source, name: names[0], suspected: suspected, used: delimiter)
        }
        return names
    }

    /// A delimiter other than `other` that occurs in a lone header name.
    private static func likelyDelimiter(in name: String, other: UInt8) -> UInt8? {
        let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]
        return candidates.first { $0 != other && name.utf8.contains($0) }
    }

    private func checkOptions(against names: [String]) throws(CSVError) {
        let present = Set(names)
        for name in options.categoricalColumns.sorted() where !present.contains(name) {
            throw .unknownCategoricalColumn(source: source, name: name, available: names)
        }
        for name in options.levelOrders.keys.sorted() where !present.contains(name) {
            throw .levelOrderForUnknownColumn(source: source, name: name, available: names)
        }
    }

    // MARK: - Records

    /// The records after the header: split in two at a line feed and read on both cores when the
    /// file is large and its records hold no quote and no carriage return (so that every line feed
    /// ends a record); otherwise, or when either half has a problem, read in one pass, which
    /// reports the first problem of the file exactly.
    private func readAllRecords(
        _ tokenizer: inout CSVTokenizer, input: UnsafeBufferPointer<UInt8>, delimiter: UInt8, names: [String]
    ) throws(CSVError) -> FieldGrid {
        let start = tokenizer.position
        let lineFeed = UInt8(ascii: "\n")
        let lineFeeds = ByteScan.count(of: lineFeed, in: input, from: start)
        if input.count - start >= Self.parallelByteThreshold, DenseKernels.processorCount > 1,
           !ByteScan.contains(UInt8(ascii: "\""), in: input, from: start),
           !ByteScan.contains(UInt8(ascii: "\r"), in: input, from: start),
           let split = ByteScan.firstIndex(of: lineFeed, in: input, from: start + (input.count - start) / 2) {
            let parts = TokenizerPair(
                first: tokenizer.ending(at: split + 1),
                second: CSVTokenizer(bytes: input, start: split + 1, delimiter: delimiter))
            let columnCount = names.count
            let rowsPerHalf = lineFeeds / 2 + 2
            let results = ParallelReplicates.run(count: 2, threads: 2) { half -> FieldGrid? in
                var part = half == 0 ? parts.first : parts.second
                return try? Self.readRecords(&part, columnCount: columnCount, reservingRows: rowsPerHalf)
            }
            if results.count == 2, var grid = results[0], let tail = results[1] {
                // The second half counts its lines from 1 at the split.
                let lineOffset = tokenizer.line - 1 + ByteScan.count(of: lineFeed, in: UnsafeBufferPointer(
                    start: input.baseAddress, count: split + 1), from: start)
                grid.spans.append(contentsOf: tail.spans)
                grid.rowLines.reserveCapacity(grid.rowLines.count + tail.rowLines.count)
                for line in tail.rowLines { grid.rowLines.append(line + lineOffset) }
                return grid
            }
        }
        return try readRecords(&tokenizer, names: names, reservingRows: lineFeeds + 1)
    }

    /// Reads the records of `tokenizer` to its end; throws on a syntax problem or a ragged record,
    /// which the caller then reports from a single pass.
    private static func readRecords(
        _ tokenizer: inout CSVTokenizer, columnCount: Int, reservingRows rows: Int
    ) throws -> FieldGrid {
        var grid = FieldGrid(columnCount: columnCount)
        grid.spans.reserveCapacity(rows * columnCount)
        grid.rowLines.reserveCapacity(rows)
        while tokenizer.skipEmptyLines() {
            let line = tokenizer.line
            let fieldCount = try Self.readRecord(&tokenizer, into: &grid.spans, columnCount: columnCount)
            guard fieldCount == columnCount else { throw RaggedRecord() }
            grid.rowLines.append(line)
        }
        return grid
    }

    private struct RaggedRecord: Error {}

    private func readRecords(
        _ tokenizer: inout CSVTokenizer, names: [String], reservingRows rows: Int
    ) throws(CSVError) -> FieldGrid {
        var grid = FieldGrid(columnCount: names.count)
        grid.spans.reserveCapacity(rows * names.count)
        grid.rowLines.reserveCapacity(rows)
        while tokenizer.skipEmptyLines() {
            let line = tokenizer.line
            let fieldCount: Int
            do {
                fieldCount = try Self.readRecord(&tokenizer, into: &grid.spans, columnCount: names.count)
            } catch {
                throw csvError(error, columnNames: names)
            }
            guard fieldCount == names.count else {
                throw .raggedRow(source: source, line: line, fieldCount: fieldCount, headerCount: names.count)
            }
            grid.rowLines.append(line)
        }
        return grid
    }

    /// Appends the spans of one record's first `columnCount` fields; returns its number of fields.
    @inline(__always)
    private static func readRecord(
        _ tokenizer: inout CSVTokenizer, into spans: inout [FieldSpan], columnCount: Int
    ) throws(CSVSyntaxError) -> Int {
        var fieldIndex = 0
        var endsRecord = false
        while !endsRecord {
            let field = try tokenizer.nextField(index: fieldIndex)
            if fieldIndex < columnCount { spans.append(field.span) }
            endsRecord = field.endsRecord
            fieldIndex += 1
        }
        return fieldIndex
    }

    private func csvError(_ error: CSVSyntaxError, columnNames: [String]) -> CSVError {
        let field = error.fieldIndex + 1
        let column = columnNames.indices.contains(error.fieldIndex) ? columnNames[error.fieldIndex] : nil
        switch error.kind {
        case .unterminatedQuote:
            return .unterminatedQuote(source: source, line: error.line, field: field, column: column)
        case .textAfterClosingQuote:
            return .textAfterClosingQuote(source: source, line: error.line, field: field, column: column)
        case .quoteInUnquotedField:
            return .quoteInUnquotedField(source: source, line: error.line, field: field, column: column)
        }
    }

    // MARK: - Columns

    private func column(
        _ index: Int, names: [String], grid: FieldGrid, input: UnsafeBufferPointer<UInt8>, missing: MissingTokens
    ) throws(CSVError) -> Column {
        let name = names[index]
        let requestedOrder = options.levelOrders[name]
        if requestedOrder == nil && !options.categoricalColumns.contains(name) {
            if let numeric = try numericColumn(index, name: name, grid: grid, input: input, missing: missing) {
                return .numeric(numeric)
            }
        }
        let (codes, labels) = categoricalCodes(index, grid: grid, input: input, missing: missing)
        guard let requestedOrder else {
            return .categorical(LevelOrdering.applying(LevelOrdering.sortedOrder(of: labels), to: codes, levels: labels))
        }
        switch LevelOrdering.order(of: labels, requested: requestedOrder) {
        case .success(let order):
            return .categorical(LevelOrdering.applying(order, to: codes, levels: labels))
        case .failure(.duplicate(let level)):
            throw .duplicateLevel(source: source, column: name, level: level)
        case .failure(.unknown(let unknown)):
            let present = LevelOrdering.sortedOrder(of: labels).map { labels[$0] }
            throw .unknownLevels(source: source, column: name, levels: unknown, available: present)
        case .failure(.missing(let absent)):
            throw .missingLevels(source: source, column: name, missing: absent)
        }
    }

    /// The column as numbers, or `nil` when it is text: a field is not a number, or every
    /// non-missing field is quoted. `NaN` is missing; throws when a numeric column holds an infinity.
    private func numericColumn(
        _ index: Int, name: String, grid: FieldGrid, input: UnsafeBufferPointer<UInt8>, missing: MissingTokens
    ) throws(CSVError) -> NumericColumn? {
        var values = [Double]()
        values.reserveCapacity(grid.rowCount)
        var sawValue = false
        var allQuoted = true
        var firstNonFinite: Int?
        let columnCount = grid.columnCount
        let decimal = options.decimalSeparator
        let isNumeric = grid.spans.withUnsafeBufferPointer { spans in
            for row in 0..<grid.rowCount {
                let span = spans[row * columnCount + index]
                if missing.matches(span, in: input) {
                    values.append(.nan)
                    continue
                }
                if span.hasEscapedQuote { return false }
                sawValue = true
                if !span.isQuoted { allQuoted = false }
                let text = UnsafeBufferPointer(rebasing: input[span.start..<span.end])
                switch NumberParsing.parse(text, decimalSeparator: decimal) {
                case .finite(let value):
                    values.append(value)
                case .nonFinite:
                    if firstNonFinite == nil && !NumberParsing.isNaNWord(text) { firstNonFinite = row }
                    values.append(.nan)
                case .notANumber:
                    return false
                }
            }
            return true
        }
        guard isNumeric, !(sawValue && allQuoted) else { return nil }
        if let row = firstNonFinite {
            let span = grid.spans[row * columnCount + index]
            throw .nonFiniteNumber(
                source: source, line: grid.rowLines[row], column: name, field: index + 1, text: span.string(in: input))
        }
        return NumericColumn(values: values)
    }

    /// Codes in order of first appearance, and the labels they stand for.
    private func categoricalCodes(
        _ index: Int, grid: FieldGrid, input: UnsafeBufferPointer<UInt8>, missing: MissingTokens
    ) -> (codes: [Int32], labels: [String]) {
        var interner = LabelInterner()
        var codes = [Int32]()
        codes.reserveCapacity(grid.rowCount)
        let columnCount = grid.columnCount
        grid.spans.withUnsafeBufferPointer { spans in
            for row in 0..<grid.rowCount {
                let span = spans[row * columnCount + index]
                if missing.matches(span, in: input) {
                    codes.append(CategoricalColumn.missingCode)
                } else if span.hasEscapedQuote {
                    let text = span.unescapedBytes(in: input)
                    codes.append(text.withUnsafeBufferPointer { interner.code(for: $0) })
                } else {
                    codes.append(interner.code(forBytesIn: input, from: span.start, to: span.end))
                }
            }
        }
        return (codes, interner.labels)
    }
}

/// The input bytes, shared read-only by the threads that code the columns.
struct SharedInput: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
}

extension CSVReader {
    /// Files with at least this many data rows code their columns on two threads.
    static let parallelRowThreshold = 50_000
    /// Files with at least this many bytes of records split them into two halves read on two threads.
    static let parallelByteThreshold = 4 << 20
}

/// The two tokenizers of a file read in two halves, handed to the two threads that read them.
struct TokenizerPair: @unchecked Sendable {
    let first: CSVTokenizer
    let second: CSVTokenizer
}

/// The field spans of all data records, row by row.
struct FieldGrid: Sendable {
    let columnCount: Int
    /// `columnCount` spans per row.
    var spans: [FieldSpan] = []
    /// The physical line (1-based) where each row starts.
    var rowLines: [Int] = []

    init(columnCount: Int) {
        self.columnCount = columnCount
    }

    var rowCount: Int { rowLines.count }
}

/// The field texts that mean "missing", compared as bytes.
struct MissingTokens: Sendable {
    private let tokens: [[UInt8]]
    /// Bit `k` is set when some token has `k` bytes (bit 63: 63 bytes or more).
    private let lengthMask: UInt64

    init(_ tokens: Set<String>) {
        self.tokens = tokens.map { Array($0.utf8) }
        lengthMask = self.tokens.reduce(0) { mask, token in mask | (1 << UInt64(min(token.count, 63))) }
    }

    /// Whether the field's text (after unquoting) is one of the tokens.
    @inline(__always)
    func matches(_ span: FieldSpan, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if span.hasEscapedQuote {
            return tokens.contains(span.unescapedBytes(in: bytes))
        }
        let length = span.end - span.start
        guard lengthMask & (1 << UInt64(min(length, 63))) != 0 else { return false }
        let text = UnsafeBufferPointer(rebasing: bytes[span.start..<span.end])
        return tokens.contains { $0.elementsEqual(text) }
    }
}
