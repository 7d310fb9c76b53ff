import Testing
@testable import MixedModels

/// ``EqualWorkSplit``: each boundary is the first item whose prefix reaches its share of the
/// work, and empty parts are dropped.
@Suite("Equal-work split")
struct EqualWorkSplitTests {
    @Test("each boundary is the first item whose prefix reaches a share of the work, for many random work lists")
    func balanced() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            let count = 1 + Int(generator.nextUniform() * 50)
            let parts = 1 + Int(generator.nextUniform() * 8)
            var prefix = [0]
            for _ in 0..<count { prefix.append(prefix[prefix.count - 1] + Int(generator.nextUniform() * 20)) }
            let bounds = EqualWorkSplit.bounds(count: count, parts: parts) { prefix[$0] }
            #expect(bounds.first == 0 && bounds.last == count)
            #expect(bounds.count <= parts + 1)
            #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 } || count <= 1)
            let total = prefix[count]
            for (index, bound) in bounds.enumerated() where index > 0 && index < bounds.count - 1 {
                // The bound reaches some share part/parts of the total, the item before it does not.
                let shares = (1..<parts).map { total / parts * $0 + total % parts * $0 / parts }
                #expect(shares.contains { prefix[bound] >= $0 && prefix[bound - 1] < $0 }, "\(prefix) \(bounds)")
            }
        }
    }

    @Test("one item holding most of the work leaves the parts around it empty, and they are dropped")
    func skewed() {
        let prefix = [0, 1, 101, 102]
        #expect(EqualWorkSplit.bounds(count: 3, parts: 2) { prefix[$0] } == [0, 2, 3])
        #expect(EqualWorkSplit.bounds(count: 3, parts: 4) { prefix[$0] } == [0, 2, 3])
        #expect(EqualWorkSplit.bounds(count: 1, parts: 2) { _ in 0 } == [0, 1])
    }
}
