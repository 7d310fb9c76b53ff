import Foundation

/// The order of a categorical column's levels: the default sort, and checking a caller's order.
enum LevelOrdering {
    /// Why a caller's level order cannot be used.
    enum Problem: Error, Equatable {
        /// The order names this level twice.
        case duplicate(String)
        /// The order names these levels, which are not in the data.
        case unknown([String])
        /// The order leaves out these levels, which are in the data.
        case missing([String])
    }

    /// The default order of `labels`, as indices into `labels`.
    ///
    /// Numerically ascending when every label is a finite decimal number (ties, such as `1` and
    /// `1.0`, broken by text); otherwise by Unicode scalar values, which is the byte order of the
    /// UTF-8 text (so `B` comes before `a`, and `10` before `9` unless all labels are numbers).
    static func sortedOrder(of labels: [String]) -> [Int] {
        var numbers = [Double]()
        numbers.reserveCapacity(labels.count)
        for label in labels {
            guard case .finite(let value) = NumberParsing.parse(label) else {
                return labels.indices.sorted { isBytewiseLess(labels[$0], labels[$1]) }
            }
            numbers.append(value)
        }
        return labels.indices.sorted { left, right in
            if numbers[left] != numbers[right] { return numbers[left] < numbers[right] }
            return isBytewiseLess(labels[left], labels[right])
        }
    }

    /// The same order as ``sortedOrder(of:)-([String])`` for labels held as bytes, without
    /// creating or comparing a `String` per label.
    ///
    /// Bytewise comparisons first compare the labels' first eight bytes as one big-endian integer
    /// (zero-padded: the input has no NUL byte, so a shorter label that is a prefix of a longer
    /// one still sorts first) and only compare the rest when those are equal. Labels are distinct,
    /// so the order is total and does not depend on the sorting algorithm.
    static func sortedOrder(of labels: StoredLabels) -> [Int] {
        sortedOrder(of: labels, numerically: allNumbers(labels))
    }

    /// Whether every label is a finite decimal number, so that the default order is numeric.
    static func allNumbers(_ labels: StoredLabels) -> Bool {
        (0..<labels.count).allSatisfy { index in
            if case .finite = NumberParsing.parse(labels[index]) { return true }
            return false
        }
    }

    /// The default order of `labels`: numerically (every label must be a finite number) or bytewise.
    static func sortedOrder(of labels: StoredLabels, numerically: Bool) -> [Int] {
        var keys = [SortKey]()
        keys.reserveCapacity(labels.count)
        for index in 0..<labels.count {
            let bytes = labels[index]
            var number = 0.0
            if numerically, case .finite(let value) = NumberParsing.parse(bytes) { number = value }
            keys.append(SortKey(number: number, prefix: Self.prefix(of: bytes), index: Int32(truncatingIfNeeded: index)))
        }
        let isBytewiseLess = { (left: SortKey, right: SortKey) -> Bool in
            if left.prefix != right.prefix { return left.prefix < right.prefix }
            return Self.isBytewiseLess(labels[Int(left.index)], labels[Int(right.index)])
        }
        if numerically {
            keys.sort { left, right in
                if left.number != right.number { return left.number < right.number }
                return isBytewiseLess(left, right)
            }
        } else {
            keys.sort(by: isBytewiseLess)
        }
        return keys.map { Int($0.index) }
    }

