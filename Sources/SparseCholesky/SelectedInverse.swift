import CKernels

/// Products with at most this many multiply-adds are computed inline rather than by the kernels
/// (whose call and packing overhead dominates tiny products).
private let smallProductLimit = 2048
/// Diagonal blocks up to this width are inverted inline rather than by trsm on an identity.
private let smallInverseWidth = 16

/// C −= A·Bᵀ: C m×n (ldc), A m×k (lda), B n×k (ldb); inline for tiny products, else the kernel.
@inline(__always)
private func gemmNTSub(_ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Double>, _ lda: Int,
                       _ b: UnsafePointer<Double>, _ ldb: Int, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
    guard m > 0, n > 0, k > 0 else { return }
    if m * n * k <= smallProductLimit {
        for j in 0..<n {
            let column = c + j * ldc
            for p in 0..<k {
                let factor = b[j + p * ldb]
                guard factor != 0 else { continue }
                let source = a + p * lda
                for i in 0..<m { column[i] -= source[i] * factor }
            }
        }
    } else {
        mm_gemm_nt_sub(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), c, Int32(ldc))
    }
}

/// U ← L⁻ᵀ for the w×w lower triangular L (ld `leading`) into the w×w block `u` (ld
/// `uLeading`; upper triangular, its strict lower triangle zero). `u` must not overlap `l`.
@inline(__always)
private func inverseTranspose(_ l: UnsafePointer<Double>, width w: Int, leading: Int,
                              into u: UnsafeMutablePointer<Double>, uLeading: Int) {
    for j in 0..<w { (u + j * uLeading).update(repeating: 0, count: w) }
    if w <= smallInverseWidth {
        // Column j of L⁻¹ (forward substitution on e_j) is row j of U.
        for j in 0..<w {
            u[j + j * uLeading] = 1
            for k in j..<w {
                let x = u[j + k * uLeading] / l[k + k * leading]
                u[j + k * uLeading] = x
                guard x != 0 else { continue }
                for i in (k + 1)..<max(w, k + 1) { u[j + i * uLeading] -= l[i + k * leading] * x }
            }
        }
    } else {
        for j in 0..<w { u[j + j * uLeading] = 1 }
        // I·L⁻ᵀ.
        mm_trsm_right_lower_trans(Int32(w), Int32(w), l, Int32(leading), u, Int32(uLeading))
    }
}

/// Position of `target` in the ascending `rows[from ..< end]` (galloping search from `from`),
/// or nil when it is absent.
@inline(__always)
private func gallop(_ rows: UnsafePointer<Int32>, from: Int, end: Int, target: Int32) -> Int? {
    guard from < end else { return nil }
    if rows[from] >= target { return rows[from] == target ? from : nil }
    // rows[low] < target; find high with rows[high] ≥ target (or end).
    var low = from
    var step = 1
    var high = from + 1
    while high < end && rows[high] < target {
        low = high
        step *= 2
        high = low + step
    }
    if high > end { high = end }
    // rows[low] < target ≤ rows[high] (high == end meaning +∞).
    var first = low + 1, last = high
    while first < last {
        let middle = (first + last) / 2
        if rows[middle] < target { first = middle + 1 } else { last = middle }
    }
    guard first < end, rows[first] == target else { return nil }
    return first
}

