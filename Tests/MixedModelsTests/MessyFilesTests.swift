import Foundation
import Testing
@testable import MixedModels

/// Files as people export them: NaN, SAS/Stata missing codes, decimal commas, zero and negative
/// weights, a misspelled weights column. Each message is checked for what it names.
@Suite("Messy files")
struct MessyFilesTests {
    /// A small two-level data set; `row(i)` is its i-th row.
    static let header = "score,x,school,w"
    static func rows(decimal: String = ".", separator: String = ",", missing: [Int: String] = [:]) -> [String] {
        (0..<24).map { index in
            let score = missing[index] ?? "\(50 + index % 7)\(decimal)\(index % 4)5"
            let x = "\(index % 5)\(decimal)5"
            return [score, x, "s\(index % 6)", "\(1 + index % 3)"].joined(separator: separator)
        }
    }
    static func csv(_ rows: [String], separator: String = ",") -> String {
        ([header.replacingOccurrences(of: ",", with: separator)] + rows).joined(separator: "\n") + "\n"
    }
    static let formula = "score ~ 1 + x + (1 | school)"

    static func fit(_ text: String, options: CSVReadOptions = CSVReadOptions(), weights: String? = nil) throws -> FittedModel {
        let table = try DataTable(csv: text, source: "data.csv", options: options)
        return try LinearMixedModel(formula: formula, data: table, options: ModelOptions(weightsColumn: weights)).fit()
    }

