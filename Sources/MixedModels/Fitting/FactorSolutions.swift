/// Solutions read off an up-to-date factor L: β̂, the spherical conditional modes u, and
/// products with (L_ZZ L_ZZᵀ)⁻¹ (Bates et al. 2015, §3.5–3.6).
extension BlockedCholeskyFactor {
    /// β̂, solving L_XXᵀ β = l_yX (the X part of the last row of L), plus the response shift β₀.
    func fixedEffectsEstimate() -> [Double] {
        let p = fixedCount
        var beta = (0..<p).map { xyXy[p, $0] }
        for row in stride(from: p - 1, through: 0, by: -1) {
            var value = beta[row]
            for column in (row + 1)..<max(p, row + 1) { value -= xyXy[column, row] * beta[column] }
            beta[row] = value / xyXy[row, row]
        }
        for row in 0..<min(p, responseShift.count) { beta[row] += responseShift[row] }
        return beta
    }

    /// L_XX⁻¹ (p × p, lower triangular), so that Var(β̂) = σ² L_XX⁻ᵀ L_XX⁻¹.
    func inverseFixedFactor() -> DenseMatrix {
        let p = fixedCount
        var inverse = DenseMatrix(rowCount: p, columnCount: p)
        for column in 0..<p {
            inverse[column, column] = 1 / xyXy[column, column]
            for row in (column + 1)..<max(p, column + 1) {
                var sum = 0.0
                for inner in column..<row { sum += xyXy[row, inner] * inverse[inner, column] }
                inverse[row, column] = -sum / xyXy[row, row]
            }
        }
        return inverse
    }

    /// The spherical conditional modes u, per term (level-major, s values per level), solving
    /// L_ZZᵀ u = l_yZ − L_XZᵀ β.
    func sphericalModes(beta: [Double]) -> [[Double]] {
        let p = fixedCount
        var blocks: [[Double]] = xyZ.map { block in
            (0..<block.columnCount).map { column in
                var value = block[p, column]
                for row in 0..<p { value -= block[row, column] * (beta[row] - responseShift[row]) }
                return value
            }
        }
        solveTransposed(&blocks)
        return blocks
    }

    /// Solves L_ZZ x = c in place (c and x split by term).
    func solveLower(_ blocks: inout [[Double]]) {
        guard termCount > 0 else { return }
        solveFirstBlock(&blocks[0], transposed: false)
        for i in 1..<termCount {
            let sparse = firstColumn[i - 1]
            for column in 0..<sparse.tileColumnCount {
                for tile in sparse.columnStarts[column]..<sparse.columnStarts[column + 1] {
                    let rowLevel = Int(sparse.tileRowIndices[tile])
                    for b in 0..<sparse.tileColumns {
                        let x = blocks[0][column * sparse.tileColumns + b]
                        if x == 0 { continue }
                        for a in 0..<sparse.tileRows {
                            blocks[i][rowLevel * sparse.tileRows + a] -= sparse.values[tile * sparse.tileSize + b * sparse.tileRows + a] * x
                        }
                    }
                }
            }
            if sparseTrailing != nil { continue }
            for j in 1..<i {
                let matrix = dense[i][j]
                for column in 0..<matrix.columnCount {
                    let x = blocks[j][column]
                    if x == 0 { continue }
                    for row in 0..<matrix.rowCount { blocks[i][row] -= matrix[row, column] * x }
                }
            }
            if sparseTrailing == nil { Self.solveDenseLower(diagonal[i], &blocks[i], transposed: false) }
        }
        sparseTrailing?.solveLower(&blocks)
    }

    /// Solves L_ZZᵀ x = c in place.
    func solveTransposed(_ blocks: inout [[Double]]) {
        guard termCount > 0 else { return }
        if let sparseTrailing {
            sparseTrailing.solveLowerTransposed(&blocks)
        } else {
            solveTrailingTransposed(&blocks)
        }
        for i in 1..<termCount {
            let sparse = firstColumn[i - 1]
            for column in 0..<sparse.tileColumnCount {
                for tile in sparse.columnStarts[column]..<sparse.columnStarts[column + 1] {
                    let rowLevel = Int(sparse.tileRowIndices[tile])
                    for b in 0..<sparse.tileColumns {
                        var sum = 0.0
                        for a in 0..<sparse.tileRows {
                            sum += sparse.values[tile * sparse.tileSize + b * sparse.tileRows + a] * blocks[i][rowLevel * sparse.tileRows + a]
                        }
                        blocks[0][column * sparse.tileColumns + b] -= sum
                    }
                }
            }
        }
        solveFirstBlock(&blocks[0], transposed: true)
    }

    /// The dense later terms' part of ``solveTransposed(_:)``: L_TTᵀ x_T = c_T, block by block.
    private func solveTrailingTransposed(_ blocks: inout [[Double]]) {
        for k in stride(from: termCount - 1, through: 1, by: -1) {
            for i in (k + 1)..<max(termCount, k + 1) {
                let matrix = dense[i][k]
                for column in 0..<matrix.columnCount {
                    var sum = 0.0
                    for row in 0..<matrix.rowCount { sum += matrix[row, column] * blocks[i][row] }
                    blocks[k][column] -= sum
                }
            }
            Self.solveDenseLower(diagonal[k], &blocks[k], transposed: true)
        }
    }

    private func solveFirstBlock(_ vector: inout [Double], transposed: Bool) {
        let size = first.blockSize
        for level in 0..<first.blockCount {
            let offset = level * size
            if transposed {
                for row in stride(from: size - 1, through: 0, by: -1) {
                    var value = vector[offset + row]
                    for other in (row + 1)..<max(size, row + 1) { value -= first[level, other, row] * vector[offset + other] }
                    vector[offset + row] = value / first[level, row, row]
                }
            } else {
                for row in 0..<size {
                    var value = vector[offset + row]
                    for other in 0..<row { value -= first[level, row, other] * vector[offset + other] }
                    vector[offset + row] = value / first[level, row, row]
                }
            }
        }
    }

    static func solveDenseLower(_ matrix: DenseMatrix, _ vector: inout [Double], transposed: Bool) {
        let size = matrix.rowCount
        if transposed {
            for row in stride(from: size - 1, through: 0, by: -1) {
                var value = vector[row]
                for other in (row + 1)..<max(size, row + 1) { value -= matrix[other, row] * vector[other] }
                vector[row] = value / matrix[row, row]
            }
        } else {
            for column in 0..<size {
                let value = vector[column] / matrix[column, column]
                vector[column] = value
                if value == 0 { continue }
                for row in (column + 1)..<max(size, column + 1) { vector[row] -= matrix[row, column] * value }
            }
        }
    }

    /// Per term and level, the s×s diagonal block of (L_ZZ L_ZZᵀ)⁻¹ (column-major). Used for
    /// the conditional variances of the random effects (lme4's condVar).
    /// - Complexity: O(q'³) for the dense trailing terms (q' = Σ_{k≥1} ℓ_k s_k) plus
    ///   O(Σ nnz²) for the first term's levels; see ``MixedModelEquationsInverse``.
    func inverseDiagonalBlocks() -> [[[Double]]] {
        MixedModelEquationsInverse(factor: self).diagonalBlocks(full: false)
    }
}
