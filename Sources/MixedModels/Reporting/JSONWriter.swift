/// Writes a ``JSONValue`` as UTF-8 bytes into one growing buffer: the text of
/// ``JSONValue/rendered(pretty:)``, without the many small strings (an indentation string per
/// line, a quoted copy per string, a scalar-by-scalar append) that building it by `String`
/// concatenation costs. Numbers keep their formatting: non-finite ones are `null`, integral
/// values below 10¹⁵ in magnitude are written as integers and the others by `Double.description`
/// (Swift's shortest round-trip digits).
struct JSONWriter {
    /// The UTF-8 text written so far.
    private(set) var bytes: [UInt8] = []
    /// Two spaces per level of nesting when pretty, else no line breaks and `:` without a space.
    let pretty: Bool
    /// A line break followed by spaces, as long as the deepest indentation written so far: each
    /// new line copies a prefix of it.
    private var lineBreak: [UInt8] = [UInt8(ascii: "\n")]

    init(pretty: Bool) {
        self.pretty = pretty
    }

    /// The text written so far as a `String` (the bytes are valid UTF-8: the strings written were).
    var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Writes `value` at nesting depth `depth` (its members are indented one level deeper).
    mutating func write(_ value: JSONValue, depth: Int = 0) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .integer(let integer): writeInteger(Int64(integer))
        case .number(let number): writeNumber(number)
        case .string(let text): writeString(text)
        case .array(let values):
            guard !values.isEmpty else { return append("[]") }
            bytes.append(UInt8(ascii: "["))
            for (index, element) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newLine(depth: depth + 1)
                write(element, depth: depth + 1)
            }
            newLine(depth: depth)
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return append("{}") }
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                newLine(depth: depth + 1)
                writeString(member.0)
                append(pretty ? ": " : ":")
                write(member.1, depth: depth + 1)
            }
            newLine(depth: depth)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// A number as JSON: `null` when not finite, the integer when integral and below 10¹⁵ in
    /// magnitude (so `-0.0` is `0`), else Swift's shortest round-trip `description`.
    mutating func writeNumber(_ value: Double) {
        if !value.isFinite {
            append("null")
        } else if value == value.rounded(), abs(value) < 1e15 {
            writeInteger(Int64(value))
        } else {
            append(value.description)
        }
    }

    /// An integer in decimal digits, with a leading `-` when negative (as `String(value)`).
    mutating func writeInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }

    /// A string in quotes: `"` and `\` escaped by a backslash, line feed, carriage return and tab
    /// as `\n`, `\r` and `\t`, the other control characters below U+0020 as `\u00XX` (lowercase
    /// hex), everything else as its UTF-8 bytes.
    mutating func writeString(_ text: String) {
        var text = text
        text.withUTF8 { writeQuoted($0) }
    }

    private mutating func writeQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var clean = true
        for byte in utf8 where Self.needsEscape(byte) {
            clean = false
            break
        }
        if clean {
            bytes.append(contentsOf: utf8)
        } else {
            for byte in utf8 {
                if Self.needsEscape(byte) { writeEscape(byte) } else { bytes.append(byte) }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Whether a UTF-8 byte is written escaped: a control character, a quote or a backslash.
    /// (Bytes of multi-byte characters are all 0x80 or above, so never escaped.)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func writeEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
        case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
        default:
            append("u00")
            bytes.append(Self.hexDigits[Int(byte >> 4) & 0xF])
            bytes.append(Self.hexDigits[Int(byte) & 0xF])
        }
    }

    /// When pretty, a line break and two spaces per level of `depth`; nothing when compact.
    private mutating func newLine(depth: Int) {
        guard pretty else { return }
        let length = 1 + 2 * max(depth, 0)
        if lineBreak.count < length {
            lineBreak.append(contentsOf: repeatElement(UInt8(ascii: " "), count: length - lineBreak.count))
        }
        bytes.append(contentsOf: lineBreak[..<length])
    }

    private mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }
}
