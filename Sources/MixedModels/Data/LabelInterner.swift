import Foundation

/// Gives each distinct label (a byte string) a code, in order of first appearance, without creating
/// a `String` per field: an open-addressing hash table over the bytes of the labels seen so far.
struct LabelInterner {
    /// The bytes of all distinct labels, one after another.
    private var storage: [UInt8] = []
    /// Label `i` is `storage[starts[i]..<starts[i + 1]]`.
    private var starts: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Label index per slot, or -1 for an empty slot. The count is a power of two.
    private var slots = [Int32](repeating: -1, count: 64)

    /// The number of distinct labels.
    var count: Int { hashes.count }

    /// The code returned last, or -1: grouped files repeat a label on consecutive rows, and
    /// comparing with the previous label is cheaper than hashing.
    private var lastCode: Int32 = -1

    /// The code of `key`, adding it as a new label if it has not been seen.
    mutating func code(for key: UnsafeBufferPointer<UInt8>) -> Int32 {
        if lastCode >= 0, labelEquals(Int(lastCode), key) { return lastCode }
        let code = lookUpOrInsert(key)
        lastCode = code
        return code
    }

    private mutating func lookUpOrInsert(_ key: UnsafeBufferPointer<UInt8>) -> Int32 {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let code = slots[slot]
            if code < 0 { break }
            if hashes[Int(code)] == hash, labelEquals(Int(code), key) { return code }
            slot = (slot + 1) & mask
        }
        let code = Int32(truncatingIfNeeded: hashes.count)
        storage.append(contentsOf: key)
        starts.append(storage.count)
        hashes.append(hash)
        slots[slot] = code
        if hashes.count * 2 > slots.count { grow() }
        return code
    }

    /// The labels in code order.
    var labels: [String] {
        (0..<count).map { index in
            String(decoding: storage[starts[index]..<starts[index + 1]], as: UTF8.self)
        }
    }

    private func labelEquals(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[index]
        guard starts[index + 1] - start == key.count else { return false }
        guard !key.isEmpty, let keyBase = key.baseAddress else { return true }
        return storage.withUnsafeBufferPointer { stored in
            guard let storedBase = stored.baseAddress else { return false }
            return memcmp(storedBase + start, keyBase, key.count) == 0
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for (index, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(truncatingIfNeeded: index)
        }
        slots = bigger
    }

    /// A multiplicative hash over the bytes, eight at a time, with a final avalanche so that the
    /// low bits are usable as a slot index. The length is mixed in, so keys that differ only by
    /// trailing zero bytes differ.
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let multiplier: UInt64 = 0x9e37_79b9_7f4a_7c15
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: key.count)
        guard let base = key.baseAddress else { return avalanche(hash) }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        while offset + 8 <= key.count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            hash = (hash ^ word) &* multiplier
            hash ^= hash >> 29
            offset += 8
        }
        if offset < key.count {
            var tail: UInt64 = 0
            for index in offset..<key.count {
                tail |= UInt64(base[index]) << UInt64(8 * (index - offset))
            }
            hash = (hash ^ tail) &* multiplier
            hash ^= hash >> 29
        }
        return avalanche(hash)
    }

    private static func avalanche(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
