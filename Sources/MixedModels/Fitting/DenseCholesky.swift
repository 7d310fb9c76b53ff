/// A blocked, cache-aware Cholesky factorisation for the dense trailing blocks of L (the
/// fill-in blocks of crossed designs, e.g. 1128 × 1128 for InstEval's instructors).
///
/// Left-looking by panels of `panelWidth` columns (LAPACK's `potrf` structure): each panel is
/// updated by one matrix product with the columns already factored, its diagonal block is
/// factored unblocked, and the rows below are solved against it. The product uses an 8 × 4
/// register tile of `SIMD4<Double>` accumulators, written as `a * b + c` (no call to `fma`).
enum DenseCholesky {
    static let panelWidth = 64

    /// Factors the lower triangle of the column-major `size × size` matrix in place, zeroing
    /// the strict upper triangle. Returns `false` at a non-positive pivot.
    static func factor(_ a: UnsafeMutablePointer<Double>, size: Int) -> Bool {
        var start = 0
        while start < size {
            let width = min(panelWidth, size - start)
            // Panel update: A[start..., panel] -= L[start..., 0..<start] · L[panel, 0..<start]ᵀ
            if start > 0 {
                subtractProduct(target: a + start * size + start, targetStride: size, rows: size - start, columns: width,
                                left: a + start, leftStride: size, right: a + start, rightStride: size, inner: start)
            }
            // Factor the diagonal block and solve the rows below it.
            guard factorPanel(a, size: size, start: start, width: width) else { return false }
            start += width
        }
        for column in 1..<max(size, 1) {
            let base = a + column * size
            for row in 0..<column { base[row] = 0 }
        }
        return true
    }

    /// Unblocked left-looking factorisation of columns start..<start+width, using only the
    /// panel's own earlier columns (the rest was applied by the panel update).
    private static func factorPanel(_ a: UnsafeMutablePointer<Double>, size: Int, start: Int, width: Int) -> Bool {
        for column in start..<(start + width) {
            let target = a + column * size
            for previous in start..<column {
                let source = a + previous * size
                let factor = source[column]
                if factor == 0 { continue }
                var row = column
                while row < size {
                    target[row] -= source[row] * factor
                    row += 1
                }
            }
            let pivot = target[column]
            guard pivot > 0, pivot.isFinite else { return false }
            let root = pivot.squareRoot()
            target[column] = root
            let inverse = 1 / root
            var row = column + 1
            while row < size {
                target[row] *= inverse
                row += 1
            }
        }
        return true
    }

    /// C[rows × columns] −= A[rows × inner] · B[columns × inner]ᵀ, all column-major with the
    /// given strides (leading dimensions).
    static func subtractProduct(target c: UnsafeMutablePointer<Double>, targetStride ldc: Int, rows m: Int, columns n: Int,
                                left a: UnsafePointer<Double>, leftStride lda: Int,
                                right b: UnsafePointer<Double>, rightStride ldb: Int, inner k: Int) {
        guard m > 0, n > 0, k > 0 else { return }
        let rowTile = 8
        let columnTile = 4
        var j = 0
        while j + columnTile <= n {
            var i = 0
            while i + rowTile <= m {
                microKernel(c + j * ldc + i, ldc: ldc, a: a + i, lda: lda, b: b + j, ldb: ldb, k: k)
                i += rowTile
            }
            if i < m {
                edge(c + j * ldc + i, ldc: ldc, rows: m - i, columns: columnTile, a: a + i, lda: lda, b: b + j, ldb: ldb, k: k)
            }
            j += columnTile
        }
        if j < n {
            edge(c + j * ldc, ldc: ldc, rows: m, columns: n - j, a: a, lda: lda, b: b + j, ldb: ldb, k: k)
        }
    }

    @inline(__always)
    private static func microKernel(_ c: UnsafeMutablePointer<Double>, ldc: Int, a: UnsafePointer<Double>, lda: Int,
                                    b: UnsafePointer<Double>, ldb: Int, k: Int) {
        var c00 = SIMD4<Double>(), c10 = SIMD4<Double>()
        var c01 = SIMD4<Double>(), c11 = SIMD4<Double>()
        var c02 = SIMD4<Double>(), c12 = SIMD4<Double>()
        var c03 = SIMD4<Double>(), c13 = SIMD4<Double>()
        var pa = UnsafeRawPointer(a)
        var pb = b
        let strideA = lda * MemoryLayout<Double>.stride
        for _ in 0..<k {
            let a0 = pa.loadUnaligned(as: SIMD4<Double>.self)
            let a1 = pa.loadUnaligned(fromByteOffset: 32, as: SIMD4<Double>.self)
            let b0 = SIMD4<Double>(repeating: pb[0])
            let b1 = SIMD4<Double>(repeating: pb[1])
            let b2 = SIMD4<Double>(repeating: pb[2])
            let b3 = SIMD4<Double>(repeating: pb[3])
            c00 = a0 * b0 + c00; c10 = a1 * b0 + c10
            c01 = a0 * b1 + c01; c11 = a1 * b1 + c11
            c02 = a0 * b2 + c02; c12 = a1 * b2 + c12
            c03 = a0 * b3 + c03; c13 = a1 * b3 + c13
            pa += strideA
            pb += ldb
        }
        store(c, c00, c10)
        store(c + ldc, c01, c11)
        store(c + 2 * ldc, c02, c12)
        store(c + 3 * ldc, c03, c13)
    }

    @inline(__always)
    private static func store(_ c: UnsafeMutablePointer<Double>, _ low: SIMD4<Double>, _ high: SIMD4<Double>) {
        let raw = UnsafeMutableRawPointer(c)
        raw.storeBytes(of: raw.loadUnaligned(as: SIMD4<Double>.self) - low, as: SIMD4<Double>.self)
        raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: 32, as: SIMD4<Double>.self) - high, toByteOffset: 32, as: SIMD4<Double>.self)
    }

    private static func edge(_ c: UnsafeMutablePointer<Double>, ldc: Int, rows: Int, columns: Int,
                             a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int, k: Int) {
        for column in 0..<columns {
            let target = c + column * ldc
            for p in 0..<k {
                let factor = b[p * ldb + column]
                if factor == 0 { continue }
                let source = a + p * lda
                for row in 0..<rows { target[row] -= source[row] * factor }
            }
        }
    }
}
