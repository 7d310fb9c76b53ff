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
///
/// When y is far from its least-squares fit on X (yᵀWy more than ``shiftThreshold`` times the
/// residual sum of squares about it: a diameter + 10⁶), the y row holds y − X β₀ instead of y
/// (``responseShift`` = β₀, the weighted least-squares coefficients of y on X): the same model
/// with β shifted by β₀, so θ, σ and the likelihood are unchanged, while the residual sum of
/// squares is no longer lost to cancellation against yᵀWy in the last pivot of L. Otherwise
/// β₀ = 0 and the y row is y's, as before.
struct CrossProducts: Sendable {
    let diagonal: [BlockDiagonalMatrix]
    let firstColumn: [BlockSparseMatrix]
    let trailingPairs: [[BlockSparseMatrix]]
    let xyZ: [DenseMatrix]
    let xyXy: DenseMatrix
    /// β₀: the y row stands for y − X β₀ (p entries, zeros unless shifted; β̂ = β̂(y − Xβ₀) + β₀).
    let responseShift: [Double]
    /// yᵀWy of the response itself (not shifted): the rounding level below which the last pivot
    /// of L is noise (``BlockedCholeskyFactor``'s check for a response with no variation left).
    let responseSquares: Double

    /// Per fixed-effects column, the centre c_j subtracted from it in the X rows (x̃_j = x_j − c_j,
    /// the intercept absorbing the difference), or empty when no column is centred. A column far
    /// from zero relative to its spread (days + 10⁶; mean² above ``shiftThreshold`` times the
    /// variance) is centred when column 0 is an intercept: the model is the same (β̃ = T⁻¹β with
    /// a unit triangular T, so the REML determinant does not change), and L_XX no longer loses
    /// its digits to cancellation. ``BlockedCholeskyFactor`` maps the X rows of L back to the
    /// original columns after each factorisation, so nothing downstream sees the centring.
    let columnCentres: [Double]
    /// Per fixed-effects column, the column its centre multiplies: x̃_j = x_j − c_j x_{k_j} with
    /// k_j < j, 0 (the intercept) unless the column is an interaction of a variable far from zero
    /// with an indicator column (`age:SexFemale` with age + 10⁴), which is centred against that
    /// indicator (x̃_j = (x − c)·1{female}); empty when no column is centred.
    let centreSources: [Int]

    /// The centre of fixed-effects column `column` (0 when not centred).
    func centre(_ column: Int) -> Double { column < columnCentres.count ? columnCentres[column] : 0 }

    /// The column that column `column`'s centre multiplies (0, the intercept, unless said otherwise).
    func centreSource(_ column: Int) -> Int { column < centreSources.count ? centreSources[column] : 0 }

    /// The shift is used when yᵀWy exceeds the least-squares residual sum of squares by more than
    /// this factor (four digits of the residual sum would be lost to cancellation).
    static let shiftThreshold = 1e4

