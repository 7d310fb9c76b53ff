import CKernels
import Foundation

/// Updates with at most this many multiply-adds are computed inline rather than by the kernels
/// (whose call and packing overhead dominates tiny products).
private let smallUpdateLimit = 512
/// Panels with width² × rows at most this are factorised inline rather than by potrf + trsm.
private let smallPanelLimit = 4096
/// Diagonal blocks from this width on use the threaded dense Cholesky when threads are given
/// (the size from which two threads beat one on the 2-core target; see DenseKernels).
private let threadedPanelWidth = 512

/// Cholesky of a small rows × width panel in place: the diagonal block becomes L11 (its strict
/// upper triangle zeroed) and the rows below become L21 = A21·L11⁻ᵀ. False on a pivot that is
/// not positive and finite.
@inline(__always)
private func factorSmallPanel(_ panel: UnsafeMutablePointer<Double>, width: Int, leading: Int) -> Bool {
    for c in 0..<width {
        let column = panel + c * leading
        let pivot = column[c]
        guard pivot > 0, pivot.isFinite else { return false }
        let diagonal = pivot.squareRoot()
        column[c] = diagonal
        let inverse = 1 / diagonal
        for r in (c + 1)..<leading { column[r] *= inverse }
        for r in 0..<c { column[r] = 0 }
        for c2 in (c + 1)..<width {
            let target = panel + c2 * leading
            let factor = column[c2]
            guard factor != 0 else { continue }
            for r in c2..<leading { target[r] -= column[r] * factor }
        }
    }
    return true
}

/// The numeric Cholesky factor L (M = L·Lᵀ, new order) of a matrix with a given
/// `SupernodalStructure`, factorised in place by a supernodal left-looking algorithm.
///
/// Use: `setZero()`, add the lower triangle of M into `values` at the positions given by
/// `structure.offset(row:column:)`, then `factorize()`. All workspace is allocated by
/// `init(structure:)`; `factorize()` and the solves allocate nothing (as long as the factor's
/// arrays are not shared with a copy of the factor, which Swift would copy once on write).
///
/// Algorithm: for each supernode in order, every descendant supernode with rows inside it
/// contributes −L_D[rows ≥ first, :]·L_D[rows inside, :]ᵀ, computed by `mm_syrk_lower_sub` /
/// `mm_gemm_nt_sub` into the workspace and scattered with relative indices; then the diagonal
/// block is factorised (`mm_potrf_lower`) and the rows below are solved (`mm_trsm_right_lower_trans`).
public struct SupernodalFactor: Sendable {
    /// The symbolic structure the values are laid out in.
    public let structure: SupernodalStructure
    /// The supernode panels (see `SupernodalStructure`): M's lower triangle before
    /// `factorize()`, L after a successful one.
    /// Values written after a successful `factorize()` are used as they are by the solves
    /// (call `setZero()` to start a new matrix); a changed count makes every call return false.
    public var values: [Double]
    /// Whether `values` holds a complete factor: the last `factorize()` succeeded and
    /// `setZero()` was not called since.
    public private(set) var isFactorized = false
    /// Σ_j log L_jj of the last successful factorisation (log det M = 2 × this); NaN otherwise.
    public private(set) var logDiagonalSum = Double.nan

    private var workspace: [Double]
    private var relativeRow: [Int32]
    /// L_jj per column of the last factorisation, whose logarithms are summed in column order
    /// afterwards (``LogProduct``) so that the sum does not depend on which thread factorised
    /// which column.
    private var columnDiagonals: [Double]
    /// The two-thread split of the tree, when it has one worth using (see `SubtreeSchedule`).
    private let schedule: SubtreeSchedule?
    /// The second thread's scratch (empty without a schedule).
    private var secondWorkspace: [Double]
    private var secondRelativeRow: [Int32]

    /// Factorisations of fewer flops than this stay on one thread (a thread hand-off costs
    /// tens of microseconds).
    public static let parallelFlopThreshold = 2e7

    /// A factor with zero values and the workspace `structure` needs.
    public init(structure: SupernodalStructure) {
        self.structure = structure
        values = [Double](repeating: 0, count: structure.valueCount)
        workspace = [Double](repeating: 0, count: max(structure.updateWorkspaceCount, 1))
        relativeRow = [Int32](repeating: 0, count: max(structure.dimension, 1))
        columnDiagonals = [Double](repeating: 0, count: structure.dimension)
        schedule = structure.flopCount >= Self.parallelFlopThreshold ? SubtreeSchedule(structure: structure) : nil
        secondWorkspace = schedule == nil ? [] : workspace
        secondRelativeRow = schedule == nil ? [] : relativeRow
    }

