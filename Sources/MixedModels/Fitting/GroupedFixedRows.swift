/// The first term's part of the [X y] rows of L for the grouped downdate (``GroupedDowndate``):
/// with a scalar first term, column j of L_{Xy,0} is A_{Xy,j} λ₀ / √(λ₀² d_j + 1), so
///
///     L_{Xy,0} L_{k0}ᵀ = (Σ_g w_g H_{g,k}) λ_k,   H_{g,k} = Σ_{j in group g} A_{Xy,j} a_{kj}ᵀ,
///     L_{Xy,0} L_{Xy,0}ᵀ = Σ_g w_g K_g,          K_g = Σ_{j in group g} A_{Xy,j} A_{Xy,j}ᵀ,
///
/// with the weights w_g of the downdate. H and K depend on the response and X, so they are
/// summed for each set of cross products (a refit to a new response has its own), once.
struct GroupedFixedRows: Sendable {
    /// p + 1, the [X y] rows.
    let rowCount: Int
    /// Per group and trailing term (group-major, terms 1 ..< termCount), where its columns
    /// start in ``columns``.
    private let runStarts: [Int]
    /// The level (column of the term's block of [X y]ᵀ Z) of each stored column of H.
    private let columns: [Int32]
    /// H's stored columns, `rowCount` values each.
    private let values: [Double]
    /// K_g, column-major (p + 1)², one per group.
    private let grams: [Double]
    /// The trailing terms (termCount − 1).
    private let trailingCount: Int

    /// - Parameters:
    ///   - grouping: the groups of the first term's levels.
    ///   - crossProducts: A (its [X y] rows and first block column).
    init(grouping: GroupedDowndate, crossProducts a: CrossProducts) {
        let m = a.xyXy.rowCount
        let groupCount = grouping.groupValues.count
        let termCount = a.diagonal.count
        let levelCount = grouping.groupOfLevel.count
        rowCount = m
        trailingCount = max(termCount - 1, 0)
        var grams = [Double](repeating: 0, count: groupCount * m * m)
        let xy = a.xyZ.first?.values ?? []
        for level in 0..<min(levelCount, xy.count / max(m, 1)) {
            let base = Int(grouping.groupOfLevel[level]) * m * m
            let column = level * m
            for b in 0..<m {
                let xb = xy[column + b]
                for r in b..<m { grams[base + b * m + r] += xy[column + r] * xb }
            }
        }
        self.grams = grams

        var runStarts = [0]
        var columns: [Int32] = []
        var values: [Double] = []
        for g in 0..<groupCount {
            for k in 1..<max(termCount, 1) {
                let block = a.firstColumn[k - 1]
                var sums = [Double](repeating: 0, count: block.tileRowCount * m)
                var touched = [Bool](repeating: false, count: block.tileRowCount)
                for position in grouping.levelStarts[g]..<grouping.levelStarts[g + 1] {
                    let level = Int(grouping.levelsByGroup[position])
                    let column = level * m
                    guard level < block.tileColumnCount, column + m <= xy.count else { continue }
                    for tile in block.columnStarts[level]..<block.columnStarts[level + 1] {
                        let row = Int(block.tileRowIndices[tile])
                        let value = block.values[tile]
                        touched[row] = true
                        for r in 0..<m { sums[row * m + r] += xy[column + r] * value }
                    }
                }
                for row in 0..<block.tileRowCount where touched[row] {
                    columns.append(Int32(row))
                    values.append(contentsOf: sums[(row * m)..<(row * m + m)])
                }
                runStarts.append(columns.count)
            }
        }
        self.runStarts = runStarts
        self.columns = columns
        self.values = values
    }

    /// L_{Xy,k} before the later terms' part, (A_{Xy,k} − Σ_g w_g H_{g,k}) λ_k, into `target`
    /// (which holds A_{Xy,k}, (p + 1) × ℓ_k column-major).
    func prepare(_ target: inout DenseMatrix, term k: Int, weights: [Double], lambda: Double) {
        let m = rowCount
        guard target.rowCount == m, k >= 1, k <= trailingCount else { return }
        target.values.withUnsafeMutableBufferPointer { buffer in
            columns.withUnsafeBufferPointer { columnBuffer in
                values.withUnsafeBufferPointer { valueBuffer in
                    guard let t = buffer.baseAddress, let c = columnBuffer.baseAddress,
                          let h = valueBuffer.baseAddress else { return }
                    for (g, weight) in weights.enumerated() {
                        let run = g * trailingCount + (k - 1)
                        for stored in runStarts[run]..<runStarts[run + 1] {
                            let destination = t + Int(c[stored]) * m
                            let source = h + stored * m
                            for r in 0..<m { destination[r] -= weight * source[r] }
                        }
                    }
                }
            }
            for index in buffer.indices { buffer[index] *= lambda }
        }
    }

    /// The lower triangle of target −= Σ_g w_g K_g (target: L_{Xy,Xy} before its factorisation).
    func subtractGram(from target: inout DenseMatrix, weights: [Double]) {
        let m = rowCount
        guard target.rowCount == m else { return }
        for (g, weight) in weights.enumerated() {
            let base = g * m * m
            for b in 0..<m {
                for r in b..<m { target[r, b] -= weight * grams[base + b * m + r] }
            }
        }
    }
}