    /// - Complexity: O(n (p + 1 + Σ s_k)²), once per model.
    init(design: ModelDesign) {
        let terms = design.randomEffectsTerms
        let n = design.observationCount
        let fixed = design.fixedEffects
        let p = fixed.columnCount
        let weights = design.weights ?? [Double](repeating: 1, count: n)

        var diagonal = terms.map { BlockDiagonalMatrix(blockSize: $0.columnCount, blockCount: $0.levelCount) }
        var firstColumn: [BlockSparseMatrix] = []
        var firstColumnTiles: [[Int32]] = []
        if let first = terms.first {
            for term in terms.dropFirst() {
                let built = BlockSparseMatrix.fromObservations(
                    tileRows: term.columnCount, tileColumns: first.columnCount, tileRowCount: term.levelCount,
                    tileColumnCount: first.levelCount, rowLevels: term.levelIndices, columnLevels: first.levelIndices)
                firstColumn.append(built.matrix)
                firstColumnTiles.append(built.observationTiles)
            }
        }
        var pairTiles: [[[Int32]]] = terms.indices.map { i in [[Int32]](repeating: [], count: i) }
        var trailingPairs: [[BlockSparseMatrix]] = terms.indices.map { i in
            (0..<i).map { k in
                guard k > 0 else {
                    return BlockSparseMatrix(tileRows: 0, tileColumns: 0, tileRowCount: 0, tileColumnCount: 0,
                                             rowLevels: [], columnLevels: [])
                }
                let built = BlockSparseMatrix.fromObservations(
                    tileRows: terms[i].columnCount, tileColumns: terms[k].columnCount, tileRowCount: terms[i].levelCount,
                    tileColumnCount: terms[k].levelCount, rowLevels: terms[i].levelIndices,
                    columnLevels: terms[k].levelIndices)
                pairTiles[i][k] = built.observationTiles
                return built.matrix
            }
        }
        var xyZ = terms.map { DenseMatrix(rowCount: p + 1, columnCount: $0.randomEffectCount) }
        var xyXy = DenseMatrix(rowCount: p + 1, columnCount: p + 1)

        let (centres, sources) = Self.columnCentring(design: design)
        // One pass over the rows per block, through raw buffers: a loop over the rows that visits
        // every term would copy each term's description (and its reference counts) per row.
        // Every entry still sums its rows in ascending order, so the values do not depend on how
        // the loops are arranged. The y column is y − offset where the formula has an offset;
        // centred X columns (rare: see ``columnCentres``) are copied once.
        let response = design.responseLessOffset
        let centredX: [Double]? = centres.isEmpty ? nil : (0..<(p * n)).map { index in
            let column = index / max(n, 1)
            return fixed.values[index] - centres[column] * fixed.values[sources[column] * n + index % max(n, 1)]
        }
        (centredX ?? fixed.values).withUnsafeBufferPointer { x in
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
            Self.accumulateTiles(into: &firstColumn[k - 1], tiles: firstColumnTiles[k - 1], rowTerm: term,
                                 columnTerm: terms[0], weights: weights, n: n)
            for j in 1..<k {
                Self.accumulateTiles(into: &trailingPairs[k][j], tiles: pairTiles[k][j], rowTerm: term, columnTerm: terms[j],
                                     weights: weights, n: n)
            }
        }
        for column in 0...p {
            for row in 0..<column { xyXy[row, column] = xyXy[column, row] }
        }
        let unshifted = CrossProducts(diagonal: diagonal, firstColumn: firstColumn, trailingPairs: trailingPairs,
                                      xyZ: xyZ, xyXy: xyXy, responseShift: [Double](repeating: 0, count: p),
                                      responseSquares: xyXy[p, p], columnCentres: centres, centreSources: sources)
        guard p > 0, let shift = Self.leastSquaresShift(xyXy: xyXy, design: design, centres: centres,
                                                        sources: sources) else {
            self = unshifted
            return
        }
        self = unshifted.withResponseShift(shift, design: design)
    }

    /// β₀ solving XᵀWX β₀ = XᵀWy, refined twice against residuals computed from the data
    /// (XᵀWy is itself inexact when y is far from zero); `nil` when XᵀWX is not positive definite
    /// or when yᵀWy is within ``shiftThreshold`` of the residual sum of squares (no shift needed).
    /// - Complexity: O(p³ + n p).
    /// With centred columns the solve is in the centred basis and β₀ is returned in the original one.
    private static func leastSquaresShift(xyXy: DenseMatrix, design: ModelDesign, centres: [Double],
                                          sources: [Int]) -> [Double]? {
        let p = xyXy.rowCount - 1
        var gram = DenseMatrix(rowCount: p, columnCount: p)
        for column in 0..<p {
            for row in column..<p { gram[row, column] = xyXy[row, column] }
        }
        guard DenseKernels.cholesky(&gram, threads: 1) else { return nil }
        func solve(_ right: [Double]) -> [Double] {
            var x = right
            for row in 0..<p {
                var value = x[row]
                for column in 0..<row { value -= gram[row, column] * x[column] }
                x[row] = value / gram[row, row]
            }
            for row in stride(from: p - 1, through: 0, by: -1) {
                var value = x[row]
                for column in (row + 1)..<max(p, row + 1) { value -= gram[column, row] * x[column] }
                x[row] = value / gram[row, row]
            }
            return x
        }
        var shift = solve((0..<p).map { xyXy[p, $0] })
        let n = design.observationCount
        let fixed = design.fixedEffects
        // β₀ = T β̃₀: the column a centre multiplies (the intercept, or an indicator) takes
        // −Σ c_j β̃₀_j.
        func original(_ centred: [Double]) -> [Double] {
            guard !centres.isEmpty else { return centred }
            var result = centred
            for column in 1..<max(p, 1) { result[sources[column]] -= centres[column] * centred[column] }
            return result
        }
        for round in 0..<2 {
            let unweighted = shiftedResponse(design: design, shift: original(shift))
            var residual = unweighted
            if let weights = design.weights {
                for observation in 0..<n { residual[observation] *= weights[observation] }
            }
            if round == 0 {
                var squares = 0.0
                for observation in 0..<n { squares += residual[observation] * unweighted[observation] }
                guard xyXy[p, p] > shiftThreshold * squares else { return nil }
            }
            var gradient = [Double](repeating: 0, count: p)
            fixed.values.withUnsafeBufferPointer { x in
                for column in 0..<p {
                    let c = centres.isEmpty ? 0 : centres[column]
                    let source = (sources.isEmpty ? 0 : sources[column]) * n
                    var sum = 0.0
                    for observation in 0..<n {
                        sum += (x[column * n + observation] - c * x[source + observation]) * residual[observation]
                    }
                    gradient[column] = sum
                }
            }
            let correction = solve(gradient)
            guard correction.allSatisfy(\.isFinite) else { return nil }
            for column in 0..<p { shift[column] += correction[column] }
        }
        let result = original(shift)
        return result.allSatisfy(\.isFinite) ? result : nil
    }

