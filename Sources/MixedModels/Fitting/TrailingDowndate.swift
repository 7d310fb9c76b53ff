import Foundation

/// The downdate of the trailing blocks by the first term's column of L:
///
///     target −= L_i0 L_k0ᵀ = Σ over first-term levels c of  T_ic T_kcᵀ
///
/// (T_ic the tile of L_i0 in tile column c), a sparse × sparseᵀ product into a dense block. It is
/// the largest cost of an evaluation for big crossed designs: with g₁ levels meeting dᵢ levels of
/// the later term each, Σᵢ dᵢ(dᵢ+1)/2 tile pairs (25 million for 20,000 × 2,000 crossed levels
/// at 50 rows per g₁ level).
///
/// It is done by panels of the column-major target (a left-looking, Gustavson-like
/// accumulation): a panel is a run of column blocks (tile rows j of the right operand) of about
/// 4 MiB, and it is filled by one pass over the tile columns c in order, with a cursor per
/// column at its first tile inside the panel; each such tile is multiplied with the left
/// operand's tiles of column c below it, without a call per tile pair. The tiles stream from
/// memory once per panel and every write lands in the panel, which stays in cache (the old
/// loop wrote all over a target of up to gigabytes). Measured on the target machine, 2000 × 2000
/// target, 25 million tile pairs, one core, CPU time: the tile-pair loop 1.4 s, one column
/// block at a time from a transposed (by tile row) pattern 130 ms, panels of 512 KiB / 2 MiB /
/// 4 MiB / 8 MiB / 16 MiB / 32 MiB 57 / 45 / 44 / 47 / 67 / 134 ms; 4 MiB panels on both
/// cores 26 ms.
///
/// Column blocks are split across threads in chunks of about equal work (counted once per
/// model, ``TileRowPattern``); each target entry is written by one thread only and takes its
/// terms in increasing c, the order of the loop it replaces, so the result does not depend on
/// the number of threads or their timing. It is bit-for-bit that loop's result, except that the
/// loop skipped zero factors (which can only change the sign of a zero entry).
enum TrailingDowndate {
    /// Below this many tile pairs (about 4 ms of work) the downdate runs on the calling thread
    /// only: a split costs thread wake-ups, a cursor set per chunk and, on a busy machine, waits
    /// for a descheduled thread (InstEval, 0.9 million pairs, was 10% slower per evaluation
    /// split than the old serial loop on the shared 2-vCPU machine).
    static let parallelThreshold = 2_000_000

    /// target[rows of left's tile row, rows of right's tile row] −= T_left T_rightᵀ for every pair
    /// of tiles sharing a tile column (a level of the first term). With `symmetric`, left and
    /// right are the same matrix and only the lower triangle of the target is updated.
    /// - Parameters:
    ///   - target: column-major, `left.tileRowCount · left.tileRows` rows, leading dimension
    ///     `stride`, `right.tileRowCount · right.tileRows` columns.
    ///   - leftTiles, rightTiles: the tile values of `left` and `right` (which supply the pattern).
    ///   - parallel: split the work across the available cores (the result is the same).
    ///   - panelDoubles: the target doubles per panel (for tests and measurements).
    static func subtractSparseProducts(_ target: UnsafeMutablePointer<Double>, stride: Int,
                                       left: BlockSparseMatrix, leftTiles: UnsafePointer<Double>,
                                       right: BlockSparseMatrix, rightTiles: UnsafePointer<Double>,
                                       symmetric: Bool, parallel: Bool = true,
                                       panelDoubles: Int = panelDoubles) {
        guard right.tileRowCount > 0, left.tileColumns == right.tileColumns else { return }
        withOperand(left, tiles: leftTiles) { leftOperand in
            withOperand(right, tiles: rightTiles) { rightOperand in
                let output = Output(target: target, stride: stride)
                let bounds = chunkBounds(right: right, left: left, symmetric: symmetric, parallel: parallel)
                let chunkCount = bounds.count - 1
                let run: @Sendable (Int) -> Void = { chunk in
                    let blocks = bounds[chunk]..<bounds[chunk + 1]
                    if symmetric {
                        subtractSymmetricPanels(output, blocks: blocks, tiles: rightOperand,
                                                tileColumnCount: right.tileColumnCount, panelDoubles: panelDoubles)
                    } else {
                        subtractGeneralPanels(output, blocks: blocks, left: leftOperand, right: rightOperand,
                                              tileColumnCount: right.tileColumnCount, panelDoubles: panelDoubles)
                    }
                }
                if chunkCount == 1 {
                    run(0)
                } else {
                    DispatchQueue.concurrentPerform(iterations: chunkCount, execute: run)
                }
            }
        }
    }

