import CKernels
import Testing
@testable import MixedModels

/// The C dense kernels (CKernels) against naive reference loops, on both kernel paths: the
/// portable one and, where the CPU has it, AVX2 + FMA. The path is forced per thread, so each
/// test body is synchronous (it never leaves its thread) and restores the automatic choice.
@Suite("Dense C kernels against reference loops")
struct DenseKernelTests {
    /// The paths to test: the portable one always, AVX2 when this CPU supports it.
    static let paths: [Int32] = {
        let previous = mm_set_kernel_path(Int32(MM_PATH_AUTO))
        defer { _ = mm_set_kernel_path(previous) }
        let best = mm_kernel_path()
        return best == Int32(MM_PATH_AVX2) ? [Int32(MM_PATH_PORTABLE), Int32(MM_PATH_AVX2)] : [Int32(MM_PATH_PORTABLE)]
    }()

    /// Awkward sizes around the register tiles, the panel widths and the cache blocks.
    static let sizes = [1, 3, 7, 63, 64, 65, 130, 257]

    /// Runs `body` with `path` forced on this thread.
    static func withPath<T>(_ path: Int32, _ body: () throws -> T) rethrows -> T {
        let previous = mm_set_kernel_path(path)
        defer { _ = mm_set_kernel_path(previous) }
        #expect(mm_kernel_path() == path)
        return try body()
    }