    /// Sets every value to zero (ready for the caller to add M's entries).
    public mutating func setZero() {
        values.withUnsafeMutableBufferPointer { buffer in
            if let base = buffer.baseAddress { base.update(repeating: 0, count: buffer.count) }
        }
        isFactorized = false
        logDiagonalSum = .nan
    }

    /// Factorises in place, on up to `threads` threads (two at most are used: the subtrees of
    /// `SubtreeSchedule` side by side, then the supernodes above them, whose large diagonal
    /// blocks use the threaded dense Cholesky). The result is the same, bit for bit, for any
    /// number of threads. Returns false, leaving `values` partly overwritten, when the matrix
    /// is not (numerically) positive definite or holds non-finite numbers, or when `values` no
    /// longer has `structure.valueCount` entries.
    public mutating func factorize(threads: Int = 1) -> Bool {
        isFactorized = false
        logDiagonalSum = .nan
        let s = structure
        guard values.count == s.valueCount else { return false }
        guard s.supernodeCount > 0 || s.dimension == 0 else { return false }
        let parallel = threads > 1 ? schedule : nil
        var succeeded = true
        s.supernodeStarts.withUnsafeBufferPointer { starts in
        s.rowStarts.withUnsafeBufferPointer { rowStarts in
        s.supernodeRows.withUnsafeBufferPointer { rows in
        s.valueOffsets.withUnsafeBufferPointer { offsets in
        s.updateStarts.withUnsafeBufferPointer { updateStarts in
        s.updateSources.withUnsafeBufferPointer { sources in
        s.updateRowPositions.withUnsafeBufferPointer { rowPositions in
        s.updateRowCounts.withUnsafeBufferPointer { rowCounts in
        values.withUnsafeMutableBufferPointer { valueBuffer in
        columnDiagonals.withUnsafeMutableBufferPointer { logBuffer in
        workspace.withUnsafeMutableBufferPointer { workBuffer in
        relativeRow.withUnsafeMutableBufferPointer { relative in
        secondWorkspace.withUnsafeMutableBufferPointer { secondWork in
        secondRelativeRow.withUnsafeMutableBufferPointer { secondRelative in
            guard let values = valueBuffer.baseAddress, let rowBase = rows.baseAddress,
                  let work = workBuffer.baseAddress, let relativeBase = relative.baseAddress
            else { return }
            let context = PanelContext(
                starts: starts, rowStarts: rowStarts, rows: rowBase, offsets: offsets,
                updateStarts: updateStarts, sources: sources, rowPositions: rowPositions, rowCounts: rowCounts,
                values: values, diagonals: logBuffer.baseAddress)
            guard let parallel, let secondWorkBase = secondWork.baseAddress,
                  let secondRelativeBase = secondRelative.baseAddress else {
                // No split worth using: one thread, but its large diagonal blocks (a dense root,
                // say) still use the threaded Cholesky.
                for target in 0..<s.supernodeCount
                where !context.factor(target, work: work, relative: relativeBase, threads: threads) {
                    succeeded = false
                    return
                }
                return
            }
            let scratch = [Scratch(work: work, relative: relativeBase),
                           Scratch(work: secondWorkBase, relative: secondRelativeBase)]
            let outcomes = PartOutcomes()
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                var ok = true
                for target in parallel.parts[part]
                where !context.factor(Int(target), work: scratch[part].work, relative: scratch[part].relative, threads: 1) {
                    ok = false
                    break
                }
                outcomes.record(part: part, succeeded: ok)
            }
            guard outcomes.allSucceeded else {
                succeeded = false
                return
            }
            for target in parallel.top
            where !context.factor(Int(target), work: work, relative: relativeBase, threads: threads) {
                succeeded = false
                return
            }
        }}}}}}}}}}}}}}
        guard succeeded else { return false }
        // Σ log L_jj in column order (runs of products: one logarithm per run).
        let logSum = columnDiagonals.withUnsafeBufferPointer { LogProduct.sum($0) }
        isFactorized = true
        logDiagonalSum = logSum
        return true
    }

    /// L_jj (new order) of the factor; NaN when j is out of range or there is no factor.
    public func diagonal(_ j: Int) -> Double {
        guard isFactorized, j >= 0, j < structure.dimension else { return .nan }
        let s = Int(structure.supernodeOfColumn[j])
        let first = structure.supernodeStarts[s]
        let leading = structure.rowCount(s)
        return values[structure.valueOffsets[s] + (j - first) * leading + (j - first)]
    }

    /// Solves L·y = x in place (x in the new order). Returns false, leaving x unchanged, when
    /// there is no factor or x.count ≠ n.
    @discardableResult
    public func solveLower(_ x: inout [Double]) -> Bool {
        guard isFactorized, x.count == structure.dimension, values.count == structure.valueCount else {
            return false
        }
        let s = structure
        s.supernodeStarts.withUnsafeBufferPointer { starts in
        s.rowStarts.withUnsafeBufferPointer { rowStarts in
        s.supernodeRows.withUnsafeBufferPointer { rows in
        values.withUnsafeBufferPointer { values in
        x.withUnsafeMutableBufferPointer { x in
            for node in 0..<s.supernodeCount {
                let first = starts[node]
                let width = starts[node + 1] - first
                let rowBegin = rowStarts[node]
                let leading = rowStarts[node + 1] - rowBegin
                let panel = s.valueOffsets[node]
                for c in 0..<width {
                    let column = panel + c * leading
                    let value = x[first + c] / values[column + c]
                    x[first + c] = value
                    guard value != 0 else { continue }
                    for r in (c + 1)..<width { x[first + r] -= values[column + r] * value }
                    for r in width..<leading { x[Int(rows[rowBegin + r])] -= values[column + r] * value }
                }
            }
        }}}}}
        return true
    }

    /// Solves Lᵀ·y = x in place (x in the new order). Returns false, leaving x unchanged, when
    /// there is no factor or x.count ≠ n.
    @discardableResult
    public func solveLowerTransposed(_ x: inout [Double]) -> Bool {
        guard isFactorized, x.count == structure.dimension, values.count == structure.valueCount else {
            return false
        }
        let s = structure
        s.supernodeStarts.withUnsafeBufferPointer { starts in
        s.rowStarts.withUnsafeBufferPointer { rowStarts in
        s.supernodeRows.withUnsafeBufferPointer { rows in
        values.withUnsafeBufferPointer { values in
        x.withUnsafeMutableBufferPointer { x in
            for node in stride(from: s.supernodeCount - 1, through: 0, by: -1) {
                let first = starts[node]
                let width = starts[node + 1] - first
                let rowBegin = rowStarts[node]
                let leading = rowStarts[node + 1] - rowBegin
                let panel = s.valueOffsets[node]
                for c in stride(from: width - 1, through: 0, by: -1) {
                    let column = panel + c * leading
                    var sum = x[first + c]
                    for r in width..<leading { sum -= values[column + r] * x[Int(rows[rowBegin + r])] }
                    for r in (c + 1)..<width { sum -= values[column + r] * x[first + r] }
                    x[first + c] = sum / values[column + c]
                }
            }
        }}}}}
        return true
    }

    /// B ← B·L⁻ᵀ for a dense k×n block B stored column-major with leading dimension k
    /// (entry (i, j) at `block[i + j * k]`, columns in the new order); equivalently each
    /// row of B is replaced by the solution of L·y = (that row)ᵀ. Returns false, leaving the
    /// block unchanged, when there is no factor, k < 0 or block.count ≠ k·n.
    @discardableResult
    public func solveLowerRight(_ block: inout [Double], rowCount k: Int) -> Bool {
        let product = k.multipliedReportingOverflow(by: structure.dimension)
        guard isFactorized, k >= 0, !product.overflow, block.count == product.partialValue,
              values.count == structure.valueCount
        else { return false }
        guard k > 0 else { return true }
        let s = structure
        s.supernodeStarts.withUnsafeBufferPointer { starts in
        s.rowStarts.withUnsafeBufferPointer { rowStarts in
        s.supernodeRows.withUnsafeBufferPointer { rows in
        values.withUnsafeBufferPointer { valueBuffer in
        block.withUnsafeMutableBufferPointer { blockBuffer in
            guard let values = valueBuffer.baseAddress, let b = blockBuffer.baseAddress else { return }
            for node in 0..<s.supernodeCount {
                let first = starts[node]
                let width = starts[node + 1] - first
                let rowBegin = rowStarts[node]
                let leading = rowStarts[node + 1] - rowBegin
                let panel = values + s.valueOffsets[node]
                let diagonalColumns = b + first * k
                mm_trsm_right_lower_trans(Int32(k), Int32(width), panel, Int32(leading),
                                          diagonalColumns, Int32(k))
                // B[:, rows below] −= B[:, own columns] · L21ᵀ.
                for r in width..<leading {
                    let target = b + Int(rows[rowBegin + r]) * k
                    for c in 0..<width {
                        let l = panel[c * leading + r]
                        guard l != 0 else { continue }
                        let sourceColumn = diagonalColumns + c * k
                        for i in 0..<k { target[i] -= l * sourceColumn[i] }
                    }
                }
            }
        }}}}}
        return true
    }
}

