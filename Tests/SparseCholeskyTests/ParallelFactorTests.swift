import Foundation
import Testing
@testable import SparseCholesky

/// The two-thread factorisation (`SubtreeSchedule`): a valid split of the tree, and a factor
/// bit-identical to the one-thread factor.
@Suite("Supernodal factor on two threads")
struct ParallelFactorTests {
    /// A grid (a balanced tree that splits) and workers × firms (a large dense root: no split,
    /// the root's threaded Cholesky instead).
    static func largeStructures() throws -> [(String, SymmetricPattern, SupernodalStructure)] {
        let cases: [(String, (Int, TestPatterns.Pairs))] = [
            ("grid 160×160", TestPatterns.grid(side: 160)),
            ("workers × firms", TestPatterns.workersFirms(firms: 4000, workersPerFirm: 20, moverFraction: 0.3, seed: 3)),
        ]
        return try cases.map { name, shape in
            let pattern = try SymmetricPattern(dimension: shape.0, pairs: shape.1)
            return (name, pattern, try SupernodalStructure.analyze(pattern))
        }
    }

    @Test("the schedule splits the tree into two closed parts below a top")
    func scheduleIsValid() throws {
        for (name, _, structure) in try Self.largeStructures().prefix(1) {
            #expect(structure.flopCount >= SupernodalFactor.parallelFlopThreshold, "\(name): \(structure.flopCount) flops")
            let schedule = try #require(SubtreeSchedule(structure: structure), "\(name)")
            var owner = [Int](repeating: -2, count: structure.supernodeCount)
            for (part, nodes) in schedule.parts.enumerated() {
                #expect(!nodes.isEmpty, "\(name)")
                #expect(zip(nodes, nodes.dropFirst()).allSatisfy { $0 < $1 })
                for node in nodes {
                    #expect(owner[Int(node)] == -2, "\(name): supernode \(node) twice")
                    owner[Int(node)] = part
                }
            }
            for node in schedule.top {
                #expect(owner[Int(node)] == -2, "\(name): supernode \(node) twice")
                owner[Int(node)] = -1
            }
            #expect(owner.allSatisfy { $0 != -2 }, "\(name): a supernode in no part")
            for node in 0..<structure.supernodeCount {
                let parent = Int(structure.supernodeParent[node])
                guard parent >= 0 else { continue }
                // A part's supernode has its parent in the same part or in the top; a top
                // supernode's parent is in the top.
                if owner[node] >= 0 {
                    #expect(owner[parent] == owner[node] || owner[parent] == -1, "\(name): \(node) → \(parent)")
                } else {
                    #expect(owner[parent] == -1, "\(name): top \(node) below part \(owner[parent])")
                }
            }
            #expect(schedule.parallelFraction > 0.4 && schedule.parallelFraction <= 1, "\(name): \(schedule.parallelFraction)")
        }
    }

    @Test("two threads give the one-thread factor bit for bit")
    func bitIdentical() throws {
        for (name, pattern, structure) in try Self.largeStructures() {
            let values = randomSPDValues(pattern, seed: 21)
            var one = SupernodalFactor(structure: structure)
            var two = SupernodalFactor(structure: structure)
            let scattered = scatter(pattern, values: values, into: &one) && scatter(pattern, values: values, into: &two)
            #expect(scattered)
            let oneFactored = one.factorize(threads: 1)
            let twoFactored = two.factorize(threads: 2)
            #expect(oneFactored && twoFactored, "\(name)")
            #expect(one.values.elementsEqual(two.values) { $0.bitPattern == $1.bitPattern }, "\(name)")
            #expect(one.logDiagonalSum.bitPattern == two.logDiagonalSum.bitPattern, "\(name)")
            #expect(one.logDiagonalSum.isFinite)
        }
    }

    @Test("a matrix that is not positive definite fails on two threads too")
    func indefiniteFails() throws {
        let (_, pattern, structure) = try #require(try Self.largeStructures().first)
        var values = randomSPDValues(pattern, seed: 22)
        // Make one early and one late diagonal entry negative: both parts and the top see a failure.
        // (The first entry of each column of the pattern is its diagonal.)
        values[pattern.columnStarts[0]] = -1
        values[pattern.columnStarts[pattern.dimension - 1]] = -1
        var factor = SupernodalFactor(structure: structure)
        let scattered = scatter(pattern, values: values, into: &factor)
        #expect(scattered)
        let factored = factor.factorize(threads: 2)
        #expect(!factored)
        #expect(factor.logDiagonalSum.isNaN)
    }
}
