import Foundation
import Testing
@testable import MixedModels

/// `lmm` as a Unix tool: standard input and output, links and devices never replaced,
/// `--version`, case-insensitive values, a refused `--alpha 0.95`, tiny p-values.
@Suite("lmm Unix manners")
struct UnixMannersTests {
    static let formula = "Yield ~ 1 + (1 | Batch)"

    /// Runs `lmm` with `input` on standard input.
    static func run(_ arguments: [String], input: String) throws -> CommandLineTests.Run {
        let process = Process()
        process.executableURL = try CommandLineTests.executable()
        process.arguments = arguments
        let stdin = Pipe()
        let output = Pipe()
        let error = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = error
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandLineTests.Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                                    error: String(decoding: errorData, as: UTF8.self))
    }

    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-unix-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("DATA - and /dev/stdin read standard input")
    func standardInput() throws {
        let dyestuff = try #require(EmbeddedDatasets.text(of: "Dyestuff.csv"))
        let fromFile = try CommandLineTests.run(["fit", "Dyestuff", Self.formula, "--format", "json"])
        for data in ["-", "/dev/stdin"] {
            let run = try Self.run(["fit", data, Self.formula, "--format", "json"], input: dyestuff)
            #expect(run.status == 0, "\(data): \(run.error)")
            let object = try CommandLineTests.json(run)
            #expect(object["numObservations"] as? Int == 30)
            #expect(FixtureSupport.double(object["logLikelihood"]) == FixtureSupport.double(try CommandLineTests.json(fromFile)["logLikelihood"]))
        }
    }

    @Test("predict --new - reads the new rows from standard input")
    func newDataFromStandardInput() throws {
        let run = try Self.run(["predict", "Dyestuff", Self.formula, "--new", "-", "--output", "-"], input: "Batch\nA\nF\n")
        #expect(run.status == 0, "\(run.error)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.first == "prediction,lower,upper")
        #expect(lines.count == 3)
    }

    @Test("--output - and --output /dev/stdout write standard output; /dev/stdout stays a link")
    func standardOutput() throws {
        for target in ["-", "/dev/stdout"] {
            let run = try CommandLineTests.run(["simulate", "Dyestuff", Self.formula, "--nsim", "2", "--output", target])
            #expect(run.status == 0, "\(run.error)")
            let lines = run.output.split(separator: "\n")
            #expect(lines.first == "sim_1,sim_2")
            #expect(lines.count == 31)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/stdout")
        #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(!FileManager.default.fileExists(atPath: "-"))
    }

    @Test("a symbolic link is written through (the link kept); a regular file is replaced whole")
    func linksAreWrittenThrough() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("target.csv").path
        let link = folder.appendingPathComponent("link.csv").path
        try "old\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let run = try CommandLineTests.run(["simulate", "Dyestuff", Self.formula, "--output", link])
        #expect(run.status == 0, "\(run.error)")
        #expect(try FileManager.default.attributesOfItem(atPath: link)[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        let written = try String(contentsOfFile: target, encoding: .utf8)
        #expect(written.hasPrefix("sim_1\n"))
        #expect(written.split(separator: "\n").count == 31)
        let regular = folder.appendingPathComponent("regular.csv").path
        try String(repeating: "x", count: 10_000).write(toFile: regular, atomically: true, encoding: .utf8)
        let second = try CommandLineTests.run(["simulate", "Dyestuff", Self.formula, "--output", regular])
        #expect(second.status == 0, "\(second.error)")
        #expect(try String(contentsOfFile: regular, encoding: .utf8) == written)
    }

    @Test("a FIFO is written through, not replaced")
    func fifoIsWrittenThrough() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let output = Pipe()
        reader.standardOutput = output
        try reader.run()
        let run = try CommandLineTests.run(["simulate", "Dyestuff", Self.formula, "--output", fifo])
        let data = output.fileHandleForReading.readDataToEndOfFile()
        reader.waitUntilExit()
        #expect(run.status == 0, "\(run.error)")
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("sim_1\n"))
        #expect(try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType != .typeRegular)
    }

    @Test("lmm --version prints the version")
    func version() throws {
        let run = try CommandLineTests.run(["--version"])
        #expect(run.status == 0)
        #expect(run.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
    }

    @Test("option values are case-insensitive",
          arguments: [["--format", "JSON"], ["--anova-type", "III"], ["--anova-type", "type3"], ["--method", "REML"],
                      ["--df-method", "Satterthwaite"], ["--dummy-coding", "Effects"], ["--factor-storage", "Dense"]])
    func caseInsensitiveValues(option: [String]) throws {
        let run = try CommandLineTests.run(["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 | Subject)"] + option)
        #expect(run.status == 0, "\(option): \(run.error)")
    }

    @Test("--alpha above 0.5 is refused with a hint")
    func alphaAboveHalf() throws {
        for command in [["fit", "Dyestuff", Self.formula], ["compare", "Dyestuff", "Yield ~ 1 + (1 | Batch)", "Yield ~ 1 + (1 | Batch)"]] {
            let run = try CommandLineTests.run(command + ["--alpha", "0.95"])
            #expect(run.status != 0)
            #expect(run.error.contains("did you mean --alpha 0.05?"), "\(run.error)")
        }
        #expect(try CommandLineTests.run(["fit", "Dyestuff", Self.formula, "--alpha", "0.5"]).status == 0)
    }

    @Test("p-values below 1e-300 print as <1e-300")
    func tinyPValues() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("precise.csv").path
        let rows = (0..<400).map { "\(1000 + Double($0 % 7) * 0.0001 + Double($0 % 4) * 0.0002),g\($0 % 4)" }
        try (["y,g"] + rows).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let run = try CommandLineTests.run(["fit", path, "y ~ 1 + (1 | g)"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("<1e-300"), "\(run.output)")
    }

    @Test("CLI messages name CLI flags: Kenward-Roger without REML says to add --method reml")
    func messagesNameFlags() throws {
        let run = try CommandLineTests.run(["fit", "Dyestuff", Self.formula, "--df-method", "kenward-roger"])
        #expect(run.status != 0)
        #expect(run.error.contains("--method reml"), "\(run.error)")
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let newData = folder.appendingPathComponent("new.csv").path
        try "Batch\nA\n".write(toFile: newData, atomically: true, encoding: .utf8)
        let predict = try CommandLineTests.run(["predict", "Dyestuff", Self.formula, "--method", "reml", "--new", newData,
                                                "--df-method", "kenward-roger", "--output", "-"])
        #expect(predict.status != 0)
        #expect(predict.error.contains("Kenward"), "\(predict.error)")
        #expect(!predict.error.contains("dfMethod"), "\(predict.error)")
    }
}
