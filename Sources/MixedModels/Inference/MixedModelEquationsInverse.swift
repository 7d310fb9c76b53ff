import SparseCholesky

/// Selected parts of the inverse of the mixed-model equations, read off the blocked factor L.
///
/// In the spherical coordinates u (b = Λu) the mixed-model equations are
///
///     C = [ ΛᵀZᵀWZΛ + I   ΛᵀZᵀWX ]  = L Lᵀ,   L = [ L_ZZ    0    ]
///         [ XᵀWZΛ         XᵀWX   ]               [ L_XZ   L_XX  ]
///
/// and σ² C⁻¹ is the covariance of [û − u; β̂ − β] (Henderson 1975; MATLAB's
/// `covBetaHatBHat`). lme4's conditional variances (`ranef(condVar = TRUE)`) use only the
/// Z block, σ² Λ (L_ZZ L_ZZᵀ)⁻¹ Λᵀ, i.e. they treat β as known.
///
/// L_ZZ = [A 0; B D] where A is the first term's block-diagonal factor, B the sparse
/// column below it and D the dense factor of the later ("trailing") terms. Then
///
///     L⁻¹ [v; x] = [ w₀ ; D⁻¹ r ; L_XX⁻¹ (x − L_XZ₀ w₀ − Hᵀ r) ],
///     w₀ = A⁻¹ v₀,  r = v' − B w₀,  H = D⁻ᵀ L_XZ'ᵀ,
///
/// so ‖L⁻¹[v; x]‖² = ‖w₀‖² + rᵀ G r + ‖L_XX⁻¹(…)‖² with G = (D Dᵀ)⁻¹. For a vector v with a few
/// non-zero levels (a row of Z, or a unit vector), w₀ and r are sparse and every quantity costs
/// O(nnz² + p nnz + p²) once G, H and L_XX⁻¹ are formed.
///
/// - Complexity: building is O(q'³) in the trailing dimension q' = Σ_{k≥1} ℓ_k s_k (two dense
///   triangular products) plus O(p q' ²); memory q'² (the same order as the factor's dense blocks).
///   When the trailing terms are stored sparse, G is computed only on the structure of D (the
///   selected inverse, at about the cost of two or three factorisations), which holds every
///   pair that a level's own block or a first-term level's clique of trailing levels needs;
///   a pair outside it (new data combining unrelated levels) is answered by two sparse solves.
///   H takes p sparse solves.
struct MixedModelEquationsInverse: Sendable {
    /// The sparse intermediate results of L⁻¹ applied to one vector [v; x].
    struct Solution {
        /// Per first-term level, w₀ at that level (s₀ values).
        var first: [(level: Int, values: [Double])] = []
        /// The non-zero entries of r (indices into the trailing dimension).
        var trailing: [Int: Double] = [:]
        /// L_XX⁻¹ (x − L_XZ L_ZZ⁻¹ v) (p values).
        var fixed: [Double] = []
    }

    let factor: BlockedCholeskyFactor
    /// Offsets of terms k ≥ 1 in the trailing dimension (index 0 unused, 0).
    let trailingOffsets: [Int]
    /// q', the trailing dimension.
    let trailingDimension: Int
    /// G = (D Dᵀ)⁻¹, q' × q', column-major, both triangles filled.
    let trailingInverse: [Double]
    /// H = D⁻ᵀ L_XZ'ᵀ, q' × p, column-major.
    let trailingFixed: [Double]
    /// L_XX⁻¹, p × p lower triangular.
    let fixedInverse: DenseMatrix
    /// With sparse trailing storage: G = (D Dᵀ)⁻¹ on the structure of D.
    let selectedInverse: SelectedInverse?

    init(factor: BlockedCholeskyFactor) {
        self.factor = factor
        let termCount = factor.termCount
        var offsets = [Int](repeating: 0, count: max(termCount, 1))
        var dimension = 0
        for k in 1..<max(termCount, 1) {
            offsets[k] = dimension
            dimension += factor.xyZ[k].columnCount
        }
        self.trailingOffsets = offsets
        self.trailingDimension = dimension
        self.fixedInverse = factor.inverseFixedFactor()
        let p = factor.fixedCount
        if let sparse = factor.sparseTrailing {
            self.trailingInverse = []
            self.selectedInverse = sparse.selectedInverse()
            // H[:, r] = D⁻ᵀ h_r, h_r = row r of L_XZ' (old order), stored like the dense H.
            var h = [Double](repeating: 0, count: dimension * p)
            for r in 0..<p {
                var row = [Double](repeating: 0, count: dimension)
                for k in 1..<termCount {
                    let block = factor.xyZ[k]
                    for column in 0..<block.columnCount { row[offsets[k] + column] = block[r, column] }
                }
                let solved = sparse.solveLowerTransposedInZOrder(row)
                for index in 0..<dimension { h[r * dimension + index] = solved[index] }
            }
            self.trailingFixed = h
            return
        }
        self.selectedInverse = nil

        // D (lower triangular, column-major) assembled from the dense blocks.
        var d = [Double](repeating: 0, count: dimension * dimension)
        for k in 1..<max(termCount, 1) {
            let columnOffset = offsets[k]
            for i in k..<termCount {
                let block = i == k ? factor.diagonal[k] : factor.dense[i][k]
                let rowOffset = offsets[i]
                for column in 0..<block.columnCount {
                    for row in 0..<block.rowCount {
                        d[(columnOffset + column) * dimension + rowOffset + row] = block[row, column]
                    }
                }
            }
        }
        let inverse = Self.lowerTriangularInverse(d, size: dimension)
        self.trailingInverse = Self.gram(ofLower: inverse, size: dimension)
        // H[:, r] = D⁻ᵀ h_r = inverseᵀ h_r where h_r is row r of L_XZ' (over the trailing terms).
        var h = [Double](repeating: 0, count: dimension * p)
        if dimension > 0 {
            for r in 0..<p {
                var row = [Double](repeating: 0, count: dimension)
                for k in 1..<termCount {
                    let block = factor.xyZ[k]
                    for column in 0..<block.columnCount { row[offsets[k] + column] = block[r, column] }
                }
                inverse.withUnsafeBufferPointer { inv in
                    for column in 0..<dimension {
                        var sum = 0.0
                        let base = column * dimension
                        for index in column..<dimension { sum += inv[base + index] * row[index] }
                        h[r * dimension + column] = sum
                    }
                }
            }
        }
        self.trailingFixed = h
    }

