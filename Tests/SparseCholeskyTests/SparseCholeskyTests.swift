import Foundation
import Testing
@testable import SparseCholesky

@Suite struct SparseCholeskyTests {
    static let namedPatterns: [(String, (Int, TestPatterns.Pairs))] = [
        ("random sparse", TestPatterns.randomSparse(n: 120, edges: 260, seed: 1)),
        ("random denser", TestPatterns.randomSparse(n: 60, edges: 400, seed: 2)),
        ("banded", TestPatterns.banded(n: 90, bandwidth: 4)),
        ("arrowhead", TestPatterns.arrowhead(n: 70)),
        ("grid", TestPatterns.grid(side: 12)),
        // Large enough for the kernel paths (syrk/gemm updates, potrf + trsm panels).
        ("grid 20×20", TestPatterns.grid(side: 20)),
        ("dense-ish random", TestPatterns.randomSparse(n: 150, edges: 3000, seed: 6)),
        ("clique union", TestPatterns.cliqueUnion(schools: 25, teachersPerSchool: 8, studentsPerSchool: 6,
                                                  cliqueSizes: 2...6, crossLinks: 12, seed: 3)),
        ("students and teachers", TestPatterns.studentsTeachers(schools: 6, teachersPerSchool: 5, studentsPerSchool: 12,
                                                                links: 3, crossFraction: 0.1, seed: 4)),
        ("workers and firms", TestPatterns.workersFirms(firms: 150, workersPerFirm: 6, moverFraction: 0.1, seed: 5)),
        ("diagonal", (40, [])),
        ("single", (1, [])),
    ]

    static func pattern(_ index: Int) throws -> SymmetricPattern {
        let (n, pairs) = namedPatterns[index].1
        return try SymmetricPattern(dimension: n, pairs: pairs)
    }

    @Test func patternFromPairsSortsDeduplicatesAndAddsDiagonal() throws {
        let pattern = try SymmetricPattern(dimension: 4, pairs: [(0, 3), (3, 0), (2, 1), (1, 2), (3, 1), (2, 1)])
        #expect(pattern.columnStarts == [0, 2, 5, 6, 7])
        #expect(pattern.rowIndices == [0, 3, 1, 2, 3, 2, 3])
    }

