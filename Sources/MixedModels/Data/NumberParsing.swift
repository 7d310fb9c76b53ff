#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What one field's text reads as when taken as a number.
enum ParsedNumber: Equatable, Sendable {
    /// A decimal number with a finite value.
    case finite(Double)
    /// `NaN`, `Inf`, `Infinity` (any case, optional sign), or a decimal number too large for a `Double`.
    case nonFinite
    /// Not a number: the field is text.
    case notANumber
}

/// Reads decimal numbers straight from UTF-8 bytes, without creating a `String` per field.
///
/// The accepted grammar is `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?` (or with a
/// decimal comma in place of the point, when asked) with no
/// surrounding whitespace. Hexadecimal (`0x1p3`) and digit separators are not numbers here, although
/// Swift's `Double(String)` accepts hexadecimal. For every accepted text the result equals
/// `Double(String)` bit for bit: both are correctly rounded.
///
/// Short numbers (at most 19 significant digits whose value is below 2^53, with a power of ten
/// that is exactly representable) take Clinger's exact fast path; all others go to the C library's
/// correctly rounded `strtod` on a small stack copy of the text.
enum NumberParsing {
    /// 10^0 ... 10^22: the powers of ten that a `Double` represents exactly.
    private static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
    /// 10^0 ... 10^15 as integers, to move exponent into the significand.
    private static let integerPowersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000,
        1_000_000_000, 10_000_000_000, 100_000_000_000, 1_000_000_000_000,
        10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
    ]
    private static let maxExactInteger: UInt64 = 1 << 53

    /// Reads `text` (the bytes of one field, already trimmed) as a number whose fractional digits
    /// follow `decimalSeparator` (`.` or `,`).
    static func parse(_ text: UnsafeBufferPointer<UInt8>, decimalSeparator: UInt8 = UInt8(ascii: ".")) -> ParsedNumber {
        if let value = plainValue(text, decimalSeparator: decimalSeparator) { return .finite(value) }
        guard let decimal = DecimalText(text, decimalSeparator: decimalSeparator) else {
            return isNonFiniteWord(text) ? .nonFinite : .notANumber
        }
        let value = fastValue(decimal) ?? slowValue(text, decimalSeparator: decimalSeparator)
        return value.isFinite ? .finite(value) : .nonFinite
    }

    /// Reads a `String` as a number (used for level labels, not on the hot path).
    static func parse(_ text: String, decimalSeparator: UInt8 = UInt8(ascii: ".")) -> ParsedNumber {
        var copy = text
        return copy.withUTF8 { parse($0, decimalSeparator: decimalSeparator) }
    }

    /// Whether `text` is `nan` in any case, with an optional sign: a missing value in a numeric
    /// column, as R's `read.csv` and MATLAB's `readtable` read it.
    static func isNaNWord(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        if let first = text.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            start = 1
        }
        guard text.count - start == 3 else { return false }
        return text[start] | 0x20 == UInt8(ascii: "n") && text[start + 1] | 0x20 == UInt8(ascii: "a")
            && text[start + 2] | 0x20 == UInt8(ascii: "n")
    }

    /// The value of the most common kind of number text, `[+-]? digits [. digits]` with at most
    /// 19 digits in all and a value below 2^53 before the point is placed, or `nil` for any other
    /// text (which ``DecimalText`` then reads). This is Clinger's fast path of ``fastValue(_:)``
    /// on the same significand and power of ten, read in one loop.
    @inline(__always)
    private static func plainValue(_ text: UnsafeBufferPointer<UInt8>, decimalSeparator: UInt8) -> Double? {
        let count = text.count
        guard count > 0, count <= 20 else { return nil }
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative || text[0] == UInt8(ascii: "+") { index = 1 }
        var significand: UInt64 = 0
        var digits = 0
        while index < count, case let digit = text[index] &- 0x30, digit < 10 {
            significand = significand &* 10 &+ UInt64(digit)
            digits += 1
            index += 1
        }
        var fractionDigits = 0
        if index < count, text[index] == decimalSeparator {
            index += 1
            while index < count, case let digit = text[index] &- 0x30, digit < 10 {
                significand = significand &* 10 &+ UInt64(digit)
                fractionDigits += 1
                index += 1
            }
        }
        // At most 19 digits cannot overflow; the power of ten 10^fractionDigits is exact.
        guard index == count, digits + fractionDigits > 0, digits + fractionDigits <= 19,
              significand <= maxExactInteger else { return nil }
        var value = Double(significand)
        if fractionDigits > 0 { value /= exactPowersOfTen[fractionDigits] }
        return negative ? -value : value
    }

    /// Clinger's fast path: exact when the significand and the power of ten are both exact doubles.
    private static func fastValue(_ decimal: DecimalText) -> Double? {
        guard !decimal.truncated else { return nil }
        var significand = decimal.significand
        var exponent = decimal.exponent
        guard significand <= maxExactInteger else { return nil }
        if significand == 0 { return decimal.negative ? -0.0 : 0.0 }
        if exponent > 22 && exponent <= 22 + 15 {
            let (product, overflow) = significand.multipliedReportingOverflow(
                by: integerPowersOfTen[exponent - 22])
            guard !overflow, product <= maxExactInteger else { return nil }
            significand = product
            exponent = 22
        }
        guard exponent >= -22 && exponent <= 22 else { return nil }
        var value = Double(significand)
        if exponent >= 0 {
            value *= exactPowersOfTen[exponent]
        } else {
            value /= exactPowersOfTen[-exponent]
        }
        return decimal.negative ? -value : value
    }

    /// Correctly rounded conversion by `strtod` on a NUL-terminated stack copy. Falls back to
    /// `Double(String)` if `strtod` stops early (which only a non-C numeric locale could cause).
    private static func slowValue(_ text: UnsafeBufferPointer<UInt8>, decimalSeparator: UInt8) -> Double {
        let viaStrtod: Double? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: text.count + 1) { buffer in
            guard let base = buffer.baseAddress else { return nil }
            for index in 0..<text.count {
                let byte = text[index] == decimalSeparator ? UInt8(ascii: ".") : text[index]
                base[index] = CChar(bitPattern: byte)
            }
            base[text.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(base, &end)
            guard let end, end - base == text.count else { return nil }
            return value
        }
        if let viaStrtod { return viaStrtod }
        let pointed = text.map { $0 == decimalSeparator ? UInt8(ascii: ".") : $0 }
        return Double(String(decoding: pointed, as: UTF8.self)) ?? .nan
    }

    /// Whether `text` is `nan`, `inf` or `infinity` in any case, with an optional sign.
    private static func isNonFiniteWord(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0
        if let first = text.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            start = 1
        }
        let length = text.count - start
        guard length == 3 || length == 8 else { return false }
        var lowered = [UInt8]()
        lowered.reserveCapacity(length)
        for index in start..<text.count {
            let byte = text[index]
            lowered.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return lowered == Array("nan".utf8) || lowered == Array("inf".utf8) || lowered == Array("infinity".utf8)
    }
}

