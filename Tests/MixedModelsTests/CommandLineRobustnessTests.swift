import Foundation
import Testing
@testable import MixedModels

/// Every failure of `lmm` exits non-zero with a message on stderr, prints nothing on stdout,
/// writes no output file, and leaves its input files unchanged.
@Suite("lmm failure modes")
struct CommandLineRobustnessTests {
    static let data = "y,x,g,f\n1,2,a,p\n2.5,3,a,q\n3,1,b,p\n4.5,5,b,q\n5,2,c,p\n6.5,7,c,q\n2,4,a,q\n3,3,b,p\n"
    static let formula = "y ~ x + (1 | g)"

    /// A temporary folder with `data.csv` and `new.csv`.
    struct Workspace {
        let directory: URL
        var dataPath: String { directory.appendingPathComponent("data.csv").path }
        var newPath: String { directory.appendingPathComponent("new.csv").path }
        var outputPath: String { directory.appendingPathComponent("out.csv").path }

        init(newData: String = "x,g\n1,a\n2,z\n") throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-robust-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try CommandLineRobustnessTests.data.write(toFile: dataPath, atomically: true, encoding: .utf8)
            try newData.write(toFile: newPath, atomically: true, encoding: .utf8)
        }

        func write(_ text: String, to name: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// Runs `lmm` and checks the failure contract.
    static func expectFailure(_ arguments: [String], in workspace: Workspace, mentioning fragment: String? = nil,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let inputs = [workspace.dataPath, workspace.newPath]
        let before = inputs.map { try? Data(contentsOf: URL(fileURLWithPath: $0)) }
        let run = try CommandLineTests.run(arguments)
        #expect(run.status != 0, "exit status 0 for \(arguments)", sourceLocation: sourceLocation)
        #expect(!run.error.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "no message for \(arguments)",
                sourceLocation: sourceLocation)
        #expect(run.output.isEmpty, "stdout for \(arguments): \(run.output.prefix(200))", sourceLocation: sourceLocation)
        #expect(!run.error.contains("Fatal error"), "\(run.error)", sourceLocation: sourceLocation)
        if let fragment {
            #expect(run.error.contains(fragment), "stderr lacks '\(fragment)': \(run.error)", sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: workspace.outputPath), "output written for \(arguments)",
                sourceLocation: sourceLocation)
        let after = inputs.map { try? Data(contentsOf: URL(fileURLWithPath: $0)) }
        #expect(before == after, "an input file changed for \(arguments)", sourceLocation: sourceLocation)
    }

