import Foundation
@testable import MixedModels

/// Reads the JSON fixtures produced by real lme4 runs (see Fixtures/scripts and Fixtures/lme4/README.md).
enum FixtureSupport {
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil) ?? URL(fileURLWithPath: "Fixtures")
    }

    static func json(_ relativePath: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(relativePath))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError.malformed(relativePath)
        }
        return object
    }

    static func files(in folder: String, suffix: String = ".json") -> [String] {
        let url = directory.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { "\(folder)/\($0)" }
    }

    /// The data set a fixture names, with derived columns its model needs (the weights column
    /// `w = 1 + (Days mod 3)` that the reference script defines for the weighted sleepstudy fit).
    static func table(for fixture: [String: Any]) throws -> DataTable {
        let name = fixture["dataset"] as? String ?? ""
        let table = try DataTable.builtIn(name)
        guard fixture["weights"] is String || fixture["weights"] is [String: Any],
              case .numeric(let days)? = table.column(named: "Days") else { return table }
        let weights = days.values.map { 1 + $0.truncatingRemainder(dividingBy: 3) }
        return try DataTable(columnNames: table.columnNames + ["w"],
                             columns: table.columns + [.numeric(NumericColumn(values: weights))], source: name)
    }

    static func doubles(_ value: Any?) -> [Double] {
        if let array = value as? [Any] { return array.map(double) }
        return []
    }

    static func double(_ value: Any?) -> Double {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String {
            switch text {
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: return Double(text) ?? .nan
            }
        }
        return .nan
    }

    static func relativeError(_ actual: Double, _ expected: Double) -> Double {
        if actual == expected { return 0 }
        return abs(actual - expected) / max(abs(expected), 1e-300)
    }
}

enum FixtureError: Error {
    case malformed(String)
}