    static func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return ""
        } catch {
            return "\(error)"
        }
    }

    @Test("NaN (any case, signed) in a numeric column is a missing value, as in R and MATLAB")
    func nanIsMissing() throws {
        let table = try DataTable(csv: "a,b\n1,NaN\n2,nan\n3,-NaN\n4,5\n")
        guard case .numeric(let b)? = table.column(named: "b") else { Issue.record("b is not numeric"); return }
        #expect(b.values.prefix(3).allSatisfy { $0.isNaN })
        #expect(b.values[3] == 5)
        let withNaN = try Self.fit(Self.csv(Self.rows(missing: [3: "NaN", 10: "NaN"])))
        let withNA = try Self.fit(Self.csv(Self.rows(missing: [3: "NA", 10: "NA"])))
        #expect(withNaN.observationCount == 22)
        #expect(withNaN.logLikelihood == withNA.logLikelihood)
        #expect(withNaN.warnings.contains("2 rows with missing values were dropped"))
    }

    @Test("a '.' missing code is named with its line and column and the fix; --na-style tokens read it")
    func missingCodes() throws {
        let text = Self.csv(Self.rows(missing: [5: ".", 9: "-999"]))
        let message = Self.message { _ = try Self.fit(text) }
        #expect(message.contains("line 7 (data row 6)"), "\(message)")
        #expect(message.contains("column 'score'"))
        #expect(message.contains("'.'"))
        #expect(message.contains("--na '.'"))
        #expect(!message.contains("53.08"))
        var options = CSVReadOptions()
        options.missingTokens.formUnion([".", "-999"])
        let fit = try Self.fit(text, options: options)
        #expect(fit.observationCount == 22)
        let reference = try Self.fit(Self.csv(Self.rows(missing: [5: "NA", 9: "NA"])))
        #expect(fit.logLikelihood == reference.logLikelihood)
    }

    @Test("decimal commas get a hint, and decimalSeparator ',' reads them (with ';' between fields)")
    func decimalCommas() throws {
        let european = Self.csv(Self.rows(decimal: ",", separator: ";"), separator: ";")
        let message = Self.message { _ = try Self.fit(european) }
        #expect(message.contains("decimal comma"), "\(message)")
        #expect(message.contains("--decimal ,"))
        #expect(message.contains("line 2 (data row 1)"))
        let fit = try Self.fit(european, options: CSVReadOptions(decimalSeparator: UInt8(ascii: ",")))
        let pointed = try Self.fit(Self.csv(Self.rows()))
        #expect(fit.logLikelihood == pointed.logLikelihood)
        #expect(fit.beta == pointed.beta)
        let clash = Self.message {
            _ = try DataTable(csv: "a,b\n1,2\n", options: CSVReadOptions(delimiter: UInt8(ascii: ","), decimalSeparator: UInt8(ascii: ",")))
        }
        #expect(clash.contains("also the field delimiter"), "\(clash)")
    }

    @Test("zero weights exclude their rows (outside n and the weights' log-determinant), counted in the summary")
    func zeroWeights() throws {
        var rows = Self.rows()
        for index in [2, 7, 15] {
            var fields = rows[index].split(separator: ",").map(String.init)
            fields[3] = "0"
            rows[index] = fields.joined(separator: ",")
        }
        let fit = try Self.fit(Self.csv(rows), weights: "w")
        let kept = rows.enumerated().filter { ![2, 7, 15].contains($0.offset) }.map(\.element)
        let subset = try Self.fit(Self.csv(kept), weights: "w")
        #expect(fit.observationCount == 21)
        #expect(fit.model.design.zeroWeightRowCount == 3)
        #expect(fit.logLikelihood == subset.logLikelihood)
        #expect(fit.warnings.contains("3 rows with zero weight were excluded"))
        let report = try FitReport.computing(fit: fit)
        #expect(report.text.contains("3 rows with zero weight were excluded"))
        #expect(report.json.rendered().contains("\"zeroWeightRows\" : 3") || report.json.rendered().contains("\"zeroWeightRows\": 3"))
    }

    @Test("a negative weight is refused with its row and line; all-zero weights are refused")
    func negativeWeights() throws {
        var rows = Self.rows()
        rows[4] = rows[4].replacingOccurrences(of: ",s4,", with: ",s4,-") // w = -(1 + 4 % 3)
        let message = Self.message { _ = try Self.fit(Self.csv(rows), weights: "w") }
        #expect(message.contains("-2.0 on line 6 (data row 5)"), "\(message)")
        #expect(message.contains("column 'w'"))
        let zero = Self.rows().map { row in row.split(separator: ",").dropLast().joined(separator: ",") + ",0" }
        let allZero = Self.message { _ = try Self.fit(Self.csv(zero), weights: "w") }
        #expect(allZero.contains("every weight in column 'w' is zero"), "\(allZero)")
    }

    @Test("a weights column that does not exist is reported as the weights column")
    func unknownWeightsColumn() throws {
        let message = Self.message { _ = try Self.fit(Self.csv(Self.rows()), weights: "weight") }
        #expect(message.contains("the weights column 'weight' is not in data.csv"), "\(message)")
        #expect(!message.contains("formula variables"))
    }

    @Test("a predictor made categorical by a missing code or decimal comma is named in a warning")
    func predictorReadAsText() throws {
        let rows = Self.rows().enumerated().map { index, row in
            index == 4 ? row.replacingOccurrences(of: ",4.5,", with: ",.,") : row
        }
        let fit = try Self.fit(Self.csv(rows))
        let warning = fit.warnings.first { $0.hasPrefix("the predictor 'x'") } ?? ""
        #expect(warning.contains("line 6 (data row 5) holds '.'"), "\(fit.warnings)")
        #expect(warning.contains("--na '.'"))
        let clean = try Self.fit(Self.csv(Self.rows()))
        #expect(!clean.warnings.contains { $0.contains("coded as categorical") })
    }

    @Test("Inf is still an error, named with its line and column")
    func infinityIsAnError() throws {
        let message = Self.message { _ = try DataTable(csv: "a,b\n1,2\n2,Inf\n", source: "data.csv") }
        #expect(message.contains("line 3"), "\(message)")
        #expect(message.contains("column 'b'"))
    }

    @Test("the CLI reads --na and --decimal, and names the culprit", .serialized,
          arguments: [
            (["--na", ".,-999"], true), ([], false),
          ])
    func commandLine(arguments: [String], succeeds: Bool) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-messy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("data.csv").path
        try Self.csv(Self.rows(missing: [5: ".", 9: "-999"])).write(toFile: path, atomically: true, encoding: .utf8)
        let run = try CommandLineTests.run(["fit", path, Self.formula, "--format", "json"] + arguments)
        #expect((run.status == 0) == succeeds, "\(run.error)")
        if succeeds {
            #expect(try CommandLineTests.json(run)["numObservations"] as? Int == 22)
        } else {
            #expect(run.error.contains("line 7 (data row 6), column 'score' holds '.'"), "\(run.error)")
        }
        let european = directory.appendingPathComponent("eu.csv").path
        try Self.csv(Self.rows(decimal: ",", separator: ";"), separator: ";").write(toFile: european, atomically: true, encoding: .utf8)
        let comma = try CommandLineTests.run(["fit", european, Self.formula, "--decimal", ","])
        #expect(comma.status == 0, "\(comma.error)")
        let bad = try CommandLineTests.run(["fit", european, Self.formula, "--decimal", ":"])
        #expect(bad.status != 0)
        #expect(bad.error.contains("--decimal must be . or ,"), "\(bad.error)")
    }
}
