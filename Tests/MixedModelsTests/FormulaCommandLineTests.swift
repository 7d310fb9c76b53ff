import Foundation
import Testing
@testable import MixedModels

/// Formula functions through the `lmm` tool: `lmm predict` on new data against R's predict
/// (Fixtures/formula/transforms.json), and the errors for bad function calls.
@Suite("lmm with formula functions")
struct FormulaCommandLineTests {
    @Test("lmm predict on new data keeps the fitted transforms (R's predict)",
          arguments: FormulaTransformTests.references.filter { ["poly_orthogonal", "scale_in_random_term", "center", "offset_log", "matlab_power"].contains($0.id) })
    func predictOnNewData(reference: FormulaTransformTests.Reference) throws {
        let fixture = try FormulaTransformTests.fixture(reference)
        let directory = try PredictSimulateCommandTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let columns = fixture["newdata"] as? [String: Any] ?? [:]
        let days = FixtureSupport.doubles(columns["Days"])
        let subjects = columns["Subject"] as? [String] ?? []
        var text = "Days,Subject\n"
        for (day, subject) in zip(days, subjects) { text += "\(day),\(subject)\n" }
        let newFile = directory.appendingPathComponent("new.csv")
        try text.write(to: newFile, atomically: true, encoding: .utf8)
        let method = (fixture["REML"] as? Bool ?? false) ? "reml" : "ml"
        for (flag, key) in [([String](), "conditional"), (["--marginal"], "marginal")] {
            let output = directory.appendingPathComponent("\(key).csv")
            let run = try CommandLineTests.run(["predict", "sleepstudy", fixture["formula"] as? String ?? "", "--method", method,
                                                "--new", newFile.path, "--output", output.path] + flag)
            #expect(run.status == 0, "\(run.error)")
            let (_, rows) = try PredictSimulateCommandTests.readCSV(output)
            let expected = FixtureSupport.doubles(fixture[key])
            #expect(rows.count == expected.count)
            for (row, reference) in zip(rows, expected) {
                #expect(FixtureSupport.relativeError(row[0], reference) <= 1e-5, "\(key): \(row[0]) vs R \(reference)")
            }
        }
    }

    @Test("bad function calls and values fail with the position or the data row", arguments: [
        (["fit", "sleepstudy", "Reaction ~ lg(Days) + (1 | Subject)"], "unknown function 'lg'"),
        (["fit", "sleepstudy", "Reaction ~ poly(Days) + poly(Days, 2, 3, 4) + (1 | Subject)"], "at most three arguments"),
        (["fit", "sleepstudy", "Reaction ~ poly(Days, 10) + (1 | Subject)"], "the number of distinct values of Days on the model's rows (10)"),
        (["fit", "sleepstudy", "Reaction ~ log(Days) + (1 | Subject)"], "log of the non-positive value 0 in data row 1 of sleepstudy"),
        (["fit", "sleepstudy", "log(Reaction - 300) ~ Days + (1 | Subject)"], "log of the non-positive value"),
        (["fit", "sleepstudy", "Reaction ~ Subject^2 + (1 | Days)"], "must be numeric"),
    ])
    func badInput(arguments: [String], fragment: String) throws {
        let run = try CommandLineTests.run(arguments)
        #expect(run.status != 0)
        #expect(run.error.contains(fragment), "stderr: \(run.error)")
        #expect(run.output.isEmpty)
    }
}
