import Foundation

/// A custom covariance pattern as MATLAB's `'CovariancePattern'` logical matrix: entry (a, b) is
/// true where the covariance of random effects a and b of a term is free, false where it is
/// fixed at zero. The matrix is symmetric with a true diagonal, e.g. `[1 0; 0 1]` (independent
/// intercept and slope, lme4's `||`) or `[1 1 0; 1 1 0; 0 0 1]`.
///
/// The free entries must form blocks: random effects that are correlated with a common one are
/// correlated with each other (after reordering, the matrix is block diagonal with full blocks).
/// Each block then has an unstructured covariance (FullCholesky), which is how the term is fitted:
/// as one term per block on the same grouping factor.
public struct CovarianceFreeEntries: Sendable, Equatable, CustomStringConvertible {
    /// `isFree[a][b]`: whether the covariance of random effects a and b is free.
    public let isFree: [[Bool]]

    /// The number of random effects per level the pattern is for.
    public var size: Int { isFree.count }

    /// Checks that the matrix is square and symmetric, with a true diagonal and full blocks.
    public init(_ isFree: [[Bool]]) throws(CovarianceFreeEntriesError) {
        let size = isFree.count
        guard size > 0 else { throw CovarianceFreeEntriesError("the matrix is empty") }
        for (index, row) in isFree.enumerated() where row.count != size {
            throw CovarianceFreeEntriesError("the matrix must be square: row \(index + 1) has \(row.count) \(row.count == 1 ? "entry" : "entries"), not \(size)")
        }
        for a in 0..<size {
            guard isFree[a][a] else {
                throw CovarianceFreeEntriesError("diagonal entry (\(a + 1), \(a + 1)) is 0, but every random effect has a free variance: the diagonal must be all 1s")
            }
            for b in 0..<a where isFree[a][b] != isFree[b][a] {
                throw CovarianceFreeEntriesError("the matrix must be symmetric, but entry (\(a + 1), \(b + 1)) differs from entry (\(b + 1), \(a + 1))")
            }
        }
        self.isFree = isFree
        for block in blocks {
            for a in block {
                for b in block where !isFree[a][b] {
                    let via = block.first { isFree[a][$0] && isFree[$0][b] } ?? a
                    throw CovarianceFreeEntriesError("the free entries must form blocks: random effects \(a + 1) and \(b + 1) are both correlated with \(via + 1), so entry (\(a + 1), \(b + 1)) must be 1 too")
                }
            }
        }
    }

    /// Reads MATLAB's matrix syntax: `[1 0; 0 1]`, entries 0 or 1 (or `true`/`false`) separated
    /// by spaces or commas, rows by `;`.
    public init(parsing text: String) throws(CovarianceFreeEntriesError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("["), trimmed.hasSuffix("]"), trimmed.count >= 2 else {
            throw CovarianceFreeEntriesError("expected a matrix in brackets such as [1 0; 0 1], found '\(text)'")
        }
        let body = trimmed.dropFirst().dropLast()
        var rows: [[Bool]] = []
        for (rowIndex, rowText) in body.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let entries = rowText.split { $0 == " " || $0 == "," || $0 == "\t" }
            var row: [Bool] = []
            for entry in entries {
                switch entry.lowercased() {
                case "1", "true": row.append(true)
                case "0", "false": row.append(false)
                default:
                    throw CovarianceFreeEntriesError("entry '\(entry)' in row \(rowIndex + 1) must be 0 or 1")
                }
            }
            if row.isEmpty { throw CovarianceFreeEntriesError("row \(rowIndex + 1) of '\(text)' is empty") }
            rows.append(row)
        }
        try self.init(rows)
    }

    /// The groups of mutually correlated random effects, each in increasing order, ordered by
    /// their first random effect.
    public var blocks: [[Int]] {
        var assigned = [Bool](repeating: false, count: size)
        var result: [[Int]] = []
        for start in 0..<size where !assigned[start] {
            var block: [Int] = []
            var stack = [start]
            assigned[start] = true
            while let current = stack.popLast() {
                block.append(current)
                for other in 0..<size where !assigned[other] && isFree[current][other] {
                    assigned[other] = true
                    stack.append(other)
                }
            }
            result.append(block.sorted())
        }
        return result
    }

    /// MATLAB's notation, e.g. `[1 0; 0 1]`.
    public var description: String {
        "[" + isFree.map { $0.map { $0 ? "1" : "0" }.joined(separator: " ") }.joined(separator: "; ") + "]"
    }
}

/// A malformed custom covariance pattern.
public struct CovarianceFreeEntriesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { "invalid covariance pattern matrix: \(message)" }
}
