import Foundation
import Testing
@testable import MixedModels

/// The tokenizer's word-at-a-time scan of unquoted fields against a byte-by-byte reference.
@Suite("CSV tokenizer")
struct CSVTokenizerTests {
    enum Reference: Equatable {
        case fields([[UInt8]])
        /// A quote inside an unquoted field.
        case quoteInField
        /// A field starts with a quote: the other scan, not compared here.
        case quotedField
    }

    /// Unquoted fields split by hand: at the delimiter and at line feeds, without surrounding blanks.
    static func reference(_ bytes: [UInt8], delimiter: UInt8) -> Reference {
        let tab = UInt8(ascii: "\t")
        let space = UInt8(ascii: " ")
        let blanks: Set<UInt8> = delimiter == tab ? [space] : delimiter == space ? [tab] : [space, tab]
        var fields = [[UInt8]]()
        var current = [UInt8]()
        var sawQuote = false
        for byte in bytes + [UInt8(ascii: "\n")] {
            guard byte == delimiter || byte == UInt8(ascii: "\n") else {
                current.append(byte)
                continue
            }
            var field = current[...]
            while let first = field.first, blanks.contains(first) { field = field.dropFirst() }
            if field.first == UInt8(ascii: "\"") { return .quotedField }
            while let last = field.last, blanks.contains(last) { field = field.dropLast() }
            if field.contains(UInt8(ascii: "\"")) { sawQuote = true }
            fields.append(Array(field))
            current = []
        }
        if sawQuote { return .quoteInField }
        // A final line feed ends the last record rather than starting an empty one.
        if bytes.last == UInt8(ascii: "\n") { fields.removeLast() }
        return .fields(fields)
    }

    static func tokenized(_ bytes: [UInt8], delimiter: UInt8) -> Reference {
        bytes.withUnsafeBufferPointer { buffer in
            var tokenizer = CSVTokenizer(bytes: buffer, start: 0, delimiter: delimiter)
            var fields = [[UInt8]]()
            var index = 0
            while true {
                let field: (span: FieldSpan, endsRecord: Bool)
                do throws(CSVSyntaxError) {
                    field = try tokenizer.nextField(index: index)
                } catch {
                    return error.kind == .quoteInUnquotedField ? .quoteInField : .quotedField
                }
                fields.append(Array(buffer[field.span.start..<field.span.end]))
                index += 1
                if field.endsRecord && tokenizer.position >= buffer.count { return .fields(fields) }
            }
        }
    }

    @Test func wordScanMatchesByteByByteSplitting() {
        var generator = SplitMix64(seed: 17)
        // Every ASCII byte but NUL and CR, and UTF-8 text.
        var alphabet = (1...0x7F).map { UInt8($0) }.filter { $0 != 0x0D }
        alphabet += Array("é日🙂".utf8)
        var compared = 0
        for round in 0..<5_000 {
            let delimiter = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")][round % 4]
            let length = Int(generator.next() % 60)
            var bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            // Runs of plain text, so that whole words are skipped.
            if generator.next() % 2 == 0 { bytes.insert(contentsOf: Array("abcdefghijklmnop".utf8), at: bytes.count / 2) }
            let expected = Self.reference(bytes, delimiter: delimiter)
            guard expected != .quotedField else { continue }
            #expect(Self.tokenized(bytes, delimiter: delimiter) == expected, "\(bytes)")
            compared += 1
        }
        #expect(compared > 1_000)
    }
}
