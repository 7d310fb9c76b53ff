/// Start values of θ from MIVQUE(0) estimates of the variance components (Rao 1971; the
/// start that SAS PROC MIXED uses), computed from the cross products A alone, with no pass over
/// the data.
///
/// With Q = I − X(XᵀX)⁻¹Xᵀ (after weighting), r = Q y the least-squares residuals and Z_c the
/// n × ℓ matrix of random-effects column c over all levels of its term, the estimates solve the
/// moment equations E[‖Z_cᵀ r‖²] = ‖Z_cᵀ r‖² and E[‖r‖²] = ‖r‖² under
/// V = Σ_c σ_c² Z_c Z_cᵀ + σ² I (the covariances within a term left at zero):
///
///     Σ_d σ_d² ‖Z_cᵀ Q Z_d‖²_F + σ² tr(Z_cᵀ Q Z_c) = ‖Z_cᵀ r‖²
///     Σ_d σ_d² tr(Z_dᵀ Q Z_d)  + σ² (n − p)        = ‖r‖²
///
/// one row per random-effects column and one for σ². With U_c = Z_cᵀX and G = (XᵀX)⁻¹,
/// ‖Z_cᵀ Q Z_d‖²_F = ‖Z_cᵀZ_d‖²_F − 2 tr(G U_cᵀ Z_cᵀZ_d U_d) + tr(G U_cᵀU_c G U_dᵀU_d): the
/// squared entries of a block of ZᵀWZ, and for each of its nonzeros one product of p-vectors.
/// The cost is O(nonzeros of A · p + q p²), about one evaluation of the deviance. On balanced
/// designs the estimates are the ANOVA (and REML) estimates; elsewhere they are unbiased
/// moment estimates, close enough to start from. The start is θ_c = σ_c / σ on λ's diagonal.
struct MomentStart {
    /// Per term, the standard deviation of each random-effects column relative to σ
    /// (σ_c / σ; 0 where the moment estimate of σ_c² is not positive).
    let relativeDeviations: [[Double]]

    /// The estimates from `products` (`observations`: the rows with positive weight), or `nil`
    /// when the equations are singular (a term that cannot be told from the residual, such as
    /// one level per observation), σ² is not positive, or XᵀWX is singular.
    init?(crossProducts products: CrossProducts, observations n: Int) {
        let sizes = products.diagonal.map(\.blockSize)
        let levels = products.diagonal.map(\.blockCount)
        var offsets: [Int] = []
        var columns = 0
        for size in sizes {
            offsets.append(columns)
            columns += size
        }
        let p = products.xyXy.rowCount - 1
        guard columns > 0, n > p + columns, let inverse = Self.inverseGram(products.xyXy) else { return nil }
        let beta = (0..<p).map { row in (0..<p).reduce(0.0) { $0 + inverse[row * p + $1] * products.xyXy[$1, p] } }
        // Per term, G U: row (level, column a) holds G Z_aᵀ x̃ for that level (p values).
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
        // Per random-effects column, U_cᵀ U_c (p × p).
        var grams = [[Double]](repeating: [Double](repeating: 0, count: p * p), count: columns)
        for (k, cross) in products.xyZ.enumerated() {
            for column in 0..<cross.columnCount {
                let c = offsets[k] + column % sizes[k]
                for i in 0..<p {
                    for j in 0..<p { grams[c][i * p + j] += cross[i, column] * cross[j, column] }
                }
            }
        }
        let unknowns = columns + 1
        var squares = [Double](repeating: 0, count: columns * columns)   // ‖Z_cᵀZ_d‖²
        var crossTerms = [Double](repeating: 0, count: columns * columns) // tr(G U_cᵀ Z_cᵀZ_d U_d)
        // One nonzero v = (Z_cᵀZ_d)[i, j] for column c at level i of term k and d at level j of term m.
        func add(_ v: Double, term k: Int, column a: Int, level i: Int, term m: Int, column b: Int, level j: Int) {
            let c = offsets[k] + a
            let d = offsets[m] + b
            let left = (i * sizes[k] + a) * p
            let right = j * sizes[m] + b
            var dot = 0.0
            for index in 0..<p { dot += projected[k][left + index] * products.xyZ[m][index, right] }
            squares[c * columns + d] += v * v
            crossTerms[c * columns + d] += v * dot
            if c != d {
                squares[d * columns + c] += v * v
                crossTerms[d * columns + c] += v * dot
            }
        }
        var traces = [Double](repeating: 0, count: columns)
        for (k, block) in products.diagonal.enumerated() {
            let s = block.blockSize
            for level in 0..<levels[k] {
                for b in 0..<s {
                    traces[offsets[k] + b] += block[level, b, b]
                    for a in 0...b {
                        add(block[level, a, b], term: k, column: a, level: level, term: k, column: b, level: level)
                    }
                }
            }
        }
        func addTiles(_ tiles: BlockSparseMatrix, rowTerm m: Int, columnTerm k: Int) {
            let r = tiles.tileRows
            let c = tiles.tileColumns
            for j in 0..<tiles.tileColumnCount {
                for tile in tiles.columnStarts[j]..<tiles.columnStarts[j + 1] {
                    let i = Int(tiles.tileRowIndices[tile])
                    for a in 0..<c {
                        for b in 0..<r {
                            add(tiles.values[tile * r * c + a * r + b], term: k, column: a, level: j,
                                term: m, column: b, level: i)
                        }
                    }
                }
            }
        }
        for (index, tiles) in products.firstColumn.enumerated() {
            addTiles(tiles, rowTerm: index + 1, columnTerm: 0)
        }
        for (m, row) in products.trailingPairs.enumerated() {
            for (k, tiles) in row.enumerated() where k >= 1 { addTiles(tiles, rowTerm: m, columnTerm: k) }
        }

        func traceOfProduct(_ left: [Double], _ right: [Double]) -> Double {
            var sum = 0.0
            for i in 0..<(p * p) { sum += left[i] * right[(i % p) * p + i / p] }
            return sum
        }
        let gramsTimesInverse = grams.map { gram in
            (0..<(p * p)).map { index in
                let row = index / p, column = index % p
                return (0..<p).reduce(0.0) { $0 + inverse[row * p + $1] * gram[$1 * p + column] }
            }
        }
        var system = DenseMatrix(rowCount: unknowns, columnCount: unknowns)
        for c in 0..<columns {
            for d in 0..<columns {
                system[c, d] = squares[c * columns + d] - 2 * crossTerms[c * columns + d]
                    + traceOfProduct(gramsTimesInverse[c], gramsTimesInverse[d])
            }
            let trace = traces[c] - (0..<p).reduce(0.0) { $0 + gramsTimesInverse[c][$1 * p + $1] }
            system[c, columns] = trace
            system[columns, c] = trace
        }
        system[columns, columns] = Double(n - p)

        // ‖Z_cᵀ r‖² with Zᵀr = Zᵀy − ZᵀX β, and ‖r‖² = yᵀy − βᵀXᵀy.
        var right = [Double](repeating: 0, count: unknowns)
        for (k, cross) in products.xyZ.enumerated() {
            for column in 0..<cross.columnCount {
                var residual = cross[p, column]
                for j in 0..<p { residual -= beta[j] * cross[j, column] }
                right[offsets[k] + column % sizes[k]] += residual * residual
            }
        }
        var residualSquares = products.xyXy[p, p]
        for j in 0..<p { residualSquares -= beta[j] * products.xyXy[j, p] }
        right[columns] = residualSquares

        guard let solution = Self.solveSymmetric(system, right), solution[columns] > 0 else { return nil }
        let sigmaSquared = solution[columns]
        relativeDeviations = sizes.indices.map { k in
            (0..<sizes[k]).map { a in (max(solution[offsets[k] + a], 0) / sigmaSquared).squareRoot() }
        }
    }

