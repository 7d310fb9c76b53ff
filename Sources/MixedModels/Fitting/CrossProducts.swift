/// The symmetric blocked cross-product matrix A = [Z X y]ᵀ W [Z X y], formed once before
/// optimising (Bates et al. 2015, §3; DESIGN.md §2). Only its lower blocks are kept:
///
/// - `diagonal[k]`: Z_kᵀ W Z_k, block diagonal with ℓ_k blocks of s_k × s_k;
/// - `firstColumn[i − 1]`: Z_iᵀ W Z_0 for i ≥ 1, sparse with s_i × s_0 tiles;
/// - `dense[i][k]`: Z_iᵀ W Z_k for 1 ≤ k < i, dense;
/// - `xyZ[k]`: [X y]ᵀ W Z_k, dense (p + 1) × ℓ_k s_k;
/// - `xyXy`: [X y]ᵀ W [X y], dense (p + 1) × (p + 1).
struct CrossProducts: Sendable {
    let diagonal: [BlockDiagonalMatrix]
    let firstColumn: [BlockSparseMatrix]
    let dense: [[DenseMatrix]]
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
        var dense: [[DenseMatrix]] = terms.indices.map { i in
            (0..<i).map { k in
                k == 0 ? DenseMatrix(rowCount: 0, columnCount: 0)
                       : DenseMatrix(rowCount: terms[i].randomEffectCount, columnCount: terms[k].randomEffectCount)
            }
        }
        var xyZ = terms.map { DenseMatrix(rowCount: p + 1, columnCount: $0.randomEffectCount) }
        var xyXy = DenseMatrix(rowCount: p + 1, columnCount: p + 1)

        var xy = [Double](repeating: 0, count: p + 1)
        for row in 0..<n {
            let w = weights[row]
            for column in 0..<p { xy[column] = fixed[row, column] }
            xy[p] = design.response[row]
            for column in 0...p {
                for other in column...p { xyXy[other, column] += w * xy[other] * xy[column] }
            }
            for (k, term) in terms.enumerated() {
                let s = term.columnCount
                let level = Int(term.levelIndices[row])
                let zBase = row * s
                for b in 0..<s {
                    let zb = w * term.z[zBase + b]
                    for a in 0..<s { diagonal[k][level, a, b] += term.z[zBase + a] * zb }
                    for c in 0...p { xyZ[k][c, level * s + b] += xy[c] * zb }
                }
                guard k > 0 else { continue }
                let first = terms[0]
                let firstLevel = Int(first.levelIndices[row])
                if let tile = firstColumn[k - 1].tileIndex(row: term.levelIndices[row], column: firstLevel) {
                    let s0 = first.columnCount
                    let base = tile * s * s0
                    for b in 0..<s0 {
                        let zb = w * first.z[row * s0 + b]
                        for a in 0..<s { firstColumn[k - 1].values[base + b * s + a] += term.z[zBase + a] * zb }
                    }
                }
                for j in 1..<k {
                    let other = terms[j]
                    let sj = other.columnCount
                    let otherLevel = Int(other.levelIndices[row])
                    for b in 0..<sj {
                        let zb = w * other.z[row * sj + b]
                        for a in 0..<s { dense[k][j][level * s + a, otherLevel * sj + b] += term.z[zBase + a] * zb }
                    }
                }
            }
        }
        for column in 0...p {
            for row in 0..<column { xyXy[row, column] = xyXy[column, row] }
        }
        self.diagonal = diagonal
        self.firstColumn = firstColumn
        self.dense = dense
        self.xyZ = xyZ
        self.xyXy = xyXy
    }
}
