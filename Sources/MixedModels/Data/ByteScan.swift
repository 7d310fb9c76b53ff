import Foundation

/// Fast scans for one byte value over the input bytes (`memchr`), used to plan how a file is read.
enum ByteScan {
    /// How many times `byte` occurs in `bytes` from `start` on.
    static func count(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var total = 0
        var index = start
        while let found = firstIndex(of: byte, in: bytes, from: index) {
            total += 1
            index = found + 1
        }
        return total
    }

    /// Whether `byte` occurs in `bytes` from `start` on.
    static func contains(_ byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        firstIndex(of: byte, in: bytes, from: start) != nil
    }

    /// The first index at or after `start` that holds `byte`.
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = bytes.baseAddress, start >= 0, start < bytes.count else { return nil }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
