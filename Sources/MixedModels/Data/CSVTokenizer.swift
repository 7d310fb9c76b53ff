/// Where one field's text lies in the input bytes, and how it was written.
///
/// For a quoted field the span is the text between the quotes, still with doubled quotes when
/// `hasEscapedQuote`; for an unquoted field it is the text without surrounding blanks.
struct FieldSpan {
    private static let quotedBit = 1 << 62
    private static let escapedBit = 1 << 61
    private static let flagBits = quotedBit | escapedBit

    private var startAndFlags: Int
    /// One past the last byte.
    let end: Int

    init(start: Int, end: Int, quoted: Bool, hasEscapedQuote: Bool) {
        startAndFlags = start | (quoted ? Self.quotedBit : 0) | (hasEscapedQuote ? Self.escapedBit : 0)
        self.end = end
    }

    /// The first byte.
    var start: Int { startAndFlags & ~Self.flagBits }
    /// Whether the field was written in double quotes.
    var isQuoted: Bool { startAndFlags & Self.quotedBit != 0 }
    /// Whether the quoted text contains doubled quotes (`""`) that stand for one quote.
    var hasEscapedQuote: Bool { startAndFlags & Self.escapedBit != 0 }
}

/// A syntax error found by ``CSVTokenizer``, before it is given a source and a column name.
struct CSVSyntaxError: Error {
    enum Kind {
        case unterminatedQuote
        case textAfterClosingQuote
        case quoteInUnquotedField
    }
    let kind: Kind
    /// The physical line (1-based) where the problem is; for an unterminated quote, where it opened.
    let line: Int
    /// The 0-based field index within the record.
    let fieldIndex: Int
}

/// Splits UTF-8 bytes into RFC 4180 fields and records, one field at a time.
///
/// Records end at LF, CRLF or a lone CR, or at the end of the input. Quoted fields may contain
/// delimiters, line breaks and doubled quotes. Blanks (space and tab, unless one of them is the
/// delimiter) around unquoted fields and around the quotes of quoted fields are not part of the
/// field. Line numbers count physical lines, so a quoted line break advances them.
struct CSVTokenizer {
    private static let quote = UInt8(ascii: "\"")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    private let bytes: UnsafeBufferPointer<UInt8>
    private let delimiter: UInt8
    private let blankA: UInt8
    private let blankB: UInt8
    /// Every byte above this is ordinary field text (fast scan of unquoted fields).
    private let largestSpecialByte: UInt8

