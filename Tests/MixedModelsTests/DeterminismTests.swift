import Foundation
import Testing
@testable import MixedModels

/// Issue 11, item 6: the same input gives bit-identical output across runs and thread counts.
/// The data are large enough for every threaded part to run on two threads: the CSV reader codes
/// columns in parallel from 50,000 rows, the trailing downdate splits its work above 2·10⁶ tile
/// products, and the dense Cholesky of the 600-level crossed term runs threaded from 512 rows.
/// `LMM_THREADS=1` forces one thread everywhere.
@Suite("Determinism across runs and thread counts")
struct DeterminismTests {
    /// 50,000 rows: a response, a covariate and two crossed factors (1,000 and 600 levels).
    static func csv() -> String {
        var generator = SeededGenerator(seed: 20_261_201)  // the same table on every machine
        let aEffects = (0..<1000).map { _ in generator.nextUniform() - 0.5 }
        let bEffects = (0..<600).map { _ in 2 * (generator.nextUniform() - 0.5) }
        var lines = ["y,x,a,b"]
        lines.reserveCapacity(50_001)
        for _ in 0..<50_000 {
            let a = Int.random(in: 0..<1000, using: &generator)
            let b = Int.random(in: 0..<600, using: &generator)
            let x = generator.nextUniform()
            let noise = generator.nextUniform() + generator.nextUniform() - 1
            let y = 10 + 0.7 * x + aEffects[a] + bEffects[b] + noise
            lines.append(String(format: "%.6f,%.6f,a%d,b%d", y, x, a, b))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON with the timings (the only values that may differ) blanked.
    static func withoutTimings(_ json: String) throws -> String {
        let pattern = try NSRegularExpression(pattern: "\"seconds\"\\s*:\\s*[-+0-9.eE]+")
        let range = NSRange(json.startIndex..., in: json)
        return pattern.stringByReplacingMatches(in: json, range: range, withTemplate: "\"seconds\": 0")
    }

    @Test("lmm fit JSON is bit-identical across runs and with LMM_THREADS=1")
    func bitIdentical() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-determinism-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("crossed.csv")
        try Self.csv().write(to: file, atomically: true, encoding: .utf8)
        let arguments = ["fit", file.path, "y ~ 1 + x + (1 | a) + (1 | b)", "--method", "reml", "--format", "json"]
        var outputs: [String] = []
        for environment in [["LMM_THREADS": "2"], ["LMM_THREADS": "2"], ["LMM_THREADS": "1"]] {
            let run = try CommandLineTests.run(arguments, environment: environment)
            #expect(run.status == 0, "\(run.error)")
            outputs.append(try Self.withoutTimings(run.output))
        }
        #expect(outputs[0].contains("\"logLikelihood\""))
        #expect(outputs[0] == outputs[1], "two runs on two threads differ")
        #expect(outputs[0] == outputs[2], "two threads and one thread differ")
    }
}
