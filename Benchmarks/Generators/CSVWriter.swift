// A buffered CSV writer for the generators: rows are formatted by hand into a byte buffer
// (no String(format:), no per-row allocation) and written 1 MiB at a time.

import Foundation

struct CSVWriter {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: [UInt8] = []
    private let flushAt = 1 << 20
    let path: String
    private let isStandardOutput: Bool

    /// Opens `path` for writing ("-" means standard output).
    init(path: String) throws {
        self.path = path
        isStandardOutput = path == "-"
        if isStandardOutput {
            // fdopen rather than the C global `stdout` (not concurrency-safe in Swift 6).
            guard let f = fdopen(1, "wb") else { throw GeneratorError("cannot write to standard output") }
            file = f
        } else {
            guard let f = fopen(path, "wb") else {
                throw GeneratorError("cannot open '\(path)' for writing: \(String(cString: strerror(errno)))")
            }
            file = f
        }
        buffer.reserveCapacity(flushAt + 4096)
    }

    /// Appends raw text (headers, labels).
    mutating func text(_ s: String) {
        buffer.append(contentsOf: s.utf8)
    }

    @inline(__always)
    mutating func byte(_ b: UInt8) { buffer.append(b) }

    @inline(__always)
    mutating func comma() { buffer.append(UInt8(ascii: ",")) }

    /// Ends the row; flushes when the buffer is full.
    @inline(__always)
    mutating func newline() throws {
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= flushAt { try flush() }
    }

    /// A non-negative integer in decimal.
    @inline(__always)
    mutating func integer(_ value: Int) {
        precondition(value >= 0)
        var v = UInt64(value)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
                n += 1
            } while v > 0
            while n > 0 { n -= 1; buffer.append(d[n]) }
        }
    }

    /// A label: a prefix followed by a 1-based level number, e.g. `a17` for level 16.
    @inline(__always)
    mutating func label(_ prefix: [UInt8], _ level: Int) {
        buffer.append(contentsOf: prefix)
        integer(level + 1)
    }

    /// `value` rounded to 6 decimals (half away from zero), written with exactly 6 decimals.
    /// The rounding is done in integers (value · 10⁶ rounded), so it is exact and portable.
    @inline(__always)
    mutating func fixed6(_ value: Double) {
        precondition(value.isFinite && abs(value) < 9e12)
        let scaled = (value * 1_000_000).rounded(.toNearestOrAwayFromZero)
        var m = Int64(scaled)
        if m < 0 { buffer.append(UInt8(ascii: "-")); m = -m }
        integer(Int(m / 1_000_000))
        buffer.append(UInt8(ascii: "."))
        var frac = Int(m % 1_000_000)
        var d: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &d) { p in
            for i in stride(from: 5, through: 0, by: -1) {
                p[i] = UInt8(truncatingIfNeeded: frac % 10) &+ 48
                frac /= 10
            }
            buffer.append(contentsOf: p)
        }
    }

    /// Writes out the buffer.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if written != buffer.count {
            throw GeneratorError("write to '\(path)' failed: \(String(cString: strerror(errno)))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    mutating func close() throws {
        try flush()
        if isStandardOutput {
            if fflush(file) != 0 { throw GeneratorError("write to standard output failed") }
        } else if fclose(file) != 0 {
            throw GeneratorError("closing '\(path)' failed: \(String(cString: strerror(errno)))")
        }
    }
}

struct GeneratorError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
