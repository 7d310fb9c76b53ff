import Foundation
import Testing
@testable import MixedModels

/// The label interner and the level order of labels held as bytes, against plain references.
@Suite("CSV labels")
struct CSVLabelTests {
    /// The interner's codes and labels match a dictionary's on random labels of every length,
    /// whichever way the bytes are given.
    @Test func labelInternerMatchesDictionary() {
        var generator = SplitMix64(seed: 3)
        let alphabet = Array("ab0é_".utf8)
        var text = [UInt8]()
        var spans = [(Int, Int)]()
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 24)
            let start = text.count
            for _ in 0..<length { text.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            if generator.next() % 3 == 0 { text.append(contentsOf: Array("zz".utf8)) }
            spans.append((start, text.count))
        }
        var viaBytes = LabelInterner()
        var viaSpans = LabelInterner()
        var reference = [[UInt8]: Int32]()
        var referenceLabels = [[UInt8]]()
        var mismatches = 0
        text.withUnsafeBufferPointer { buffer in
            for (start, end) in spans {
                let label = Array(buffer[start..<end])
                let expected = reference[label] ?? {
                    let code = Int32(referenceLabels.count)
                    reference[label] = code
                    referenceLabels.append(label)
                    return code
                }()
                let one = label.withUnsafeBufferPointer { viaBytes.code(for: $0) }
                let two = viaSpans.code(forBytesIn: buffer, from: start, to: end)
                if one != expected || two != expected { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
        #expect(viaBytes.count == referenceLabels.count)
        #expect(viaSpans.labels == referenceLabels.map { String(decoding: $0, as: UTF8.self) })
    }

    /// Sorting labels held as bytes gives the order of sorting them as strings.
    @Test func byteLabelOrderMatchesStringOrder() {
        var generator = SplitMix64(seed: 9)
        let pieces = ["a", "B", "é", "e\u{301}", "0", "9", "10", "abcdefgh", "abcdefghi", "_", "日", "🙂", ".", "-", "e"]
        for round in 0..<200 {
            var labels = Set<String>()
            let count = Int(generator.next() % 40) + 1
            let numeric = round % 4 == 0
            while labels.count < count {
                if numeric {
                    labels.insert(["1", "1.0", "10", "9", "-0", "0", "1e1", "+9", "0.5", ".5", "2"][Int(generator.next() % 11)]
                                  + String(repeating: "0", count: Int(generator.next() % 2)))
                    if labels.count >= 11 { break }
                } else {
                    let parts = Int(generator.next() % 4) + 1
                    labels.insert((0..<parts).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined())
                }
            }
            var shuffled = Array(labels)
            shuffled.shuffle(using: &generator)
            var interner = LabelInterner()
            for label in shuffled {
                var copy = label
                _ = copy.withUTF8 { interner.code(for: $0) }
            }
            let byBytes = interner.withLabelBytes { LevelOrdering.sortedOrder(of: $0) }
            #expect(byBytes == LevelOrdering.sortedOrder(of: shuffled), "\(shuffled)")
        }
    }

    /// Merging the sorted labels of two parts gives the sorted labels of their union.
    @Test func mergedOrderIsTheOrderOfTheUnion() {
        var generator = SplitMix64(seed: 21)
        let pool = ["a", "B", "é", "10", "9", "1.0", "1", "abcdefgh", "abcdefghi", "abcdefgh2", "-0", "0", "x", "日本", "+9", "1e1"]
        for round in 0..<300 {
            let numeric = round % 3 == 0
            let candidates = numeric ? ["10", "9", "1.0", "1", "-0", "0", "+9", "1e1", "0.5"] : pool
            func draw() -> [String] {
                var labels = Set<String>()
                for _ in 0..<Int(generator.next() % 8) { labels.insert(candidates[Int(generator.next() % UInt64(candidates.count))]) }
                var shuffled = Array(labels)
                shuffled.shuffle(using: &generator)
                return shuffled
            }
            let firstLabels = draw()
            let secondLabels = draw()
            var first = LabelInterner()
            var second = LabelInterner()
            for label in firstLabels { var copy = label; _ = copy.withUTF8 { first.code(for: $0) } }
            for label in secondLabels { var copy = label; _ = copy.withUTF8 { second.code(for: $0) } }
            let union = firstLabels + secondLabels.filter { !firstLabels.contains($0) }
            let expected = LevelOrdering.sortedOrder(of: union).map { union[$0] }
            let merged: [String] = first.withLabelBytes { one in
                second.withLabelBytes { two in
                    let numerically = LevelOrdering.allNumbers(one) && LevelOrdering.allNumbers(two)
                    return LevelOrdering.mergedOrder(
                        first: one, firstOrder: LevelOrdering.sortedOrder(of: one, numerically: numerically),
                        second: two, secondOrder: LevelOrdering.sortedOrder(of: two, numerically: numerically),
                        numerically: numerically
                    ).map { level in
                        level.first >= 0 ? firstLabels[Int(level.first)] : secondLabels[Int(level.second)]
                    }
                }
            }
            #expect(merged == expected, "\(firstLabels) + \(secondLabels)")
        }
    }
}
