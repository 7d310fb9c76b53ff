/// A sparse matrix made of dense r×c tiles: the off-diagonal block A[i, 0] (and L[i, 0]) between
/// the first random-effects term (c = s₀ columns per level) and another term (r = sᵢ rows per
/// level). A tile exists for each pair of levels that share an observation.
///
/// Tiles are stored by tile column (a level of the first term), like compressed sparse columns,
/// each tile column-major. Multiplying by λ on either side keeps the pattern.
struct BlockSparseMatrix: Sendable, Equatable {
    /// r, rows per tile (the other term's s).
    let tileRows: Int
    /// c, columns per tile (the first term's s).
    let tileColumns: Int
    /// The number of tile rows (levels of the other term).
    let tileRowCount: Int
    /// The number of tile columns (levels of the first term).
    let tileColumnCount: Int
    /// Tile column j holds the tiles `columnStarts[j] ..< columnStarts[j + 1]`.
    let columnStarts: [Int]
    /// The tile-row (level) index of each tile, increasing within a tile column.
    let tileRowIndices: [Int32]
    /// Tile values, `tileRows * tileColumns` per tile, column-major within the tile.
    var values: [Double]
    /// The work of the symmetric downdate by tile row, to split it across threads
    /// (``TrailingDowndate``). It depends only on the pattern, not on θ, so it is counted once
    /// with the matrix.
    let rowPattern: TileRowPattern

    var tileSize: Int { tileRows * tileColumns }

    /// The pattern from level pairs: observation i has row level `rowLevels[i]` and column level
    /// `columnLevels[i]`.
    init(tileRows: Int, tileColumns: Int, tileRowCount: Int, tileColumnCount: Int,
         rowLevels: [Int32], columnLevels: [Int32]) {
        self = Self.fromObservations(tileRows: tileRows, tileColumns: tileColumns, tileRowCount: tileRowCount,
                                     tileColumnCount: tileColumnCount, rowLevels: rowLevels,
                                     columnLevels: columnLevels).matrix
    }

    private init(tileRows: Int, tileColumns: Int, tileRowCount: Int, tileColumnCount: Int, columnStarts: [Int],
                 tileRowIndices: [Int32]) {
        self.tileRows = tileRows
        self.tileColumns = tileColumns
        self.tileRowCount = tileRowCount
        self.tileColumnCount = tileColumnCount
        self.columnStarts = columnStarts
        self.tileRowIndices = tileRowIndices
        self.values = [Double](repeating: 0, count: tileRowIndices.count * tileRows * tileColumns)
        self.rowPattern = TileRowPattern(tileRowCount: tileRowCount, columnStarts: columnStarts,
                                         tileRowIndices: tileRowIndices)
    }

