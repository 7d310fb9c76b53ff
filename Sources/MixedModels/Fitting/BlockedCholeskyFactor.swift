import Foundation

/// The blocked lower Cholesky factor L of
///
///     [ Λᵀ Zᵀ W Z Λ + I   Λᵀ Zᵀ W X   Λᵀ Zᵀ W y ]
///     [ Xᵀ W Z Λ          Xᵀ W X      Xᵀ W y    ]
///     [ yᵀ W Z Λ          yᵀ W X      yᵀ W y    ]
///
/// refreshed in place for each θ from the cross products A (Bates et al. 2015, eq. 18;
/// MixedModels.jl's `updateL!`). Storage per block follows its structure: the first term's
/// diagonal block is block diagonal (no fill-in), its column below is sparse with dense tiles,
/// and later blocks are dense (where fill-in appears) or, for nearly nested designs, one
/// supernodal sparse factor (``SparseTrailingFactor``, chosen by ``FactorPlan``). No work
/// proportional to n happens here.
///
/// The kernels below update a block in place with the idiom
///
///     var block = first; first = <empty placeholder>; defer { first = block }
///
/// which moves the block's storage out of `self` for the duration of the update. Without it,
/// `block` and `self.first` would share one array buffer, and the first write would copy the
/// whole block (copy-on-write) on every evaluation; with it the buffer is uniquely referenced,
/// written in place, and moved back when the function returns.
struct BlockedCholeskyFactor: Sendable {
    let parametrizations: [CovarianceParametrization]
    /// The offset of each term's parameters in θ.
    let thetaOffsets: [Int]
    /// p, the number of fixed-effects columns.
    let fixedCount: Int
    /// λ_k, column-major s_k × s_k.
    private(set) var lambdas: [[Double]]
    /// L₀₀ (block diagonal).
    private(set) var first: BlockDiagonalMatrix
    /// L_i0 for i ≥ 1 (sparse tiles), at index i − 1.
    private(set) var firstColumn: [BlockSparseMatrix]
    /// L_kk for k ≥ 1 (dense; index 0 is unused and empty).
    private(set) var diagonal: [DenseMatrix]
    /// L_ik for 1 ≤ k < i (dense; `dense[i][k]`).
    private(set) var dense: [[DenseMatrix]]
    /// L_{Xy,k}: (p + 1) × ℓ_k s_k.
    private(set) var xyZ: [DenseMatrix]
    /// L_{Xy,Xy}: (p + 1) × (p + 1); its last diagonal entry is the penalised residual norm r.
    private(set) var xyXy: DenseMatrix
    /// The later terms' part of L when it is sparse (then ``diagonal`` and ``dense`` are empty).
    private(set) var sparseTrailing: SparseTrailingFactor?
    /// β₀ of the cross products: the y row of L is that of y − Xβ₀ (``CrossProducts/responseShift``).
    let responseShift: [Double]
    /// The centres of the cross products' X columns (``CrossProducts/columnCentres``): L is
    /// factored in the centred basis and its X rows are mapped back after each update.
    let columnCentres: [Double]
    /// The columns the centres multiply (``CrossProducts/centreSources``).
    let centreSources: [Int]
    private var scratch: [Double]
    /// The first term's part of the [X y] rows through the grouped sums, when the sparse
    /// trailing factor takes its downdate grouped (``GroupedDowndate``).
    private let groupedRows: GroupedFixedRows?
    /// w_g of the grouped sums at the current θ (one per group).
    private var groupWeights: [Double]
    /// Σ log of L₀₀'s diagonal from the grouped sums, after an update for the objective only
    /// (L₀₀, L_T0 and L_{Xy,0} were then not formed); `nil` after a complete update.
    private(set) var firstLogDiagonalSum: Double?
    /// Whether every block of L is up to date (the last update was complete and succeeded).
    private(set) var isComplete = false