/// One thread's scratch for the factorisation.
private struct Scratch: @unchecked Sendable {
    let work: UnsafeMutablePointer<Double>
    let relative: UnsafeMutablePointer<Int32>
}

/// Whether each part of a two-thread factorisation succeeded.
private final class PartOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var failed = false

    func record(part: Int, succeeded: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if !succeeded { failed = true }
    }

    var allSucceeded: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !failed
    }
}

/// The structure's arrays and the values, as raw pointers, for factorising one supernode.
/// Threads share it: each writes only the panels (and column diagonals) of its own supernodes and
/// reads only those of their descendants, which are final before it starts.
private struct PanelContext: @unchecked Sendable {
    let starts: UnsafeBufferPointer<Int>
    let rowStarts: UnsafeBufferPointer<Int>
    let rows: UnsafePointer<Int32>
    let offsets: UnsafeBufferPointer<Int>
    let updateStarts: UnsafeBufferPointer<Int>
    let sources: UnsafeBufferPointer<Int32>
    let rowPositions: UnsafeBufferPointer<Int32>
    let rowCounts: UnsafeBufferPointer<Int32>
    let values: UnsafeMutablePointer<Double>
    let diagonals: UnsafeMutablePointer<Double>?

    /// Applies every descendant's update to supernode `target`, factorises its diagonal block
    /// and solves the rows below; records L_jj of its columns. False on a bad pivot.
    func factor(_ target: Int, work: UnsafeMutablePointer<Double>, relative: UnsafeMutablePointer<Int32>,
                threads: Int) -> Bool {
        let first = starts[target]
        let width = starts[target + 1] - first
        let rowBegin = rowStarts[target]
        let leading = rowStarts[target + 1] - rowBegin
        for k in 0..<leading { relative[Int(rows[rowBegin + k])] = Int32(k) }
        let panel = values + offsets[target]
        for update in updateStarts[target]..<updateStarts[target + 1] {
            let source = Int(sources[update])
            let sourceWidth = starts[source + 1] - starts[source]
            let sourceRowBegin = rowStarts[source]
            let sourceLeading = rowStarts[source + 1] - sourceRowBegin
            let position = Int(rowPositions[update])
            let inside = Int(rowCounts[update])
            let remaining = sourceLeading - position
            let sourcePanel = values + offsets[source]
            let sourceRows = rows + sourceRowBegin + position
            if inside * remaining * sourceWidth <= smallUpdateLimit {
                // Small update: dot products straight into the target (no kernel call).
                let sourceBase = sourcePanel + position
                for jj in 0..<inside {
                    let destination = panel + (Int(sourceRows[jj]) - first) * leading
                    for ii in jj..<remaining {
                        var sum = 0.0
                        for k in 0..<sourceWidth {
                            sum += sourceBase[ii + k * sourceLeading] * sourceBase[jj + k * sourceLeading]
                        }
                        destination[Int(relative[Int(sourceRows[ii])])] -= sum
                    }
                }
                continue
            }
            work.update(repeating: 0, count: remaining * inside)
            mm_syrk_lower_sub(Int32(inside), Int32(sourceWidth), sourcePanel + position,
                              Int32(sourceLeading), work, Int32(remaining))
            if remaining > inside {
                mm_gemm_nt_sub(Int32(remaining - inside), Int32(inside), Int32(sourceWidth),
                               sourcePanel + position + inside, Int32(sourceLeading),
                               sourcePanel + position, Int32(sourceLeading),
                               work + inside, Int32(remaining))
            }
            // Scatter: column jj of the update is column (row − first) of the target.
            for jj in 0..<inside {
                let column = Int(sourceRows[jj]) - first
                let destination = panel + column * leading
                let contribution = work + jj * remaining
                for ii in jj..<remaining {
                    destination[Int(relative[Int(sourceRows[ii])])] += contribution[ii]
                }
            }
        }
        if width * width * leading <= smallPanelLimit {
            guard factorSmallPanel(panel, width: width, leading: leading) else { return false }
        } else {
            // The threaded Cholesky gives the one-thread result for any thread count.
            let info = threads > 1 && width >= threadedPanelWidth
                ? mm_potrf_lower_threads(Int32(width), panel, Int32(leading), Int32(threads))
                : mm_potrf_lower(Int32(width), panel, Int32(leading))
            guard info == 0 else { return false }
            if leading > width {
                mm_trsm_right_lower_trans(Int32(leading - width), Int32(width), panel,
                                          Int32(leading), panel + width, Int32(leading))
            }
        }
        if let diagonals {
            for c in 0..<width { diagonals[first + c] = panel[c * leading + c] }
        }
        return true
    }
}
