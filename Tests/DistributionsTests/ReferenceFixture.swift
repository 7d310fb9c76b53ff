import Foundation
import Testing
import Distributions

/// One reference value from `Fixtures/reference.json` (made by `Fixtures/make_reference.py`).
struct ReferenceCase: Sendable, CustomStringConvertible, CustomTestStringConvertible {
    let dist: String
    let params: [Double]
    let fn: String
    let x: Double
    let expected: Double
    let source: String

    var description: String {
        "\(dist)\(params) \(fn)(\(x)) = \(expected) [\(source)]"
    }

    var testDescription: String { description }

    /// The distribution under test.
    var distribution: any ContinuousDistribution {
        switch dist {
        case "normal":
            return NormalDistribution(mean: params[0], standardDeviation: params[1])
        case "t":
            return StudentTDistribution(degreesOfFreedom: params[0])
        case "f":
            return FDistribution(numeratorDegreesOfFreedom: params[0], denominatorDegreesOfFreedom: params[1])
        default:
            return ChiSquaredDistribution(degreesOfFreedom: params[0])
        }
    }

    /// Our value for this case.
    func computed() -> Double {
        let d = distribution
        switch fn {
        case "pdf": return d.pdf(x)
        case "cdf": return d.cdf(x)
        case "sf": return d.survival(x)
        case "ppf": return d.quantile(x)
        default: return d.upperQuantile(x)
        }
    }

    /// Relative error of `computed()`; `nil` when the reference is below 1e-300 or not finite
    /// (those cases are checked by `acceptsNonRelative`).
    func relativeError() -> Double? {
        guard expected.isFinite, abs(expected) >= 1e-300 else { return nil }
        return abs(computed() - expected) / abs(expected)
    }

    /// For references that are infinite or below 1e-300 (underflow): exact infinities, and
    /// results that are themselves tiny.
    func acceptsNonRelative() -> Bool {
        let value = computed()
        if expected.isInfinite { return value == expected }
        return value.isFinite && abs(value) <= 1e-290
    }
}

private struct FixtureFile: Decodable {
    struct Entry: Decodable {
        let dist: String
        let params: [String]
        let fn: String
        let x: String
        let expected: String
        let source: String
    }
    let cases: [Entry]
}

enum ReferenceFixture {
    /// All cases, or an empty array if the fixture cannot be read (a dedicated test fails then).
    static var all: [ReferenceCase] { loaded.cases }

    /// Number of entries in the JSON file (all of them must parse into `all`).
    static var entryCount: Int { loaded.entries }

    private static let loaded = load()

    static func cases(_ dist: String, _ functions: Set<String>) -> [ReferenceCase] {
        all.filter { $0.dist == dist && functions.contains($0.fn) }
    }

    private static func load() -> (cases: [ReferenceCase], entries: Int) {
        guard let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil),
              let data = try? Data(contentsOf: directory.appendingPathComponent("reference.json")),
              let file = try? JSONDecoder().decode(FixtureFile.self, from: data)
        else { return ([], 0) }
        let cases: [ReferenceCase] = file.cases.compactMap { entry in
            guard let x = Double(entry.x), let expected = Double(entry.expected) else { return nil }
            let params = entry.params.compactMap(Double.init)
            guard params.count == entry.params.count else { return nil }
            return ReferenceCase(dist: entry.dist, params: params, fn: entry.fn, x: x,
                                 expected: expected, source: entry.source)
        }
        return (cases, file.cases.count)
    }
}