    /// - Parameter groupedRows: the grouped [X y] sums of `a`, when already formed (they are
    ///   formed here otherwise, if the sparse factor takes its downdate grouped).
    init(crossProducts a: CrossProducts, parametrizations: [CovarianceParametrization], fixedCount: Int,
         sparseTrailing: SparseTrailingFactor? = nil, groupedRows: GroupedFixedRows? = nil) {
        self.parametrizations = parametrizations
        var offsets: [Int] = []
        var offset = 0
        for parametrization in parametrizations {
            offsets.append(offset)
            offset += parametrization.parameterCount
        }
        self.thetaOffsets = offsets
        self.fixedCount = fixedCount
        self.lambdas = parametrizations.map { [Double](repeating: 0, count: $0.size * $0.size) }
        self.first = a.diagonal.first ?? BlockDiagonalMatrix(blockSize: 0, blockCount: 0)
        self.firstColumn = a.firstColumn
        self.sparseTrailing = sparseTrailing
        let isSparse = sparseTrailing != nil
        self.diagonal = a.diagonal.enumerated().map { k, block in
            k == 0 || isSparse ? DenseMatrix(rowCount: 0, columnCount: 0)
                               : DenseMatrix(rowCount: block.dimension, columnCount: block.dimension)
        }
        self.dense = a.trailingPairs.map { row in
            row.map { pair in
                isSparse || pair.tileRowCount == 0 ? DenseMatrix(rowCount: 0, columnCount: 0)
                    : DenseMatrix(rowCount: pair.tileRowCount * pair.tileRows, columnCount: pair.tileColumnCount * pair.tileColumns)
            }
        }
        self.xyZ = a.xyZ
        self.xyXy = a.xyXy
        self.responseShift = a.responseShift
        self.columnCentres = a.columnCentres
        self.centreSources = a.centreSources
        let largest = parametrizations.map(\.size).max() ?? 1
        self.scratch = [Double](repeating: 0, count: max(largest * largest, 1) * 2)
        // The grouped sums assume the cross products' Z and weights are those the plan was
        // made from (a derived set of cross products changes only the response or X).
        if let grouping = sparseTrailing?.grouped, a.diagonal.first?.values.count == grouping.groupOfLevel.count {
            self.groupedRows = groupedRows ?? GroupedFixedRows(grouping: grouping, crossProducts: a)
            self.groupWeights = [Double](repeating: 0, count: grouping.groupValues.count)
        } else {
            self.groupedRows = nil
            self.groupWeights = []
        }
    }

    /// The number of random-effects terms.
    var termCount: Int { parametrizations.count }

    /// The total number of covariance parameters.
    var parameterCount: Int { parametrizations.reduce(0) { $0 + $1.parameterCount } }

    /// Refactors L for `theta`. Returns `false` when a block is not positive definite (which
    /// the caller must turn into an infinite objective, never NaN).
    /// - Parameter objectiveOnly: with the grouped sums (``GroupedDowndate``), form only what
    ///   the objective reads: L_TT, the [X y] rows of the later terms and L_{Xy,Xy}, with L₀₀'s
    ///   log-determinant from the groups. L₀₀, L_T0 and L_{Xy,0} are left stale and the X rows
    ///   in the centred basis (``isComplete`` is `false`). Without the grouped sums the update
    ///   is complete either way.
    mutating func update(theta: [Double], crossProducts a: CrossProducts, objectiveOnly: Bool = false) -> Bool {
        isComplete = false
        firstLogDiagonalSum = nil
        for k in 0..<termCount {
            let start = thetaOffsets[k]
            let slice = theta[start..<(start + parametrizations[k].parameterCount)]
            parametrizations[k].fillLambda(slice, into: &lambdas[k])
        }
        if objectiveOnly, groupedRows != nil, let grouping = sparseTrailing?.grouped {
            guard let logSum = grouping.firstLogDiagonalSum(firstLambda: lambdas[0][0]) else { return false }
            guard updateSparseTrailing(a) && factorXy(a) else { return false }
            firstLogDiagonalSum = logSum
            return true
        }
        guard completeUpdate(a) else { return false }
        isComplete = true
        return true
    }

    private mutating func completeUpdate(_ a: CrossProducts) -> Bool {
        if termCount > 0 {
            guard factorFirstTerm(a) else { return false }
            for i in 1..<termCount { updateFirstColumn(i, a) }
            updateXyFirst(a)
            if sparseTrailing != nil {
                guard updateSparseTrailing(a) && factorXy(a) else { return false }
                uncentreFixedRows()
                return true
            }
            for k in 1..<termCount {
                guard factorDiagonal(k, a) else { return false }
                for i in (k + 1)..<max(termCount, k + 1) { updateDense(i, k, a) }
                updateXyColumn(k, a)
            }
        }
        guard factorXy(a) else { return false }
        uncentreFixedRows()
        return true
    }