    /// The scalar-term case of ``subtractSparseProducts(_:stride:left:leftTiles:right:rightTiles:symmetric:parallel:panelDoubles:)``
    /// (1 × 1 tiles), the common one for crossed intercept-only designs: target[leftRow, rightRow]
    /// −= l · r for every pair of entries sharing a column. (The general entry point takes the
    /// same fast path; this one states the precondition.)
    /// - Precondition: all tiles of `left` and `right` are 1 × 1.
    static func subtractScalarSparseProducts(_ target: UnsafeMutablePointer<Double>, stride: Int,
                                             left: BlockSparseMatrix, leftValues: UnsafePointer<Double>,
                                             right: BlockSparseMatrix, rightValues: UnsafePointer<Double>,
                                             symmetric: Bool) {
        subtractSparseProducts(target, stride: stride, left: left, leftTiles: leftValues,
                               right: right, rightTiles: rightValues, symmetric: symmetric)
    }

    // MARK: - Work split

    /// Tile-row (target column block) boundaries of the chunks: one chunk below the threshold,
    /// else a few per core, cut where the cumulative work crosses equal fractions. Depends only
    /// on the patterns and the core count, never on timing.
    private static func chunkBounds(right: BlockSparseMatrix, left: BlockSparseMatrix,
                                    symmetric: Bool, parallel: Bool) -> [Int] {
        let rowCount = right.tileRowCount
        let cores = DenseKernels.threadCount
        guard parallel, cores > 1, rowCount > 1 else { return [0, rowCount] }
        let prefix: [Int]
        if symmetric {
            prefix = right.rowPattern.lowerWork
        } else {
            // Work of column block j: Σ over its tile columns c of the number of left tiles in c.
            var work = [Int](repeating: 0, count: rowCount + 1)
            for column in 0..<right.tileColumnCount {
                let leftTiles = left.columnStarts[column + 1] - left.columnStarts[column]
                for tile in right.columnStarts[column]..<right.columnStarts[column + 1] {
                    work[Int(right.tileRowIndices[tile]) + 1] += leftTiles
                }
            }
            for row in 0..<rowCount { work[row + 1] += work[row] }
            prefix = work
        }
        let total = prefix[rowCount]
        guard total >= parallelThreshold else { return [0, rowCount] }
        return EqualWorkSplit.bounds(count: rowCount, parts: min(rowCount, 4 * cores)) { prefix[$0] }
    }

    // MARK: - Kernels

    /// Raw views of a tile matrix, valid inside ``withOperand(_:tiles:_:)``.
    private struct Operand: @unchecked Sendable {
        let tileRows: Int
        let tileColumns: Int
        let columnStarts: UnsafePointer<Int>
        let tileRowIndices: UnsafePointer<Int32>
        let values: UnsafePointer<Double>
    }

    /// The target block; each chunk writes only its own column blocks.
    private struct Output: @unchecked Sendable {
        let target: UnsafeMutablePointer<Double>
        let stride: Int
    }

    /// Calls `body` with raw views of `matrix`'s pattern and `tiles`.
    private static func withOperand(_ matrix: BlockSparseMatrix, tiles: UnsafePointer<Double>,
                                    _ body: (Operand) -> Void) {
        matrix.columnStarts.withUnsafeBufferPointer { columnStarts in
            matrix.tileRowIndices.withUnsafeBufferPointer { tileRowIndices in
                // Empty arrays may have no base address; a matrix without tiles has nothing to
                // subtract.
                guard let starts = columnStarts.baseAddress, let indices = tileRowIndices.baseAddress else { return }
                body(Operand(tileRows: matrix.tileRows, tileColumns: matrix.tileColumns,
                             columnStarts: starts, tileRowIndices: indices, values: tiles))
            }
        }
    }

    /// Target doubles per panel (4 MiB; measurements above).
    static let panelDoubles = 1 << 19