/// The entries of G = M⁻¹ = (L·Lᵀ)⁻¹ on the structure of a supernodal Cholesky factor L (the
/// "selected inverse"), in the new order of the factor's `SupernodalStructure`.
///
/// Layout: `values` has exactly the layout of the factor's values — one dense column-major
/// panel per supernode over its rows — so `structure.offset(row:column:)` (row ≥ column) indexes
/// G too. Unlike the factor, each supernode's diagonal block is stored as a full symmetric
/// block (its upper triangle holds G as well). Amalgamation zeros of L are entries of the
/// structure like any other: G is computed there too.
///
/// Algorithm (supernodal Takahashi recurrence): supernodes are processed from the last to the
/// first. For supernode J with diagonal block L_JJ (w×w) and rows below R (m of them), with
/// Y = L_RJ·L_JJ⁻¹ and G_RR already known (every pair of R lies in the structure of the
/// ancestor supernode owning the smaller index),
///
///     G_RJ = −G_RR·Y,    G_JJ = L_JJ⁻ᵀ·L_JJ⁻¹ − Yᵀ·G_RJ.
///
/// G_RR is read from the ancestor panels through the positions of R in the rows of each owning
/// ancestor (one galloping merge of the sorted row lists per ancestor, not a search per entry),
/// gathered by column blocks of at most `chunkWidth` (128) columns into a dense workspace, so
/// G_RR·Y needs O(m·128) scratch rather than O(m²); L_JJ⁻ᵀ comes from
/// `mm_trsm_right_lower_trans` on an identity and the products from `mm_gemm_nt_sub` (inline
/// loops for tiny ones).
///
/// Complexity: per supernode O(w³ + w²·m + w·m²) operations plus O(m²) gathered entries — the
/// same order as the numeric factorisation (whose updates cost Σ w·m² as well); in practice
/// about two to three factorisations (G_RR·Y is a full, not triangular, product). Memory: one
/// array of the factor's size plus a workspace of max_J (w² + 2·w·m + 2·m·min(m, 128))
/// doubles, allocated once per computation.
public struct SelectedInverse: Sendable {
    /// The symbolic structure the values are laid out in (the factor's).
    public let structure: SupernodalStructure
    /// G on the structure of L, in the factor's panel layout (diagonal blocks stored full).
    public private(set) var values: [Double]

    /// The selected inverse of the matrix `factor` factorises; nil when `factor` does not hold
    /// a successful factorisation (or, which cannot happen for a structure built by
    /// `SupernodalStructure.analyze`, when its row structures are not closed under the tree).
    public init?(factor: SupernodalFactor) {
        self.init(factor: factor, chunkWidth: Self.chunkWidth)
    }

    /// As `init(factor:)` with a given column-block width for G_RR (tests use small ones).
    init?(factor: SupernodalFactor, chunkWidth: Int) {
        guard factor.isFactorized, chunkWidth > 0 else { return nil }
        let structure = factor.structure
        var values = [Double](repeating: 0, count: structure.valueCount)
        guard Self.compute(structure, factor: factor.values, into: &values, chunkWidth: chunkWidth) else {
            return nil
        }
        self.structure = structure
        self.values = values
    }

    /// Recomputes G in place from a new factorisation on the same structure (no reallocation
    /// of `values`). Returns false, leaving `values` unspecified, when `factor` is not
    /// factorised or has a different structure (checked by dimensions and value counts).
    public mutating func update(factor: SupernodalFactor) -> Bool {
        guard factor.isFactorized, factor.structure.dimension == structure.dimension,
              factor.structure.valueCount == structure.valueCount,
              factor.structure.supernodeStarts == structure.supernodeStarts,
              factor.structure.rowStarts == structure.rowStarts
        else { return false }
        return Self.compute(structure, factor: factor.values, into: &values, chunkWidth: Self.chunkWidth)
    }

    /// G[row, column] (new order; the two indices in either order), or nil when the pair is not
    /// in the structure of L or an index is out of range. O(log rowCount).
    public func entry(row: Int, column: Int) -> Double? {
        guard let offset = structure.offset(row: max(row, column), column: min(row, column)) else {
            return nil
        }
        return values[offset]
    }

    /// The doubles of workspace the recurrence needs: max over supernodes of
    /// w² + 2·w·m + 2·m·min(m, `chunkWidth`).
    static func workspaceCount(_ s: SupernodalStructure, chunkWidth: Int = chunkWidth) -> Int {
        var count = 0
        for node in 0..<s.supernodeCount {
            let w = s.width(node)
            let m = s.rowCount(node) - w
            count = max(count, w * w + 2 * w * m + 2 * m * min(m, chunkWidth))
        }
        return count
    }

