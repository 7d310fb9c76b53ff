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
}
