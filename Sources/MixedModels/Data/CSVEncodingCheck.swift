/// Checks that input bytes are UTF-8 text without NUL bytes, before they are split into fields.
enum CSVEncodingCheck {
    /// What is wrong with the input's encoding.
    enum Problem: Equatable {
        case invalidUTF8(offset: Int)
        case nulByte(offset: Int)
    }

    /// The first encoding problem in `bytes` from `start`, or `nil` when the bytes are valid UTF-8
    /// (well-formed sequences as in the Unicode Standard, table 3-7) with no NUL byte.
    static func firstProblem(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Problem? {
        let count = bytes.count
        var index = start
        while index < count {
            if index + 8 <= count, isPlainASCIIWord(bytes, at: index) {
                index += 8
                continue
            }
            let byte = bytes[index]
            if byte == 0 { return .nulByte(offset: index) }
            if byte < 0x80 {
                index += 1
                continue
            }
            guard let length = sequenceLength(bytes, at: index) else { return .invalidUTF8(offset: index) }
            index += length
        }
        return nil
    }

    /// The physical line (1-based) of the byte at `offset`: line breaks are LF, CRLF and lone CR.
    static func line(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var line = 1
        var index = 0
        let end = min(offset, bytes.count)
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
            } else if byte == UInt8(ascii: "\r"), !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")) {
                line += 1
            }
            index += 1
        }
        return line
    }

    /// Whether the 8 bytes at `index` are all ASCII and none is zero.
    @inline(__always)
    private static func isPlainASCIIWord(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let hasZeroByte = (word &- ones) & ~word & highBits != 0
        return word & highBits == 0 && !hasZeroByte
    }

    /// The length of the well-formed multi-byte sequence at `index`, or `nil`.
    private static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: return nil
        }
        guard index + length <= bytes.count, secondRange.contains(bytes[index + 1]) else { return nil }
        for next in (index + 2)..<(index + length) where !(0x80...0xBF).contains(bytes[next]) {
            return nil
        }
        return length
    }
}