    /// G_RR is gathered by column blocks of at most this many columns (the workspace is
    /// O(m·chunkWidth), not O(m²)).
    static let chunkWidth = 128

    /// Runs the recurrence from the factor values `l` into `g` (same layout, same count).
    private static func compute(_ s: SupernodalStructure, factor l: [Double], into g: inout [Double],
                                chunkWidth: Int) -> Bool {
        guard l.count == s.valueCount, g.count == s.valueCount else { return false }
        var maxBelow = 0
        for node in 0..<s.supernodeCount { maxBelow = max(maxBelow, s.rowCount(node) - s.width(node)) }
        var workspace = [Double](repeating: 0, count: max(workspaceCount(s, chunkWidth: chunkWidth), 1))
        var positions = [Int](repeating: 0, count: max(maxBelow, 1))
        var succeeded = true
        s.supernodeStarts.withUnsafeBufferPointer { starts in
        s.rowStarts.withUnsafeBufferPointer { rowStarts in
        s.supernodeRows.withUnsafeBufferPointer { rowBuffer in
        s.valueOffsets.withUnsafeBufferPointer { offsets in
        s.supernodeOfColumn.withUnsafeBufferPointer { ofColumn in
        l.withUnsafeBufferPointer { lBuffer in
        g.withUnsafeMutableBufferPointer { gBuffer in
        workspace.withUnsafeMutableBufferPointer { workBuffer in
        positions.withUnsafeMutableBufferPointer { position in
            guard let lValues = lBuffer.baseAddress, let gValues = gBuffer.baseAddress,
                  let work = workBuffer.baseAddress, let rows = rowBuffer.baseAddress
            else { return }
            for node in stride(from: s.supernodeCount - 1, through: 0, by: -1) {
                let first = starts[node]
                let w = starts[node + 1] - first
                let rowBegin = rowStarts[node]
                let leading = rowStarts[node + 1] - rowBegin
                let m = leading - w
                let lPanel = lValues + offsets[node]
                let gPanel = gValues + offsets[node]
                // U = L_JJ⁻ᵀ (w×w) lives in G's own diagonal block until G_JJ replaces it.
                // Workspace: C (w×w), T = −Yᵀ (w×m), H = Yᵀ·G_RR (w×m), and a column block of
                // G_RR with its transpose (m × chunk each).
                let u = gPanel
                let c = work
                let t = c + w * w
                let h = t + w * m
                let block = h + w * m
                let transposed = block + m * min(m, chunkWidth)
                inverseTranspose(lPanel, width: w, leading: leading, into: u, uLeading: leading)
                c.update(repeating: 0, count: w * w)
                gemmNTSub(w, w, w, u, leading, u, leading, c, w)  // C = −U·Uᵀ
                if m > 0 {
                    // T = −U·L_RJᵀ = −Yᵀ.
                    t.update(repeating: 0, count: w * m)
                    gemmNTSub(w, m, w, u, leading, lPanel + w, leading, t, w)
                    // H = Yᵀ·G_RR = −G_JR, accumulated block by block.
                    h.update(repeating: 0, count: w * m)
                    guard multiplyBelow(rows: rows, rowBegin: rowBegin, width: w, below: m,
                                        starts: starts, rowStarts: rowStarts, offsets: offsets,
                                        ofColumn: ofColumn, g: gValues, positions: position,
                                        t: t, h: h, block: block, transposed: transposed,
                                        chunkWidth: chunkWidth)
                    else {
                        succeeded = false
                        return
                    }
                    // T ← Yᵀ; C −= H·Y, so C = −(U·Uᵀ + Yᵀ·G_RR·Y) = −G_JJ.
                    for i in 0..<(w * m) { t[i] = -t[i] }
                    gemmNTSub(w, w, m, h, w, t, w, c, w)
                    // G_RJ = −Hᵀ.
                    for j in 0..<w {
                        let column = gPanel + j * leading + w
                        for r in 0..<m { column[r] = -h[j + r * w] }
                    }
                }
                // G_JJ = −C, stored full and exactly symmetric (from its lower triangle).
                for j in 0..<w {
                    for i in j..<w {
                        let value = -c[i + j * w]
                        gPanel[i + j * leading] = value
                        gPanel[j + i * leading] = value
                    }
                }
            }
        }}}}}}}}}
        return succeeded
    }

