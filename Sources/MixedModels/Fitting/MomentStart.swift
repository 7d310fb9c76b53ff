import Foundation

/// Start values of θ from MIVQUE(0) estimates of the covariance parameters (Rao 1971; the
/// start that SAS PROC MIXED uses), computed from the cross products A alone, with no pass over
/// the data.
///
/// The model's covariance is V = Σ_j φ_j V_j + σ² I, one basis matrix V_j per free entry of a
/// term's covariance Σ_k: Z_a Z_aᵀ for a variance, Z_a Z_bᵀ + Z_b Z_aᵀ for a covariance, with Z_a
/// the n × ℓ matrix of the term's column a over its levels (everything after weighting by W^½).
/// With Q = I − X(XᵀX)⁻¹Xᵀ and r = Q y, the least-squares residuals, MIVQUE(0) solves the moment
/// equations E[rᵀ V_i r] = rᵀ V_i r and E[rᵀ r] = rᵀ r:
///
///     Σ_j φ_j tr(Q V_i Q V_j) + σ² tr(Q V_i) = rᵀ V_i r
///     Σ_j φ_j tr(Q V_j)       + σ² (n − p)    = rᵀ r
///
/// With K_xy = Z_xᵀ Q Z_y, tr(Q Z_x Z_yᵀ Q Z_u Z_vᵀ) = ⟨K_xv, K_yu⟩_F, and with U_x = Z_xᵀX and
/// G = (XᵀX)⁻¹, K_xy = Z_xᵀZ_y − U_x G U_yᵀ: a sparse block of ZᵀWZ less a matrix of rank p. So
/// every coefficient is a sum over the nonzero tiles of one block of A (products of tile entries,
/// and of tile entries with products of p-vectors) plus tr(G U_xᵀU_y G U_uᵀU_v); the right sides
/// come from [X y]ᵀ W Z and [X y]ᵀ W [X y]. The cost is O(nonzeros of A · p s² + q p²), about one
/// evaluation of the deviance. On balanced designs the estimates are the ANOVA (and REML)
/// estimates; elsewhere they are unbiased moment estimates, near enough to start from.
///
/// The covariances are estimated for the unstructured patterns (FullCholesky, Full); the other
/// patterns get their variances only.
struct MomentStart {
    /// Per term, the estimated Σ_k / σ², column-major s × s (zeros off the diagonal where not estimated).
    let relativeCovariances: [[Double]]

