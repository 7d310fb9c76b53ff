import Foundation
import Testing
@testable import MixedModels

/// `lmm predict` and `lmm simulate` end to end.
@Suite("lmm predict and simulate")
struct PredictSimulateCommandTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func readCSV(_ url: URL) throws -> (header: [String], rows: [[Double]]) {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines.first?.split(separator: ",").map(String.init) ?? []
        let rows = lines.dropFirst().map { $0.split(separator: ",").map { Double($0) ?? .nan } }
        return (header, rows)
    }

    @Test("predict writes one row per new row, matching the library; unseen levels get the marginal prediction")
    func predict() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let newFile = directory.appendingPathComponent("new.csv")
        try "Days,Subject\n0,308\n3,309\n5,999\n".write(to: newFile, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out.csv")
        let formula = "Reaction ~ 1 + Days + (1 + Days | Subject)"
        let run = try CommandLineTests.run(["predict", "sleepstudy", formula, "--new", newFile.path, "--output", output.path])
        #expect(run.status == 0, "\(run.error)")
        let (header, rows) = try Self.readCSV(output)
        #expect(header == ["prediction", "lower", "upper"])
        #expect(rows.count == 3)

        let fit = try LinearMixedModel(formula: formula, data: DataTable.builtIn("sleepstudy")).fit()
        let table = try DataTable(contentsOf: newFile, options: CSVReadOptions(categoricalColumns: ["Subject"]))
        let expected = try fit.predict(on: table, conditional: true, interval: .curve)
        let marginal = try fit.predict(on: table, conditional: false)
        for (row, reference) in zip(rows, expected) {
            #expect(abs(row[0] - reference.prediction) <= 1e-9 * abs(reference.prediction))
            #expect(abs(row[1] - reference.lower) <= 1e-9 * abs(reference.lower))
            #expect(abs(row[2] - reference.upper) <= 1e-9 * abs(reference.upper))
            #expect(row[1] < row[0] && row[0] < row[2])
        }
        #expect(abs(rows[2][0] - marginal[2].prediction) <= 1e-9 * abs(marginal[2].prediction))
    }

    @Test("simulate is reproducible for a seed and writes nsim columns")
    func simulate() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a.csv")
        let second = directory.appendingPathComponent("b.csv")
        let arguments = ["simulate", "Dyestuff", "Yield ~ 1 + (1 | Batch)", "--nsim", "3", "--seed", "11"]
        #expect(try CommandLineTests.run(arguments + ["--output", first.path]).status == 0)
        #expect(try CommandLineTests.run(arguments + ["--output", second.path]).status == 0)
        let a = try Self.readCSV(first)
        let b = try Self.readCSV(second)
        #expect(a.header == ["sim_1", "sim_2", "sim_3"])
        #expect(a.rows.count == 30)
        #expect(a.rows == b.rows)
        let other = directory.appendingPathComponent("c.csv")
        #expect(try CommandLineTests.run(["simulate", "Dyestuff", "Yield ~ 1 + (1 | Batch)", "--nsim", "3", "--seed", "12", "--output", other.path]).status == 0)
        #expect(try Self.readCSV(other).rows != a.rows)
    }

    @Test("a failing predict writes no output file")
    func failureWritesNothing() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let newFile = directory.appendingPathComponent("new.csv")
        try "Days\n1\n".write(to: newFile, atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("out.csv")
        let run = try CommandLineTests.run(["predict", "sleepstudy", "Reaction ~ Days + (1 | Subject)", "--new", newFile.path,
                                            "--output", output.path])
        #expect(run.status != 0)
        #expect(run.error.contains("Subject"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