    /// (XᵀWX)⁻¹, row-major p × p, from the leading block of [X y]ᵀW[X y]; `nil` if it is not
    /// positive definite.
    private static func inverseGram(_ xyXy: DenseMatrix) -> [Double]? {
        let p = xyXy.rowCount - 1
        var gram = DenseMatrix(rowCount: p, columnCount: p)
        for column in 0..<p {
            for row in 0..<p { gram[row, column] = xyXy[row, column] }
        }
        var inverse = [Double](repeating: 0, count: p * p)
        for column in 0..<p {
            var unit = [Double](repeating: 0, count: p)
            unit[column] = 1
            guard let solved = solveSymmetric(gram, unit) else { return nil }
            for row in 0..<p { inverse[row * p + column] = solved[row] }
        }
        return inverse
    }

    /// The solution of the symmetric positive definite system G x = b by Cholesky; `nil` when a
    /// pivot falls below 10⁻¹⁰ of its diagonal entry (singular to working precision).
    private static func solveSymmetric(_ matrix: DenseMatrix, _ right: [Double]) -> [Double]? {
        let m = matrix.rowCount
        var factor = matrix
        for column in 0..<m {
            var pivot = factor[column, column]
            for inner in 0..<column { pivot -= factor[column, inner] * factor[column, inner] }
            guard pivot > 1e-10 * matrix[column, column], pivot.isFinite else { return nil }
            let root = pivot.squareRoot()
            factor[column, column] = root
            for row in (column + 1)..<max(m, column + 1) {
                var value = factor[row, column]
                for inner in 0..<column { value -= factor[row, inner] * factor[column, inner] }
                factor[row, column] = value / root
            }
        }
        var x = right
        for row in 0..<m {
            var value = x[row]
            for column in 0..<row { value -= factor[row, column] * x[column] }
            x[row] = value / factor[row, row]
        }
        for row in stride(from: m - 1, through: 0, by: -1) {
            var value = x[row]
            for column in (row + 1)..<max(m, row + 1) { value -= factor[column, row] * x[column] }
            x[row] = value / factor[row, row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}

extension LinearMixedModel {
    /// θ from the moment estimates of ``MomentStart``, in the fit's coordinates (as
    /// ``initialTheta``): λ diagonal with entries σ_c / σ, each at least `radius` in the
    /// optimiser's units (an estimate of zero starts `radius` inside the bound, not on it), or
    /// `nil` when the estimates do not exist (the moment equations singular or σ² not positive).
    /// Where terms share random-effects columns through centring (``RandomEffectsTerm/columnCentres``)
    /// the estimates are of the centred columns, which are the ones the fit works with.
    /// - Complexity: O(nonzeros of A · p + q p²), about one evaluation of the deviance.
    public func momentStartTheta(radius: Double = OptimizerSettings.default.momentStartTrustRadius) -> [Double]? {
        let observations = design.weights.map { $0.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } } ?? design.observationCount
        guard let moments = MomentStart(crossProducts: crossProducts, observations: observations) else { return nil }
        var theta: [Double] = []
        for (k, parametrization) in parametrizations.enumerated() {
            let deviations = moments.relativeDeviations[k].enumerated().map { a, value in
                max(value, radius * columnScales[k][a])
            }
            theta += parametrization.diagonalValues(deviations)
        }
        return theta.allSatisfy(\.isFinite) ? theta : nil
    }
}
