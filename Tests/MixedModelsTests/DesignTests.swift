import Foundation
import Testing
@testable import MixedModels

/// X and the random-effects terms against lme4's `lFormula` (`model.matrix`, `Ztlist`, `flist`),
/// fixtures made by Fixtures/scripts/design_fixtures.R.
@Suite("Design matrices against lme4")
struct DesignTests {
    static let fixtures = FixtureSupport.files(in: "design")

    /// lme4 names a dummy column variable+level (`recipeB`); we name it variable_level (`recipe_B`).
    static func rStyle(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "") }

    static func design(for fixture: [String: Any]) throws -> ModelDesign {
        let table = try FixtureSupport.table(for: fixture)
        let contrasts = fixture["contrasts"] as? [String: Any]
        let coding: DummyCoding = contrasts?.values.contains { ($0 as? String) == "contr.sum" } == true ? .effects : .reference
        return try ModelDesign(formula: Formula(fixture["formula"] as? String ?? ""), data: table,
                               options: ModelOptions(dummyCoding: coding))
    }

    @Test("fixed-effects matrix: names, dropped columns and values on sample rows", arguments: fixtures)
    func fixedEffects(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let design = try Self.design(for: fixture)
        let x = design.fixedEffects
        #expect(design.observationCount == fixture["n"] as? Int)
        let expectedNames = fixture["x_colnames"] as? [String] ?? []
        #expect(x.columnCount == expectedNames.count)
        if fixture["contrasts"] is NSNull || fixture["contrasts"] == nil {
            #expect(x.columnNames.map(Self.rStyle) == expectedNames)
            #expect(x.droppedColumnNames.map(Self.rStyle) == fixture["x_dropped"] as? [String] ?? [])
        }
        let sample = fixture["x_rows"] as? [String: Any] ?? [:]
        let rows = sample["rows"] as? [Int] ?? []
        let values = sample["values"] as? [[Any]] ?? []
        #expect(!rows.isEmpty)
        for (row, expected) in zip(rows, values) {
            let actual = (0..<x.columnCount).map { x[row - 1, $0] }
            let reference = FixtureSupport.doubles(expected)
            #expect(actual.count == reference.count)
            for (a, b) in zip(actual, reference) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "row \(row)") }
        }
    }

    @Test("random-effects terms: groups, levels, columns and z on sample rows", arguments: fixtures)
    func randomEffects(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let design = try Self.design(for: fixture)
        let expectedTerms = fixture["random_terms"] as? [[String: Any]] ?? []
        #expect(design.randomEffectsTerms.count == expectedTerms.count)
        for (term, expected) in zip(design.randomEffectsTerms, expectedTerms) {
            #expect(term.groupName == expected["group"] as? String)
            #expect(term.levelCount == expected["nlevels"] as? Int)
            #expect(term.levels == expected["levels"] as? [String] ?? [])
            #expect(term.columnNames.map(Self.rStyle) == expected["columns"] as? [String] ?? [])
            #expect(term.randomEffectCount == expected["n_ranef"] as? Int)
            for sample in expected["rows"] as? [[String: Any]] ?? [] {
                let row = (sample["row"] as? Int ?? 1) - 1
                #expect(term.levels[Int(term.levelIndices[row])] == sample["level"] as? String)
                let z = Array(term.z[(row * term.columnCount)..<((row + 1) * term.columnCount)])
                #expect(z == FixtureSupport.doubles(sample["values"]))
            }
        }
    }
}
