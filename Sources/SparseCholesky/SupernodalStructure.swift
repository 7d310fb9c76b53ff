/// The symbolic analysis of a sparse symmetric positive definite matrix: the final ordering,
/// the elimination tree, the supernodes of the Cholesky factor L and where each entry of L is
/// stored. It depends only on the pattern, so it is computed once and reused by every numeric
/// factorisation.
///
/// Ordering: `permutation[k]` (new → old) is the original index placed at position k; it is the
/// fill-reducing ordering followed by a postorder of its elimination tree. Every other index of
/// this type (columns, rows, supernodes, `offset(row:column:)`) is in the NEW order: the caller
/// maps an original index i to `inversePermutation[i]` once.
///
/// Storage: supernode s owns the consecutive columns `columnRange(s)`; its row structure
/// `rows(s)` lists those columns first, then the rows below them, ascending. L restricted to
/// supernode s is stored as a dense column-major panel of `rowCount(s)` rows (the leading
/// dimension) × `width(s)` columns starting at `valueOffset(s)`; only the lower trapezoid is
/// part of L (entries above the diagonal inside the panel are zero after factorisation).
public struct SupernodalStructure: Sendable {
    /// Limits of the relaxed amalgamation of supernodes (the rule of CHOLMOD's nrelax/zrelax):
    /// a child supernode is merged into its parent when the merged supernode would have at most
    /// `smallWidth` columns, or at most `mediumWidth` columns and a fraction of explicit zeros
    /// below `smallZeroFraction`, or at most `largeWidth` columns and a zero fraction below
    /// `mediumZeroFraction`, or any width and a zero fraction below `largeZeroFraction`.
    public struct Relaxation: Sendable, Equatable {
        /// Widths up to this merge unconditionally.
        public var smallWidth: Int
        /// Widths up to this merge when the zero fraction is below `smallZeroFraction`.
        public var mediumWidth: Int
        /// Widths up to this merge when the zero fraction is below `mediumZeroFraction`.
        public var largeWidth: Int
        /// Zero fraction allowed up to `mediumWidth`.
        public var smallZeroFraction: Double
        /// Zero fraction allowed up to `largeWidth`.
        public var mediumZeroFraction: Double
        /// Zero fraction allowed at any width.
        public var largeZeroFraction: Double

        /// A relaxation rule with the given limits.
        public init(smallWidth: Int, mediumWidth: Int, largeWidth: Int, smallZeroFraction: Double,
                    mediumZeroFraction: Double, largeZeroFraction: Double) {
            self.smallWidth = smallWidth
            self.mediumWidth = mediumWidth
            self.largeWidth = largeWidth
            self.smallZeroFraction = smallZeroFraction
            self.mediumZeroFraction = mediumZeroFraction
            self.largeZeroFraction = largeZeroFraction
        }

        /// CHOLMOD's defaults: nrelax = (4, 16, 48), zrelax = (0.8, 0.1, 0.05).
        public static let standard = Relaxation(smallWidth: 4, mediumWidth: 16, largeWidth: 48,
                                                smallZeroFraction: 0.8, mediumZeroFraction: 0.1,
                                                largeZeroFraction: 0.05)
        /// No amalgamation: fundamental supernodes only (no explicit zeros).
        public static let none = Relaxation(smallWidth: 0, mediumWidth: 0, largeWidth: 0,
                                            smallZeroFraction: 0, mediumZeroFraction: 0,
                                            largeZeroFraction: 0)
    }

    /// Why an analysis was refused.
    public enum AnalysisError: Error, Equatable, Sendable {
        /// The supplied ordering is not a permutation of 0..<n.
        case invalidOrdering
    }

    /// The dimension n.
    public let dimension: Int
    /// New → old: `permutation[k]` is the original index at position k.
    public let permutation: [Int32]
    /// Old → new: `inversePermutation[i]` is the position of original index i.
    public let inversePermutation: [Int32]
    /// Elimination-tree parent of each column (new order), -1 for roots.
    public let parent: [Int32]
    /// Nonzeros of each column of L (new order), diagonal included, without amalgamation zeros.
    public let columnCounts: [Int]
    /// The number of supernodes.
    public let supernodeCount: Int
    /// First column of each supernode, plus n at the end (supernodeCount + 1 entries).
    public let supernodeStarts: [Int]
    /// Start of each supernode's rows in `supernodeRows` (supernodeCount + 1 entries).
    public let rowStarts: [Int]
    /// Row structures of all supernodes, concatenated.
    public let supernodeRows: [Int32]
    /// Start of each supernode's panel in the values array (supernodeCount + 1 entries).
    public let valueOffsets: [Int]
    /// Parent supernode of each supernode in the supernodal tree, -1 for roots.
    public let supernodeParent: [Int32]
    /// Supernode that owns each column.
    public let supernodeOfColumn: [Int32]