    // MARK: - Applying L⁻¹

    /// L⁻¹ [v; x] in sparse form. `v` lists, per term, (level, s_k values in u coordinates);
    /// `x` is the fixed-effects part (p values, or empty for zeros).
    func solve(randomPart v: [(term: Int, level: Int, values: [Double])], fixedPart x: [Double]) -> Solution {
        var solution = Solution()
        let p = factor.fixedCount
        var t = x.isEmpty ? [Double](repeating: 0, count: p) : x
        // w₀ = A⁻¹ v₀, level by level; first-term entries of v at the same level are summed.
        var firstByLevel: [Int: [Double]] = [:]
        for entry in v where entry.term == 0 {
            if var existing = firstByLevel[entry.level] {
                for index in existing.indices { existing[index] += entry.values[index] }
                firstByLevel[entry.level] = existing
            } else {
                firstByLevel[entry.level] = entry.values
            }
        }
        let s0 = factor.termCount > 0 ? factor.parametrizations[0].size : 0
        for level in firstByLevel.keys.sorted() {
            guard var values = firstByLevel[level] else { continue }
            for row in 0..<s0 {
                var value = values[row]
                for other in 0..<row { value -= factor.first[level, row, other] * values[other] }
                values[row] = value / factor.first[level, row, row]
            }
            solution.first.append((level, values))
        }
        // r = v' − B w₀.
        for entry in v where entry.term > 0 {
            let offset = trailingOffsets[entry.term] + entry.level * entry.values.count
            for (index, value) in entry.values.enumerated() where value != 0 {
                solution.trailing[offset + index, default: 0] += value
            }
        }
        for (level, w0) in solution.first {
            for i in 1..<max(factor.termCount, 1) {
                let sparse = factor.firstColumn[i - 1]
                let offset = trailingOffsets[i]
                for tile in sparse.columnStarts[level]..<sparse.columnStarts[level + 1] {
                    let rowLevel = Int(sparse.tileRowIndices[tile])
                    for a in 0..<sparse.tileRows {
                        var sum = 0.0
                        for b in 0..<sparse.tileColumns {
                            sum += sparse.values[tile * sparse.tileSize + b * sparse.tileRows + a] * w0[b]
                        }
                        solution.trailing[offset + rowLevel * sparse.tileRows + a, default: 0] -= sum
                    }
                }
            }
            // t −= L_XZ₀ w₀
            let block = factor.xyZ[0]
            for r in 0..<p {
                var sum = 0.0
                for b in 0..<s0 { sum += block[r, level * s0 + b] * w0[b] }
                t[r] -= sum
            }
        }
        // t −= Hᵀ r
        for (index, value) in solution.trailing {
            for r in 0..<p { t[r] -= trailingFixed[r * trailingDimension + index] * value }
        }
        // L_XX⁻¹ t
        var fixed = [Double](repeating: 0, count: p)
        for row in 0..<p {
            var sum = 0.0
            for column in 0...row { sum += fixedInverse[row, column] * t[column] }
            fixed[row] = sum
        }
        solution.fixed = fixed
        return solution
    }

    /// ⟨L_ZZ⁻¹ v_a, L_ZZ⁻¹ v_b⟩ = v_aᵀ (L_ZZ L_ZZᵀ)⁻¹ v_b.
    func randomInnerProduct(_ a: Solution, _ b: Solution) -> Double {
        var sum = 0.0
        for (levelA, valuesA) in a.first {
            for (levelB, valuesB) in b.first where levelB == levelA {
                for index in valuesA.indices { sum += valuesA[index] * valuesB[index] }
            }
        }
        if let sparse = factor.sparseTrailing {
            return sum + sparseTrailingProduct(a, b, sparse: sparse)
        }
        for (indexA, valueA) in a.trailing {
            let base = indexA * trailingDimension
            for (indexB, valueB) in b.trailing { sum += valueA * trailingInverse[base + indexB] * valueB }
        }
        return sum
    }