    /// The centres of the fixed-effects columns far from zero relative to their spread and the
    /// columns they multiply (see ``columnCentres`` and ``centreSources``), when column 0 is an
    /// intercept (all ones); empty otherwise. A column is centred against the intercept when its
    /// mean² exceeds ``shiftThreshold`` times its variance; otherwise, when it is zero wherever an
    /// earlier indicator column (only 0s and 1s) is zero and its values on that indicator's rows
    /// pass the same test, against that indicator.
    /// - Complexity: O(n p), plus O(n) per indicator column tried for a column whose nonzero
    ///   values are far from zero (rare).
    static func columnCentring(design: ModelDesign) -> (centres: [Double], sources: [Int]) {
        let fixed = design.fixedEffects
        let n = design.observationCount
        let p = fixed.columnCount
        guard p > 1, n > 0 else { return ([], []) }
        let weights = design.weights
        var centres = [Double](repeating: 0, count: p)
        var sources = [Int](repeating: 0, count: p)
        var any = false
        fixed.values.withUnsafeBufferPointer { x in
            guard (0..<n).allSatisfy({ x[$0] == 1 }) else { return }
            /// The weighted mean and variance of column j over the rows where `on` holds.
            func moments(_ column: Int, where on: (Int) -> Bool) -> (mean: Double, variance: Double)? {
                var total = 0.0
                var sum = 0.0
                for observation in 0..<n where on(observation) {
                    let weight = weights?[observation] ?? 1
                    total += weight
                    sum += weight * x[column * n + observation]
                }
                guard total > 0 else { return nil }
                let mean = sum / total
                var squares = 0.0
                for observation in 0..<n where on(observation) {
                    let deviation = x[column * n + observation] - mean
                    squares += (weights?[observation] ?? 1) * deviation * deviation
                }
                return (mean, squares / total)
            }
            func farFromZero(_ m: (mean: Double, variance: Double)?) -> Bool {
                guard let m else { return false }
                return m.mean.isFinite && m.variance.isFinite && m.mean * m.mean > shiftThreshold * m.variance
            }
            lazy var indicators = (1..<p).filter { column in
                var ones = 0
                for observation in 0..<n {
                    let value = x[column * n + observation]
                    if value == 1 { ones += 1 } else if value != 0 { return false }
                }
                return ones > 0 && ones < n
            }
            for column in 1..<p {
                if let whole = moments(column, where: { _ in true }), farFromZero(whole) {
                    centres[column] = whole.mean
                    any = true
                    continue
                }
                // An interaction with an indicator: far from zero on its own nonzero rows.
                guard farFromZero(moments(column, where: { x[column * n + $0] != 0 })) else { continue }
                for indicator in indicators where indicator < column {
                    let onIndicator: (Int) -> Bool = { x[indicator * n + $0] == 1 }
                    guard (0..<n).allSatisfy({ onIndicator($0) || x[column * n + $0] == 0 }),
                          let m = moments(column, where: onIndicator), farFromZero(m) else { continue }
                    centres[column] = m.mean
                    sources[column] = indicator
                    any = true
                    break
                }
            }
        }
        return any ? (centres, sources) : ([], [])
    }

