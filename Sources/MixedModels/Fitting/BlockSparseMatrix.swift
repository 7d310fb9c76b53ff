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

    /// The pattern from level pairs: `pairs` lists, for each observation, (row level, column level).
    init(tileRows: Int, tileColumns: Int, tileRowCount: Int, tileColumnCount: Int,
         rowLevels: [Int32], columnLevels: [Int32]) {
        self.tileRows = tileRows
        self.tileColumns = tileColumns
        self.tileRowCount = tileRowCount
        self.tileColumnCount = tileColumnCount
        var rowsByColumn = [[Int32]](repeating: [], count: tileColumnCount)
        for (row, column) in zip(rowLevels, columnLevels) {
            rowsByColumn[Int(column)].append(row)
        }
        var starts = [0]
        var indices: [Int32] = []
        for var rows in rowsByColumn {
            rows.sort()
            var previous: Int32 = -1
            for row in rows where row != previous {
                indices.append(row)
                previous = row
            }
            starts.append(indices.count)
        }
        self.columnStarts = starts
        self.tileRowIndices = indices
        self.values = [Double](repeating: 0, count: indices.count * tileRows * tileColumns)
        self.rowPattern = TileRowPattern(tileRowCount: tileRowCount, columnStarts: starts, tileRowIndices: indices)
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