    /// r_aᵀ G r_b with G on the structure of D (the selected inverse); two sparse solves when a
    /// pair falls outside it.
    private func sparseTrailingProduct(_ a: Solution, _ b: Solution, sparse: SparseTrailingFactor) -> Double {
        if let selected = selectedInverse {
            var sum = 0.0
            var complete = true
            outer: for (indexA, valueA) in a.trailing {
                let rowA = Int(sparse.inversePermutation[indexA])
                for (indexB, valueB) in b.trailing {
                    guard let g = selected.entry(row: rowA, column: Int(sparse.inversePermutation[indexB])) else {
                        complete = false
                        break outer
                    }
                    sum += valueA * g * valueB
                }
            }
            if complete { return sum }
        }
        var ra = [Double](repeating: 0, count: trailingDimension)
        for (index, value) in a.trailing { ra[index] = value }
        var rb = [Double](repeating: 0, count: trailingDimension)
        for (index, value) in b.trailing { rb[index] = value }
        let ya = sparse.solveLowerInFactorOrder(ra)
        let yb = sparse.solveLowerInFactorOrder(rb)
        var sum = 0.0
        for index in ya.indices { sum += ya[index] * yb[index] }
        return sum
    }

    /// [v_a; x_a]ᵀ C⁻¹ [v_b; x_b].
    func fullInnerProduct(_ a: Solution, _ b: Solution) -> Double {
        var sum = randomInnerProduct(a, b)
        for index in a.fixed.indices { sum += a.fixed[index] * b.fixed[index] }
        return sum
    }

    // MARK: - Diagonal blocks for the random effects

    /// Per term and level, the s×s diagonal blocks (column-major) of (L_ZZ L_ZZᵀ)⁻¹ (`full ==
    /// false`, lme4's condVar) or of the u block of C⁻¹ (`full == true`, which also accounts for
    /// the uncertainty in β̂, as MATLAB's SEPred).
    func diagonalBlocks(full: Bool) -> [[[Double]]] {
        var result: [[[Double]]] = []
        for k in 0..<factor.termCount {
            let size = factor.parametrizations[k].size
            let levels = k == 0 ? factor.first.blockCount : factor.xyZ[k].columnCount / max(size, 1)
            var blocks: [[Double]] = []
            blocks.reserveCapacity(levels)
            for level in 0..<levels {
                let solutions = (0..<size).map { column -> Solution in
                    var unit = [Double](repeating: 0, count: size)
                    unit[column] = 1
                    return solve(randomPart: [(k, level, unit)], fixedPart: [])
                }
                var block = [Double](repeating: 0, count: size * size)
                for a in 0..<size {
                    for b in 0...a {
                        let value = full ? fullInnerProduct(solutions[a], solutions[b])
                                         : randomInnerProduct(solutions[a], solutions[b])
                        block[b * size + a] = value
                        block[a * size + b] = value
                    }
                }
                blocks.append(block)
            }
            result.append(blocks)
        }
        return result
    }

    // MARK: - Dense kernels

    /// The inverse of a lower-triangular column-major matrix (lower triangular).
    static func lowerTriangularInverse(_ matrix: [Double], size: Int) -> [Double] {
        var inverse = [Double](repeating: 0, count: size * size)
        guard size > 0 else { return inverse }
        matrix.withUnsafeBufferPointer { m in
            inverse.withUnsafeMutableBufferPointer { inv in
                guard let mp = m.baseAddress, let ip = inv.baseAddress else { return }
                // Column j of the inverse solves L x = e_j (forward substitution, column-oriented).
                for column in 0..<size {
                    let x = ip + column * size
                    x[column] = 1
                    for index in column..<size {
                        let value = x[index] / mp[index * size + index]
                        x[index] = value
                        if value == 0 { continue }
                        let source = mp + index * size
                        var row = index + 1
                        while row < size {
                            x[row] -= source[row] * value
                            row += 1
                        }
                    }
                }
            }
        }
        return inverse
    }

    /// Mᵀ M for lower-triangular column-major M (both triangles filled).
    static func gram(ofLower matrix: [Double], size: Int) -> [Double] {
        var result = [Double](repeating: 0, count: size * size)
        guard size > 0 else { return result }
        matrix.withUnsafeBufferPointer { m in
            result.withUnsafeMutableBufferPointer { r in
                guard let mp = m.baseAddress, let rp = r.baseAddress else { return }
                for a in 0..<size {
                    let columnA = mp + a * size
                    for b in 0...a {
                        let columnB = mp + b * size
                        var sum = 0.0
                        var index = a  // both columns are zero above their diagonal; a ≥ b
                        while index < size {
                            sum += columnA[index] * columnB[index]
                            index += 1
                        }
                        rp[b * size + a] = sum
                        rp[a * size + b] = sum
                    }
                }
            }
        }
        return result
    }
}
