import Foundation
import Testing
@testable import SparseCholesky

/// Large generated patterns shared by the CHOLMOD oracle and the benchmark.
enum LargePatterns {
    /// Teachers only (students eliminated): 4,000 schools × 10 teachers; each of 50 students
    /// per school links 5 random teachers of its school (a clique); 2,000 random cross links.
    static func teacherCliques() -> (Int, TestPatterns.Pairs) {
        TestPatterns.cliqueUnion(schools: 4000, teachersPerSchool: 10, studentsPerSchool: 50,
                                 cliqueSizes: 5...5, crossLinks: 2000, seed: 101)
    }

    /// Students and teachers together: 4,000 schools × (40 students + 10 teachers) = 200,000
    /// nodes (40,000 teachers); each student links 5 teachers of its school, 2% of the students
    /// one teacher of another school.
    static func studentsTeachers() -> (Int, TestPatterns.Pairs) {
        TestPatterns.studentsTeachers(schools: 4000, teachersPerSchool: 10, studentsPerSchool: 40,
                                      links: 5, crossFraction: 0.02, seed: 102)
    }

    /// Firms only (workers eliminated): 100,000 firms × 10 workers, 5% movers to a random firm.
    static func workersFirms() -> (Int, TestPatterns.Pairs) {
        TestPatterns.workersFirms(firms: 100_000, workersPerFirm: 10, moverFraction: 0.05, seed: 103)
    }

    /// Firms only, better connected: 100,000 firms × 40 workers, 5% movers (≈ 2 links a firm).
    static func workersFirmsConnected() -> (Int, TestPatterns.Pairs) {
        TestPatterns.workersFirms(firms: 100_000, workersPerFirm: 40, moverFraction: 0.05, seed: 105)
    }

    /// A 200,000-node graph with about 5 million stored entries (both triangles): 4,000 groups
    /// of 50 nodes, each with 40 random cliques of 4–12 nodes, plus 20,000 random links.
    static func heavyCliques() -> (Int, TestPatterns.Pairs) {
        TestPatterns.cliqueUnion(schools: 4000, teachersPerSchool: 50, studentsPerSchool: 40,
                                 cliqueSizes: 4...12, crossLinks: 20000, seed: 104)
    }
}

private let oracleScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("SparseCholeskyOracle/run_oracle.sh")

/// The oracle needs gcc and the CHOLMOD headers; it runs only when asked (MM_CHOLMOD_ORACLE=1).
private let oracleAvailable: Bool = {
    let environment = ProcessInfo.processInfo.environment
    guard environment["MM_CHOLMOD_ORACLE"] == "1" else { return false }
    let files = FileManager.default
    return files.fileExists(atPath: "/usr/include/suitesparse/cholmod.h")
        && (files.fileExists(atPath: "/usr/bin/gcc") || files.fileExists(atPath: "/usr/local/bin/gcc"))
}()

private func writeMatrixMarket(_ pattern: SymmetricPattern, to url: URL) throws {
    var text = "%%MatrixMarket matrix coordinate pattern symmetric\n"
    let offDiagonal = pattern.lowerEntryCount - pattern.dimension
    text += "\(pattern.dimension) \(pattern.dimension) \(offDiagonal)\n"
    var lines = [String]()
    lines.reserveCapacity(offDiagonal)
    for j in 0..<pattern.dimension {
        for p in (pattern.columnStarts[j] + 1)..<pattern.columnStarts[j + 1] {
            lines.append("\(Int(pattern.rowIndices[p]) + 1) \(j + 1)")
        }
    }
    text += lines.joined(separator: "\n") + "\n"
    try text.write(to: url, atomically: true, encoding: .utf8)
}

private func runOracle(_ files: [URL]) throws -> [(nnz: Double, flops: Double)] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [oracleScript.path] + files.map(\.path)
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    return text.split(separator: "\n").compactMap { line in
        let fields = line.split(separator: " ")
        guard fields.count >= 4, let nnz = Double(fields[1]), let flops = Double(fields[3]) else { return nil }
        return (nnz, flops)
    }
}

