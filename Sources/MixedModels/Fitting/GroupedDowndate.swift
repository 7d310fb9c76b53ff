import Foundation

/// The downdate −L_T0 L_T0ᵀ of the sparse trailing factor through sums fixed at setup, for
/// models whose terms are all scalar (one random effect per level).
///
/// With a scalar first term, A₀₀ is diagonal (d_j for level j) and column j of L_T0 is
/// Λ_T a_j λ₀ / √(λ₀² d_j + 1), a_j being column j of A_T0. So
///
///     L_T0 L_T0ᵀ = Λ_T ( Σ_g w_g G_g ) Λ_T,   w_g = λ₀² / (λ₀² d_g + 1),   G_g = Σ_{j : d_j = d_g} a_j a_jᵀ,
///
/// where g runs over the distinct values d_g of A₀₀'s diagonal. The G_g do not depend on θ:
/// they are summed once, and each evaluation scales them (w_g λ_k λ_l for the entries between
/// terms k and l) instead of forming every level's outer product. With unit weights, d_j is a
/// level's observation count, which takes few values: students × teachers with 5 observations
/// per student has one group, whose G holds the 0.2 million entries of M's pattern against the
/// 2.1 million of the levels' outer products.
///
/// The same grouping gives the first term's part of the [X y] rows (``GroupedFixedRows``).
struct GroupedDowndate: Sendable {
    /// d_g, the distinct values of A₀₀'s diagonal.
    let groupValues: [Double]
    /// The group of each first-term level.
    let groupOfLevel: [Int32]
    /// The first-term levels group by group (in level order within a group): group g's are
    /// `levelsByGroup[levelStarts[g] ..< levelStarts[g + 1]]`.
    let levelsByGroup: [Int32]
    /// Per group, where its levels start in ``levelsByGroup``; one more entry than groups.
    let levelStarts: [Int]
    /// Term pairs (k ≥ l ≥ 1) of the trailing terms, in run order within a group.
    let termPairs: [(row: Int, column: Int)]
    /// Runs of entries, group by group and within a group pair by pair (`termPairs`):
    /// run r holds the entries `runStarts[r] ..< runStarts[r + 1]`.
    private let runStarts: [Int]
    /// The value offset of each entry, increasing within a run.
    private let offsets: [UInt32]
    /// The entry of G_g.
    private let values: [Double]

    /// At most this many groups: beyond, the grouped sums rarely pay.
    static let largestGroupCount = 64
    /// The grouped entries must be at most this share of the levels' outer-product entries
    /// (a grouped entry streams 12 bytes against a clique entry's 4, so at a third the grouped
    /// downdate never holds more memory than the cliques' offsets).
    static let entryShare = 1.0 / 3.0

    /// The grouped sums, or `nil` when they do not apply (a term with more than one random
    /// effect per level, too many distinct values of A₀₀'s diagonal) or do not pay.
    /// - Parameters:
    ///   - pattern: the cliques and their member nodes (a node is a scalar here).
    ///   - crossProducts: A (its first diagonal block and first block column).
    ///   - sizes: s_k per term.
    ///   - scratch: zeros, at least as many as the factor's values; left zero.
    ///   - offset: the value offset of the entry (old row, old column) of the lower triangle.
    init?(pattern: TrailingPattern, crossProducts a: CrossProducts, sizes: [Int],
          scratch: UnsafeMutableBufferPointer<Double>, offset: (Int, Int) -> Int) {
        guard sizes.count > 1, sizes.allSatisfy({ $0 == 1 }), let firstBlock = a.diagonal.first,
              firstBlock.blockSize == 1 else { return nil }
        let levelCount = firstBlock.blockCount
        guard pattern.cliqueStarts.count == levelCount + 1, let accumulator = scratch.baseAddress else { return nil }
        guard let grouping = Self.groups(of: firstBlock.values) else { return nil }
        let termCount = sizes.count
        var pairs: [(row: Int, column: Int)] = []
        for k in 1..<termCount {
            for l in 1...k { pairs.append((k, l)) }
        }
        func pairIndex(_ k: Int, _ l: Int) -> Int { (k - 1) * k / 2 + (l - 1) }

        // The levels of each group, in level order.
        let groupCount = grouping.values.count
        var levelStarts = [Int](repeating: 0, count: groupCount + 1)
        for group in grouping.ofLevel { levelStarts[Int(group) + 1] += 1 }
        for g in 0..<groupCount { levelStarts[g + 1] += levelStarts[g] }
        var fill = levelStarts
        var levelsByGroup = [Int32](repeating: 0, count: levelCount)
        for level in 0..<levelCount {
            let g = Int(grouping.ofLevel[level])
            levelsByGroup[fill[g]] = Int32(level)
            fill[g] += 1
        }

        // The members' values of A_T0 (scalar tiles), gathered once.
        let memberValues: [Double] = (0..<pattern.memberTiles.count).map { member in
            let k = Int(pattern.memberTerms[member])
            return a.firstColumn[k - 1].values[Int(pattern.memberTiles[member])]
        }
        let memberNodes = pattern.memberNodes
        let memberTerms = pattern.memberTerms
        let cliqueStarts = pattern.cliqueStarts
        var cliqueEntries = 0
        for clique in 0..<levelCount {
            let members = pattern.cliqueStarts[clique + 1] - pattern.cliqueStarts[clique]
            cliqueEntries += members * (members + 1) / 2
        }
        let entryLimit = Int(Self.entryShare * Double(cliqueEntries))

        var runStarts = [0]
        var offsets: [UInt32] = []
        var values: [Double] = []
        var touched: [(pair: Int32, offset: UInt32)] = []
        var abandoned = false
        for g in 0..<groupCount where !abandoned {
            touched.removeAll(keepingCapacity: true)
            for position in levelStarts[g]..<levelStarts[g + 1] {
                let clique = Int(levelsByGroup[position])
                let members = cliqueStarts[clique]..<cliqueStarts[clique + 1]
                for x in members {
                    let nodeX = Int(memberNodes[x])
                    let termX = Int(memberTerms[x])
                    let valueX = memberValues[x]
                    for y in members.lowerBound...x {
                        let nodeY = Int(memberNodes[y])
                        let termY = Int(memberTerms[y])
                        let entry = offset(nodeX, nodeY)
                        // A zero sum is left out: touched again, it is listed again, and
                        // listed entries are taken once (below).
                        if accumulator[entry] == 0 {
                            touched.append((Int32(pairIndex(max(termX, termY), min(termX, termY))), UInt32(entry)))
                        }
                        accumulator[entry] += valueX * memberValues[y]
                    }
                }
            }
            touched.sort { $0.pair != $1.pair ? $0.pair < $1.pair : $0.offset < $1.offset }
            var index = 0
            for pair in pairs.indices {
                while index < touched.count, Int(touched[index].pair) == pair {
                    let entry = Int(touched[index].offset)
                    let sum = accumulator[entry]
                    if sum != 0 {
                        offsets.append(touched[index].offset)
                        values.append(sum)
                        accumulator[entry] = 0
                    }
                    index += 1
                }
                runStarts.append(offsets.count)
            }
            if offsets.count > entryLimit { abandoned = true }
        }
        // Every touched entry was read back and set to zero above: the scratch is zero again.
        guard !abandoned else { return nil }
        self.groupValues = grouping.values
        self.groupOfLevel = grouping.ofLevel
        self.levelsByGroup = levelsByGroup
        self.levelStarts = levelStarts
        self.termPairs = pairs
        self.runStarts = runStarts
        self.offsets = offsets
        self.values = values
    }

