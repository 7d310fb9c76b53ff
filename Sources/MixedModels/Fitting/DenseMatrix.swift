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

/// Dense kernels on column-major buffers, in place, without allocation.
enum DenseKernels {
    /// Lower Cholesky factor of the symmetric positive definite `matrix` (lower triangle used),
    /// in place; the strict upper triangle is set to zero. Returns `false` when a pivot is not
    /// positive (the matrix is not positive definite). Blocked: see ``DenseCholesky``.
    @discardableResult
    static func cholesky(_ matrix: inout DenseMatrix) -> Bool {
        let size = matrix.rowCount
        return matrix.values.withUnsafeMutableBufferPointer { a -> Bool in
            guard let base = a.baseAddress else { return true }
            return DenseCholesky.factor(base, size: size)
        }
    }

    /// `target -= left * right'` where left is m×k and right n×k (target m×n). With
    /// `lowerOnly` the caller needs only the lower triangle of a square target (a symmetric
    /// rank-k update); the whole product is formed, which the blocked kernel does faster than
    /// a triangular loop, and the upper triangle is ignored by the factorisation that follows.
    static func subtractProduct(_ target: inout DenseMatrix, _ left: DenseMatrix, _ right: DenseMatrix, lowerOnly: Bool = false) {
        let m = target.rowCount
        let n = target.columnCount
        let k = left.columnCount
        guard k > 0, m > 0, n > 0 else { return }
        left.values.withUnsafeBufferPointer { l in
            right.values.withUnsafeBufferPointer { r in
                target.values.withUnsafeMutableBufferPointer { t in
                    guard let lp = l.baseAddress, let rp = r.baseAddress, let tp = t.baseAddress else { return }
                    DenseCholesky.subtractProduct(target: tp, targetStride: m, rows: m, columns: n,
                                                  left: lp, leftStride: m, right: rp, rightStride: n, inner: k)
                }
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
                // X L' = B: column j of X = (B_j - Σ_{i<j} X_i L[j,i]) / L[j,j]
                for column in 0..<size {
                    let target = xp + column * m
                    for previous in 0..<column {
                        let factorValue = fp[previous * size + column]
                        if factorValue == 0 { continue }
                        let source = xp + previous * m
                        for row in 0..<m { target[row] -= source[row] * factorValue }
                    }
                    let inverse = 1 / fp[column * size + column]
                    for row in 0..<m { target[row] *= inverse }
                }
            }
        }
    }
}
