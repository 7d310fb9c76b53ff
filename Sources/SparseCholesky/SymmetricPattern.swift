/// The nonzero pattern of an n×n symmetric matrix, stored as its lower triangle (diagonal
/// included) in compressed sparse columns.
///
/// Column `j` holds the rows `rowIndices[columnStarts[j] ..< columnStarts[j + 1]]`, strictly
/// ascending, each at least `j`, and the first of them is `j` itself (every diagonal entry is
/// present). The initializers validate this, so every other type of the module may rely on it.
public struct SymmetricPattern: Sendable, Equatable {
    /// Why a pattern was rejected.
    public enum ValidationError: Error, Equatable, Sendable {
        /// The dimension is negative or too large for 32-bit row indices.
        case invalidDimension(Int)
        /// `columnStarts` does not have n + 1 entries, does not start at 0, decreases, or does
        /// not end at `rowIndices.count`.
        case invalidColumnStarts
        /// A row index is out of range, above the diagonal, or not strictly ascending in its column.
        case invalidRow(row: Int, column: Int)
        /// Column `column` does not start with its diagonal entry.
        case missingDiagonal(column: Int)
    }

    /// The dimension n.
    public let dimension: Int
    /// Start of each column in `rowIndices`; n + 1 entries, the last one equal to the entry count.
    public let columnStarts: [Int]
    /// Row index of each stored entry of the lower triangle, column by column.
    public let rowIndices: [Int32]

    /// The number of stored entries of the lower triangle (diagonal included).
    public var lowerEntryCount: Int { rowIndices.count }

    /// Validates and wraps a lower-triangle compressed-sparse-column pattern.
    /// - Throws: `ValidationError` when the arrays do not describe a valid lower pattern.
    public init(dimension: Int, columnStarts: [Int], rowIndices: [Int32]) throws {
        guard dimension >= 0, dimension < Int(Int32.max) else {
            throw ValidationError.invalidDimension(dimension)
        }
        guard columnStarts.count == dimension + 1, columnStarts[0] == 0,
              columnStarts[dimension] == rowIndices.count
        else { throw ValidationError.invalidColumnStarts }
        for column in 0..<dimension {
            let start = columnStarts[column], end = columnStarts[column + 1]
            guard start <= end, end <= rowIndices.count else { throw ValidationError.invalidColumnStarts }
            guard start < end, Int(rowIndices[start]) == column else {
                throw ValidationError.missingDiagonal(column: column)
            }
            var previous = column
            for position in (start + 1)..<end {
                let row = Int(rowIndices[position])
                guard row > previous, row < dimension else {
                    throw ValidationError.invalidRow(row: row, column: column)
                }
                previous = row
            }
        }
        self.dimension = dimension
        self.columnStarts = columnStarts
        self.rowIndices = rowIndices
    }

    /// Internal initializer for arrays already known to be valid.
    init(validatedDimension dimension: Int, columnStarts: [Int], rowIndices: [Int32]) {
        self.dimension = dimension
        self.columnStarts = columnStarts
        self.rowIndices = rowIndices
    }

    /// Builds the pattern from an unsorted list of (row, column) positions that may contain
    /// duplicates and entries of either triangle (each is mirrored into the lower triangle);
    /// all diagonal entries are added. Runs in O(n + number of pairs).
    /// - Throws: `ValidationError.invalidRow` when a position is outside the n×n matrix.
    public init(dimension: Int, pairs: [(row: Int, column: Int)]) throws {
        guard dimension >= 0, dimension < Int(Int32.max) else {
            throw ValidationError.invalidDimension(dimension)
        }
        for pair in pairs where pair.row < 0 || pair.row >= dimension || pair.column < 0
            || pair.column >= dimension
        {
            throw ValidationError.invalidRow(row: pair.row, column: pair.column)
        }
        // Bucket the off-diagonal lower positions by row, then distribute them into columns in
        // ascending row order: rows come out sorted within each column without a comparison sort.
        let n = dimension
        var rowCounts = [Int](repeating: 0, count: n + 1)
        for pair in pairs where pair.row != pair.column {
            rowCounts[max(pair.row, pair.column) + 1] += 1
        }
        for i in 0..<n { rowCounts[i + 1] += rowCounts[i] }
        var byRowColumn = [Int32](repeating: 0, count: rowCounts[n])
        var rowFill = rowCounts
        for pair in pairs where pair.row != pair.column {
            let row = max(pair.row, pair.column)
            byRowColumn[rowFill[row]] = Int32(min(pair.row, pair.column))
            rowFill[row] += 1
        }
        var columnCounts = [Int](repeating: 0, count: n + 1)
        for column in byRowColumn { columnCounts[Int(column) + 1] += 1 }
        for j in 0..<n { columnCounts[j + 1] += columnCounts[j] }
        var sortedRows = [Int32](repeating: 0, count: byRowColumn.count)
        var columnFill = columnCounts
        for row in 0..<n {
            for position in rowCounts[row]..<rowCounts[row + 1] {
                let column = Int(byRowColumn[position])
                sortedRows[columnFill[column]] = Int32(row)
                columnFill[column] += 1
            }
        }
        // Prepend the diagonal and drop duplicates.
        var starts = [Int](repeating: 0, count: n + 1)
        var rows = [Int32]()
        rows.reserveCapacity(sortedRows.count + n)
        for column in 0..<n {
            rows.append(Int32(column))
            var previous = Int32(column)
            for position in columnCounts[column]..<columnCounts[column + 1] {
                let row = sortedRows[position]
                if row != previous {
                    rows.append(row)
                    previous = row
                }
            }
            starts[column + 1] = rows.count
        }
        self.init(validatedDimension: n, columnStarts: starts, rowIndices: rows)
    }

