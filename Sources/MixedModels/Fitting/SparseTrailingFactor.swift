import SparseCholesky

/// The later ("trailing") terms' part of L stored as one supernodal sparse factor, for nearly
/// nested designs: the trailing levels are ordered by approximate minimum degree (the first
/// term keeps its block-diagonal factor, which has no fill), and each evaluation assembles
///
///     M(θ) = Λ_Tᵀ A_TT Λ_T + I − L_T0 L_T0ᵀ
///
/// into the factor's storage through offsets computed once (the pattern does not depend on θ),
/// then refactors it in place. Nothing here allocates per evaluation.
///
/// Trailing indices ("old" order) run term by term, level by level, s_k per level, as the
/// trailing columns of Z; the factor works in its own ("new") order, `permutation[new] = old`.
struct SparseTrailingFactor: Sendable {
    /// The symbolic pattern the offsets were computed from.
    let pattern: TrailingPattern
    /// The numeric factor (its structure included).
    private(set) var factor: SupernodalFactor
    /// new → old trailing index.
    let permutation: [Int32]
    /// old → new trailing index.
    let inversePermutation: [Int32]
    /// Per node, the offsets of its own s×s block's lower triangle (column b, rows a ≥ b).
    private let diagonalOffsets: [Int]
    /// Per node, where its entries start in ``diagonalOffsets``.
    private let diagonalStarts: [Int]
    /// Per pair tile of A_TT, s_i·s_k offsets (column-major within the tile).
    private let pairOffsets: [Int]
    /// Per pair tile, where its offsets start.
    private let pairStarts: [Int]
    /// The downdate −L_T0 L_T0ᵀ, clique by clique (empty when ``grouped``).
    private var cliques: CliqueDowndate
    /// The downdate through sums grouped by the first term's diagonal, when every term is
    /// scalar and the groups are few (``GroupedDowndate``); then the cliques are not formed.
    let grouped: GroupedDowndate?
    /// Per term k ≥ 1, where its tiles of L_T0 start in ``tileValues`` (index 0 unused).
    private let tileValueBases: [Int]
    /// Every trailing term's L_T0 tiles, copied side by side each evaluation.
    private var tileValues: [Double]
    /// One right-hand side in the factor's order.
    private var workspace: [Double]
    /// s₀, the first term's random effects per level.
    let firstSize: Int
    /// s_k per term.
    let sizes: [Int]

    /// How the downdate −L_T0 L_T0ᵀ is taken.
    enum DowndateChoice: Sendable {
        /// Grouped when it applies and pays, else by cliques.
        case automatic
        /// By cliques always (for tests of the grouped sums).
        case cliques
    }

    /// Symbolic analysis: the ordering, the supernodal structure and the offsets.
    init(pattern: TrailingPattern, crossProducts a: CrossProducts, sizes: [Int], structure: SupernodalStructure,
         downdate: DowndateChoice = .automatic) {
        self.pattern = pattern
        self.sizes = sizes
        self.firstSize = sizes.first ?? 1
        var factor = SupernodalFactor(structure: structure)
        self.permutation = structure.permutation
        self.inversePermutation = structure.inversePermutation
        let inverse = structure.inversePermutation
        func offset(_ oldRow: Int, _ oldColumn: Int) -> Int {
            let row = Int(inverse[oldRow])
            let column = Int(inverse[oldColumn])
            // Every entry asked for is in M's pattern, hence in L's structure.
            return structure.offset(row: max(row, column), column: min(row, column)) ?? 0
        }

        let nodeStarts = pattern.nodeScalarStarts()
        var diagonal: [Int] = []
        var diagonalStarts = [0]
        for node in 0..<pattern.nodeCount {
            let base = nodeStarts[node]
            let size = Int(pattern.nodeSizes[node])
            for b in 0..<size {
                for r in b..<size { diagonal.append(offset(base + r, base + b)) }
            }
            diagonalStarts.append(diagonal.count)
        }
        self.diagonalOffsets = diagonal
        self.diagonalStarts = diagonalStarts

        var pairs: [Int] = []
        var pairStarts = [0]
        for tile in pattern.pairTiles {
            let i = Int(tile.rowTerm)
            let k = Int(tile.columnTerm)
            let rowBase = pattern.scalarOffsets[i] + Int(tile.rowLevel) * sizes[i]
            let columnBase = pattern.scalarOffsets[k] + Int(tile.columnLevel) * sizes[k]
            for b in 0..<sizes[k] {
                for r in 0..<sizes[i] { pairs.append(offset(rowBase + r, columnBase + b)) }
            }
            pairStarts.append(pairs.count)
        }
        self.pairOffsets = pairs
        self.pairStarts = pairStarts

        // The factor's values (zero until the first refactor) serve as the grouped sums' scratch.
        let grouped = downdate == .cliques ? nil : factor.values.withUnsafeMutableBufferPointer { scratch in
            GroupedDowndate(pattern: pattern, crossProducts: a, sizes: sizes, scratch: scratch, offset: offset)
        }
        self.grouped = grouped
        self.factor = factor

        var bases = [Int](repeating: 0, count: max(sizes.count, 1))
        var total = 0
        for k in 1..<max(sizes.count, 1) {
            bases[k] = total
            total += a.firstColumn[k - 1].values.count
        }
        self.tileValueBases = bases
        if grouped == nil {
            self.tileValues = [Double](repeating: 0, count: total)
            self.cliques = CliqueDowndate(pattern: pattern, nodeStarts: nodeStarts, valueCount: structure.valueCount,
                                          firstSize: sizes.first ?? 1, offset: offset)
        } else {
            self.tileValues = []
            self.cliques = CliqueDowndate.empty
        }
        self.workspace = [Double](repeating: 0, count: max(pattern.dimension, 1))
    }