    /// The default order of the union of two label sets, from the default order of each (both
    /// sorted numerically when `numerically`, else bytewise): per level, its index in `first` and
    /// in `second`, -1 where it is not there. A label in both (the same bytes) is one level.
    static func mergedOrder(
        first: StoredLabels, firstOrder: [Int], second: StoredLabels, secondOrder: [Int], numerically: Bool
    ) -> [(first: Int32, second: Int32)] {
        func number(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
            if case .finite(let value) = NumberParsing.parse(bytes) { return value }
            return 0
        }
        var merged = [(first: Int32, second: Int32)]()
        merged.reserveCapacity(firstOrder.count + secondOrder.count)
        var left = 0
        var right = 0
        while left < firstOrder.count || right < secondOrder.count {
            guard right < secondOrder.count else {
                merged.append((Int32(truncatingIfNeeded: firstOrder[left]), -1))
                left += 1
                continue
            }
            guard left < firstOrder.count else {
                merged.append((-1, Int32(truncatingIfNeeded: secondOrder[right])))
                right += 1
                continue
            }
            let leftBytes = first[firstOrder[left]]
            let rightBytes = second[secondOrder[right]]
            let leftFirst: Bool
            let rightFirst: Bool
            if numerically, case let (leftNumber, rightNumber) = (number(leftBytes), number(rightBytes)),
               leftNumber != rightNumber {
                leftFirst = leftNumber < rightNumber
                rightFirst = !leftFirst
            } else {
                leftFirst = isBytewiseLess(leftBytes, rightBytes)
                rightFirst = !leftFirst && isBytewiseLess(rightBytes, leftBytes)
            }
            if leftFirst {
                merged.append((Int32(truncatingIfNeeded: firstOrder[left]), -1))
                left += 1
            } else if rightFirst {
                merged.append((-1, Int32(truncatingIfNeeded: secondOrder[right])))
                right += 1
            } else {
                merged.append((Int32(truncatingIfNeeded: firstOrder[left]), Int32(truncatingIfNeeded: secondOrder[right])))
                left += 1
                right += 1
            }
        }
        return merged
    }

    /// Byte order, a shorter label first when it is a prefix of the other: the order of the
    /// strings' UTF-8 views.
    private static func isBytewiseLess(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(left.count, right.count)
        if common > 0, let leftBase = left.baseAddress, let rightBase = right.baseAddress {
            let order = memcmp(leftBase, rightBase, common)
            if order != 0 { return order < 0 }
        }
        return left.count < right.count
    }

    /// A label's place in the sort: its value (when every label is a number), its first eight
    /// bytes, and its index.
    private struct SortKey {
        var number: Double
        var prefix: UInt64
        var index: Int32
    }

    /// The first eight bytes as a big-endian integer, zero-padded.
    private static func prefix(of bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var prefix: UInt64 = 0
        for index in 0..<8 {
            prefix <<= 8
            if index < bytes.count { prefix |= UInt64(bytes[index]) }
        }
        return prefix
    }

    /// The caller's `requested` order as indices into `labels`, or the problem with it.
    static func order(of labels: [String], requested: [String]) -> Result<[Int], Problem> {
        var indexOfLabel = [String: Int]()
        for (index, label) in labels.enumerated() { indexOfLabel[label] = index }
        var seen = Set<String>()
        var unknown = [String]()
        var order = [Int]()
        order.reserveCapacity(requested.count)
        for level in requested {
            guard seen.insert(level).inserted else { return .failure(.duplicate(level)) }
            if let index = indexOfLabel[level] {
                order.append(index)
            } else {
                unknown.append(level)
            }
        }
        if !unknown.isEmpty { return .failure(.unknown(unknown)) }
        if order.count < labels.count {
            let missing = sortedOrder(of: labels).map { labels[$0] }.filter { !seen.contains($0) }
            return .failure(.missing(missing))
        }
        return .success(order)
    }

    /// Codes and levels rearranged so that level `order[k]` of the input becomes level `k`.
    static func applying(_ order: [Int], to codes: [Int32], levels: [String]) -> CategoricalColumn {
        var newCode = [Int32](repeating: CategoricalColumn.missingCode, count: levels.count)
        for (position, oldIndex) in order.enumerated() {
            newCode[oldIndex] = Int32(truncatingIfNeeded: position)
        }
        let recoded = codes.map { code in
            code == CategoricalColumn.missingCode ? code : newCode[Int(code)]
        }
        return CategoricalColumn(codes: recoded, levels: order.map { levels[$0] })
    }

    private static func isBytewiseLess(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }
}