@Suite struct SparseCholeskyOracleTests {
    // Skipped (and reported as skipped) unless MM_CHOLMOD_ORACLE=1 and gcc + cholmod.h exist:
    // CHOLMOD is a test oracle only, never a build dependency.
    @Test(.enabled(if: oracleAvailable, "set MM_CHOLMOD_ORACLE=1 (needs gcc and libsuitesparse-dev)"))
    func fillWithinTenPercentOfCholmodAMD() throws {
        let cases: [(String, (Int, TestPatterns.Pairs))] = [
            ("grid 120×120", TestPatterns.grid(side: 120)),
            ("random 5000 / 12000", TestPatterns.randomSparse(n: 5000, edges: 12000, seed: 201)),
            ("clique union 300 schools", TestPatterns.cliqueUnion(schools: 300, teachersPerSchool: 8, studentsPerSchool: 12,
                                                                  cliqueSizes: 2...6, crossLinks: 400, seed: 202)),
            ("teacher cliques 4000×10", LargePatterns.teacherCliques()),
            ("students+teachers 200k", LargePatterns.studentsTeachers()),
            ("workers×firms 100k", LargePatterns.workersFirms()),
            ("workers×firms 100k, 40 per firm", LargePatterns.workersFirmsConnected()),
        ]
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sparse-cholesky-oracle-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var patterns = [SymmetricPattern]()
        var files = [URL]()
        for (index, (_, (n, pairs))) in cases.enumerated() {
            let pattern = try SymmetricPattern(dimension: n, pairs: pairs)
            let url = directory.appendingPathComponent("pattern\(index).mtx")
            try writeMatrixMarket(pattern, to: url)
            patterns.append(pattern)
            files.append(url)
        }
        let oracle = try runOracle(files)
        try #require(oracle.count == cases.count, "oracle produced \(oracle.count) results")
        for (index, pattern) in patterns.enumerated() {
            let structure = try SupernodalStructure.analyze(pattern, relaxation: .none)
            let ours = Double(structure.exactNonzeroCount)
            let ratio = ours / oracle[index].nnz
            print("oracle \(cases[index].0): n \(pattern.dimension) nnz(L) ours \(Int(ours)) CHOLMOD \(Int(oracle[index].nnz)) ratio \(String(format: "%.4f", ratio)) flops ours \(structure.flopCount) CHOLMOD \(oracle[index].flops)")
            #expect(ratio <= 1.10, "\(cases[index].0): ours \(ours), CHOLMOD \(oracle[index].nnz)")
        }
    }
}

private let benchmarkEnabled = ProcessInfo.processInfo.environment["MM_BENCH"] == "1"

private func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// Unbuffered output, so progress shows even if a run is cut short.
private func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

@Suite struct SparseCholeskyBenchmarks {
    // Timing only, no assertions on time; run with MM_BENCH=1 swift test -c release --filter SparseCholeskyBenchmarks.
    @Test(.enabled(if: benchmarkEnabled, "set MM_BENCH=1 (run in a release build)"))
    func analyzeAndFactorizeLargePatterns() throws {
        let cases: [(String, () -> (Int, TestPatterns.Pairs))] = [
            ("students+teachers 200k", LargePatterns.studentsTeachers),
            ("teacher cliques 40k", LargePatterns.teacherCliques),
            ("workers×firms 100k", LargePatterns.workersFirms),
            ("workers×firms 100k, 40 per firm", LargePatterns.workersFirmsConnected),
            ("heavy cliques 200k", LargePatterns.heavyCliques),
        ]
        let clock = ContinuousClock()
        let only = ProcessInfo.processInfo.environment["MM_BENCH_CASE"]
        for (name, generate) in cases where only.map({ name.hasPrefix($0) }) ?? true {
            let (n, pairs) = generate()
            let pattern = try SymmetricPattern(dimension: n, pairs: pairs)
            var order = [Int32]()
            let orderTime = clock.measure { order = MinimumDegreeOrdering.order(pattern) }
            #expect(isPermutation(order, count: n))
            report("bench \(name): n \(n) entries(lower) \(pattern.lowerEntryCount) AMD \(String(format: "%.3f", seconds(orderTime))) s")
            var structure = try SupernodalStructure.analyze(pattern, ordering: order)
            let analyzeTime = try clock.measure { structure = try SupernodalStructure.analyze(pattern) }
            report("  analyze (AMD included) \(String(format: "%.3f", seconds(analyzeTime))) s exact nnz(L) \(structure.exactNonzeroCount) stored \(structure.nonzeroCount) flops \(structure.flopCount)")
            // Factorise only what fits comfortably in memory (the heavy pattern is an ordering test).
            guard structure.valueCount < 150_000_000 else {
                report("  not factorised: \(structure.valueCount) values")
                continue
            }
            let plain = try SupernodalStructure.analyze(pattern, ordering: order, relaxation: .none)
            let values = randomSPDValues(pattern, seed: 1)
            var results = [String]()
            for (label, s) in [("relaxed", structure), ("fundamental", plain)] {
                var factor = SupernodalFactor(structure: s)
                #expect(scatter(pattern, values: values, into: &factor))
                let original = factor.values
                var best = Double.infinity
                for _ in 0..<3 {
                    factor.values = original
                    var ok = false
                    let t = clock.measure { ok = factor.factorize() }
                    #expect(ok)
                    best = min(best, seconds(t))
                }
                report("  \(label) factorize \(best) s")
                var x = [Double](repeating: 1, count: n)
                let solveTime = clock.measure { factor.solveLower(&x); factor.solveLowerTransposed(&x) }
                var block = [Double](repeating: 1, count: 6 * n)
                let blockTime = clock.measure { factor.solveLowerRight(&block, rowCount: 6) }
                results.append("\(label): supernodes \(s.supernodeCount) nnz(L) stored \(s.nonzeroCount) values \(s.valueCount) factorize \(String(format: "%.4f", best)) s, solve L+Lᵀ \(String(format: "%.4f", seconds(solveTime))) s, B·L⁻ᵀ (k=6) \(String(format: "%.4f", seconds(blockTime))) s, memory \(s.factorMemoryBytes / 1_000_000) MB")
            }
            for line in results { report("  " + line) }
        }
    }
}