    /// The same cross products in the original columns (no centring): the X rows of xyZ and the
    /// X rows and columns of xyXy taken back by x_j = x̃_j + c_j·1 (with the cancellation that
    /// centring avoids; for the fixed-effect profiles, which drop a column of X).
    func uncentred() -> CrossProducts {
        guard !columnCentres.isEmpty else { return self }
        let p = fixedCount
        // Rows (then columns) in increasing order, so that the row a centre multiplies is already
        // in the original basis: x_j = x̃_j + c_j x_{k_j}, k_j < j.
        let newXyZ = xyZ.map { block -> DenseMatrix in
            var result = block
            for index in 0..<block.columnCount {
                for row in 1..<max(p, 1) where columnCentres[row] != 0 {
                    result[row, index] = block[row, index] + columnCentres[row] * result[centreSource(row), index]
                }
            }
            return result
        }
        var rows = xyXy
        for row in 1..<max(p, 1) where columnCentres[row] != 0 {
            for column in 0...p { rows[row, column] = xyXy[row, column] + columnCentres[row] * rows[centreSource(row), column] }
        }
        var full = rows
        for column in 1..<max(p, 1) where columnCentres[column] != 0 {
            for row in 0...p { full[row, column] = rows[row, column] + columnCentres[column] * full[row, centreSource(column)] }
        }
        return CrossProducts(diagonal: diagonal, firstColumn: firstColumn, trailingPairs: trailingPairs, xyZ: newXyZ,
                             xyXy: full, responseShift: responseShift, responseSquares: responseSquares)
    }

    /// y − offset − X β₀ (or `response` − offset − X β₀), per observation, computed from the data.
    private static func shiftedResponse(design: ModelDesign, shift: [Double], response: [Double]? = nil) -> [Double] {
        let n = design.observationCount
        let fixed = design.fixedEffects
        var values = response ?? design.response
        if let offset = design.offset {
            for observation in 0..<n { values[observation] -= offset[observation] }
        }
        fixed.values.withUnsafeBufferPointer { x in
            for column in shift.indices where shift[column] != 0 {
                let coefficient = shift[column]
                for observation in 0..<n { values[observation] -= x[column * n + observation] * coefficient }
            }
        }
        return values
    }

    /// The same cross products with the y row recomputed for y − X `shift`.
    private func withResponseShift(_ shift: [Double], design: ModelDesign) -> CrossProducts {
        CrossProducts(diagonal: diagonal, firstColumn: firstColumn, trailingPairs: trailingPairs, xyZ: xyZ,
                      xyXy: xyXy, responseShift: shift, responseSquares: responseSquares, columnCentres: columnCentres,
                      centreSources: centreSources)
            .replacingResponse(design.response, design: design)
    }
}

// MARK: - The passes over the observations