/// The parts of a syntactically valid decimal number: sign, up to 19 significant digits and a
/// power of ten.
struct DecimalText {
    var negative = false
    /// The first (up to) 19 significant digits as an integer.
    var significand: UInt64 = 0
    /// The power of ten that `significand` is multiplied by (approximate when `truncated`).
    var exponent = 0
    /// Whether non-zero digits beyond the 19th were dropped (the fast path cannot be used).
    var truncated = false

    /// Parses `text`, or returns `nil` when it is not a decimal number in the accepted grammar
    /// (with `decimalSeparator` in place of the point).
    init?(_ text: UnsafeBufferPointer<UInt8>, decimalSeparator: UInt8 = UInt8(ascii: ".")) {
        let count = text.count
        var index = 0
        if count > 0, text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-") {
            negative = text[0] == UInt8(ascii: "-")
            index = 1
        }
        var sawDigit = false
        var digits = 0
        while index < count, case let digit = text[index] &- 0x30, digit < 10 {
            sawDigit = true
            addDigit(digit, digits: &digits, fractional: false)
            index += 1
        }
        if index < count, text[index] == decimalSeparator {
            index += 1
            while index < count, case let digit = text[index] &- 0x30, digit < 10 {
                sawDigit = true
                addDigit(digit, digits: &digits, fractional: true)
                index += 1
            }
        }
        guard sawDigit else { return nil }
        if index < count, text[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            var written = 0
            var sawExponentDigit = false
            while index < count, case let digit = text[index] &- 0x30, digit < 10 {
                sawExponentDigit = true
                if written < 1_000_000 { written = written * 10 + Int(digit) }
                index += 1
            }
            guard sawExponentDigit else { return nil }
            exponent += exponentNegative ? -written : written
        }
        guard index == count else { return nil }
    }

    private mutating func addDigit(_ digit: UInt8, digits: inout Int, fractional: Bool) {
        if significand == 0 && digit == 0 {
            if fractional { exponent -= 1 }
            return
        }
        if digits < 19 {
            significand = significand * 10 + UInt64(digit)
            digits += 1
            if fractional { exponent -= 1 }
        } else {
            if digit != 0 { truncated = true }
            if !fractional { exponent += 1 }
        }
    }
}