    // The update schedule of the left-looking factorisation: for target supernode s, the
    // entries updateStarts[s] ..< updateStarts[s + 1] name a descendant supernode, the position
    // in its row list of its first row inside s, and how many of its rows fall inside s.
    let updateStarts: [Int]
    let updateSources: [Int32]
    let updateRowPositions: [Int32]
    let updateRowCounts: [Int32]

    /// Doubles of scratch the numeric factorisation needs for one descendant update (the largest
    /// rows-below × rows-inside product over all updates).
    public let updateWorkspaceCount: Int
    /// Entries of L stored in the panels' lower trapezoids, amalgamation zeros included.
    public let nonzeroCount: Int
    /// Entries of L from the column counts (Σ columnCounts), without amalgamation zeros.
    public let exactNonzeroCount: Int
    /// Σ_j c_j² over the columns, c_j = columnCounts[j] (diagonal included): the operation
    /// count CHOLMOD reports for a Cholesky factorisation (Common.fl).
    public let flopCount: Double

    /// Doubles in the values array (full panels, upper parts of the diagonal blocks included).
    public var valueCount: Int { valueOffsets[supernodeCount] }

    /// Bytes of a `SupernodalFactor` of this structure: the values, the update workspace and the
    /// integer scratch of the factorisation (the structure itself is shared, not counted).
    public var factorMemoryBytes: Int {
        (valueCount + updateWorkspaceCount) * MemoryLayout<Double>.stride
            + dimension * MemoryLayout<Int32>.stride
    }

    /// Bytes held by this structure's own arrays (permutations, tree, row lists, schedule).
    public var structureMemoryBytes: Int {
        let int32Count = permutation.count + inversePermutation.count + parent.count
            + supernodeRows.count + supernodeParent.count + supernodeOfColumn.count
            + updateSources.count + updateRowPositions.count + updateRowCounts.count
        let intCount = columnCounts.count + supernodeStarts.count + rowStarts.count
            + valueOffsets.count + updateStarts.count
        return int32Count * MemoryLayout<Int32>.stride + intCount * MemoryLayout<Int>.stride
    }

    /// The columns of supernode `s` (new order); `s` must be in 0..<supernodeCount, as for the
    /// accessors below.
    public func columnRange(_ s: Int) -> Range<Int> { supernodeStarts[s]..<supernodeStarts[s + 1] }
    /// The number of columns of supernode `s`.
    public func width(_ s: Int) -> Int { supernodeStarts[s + 1] - supernodeStarts[s] }
    /// The number of rows of supernode `s` (its panel's leading dimension).
    public func rowCount(_ s: Int) -> Int { rowStarts[s + 1] - rowStarts[s] }
    /// The row structure of supernode `s`: its own columns, then the rows below, ascending.
    public func rows(_ s: Int) -> ArraySlice<Int32> { supernodeRows[rowStarts[s]..<rowStarts[s + 1]] }
    /// Start of supernode `s`'s panel in the values array.
    public func valueOffset(_ s: Int) -> Int { valueOffsets[s] }

    /// Position of L[row, column] (new order, row ≥ column) in the values array, or nil when
    /// the entry is outside the structure or the indices are out of range. Binary search in
    /// the supernode's row list: O(log rowCount).
    public func offset(row: Int, column: Int) -> Int? {
        guard column >= 0, column < dimension, row >= column, row < dimension else { return nil }
        let s = Int(supernodeOfColumn[column])
        let first = supernodeStarts[s]
        let start = rowStarts[s], end = rowStarts[s + 1]
        let width = supernodeStarts[s + 1] - first
        let leading = end - start
        if row < first + width {
            return valueOffsets[s] + (column - first) * leading + (row - first)
        }
        var low = start + width, high = end
        let target = Int32(row)
        while low < high {
            let middle = (low + high) / 2
            if supernodeRows[middle] < target { low = middle + 1 } else { high = middle }
        }
        guard low < end, supernodeRows[low] == target else { return nil }
        return valueOffsets[s] + (column - first) * leading + (low - start)
    }