extension CrossProducts {
    /// [X y]ᵀ W [X y], lower triangle.
    private static func accumulateXyXy(
        into xyXy: inout DenseMatrix, columns: [UnsafeBufferPointer<Double>], weights: [Double], n: Int
    ) {
        let size = columns.count
        if size == 3 {
            // [x₀ x₁ y] (two fixed-effects columns) in one pass: the six sums in registers, each
            // still over the rows in ascending order.
            let c0 = columns[0], c1 = columns[1], c2 = columns[2]
            var s00 = xyXy[0, 0], s10 = xyXy[1, 0], s20 = xyXy[2, 0]
            var s11 = xyXy[1, 1], s21 = xyXy[2, 1], s22 = xyXy[2, 2]
            weights.withUnsafeBufferPointer { w in
                for row in 0..<min(n, w.count, c0.count, c1.count, c2.count) {
                    let x0 = c0[row], x1 = c1[row], x2 = c2[row], weight = w[row]
                    s00 += weight * x0 * x0
                    s10 += weight * x1 * x0
                    s20 += weight * x2 * x0
                    s11 += weight * x1 * x1
                    s21 += weight * x2 * x1
                    s22 += weight * x2 * x2
                }
            }
            xyXy[0, 0] = s00; xyXy[1, 0] = s10; xyXy[2, 0] = s20
            xyXy[1, 1] = s11; xyXy[2, 1] = s21; xyXy[2, 2] = s22
            return
        }
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
            term.workingZ.withUnsafeBufferPointer { z in
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
            term.workingZ.withUnsafeBufferPointer { z in
                term.levelIndices.withUnsafeBufferPointer { levels in
                    weights.withUnsafeBufferPointer { w in
                        // One pass over the rows for all [X y] columns: each entry still sums its
                        // rows in ascending order.
                        for row in 0..<n {
                            let level = Int(levels[row])
                            for b in 0..<s {
                                let zb = w[row] * z[row * s + b]
                                let base = (level * s + b) * rows
                                for c in 0..<rows { target[base + c] += xyColumns[c][row] * zb }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The tiles of Z_rowᵀ W Z_column for two different terms, given each observation's tile
    /// (``BlockSparseMatrix/fromObservations(tileRows:tileColumns:tileRowCount:tileColumnCount:rowLevels:columnLevels:)``):
    /// the products are added through raw buffers, in the order of the observations.
    private static func accumulateTiles(
        into block: inout BlockSparseMatrix, tiles: [Int32], rowTerm: RandomEffectsTerm, columnTerm: RandomEffectsTerm,
        weights: [Double], n: Int
    ) {
        guard tiles.count == n else { return }
        let s = rowTerm.columnCount
        let sj = columnTerm.columnCount
        block.values.withUnsafeMutableBufferPointer { values in
            rowTerm.workingZ.withUnsafeBufferPointer { zRow in
                columnTerm.workingZ.withUnsafeBufferPointer { zColumn in
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
         xyZ: [DenseMatrix], xyXy: DenseMatrix, responseShift: [Double], responseSquares: Double,
         columnCentres: [Double] = [], centreSources: [Int] = []) {
        self.diagonal = diagonal
        self.firstColumn = firstColumn
        self.trailingPairs = trailingPairs
        self.xyZ = xyZ
        self.xyXy = xyXy
        self.responseShift = responseShift
        self.responseSquares = responseSquares
        self.columnCentres = columnCentres
        self.centreSources = columnCentres.isEmpty ? [] : (centreSources.isEmpty ? [Int](repeating: 0, count: columnCentres.count) : centreSources)
    }

    /// p, the number of fixed-effects columns.
    var fixedCount: Int { xyXy.rowCount - 1 }

    /// The cross products of the model in which fixed-effects column `column` becomes an offset
    /// with coefficient `value`: X without that column and response y − value·x_column.
    /// Only the [X y] rows change, and they follow from A itself (Zᵀ(y − c x) = Zᵀy − c Zᵀx, …);
    /// with the y row standing for y − Xβ₀, the offset's coefficient there is c − β₀[column].
    /// - Complexity: O(p Σ ℓ_k s_k + p²); no pass over the observations.
    func fixingFixedEffect(column: Int, at fixedValue: Double) -> CrossProducts {
        guard columnCentres.isEmpty else { return uncentred().fixingFixedEffect(column: column, at: fixedValue) }
        let p = fixedCount
        let value = fixedValue - responseShift[column]
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
        let shifted = responseShift.contains { $0 != 0 }
        return CrossProducts(diagonal: diagonal, firstColumn: firstColumn, trailingPairs: trailingPairs, xyZ: newXyZ,
                             xyXy: newXyXy, responseShift: kept.map { responseShift[$0] },
                             responseSquares: shifted ? responseSquares : newXyXy[kept.count, kept.count])
    }

    /// The cross products for the same design with response `y` (same rows, weights, X, Z and
    /// offset): only the y row — Zᵀ W y, Xᵀ W y and yᵀ W y, for y − offset − X ``responseShift``
    /// — is recomputed; the Z and X blocks are shared.
    /// - Precondition: `y.count == design.observationCount` (checked by the callers).
    /// - Complexity: O(n (Σ s_k + p)).
    func replacingResponse(_ response: [Double], design: ModelDesign) -> CrossProducts {
        let n = design.observationCount
        let fixed = design.fixedEffects
        let p = fixed.columnCount
        let y = Self.shiftedResponse(design: design, shift: responseShift, response: response)
        var weighted = y
        if let weights = design.weights {
            for row in 0..<n { weighted[row] *= weights[row] }
        }
        var newXyZ = xyZ
        for (k, term) in design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            var row = [Double](repeating: 0, count: term.randomEffectCount)
            term.workingZ.withUnsafeBufferPointer { z in
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
                let c = centre(column)
                let source = centreSource(column) * n
                for observation in 0..<n { sum += (x[start + observation] - c * x[source + observation]) * weighted[observation] }
                newXyXy[p, column] = sum
                newXyXy[column, p] = sum
            }
        }
        var squares = 0.0
        for observation in 0..<n { squares += weighted[observation] * y[observation] }
        newXyXy[p, p] = squares
        var responseSquares = squares
        if responseShift.contains(where: { $0 != 0 }) {
            responseSquares = 0
            let weights = design.weights
            let offset = design.offset
            for observation in 0..<n {
                let value = response[observation] - (offset?[observation] ?? 0)
                responseSquares += (weights?[observation] ?? 1) * value * value
            }
        }
        return CrossProducts(diagonal: diagonal, firstColumn: firstColumn, trailingPairs: trailingPairs, xyZ: newXyZ,
                             xyXy: newXyXy, responseShift: responseShift, responseSquares: responseSquares,
                             columnCentres: columnCentres, centreSources: centreSources)
    }
}
