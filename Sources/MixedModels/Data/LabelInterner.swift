import Foundation

/// Gives each distinct label (a byte string) a code, in order of first appearance, without creating
/// a `String` per field: an open-addressing hash table over the bytes of the labels seen so far.
///
/// Each label's first eight bytes are kept as one integer (zero-padded), and each slot of the
/// table holds a label's code with 24 bits of its hash and its length (up to 255), so that a label
/// of at most eight bytes is found or ruled out without reading its bytes, and longer labels
/// compare their remaining bytes only when all of that matches.
struct LabelInterner {
    /// The bytes of all distinct labels, one after another.
    private var storage: [UInt8] = []
    /// Label `i` is `storage[starts[i]..<starts[i + 1]]`.
    private var starts: [Int] = [0]
    /// Per label, its first eight bytes, zero-padded (see ``LabelKey``).
    private var prefixes: [UInt64] = []
    /// Per label, its full hash (to rebuild the table when it grows).
    private var hashes: [UInt64] = []
    /// Per slot: 0 when empty, otherwise the tag (high 32 bits) and the code plus one (low 32 bits).
    /// The count is a power of two.
    private var slots = [UInt64](repeating: 0, count: 64)

    /// The number of distinct labels.
    var count: Int { hashes.count }

    /// The code returned last, or -1, and its key: grouped files repeat a label on consecutive
    /// rows, and comparing with the previous label is cheaper than hashing.
    private var lastCode: Int32 = -1
    private var lastKey = LabelKey(prefix: 0, length: -1)

    /// The code of `key`, adding it as a new label if it has not been seen.
    mutating func code(for key: UnsafeBufferPointer<UInt8>) -> Int32 {
        code(for: key, labelKey: LabelKey(key))
    }

    /// The code of the label `input[start..<end]`, adding it as a new label if it has not been
    /// seen. The same as `code(for:)` on those bytes; faster, as a short label can be read with
    /// one load that ends at `end`.
    @inline(__always)
    mutating func code(forBytesIn input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int32 {
        let key = UnsafeBufferPointer(rebasing: input[start..<end])
        return code(for: key, labelKey: LabelKey(input, from: start, to: end))
    }

    @inline(__always)
    private mutating func code(for key: UnsafeBufferPointer<UInt8>, labelKey: LabelKey) -> Int32 {
        if labelKey == lastKey, labelKey.length <= 8 || remainderEquals(Int(lastCode), key) { return lastCode }
        let code = lookUpOrInsert(key, labelKey: labelKey)
        lastCode = code
        lastKey = labelKey
        return code
    }

    private mutating func lookUpOrInsert(_ key: UnsafeBufferPointer<UInt8>, labelKey: LabelKey) -> Int32 {
        let hash = Self.hash(key, prefix: labelKey.prefix)
        let tag = Self.tag(hash: hash, length: key.count)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if entry >> 32 == tag {
                let code = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if prefixes[code] == labelKey.prefix, key.count <= 8 || remainderEquals(code, key) {
                    return Int32(truncatingIfNeeded: code)
                }
            }
            slot = (slot + 1) & mask
        }
        let code = hashes.count
        storage.append(contentsOf: key)
        starts.append(storage.count)
        prefixes.append(labelKey.prefix)
        hashes.append(hash)
        slots[slot] = tag << 32 | UInt64(code + 1)
        if hashes.count * 2 > slots.count { grow() }
        return Int32(truncatingIfNeeded: code)
    }

    /// The labels in code order.
    var labels: [String] {
        (0..<count).map { index in
            String(decoding: storage[starts[index]..<starts[index + 1]], as: UTF8.self)
        }
    }

    /// Runs `body` with the labels' bytes, without creating a `String` per label.
    func withLabelBytes<Result>(_ body: (StoredLabels) -> Result) -> Result {
        storage.withUnsafeBufferPointer { bytes in
            starts.withUnsafeBufferPointer { starts in
                body(StoredLabels(bytes: bytes, starts: starts))
            }
        }
    }

    /// Whether label `index`, whose first eight bytes equal those of `key`, is `key`.
    private func remainderEquals(_ index: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = starts[index]
        guard starts[index + 1] - start == key.count else { return false }
        guard key.count > 8, let keyBase = key.baseAddress else { return true }
        return storage.withUnsafeBufferPointer { stored in
            guard let storedBase = stored.baseAddress else { return false }
            return memcmp(storedBase + start + 8, keyBase + 8, key.count - 8) == 0
        }
    }

    private mutating func grow() {
        var bigger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for entry in slots where entry != 0 {
            let code = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = entry
        }
        slots = bigger
    }

    /// The slot tag: 24 high bits of the hash and the length (capped at 255).
    private static func tag(hash: UInt64, length: Int) -> UInt64 {
        (hash >> 40) << 8 | UInt64(min(length, 255))
    }

    /// A multiplicative hash of the first eight bytes and then the rest, eight at a time, with a
    /// final avalanche so that the low bits are usable as a slot index. The length is mixed in.
    private static func hash(_ key: UnsafeBufferPointer<UInt8>, prefix: UInt64) -> UInt64 {
        let multiplier: UInt64 = 0x9e37_79b9_7f4a_7c15
        var hash = (0xcbf2_9ce4_8422_2325 ^ UInt64(truncatingIfNeeded: key.count) ^ prefix) &* multiplier
        if key.count > 8, let base = key.baseAddress {
            let raw = UnsafeRawPointer(base)
            var offset = 8
            while offset + 8 <= key.count {
                hash ^= hash >> 29
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* multiplier
                offset += 8
            }
            if offset < key.count {
                // The last eight bytes (overlapping the words before; the length is mixed in).
                hash ^= hash >> 29
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: key.count - 8, as: UInt64.self)) &* multiplier
            }
        }
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash = hash &* 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}

/// A label's first eight bytes as one integer (little-endian, zero-padded) and its length: equal
/// keys mean equal labels when the length is at most eight.
struct LabelKey: Equatable {
    let prefix: UInt64
    let length: Int

    init(prefix: UInt64, length: Int) {
        self.prefix = prefix
        self.length = length
    }

    /// The key of `bytes`.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        length = bytes.count
        guard let base = bytes.baseAddress else {
            prefix = 0
            return
        }
        if bytes.count >= 8 {
            prefix = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
        } else {
            var word: UInt64 = 0
            for index in 0..<bytes.count {
                word |= UInt64(base[index]) << UInt64(8 * index)
            }
            prefix = word
        }
    }

    /// The key of `input[start..<end]`; a short label is read with one eight-byte load ending at
    /// `end` when `input` has eight bytes there.
    @inline(__always)
    init(_ input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) {
        let length = end - start
        if length < 8, end >= 8, let base = input.baseAddress {
            // Little-endian: the label's bytes are the high `length` bytes of the word.
            let word = UnsafeRawPointer(base + (end - 8)).loadUnaligned(as: UInt64.self)
            self.init(prefix: length == 0 ? 0 : word >> UInt64(8 * (8 - length)), length: length)
        } else {
            self.init(UnsafeBufferPointer(rebasing: input[start..<end]))
        }
    }
}

/// A read-only view of the labels of a ``LabelInterner``, as byte strings in code order.
struct StoredLabels {
    fileprivate let bytes: UnsafeBufferPointer<UInt8>
    /// Label `i` is `bytes[starts[i]..<starts[i + 1]]`.
    fileprivate let starts: UnsafeBufferPointer<Int>

    /// The number of labels.
    var count: Int { starts.count - 1 }

    /// The bytes of label `index` (`0 ..< count`).
    subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[starts[index]..<starts[index + 1]])
    }
}
