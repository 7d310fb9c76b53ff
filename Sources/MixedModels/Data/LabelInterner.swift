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

    /// The code of `key`, adding it as a new label if it has not been seen.
    mutating func code(for key: UnsafeBufferPointer<UInt8>) -> Int32 {
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
        return storage.withUnsafeBufferPointer { stored in
            for offset in 0..<key.count where stored[start + offset] != key[offset] {
                return false
            }
            return true
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

    /// FNV-1a over the bytes with a final avalanche, so the low bits are usable as a slot index.
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