    /// The estimates from `products` (`observations`: the rows with positive weight; `withCovariances`:
    /// per term, whether its covariances are estimated), or `nil` when the equations are singular
    /// (a term that cannot be told from the residual, such as one level per observation), σ² is
    /// not positive, or XᵀWX is singular.
    init?(crossProducts products: CrossProducts, observations n: Int, withCovariances: [Bool]) {
        let sizes = products.diagonal.map(\.blockSize)
        let levels = products.diagonal.map(\.blockCount)
        let terms = sizes.count
        // The unknowns: per term, the pairs (a, b) with a <= b (a == b only without covariances),
        // then σ².
        var unknownIndex: [[Int]] = []  // per term, s × s: the unknown of entry (a, b), -1 if none
        var pairs: [(term: Int, a: Int, b: Int)] = []
        for k in 0..<terms {
            let s = sizes[k]
            var index = [Int](repeating: -1, count: s * s)
            for b in 0..<s {
                for a in 0...b where a == b || (k < withCovariances.count && withCovariances[k]) {
                    index[a * s + b] = pairs.count
                    index[b * s + a] = pairs.count
                    pairs.append((k, a, b))
                }
            }
            unknownIndex.append(index)
        }
        let p = products.xyXy.rowCount - 1
        let sigmaIndex = pairs.count
        guard !pairs.isEmpty, n > p + pairs.count, let inverse = Self.inverseGram(products.xyXy) else { return nil }
        let beta = (0..<p).map { row in (0..<p).reduce(0.0) { $0 + inverse[row * p + $1] * products.xyXy[$1, p] } }

        // Per term, G U: for each (level, column) the p values G Z_xᵀ x̃ of that level.
        let projected: [[Double]] = products.xyZ.map { cross in
            var result = [Double](repeating: 0, count: cross.columnCount * p)
            for column in 0..<cross.columnCount {
                for row in 0..<p {
                    var value = 0.0
                    for j in 0..<p { value += inverse[row * p + j] * cross[j, column] }
                    result[column * p + row] = value
                }
            }
            return result
        }
        // Per term, G U_xᵀU_y for its columns x, y (p × p, row-major), indexed [x * s + y].
        let gramProducts: [[[Double]]] = (0..<terms).map { k in
            let s = sizes[k]
            let cross = products.xyZ[k]
            return (0..<(s * s)).map { pair in
                let x = pair / s, y = pair % s
                var gram = [Double](repeating: 0, count: p * p)
                for level in 0..<levels[k] {
                    for i in 0..<p {
                        let left = cross[i, level * s + x]
                        for j in 0..<p { gram[i * p + j] += left * cross[j, level * s + y] }
                    }
                }
                return (0..<(p * p)).map { index in
                    let row = index / p, column = index % p
                    return (0..<p).reduce(0.0) { $0 + inverse[row * p + $1] * gram[$1 * p + column] }
                }
            }
        }
        func traceOfProduct(_ left: [Double], _ right: [Double]) -> Double {
            var sum = 0.0
            for i in 0..<(p * p) { sum += left[i] * right[(i % p) * p + i / p] }
            return sum
        }

        // ⟨K_xv, K_yu⟩ for x, y of term k and u, v of term m, indexed ((x s_k + y) s_m + u) s_m + v.
        var inner = [[[Double]]](repeating: [], count: terms)
        for k in 0..<terms {
            inner[k] = (0..<terms).map { m in [Double](repeating: 0, count: sizes[k] * sizes[k] * sizes[m] * sizes[m]) }
        }
        // The tiles of one block of A between term k (columns x, y) and term m (columns u, v):
        // tile t holds (Z_kᵀZ_m) for level i of k and level j of m, entry (x, v) at
        // offset + x strideX + v strideV of `values`.
        func addBlock(k: Int, m: Int, values: [Double], tileCount: Int, strideX: Int, strideV: Int,
                      position: (Int) -> (offset: Int, i: Int, j: Int)) {
            let sk = sizes[k], sm = sizes[m]
            let left = projected[k]         // G U rows of term k
            let right = products.xyZ[m].values
            let rows = p + 1
            if sk == 1 && sm == 1 {
                // Scalar tiles: the loop below with its one entry, through raw buffers.
                var sum = 0.0
                left.withUnsafeBufferPointer { l in
                    right.withUnsafeBufferPointer { r in
                        values.withUnsafeBufferPointer { source in
                            for t in 0..<tileCount {
                                let (offset, i, j) = position(t)
                                let value = source[offset]
                                var dot = 0.0
                                for index in 0..<p { dot += l[i * p + index] * r[j * rows + index] }
                                sum += value * value - value * dot - dot * value
                            }
                        }
                    }
                }
                inner[k][m][0] += sum
                return
            }
            var tile = [Double](repeating: 0, count: sk * sm)
            var low = [Double](repeating: 0, count: sk * sm)  // (U_x G U_vᵀ) at (i, j)
            var sums = [Double](repeating: 0, count: sk * sk * sm * sm)
            for t in 0..<tileCount {
                let (offset, i, j) = position(t)
                for x in 0..<sk {
                    let leftStart = (i * sk + x) * p
                    for v in 0..<sm {
                        tile[x * sm + v] = values[offset + x * strideX + v * strideV]
                        let rightStart = (j * sm + v) * rows
                        var dot = 0.0
                        for index in 0..<p { dot += left[leftStart + index] * right[rightStart + index] }
                        low[x * sm + v] = dot
                    }
                }
                var entry = 0
                for x in 0..<sk {
                    for y in 0..<sk {
                        for u in 0..<sm {
                            let yu = tile[y * sm + u], lowYU = low[y * sm + u]
                            for v in 0..<sm {
                                let xv = tile[x * sm + v]
                                sums[entry] += xv * yu - xv * lowYU - low[x * sm + v] * yu
                                entry += 1
                            }
                        }
                    }
                }
            }
            for entry in sums.indices { inner[k][m][entry] += sums[entry] }
        }
        for (k, block) in products.diagonal.enumerated() {
            let s = sizes[k]
            // Level blocks are column-major s × s: entry (x, v) at level s² + v s + x.
            addBlock(k: k, m: k, values: block.values, tileCount: levels[k], strideX: 1, strideV: s) { level in
                (level * s * s, level, level)
            }
        }
        func addTiles(_ tiles: BlockSparseMatrix, rowTerm m: Int, columnTerm k: Int) {
            let r = tiles.tileRows
            let c = tiles.tileColumns
            // The tile column (a level of term k) of each tile.
            var columnOf = [Int](repeating: 0, count: tiles.tileRowIndices.count)
            for j in 0..<tiles.tileColumnCount {
                for tile in tiles.columnStarts[j]..<tiles.columnStarts[j + 1] { columnOf[tile] = j }
            }
            // The stored tile is Z_mᵀZ_k (r × c, column-major): entry (v, x) at x r + v.
            addBlock(k: k, m: m, values: tiles.values, tileCount: columnOf.count, strideX: r, strideV: 1) { tile in
                (tile * r * c, columnOf[tile], Int(tiles.tileRowIndices[tile]))
            }
        }
        for (index, tiles) in products.firstColumn.enumerated() {
            addTiles(tiles, rowTerm: index + 1, columnTerm: 0)
        }
        for (m, row) in products.trailingPairs.enumerated() {
            for (k, tiles) in row.enumerated() where k >= 1 { addTiles(tiles, rowTerm: m, columnTerm: k) }
        }

        // The ordered column pairs (x, y) with Z_x Z_yᵀ in an unknown's basis matrix.
        func parts(_ pair: (term: Int, a: Int, b: Int)) -> [(Int, Int)] {
            pair.a == pair.b ? [(pair.a, pair.a)] : [(pair.a, pair.b), (pair.b, pair.a)]
        }
        let unknowns = pairs.count + 1
        var system = DenseMatrix(rowCount: unknowns, columnCount: unknowns)
        for (row, first) in pairs.enumerated() {
            let k = first.term
            for (column, second) in pairs.enumerated() where column >= row {
                let m = second.term
                var value = 0.0
                // Stored for the term pair (k, m) with k <= m; tr(Q V_i Q V_j) is symmetric.
                for (x, y) in parts(first) {
                    for (u, v) in parts(second) {
                        let sparse = k <= m ? inner[k][m][((x * sizes[k] + y) * sizes[m] + u) * sizes[m] + v]
                                            : inner[m][k][((u * sizes[m] + v) * sizes[k] + x) * sizes[k] + y]
                        value += sparse + traceOfProduct(gramProducts[k][x * sizes[k] + y], gramProducts[m][u * sizes[m] + v])
                    }
                }
                system[row, column] = value
                system[column, row] = value
            }
            var trace = 0.0
            for (x, y) in parts(first) {
                for level in 0..<levels[k] { trace += products.diagonal[k][level, y, x] }
                trace -= (0..<p).reduce(0.0) { $0 + gramProducts[k][x * sizes[k] + y][$1 * p + $1] }
            }
            system[row, sigmaIndex] = trace
            system[sigmaIndex, row] = trace
        }
        system[sigmaIndex, sigmaIndex] = Double(n - p)

        // rᵀ V_i r from Zᵀr = Zᵀy − ZᵀX β, and rᵀr = yᵀy − βᵀXᵀy.
        var right = [Double](repeating: 0, count: unknowns)
        for (k, cross) in products.xyZ.enumerated() {
            let s = sizes[k]
            var residuals = [Double](repeating: 0, count: cross.columnCount)
            for column in 0..<cross.columnCount {
                var value = cross[p, column]
                for j in 0..<p { value -= beta[j] * cross[j, column] }
                residuals[column] = value
            }
            for level in 0..<levels[k] {
                for b in 0..<s {
                    for a in 0...b {
                        let index = unknownIndex[k][a * s + b]
                        guard index >= 0 else { continue }
                        let product = residuals[level * s + a] * residuals[level * s + b]
                        right[index] += a == b ? product : 2 * product
                    }
                }
            }
        }
        var residualSquares = products.xyXy[p, p]
        for j in 0..<p { residualSquares -= beta[j] * products.xyXy[j, p] }
        right[sigmaIndex] = residualSquares

        guard let solution = Self.solveSymmetric(system, right), solution[sigmaIndex] > 0 else { return nil }
        let sigmaSquared = solution[sigmaIndex]
        relativeCovariances = (0..<terms).map { k in
            let s = sizes[k]
            return (0..<(s * s)).map { entry in
                let index = unknownIndex[k][entry]
                return index >= 0 ? solution[index] / sigmaSquared : 0
            }
        }
    }