    /// The first clique of the downdate's second half, when it is taken in two halves.
    var cliqueSplit: Int? { cliques.split }

    /// The trailing dimension q'.
    var dimension: Int { pattern.dimension }

    /// Σ log of L_TT's diagonal.
    var logDiagonalSum: Double { factor.logDiagonalSum }

    /// Assembles M(θ) from A, λ and the up-to-date L_T0 tiles, and factors it. `false` when M
    /// is not positive definite.
    /// - Parameter groupWeights: w_g per group of ``grouped`` (unused without it).
    mutating func refactor(crossProducts a: CrossProducts, lambdas: [[Double]],
                           firstColumn: [BlockSparseMatrix], groupWeights: [Double], scratch: inout [Double]) -> Bool {
        factor.setZero()
        let pattern = self.pattern
        let sizes = self.sizes
        let s0 = firstSize
        // Copy the L_T0 tiles side by side (for the cliques).
        for k in 1..<max(sizes.count, 1) where grouped == nil {
            let base = tileValueBases[k]
            let source = firstColumn[k - 1].values
            tileValues.withUnsafeMutableBufferPointer { target in
                source.withUnsafeBufferPointer { values in
                    guard let to = target.baseAddress, let from = values.baseAddress else { return }
                    (to + base).update(from: from, count: values.count)
                }
            }
        }
        let diagonalOffsets = self.diagonalOffsets
        let diagonalStarts = self.diagonalStarts
        let pairOffsets = self.pairOffsets
        let pairStarts = self.pairStarts
        let tileValueBases = self.tileValueBases
        let tileValues = self.tileValues
        var cliques = self.cliques
        self.cliques = CliqueDowndate.empty
        defer { self.cliques = cliques }
        factor.values.withUnsafeMutableBufferPointer { valueBuffer in
            scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                guard let values = valueBuffer.baseAddress, let work = scratchBuffer.baseAddress else { return }
                // Each level's own block: λᵀ A_kk λ + I.
                let tile = work + scratchBuffer.count / 2
                // Scalar terms first, without a tile: λ² A_kk + 1.
                for k in 1..<max(sizes.count, 1) where sizes[k] == 1 {
                    let squared = lambdas[k][0] * lambdas[k][0]
                    let firstNode = pattern.nodeOffsets[k]
                    a.diagonal[k].values.withUnsafeBufferPointer { source in
                        for level in 0..<source.count {
                            values[diagonalOffsets[diagonalStarts[firstNode + level]]] += squared * source[level] + 1
                        }
                    }
                }
                for node in 0..<pattern.nodeCount where sizes[Int(pattern.nodeTerms[node])] > 1 {
                    let k = Int(pattern.nodeTerms[node])
                    let size = sizes[k]
                    let level = node - pattern.nodeOffsets[k]
                    a.diagonal[k].values.withUnsafeBufferPointer { source in
                        lambdas[k].withUnsafeBufferPointer { lambda in
                            guard let sp = source.baseAddress, let lp = lambda.baseAddress else { return }
                            tile.update(from: sp + level * size * size, count: size * size)
                            TileKernels.scale(tile, rows: size, columns: size, left: lp, right: lp, scratch: work)
                        }
                    }
                    var position = diagonalStarts[node]
                    for b in 0..<size {
                        for r in b..<size {
                            values[diagonalOffsets[position]] += tile[b * size + r] + (r == b ? 1 : 0)
                            position += 1
                        }
                    }
                }
                // Tiles between two trailing terms: λ_iᵀ A_ik λ_k.
                for (index, pair) in pattern.pairTiles.enumerated() {
                    let i = Int(pair.rowTerm)
                    let k = Int(pair.columnTerm)
                    let rows = sizes[i]
                    let columns = sizes[k]
                    let block = a.trailingPairs[i][k]
                    let base = Int(pair.tile) * block.tileSize
                    for entry in 0..<(rows * columns) { tile[entry] = block.values[base + entry] }
                    lambdas[i].withUnsafeBufferPointer { left in
                        lambdas[k].withUnsafeBufferPointer { right in
                            guard let lp = left.baseAddress, let rp = right.baseAddress else { return }
                            TileKernels.scale(tile, rows: rows, columns: columns, left: lp, right: rp, scratch: work)
                        }
                    }
                    var position = pairStarts[index]
                    for entry in 0..<(rows * columns) {
                        values[pairOffsets[position]] += tile[entry]
                        position += 1
                    }
                }
            }
            if let grouped {
                guard let values = valueBuffer.baseAddress else { return }
                grouped.subtract(from: values, weights: groupWeights, lambdas: lambdas)
                return
            }
            // The downdate −L_T0 L_T0ᵀ, one clique (a level of the first term) at a time.
            tileValues.withUnsafeBufferPointer { tileBuffer in
                guard let values = valueBuffer.baseAddress, let tiles = tileBuffer.baseAddress else { return }
                cliques.subtract(from: values, pattern: pattern, sizes: sizes, tileBases: tileValueBases, tiles: tiles,
                                 firstSize: s0, threads: DenseKernels.threadCount)
            }
        }
        return factor.factorize(threads: DenseKernels.threadCount)
    }

    /// Solves L_TT x = b in place, `x` split by trailing term (`blocks[k]` for k ≥ 1, in Z's
    /// order; `blocks[0]` is not touched).
    func solveLower(_ blocks: inout [[Double]]) {
        var vector = gather(blocks)
        factor.solveLower(&vector)
        scatter(vector, into: &blocks)
    }

    /// Solves L_TTᵀ x = b in place (same layout as ``solveLower(_:)``).
    func solveLowerTransposed(_ blocks: inout [[Double]]) {
        var vector = gather(blocks)
        factor.solveLowerTransposed(&vector)
        scatter(vector, into: &blocks)
    }

    /// X ← X L_TT⁻ᵀ for the (p + 1)-row blocks [X y]ᵀ Z_k (one per trailing term, column-major).
    mutating func solveRight(_ rows: inout [DenseMatrix]) {
        guard rows.count > 1 else { return }
        let rowCount = rows[1].rowCount
        let needed = rowCount * pattern.dimension
        if workspace.count != needed { workspace = [Double](repeating: 0, count: needed) }
        for k in 1..<rows.count {
            let offset = pattern.scalarOffsets[k]
            let block = rows[k]
            for column in 0..<block.columnCount {
                let base = Int(inversePermutation[offset + column]) * rowCount
                for row in 0..<rowCount { workspace[base + row] = block.values[column * rowCount + row] }
            }
        }
        factor.solveLowerRight(&workspace, rowCount: rowCount)
        for k in 1..<rows.count {
            let offset = pattern.scalarOffsets[k]
            for column in 0..<rows[k].columnCount {
                let base = Int(inversePermutation[offset + column]) * rowCount
                for row in 0..<rowCount { rows[k].values[column * rowCount + row] = workspace[base + row] }
            }
        }
    }

    /// (L_TT L_TTᵀ)⁻¹ on the structure of L_TT (the selected inverse), or `nil` when the factor
    /// is not up to date.
    func selectedInverse() -> SelectedInverse? {
        SelectedInverse(factor: factor)
    }

    /// L_TT⁻ᵀ b for a vector in the old (Z) order, returned in the old order.
    func solveLowerTransposedInZOrder(_ vector: [Double]) -> [Double] {
        var work = [Double](repeating: 0, count: pattern.dimension)
        for old in 0..<min(vector.count, pattern.dimension) { work[Int(inversePermutation[old])] = vector[old] }
        factor.solveLowerTransposed(&work)
        var result = [Double](repeating: 0, count: pattern.dimension)
        for old in 0..<pattern.dimension { result[old] = work[Int(inversePermutation[old])] }
        return result
    }

    /// L_TT⁻¹ b for a vector in the old (Z) order, returned in the factor's order.
    func solveLowerInFactorOrder(_ vector: [Double]) -> [Double] {
        var result = [Double](repeating: 0, count: pattern.dimension)
        for old in 0..<min(vector.count, pattern.dimension) { result[Int(inversePermutation[old])] = vector[old] }
        factor.solveLower(&result)
        return result
    }

    private func gather(_ blocks: [[Double]]) -> [Double] {
        var vector = [Double](repeating: 0, count: pattern.dimension)
        for k in 1..<min(blocks.count, sizes.count) {
            let offset = pattern.scalarOffsets[k]
            for (index, value) in blocks[k].enumerated() { vector[Int(inversePermutation[offset + index])] = value }
        }
        return vector
    }

    private func scatter(_ vector: [Double], into blocks: inout [[Double]]) {
        for k in 1..<min(blocks.count, sizes.count) {
            let offset = pattern.scalarOffsets[k]
            for index in blocks[k].indices { blocks[k][index] = vector[Int(inversePermutation[offset + index])] }
        }
    }

    /// Stored entries of L_TT in the columns of term k (its share of the factor's nonzeros).
    func nonzeros(ofTerm k: Int) -> Int {
        let start = pattern.scalarOffsets[k]
        let end = k + 1 < pattern.scalarOffsets.count ? pattern.scalarOffsets[k + 1] : pattern.dimension
        let counts = factor.structure.columnCounts
        return (start..<end).reduce(0) { $0 + counts[Int(inversePermutation[$1])] }
    }
}
