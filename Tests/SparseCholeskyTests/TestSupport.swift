import Foundation
@testable import SparseCholesky

/// Deterministic generator (SplitMix64) so every test pattern is reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generated test patterns, as (dimension, unsorted pairs in either triangle).
enum TestPatterns {
    typealias Pairs = [(row: Int, column: Int)]

    static func randomSparse(n: Int, edges: Int, seed: UInt64) -> (Int, Pairs) {
        var rng = SeededGenerator(seed: seed)
        var pairs = Pairs()
        for _ in 0..<edges { pairs.append((Int.random(in: 0..<n, using: &rng), Int.random(in: 0..<n, using: &rng))) }
        return (n, pairs)
    }

    static func banded(n: Int, bandwidth: Int) -> (Int, Pairs) {
        var pairs = Pairs()
        for j in 0..<n { for i in j...min(n - 1, j + bandwidth) { pairs.append((i, j)) } }
        return (n, pairs)
    }

    /// Node 0 linked to every node (eliminated last by a good ordering, first by the natural one).
    static func arrowhead(n: Int) -> (Int, Pairs) {
        var pairs = Pairs()
        for i in 1..<n { pairs.append((0, i)); if i + 1 < n { pairs.append((i + 1, i)) } }
        return (n, pairs)
    }

    /// 5-point Laplacian on a side×side grid.
    static func grid(side: Int) -> (Int, Pairs) {
        var pairs = Pairs()
        for y in 0..<side {
            for x in 0..<side {
                let i = y * side + x
                if x + 1 < side { pairs.append((i, i + 1)) }
                if y + 1 < side { pairs.append((i + side, i)) }
            }
        }
        return (side * side, pairs)
    }

    /// Schur-complement shape of students × teachers: teachers grouped in schools; each student
    /// links a random subset (clique) of its school's teachers; a few random cross-school links.
    static func cliqueUnion(schools: Int, teachersPerSchool: Int, studentsPerSchool: Int,
                            cliqueSizes: ClosedRange<Int>, crossLinks: Int, seed: UInt64) -> (Int, Pairs) {
        var rng = SeededGenerator(seed: seed)
        let n = schools * teachersPerSchool
        var pairs = Pairs()
        for school in 0..<schools {
            let base = school * teachersPerSchool
            for _ in 0..<studentsPerSchool {
                let size = min(Int.random(in: cliqueSizes, using: &rng), teachersPerSchool)
                var members = Array(0..<teachersPerSchool)
                members.shuffle(using: &rng)
                let clique = members.prefix(size).map { base + $0 }
                for a in 0..<clique.count { for b in (a + 1)..<clique.count { pairs.append((clique[a], clique[b])) } }
            }
        }
        for _ in 0..<crossLinks { pairs.append((Int.random(in: 0..<n, using: &rng), Int.random(in: 0..<n, using: &rng))) }
        // Shuffle the labels so the natural order is not already the school order.
        var relabel = Array(0..<n)
        relabel.shuffle(using: &rng)
        return (n, pairs.map { (relabel[$0.row], relabel[$0.column]) })
    }

    /// The full students + teachers pattern (students not eliminated): each student links
    /// `links` random teachers of its school; `crossFraction` of students link one teacher of
    /// another school. Nodes: students first, then teachers.
    static func studentsTeachers(schools: Int, teachersPerSchool: Int, studentsPerSchool: Int,
                                 links: Int, crossFraction: Double, seed: UInt64) -> (Int, Pairs) {
        var rng = SeededGenerator(seed: seed)
        let studentCount = schools * studentsPerSchool
        let n = studentCount + schools * teachersPerSchool
        var pairs = Pairs()
        pairs.reserveCapacity(studentCount * (links + 1))
        var members = Array(0..<teachersPerSchool)
        for school in 0..<schools {
            let teacherBase = studentCount + school * teachersPerSchool
            for s in 0..<studentsPerSchool {
                let student = school * studentsPerSchool + s
                members.shuffle(using: &rng)
                for t in members.prefix(links) { pairs.append((student, teacherBase + t)) }
                if Double.random(in: 0..<1, using: &rng) < crossFraction {
                    pairs.append((student, studentCount + Int.random(in: 0..<(schools * teachersPerSchool), using: &rng)))
                }
            }
        }
        return (n, pairs)
    }