    /// With centred X columns (x̃_j = x_j − c_j x_{k_j}, k_j < j: column 0 the intercept, or an
    /// indicator column for an interaction), the factor of the original columns is D⁻ᵀL̃: row j
    /// of the X rows gains c_j times row k_j, taken in increasing j so that row k_j is already
    /// in the original basis (in the Z columns and in X columns 0…k_j, the nonzeros of row k_j of
    /// L_XX). Its diagonal, and so the objective, is unchanged. O(p Σ ℓ_k s_k), and only for
    /// models with a centred column.
    private mutating func uncentreFixedRows() {
        guard !columnCentres.isEmpty else { return }
        let p = fixedCount
        for k in 0..<xyZ.count {
            var block = xyZ[k]
            xyZ[k] = DenseMatrix(rowCount: 0, columnCount: 0)
            for row in 1..<max(p, 1) where columnCentres[row] != 0 {
                let c = columnCentres[row]
                let source = centreSources[row]
                for index in 0..<block.columnCount { block[row, index] += c * block[source, index] }
            }
            xyZ[k] = block
        }
        for row in 1..<max(p, 1) where columnCentres[row] != 0 {
            let source = centreSources[row]
            for column in 0...source { xyXy[row, column] += columnCentres[row] * xyXy[source, column] }
        }
    }

    // MARK: - The first term

    private mutating func factorFirstTerm(_ a: CrossProducts) -> Bool {
        let size = first.blockSize
        let lambda = lambdas[0]
        var block = first
        first = BlockDiagonalMatrix(blockSize: 0, blockCount: 0)
        defer { first = block }
        if size == 1 {
            // Scalar term: L₀₀ = sqrt(λ² A₀₀ + 1), read straight from A.
            let squared = lambda[0] * lambda[0]
            return block.values.withUnsafeMutableBufferPointer { values -> Bool in
                a.diagonal[0].values.withUnsafeBufferPointer { source -> Bool in
                    for level in 0..<min(values.count, source.count) {
                        let pivot = squared * source[level] + 1
                        guard pivot > 0, pivot.isFinite else { return false }
                        values[level] = pivot.squareRoot()
                    }
                    return true
                }
            }
        }
        copyContents(of: a.diagonal[0].values, into: &block.values)
        return block.values.withUnsafeMutableBufferPointer { values -> Bool in
            lambda.withUnsafeBufferPointer { l -> Bool in
                scratch.withUnsafeMutableBufferPointer { s -> Bool in
                    guard let v = values.baseAddress, let lp = l.baseAddress, let sp = s.baseAddress else { return true }
                    for level in 0..<block.blockCount {
                        let tile = v + level * size * size
                        TileKernels.scale(tile, rows: size, columns: size, left: lp, right: lp, scratch: sp)
                        for index in 0..<size { tile[index * size + index] += 1 }
                        if !TileKernels.cholesky(tile, size: size) { return false }
                    }
                    return true
                }
            }
        }
    }