    /// The next byte to read.
    private(set) var position: Int
    /// The physical line (1-based) of `position`.
    private(set) var line = 1

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int, delimiter: UInt8) {
        self.bytes = bytes
        self.delimiter = delimiter
        self.position = start
        let space = UInt8(ascii: " ")
        let tab = UInt8(ascii: "\t")
        blankA = delimiter == space ? tab : space
        blankB = delimiter == tab ? space : tab
        largestSpecialByte = max(delimiter, Self.quote, blankA, blankB)
    }

    /// This tokenizer, at its position and line, reading only the bytes before `end`.
    func ending(at end: Int) -> CSVTokenizer {
        var copy = CSVTokenizer(bytes: UnsafeBufferPointer(start: bytes.baseAddress, count: min(end, bytes.count)),
                                start: position, delimiter: delimiter)
        copy.line = line
        return copy
    }

    /// Skips empty lines. Returns `false` at the end of the input.
    mutating func skipEmptyLines() -> Bool {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == Self.lineFeed || byte == Self.carriageReturn else { return true }
            consumeLineBreak()
        }
        return false
    }

    /// Reads one field. `endsRecord` is `true` when the field is the last of its record.
    @inline(__always)
    mutating func nextField(index fieldIndex: Int) throws(CSVSyntaxError) -> (span: FieldSpan, endsRecord: Bool) {
        var index = position
        let count = bytes.count
        while index < count, isBlank(bytes[index]) { index += 1 }
        let span: FieldSpan
        if index < count, bytes[index] == Self.quote {
            (span, index) = try quotedField(openingAt: index, fieldIndex: fieldIndex)
            while index < count, isBlank(bytes[index]) { index += 1 }
            if index < count, bytes[index] != delimiter, !isLineBreak(bytes[index]) {
                throw CSVSyntaxError(kind: .textAfterClosingQuote, line: line, fieldIndex: fieldIndex)
            }
        } else {
            (span, index) = try unquotedField(startingAt: index, fieldIndex: fieldIndex)
        }
        position = index
        guard index < count else { return (span, true) }
        if bytes[index] == delimiter {
            position = index + 1
            return (span, false)
        }
        consumeLineBreak()
        return (span, true)
    }

    /// Scans an unquoted field up to (not including) its delimiter or line break.
    @inline(__always)
    private func unquotedField(startingAt start: Int, fieldIndex: Int) throws(CSVSyntaxError) -> (FieldSpan, Int) {
        var index = start
        let count = bytes.count
        while index < count {
            if index + 8 <= count {
                // Eight bytes at a time up to the first one that is not ordinary field text.
                let skip = ordinaryPrefixLength(at: index)
                index += skip
                if skip == 8 { continue }
            }
            let byte = bytes[index]
            if byte > largestSpecialByte {
                index += 1
                continue
            }
            if byte == delimiter || isLineBreak(byte) { break }
            if byte == Self.quote {
                throw CSVSyntaxError(kind: .quoteInUnquotedField, line: line, fieldIndex: fieldIndex)
            }
            index += 1
        }
        var end = index
        while end > start, isBlank(bytes[end - 1]) { end -= 1 }
        return (FieldSpan(start: start, end: end, quoted: false, hasEscapedQuote: false), index)
    }

    /// How many of the eight bytes at `index` (which must be in the input) come before the first
    /// one at or below ``largestSpecialByte``: 8 when there is none. A byte-wise "less than" on
    /// one word, exact for the first such byte (borrows only move towards later bytes); bytes of
    /// 0x80 and above never count, as `largestSpecialByte` is ASCII.
    @inline(__always)
    private func ordinaryPrefixLength(at index: Int) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
        let ones: UInt64 = 0x0101_0101_0101_0101
        let below = (word &- ones &* UInt64(largestSpecialByte &+ 1)) & ~word & (ones &* 0x80)
        return below.trailingZeroBitCount >> 3
    }

    /// Scans a quoted field whose opening quote is at `opening`; returns the index after the closing quote.
    private mutating func quotedField(openingAt opening: Int, fieldIndex: Int) throws(CSVSyntaxError) -> (FieldSpan, Int) {
        let openingLine = line
        let count = bytes.count
        var index = opening + 1
        var escaped = false
        while true {
            guard index < count else {
                throw CSVSyntaxError(kind: .unterminatedQuote, line: openingLine, fieldIndex: fieldIndex)
            }
            let byte = bytes[index]
            if byte == Self.quote {
                if index + 1 < count, bytes[index + 1] == Self.quote {
                    escaped = true
                    index += 2
                    continue
                }
                break
            }
            if byte == Self.lineFeed || (byte == Self.carriageReturn && !(index + 1 < count && bytes[index + 1] == Self.lineFeed)) {
                line += 1
            }
            index += 1
        }
        let span = FieldSpan(start: opening + 1, end: index, quoted: true, hasEscapedQuote: escaped)
        return (span, index + 1)
    }

    /// Consumes LF, CRLF or CR at `position` and advances the line.
    private mutating func consumeLineBreak() {
        if bytes[position] == Self.carriageReturn, position + 1 < bytes.count, bytes[position + 1] == Self.lineFeed {
            position += 2
        } else {
            position += 1
        }
        line += 1
    }

    @inline(__always)
    private func isBlank(_ byte: UInt8) -> Bool { byte == blankA || byte == blankB }

    @inline(__always)
    private func isLineBreak(_ byte: UInt8) -> Bool { byte == Self.lineFeed || byte == Self.carriageReturn }
}

extension FieldSpan {
    /// The field's text with doubled quotes undone.
    func unescapedBytes(in bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(end - start)
        var index = start
        while index < end {
            let byte = bytes[index]
            result.append(byte)
            index += byte == UInt8(ascii: "\"") ? 2 : 1
        }
        return result
    }

    /// The field's text as a `String` (the input is already checked to be UTF-8).
    func string(in bytes: UnsafeBufferPointer<UInt8>) -> String {
        if hasEscapedQuote {
            return String(decoding: unescapedBytes(in: bytes), as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }
}