    /// Analyses `pattern`: orders it (`ordering`, new → old, or approximate minimum degree when
    /// nil), postorders the elimination tree, finds the fundamental supernodes and amalgamates
    /// them under `relaxation`.
    /// - Throws: `AnalysisError.invalidOrdering` when `ordering` is not a permutation of 0..<n.
    public static func analyze(_ pattern: SymmetricPattern, ordering: [Int32]? = nil,
                               relaxation: Relaxation = .standard) throws -> SupernodalStructure {
        let n = pattern.dimension
        let fillReducing: [Int32]
        if let ordering {
            guard isPermutation(ordering, count: n) else { throw AnalysisError.invalidOrdering }
            fillReducing = ordering
        } else {
            fillReducing = MinimumDegreeOrdering.order(pattern)
        }
        let ordered = pattern.permuted(newToOld: fillReducing)
        let post = EliminationTree(ordered).postorder()
        let permutation = post.map { fillReducing[Int($0)] }
        return SupernodalStructure(pattern: pattern.permuted(newToOld: permutation),
                                   permutation: permutation, relaxation: relaxation)
    }

    /// Builds the structure of `pattern`, already permuted by `permutation` and postordered.
    init(pattern: SymmetricPattern, permutation: [Int32], relaxation: Relaxation) {
        let n = pattern.dimension
        dimension = n
        self.permutation = permutation
        var inverse = [Int32](repeating: 0, count: n)
        for k in 0..<n { inverse[Int(permutation[k])] = Int32(k) }
        inversePermutation = inverse
        let tree = EliminationTree(pattern)
        parent = tree.parent
        let counts = tree.columnCounts(pattern)
        columnCounts = counts
        exactNonzeroCount = counts.reduce(0, +)
        flopCount = counts.reduce(0.0) { $0 + Double($1) * Double($1) }

        // Fundamental supernodes: j + 1 continues j's supernode when it is j's parent, j is its
        // only child, and the column structures nest exactly.
        var childCount = [Int32](repeating: 0, count: n)
        for j in 0..<n where parent[j] >= 0 { childCount[Int(parent[j])] += 1 }
        var fundamentalStarts = [Int]()
        for j in 0..<n {
            let continues = j > 0 && Int(parent[j - 1]) == j && childCount[j] == 1
                && counts[j - 1] == counts[j] + 1
            if !continues { fundamentalStarts.append(j) }
        }
        fundamentalStarts.append(n)
        let fundamentalCount = fundamentalStarts.count - 1
        var fundamentalOfColumn = [Int32](repeating: 0, count: n)
        for f in 0..<fundamentalCount {
            for j in fundamentalStarts[f]..<fundamentalStarts[f + 1] { fundamentalOfColumn[j] = Int32(f) }
        }

        // Relaxed amalgamation, from the last supernode down: a supernode whose parent is the
        // next one joins it (and whatever already joined it) when the zeros stay acceptable.
        var groupWidth = [Int](repeating: 0, count: fundamentalCount)
        var groupRows = [Int](repeating: 0, count: fundamentalCount)
        var groupExact = [Int](repeating: 0, count: fundamentalCount)
        var joinsPrevious = [Bool](repeating: false, count: fundamentalCount)
        for f in 0..<fundamentalCount {
            let first = fundamentalStarts[f], end = fundamentalStarts[f + 1]
            groupWidth[f] = end - first
            groupRows[f] = counts[first]
            var exact = 0
            for j in first..<end { exact += counts[j] }
            groupExact[f] = exact
        }
        if fundamentalCount >= 2 {
            for f in stride(from: fundamentalCount - 2, through: 0, by: -1) {
                let last = fundamentalStarts[f + 1] - 1
                guard parent[last] >= 0, Int(fundamentalOfColumn[Int(parent[last])]) == f + 1 else { continue }
                let width = groupWidth[f] + groupWidth[f + 1]
                let rows = groupWidth[f] + groupRows[f + 1]
                let stored = width * rows - width * (width - 1) / 2
                let exact = groupExact[f] + groupExact[f + 1]
                let zeroFraction = Double(stored - exact) / Double(stored)
                let merge = width <= relaxation.smallWidth
                    || (width <= relaxation.mediumWidth && zeroFraction < relaxation.smallZeroFraction)
                    || (width <= relaxation.largeWidth && zeroFraction < relaxation.mediumZeroFraction)
                    || zeroFraction < relaxation.largeZeroFraction
                if merge {
                    groupWidth[f] = width
                    groupRows[f] = rows
                    groupExact[f] = exact
                    joinsPrevious[f + 1] = true
                }
            }
        }
        var starts = [Int]()
        for f in 0..<fundamentalCount where !joinsPrevious[f] { starts.append(fundamentalStarts[f]) }
        starts.append(n)
        let count = starts.count - 1
        supernodeCount = count
        supernodeStarts = starts
        var ofColumn = [Int32](repeating: 0, count: n)
        for s in 0..<count {
            for j in starts[s]..<starts[s + 1] { ofColumn[j] = Int32(s) }
        }
        supernodeOfColumn = ofColumn
        var superParent = [Int32](repeating: -1, count: count)
        for s in 0..<count {
            let p = parent[starts[s + 1] - 1]
            if p >= 0 { superParent[s] = ofColumn[Int(p)] }
        }
        supernodeParent = superParent

        // Row structures: own columns, then the union of the pattern's rows below the
        // supernode and the children's rows below it.
        var firstChild = [Int32](repeating: -1, count: count)
        var nextSibling = [Int32](repeating: -1, count: count)
        for s in stride(from: count - 1, through: 0, by: -1) where superParent[s] >= 0 {
            let p = Int(superParent[s])
            nextSibling[s] = firstChild[p]
            firstChild[p] = Int32(s)
        }
        var rowStarts = [Int](repeating: 0, count: count + 1)
        var allRows = [Int32]()
        allRows.reserveCapacity(exactNonzeroCount / 2 + n)
        var mark = [Int32](repeating: -1, count: n)
        var below = [Int32]()
        for s in 0..<count {
            let first = starts[s], end = starts[s + 1]
            below.removeAll(keepingCapacity: true)
            for j in first..<end {
                for position in pattern.columnStarts[j]..<pattern.columnStarts[j + 1] {
                    let row = pattern.rowIndices[position]
                    if Int(row) >= end && mark[Int(row)] != Int32(s) {
                        mark[Int(row)] = Int32(s)
                        below.append(row)
                    }
                }
            }
            var child = Int(firstChild[s])
            while child >= 0 {
                for position in rowStarts[child]..<rowStarts[child + 1] {
                    let row = allRows[position]
                    if Int(row) >= end && mark[Int(row)] != Int32(s) {
                        mark[Int(row)] = Int32(s)
                        below.append(row)
                    }
                }
                child = Int(nextSibling[child])
            }
            below.sort()
            for j in first..<end { allRows.append(Int32(j)) }
            allRows.append(contentsOf: below)
            rowStarts[s + 1] = allRows.count
        }
        self.rowStarts = rowStarts
        supernodeRows = allRows

        var offsets = [Int](repeating: 0, count: count + 1)
        var stored = 0
        for s in 0..<count {
            let width = starts[s + 1] - starts[s]
            let rows = rowStarts[s + 1] - rowStarts[s]
            offsets[s + 1] = offsets[s] + width * rows
            stored += width * rows - width * (width - 1) / 2
        }
        valueOffsets = offsets
        nonzeroCount = stored

        // Update schedule: each supernode's rows below its columns fall into runs owned by
        // ancestor supernodes; each run is one update of that ancestor.
        var perTarget = [Int](repeating: 0, count: count + 1)
        for d in 0..<count {
            let width = starts[d + 1] - starts[d]
            var position = rowStarts[d] + width
            let end = rowStarts[d + 1]
            while position < end {
                let target = Int(ofColumn[Int(allRows[position])])
                perTarget[target + 1] += 1
                let targetEnd = starts[target + 1]
                while position < end && Int(allRows[position]) < targetEnd { position += 1 }
            }
        }
        for s in 0..<count { perTarget[s + 1] += perTarget[s] }
        let updateCount = perTarget[count]
        var sources = [Int32](repeating: 0, count: updateCount)
        var rowPositions = [Int32](repeating: 0, count: updateCount)
        var rowCounts = [Int32](repeating: 0, count: updateCount)
        var fill = perTarget
        var workspace = 0
        for d in 0..<count {
            let width = starts[d + 1] - starts[d]
            let begin = rowStarts[d]
            var position = begin + width
            let end = rowStarts[d + 1]
            while position < end {
                let runStart = position
                let target = Int(ofColumn[Int(allRows[position])])
                let targetEnd = starts[target + 1]
                while position < end && Int(allRows[position]) < targetEnd { position += 1 }
                let slot = fill[target]
                fill[target] += 1
                sources[slot] = Int32(d)
                rowPositions[slot] = Int32(runStart - begin)
                rowCounts[slot] = Int32(position - runStart)
                workspace = max(workspace, (position - runStart) * (end - runStart))
            }
        }
        updateStarts = perTarget
        updateSources = sources
        updateRowPositions = rowPositions
        updateRowCounts = rowCounts
        updateWorkspaceCount = workspace
    }
}