    private mutating func updateFirstColumn(_ i: Int, _ a: CrossProducts) {
        var block = firstColumn[i - 1]
        firstColumn[i - 1] = a.firstColumn[i - 1]
        defer { firstColumn[i - 1] = block }
        let rows = block.tileRows
        let columns = block.tileColumns
        let leftLambda = lambdas[i]
        let rightLambda = lambdas[0]
        let factor = first
        if rows == 1 && columns == 1 {
            // Scalar tiles: L_i0[r, c] = λ_i λ₀ A_i0[r, c] / L₀₀[c], read straight from A.
            let scale = leftLambda[0] * rightLambda[0]
            block.values.withUnsafeMutableBufferPointer { values in
                a.firstColumn[i - 1].values.withUnsafeBufferPointer { source in
                    factor.values.withUnsafeBufferPointer { pivots in
                        block.columnStarts.withUnsafeBufferPointer { starts in
                            for column in 0..<min(block.tileColumnCount, pivots.count) {
                                let multiplier = scale / pivots[column]
                                for tile in starts[column]..<starts[column + 1] { values[tile] = source[tile] * multiplier }
                            }
                        }
                    }
                }
            }
            return
        }
        if rows == 1 {
            // Row tiles (a scalar later term): t ← λ_i t λ₀ L₀₀⁻ᵀ = t R with one c×c matrix R per
            // first-term level, read straight from A.
            Self.updateRowTiles(&block, source: a.firstColumn[i - 1], lambda: leftLambda[0], firstLambda: rightLambda,
                                firstFactor: factor)
            return
        }
        copyContents(of: a.firstColumn[i - 1].values, into: &block.values)
        block.values.withUnsafeMutableBufferPointer { values in
            leftLambda.withUnsafeBufferPointer { left in
                rightLambda.withUnsafeBufferPointer { right in
                    factor.values.withUnsafeBufferPointer { f in
                        scratch.withUnsafeMutableBufferPointer { s in
                            guard let v = values.baseAddress, let lp = left.baseAddress, let rp = right.baseAddress,
                                  let fp = f.baseAddress, let sp = s.baseAddress else { return }
                            for column in 0..<block.tileColumnCount {
                                let factorTile = fp + column * columns * columns
                                for tileIndex in block.columnStarts[column]..<block.columnStarts[column + 1] {
                                    let tile = v + tileIndex * rows * columns
                                    TileKernels.scale(tile, rows: rows, columns: columns, left: lp, right: rp, scratch: sp)
                                    TileKernels.solveRightLowerTranspose(tile, rows: rows, columns: columns, factor: factorTile)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// L_i0 for 1×c tiles: each tile row t of A_i0 in first-term column (level) m becomes
    /// t R_m with R_m = λ_i λ₀ L₀₀[m]⁻ᵀ (c × c), formed once per level.
    /// - Parameters:
    ///   - general: use the general loop for every c (for tests of the 1 × 2 kernel).
    ///   - tileThreshold: the tiles from which the 1 × 2 kernel splits across the cores.
    static func updateRowTiles(_ block: inout BlockSparseMatrix, source: BlockSparseMatrix, lambda: Double,
                               firstLambda: [Double], firstFactor: BlockDiagonalMatrix, general: Bool = false,
                               tileThreshold: Int = parallelTileThreshold) {
        let c = block.tileColumns
        guard c > 0 else { return }
        if c == 2 && !general && firstLambda.count == 4 && firstFactor.values.count >= 4 * block.tileColumnCount {
            updatePairRowTiles(&block, source: source, lambda: lambda, firstLambda: firstLambda, firstFactor: firstFactor,
                               tileThreshold: tileThreshold)
            return
        }
        var inverse = [Double](repeating: 0, count: c * c)
        var transform = [Double](repeating: 0, count: c * c)
        var row = [Double](repeating: 0, count: c)
        block.values.withUnsafeMutableBufferPointer { values in
            source.values.withUnsafeBufferPointer { origin in
                firstFactor.values.withUnsafeBufferPointer { factors in
                    block.columnStarts.withUnsafeBufferPointer { starts in
                        for level in 0..<block.tileColumnCount {
                            let l = level * c * c
                            // inverse = L⁻¹ (lower, column-major), by forward substitution.
                            for column in 0..<c {
                                for r in 0..<c {
                                    guard r >= column else {
                                        inverse[column * c + r] = 0
                                        continue
                                    }
                                    var value = r == column ? 1.0 : 0.0
                                    for m in column..<r { value -= factors[l + m * c + r] * inverse[column * c + m] }
                                    inverse[column * c + r] = value / factors[l + r * c + r]
                                }
                            }
                            // transform = λ_i λ₀ L⁻ᵀ: entry (m, b) = λ_i Σ_j λ₀[m, j] L⁻¹[b, j].
                            for b in 0..<c {
                                for m in 0..<c {
                                    var sum = 0.0
                                    for j in 0...min(m, b) { sum += firstLambda[j * c + m] * inverse[j * c + b] }
                                    transform[b * c + m] = lambda * sum
                                }
                            }
                            for tile in starts[level]..<starts[level + 1] {
                                let base = tile * c
                                for m in 0..<c { row[m] = origin[base + m] }
                                for b in 0..<c {
                                    var sum = 0.0
                                    for m in 0..<c { sum += row[m] * transform[b * c + m] }
                                    values[base + b] = sum
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// ``updateRowTiles(_:source:lambda:firstLambda:firstFactor:)`` for 1 × 2 tiles (a scalar
    /// later term after a first term with two columns, e.g. `(1 + x | g1) + (1 | g2)`), with the
    /// 2 × 2 algebra written out in the same order of operations (the result is bit-for-bit the
    /// general loop's), and the first-term levels split across the cores when there are many
    /// tiles: each level's tiles are written by one thread, so the split does not change them.
    private static func updatePairRowTiles(_ block: inout BlockSparseMatrix, source: BlockSparseMatrix, lambda: Double,
                                           firstLambda: [Double], firstFactor: BlockDiagonalMatrix, tileThreshold: Int) {
        let levelCount = block.tileColumnCount
        let lambda00 = firstLambda[0], lambda10 = firstLambda[1], lambda11 = firstLambda[3]
        block.values.withUnsafeMutableBufferPointer { values in
            source.values.withUnsafeBufferPointer { origin in
                firstFactor.values.withUnsafeBufferPointer { factors in
                    block.columnStarts.withUnsafeBufferPointer { starts in
                        guard let out = values.baseAddress, let input = origin.baseAddress,
                              let factor = factors.baseAddress, let start = starts.baseAddress else { return }
                        let view = PairRowTiles(values: out, origin: input, factors: factor, starts: start)
                        let run: @Sendable (Range<Int>) -> Void = { levels in
                            for level in levels {
                                let f = view.factors + 4 * level
                                // L⁻¹ of L = [f0 0; f1 f3] (column-major), as the general loop forms it.
                                let inverse00 = 1 / f[0]
                                let inverse10 = (0 - f[1] * inverse00) / f[3]
                                let inverse11 = 1 / f[3]
                                // transform = λ_i λ₀ L⁻ᵀ, entries (m, b) column-major.
                                let t0 = lambda * (lambda00 * inverse00)
                                let t1 = lambda * (lambda10 * inverse00)
                                let t2 = lambda * (lambda00 * inverse10)
                                let t3 = lambda * (lambda10 * inverse10 + lambda11 * inverse11)
                                for tile in view.starts[level]..<view.starts[level + 1] {
                                    let o0 = view.origin[2 * tile]
                                    let o1 = view.origin[2 * tile + 1]
                                    view.values[2 * tile] = o0 * t0 + o1 * t1
                                    view.values[2 * tile + 1] = o0 * t2 + o1 * t3
                                }
                            }
                        }
                        let chunks = Self.levelChunks(starts: start, levelCount: levelCount, threshold: tileThreshold)
                        if chunks.count <= 2 {
                            run(0..<levelCount)
                        } else {
                            DispatchQueue.concurrentPerform(iterations: chunks.count - 1) { chunk in
                                run(chunks[chunk]..<chunks[chunk + 1])
                            }
                        }
                    }
                }
            }
        }
    }

    /// Raw views of a 1 × 2 tile column for ``updatePairRowTiles(_:source:lambda:firstLambda:firstFactor:)``.
    private struct PairRowTiles: @unchecked Sendable {
        let values: UnsafeMutablePointer<Double>
        let origin: UnsafePointer<Double>
        let factors: UnsafePointer<Double>
        let starts: UnsafePointer<Int>
    }

    /// Below this many tiles a tile column is updated on the calling thread alone.
    static let parallelTileThreshold = 1 << 20

    /// Level boundaries splitting a tile column into parts of about equal tile counts, one per
    /// core, when it holds at least `threshold` tiles (else one part).
    static func levelChunks(starts: UnsafePointer<Int>, levelCount: Int, threshold: Int) -> [Int] {
        let parts = DenseKernels.threadCount
        guard parts > 1, starts[levelCount] - starts[0] >= threshold, levelCount >= parts else { return [0, levelCount] }
        return EqualWorkSplit.bounds(count: levelCount, parts: parts) { starts[$0] }
    }

    private mutating func updateXyFirst(_ a: CrossProducts) {
        var block = xyZ[0]
        xyZ[0] = DenseMatrix(rowCount: 0, columnCount: 0)
        defer { xyZ[0] = block }
        copyContents(of: a.xyZ[0].values, into: &block.values)
        let size = first.blockSize
        let rows = block.rowCount
        let lambda = lambdas[0]
        let factor = first
        block.values.withUnsafeMutableBufferPointer { values in
            lambda.withUnsafeBufferPointer { l in
                factor.values.withUnsafeBufferPointer { f in
                    guard let v = values.baseAddress, let lp = l.baseAddress, let fp = f.baseAddress else { return }
                    TileKernels.multiplyColumnBlocks(v, rows: rows, blockCount: factor.blockCount, lambda: lp, size: size)
                    for level in 0..<factor.blockCount {
                        TileKernels.solveRightLowerTranspose(v + level * size * rows, rows: rows, columns: size,
                                                             factor: fp + level * size * size)
                    }
                }
            }
        }
    }

    // MARK: - Later terms (dense, with fill-in)

    private mutating func factorDiagonal(_ k: Int, _ a: CrossProducts) -> Bool {
        var target = diagonal[k]
        diagonal[k] = DenseMatrix(rowCount: 0, columnCount: 0)
        defer { diagonal[k] = target }
        let source = a.diagonal[k]
        let size = source.blockSize
        let dimension = target.rowCount
        let lambda = lambdas[k]
        let sparse = firstColumn[k - 1]
        target.values.withUnsafeMutableBufferPointer { values in
            source.values.withUnsafeBufferPointer { src in
                lambda.withUnsafeBufferPointer { l in
                    scratch.withUnsafeMutableBufferPointer { s in
                        sparse.values.withUnsafeBufferPointer { sv in
                            guard let t = values.baseAddress, let sp = src.baseAddress, let lp = l.baseAddress,
                                  let scr = s.baseAddress, let tiles = sv.baseAddress else { return }
                            for index in 0..<(dimension * dimension) { t[index] = 0 }
                            let tileStore = scr + size * size
                            for level in 0..<source.blockCount {
                                tileStore.update(from: sp + level * size * size, count: size * size)
                                TileKernels.scale(tileStore, rows: size, columns: size, left: lp, right: lp, scratch: scr)
                                let corner = t + level * size * dimension + level * size
                                for column in 0..<size {
                                    for row in 0..<size { corner[column * dimension + row] = tileStore[column * size + row] }
                                    corner[column * dimension + column] += 1
                                }
                            }
                            TrailingDowndate.subtractSparseProducts(t, stride: dimension, left: sparse, leftTiles: tiles,
                                                        right: sparse, rightTiles: tiles, symmetric: true)
                        }
                    }
                }
            }
        }
        for j in 1..<k {
            DenseKernels.subtractSymmetricProduct(&target, dense[k][j])
        }
        return DenseKernels.cholesky(&target)
    }

    private mutating func updateDense(_ i: Int, _ k: Int, _ a: CrossProducts) {
        var target = dense[i][k]
        dense[i][k] = DenseMatrix(rowCount: 0, columnCount: 0)
        defer { dense[i][k] = target }
        a.trailingPairs[i][k].scatter(into: &target)
        let left = firstColumn[i - 1]
        let right = firstColumn[k - 1]
        let leftLambda = lambdas[i]
        let rightLambda = lambdas[k]
        let rowSize = parametrizations[i].size
        let columnSize = parametrizations[k].size
        let rows = target.rowCount
        let columns = target.columnCount
        target.values.withUnsafeMutableBufferPointer { values in
            leftLambda.withUnsafeBufferPointer { ll in
                rightLambda.withUnsafeBufferPointer { rl in
                    left.values.withUnsafeBufferPointer { lv in
                        right.values.withUnsafeBufferPointer { rv in
                            guard let t = values.baseAddress, let llp = ll.baseAddress, let rlp = rl.baseAddress,
                                  let lt = lv.baseAddress, let rt = rv.baseAddress else { return }
                            TileKernels.multiplyColumnBlocks(t, rows: rows, blockCount: columns / max(columnSize, 1),
                                                             lambda: rlp, size: columnSize)
                            TileKernels.multiplyRowBlocksTransposed(t, blockCount: rows / max(rowSize, 1), columns: columns,
                                                                    lambda: llp, size: rowSize)
                            TrailingDowndate.subtractSparseProducts(t, stride: rows, left: left, leftTiles: lt,
                                                        right: right, rightTiles: rt, symmetric: false)
                        }
                    }
                }
            }
        }
        for j in 1..<k {
            DenseKernels.subtractProduct(&target, dense[i][j], dense[k][j])
        }
        DenseKernels.solveRightLowerTranspose(&target, factor: diagonal[k])
    }

    private mutating func updateXyColumn(_ k: Int, _ a: CrossProducts) {
        prepareXyColumn(k, a)
        var target = xyZ[k]
        xyZ[k] = DenseMatrix(rowCount: 0, columnCount: 0)
        defer { xyZ[k] = target }
        for j in 1..<k {
            DenseKernels.subtractProduct(&target, xyZ[j], dense[k][j])
        }
        DenseKernels.solveRightLowerTranspose(&target, factor: diagonal[k])
    }

    /// L_{Xy,k} before the later terms' part: (A_{Xy,k} Λ_k − L_{Xy,0} L_{k0}ᵀ), left in `xyZ[k]`.
    private mutating func prepareXyColumn(_ k: Int, _ a: CrossProducts) {
        var target = xyZ[k]
        xyZ[k] = DenseMatrix(rowCount: 0, columnCount: 0)
        defer { xyZ[k] = target }
        copyContents(of: a.xyZ[k].values, into: &target.values)
        let rows = target.rowCount
        let size = parametrizations[k].size
        let lambda = lambdas[k]
        let sparse = firstColumn[k - 1]
        let xyFirst = xyZ[0]
        target.values.withUnsafeMutableBufferPointer { values in
            lambda.withUnsafeBufferPointer { l in
                sparse.values.withUnsafeBufferPointer { sv in
                    xyFirst.values.withUnsafeBufferPointer { xv in
                        guard let t = values.baseAddress, let lp = l.baseAddress, let tiles = sv.baseAddress,
                              let xp = xv.baseAddress else { return }
                        TileKernels.multiplyColumnBlocks(t, rows: rows, blockCount: sparse.tileRowCount, lambda: lp, size: size)
                        let firstSize = sparse.tileColumns
                        if size == 1 && firstSize > 1 {
                            // Row tiles: column r of the target −= the block of L_{Xy,0} for level c
                            // times the tile (a length-s₀ row).
                            sparse.columnStarts.withUnsafeBufferPointer { starts in
                                sparse.tileRowIndices.withUnsafeBufferPointer { rowLevels in
                                    if firstSize == 2 {
                                        // The same operations, with the two columns in one pass.
                                        for column in 0..<sparse.tileColumnCount {
                                            let source = xp + column * 2 * rows
                                            let second = source + rows
                                            for tileIndex in starts[column]..<starts[column + 1] {
                                                let destination = t + Int(rowLevels[tileIndex]) * rows
                                                let factor0 = tiles[2 * tileIndex]
                                                let factor1 = tiles[2 * tileIndex + 1]
                                                for row in 0..<rows {
                                                    destination[row] = destination[row] - source[row] * factor0 - second[row] * factor1
                                                }
                                            }
                                        }
                                        return
                                    }
                                    for column in 0..<sparse.tileColumnCount {
                                        let source = xp + column * firstSize * rows
                                        for tileIndex in starts[column]..<starts[column + 1] {
                                            let destination = t + Int(rowLevels[tileIndex]) * rows
                                            let tile = tiles + tileIndex * firstSize
                                            for b in 0..<firstSize {
                                                let factor = tile[b]
                                                let sourceColumn = source + b * rows
                                                for row in 0..<rows { destination[row] -= sourceColumn[row] * factor }
                                            }
                                        }
                                    }
                                }
                            }
                            return
                        }
                        if size == 1 && firstSize == 1 {
                            // Scalar tiles: column r of the target −= column c of L_{Xy,0} · L_k0[r, c].
                            sparse.columnStarts.withUnsafeBufferPointer { starts in
                                sparse.tileRowIndices.withUnsafeBufferPointer { rowLevels in
                                    for column in 0..<sparse.tileColumnCount {
                                        let source = xp + column * rows
                                        for tileIndex in starts[column]..<starts[column + 1] {
                                            let destination = t + Int(rowLevels[tileIndex]) * rows
                                            let factor = tiles[tileIndex]
                                            for row in 0..<rows { destination[row] -= source[row] * factor }
                                        }
                                    }
                                }
                            }
                            return
                        }
                        for column in 0..<sparse.tileColumnCount {
                            let source = xp + column * firstSize * rows
                            for tileIndex in sparse.columnStarts[column]..<sparse.columnStarts[column + 1] {
                                let rowLevel = Int(sparse.tileRowIndices[tileIndex])
                                TileKernels.subtractProduct(t + rowLevel * size * rows, stride: rows,
                                                            left: source, leftRows: rows,
                                                            right: tiles + tileIndex * sparse.tileSize, rightRows: size,
                                                            inner: firstSize)
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: - Later terms (sparse)

    /// The later terms' part of L as one sparse factor, and the [X y] rows solved against it.
    private mutating func updateSparseTrailing(_ a: CrossProducts) -> Bool {
        guard var sparse = sparseTrailing else { return false }
        sparseTrailing = nil
        defer { sparseTrailing = sparse }
        if let grouping = sparse.grouped { grouping.fillWeights(&groupWeights, firstLambda: lambdas[0][0]) }
        guard sparse.refactor(crossProducts: a, lambdas: lambdas, firstColumn: firstColumn, groupWeights: groupWeights,
                              scratch: &scratch) else {
            return false
        }
        for k in 1..<termCount {
            if let groupedRows {
                var target = xyZ[k]
                xyZ[k] = DenseMatrix(rowCount: 0, columnCount: 0)
                copyContents(of: a.xyZ[k].values, into: &target.values)
                groupedRows.prepare(&target, term: k, weights: groupWeights, lambda: lambdas[k][0])
                xyZ[k] = target
            } else {
                prepareXyColumn(k, a)
            }
        }
        sparse.solveRight(&xyZ)
        return true
    }

    private mutating func factorXy(_ a: CrossProducts) -> Bool {
        var target = xyXy
        xyXy = DenseMatrix(rowCount: 0, columnCount: 0)
        defer { xyXy = target }
        copyContents(of: a.xyXy.values, into: &target.values)
        for k in 0..<termCount {
            if k == 0, let groupedRows, sparseTrailing != nil {
                groupedRows.subtractGram(from: &target, weights: groupWeights)
            } else if target.rowCount <= Self.shortRowLimit {
                Self.subtractShortGram(&target, xyZ[k])
            } else {
                DenseKernels.subtractSymmetricProduct(&target, xyZ[k])
            }
        }
        guard DenseKernels.cholesky(&target) else { return false }
        // The last pivot is r, the root of the penalised residual sum of squares r² = yᵀWy − (the
        // part explained). Below the rounding level of yᵀWy it is cancellation noise, not a
        // residual: the response has no variation left (it is constant, or the fixed effects fit
        // it exactly), which fails like a zero pivot (whether rounding leaves exactly zero
        // depends on whether the kernels fuse multiply-adds).
        let last = target.rowCount - 1
        let residual = target[last, last]
        return residual * residual > Double.ulpOfOne * max(a.xyXy[last, last], a.responseSquares)
    }

    /// Up to this many [X y] rows, their Gram update is done by ``subtractShortGram(_:_:)``.
    static let shortRowLimit = 8

    /// The lower triangle of target −= M Mᵀ for M with few rows (m ≤ ``shortRowLimit``) and
    /// many columns: one streaming pass over M's columns with the m(m+1)/2 sums in registers
    /// (the packed kernel's panel copies cost more than the arithmetic at this shape).
    static func subtractShortGram(_ target: inout DenseMatrix, _ matrix: DenseMatrix) {
        let m = matrix.rowCount
        let columns = matrix.columnCount
        guard m > 0, m <= shortRowLimit, columns > 0, target.rowCount == m else { return }
        var sums = [Double](repeating: 0, count: shortRowLimit * shortRowLimit)
        matrix.values.withUnsafeBufferPointer { values in
            sums.withUnsafeMutableBufferPointer { accumulator in
                guard let v = values.baseAddress, let s = accumulator.baseAddress else { return }
                for column in 0..<columns {
                    let x = v + column * m
                    for b in 0..<m {
                        let xb = x[b]
                        for a in b..<m { s[b * m + a] += x[a] * xb }
                    }
                }
            }
        }
        for b in 0..<m {
            for a in b..<m { target[a, b] -= sums[b * m + a] }
        }
    }

    /// Copies `source` into `target` (same length) without allocating.
    private func copyContents(of source: [Double], into target: inout [Double]) {
        target.withUnsafeMutableBufferPointer { destination in
            source.withUnsafeBufferPointer { origin in
                guard let to = destination.baseAddress, let from = origin.baseAddress else { return }
                to.update(from: from, count: min(destination.count, origin.count))
            }
        }
    }
}
