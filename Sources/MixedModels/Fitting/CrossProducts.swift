/// The symmetric blocked cross-product matrix A = [Z X y]ᵀ W [Z X y], formed once before
/// optimising (Bates et al. 2015, §3; DESIGN.md §2). Only its lower blocks are kept:
///
/// - `diagonal[k]`: Z_kᵀ W Z_k, block diagonal with ℓ_k blocks of s_k × s_k;
/// - `firstColumn[i − 1]`: Z_iᵀ W Z_0 for i ≥ 1, sparse with s_i × s_0 tiles;
/// - `trailingPairs[i][k]`: Z_iᵀ W Z_k for 1 ≤ k < i, sparse with s_i × s_k tiles (one per
///   pair of levels that share an observation; scattered into L's dense blocks when those are
///   dense, so that A holds O(n) entries however many levels the later terms have);
/// - `xyZ[k]`: [X y]ᵀ W Z_k, dense (p + 1) × ℓ_k s_k;
/// - `xyXy`: [X y]ᵀ W [X y], dense (p + 1) × (p + 1).
struct CrossProducts: Sendable {
    let diagonal: [BlockDiagonalMatrix]
    let firstColumn: [BlockSparseMatrix]
    let trailingPairs: [[BlockSparseMatrix]]
    let xyZ: [DenseMatrix]
    let xyXy: DenseMatrix

    /// - Complexity: O(n (p + 1 + Σ s_k)²), once per model.
    init(design: ModelDesign) {
        let terms = design.randomEffectsTerms
        let n = design.observationCount
        let fixed = design.fixedEffects
        let p = fixed.columnCount
        let weights = design.weights ?? [Double](repeating: 1, count: n)

        var diagonal = terms.map { BlockDiagonalMatrix(blockSize: $0.columnCount, blockCount: $0.levelCount) }
        var firstColumn: [BlockSparseMatrix] = []
        if let first = terms.first {
            for term in terms.dropFirst() {
                firstColumn.append(BlockSparseMatrix(tileRows: term.columnCount, tileColumns: first.columnCount,
                                                     tileRowCount: term.levelCount, tileColumnCount: first.levelCount,
                                                     rowLevels: term.levelIndices, columnLevels: first.levelIndices))
            }
        }
        var trailingPairs: [[BlockSparseMatrix]] = terms.indices.map { i in
            (0..<i).map { k in
                k == 0 ? BlockSparseMatrix(tileRows: 0, tileColumns: 0, tileRowCount: 0, tileColumnCount: 0,
                                           rowLevels: [], columnLevels: [])
                       : BlockSparseMatrix(tileRows: terms[i].columnCount, tileColumns: terms[k].columnCount,
                                           tileRowCount: terms[i].levelCount, tileColumnCount: terms[k].levelCount,
                                           rowLevels: terms[i].levelIndices, columnLevels: terms[k].levelIndices)
            }
        }
        var xyZ = terms.map { DenseMatrix(rowCount: p + 1, columnCount: $0.randomEffectCount) }
        var xyXy = DenseMatrix(rowCount: p + 1, columnCount: p + 1)

        // One pass over the rows per block, through raw buffers: a loop over the rows that visits
        // every term would copy each term's description (and its reference counts) per row.
        // Every entry still sums its rows in ascending order, so the values do not depend on how
        // the loops are arranged. The response is y − offset where the formula has an offset.
        let response = design.responseLessOffset
        fixed.values.withUnsafeBufferPointer { x in
            response.withUnsafeBufferPointer { y in
                let xyColumns = (0..<p).map { UnsafeBufferPointer(rebasing: x[($0 * n)..<(($0 + 1) * n)]) } + [y]
                Self.accumulateXyXy(into: &xyXy, columns: xyColumns, weights: weights, n: n)
                for (k, term) in terms.enumerated() {
                    Self.accumulateDiagonal(into: &diagonal[k], xyZ: &xyZ[k], term: term, xyColumns: xyColumns,
                                            weights: weights, n: n)
                }
            }
        }
        for (k, term) in terms.enumerated().dropFirst() {
            Self.accumulateTiles(into: &firstColumn[k - 1], rowTerm: term, columnTerm: terms[0], weights: weights, n: n)
            for j in 1..<k {
                Self.accumulateTiles(into: &trailingPairs[k][j], rowTerm: term, columnTerm: terms[j], weights: weights, n: n)
            }
        }
        for column in 0...p {
            for row in 0..<column { xyXy[row, column] = xyXy[column, row] }
        }
        self.diagonal = diagonal
        self.firstColumn = firstColumn
        self.trailingPairs = trailingPairs
        self.xyZ = xyZ
        self.xyXy = xyXy
    }
}

