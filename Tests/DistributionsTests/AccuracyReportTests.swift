import Testing
import Foundation
import Distributions

/// Fixture sanity: the JSON made by `Fixtures/make_reference.py` is bundled and parses.
@Test func fixtureLoads() {
    #expect(ReferenceFixture.all.count > 5000)
    #expect(ReferenceFixture.all.count == ReferenceFixture.entryCount)
    #expect(Set(ReferenceFixture.all.map(\.dist)) == ["normal", "t", "f", "chi2"])
}

/// Prints the worst relative error per distribution and function over the whole fixture
/// (the numbers quoted in the module report), and checks the global bound.
@Test func accuracySummary() {
    var worst: [String: (error: Double, label: String)] = [:]
    for c in ReferenceFixture.all {
        guard let e = c.relativeError() else { continue }
        let key = "\(c.dist) \(c.fn)"
        if e > (worst[key]?.error ?? -1) { worst[key] = (e, c.description) }
    }
    for key in worst.keys.sorted() {
        if let entry = worst[key] {
            print("worst relative error \(key): \(entry.error)  at \(entry.label)")
        }
    }
    let overall = worst.values.map(\.error).max() ?? .infinity
    #expect(overall <= 1e-12)
}