    /// (XᵀWX)⁻¹, row-major p × p, from the leading block of [X y]ᵀW[X y]; `nil` if it is not
    /// positive definite.
    private static func inverseGram(_ xyXy: DenseMatrix) -> [Double]? {
        let p = xyXy.rowCount - 1
        let gram = (0..<(p * p)).map { xyXy[$0 / max(p, 1), $0 % max(p, 1)] }
        return FittedModel.symmetricInverse(gram, size: p)
    }

    /// The solution of the symmetric positive definite system G x = b by Cholesky; `nil` when a
    /// pivot falls below 10⁻¹⁰ of its diagonal entry (singular to working precision).
    private static func solveSymmetric(_ matrix: DenseMatrix, _ right: [Double]) -> [Double]? {
        let m = matrix.rowCount
        // Symmetric: the column-major values are the row-major ones.
        guard let factor = SmallCholesky.lower(matrix.values, size: m),
              (0..<m).allSatisfy({ factor[$0 * m + $0] * factor[$0 * m + $0] > 1e-10 * matrix[$0, $0] }) else { return nil }
        let x = SmallCholesky.solve(lower: factor, size: m, right)
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}

extension LinearMixedModel {
    /// θ from the moment estimates of ``MomentStart``, in the fit's coordinates (as
    /// ``initialTheta``), or `nil` when the estimates do not exist (the moment equations singular
    /// or σ² not positive). λ is the Cholesky factor of the estimated Σ_k / σ² where that is
    /// positive definite, else diagonal with the estimated standard deviations relative to σ
    /// (0 for a negative variance). Each diagonal entry of λ is at least `radius` in the
    /// optimiser's units, so that an estimate of zero starts `radius` inside the bound, not on it. With
    /// centred random-effects columns (``RandomEffectsTerm/columnCentres``) the estimates are of
    /// the centred columns, the ones the fit works with.
    /// - Complexity: O(nonzeros of A · p s² + q p²), about one evaluation of the deviance.
    public func momentStartTheta(radius: Double = OptimizerSettings.default.momentStartTrustRadius) -> [Double]? {
        let observations = design.weights.map { $0.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } } ?? design.observationCount
        let unstructured = parametrizations.map { $0.pattern == .fullCholesky || $0.pattern == .full }
        guard let moments = MomentStart(crossProducts: crossProducts, observations: observations,
                                        withCovariances: unstructured) else { return nil }
        var theta: [Double] = []
        for (k, parametrization) in parametrizations.enumerated() {
            let s = parametrization.size
            let floors = (0..<s).map { radius * columnScales[k][$0] }
            let covariance = moments.relativeCovariances[k]
            // Σ_k / σ² is symmetric, so its column-major values are also its row-major ones.
            if unstructured[k], var factor = SmallCholesky.lower(covariance, size: s) {
                for a in 0..<s { factor[a * s + a] = max(factor[a * s + a], floors[a]) }
                let logDiagonal = parametrization.pattern == .full
                for position in parametrization.lowerTrianglePositions {
                    let value: Double = factor[position.row * s + position.column]
                    theta.append(logDiagonal && position.row == position.column ? log(value) : value)
                }
            } else {
                let deviations = (0..<s).map { max(max(covariance[$0 * s + $0], 0).squareRoot(), floors[$0]) }
                theta += parametrization.diagonalValues(deviations)
            }
        }
        return theta.allSatisfy(\.isFinite) ? theta : nil
    }
}