// MARK: - The passes over the observations

extension CrossProducts {
    /// [X y]ᵀ W [X y], lower triangle.
    private static func accumulateXyXy(
        into xyXy: inout DenseMatrix, columns: [UnsafeBufferPointer<Double>], weights: [Double], n: Int
    ) {
        let size = columns.count
        xyXy.values.withUnsafeMutableBufferPointer { target in
            weights.withUnsafeBufferPointer { w in
                for column in 0..<size {
                    let right = columns[column]
                    for other in column..<size {
                        let left = columns[other]
                        var sum = target[column * size + other]
                        for row in 0..<n { sum += w[row] * left[row] * right[row] }
                        target[column * size + other] = sum
                    }
                }
            }
        }
    }

    /// A term's diagonal blocks Z_kᵀ W Z_k and its rows [X y]ᵀ W Z_k.
    private static func accumulateDiagonal(
        into diagonal: inout BlockDiagonalMatrix, xyZ: inout DenseMatrix, term: RandomEffectsTerm,
        xyColumns: [UnsafeBufferPointer<Double>], weights: [Double], n: Int
    ) {
        let s = term.columnCount
        let rows = xyColumns.count
        diagonal.values.withUnsafeMutableBufferPointer { blocks in
            term.z.withUnsafeBufferPointer { z in
                term.levelIndices.withUnsafeBufferPointer { levels in
                    weights.withUnsafeBufferPointer { w in
                        for row in 0..<n {
                            let level = Int(levels[row])
                            let base = level * s * s
                            for b in 0..<s {
                                let zb = w[row] * z[row * s + b]
                                for a in 0..<s { blocks[base + b * s + a] += z[row * s + a] * zb }
                            }
                        }
                    }
                }
            }
        }
        xyZ.values.withUnsafeMutableBufferPointer { target in
            term.z.withUnsafeBufferPointer { z in
                term.levelIndices.withUnsafeBufferPointer { levels in
                    weights.withUnsafeBufferPointer { w in
                        for c in 0..<rows {
                            let x = xyColumns[c]
                            for row in 0..<n {
                                let level = Int(levels[row])
                                for b in 0..<s {
                                    let zb = w[row] * z[row * s + b]
                                    target[(level * s + b) * rows + c] += x[row] * zb
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The tiles of Z_rowᵀ W Z_column for two different terms: the tile of each observation is
    /// looked up first, then the products are added through raw buffers.
    private static func accumulateTiles(
        into block: inout BlockSparseMatrix, rowTerm: RandomEffectsTerm, columnTerm: RandomEffectsTerm,
        weights: [Double], n: Int
    ) {
        var tiles = [Int32](repeating: -1, count: n)
        rowTerm.levelIndices.withUnsafeBufferPointer { rowLevels in
            columnTerm.levelIndices.withUnsafeBufferPointer { columnLevels in
                for row in 0..<n {
                    if let tile = block.tileIndex(row: rowLevels[row], column: Int(columnLevels[row])) {
                        tiles[row] = Int32(truncatingIfNeeded: tile)
                    }
                }
            }
        }
        let s = rowTerm.columnCount
        let sj = columnTerm.columnCount
        block.values.withUnsafeMutableBufferPointer { values in
            rowTerm.z.withUnsafeBufferPointer { zRow in
                columnTerm.z.withUnsafeBufferPointer { zColumn in
                    weights.withUnsafeBufferPointer { w in
                        for row in 0..<n where tiles[row] >= 0 {
                            let base = Int(tiles[row]) * s * sj
                            for b in 0..<sj {
                                let zb = w[row] * zColumn[row * sj + b]
                                for a in 0..<s { values[base + b * s + a] += zRow[row * s + a] * zb }
                            }
                        }
                    }
                }
            }
        }
    }
}

// MARK: - Derived cross products (inference: profiles and the parametric bootstrap)

extension CrossProducts {
    init(diagonal: [BlockDiagonalMatrix], firstColumn: [BlockSparseMatrix], trailingPairs: [[BlockSparseMatrix]],
         xyZ: [DenseMatrix], xyXy: DenseMatrix) {
        self.diagonal = diagonal
        self.firstColumn = firstColumn
        self.trailingPairs = trailingPairs
        self.xyZ = xyZ
        self.xyXy = xyXy
    }

    /// p, the number of fixed-effects columns.
    var fixedCount: Int { xyXy.rowCount - 1 }

    /// The cross products of the model in which fixed-effects column `column` becomes an offset
    /// with coefficient `value`: X without that column and response y − value·x_column.
    /// Only the [X y] rows change, and they follow from A itself (Zᵀ(y − c x) = Zᵀy − c Zᵀx, …).
    /// - Complexity: O(p Σ ℓ_k s_k + p²); no pass over the observations.
    func fixingFixedEffect(column: Int, at value: Double) -> CrossProducts {
        let p = fixedCount
        let kept = (0..<p).filter { $0 != column }
        let rowsOut = kept.count + 1
        let newXyZ = xyZ.map { block -> DenseMatrix in
            var result = DenseMatrix(rowCount: rowsOut, columnCount: block.columnCount)
            for index in 0..<block.columnCount {
                for (row, source) in kept.enumerated() { result[row, index] = block[source, index] }
                result[kept.count, index] = block[p, index] - value * block[column, index]
            }
            return result
        }
        var newXyXy = DenseMatrix(rowCount: rowsOut, columnCount: rowsOut)
        for (a, sourceA) in kept.enumerated() {
            for (b, sourceB) in kept.enumerated() { newXyXy[a, b] = xyXy[sourceA, sourceB] }
            let offsetRow = xyXy[p, sourceA] - value * xyXy[column, sourceA]
            newXyXy[kept.count, a] = offsetRow
            newXyXy[a, kept.count] = offsetRow
        }
        newXyXy[kept.count, kept.count] = xyXy[p, p] - 2 * value * xyXy[p, column] + value * value * xyXy[column, column]
        return CrossProducts(diagonal: diagonal, firstColumn: firstColumn, trailingPairs: trailingPairs, xyZ: newXyZ, xyXy: newXyXy)
    }

    /// The cross products for the same design with response `y` (same rows, weights, X, Z and
    /// offset, which is subtracted from `y`):
    /// only the y row — Zᵀ W y, Xᵀ W y and yᵀ W y — is recomputed; the Z and X blocks are shared.
    /// - Precondition: `y.count == design.observationCount` (checked by the callers).
    /// - Complexity: O(n (Σ s_k + p)).
    func replacingResponse(_ y: [Double], design: ModelDesign) -> CrossProducts {
        let n = design.observationCount
        let fixed = design.fixedEffects
        let p = fixed.columnCount
        let weights = design.weights
        var y = y
        if let offset = design.offset {
            for row in 0..<n { y[row] -= offset[row] }
        }
        var weighted = y
        if let weights {
            for row in 0..<n { weighted[row] *= weights[row] }
        }
        var newXyZ = xyZ
        for (k, term) in design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            var row = [Double](repeating: 0, count: term.randomEffectCount)
            term.z.withUnsafeBufferPointer { z in
                term.levelIndices.withUnsafeBufferPointer { levels in
                    for observation in 0..<n {
                        let base = Int(levels[observation]) * s
                        let value = weighted[observation]
                        for column in 0..<s { row[base + column] += z[observation * s + column] * value }
                    }
                }
            }
            for index in 0..<term.randomEffectCount { newXyZ[k][p, index] = row[index] }
        }
        var newXyXy = xyXy
        fixed.values.withUnsafeBufferPointer { x in
            for column in 0..<p {
                var sum = 0.0
                let start = column * n
                for observation in 0..<n { sum += x[start + observation] * weighted[observation] }
                newXyXy[p, column] = sum
                newXyXy[column, p] = sum
            }
        }
        var squares = 0.0
        for observation in 0..<n { squares += weighted[observation] * y[observation] }
        newXyXy[p, p] = squares
        return CrossProducts(diagonal: diagonal, firstColumn: firstColumn, trailingPairs: trailingPairs, xyZ: newXyZ, xyXy: newXyXy)
    }
}
