import CKernels
import Testing
@testable import MixedModels

/// The threaded Cholesky factorisation (`mm_potrf_lower_threads`) against the single-threaded
/// one, on both kernel paths: bit-for-bit the same factor, the same failing column, for any
/// number of threads.
@Suite("Threaded Cholesky against the single-threaded one")
struct ThreadedCholeskyTests {
    /// A random symmetric, diagonally dominant (so positive definite) n × n matrix with
    /// leading dimension `ld` (O(n²) to build, unlike G Gᵀ).
    static func dominant(_ n: Int, ld: Int, seed: UInt64) -> [Double] {
        var random = DenseKernelTests.Random(state: seed)
        var a = [Double](repeating: 1e300, count: ld * n)
        for j in 0..<n {
            a[j + j * ld] = 1.5 + 0.5 * random.next()
            for i in (j + 1)..<max(n, j + 1) {
                let value = random.next() / Double(n)
                a[i + j * ld] = value
                a[j + i * ld] = value
            }
        }
        return a
    }

    /// Sizes around the panel widths (192 on AVX2, 128 portable) and the row-split minimum.
    @Test("The factor equals the single-threaded one bit for bit",
          arguments: [129, 193, 257, 385, 700, 1000])
    func sameFactor(n: Int) {
        let ld = n + 3
        let a = Self.dominant(n, ld: ld, seed: UInt64(n))
        for path in DenseKernelTests.paths {
            var single = a
            let singleInfo = DenseKernelTests.withPath(path) { mm_potrf_lower(Int32(n), &single, Int32(ld)) }
            #expect(singleInfo == 0)
            for threads in [2, 3] {
                var threaded = a
                let info = DenseKernelTests.withPath(path) {
                    mm_potrf_lower_threads(Int32(n), &threaded, Int32(ld), Int32(threads))
                }
                #expect(info == 0)
                #expect(threaded == single, "path \(path), \(threads) threads")
            }
        }
    }

    /// A non-positive pivot in a late panel is reported at the same column as single-threaded.
    @Test("A non-positive pivot returns its 1-based column", arguments: [0, 191, 192, 300, 640])
    func notPositiveDefinite(column: Int) {
        let n = 700
        var a = Self.dominant(n, ld: n, seed: 11)
        a[column + column * n] = -1
        for path in DenseKernelTests.paths {
            var single = a
            var threaded = a
            let expected = DenseKernelTests.withPath(path) { mm_potrf_lower(Int32(n), &single, Int32(n)) }
            let info = DenseKernelTests.withPath(path) { mm_potrf_lower_threads(Int32(n), &threaded, Int32(n), 2) }
            #expect(expected == Int32(column + 1))
            #expect(info == expected)
        }
    }

    /// DenseKernels.cholesky gives the same factor with and without threads, and a thread
    /// limit of 1 keeps it (and the downdate) on the calling thread.
    @Test("DenseKernels.cholesky threads by size and obeys the thread limit")
    func denseKernels() {
        let n = 600
        var single = DenseMatrix(rowCount: n, columnCount: n, values: Self.dominant(n, ld: n, seed: 3))
        var threaded = single
        #expect(DenseKernels.cholesky(&single, threads: 1))
        #expect(DenseKernels.cholesky(&threaded))
        #expect(single == threaded)
        let previous = mm_set_thread_limit(1)
        defer { _ = mm_set_thread_limit(previous) }
        #expect(DenseKernels.threadCount == 1)
    }
}
