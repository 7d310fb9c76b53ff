import CKernels
import Foundation

/// A dense column-major matrix of doubles, the storage of the dense blocks of A and L.
struct DenseMatrix: Sendable, Equatable {
    let rowCount: Int
    let columnCount: Int
    /// Column-major values.
    var values: [Double]

    init(rowCount: Int, columnCount: Int, values: [Double]? = nil) {
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.values = values ?? [Double](repeating: 0, count: rowCount * columnCount)
    }

    subscript(row: Int, column: Int) -> Double {
        get { values[column * rowCount + row] }
        set { values[column * rowCount + row] = newValue }
    }

    mutating func setZero() {
        values.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = 0 }
        }
    }
}

/// Dense kernels on column-major buffers, in place, without allocation in Swift: thin wrappers
/// over the C kernels of `CKernels` (packed, register-blocked AVX2 + FMA code chosen at run time,
/// with a portable fallback).
enum DenseKernels {
    /// Lower Cholesky factor of the symmetric positive definite `matrix` (lower triangle used),
    /// in place; the strict upper triangle is set to zero. Returns `false` when a pivot is not
    /// positive (the matrix is not positive definite).
    ///
    /// From ``parallelCholeskyThreshold`` rows on it runs on ``threadCount`` threads; the result
    /// is bit-for-bit the single-threaded one (`mm_potrf_lower_threads`).
    /// - Parameter threads: the number of threads; `nil` chooses by size as above.
    @discardableResult
    static func cholesky(_ matrix: inout DenseMatrix, threads: Int? = nil) -> Bool {
        let size = matrix.rowCount
        guard size > 0 else { return true }
        let count = threads ?? (size >= parallelCholeskyThreshold ? threadCount : 1)
        return matrix.values.withUnsafeMutableBufferPointer { a -> Bool in
            guard let base = a.baseAddress else { return true }
            return mm_potrf_lower_threads(Int32(size), base, Int32(size), Int32(max(count, 1))) == 0
        }
    }

    /// The order from which ``cholesky(_:threads:)`` uses several threads. Measured on the
    /// 2-vCPU target (AVX2 path, best of 7–41 interleaved runs, second core free): two threads
    /// over one 0.81× at 256 rows (thread start and barriers), 1.13× at 384, 1.23× at 512,
    /// 1.41× at 768, 1.56× at 1128, 1.85× at 2000 (62 → 34 ms), 1.88× at 3000. When the other
    /// core is busy the gain falls to about 1.0× (the total CPU time stays that of one thread).
    static let parallelCholeskyThreshold = 512

    /// The threads that threaded kernels started from the calling thread may use: the active
    /// cores, capped by `mm_set_thread_limit` (1 inside parallel bootstrap replicates).
    /// The active processors, read once per process (Foundation may read cgroup files for it,
    /// which costs more than a small model's whole evaluation).
    static let processorCount = ThreadCountOverride.value ?? max(ProcessInfo.processInfo.activeProcessorCount, 1)

    static var threadCount: Int {
        let cores = processorCount
        let limit = Int(mm_thread_limit())
        return limit > 0 ? min(cores, limit) : cores
    }

    /// `target -= left * right'` where left is m×k and right n×k (target m×n).
    static func subtractProduct(_ target: inout DenseMatrix, _ left: DenseMatrix, _ right: DenseMatrix) {
        let m = target.rowCount
        let n = target.columnCount
        let k = left.columnCount
        guard k > 0, m > 0, n > 0 else { return }
        left.values.withUnsafeBufferPointer { l in
            right.values.withUnsafeBufferPointer { r in
                target.values.withUnsafeMutableBufferPointer { t in
                    guard let lp = l.baseAddress, let rp = r.baseAddress, let tp = t.baseAddress else { return }
                    mm_gemm_nt_sub(Int32(m), Int32(n), Int32(k), lp, Int32(m), rp, Int32(n), tp, Int32(m))
                }
            }
        }
    }

    /// The lower triangle of `target -= factor * factor'` (a symmetric rank-k update, `syrk`),
    /// factor n×k and target n×n. Entries above the diagonal may be overwritten with partial
    /// sums; the factorisation that follows ignores them.
    static func subtractSymmetricProduct(_ target: inout DenseMatrix, _ factor: DenseMatrix) {
        let n = target.rowCount
        let k = factor.columnCount
        guard k > 0, n > 0 else { return }
        factor.values.withUnsafeBufferPointer { f in
            target.values.withUnsafeMutableBufferPointer { t in
                guard let fp = f.baseAddress, let tp = t.baseAddress else { return }
                mm_syrk_lower_sub(Int32(n), Int32(k), fp, Int32(n), tp, Int32(n))
            }
        }
    }

    /// `matrix ← matrix · L⁻ᵀ` for lower-triangular `factor` (a right triangular solve, `trsm`).
    static func solveRightLowerTranspose(_ matrix: inout DenseMatrix, factor: DenseMatrix) {
        let m = matrix.rowCount
        let size = factor.rowCount
        guard m > 0, size > 0 else { return }
        factor.values.withUnsafeBufferPointer { f in
            matrix.values.withUnsafeMutableBufferPointer { x in
                guard let fp = f.baseAddress, let xp = x.baseAddress else { return }
                mm_trsm_right_lower_trans(Int32(m), Int32(size), fp, Int32(size), xp, Int32(m))
            }
        }
    }
}