    /// The distinct values of `diagonal` (at most ``largestGroupCount``) and each entry's group.
    static func groups(of diagonal: [Double]) -> (values: [Double], ofLevel: [Int32])? {
        var values: [Double] = []
        var index: [UInt64: Int32] = [:]
        var ofLevel = [Int32](repeating: 0, count: diagonal.count)
        var previous: (bits: UInt64, group: Int32)?
        for (level, value) in diagonal.enumerated() {
            let bits = value.bitPattern
            if let previous, previous.bits == bits {
                ofLevel[level] = previous.group
                continue
            }
            let group: Int32
            if let known = index[bits] {
                group = known
            } else {
                guard values.count < largestGroupCount else { return nil }
                group = Int32(values.count)
                index[bits] = group
                values.append(value)
            }
            ofLevel[level] = group
            previous = (bits, group)
        }
        return (values, ofLevel)
    }

    /// w_g = λ₀² / (λ₀² d_g + 1) for every group, into `weights` (one per group).
    func fillWeights(_ weights: inout [Double], firstLambda: Double) {
        let squared = firstLambda * firstLambda
        for g in groupValues.indices where g < weights.count { weights[g] = squared / (squared * groupValues[g] + 1) }
    }

    /// Σ_j log √(λ₀² d_j + 1), the log-determinant of L₀₀ halved, as Σ_g n_g log(λ₀² d_g + 1) / 2
    /// (n_g levels in group g); `nil` when a pivot is not positive and finite.
    func firstLogDiagonalSum(firstLambda: Double) -> Double? {
        let squared = firstLambda * firstLambda
        var sum = 0.0
        for g in groupValues.indices {
            let pivot = squared * groupValues[g] + 1
            guard pivot > 0, pivot.isFinite else { return nil }
            sum += Double(levelStarts[g + 1] - levelStarts[g]) * log(pivot) / 2
        }
        return sum
    }

    /// values −= Λ_T (Σ_g w_g G_g) Λ_T at the entries' offsets.
    /// - Parameters:
    ///   - weights: w_g per group (``fillWeights(_:firstLambda:)``).
    ///   - lambdas: λ_k per term, 1 × 1 (index 0, the first term's, unused).
    func subtract(from target: UnsafeMutablePointer<Double>, weights: [Double], lambdas: [[Double]]) {
        offsets.withUnsafeBufferPointer { offsetBuffer in
            values.withUnsafeBufferPointer { valueBuffer in
                guard let o = offsetBuffer.baseAddress, let v = valueBuffer.baseAddress else { return }
                var run = 0
                for weight in weights {
                    for pair in termPairs {
                        let multiplier = weight * lambdas[pair.row][0] * lambdas[pair.column][0]
                        for entry in runStarts[run]..<runStarts[run + 1] {
                            target[Int(o[entry])] -= multiplier * v[entry]
                        }
                        run += 1
                    }
                }
            }
        }
    }
}