    @Test("--output naming an input file (directly, by another path, or by a link) is refused and the input kept")
    func outputIsInput() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let link = workspace.directory.appendingPathComponent("link.csv").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: workspace.dataPath)
        let hard = workspace.directory.appendingPathComponent("hard.csv").path
        try FileManager.default.linkItem(atPath: workspace.dataPath, toPath: hard)
        let other = workspace.directory.appendingPathComponent("sub/../data.csv").path
        try FileManager.default.createDirectory(at: workspace.directory.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for target in [workspace.dataPath, link, hard, other] {
            try Self.expectFailure(["simulate", workspace.dataPath, Self.formula, "--output", target], in: workspace,
                                   mentioning: "input file")
            try Self.expectFailure(["simulate", workspace.dataPath, Self.formula, "--new", workspace.newPath, "--output", target],
                                   in: workspace, mentioning: "input file")
        }
        try Self.expectFailure(["predict", workspace.dataPath, Self.formula, "--new", workspace.newPath, "--output", workspace.newPath],
                               in: workspace, mentioning: "input file")
        try Self.expectFailure(["predict", workspace.dataPath, Self.formula, "--new", workspace.newPath, "--output", workspace.dataPath],
                               in: workspace, mentioning: "input file")
    }

    @Test("an output path that is a folder, or in a missing folder, is refused")
    func outputFolder() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try Self.expectFailure(["simulate", workspace.dataPath, Self.formula, "--output", workspace.directory.path],
                               in: workspace, mentioning: "folder")
        try Self.expectFailure(["simulate", workspace.dataPath, Self.formula, "--output", workspace.directory.path + "/missing/out.csv"],
                               in: workspace, mentioning: "does not exist")
    }

    @Test("compare reads a DATA argument beginning with '-' as data, not as an option or a request for help")
    func compareDashData() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try Self.expectFailure(["compare", "--", "--help", "y ~ 1 + (1 | g)", Self.formula], in: workspace, mentioning: "--help")
    }

    @Test("simulate refuses an --nsim too large to write, before writing anything")
    func hugeNsim() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        try Self.expectFailure(["simulate", workspace.dataPath, Self.formula, "--nsim", "\(Int.max)", "--output", workspace.outputPath],
                               in: workspace, mentioning: "--nsim")
        try Self.expectFailure(["simulate", workspace.dataPath, Self.formula, "--nsim", "0", "--output", workspace.outputPath],
                               in: workspace, mentioning: "--nsim")
    }

    @Test("bad data, formulas, options and new data fail cleanly in every subcommand")
    func failureModes() throws {
        let workspace = try Workspace()
        defer { workspace.remove() }
        let data = workspace.dataPath
        let ragged = try workspace.write("y,x,g\n1,2,a\n3,4\n", to: "ragged.csv")
        let headerOnly = try workspace.write("x,g\n", to: "header.csv")
        let missingColumn = try workspace.write("g\na\n", to: "nox.csv")
        let unseenFactor = try workspace.write("x,g,f\n1,a,zz\n", to: "unseen.csv")
        let binary = try workspace.write("y,x\n1,\u{0}\n", to: "binary.csv")
        let infinite = try workspace.write("y,x,g\n1,Inf,a\n2,3,a\n3,4,b\n4,5,b\n", to: "inf.csv")
        let out = workspace.outputPath
        let deep = "y ~ " + String(repeating: "(", count: 5_000) + "x" + String(repeating: ")", count: 5_000)
        let cases: [([String], String?)] = [
            (["fit", ragged, Self.formula], "line 3"),
            (["fit", binary, Self.formula], nil),
            (["fit", infinite, Self.formula], "Inf"),
            (["fit", data, "y ~ x + (1 | g"], "position"),
            (["fit", data, deep], "nested"),
            (["fit", data, "y ~ (" + (0..<20).map { "x\($0)" }.joined(separator: " + ") + ")^20"], nil),
            (["fit", data, "y ~ nope + (1 | g)"], "nope"),
            (["fit", data, "g ~ x + (1 | f)"], "numeric"),
            (["fit", data, "y ~ x + (1 | y)"], "response"),
            (["fit", data, "y ~ x + (1 | g)", "--levels", "g=a,b"], "'c'"),
            (["fit", data, "y ~ x + (1 | g)", "--levels", "g=a,b,c,d"], "'d'"),
            (["fit", data, "y ~ x + (1 | g)", "--levels", "g=a,,b"], "empty"),
            (["fit", data, "y ~ x + (1 | g)", "--levels", "nope=a"], "nope"),
            (["fit", data, "y ~ x + (1 | g)", "--categorical", "nope"], "nope"),
            (["fit", data, "y ~ x + (1 | g)", "--covariance", "g=Wobbly"], "Wobbly"),
            (["fit", data, "y ~ x + (1 | g)", "--covariance", "h=Diagonal"], "'h'"),
            (["fit", data, "y ~ x + (1 | g)", "--covariance", "g=CompSymm"], "CompSymm"),
            (["fit", data, "y ~ x + (1 | g)", "--weights", "g"], "numeric"),
            (["fit", data, "y ~ x + (1 | g)", "--weights", "nope"], "nope"),
            (["fit", data, "y ~ x + (1 | g)", "--alpha", "nan"], "alpha"),
            (["fit", data, "y ~ x + (1 | g)", "--alpha", "1"], "alpha"),
            (["fit", workspace.directory.path + "/none.csv", Self.formula], "none.csv"),
            (["fit", workspace.directory.path, Self.formula], nil),
            (["design", data, "y ~ x + (1 | g:f:x)"], nil),
            (["compare", data, "y ~ 1 + (1 | g)", "y ~ x + (1 | nope)"], "nope"),
            (["compare", data, "y ~ 1 + (1 | g)", Self.formula, "--nsim", "-1"], "--nsim"),
            (["compare", data, "y ~ 1 + (1 | g)", Self.formula, "--nsim", "2", "--alpha", "-1"], "alpha"),
            (["predict", data, Self.formula, "--new", missingColumn, "--output", out], "x"),
            (["predict", data, "y ~ x + f + (1 | g)", "--new", unseenFactor, "--output", out], "zz"),
            (["predict", data, Self.formula, "--new", headerOnly, "--output", out], nil),
            (["predict", data, Self.formula, "--new", ragged, "--output", out], nil),
            (["predict", data, Self.formula, "--new", workspace.directory.path + "/none.csv", "--output", out], "none.csv"),
            (["simulate", data, Self.formula, "--new", missingColumn, "--output", out], "x"),
            (["simulate", data, Self.formula, "--new", headerOnly, "--output", out], nil),
            (["simulate", data, "y ~ x + (1 | nope)", "--output", out], "nope"),
        ]
        for (arguments, fragment) in cases {
            try Self.expectFailure(arguments, in: workspace, mentioning: fragment)
        }
    }
}
