/// Kernels on small dense tiles (s×s and r×c blocks of the random-effects parts of A and L),
/// through raw pointers so that the optimiser loop neither allocates nor checks bounds twice.
/// All tiles are column-major.
enum TileKernels {
    /// T ← λ_leftᵀ · T · λ_right, for T r×c, λ_left r×r and λ_right c×c lower triangular.
    /// `scratch` must hold r·c values.
    static func scale(_ tile: UnsafeMutablePointer<Double>, rows: Int, columns: Int,
                      left: UnsafePointer<Double>, right: UnsafePointer<Double>,
                      scratch: UnsafeMutablePointer<Double>) {
        if rows == 1 && columns == 1 {
            tile[0] *= left[0] * right[0]
            return
        }
        // scratch = T · λ_right
        for column in 0..<columns {
            for row in 0..<rows {
                var sum = 0.0
                for inner in column..<columns {
                    sum += tile[inner * rows + row] * right[column * columns + inner]
                }
                scratch[column * rows + row] = sum
            }
        }
        // T = λ_leftᵀ · scratch
        for column in 0..<columns {
            for row in 0..<rows {
                var sum = 0.0
                for inner in row..<rows {
                    sum += left[row * rows + inner] * scratch[column * rows + inner]
                }
                tile[column * rows + row] = sum
            }
        }
    }

    /// T ← T · L⁻ᵀ for T r×c and L c×c lower triangular.
    static func solveRightLowerTranspose(_ tile: UnsafeMutablePointer<Double>, rows: Int, columns: Int,
                                         factor: UnsafePointer<Double>) {
        for column in 0..<columns {
            for previous in 0..<column {
                let value = factor[previous * columns + column]
                if value == 0 { continue }
                for row in 0..<rows { tile[column * rows + row] -= tile[previous * rows + row] * value }
            }
            let inverse = 1 / factor[column * columns + column]
            for row in 0..<rows { tile[column * rows + row] *= inverse }
        }
    }

    /// target[a, b] −= Σ_m left[a, m] · right[b, m]: left r1×c, right r2×c, target with leading
    /// dimension `stride`. With `lowerOnly`, entries above the diagonal (b > a) are skipped.
    static func subtractProduct(_ target: UnsafeMutablePointer<Double>, stride: Int,
                                left: UnsafePointer<Double>, leftRows: Int,
                                right: UnsafePointer<Double>, rightRows: Int,
                                inner: Int, lowerOnly: Bool = false) {
        for b in 0..<rightRows {
            let first = lowerOnly ? b : 0
            guard first < leftRows else { continue }
            let column = target + b * stride
            for m in 0..<inner {
                let factor = right[m * rightRows + b]
                if factor == 0 { continue }
                let source = left + m * leftRows
                for a in first..<leftRows { column[a] -= source[a] * factor }
            }
        }
    }

    /// In-place lower Cholesky factor of an s×s tile; `false` if a pivot is not positive.
    static func cholesky(_ tile: UnsafeMutablePointer<Double>, size: Int) -> Bool {
        for column in 0..<size {
            let columnStart = tile + column * size
            for previous in 0..<column {
                let previousStart = tile + previous * size
                let factor = previousStart[column]
                if factor == 0 { continue }
                for row in column..<size { columnStart[row] -= previousStart[row] * factor }
            }
            let pivot = columnStart[column]
            guard pivot > 0, pivot.isFinite else { return false }
            let root = pivot.squareRoot()
            columnStart[column] = root
            for row in (column + 1)..<max(size, column + 1) { columnStart[row] /= root }
            for row in 0..<column { columnStart[row] = 0 }
        }
        return true
    }
}

extension TileKernels {
    /// Right-multiplies each of the `blockCount` column blocks (width s) of a column-major matrix
    /// with `rows` rows by the lower-triangular s×s `lambda`: M ← M (I ⊗ λ).
    static func multiplyColumnBlocks(_ matrix: UnsafeMutablePointer<Double>, rows: Int, blockCount: Int,
                                     lambda: UnsafePointer<Double>, size: Int) {
        if size == 1 {
            let factor = lambda[0]
            for index in 0..<(rows * blockCount) { matrix[index] *= factor }
            return
        }
        for block in 0..<blockCount {
            let base = matrix + block * size * rows
            // new column b = Σ_{m ≥ b} column m · λ[m, b]; go b ascending (uses columns m ≥ b, not yet overwritten)
            for b in 0..<size {
                let target = base + b * rows
                let diagonal = lambda[b * size + b]
                for row in 0..<rows { target[row] *= diagonal }
                for m in (b + 1)..<max(size, b + 1) {
                    let factor = lambda[b * size + m]
                    if factor == 0 { continue }
                    let source = base + m * rows
                    for row in 0..<rows { target[row] += source[row] * factor }
                }
            }
        }
    }

    /// Left-multiplies each of the `blockCount` row blocks (height s) of every column by λᵀ:
    /// M ← (I ⊗ λ)ᵀ M, for a column-major matrix with `blockCount · s` rows and `columns` columns.
    static func multiplyRowBlocksTransposed(_ matrix: UnsafeMutablePointer<Double>, blockCount: Int, columns: Int,
                                            lambda: UnsafePointer<Double>, size: Int) {
        let rows = blockCount * size
        if size == 1 {
            let factor = lambda[0]
            for index in 0..<(rows * columns) { matrix[index] *= factor }
            return
        }
        for column in 0..<columns {
            let vector = matrix + column * rows
            for block in 0..<blockCount {
                let segment = vector + block * size
                // (λᵀ v)[a] = Σ_{m ≥ a} λ[m, a] v[m]; ascending a reads only m ≥ a.
                for a in 0..<size {
                    var sum = 0.0
                    for m in a..<size { sum += lambda[a * size + m] * segment[m] }
                    segment[a] = sum
                }
            }
        }
    }
}