    /// H −= T·G_RR (T = −Yᵀ, w×m; G_RR symmetric over the rows below the supernode), reading
    /// G_RR from the already computed panels of the ancestors owning its columns, by column
    /// blocks B = [s, e) of one owner: H[:, s...] −= T[:, B]·G_RR[s..., B]ᵀ (the blocks on and
    /// below the diagonal) and H[:, B] −= T[:, e...]·G_RR[e..., B] (their mirror above it).
    /// False when a pair is missing from the structure.
    @inline(__always)
    private static func multiplyBelow(rows: UnsafePointer<Int32>, rowBegin: Int, width w: Int, below m: Int,
                                      starts: UnsafeBufferPointer<Int>, rowStarts: UnsafeBufferPointer<Int>,
                                      offsets: UnsafeBufferPointer<Int>, ofColumn: UnsafeBufferPointer<Int32>,
                                      g: UnsafePointer<Double>, positions: UnsafeMutableBufferPointer<Int>,
                                      t: UnsafePointer<Double>, h: UnsafeMutablePointer<Double>,
                                      block: UnsafeMutablePointer<Double>,
                                      transposed: UnsafeMutablePointer<Double>, chunkWidth: Int) -> Bool {
        let below = rows + rowBegin + w
        var runStart = 0
        while runStart < m {
            let owner = Int(ofColumn[Int(below[runStart])])
            let ownerFirst = starts[owner]
            let ownerEnd = starts[owner + 1]
            let ownerRowBegin = rowStarts[owner]
            let ownerRowEnd = rowStarts[owner + 1]
            let ownerLeading = ownerRowEnd - ownerRowBegin
            let ownerWidth = ownerEnd - ownerFirst
            // Positions of below[runStart...] in the owner's row list: own columns directly,
            // the rest by one galloping merge.
            var runEnd = runStart
            while runEnd < m && Int(below[runEnd]) < ownerEnd {
                positions[runEnd] = Int(below[runEnd]) - ownerFirst
                runEnd += 1
            }
            var cursor = ownerRowBegin + ownerWidth
            for a in runEnd..<m {
                guard let found = gallop(rows, from: cursor, end: ownerRowEnd, target: below[a]) else { return false }
                positions[a] = found - ownerRowBegin
                cursor = found + 1
            }
            let ownerPanel = g + offsets[owner]
            var chunkStart = runStart
            while chunkStart < runEnd {
                let chunkEnd = min(runEnd, chunkStart + chunkWidth)
                let k = chunkEnd - chunkStart
                let height = m - chunkStart
                // block = G_RR[chunkStart..<m, chunk] (height × k).
                for b in chunkStart..<chunkEnd {
                    let source = ownerPanel + (Int(below[b]) - ownerFirst) * ownerLeading
                    let destination = block + (b - chunkStart) * height
                    for a in chunkStart..<m { destination[a - chunkStart] = source[positions[a]] }
                }
                gemmNTSub(w, height, k, t + chunkStart * w, w, block, height, h + chunkStart * w, w)
                let rest = m - chunkEnd
                if rest > 0 {
                    // transposed = (G_RR[chunkEnd..<m, chunk])ᵀ (k × rest).
                    for b in 0..<k {
                        let source = block + b * height + k
                        for a in 0..<rest { transposed[b + a * k] = source[a] }
                    }
                    gemmNTSub(w, k, rest, t + chunkEnd * w, w, transposed, k, h + chunkStart * w, w)
                }
                chunkStart = chunkEnd
            }
            runStart = runEnd
        }
        return true
    }
}