    /// Schur-complement shape of workers × firms: stayers add nothing off the diagonal; each
    /// mover (a fraction of the workers) links its firm to one random other firm.
    static func workersFirms(firms: Int, workersPerFirm: Int, moverFraction: Double, seed: UInt64) -> (Int, Pairs) {
        var rng = SeededGenerator(seed: seed)
        var pairs = Pairs()
        for firm in 0..<firms {
            for _ in 0..<workersPerFirm where Double.random(in: 0..<1, using: &rng) < moverFraction {
                pairs.append((firm, Int.random(in: 0..<firms, using: &rng)))
            }
        }
        return (firms, pairs)
    }
}

/// A random symmetric positive definite matrix on a pattern: values aligned with
/// `pattern.rowIndices` (lower triangle), off-diagonals uniform in (−1, 1), diagonal
/// dominant by `margin`.
func randomSPDValues(_ pattern: SymmetricPattern, seed: UInt64, margin: Double = 0.5) -> [Double] {
    var rng = SeededGenerator(seed: seed)
    let n = pattern.dimension
    var values = [Double](repeating: 0, count: pattern.rowIndices.count)
    var rowSums = [Double](repeating: 0, count: n)
    for j in 0..<n {
        for p in (pattern.columnStarts[j] + 1)..<pattern.columnStarts[j + 1] {
            let v = Double.random(in: -1..<1, using: &rng)
            values[p] = v
            rowSums[j] += abs(v)
            rowSums[Int(pattern.rowIndices[p])] += abs(v)
        }
    }
    for j in 0..<n { values[pattern.columnStarts[j]] = rowSums[j] + margin + Double.random(in: 0..<1, using: &rng) }
    return values
}

/// Adds the lower triangle (original order) into the factor at the structure's offsets.
func scatter(_ pattern: SymmetricPattern, values: [Double], into factor: inout SupernodalFactor) -> Bool {
    let structure = factor.structure
    factor.setZero()
    for j in 0..<pattern.dimension {
        for p in pattern.columnStarts[j]..<pattern.columnStarts[j + 1] {
            let a = Int(structure.inversePermutation[Int(pattern.rowIndices[p])])
            let b = Int(structure.inversePermutation[j])
            guard let offset = structure.offset(row: max(a, b), column: min(a, b)) else { return false }
            factor.values[offset] += values[p]
        }
    }
    return true
}

/// Dense symmetric matrix (column-major n×n) of the pattern's values in the NEW order.
func densePermuted(_ pattern: SymmetricPattern, values: [Double], inverse: [Int32]) -> [Double] {
    let n = pattern.dimension
    var dense = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        for p in pattern.columnStarts[j]..<pattern.columnStarts[j + 1] {
            let a = Int(inverse[Int(pattern.rowIndices[p])]), b = Int(inverse[j])
            dense[a + b * n] = values[p]
            dense[b + a * n] = values[p]
        }
    }
    return dense
}

/// Reference dense Cholesky (lower, column-major); nil when not positive definite.
func denseCholesky(_ a: [Double], n: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: n * n)
    for j in 0..<n {
        var d = a[j + j * n]
        for k in 0..<j { d -= l[j + k * n] * l[j + k * n] }
        guard d > 0 else { return nil }
        let ljj = d.squareRoot()
        l[j + j * n] = ljj
        for i in (j + 1)..<max(n, j + 1) {
            var s = a[i + j * n]
            for k in 0..<j { s -= l[i + k * n] * l[j + k * n] }
            l[i + j * n] = s / ljj
        }
    }
    return l
}

/// The factor as a dense lower n×n matrix (new order), reading only the lower trapezoids.
func denseFactor(_ factor: SupernodalFactor) -> [Double] {
    let s = factor.structure
    let n = s.dimension
    var l = [Double](repeating: 0, count: n * n)
    for node in 0..<s.supernodeCount {
        let rows = Array(s.rows(node))
        let first = s.supernodeStarts[node]
        for c in 0..<s.width(node) {
            for r in c..<rows.count {
                l[Int(rows[r]) + (first + c) * n] = factor.values[s.valueOffset(node) + c * rows.count + r]
            }
        }
    }
    return l
}

/// nnz(L) (diagonal included) of a pattern under a given ordering (no amalgamation).
func factorNonzeros(_ pattern: SymmetricPattern, ordering: [Int32]) throws -> Int {
    try SupernodalStructure.analyze(pattern, ordering: ordering, relaxation: .none).exactNonzeroCount
}

func naturalOrder(_ n: Int) -> [Int32] { (0..<Int32(n)).map { $0 } }
