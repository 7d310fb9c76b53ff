import Foundation
import Testing
@testable import MixedModels

/// ``JSONValue/rendered(pretty:)`` (written by ``JSONWriter`` into one byte buffer) gives the
/// same text, byte for byte, as the String-concatenating renderer it replaced
/// (``ReferenceJSONRendering``), pretty and compact.
@Suite("JSON writer")
struct JSONWriterTests {
    static func expectSame(_ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        for pretty in [true, false] {
            let expected = ReferenceJSONRendering.rendered(value, pretty: pretty)
            let actual = value.rendered(pretty: pretty)
            // Bytes, not String ==, which would equate canonically equivalent texts ("é" and "e\u{301}").
            #expect(actual.utf8.elementsEqual(expected.utf8),
                    "pretty \(pretty): \(actual.debugDescription) != \(expected.debugDescription)", sourceLocation: sourceLocation)
        }
    }

    /// Strings with every escaped character, the other control characters, DEL, multi-byte
    /// characters (accents, CJK, emoji, a combining mark, U+2028), "\r\n" as one character.
    static let trickyStrings: [String] = [
        "", "plain", "\"", "\\", "\\\"", "a\"b\\c", "\n", "\r", "\t", "\r\n", "line1\nline2\r\nline3",
        "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{B}", "\u{1B}[31m", "\u{1F}", " ", "\u{7F}", "\u{80}", "\u{9F}",
        "é", "e\u{301}", "Ünïcödé", "日本語", "🧪🐘", "👨‍👩‍👧", "\u{2028}\u{2029}", "\u{FEFF}bom", "\u{FFFD}",
        "(Intercept)", "x:y", "Res Std", "/", "</script>", String(repeating: "ab\u{0}", count: 50),
        String(decoding: [0x61, 0xFF, 0x62, 0xC3] as [UInt8], as: UTF8.self),
    ]

    /// Doubles at the edges of the integer path (10¹⁵, 2⁵³, Int64's range), signed zeros,
    /// subnormals, the extremes, non-finite values and ordinary fractions.
    static let trickyNumbers: [Double] = [
        0, -0.0, 1, -1, 0.1, -0.1, 0.5, 1.5, 2.5, 1e15, -1e15, 1e15 - 1, -(1e15 - 1), 1e15 + 2,
        999_999_999_999_999.9, 1e16, 1e17, 1e21, 1e22, 1e23, 9_007_199_254_740_992, 9_007_199_254_740_994,
        9.223372036854775807e18, -9.223372036854775808e18, 1.8446744073709552e19, 123456.789, 1e-5, 1e-7, 1.0e-300,
        Double(bitPattern: 1), -Double(bitPattern: 1), 2.2250738585072014e-308, Double(bitPattern: 0x000F_FFFF_FFFF_FFFF), .leastNonzeroMagnitude,
        .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .pi, .ulpOfOne,
        .nan, -.nan, .signalingNaN, .infinity, -.infinity, 1.0 / 3, 2.0 / 3, 100, 1e14 + 0.5, 0.30000000000000004,
    ]

    static let trickyIntegers: [Int] = [0, 1, -1, 9, 10, -10, 99, 100, 1_000_000, Int(Int32.max), Int(Int32.min),
                                        Int.max, Int.min, Int.max - 1, Int.min + 1]

    @Test("strings, numbers and integers render as before")
    func scalars() {
        for text in Self.trickyStrings {
            Self.expectSame(.string(text))
            Self.expectSame(.object([(text, .string(text))]))
        }
        for number in Self.trickyNumbers { Self.expectSame(.number(number)) }
        for integer in Self.trickyIntegers { Self.expectSame(.integer(integer)) }
        Self.expectSame(.null)
        Self.expectSame(.bool(true))
        Self.expectSame(.bool(false))
    }

    @Test("every control character and the ASCII range render as before")
    func everyASCIIScalar() {
        let all = (0..<0x80).compactMap { Unicode.Scalar(UInt32($0)) }.map { String(Character($0)) }
        Self.expectSame(.array(all.map { .string($0) }))
        Self.expectSame(.string(all.joined()))
    }

    @Test("random doubles (every bit pattern: subnormals, NaNs, huge and tiny exponents) render as before")
    func randomDoubles() {
        var rng = SeededGenerator(seed: 2024)
        var values: [JSONValue] = []
        for index in 0..<200_000 {
            let bits = rng.next()
            let number: Double
            switch index % 4 {
            case 0: number = Double(bitPattern: bits)
            case 1: number = Double(Int64(bitPattern: bits) >> Int64(bits % 60))
            case 2: number = Double(Int64(bitPattern: bits) >> 12) / 1024
            default: number = Double.random(in: -1e6...1e6, using: &rng)
            }
            values.append(.number(number))
        }
        let value = JSONValue.array(values)
        #expect(value.rendered().utf8.elementsEqual(ReferenceJSONRendering.rendered(value).utf8))
        #expect(value.rendered(pretty: false).utf8.elementsEqual(ReferenceJSONRendering.rendered(value, pretty: false).utf8))
    }

    @Test("nested empty and non-empty arrays and objects render as before")
    func nesting() {
        Self.expectSame(.array([]))
        Self.expectSame(.object([]))
        Self.expectSame(.array([.array([]), .object([]), .array([.array([.array([])])])]))
        Self.expectSame(.object([("", .object([])), ("a", .array([])), ("b", .object([("c", .array([.null, .object([("", .null)])]))]))]))
        var deep = JSONValue.integer(1)
        for depth in 0..<60 { deep = depth.isMultiple(of: 2) ? .array([deep, .array([])]) : .object([("k\(depth)", deep)]) }
        Self.expectSame(deep)
    }

    @Test("random trees of every kind of value render as before")
    func randomTrees() {
        var rng = SeededGenerator(seed: 7)
        func tree(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 4 ? 6 : 8), using: &rng) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .integer(Self.trickyIntegers.randomElement(using: &rng) ?? 0)
            case 3: return .number(Self.trickyNumbers.randomElement(using: &rng) ?? 0)
            case 4, 5: return .string(Self.trickyStrings.randomElement(using: &rng) ?? "")
            case 6: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in tree(depth + 1) })
            default:
                return .object((0..<Int.random(in: 0..<5, using: &rng)).map { _ in
                    (Self.trickyStrings.randomElement(using: &rng) ?? "", tree(depth + 1))
                })
            }
        }
        for _ in 0..<500 { Self.expectSame(tree(0)) }
    }

    @Test("a fit report's JSON renders as before")
    func fitReport() throws {
        let table = try BuiltInDataset.load("sleepstudy")
        let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: table)
        let report = try FitReport.computing(fit: try model.fit(method: .reml), dfMethod: .satterthwaite)
        Self.expectSame(report.json)
    }
}
