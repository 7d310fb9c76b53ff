import Foundation
import Testing
@testable import SparseCholesky

/// Dense reference inverse of a symmetric positive definite column-major n×n matrix through its
/// Cholesky factor: G = L⁻ᵀ·L⁻¹. Nil when the matrix is not positive definite.
private func denseCholeskyInverse(_ a: [Double], n: Int) -> [Double]? {
    guard let l = denseCholesky(a, n: n) else { return nil }
    // X = L⁻¹ by forward substitution, column by column.
    var x = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        x[j + j * n] = 1
        for k in j..<n {
            let value = x[k + j * n] / l[k + k * n]
            x[k + j * n] = value
            guard value != 0 else { continue }
            for i in (k + 1)..<max(n, k + 1) { x[i + j * n] -= l[i + k * n] * value }
        }
    }
    // G = Xᵀ·X.
    var g = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        for i in j..<n {
            var sum = 0.0
            for k in i..<n { sum += x[k + i * n] * x[k + j * n] }
            g[i + j * n] = sum
            g[j + i * n] = sum
        }
    }
    return g
}

@Suite struct SelectedInverseTests {
    @Test(arguments: 0..<SparseCholeskyTests.namedPatterns.count)
    func matchesDenseInverseOnTheStructure(_ index: Int) throws {
        let name = SparseCholeskyTests.namedPatterns[index].0
        let pattern = try SparseCholeskyTests.pattern(index)
        let n = pattern.dimension
        for relaxation in [SupernodalStructure.Relaxation.standard, .none] {
            let structure = try SupernodalStructure.analyze(pattern, relaxation: relaxation)
            var factor = SupernodalFactor(structure: structure)
            var inverse: SelectedInverse?
            // Two matrices on one structure: the second goes through update(factor:).
            for seed in [UInt64(30), 31] {
                let values = randomSPDValues(pattern, seed: seed + UInt64(index))
                let scattered = scatter(pattern, values: values, into: &factor)
                #expect(scattered)
                let factored = factor.factorize()
                try #require(factored, "\(name)")
                if var existing = inverse {
                    let updated = existing.update(factor: factor)
                    #expect(updated)
                    inverse = existing
                } else {
                    inverse = SelectedInverse(factor: factor)
                }
                let selected = try #require(inverse, "\(name)")
                #expect(selected.values.count == structure.valueCount)
                let dense = densePermuted(pattern, values: values, inverse: structure.inversePermutation)
                let reference = try #require(denseCholeskyInverse(dense, n: n))
                let scale = max(reference.map(abs).max() ?? 1, .leastNormalMagnitude)
                var worst = 0.0
                var inside = 0
                for column in 0..<n {
                    for row in 0..<n {
                        let inStructure = structure.offset(row: max(row, column), column: min(row, column)) != nil
                        let found = selected.entry(row: row, column: column)
                        #expect((found != nil) == inStructure, "\(name): (\(row), \(column))")
                        guard let found else { continue }
                        if row >= column { inside += 1 }
                        let error = abs(found - reference[row + column * n])
                        worst = max(worst, error)
                        // Each diagonal entry also to 1e-10 of itself.
                        if row == column {
                            #expect(error <= 1e-10 * abs(reference[row + column * n]), "\(name): G[\(row), \(row)]")
                        }
                    }
                }
                #expect(inside == structure.nonzeroCount, "\(name)")
                #expect(worst <= 1e-10 * scale, "\(name) (\(relaxation == .none ? "fundamental" : "relaxed")): max error \(worst), scale \(scale)")
                // Out-of-range indices.
                #expect(selected.entry(row: n, column: 0) == nil)
                #expect(selected.entry(row: -1, column: 0) == nil)
            }
        }
    }