    /// The pattern of P·A·Pᵀ, where `newToOld[k]` is the original index placed at position k.
    /// `newToOld` must be a permutation of 0..<n (checked by the public callers).
    func permuted(newToOld: [Int32]) -> SymmetricPattern {
        let n = dimension
        var oldToNew = [Int32](repeating: 0, count: n)
        for k in 0..<n { oldToNew[Int(newToOld[k])] = Int32(k) }
        // Count per new column (the smaller new index of each off-diagonal entry), bucketed by
        // the larger new index first so rows come out sorted.
        let offDiagonal = rowIndices.count - n
        var rowCounts = [Int](repeating: 0, count: n + 1)
        var lowers = [Int32](repeating: 0, count: offDiagonal)
        var uppers = [Int32](repeating: 0, count: offDiagonal)
        var m = 0
        for column in 0..<n {
            let newColumn = oldToNew[column]
            for position in (columnStarts[column] + 1)..<columnStarts[column + 1] {
                let newRow = oldToNew[Int(rowIndices[position])]
                let a = max(newRow, newColumn), b = min(newRow, newColumn)
                uppers[m] = a
                lowers[m] = b
                rowCounts[Int(a) + 1] += 1
                m += 1
            }
        }
        for i in 0..<n { rowCounts[i + 1] += rowCounts[i] }
        var pairs = [Int32](repeating: 0, count: offDiagonal)
        var fill = rowCounts
        for e in 0..<offDiagonal {
            let a = Int(uppers[e])
            pairs[fill[a]] = lowers[e]
            fill[a] += 1
        }
        var columnCounts = [Int](repeating: 0, count: n + 1)
        for column in 0..<n { columnCounts[column + 1] = 1 }
        for b in pairs { columnCounts[Int(b) + 1] += 1 }
        for j in 0..<n { columnCounts[j + 1] += columnCounts[j] }
        var rows = [Int32](repeating: 0, count: offDiagonal + n)
        var columnFill = columnCounts
        for j in 0..<n {
            rows[columnFill[j]] = Int32(j)
            columnFill[j] += 1
        }
        for row in 0..<n {
            for position in rowCounts[row]..<rowCounts[row + 1] {
                let column = Int(pairs[position])
                rows[columnFill[column]] = Int32(row)
                columnFill[column] += 1
            }
        }
        return SymmetricPattern(validatedDimension: n, columnStarts: columnCounts, rowIndices: rows)
    }

    /// Both triangles without the diagonal: `starts` (n + 1) and `neighbours`, each list sorted.
    func fullAdjacency() -> (starts: [Int], neighbours: [Int32]) {
        let n = dimension
        var counts = [Int](repeating: 0, count: n + 1)
        for column in 0..<n {
            let start = columnStarts[column] + 1, end = columnStarts[column + 1]
            counts[column + 1] += end - start
            for position in start..<end { counts[Int(rowIndices[position]) + 1] += 1 }
        }
        for i in 0..<n { counts[i + 1] += counts[i] }
        var neighbours = [Int32](repeating: 0, count: counts[n])
        var fill = counts
        // Smaller neighbours first (ascending), then larger ones (ascending): sorted lists.
        for column in 0..<n {
            for position in (columnStarts[column] + 1)..<columnStarts[column + 1] {
                let row = Int(rowIndices[position])
                neighbours[fill[row]] = Int32(column)
                fill[row] += 1
            }
        }
        for column in 0..<n {
            for position in (columnStarts[column] + 1)..<columnStarts[column + 1] {
                neighbours[fill[column]] = rowIndices[position]
                fill[column] += 1
            }
        }
        return (counts, neighbours)
    }
}

/// Whether `permutation` is a permutation of 0..<n.
func isPermutation(_ permutation: [Int32], count n: Int) -> Bool {
    guard permutation.count == n else { return false }
    var seen = [Bool](repeating: false, count: n)
    for value in permutation {
        let v = Int(value)
        guard v >= 0, v < n, !seen[v] else { return false }
        seen[v] = true
    }
    return true
}