    @Test func patternValidationRejectsBadInput() {
        #expect(throws: SymmetricPattern.ValidationError.self) {
            try SymmetricPattern(dimension: 2, columnStarts: [0, 1, 2], rowIndices: [0, 0])
        }
        #expect(throws: SymmetricPattern.ValidationError.self) {
            try SymmetricPattern(dimension: 2, columnStarts: [0, 2, 2], rowIndices: [0, 1])
        }
        #expect(throws: SymmetricPattern.ValidationError.self) {
            try SymmetricPattern(dimension: 2, columnStarts: [0, 2, 3], rowIndices: [1, 0, 1])
        }
        #expect(throws: SymmetricPattern.ValidationError.self) {
            try SymmetricPattern(dimension: 2, pairs: [(0, 2)])
        }
        #expect(throws: SymmetricPattern.ValidationError.invalidColumnStarts) {
            try SymmetricPattern(dimension: 2, columnStarts: [0, 5, 2], rowIndices: [0, 1])
        }
        #expect(throws: SupernodalStructure.AnalysisError.invalidOrdering) {
            let pattern = try SymmetricPattern(dimension: 3, pairs: [])
            _ = try SupernodalStructure.analyze(pattern, ordering: [0, 0, 1])
        }
    }

    @Test(arguments: 0..<namedPatterns.count)
    func orderingIsAPermutation(_ index: Int) throws {
        let pattern = try Self.pattern(index)
        let order = MinimumDegreeOrdering.order(pattern)
        #expect(isPermutation(order, count: pattern.dimension), "\(Self.namedPatterns[index].0)")
    }

    @Test(arguments: 0..<namedPatterns.count)
    func factorMatchesDenseCholesky(_ index: Int) throws {
        let name = Self.namedPatterns[index].0
        let pattern = try Self.pattern(index)
        for relaxation in [SupernodalStructure.Relaxation.standard, .none] {
            let structure = try SupernodalStructure.analyze(pattern, relaxation: relaxation)
            #expect(structure.nonzeroCount >= structure.exactNonzeroCount)
            if relaxation == .none { #expect(structure.nonzeroCount == structure.exactNonzeroCount, "\(name)") }
            var factor = SupernodalFactor(structure: structure)
            let n = pattern.dimension
            // Two different matrices on the same structure: the second checks no stale state.
            for seed in [UInt64(10), 11] {
                let values = randomSPDValues(pattern, seed: seed + UInt64(index))
                #expect(scatterInto(&factor, pattern, values))
                let factored = factor.factorize()
                #expect(factored, "\(name)")
                let dense = densePermuted(pattern, values: values, inverse: structure.inversePermutation)
                let reference = try #require(denseCholesky(dense, n: n))
                let ours = denseFactor(factor)
                let scale = reference.map(abs).max() ?? 1
                let error = zip(ours, reference).map { abs($0 - $1) }.max() ?? 0
                #expect(error <= 1e-10 * scale, "\(name): max error \(error)")
                var referenceLog = 0.0
                for j in 0..<n { referenceLog += log(reference[j + j * n]) }
                #expect(abs(factor.logDiagonalSum - referenceLog) <= 1e-10 * max(1, abs(referenceLog)), "\(name)")
                for j in [0, n / 2, n - 1] where n > 0 {
                    #expect(abs(factor.diagonal(j) - reference[j + j * n]) <= 1e-12 * scale)
                }
                try checkSolves(factor, reference: reference, n: n, seed: seed, name: name)
            }
        }
    }

    func checkSolves(_ factor: SupernodalFactor, reference l: [Double], n: Int, seed: UInt64, name: String) throws {
        var rng = SeededGenerator(seed: seed)
        let b = (0..<n).map { _ in Double.random(in: -1..<1, using: &rng) }
        // Forward: L y = b  ⇔  b = L y.
        var y = b
        let forwardOK = factor.solveLower(&y)
        #expect(forwardOK)
        var residual = 0.0
        for i in 0..<n {
            var s = 0.0
            for k in 0...i { s += l[i + k * n] * y[k] }
            residual = max(residual, abs(s - b[i]))
        }
        #expect(residual <= 1e-10, "\(name): forward residual \(residual)")
        var z = b
        let backwardOK = factor.solveLowerTransposed(&z)
        #expect(backwardOK)
        residual = 0
        for i in 0..<n {
            var s = 0.0
            for k in i..<n { s += l[k + i * n] * z[k] }
            residual = max(residual, abs(s - b[i]))
        }
        #expect(residual <= 1e-10, "\(name): backward residual \(residual)")
        // Block: B ← B·L⁻ᵀ for k = 3 rows; each row must equal solveLower of that row.
        let k = 3
        var block = (0..<(k * n)).map { _ in Double.random(in: -1..<1, using: &rng) }
        let original = block
        let blockOK = factor.solveLowerRight(&block, rowCount: k)
        #expect(blockOK)
        for r in 0..<k {
            var row = (0..<n).map { original[r + $0 * k] }
            factor.solveLower(&row)
            let difference = (0..<n).map { abs(row[$0] - block[r + $0 * k]) }.max() ?? 0
            #expect(difference <= 1e-12 * max(1, row.map(abs).max() ?? 1), "\(name): block row \(r)")
        }
        var wrong = [Double](repeating: 0, count: n + 1)
        let wrongLength = factor.solveLower(&wrong)
        #expect(!wrongLength)
        let wrongBlock = factor.solveLowerRight(&wrong, rowCount: 3)
        #expect(!wrongBlock || n == 0)
    }

    @Test func indefiniteMatrixIsRejected() throws {
        let pattern = try SymmetricPattern(dimension: 144, pairs: TestPatterns.grid(side: 12).1)
        let structure = try SupernodalStructure.analyze(pattern)
        var factor = SupernodalFactor(structure: structure)
        var values = randomSPDValues(pattern, seed: 7)
        // Make one diagonal entry strongly negative.
        values[pattern.columnStarts[70]] = -5
        #expect(scatterInto(&factor, pattern, values))
        #expect(!factorizeOK(&factor))
        #expect(factor.logDiagonalSum.isNaN)
        var x = [Double](repeating: 1, count: 144)
        let solved = factor.solveLower(&x)
        #expect(!solved)
        // Off-diagonal dominance without any negative diagonal: [[1, 2], [2, 1]] blocks.
        values = randomSPDValues(pattern, seed: 8)
        for j in 0..<144 { values[pattern.columnStarts[j]] = 0.1 }
        #expect(scatterInto(&factor, pattern, values))
        #expect(!factorizeOK(&factor))
        // A NaN is reported, not propagated.
        values = randomSPDValues(pattern, seed: 9)
        values[pattern.columnStarts[3] + 1] = .nan
        #expect(scatterInto(&factor, pattern, values))
        #expect(!factorizeOK(&factor))
        // And the same factor recovers on a good matrix.
        values = randomSPDValues(pattern, seed: 10)
        #expect(scatterInto(&factor, pattern, values))
        #expect(factorizeOK(&factor))
        #expect(factor.logDiagonalSum.isFinite)
    }

    @Test(arguments: 0..<namedPatterns.count)
    func offsetsAgreeWithBruteForce(_ index: Int) throws {
        let pattern = try Self.pattern(index)
        let structure = try SupernodalStructure.analyze(pattern)
        let n = structure.dimension
        var expected = [Int: Int]()  // row + column * n → offset
        for s in 0..<structure.supernodeCount {
            let rows = Array(structure.rows(s))
            #expect(rows == rows.sorted())
            #expect(Array(rows.prefix(structure.width(s))) == structure.columnRange(s).map { Int32($0) })
            for c in 0..<structure.width(s) {
                for r in c..<rows.count {
                    expected[Int(rows[r]) + (structure.supernodeStarts[s] + c) * n] =
                        structure.valueOffset(s) + c * rows.count + r
                }
            }
        }
        #expect(expected.count == structure.nonzeroCount)
        for column in 0..<n {
            for row in 0..<n {
                let found = structure.offset(row: row, column: column)
                if row < column {
                    #expect(found == nil)
                } else {
                    #expect(found == expected[row + column * n], "(\(row), \(column))")
                }
            }
        }
        #expect(structure.offset(row: n, column: 0) == nil)
        #expect(structure.offset(row: 0, column: -1) == nil)
        // Permutations are inverse to each other, and the etree is postordered.
        for k in 0..<n { #expect(Int(structure.inversePermutation[Int(structure.permutation[k])]) == k) }
        for j in 0..<n where structure.parent[j] >= 0 { #expect(Int(structure.parent[j]) > j) }
    }

    @Test func minimumDegreeReducesFillOnGridAndCliques() throws {
        let cases: [(String, (Int, TestPatterns.Pairs), Double)] = [
            ("grid 30×30", TestPatterns.grid(side: 30), 0.5),
            ("clique union", TestPatterns.cliqueUnion(schools: 200, teachersPerSchool: 10, studentsPerSchool: 20,
                                                      cliqueSizes: 2...6, crossLinks: 600, seed: 21), 0.5),
            ("arrowhead", TestPatterns.arrowhead(n: 300), 0.1),
        ]
        for (name, (n, pairs), ratio) in cases {
            let pattern = try SymmetricPattern(dimension: n, pairs: pairs)
            let amd = try factorNonzeros(pattern, ordering: MinimumDegreeOrdering.order(pattern))
            let natural = try factorNonzeros(pattern, ordering: naturalOrder(n))
            #expect(Double(amd) < ratio * Double(natural), "\(name): AMD \(amd), natural \(natural)")
        }
    }

    @Test func replacedValuesOfTheWrongSizeAreRefused() throws {
        let pattern = try SymmetricPattern(dimension: 100, pairs: TestPatterns.grid(side: 10).1)
        let structure = try SupernodalStructure.analyze(pattern)
        var factor = SupernodalFactor(structure: structure)
        #expect(scatterInto(&factor, pattern, randomSPDValues(pattern, seed: 3)))
        #expect(factorizeOK(&factor))
        factor.values.removeLast()
        var x = [Double](repeating: 1, count: 100)
        let solved = factor.solveLower(&x)
        #expect(!solved)
        #expect(!factorizeOK(&factor))
    }

    @Test func structureCountsAreConsistent() throws {
        let pattern = try SymmetricPattern(dimension: 900, pairs: TestPatterns.grid(side: 30).1)
        let exact = try SupernodalStructure.analyze(pattern, relaxation: .none)
        let relaxed = try SupernodalStructure.analyze(pattern)
        #expect(exact.permutation == relaxed.permutation)
        #expect(exact.exactNonzeroCount == relaxed.exactNonzeroCount)
        #expect(relaxed.supernodeCount < exact.supernodeCount)
        #expect(relaxed.nonzeroCount >= exact.nonzeroCount)
        #expect(exact.columnCounts.reduce(0, +) == exact.exactNonzeroCount)
        #expect(exact.flopCount == exact.columnCounts.reduce(0.0) { $0 + Double($1 * $1) })
        #expect(relaxed.factorMemoryBytes >= relaxed.valueCount * 8)
        // A dense-enough ordering argument is honoured (the permutation is ordering ∘ postorder).
        let natural = try SupernodalStructure.analyze(pattern, ordering: naturalOrder(900), relaxation: .none)
        #expect(natural.exactNonzeroCount > exact.exactNonzeroCount)
    }
}

private func factorizeOK(_ factor: inout SupernodalFactor) -> Bool { factor.factorize() }
private func scatterInto(_ factor: inout SupernodalFactor, _ pattern: SymmetricPattern, _ values: [Double]) -> Bool {
    scatter(pattern, values: values, into: &factor)
}