    @Test func nilWithoutAFactorisation() throws {
        let (n, pairs) = TestPatterns.grid(side: 5)
        let pattern = try SymmetricPattern(dimension: n, pairs: pairs)
        let structure = try SupernodalStructure.analyze(pattern)
        var factor = SupernodalFactor(structure: structure)
        #expect(SelectedInverse(factor: factor) == nil)
        // An indefinite matrix: the failed factorisation gives no inverse.
        var values = randomSPDValues(pattern, seed: 7)
        values[pattern.columnStarts[3]] = -1
        let scattered = scatter(pattern, values: values, into: &factor)
        #expect(scattered)
        let failed = factor.factorize()
        #expect(!failed)
        #expect(SelectedInverse(factor: factor) == nil)
        // A good one succeeds; an update from an unfactorised or foreign factor is refused.
        values = randomSPDValues(pattern, seed: 8)
        let rescattered = scatter(pattern, values: values, into: &factor)
        #expect(rescattered)
        let factored = factor.factorize()
        #expect(factored)
        var inverse = try #require(SelectedInverse(factor: factor))
        factor.setZero()
        let refusedUnfactorised = inverse.update(factor: factor)
        #expect(!refusedUnfactorised)
        let other = try SupernodalStructure.analyze(try SymmetricPattern(dimension: 7, pairs: []))
        var otherFactor = SupernodalFactor(structure: other)
        for j in 0..<7 {
            if let offset = other.offset(row: j, column: j) { otherFactor.values[offset] = 2 }
        }
        let otherFactored = otherFactor.factorize()
        #expect(otherFactored)
        let refusedForeign = inverse.update(factor: otherFactor)
        #expect(!refusedForeign)
        // A diagonal matrix: G = diag(1/d).
        let diagonal = try #require(SelectedInverse(factor: otherFactor))
        for j in 0..<7 { #expect(abs((diagonal.entry(row: j, column: j) ?? 0) - 0.5) <= 1e-15) }
        #expect(diagonal.entry(row: 1, column: 0) == nil)
    }

    /// Larger patterns with big supernodes (kernel paths, not only the inline ones), checked
    /// against the dense inverse.
    @Test func matchesDenseInverseWithLargeSupernodes() throws {
        let cases: [(String, (Int, TestPatterns.Pairs))] = [
            ("grid 20×20", TestPatterns.grid(side: 20)),
            ("random dense 200", TestPatterns.randomSparse(n: 200, edges: 3000, seed: 41)),
            ("clique union", TestPatterns.cliqueUnion(schools: 30, teachersPerSchool: 12, studentsPerSchool: 20,
                                                      cliqueSizes: 4...8, crossLinks: 60, seed: 42)),
        ]
        var widestOverall = 0
        for (name, (n, pairs)) in cases {
            let pattern = try SymmetricPattern(dimension: n, pairs: pairs)
            for relaxation in [SupernodalStructure.Relaxation.standard, .none] {
                let structure = try SupernodalStructure.analyze(pattern, relaxation: relaxation)
                var factor = SupernodalFactor(structure: structure)
                let values = randomSPDValues(pattern, seed: 43)
                let scattered = scatter(pattern, values: values, into: &factor)
                #expect(scattered)
                let factored = factor.factorize()
                try #require(factored)
                let selected = try #require(SelectedInverse(factor: factor))
                // Narrow column blocks of G_RR (several blocks per ancestor run) give the same G.
                let chunked = try #require(SelectedInverse(factor: factor, chunkWidth: 3))
                let dense = densePermuted(pattern, values: values, inverse: structure.inversePermutation)
                let reference = try #require(denseCholeskyInverse(dense, n: n))
                let scale = reference.map(abs).max() ?? 1
                var worst = 0.0
                for column in 0..<n {
                    for row in column..<n {
                        guard let found = selected.entry(row: row, column: column),
                              let other = chunked.entry(row: row, column: column)
                        else {
                            #expect(chunked.entry(row: row, column: column) == nil)
                            continue
                        }
                        worst = max(worst, abs(found - reference[row + column * n]), abs(other - reference[row + column * n]))
                    }
                }
                let widest = (0..<structure.supernodeCount).map { structure.width($0) }.max() ?? 0
                widestOverall = max(widestOverall, widest)
                #expect(worst <= 1e-10 * scale, "\(name): max error \(worst) (widest supernode \(widest))")
            }
        }
        // The kernel paths (trsm on an identity, kernel gemms) were exercised, not only the inline ones.
        #expect(widestOverall > 16)
    }
}

private let selectedInverseBenchmarkEnabled = ProcessInfo.processInfo.environment["MM_BENCH"] == "1"

/// Unbuffered output, so progress shows even if a run is cut short.
private func benchReport(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

private func elapsed(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

@Suite struct SelectedInverseBenchmarks {
    // Timing only; run with MM_BENCH=1 swift test -c release --filter SelectedInverseBenchmarks.
    @Test(.enabled(if: selectedInverseBenchmarkEnabled, "set MM_BENCH=1 (run in a release build)"))
    func selectedInverseVersusFactorize() throws {
        let cases: [(String, () -> (Int, TestPatterns.Pairs))] = [
            ("teacher cliques 40k", LargePatterns.teacherCliques),
            // 100,000 firms, random mover links between firms: 20 workers a firm, 5% movers (≈1
            // link started per firm, ≈2 link ends per firm).
            ("movers 100k, 20 per firm", {
                TestPatterns.workersFirms(firms: 100_000, workersPerFirm: 20, moverFraction: 0.05, seed: 106)
            }),
            ("movers 100k, 10 per firm", LargePatterns.workersFirms),
            // ≈2 links started per firm: nnz(L) ≈ 255M, far beyond the 30M target (reported, skipped).
            ("movers 100k, 40 per firm", LargePatterns.workersFirmsConnected),
        ]
        let clock = ContinuousClock()
        let only = ProcessInfo.processInfo.environment["MM_BENCH_CASE"]
        for (name, generate) in cases where only.map({ name.hasPrefix($0) }) ?? true {
            let (n, pairs) = generate()
            let pattern = try SymmetricPattern(dimension: n, pairs: pairs)
            let order = MinimumDegreeOrdering.order(pattern)
            for relaxation in [SupernodalStructure.Relaxation.standard, .none] {
                let structure = try SupernodalStructure.analyze(pattern, ordering: order, relaxation: relaxation)
                let label = relaxation == .none ? "fundamental" : "relaxed"
                benchReport("bench selinv \(name) \(label): n \(n) nnz(L) \(structure.nonzeroCount) values \(structure.valueCount) workspace \(SelectedInverse.workspaceCount(structure)) doubles")
                // Factor + inverse + workspace must fit comfortably in memory.
                guard 2 * structure.valueCount + SelectedInverse.workspaceCount(structure) < 200_000_000 else {
                    benchReport("  skipped: too large")
                    continue
                }
                let values = randomSPDValues(pattern, seed: 1)
                var factor = SupernodalFactor(structure: structure)
                let scattered = scatter(pattern, values: values, into: &factor)
                #expect(scattered)
                let original = factor.values
                var factorBest = Double.infinity
                for _ in 0..<3 {
                    factor.values = original
                    var ok = false
                    let time = clock.measure { ok = factor.factorize() }
                    #expect(ok)
                    factorBest = min(factorBest, elapsed(time))
                }
                var inverse: SelectedInverse?
                let initTime = clock.measure { inverse = SelectedInverse(factor: factor) }
                var selected = try #require(inverse)
                var updateBest = Double.infinity
                for _ in 0..<3 {
                    var ok = false
                    let time = clock.measure { ok = selected.update(factor: factor) }
                    #expect(ok)
                    updateBest = min(updateBest, elapsed(time))
                }
                var widest = 0, tallest = 0
                for s in 0..<structure.supernodeCount {
                    widest = max(widest, structure.width(s))
                    tallest = max(tallest, structure.rowCount(s) - structure.width(s))
                }
                benchReport("  \(label): supernodes \(structure.supernodeCount) nnz(L) \(structure.nonzeroCount) widest \(widest) most rows below \(tallest) workspace \(SelectedInverse.workspaceCount(structure)) doubles; factorize \(String(format: "%.4f", factorBest)) s, selected inverse init \(String(format: "%.4f", elapsed(initTime))) s, update \(String(format: "%.4f", updateBest)) s, ratio \(String(format: "%.2f", updateBest / factorBest))")
            }
        }
    }
}