    /// The pattern from level pairs (as ``init(tileRows:tileColumns:tileRowCount:tileColumnCount:rowLevels:columnLevels:)``)
    /// and each observation's tile: the observations are bucketed by column level (a counting
    /// sort), each bucket sorted by row level, and equal rows share a tile.
    /// - Complexity: O(n + levels), with small buckets sorted by insertion.
    static func fromObservations(tileRows: Int, tileColumns: Int, tileRowCount: Int, tileColumnCount: Int,
                                 rowLevels: [Int32], columnLevels: [Int32]) -> (matrix: BlockSparseMatrix, observationTiles: [Int32]) {
        let n = min(rowLevels.count, columnLevels.count)
        var starts = [Int](repeating: 0, count: tileColumnCount + 1)
        var indices: [Int32] = []
        var tiles = [Int32](repeating: -1, count: n)
        rowLevels.withUnsafeBufferPointer { rows in
            columnLevels.withUnsafeBufferPointer { columns in
                var bucketStarts = [Int](repeating: 0, count: tileColumnCount + 1)
                for i in 0..<n { bucketStarts[Int(columns[i]) + 1] += 1 }
                for column in 0..<tileColumnCount { bucketStarts[column + 1] += bucketStarts[column] }
                var order = [Int32](repeating: 0, count: n)
                var cursor = bucketStarts
                for i in 0..<n {
                    let column = Int(columns[i])
                    order[cursor[column]] = Int32(truncatingIfNeeded: i)
                    cursor[column] += 1
                }
                indices.reserveCapacity(n)
                order.withUnsafeMutableBufferPointer { sorted in
                    for column in 0..<tileColumnCount {
                        let low = bucketStarts[column]
                        let high = bucketStarts[column + 1]
                        if high - low <= 32 {
                            for k in stride(from: low + 1, to: high, by: 1) {
                                let observation = sorted[k]
                                let key = rows[Int(observation)]
                                var j = k
                                while j > low, rows[Int(sorted[j - 1])] > key {
                                    sorted[j] = sorted[j - 1]
                                    j -= 1
                                }
                                sorted[j] = observation
                            }
                        } else {
                            var bucket = UnsafeMutableBufferPointer(rebasing: sorted[low..<high])
                            bucket.sort { rows[Int($0)] < rows[Int($1)] }
                        }
                        var previous: Int32 = -1
                        for k in low..<high {
                            let observation = Int(sorted[k])
                            let row = rows[observation]
                            if row != previous || k == low {
                                indices.append(row)
                                previous = row
                            }
                            tiles[observation] = Int32(truncatingIfNeeded: indices.count - 1)
                        }
                        starts[column + 1] = indices.count
                    }
                }
            }
        }
        let matrix = BlockSparseMatrix(tileRows: tileRows, tileColumns: tileColumns, tileRowCount: tileRowCount,
                                       tileColumnCount: tileColumnCount, columnStarts: starts, tileRowIndices: indices)
        return (matrix, tiles)
    }

    /// The position of the tile at (tile row, tile column), or `nil` if it is structurally zero.
    func tileIndex(row: Int32, column: Int) -> Int? {
        var low = columnStarts[column]
        var high = columnStarts[column + 1]
        while low < high {
            let middle = (low + high) / 2
            let value = tileRowIndices[middle]
            if value == row { return middle }
            if value < row { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// Writes the matrix into the dense `target` (tile rows × tile columns, column-major):
    /// zeros everywhere except the tiles.
    func scatter(into target: inout DenseMatrix) {
        target.setZero()
        let leading = target.rowCount
        guard leading == tileRowCount * tileRows, target.columnCount == tileColumnCount * tileColumns else { return }
        target.values.withUnsafeMutableBufferPointer { destination in
            values.withUnsafeBufferPointer { source in
                for column in 0..<tileColumnCount {
                    for tile in columnStarts[column]..<columnStarts[column + 1] {
                        let row = Int(tileRowIndices[tile]) * tileRows
                        for b in 0..<tileColumns {
                            let base = (column * tileColumns + b) * leading + row
                            for a in 0..<tileRows { destination[base + a] = source[tile * tileSize + b * tileRows + a] }
                        }
                    }
                }
            }
        }
    }
}

/// What the downdate of the trailing blocks needs to know about a ``BlockSparseMatrix`` by tile
/// row: how much work each target column block takes, counted in one pass over the tiles.
struct TileRowPattern: Sendable, Equatable {
    /// `lowerWork[i]` is the number of tile pairs (t, u) with t in a tile row before i and u at or
    /// below t in the same tile column: the work of the symmetric downdate before target column
    /// block i, which balances the split across threads.
    let lowerWork: [Int]

    init(tileRowCount: Int, columnStarts: [Int], tileRowIndices: [Int32]) {
        var work = [Int](repeating: 0, count: tileRowCount + 1)
        for column in 0..<max(columnStarts.count - 1, 0) {
            let end = columnStarts[column + 1]
            for tile in columnStarts[column]..<end {
                work[Int(tileRowIndices[tile]) + 1] += end - tile
            }
        }
        for row in 0..<tileRowCount { work[row + 1] += work[row] }
        self.lowerWork = work
    }
}