    /// A small deterministic generator (SplitMix64) of values in [-1, 1).
    struct Random {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 52) - 1
        }
        /// A column-major rows × columns matrix with leading dimension `ld`; the padding rows
        /// hold `padding`.
        mutating func matrix(_ rows: Int, _ columns: Int, ld: Int, padding: Double = 1e300) -> [Double] {
            var values = [Double](repeating: padding, count: max(ld * columns, 1))
            for j in 0..<columns { for i in 0..<rows { values[i + j * ld] = next() } }
            return values
        }
    }

    static func frobenius(_ values: [Double], rows: Int, columns: Int, ld: Int) -> Double {
        var sum = 0.0
        for j in 0..<columns { for i in 0..<rows { sum += values[i + j * ld] * values[i + j * ld] } }
        return sum.squareRoot()
    }

    /// Whether the padding rows (ld > rows) still hold `padding`.
    static func paddingIntact(_ values: [Double], rows: Int, columns: Int, ld: Int, padding: Double = 1e300) -> Bool {
        for j in 0..<columns { for i in rows..<ld where values[i + j * ld] != padding { return false } }
        return true
    }

    /// A random symmetric positive definite n × n matrix G Gᵀ / n + I (both triangles filled).
    static func spd(_ n: Int, ld: Int, seed: UInt64) -> [Double] {
        var random = Random(state: seed)
        let g = random.matrix(n, n, ld: n)
        var a = [Double](repeating: 1e300, count: ld * n)
        for j in 0..<n {
            for i in j..<n {
                var sum = 0.0
                for p in 0..<n { sum += g[i + p * n] * g[j + p * n] }
                let value = sum / Double(n) + (i == j ? 1 : 0)
                a[i + j * ld] = value
                a[j + i * ld] = value
            }
        }
        return a
    }

    // MARK: - GEMM

    struct Shape: Sendable, CustomTestStringConvertible {
        let m: Int, n: Int, k: Int
        var testDescription: String { "\(m)×\(n)×\(k)" }
    }

    /// Each awkward size as m, n and k, plus shapes that cross the cache blocks (k > 256,
    /// m > 192, n > 1536).
    static let shapes: [Shape] = {
        var shapes: [Shape] = []
        let others = [7, 65, 130]
        for (index, size) in sizes.enumerated() {
            let a = others[index % 3]
            let b = others[(index + 1) % 3]
            shapes.append(Shape(m: size, n: a, k: b))
            shapes.append(Shape(m: a, n: size, k: b))
            shapes.append(Shape(m: b, n: a, k: size))
        }
        shapes += [Shape(m: 1, n: 1, k: 1), Shape(m: 3, n: 7, k: 1), Shape(m: 257, n: 130, k: 300),
                   Shape(m: 400, n: 63, k: 520), Shape(m: 9, n: 1600, k: 5), Shape(m: 64, n: 64, k: 64)]
        return shapes
    }()

    @Test("C −= A·Bᵀ matches the triple loop", arguments: shapes)
    func gemm(shape: Shape) {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let (lda, ldb, ldc) = (m + 3, n + 1, m + 2)
        var random = Random(state: UInt64(m * 1_000_003 + n * 1009 + k))
        let a = random.matrix(m, k, ld: lda)
        let b = random.matrix(n, k, ld: ldb)
        let c0 = random.matrix(m, n, ld: ldc)
        var expected = c0
        for j in 0..<n {
            for i in 0..<m {
                var sum = 0.0
                for p in 0..<k { sum += a[i + p * lda] * b[j + p * ldb] }
                expected[i + j * ldc] -= sum
            }
        }
        let scale = Self.frobenius(a, rows: m, columns: k, ld: lda) * Self.frobenius(b, rows: n, columns: k, ld: ldb)
            + Self.frobenius(c0, rows: m, columns: n, ld: ldc)
        for path in Self.paths {
            var c = c0
            Self.withPath(path) {
                mm_gemm_nt_sub(Int32(m), Int32(n), Int32(k), a, Int32(lda), b, Int32(ldb), &c, Int32(ldc))
            }
            var difference = c
            for j in 0..<n { for i in 0..<m { difference[i + j * ldc] -= expected[i + j * ldc] } }
            let error = Self.frobenius(difference, rows: m, columns: n, ld: ldc)
            #expect(error <= 1e-12 * scale, "path \(path): error \(error), scale \(scale)")
            #expect(Self.paddingIntact(c, rows: m, columns: n, ld: ldc), "path \(path) wrote past the rows")
        }
    }

    @Test("Empty products leave C alone")
    func emptyGemm() {
        for path in Self.paths {
            var c = [1.0, 2.0, 3.0]
            let a = [5.0, 6.0, 7.0]
            Self.withPath(path) {
                mm_gemm_nt_sub(3, 1, 0, a, 3, a, 1, &c, 3)
                mm_gemm_nt_sub(0, 1, 1, a, 1, a, 1, &c, 1)
                mm_syrk_lower_sub(1, 0, a, 1, &c, 1)
            }
            #expect(c == [1.0, 2.0, 3.0])
        }
    }

    @Test("Lower triangle of C −= A·Aᵀ matches the triple loop", arguments: [1, 7, 65, 130, 257, 400])
    func syrk(n: Int) {
        let k = n == 400 ? 300 : 67
        let (lda, ldc) = (n + 5, n + 1)
        var random = Random(state: UInt64(n * 31 + k))
        let a = random.matrix(n, k, ld: lda)
        let c0 = random.matrix(n, n, ld: ldc)
        let scale = Self.frobenius(a, rows: n, columns: k, ld: lda) * Self.frobenius(a, rows: n, columns: k, ld: lda)
            + Self.frobenius(c0, rows: n, columns: n, ld: ldc)
        for path in Self.paths {
            var c = c0
            Self.withPath(path) { mm_syrk_lower_sub(Int32(n), Int32(k), a, Int32(lda), &c, Int32(ldc)) }
            var squared = 0.0
            for j in 0..<n {
                for i in j..<n {
                    var sum = 0.0
                    for p in 0..<k { sum += a[i + p * lda] * a[j + p * lda] }
                    let error = c[i + j * ldc] - (c0[i + j * ldc] - sum)
                    squared += error * error
                }
            }
            #expect(squared.squareRoot() <= 1e-12 * scale, "path \(path)")
            #expect(Self.paddingIntact(c, rows: n, columns: n, ld: ldc))
        }
    }

    // MARK: - Cholesky

    @Test("L·Lᵀ rebuilds a random SPD matrix", arguments: sizes + [2, 200, 400])
    func cholesky(n: Int) {
        let ld = n + 3
        var a0 = Self.spd(n, ld: ld, seed: UInt64(n))
        // The strict upper triangle must not be read: fill it with NaN.
        for j in 1..<max(n, 1) { for i in 0..<j { a0[i + j * ld] = .nan } }
        var reference = Self.spd(n, ld: ld, seed: UInt64(n))
        for j in 1..<max(n, 1) { for i in 0..<j { reference[i + j * ld] = reference[j + i * ld] } }
        let scale = Self.frobenius(reference, rows: n, columns: n, ld: ld)
        for path in Self.paths {
            var l = a0
            let info = Self.withPath(path) { mm_potrf_lower(Int32(n), &l, Int32(ld)) }
            #expect(info == 0, "path \(path)")
            var squared = 0.0
            var upperZero = true
            var diagonalPositive = true
            for j in 0..<n {
                if !(l[j + j * ld] > 0) { diagonalPositive = false }
                for i in 0..<j where l[i + j * ld] != 0 { upperZero = false }
                for i in j..<n {
                    var sum = 0.0
                    for p in 0...j { sum += l[i + p * ld] * l[j + p * ld] }
                    let error = sum - reference[i + j * ld]
                    squared += error * error
                }
            }
            #expect(squared.squareRoot() <= 1e-12 * scale, "path \(path): error \(squared.squareRoot())")
            #expect(upperZero, "path \(path): the strict upper triangle is not zero")
            #expect(diagonalPositive, "path \(path)")
            #expect(Self.paddingIntact(l, rows: n, columns: n, ld: ld))
        }
    }

    @Test("A non-positive pivot returns its 1-based column", arguments: [0, 5, 31, 32, 64, 100, 192, 200, 256])
    func notPositiveDefinite(column: Int) {
        let n = 257
        var a0 = Self.spd(n, ld: n, seed: 7)
        // Making A[c, c] very negative leaves columns < c unaffected and breaks pivot c.
        a0[column + column * n] = -10
        for path in Self.paths {
            var l = a0
            let info = Self.withPath(path) { mm_potrf_lower(Int32(n), &l, Int32(n)) }
            #expect(info == Int32(column + 1), "path \(path)")
        }
        var nan = Self.spd(n, ld: n, seed: 7)
        nan[column + column * n] = .nan
        for path in Self.paths {
            var l = nan
            let info = Self.withPath(path) { mm_potrf_lower(Int32(n), &l, Int32(n)) }
            #expect(info == Int32(column + 1), "path \(path): NaN pivot")
        }
    }

    @Test("A singular positive semidefinite matrix fails at its first dependent column")
    func semidefinite() {
        // Rank 1: every pivot after the first is (up to rounding) zero.
        let n = 70
        var a = [Double](repeating: 0, count: n * n)
        for j in 0..<n { for i in 0..<n { a[i + j * n] = 1 } }
        for path in Self.paths {
            var l = a
            let info = Self.withPath(path) { mm_potrf_lower(Int32(n), &l, Int32(n)) }
            #expect(info == 2, "path \(path)")
        }
    }

    @Test("DenseKernels.cholesky reports failure")
    func denseKernelsCholesky() {
        var matrix = DenseMatrix(rowCount: 2, columnCount: 2, values: [1, 2, 2, 1])
        #expect(!DenseKernels.cholesky(&matrix))
        var spd = DenseMatrix(rowCount: 2, columnCount: 2, values: [4, 2, 99, 5])
        #expect(DenseKernels.cholesky(&spd))
        #expect(spd.values == [2, 1, 0, 2])
        var empty = DenseMatrix(rowCount: 0, columnCount: 0)
        #expect(DenseKernels.cholesky(&empty))
    }

    // MARK: - Triangular solve

    @Test("X ← X·L⁻ᵀ solves X Lᵀ = B", arguments: shapes.map { Shape(m: $0.m, n: $0.k, k: 0) })
    func trsm(shape: Shape) {
        let (m, n) = (shape.m, shape.n)
        let (ldl, ldx) = (n + 2, m + 1)
        var random = Random(state: UInt64(m * 7919 + n))
        // A well-conditioned lower triangular L (upper triangle NaN: it must not be read).
        var l = [Double](repeating: .nan, count: ldl * n)
        for j in 0..<n {
            for i in j..<n { l[i + j * ldl] = i == j ? 2 + random.next() : random.next() / Double(n).squareRoot() }
            for i in n..<ldl { l[i + j * ldl] = 1e300 }
        }
        let b = random.matrix(m, n, ld: ldx)
        let scale = Self.frobenius(b, rows: m, columns: n, ld: ldx)
        for path in Self.paths {
            var x = b
            Self.withPath(path) { mm_trsm_right_lower_trans(Int32(m), Int32(n), l, Int32(ldl), &x, Int32(ldx)) }
            // Rebuild B = X Lᵀ: B[i, j] = Σ_{p ≤ j} X[i, p] L[j, p].
            var squared = 0.0
            for j in 0..<n {
                for i in 0..<m {
                    var sum = 0.0
                    for p in 0...j { sum += x[i + p * ldx] * l[j + p * ldl] }
                    let error = sum - b[i + j * ldx]
                    squared += error * error
                }
            }
            #expect(squared.squareRoot() <= 1e-12 * scale, "path \(path): error \(squared.squareRoot())")
            #expect(Self.paddingIntact(x, rows: m, columns: n, ld: ldx))
        }
    }

    // MARK: - Paths

    @Test("Forcing a path is per thread and reversible")
    func pathSwitch() {
        let automatic = mm_kernel_path()
        #expect(automatic != Int32(MM_PATH_AUTO))
        let previous = mm_set_kernel_path(Int32(MM_PATH_PORTABLE))
        #expect(mm_kernel_path() == Int32(MM_PATH_PORTABLE))
        _ = mm_set_kernel_path(previous)
        #expect(mm_kernel_path() == automatic)
    }

    @Test("The paths agree closely and each is deterministic")
    func pathsAgree() {
        let n = 300
        let a = Self.spd(n, ld: n, seed: 11)
        var results: [[Double]] = []
        for path in Self.paths {
            var first = a
            var second = a
            Self.withPath(path) {
                #expect(mm_potrf_lower(Int32(n), &first, Int32(n)) == 0)
                #expect(mm_potrf_lower(Int32(n), &second, Int32(n)) == 0)
            }
            #expect(first == second, "path \(path) is not deterministic")
            results.append(first)
        }
        if results.count == 2 {
            var squared = 0.0
            for index in results[0].indices {
                let d = results[0][index] - results[1][index]
                squared += d * d
            }
            #expect(squared.squareRoot() <= 1e-12 * Self.frobenius(results[0], rows: n, columns: n, ld: n))
        }
    }
}