    /// For each tile column, the first tile at or below tile row `row` (binary search).
    private static func cursors(from row: Int, _ m: Operand, tileColumnCount: Int) -> [Int] {
        let target = Int32(row)
        return (0..<tileColumnCount).map { column in
            var low = m.columnStarts[column]
            var high = m.columnStarts[column + 1]
            while low < high {
                let middle = (low + high) / 2
                if m.tileRowIndices[middle] < target { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// Lower triangle of target column blocks `blocks` −= Σ_c T_ic T_jcᵀ (i ≥ j) for one operand,
    /// by panels: for each panel of column blocks, one pass over the tile columns in order (so
    /// the tiles stream from memory) with a cursor per column at its first tile in the panel.
    private static func subtractSymmetricPanels(_ output: Output, blocks: Range<Int>, tiles m: Operand,
                                                tileColumnCount: Int, panelDoubles: Int) {
        let stride = output.stride
        let rows = m.tileRows
        let inner = m.tileColumns
        let tileSize = rows * inner
        let width = max(1, panelDoubles / max(stride * rows, 1))
        var next = cursors(from: blocks.lowerBound, m, tileColumnCount: tileColumnCount)
        next.withUnsafeMutableBufferPointer { cursor in
            var panelStart = blocks.lowerBound
            while panelStart < blocks.upperBound {
                let panelEnd = Int32(min(panelStart + width, blocks.upperBound))
                for tileColumn in 0..<tileColumnCount {
                    var start = cursor[tileColumn]
                    let end = m.columnStarts[tileColumn + 1]
                    while start < end && m.tileRowIndices[start] < panelEnd {
                        let column = output.target + Int(m.tileRowIndices[start]) * rows * stride
                        if rows == 1 && inner == 1 {
                            let factor = m.values[start]
                            var tile = start
                            while tile < end {
                                column[Int(m.tileRowIndices[tile])] -= m.values[tile] * factor
                                tile += 1
                            }
                        } else if rows == 1 && inner == 2 {
                            let factor0 = m.values[2 * start]
                            let factor1 = m.values[2 * start + 1]
                            var tile = start
                            while tile < end {
                                let row = Int(m.tileRowIndices[tile])
                                column[row] = column[row] - m.values[2 * tile] * factor0 - m.values[2 * tile + 1] * factor1
                                tile += 1
                            }
                        } else {
                            let right = m.values + start * tileSize
                            for tile in start..<end {
                                let corner = column + Int(m.tileRowIndices[tile]) * rows
                                subtractTileProduct(corner, stride: stride, left: m.values + tile * tileSize, leftRows: rows,
                                                    right: right, rightRows: rows, inner: inner, lowerOnly: tile == start)
                            }
                        }
                        start += 1
                    }
                    cursor[tileColumn] = start
                }
                panelStart = Int(panelEnd)
            }
        }
    }

    /// Target column blocks `blocks` −= Σ_c T_left,ic T_right,jcᵀ for all left tile rows i, by
    /// panels of the right operand's tile rows.
    private static func subtractGeneralPanels(_ output: Output, blocks: Range<Int>, left l: Operand, right r: Operand,
                                              tileColumnCount: Int, panelDoubles: Int) {
        let stride = output.stride
        let leftRows = l.tileRows
        let rightRows = r.tileRows
        let inner = l.tileColumns
        let leftSize = leftRows * inner
        let rightSize = rightRows * inner
        let width = max(1, panelDoubles / max(stride * rightRows, 1))
        var next = cursors(from: blocks.lowerBound, r, tileColumnCount: tileColumnCount)
        next.withUnsafeMutableBufferPointer { cursor in
            var panelStart = blocks.lowerBound
            while panelStart < blocks.upperBound {
                let panelEnd = Int32(min(panelStart + width, blocks.upperBound))
                for tileColumn in 0..<tileColumnCount {
                    var rightIndex = cursor[tileColumn]
                    let rightEnd = r.columnStarts[tileColumn + 1]
                    let start = l.columnStarts[tileColumn]
                    let end = l.columnStarts[tileColumn + 1]
                    while rightIndex < rightEnd && r.tileRowIndices[rightIndex] < panelEnd {
                        let column = output.target + Int(r.tileRowIndices[rightIndex]) * rightRows * stride
                        let rightTile = r.values + rightIndex * rightSize
                        if leftRows == 1 && rightRows == 1 && inner == 1 {
                            let factor = rightTile[0]
                            var tile = start
                            while tile < end {
                                column[Int(l.tileRowIndices[tile])] -= l.values[tile] * factor
                                tile += 1
                            }
                        } else if leftRows == 1 && rightRows == 1 && inner == 2 {
                            let factor0 = rightTile[0]
                            let factor1 = rightTile[1]
                            var tile = start
                            while tile < end {
                                let row = Int(l.tileRowIndices[tile])
                                column[row] = column[row] - l.values[2 * tile] * factor0 - l.values[2 * tile + 1] * factor1
                                tile += 1
                            }
                        } else {
                            for tile in start..<end {
                                let corner = column + Int(l.tileRowIndices[tile]) * leftRows
                                subtractTileProduct(corner, stride: stride, left: l.values + tile * leftSize, leftRows: leftRows,
                                                    right: rightTile, rightRows: rightRows, inner: inner, lowerOnly: false)
                            }
                        }
                        rightIndex += 1
                    }
                    cursor[tileColumn] = rightIndex
                }
                panelStart = Int(panelEnd)
            }
        }
    }

    /// corner[a, b] −= Σ_m left[a, m] · right[b, m] (left r1×c, right r2×c, column-major, corner
    /// with leading dimension `stride`), inlined; with `lowerOnly`, only a ≥ b.
    @inline(__always)
    private static func subtractTileProduct(_ corner: UnsafeMutablePointer<Double>, stride: Int,
                                            left: UnsafePointer<Double>, leftRows: Int,
                                            right: UnsafePointer<Double>, rightRows: Int,
                                            inner: Int, lowerOnly: Bool) {
        for b in 0..<rightRows {
            let first = lowerOnly ? b : 0
            guard first < leftRows else { continue }
            let column = corner + b * stride
            for m in 0..<inner {
                let factor = right[m * rightRows + b]
                let source = left + m * leftRows
                for a in first..<leftRows { column[a] -= source[a] * factor }
            }
        }
    }
}
