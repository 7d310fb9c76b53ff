import Foundation
import Testing
@testable import MixedModels

/// The README's library example is the `readme-example` target's source (which `swift build`
/// compiles), and the library prints its results as `lmm` does.
@Suite("README example and printing")
struct ReadmeExampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the README's first Swift block is Examples/ReadmeExample/main.swift without its two comment lines")
    func readmeMatchesExample() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.root.appendingPathComponent("Examples/ReadmeExample/main.swift"), encoding: .utf8)
        let library = try #require(readme.range(of: "## The library\n"))
        let open = try #require(readme.range(of: "```swift\n", range: library.upperBound..<readme.endIndex))
        let close = try #require(readme.range(of: "```", range: open.upperBound..<readme.endIndex))
        let block = String(readme[open.upperBound..<close.lowerBound])
        let lines = example.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.prefix(2).allSatisfy { $0.hasPrefix("//") })
        #expect(block == lines.dropFirst(2).joined(separator: "\n"))
    }

    @Test("print(fit) prints the summary lmm fit prints")
    func fitDescriptionIsTheSummary() throws {
        let fit = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                       data: DataTable.builtIn("sleepstudy")).fit(method: .reml)
        let run = try CommandLineTests.run(["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)", "--method", "reml"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output == "\(fit)\n")
        #expect(String(describing: fit).count < 5_000)
    }

    @Test("result rows print as tables; arrays of rows as one line per row")
    func rowsPrintAsTables() throws {
        let fit = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 | Subject)",
                                       data: DataTable.builtIn("sleepstudy")).fit()
        let rows = fit.fixedEffects()
        let table = rows.table.split(separator: "\n")
        #expect(table.count == 3)
        #expect(table[0].split(separator: " ") == ["Name", "Estimate", "SE", "tStat", "DF", "pValue", "Lower", "Upper"])
        #expect(table[1].hasPrefix("    (Intercept)"))
        #expect(String(describing: rows[1]).split(separator: "\n").count == 2)
        #expect("\(rows)".hasPrefix("[FixedEffectRow(Name: (Intercept), Estimate: "))
        #expect(fit.covarianceParameters().table.contains("Res Std"))
    }

    @Test("p-values below 1e-300 print as <1e-300", arguments: [(0.0, "<1e-300"), (1e-301, "<1e-300"), (2e-300, "2e-300"), (0.5, "0.5")])
    func tinyPValues(value: Double, printed: String) {
        #expect(TextTable.formatPValue(value) == printed)
    }
}
