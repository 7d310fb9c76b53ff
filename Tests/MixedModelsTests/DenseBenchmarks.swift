import CKernels
import Foundation
import Testing
@testable import MixedModels

/// Timings of the trailing-block kernels, run only with `MM_BENCH=1` in a release build:
///
///     MM_BENCH=1 swift test -c release -Xswiftc -enable-testing --scratch-path .build/bench \
///         --filter DenseBenchmarks
///
/// With `MM_BENCH_CSV` (and optionally `MM_BENCH_FORMULA`, `MM_BENCH_METHOD`) it also times one
/// objective evaluation of that model, its downdate (the old tile-pair loop against the new
/// column-by-column one, on one and on all cores) and the Cholesky factorisation of its trailing
/// block (one thread and two). Runs are interleaved; each line gives the minimum and median.
@Suite("Dense kernel benchmarks (MM_BENCH=1)", .serialized)
struct DenseBenchmarks {
    static let enabled = ProcessInfo.processInfo.environment["MM_BENCH"] == "1"
    static let environment = ProcessInfo.processInfo.environment

    /// Seconds of each of `repetitions` interleaved runs of each body.
    static func interleave(_ repetitions: Int, _ bodies: [() -> Void]) -> [[Double]] {
        var times = [[Double]](repeating: [], count: bodies.count)
        let clock = ContinuousClock()
        for _ in 0..<repetitions {
            for (index, body) in bodies.enumerated() {
                let start = clock.now
                body()
                let elapsed = clock.now - start
                times[index].append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
        }
        return times
    }

    static func describe(_ times: [Double]) -> String {
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        return String(format: "min %.4f s, median %.4f s, max %.4f s", sorted[0], median, sorted[sorted.count - 1])
    }

    @Test(.enabled(if: enabled))
    func cholesky() {
        let sizes = (Self.environment["MM_BENCH_SIZES"] ?? "128,192,256,320,384,512,768,1128,2000,3000")
            .split(separator: ",").compactMap { Int($0) }
        for n in sizes {
            let a = ThreadedCholeskyTests.dominant(n, ld: n, seed: 5)
            var work = a
            let repetitions = n <= 512 ? 41 : (n <= 1200 ? 15 : 7)
            let flops = Double(n) * Double(n) * Double(n) / 3
            let results = Self.interleave(repetitions, [
                { work = a; _ = mm_potrf_lower_threads(Int32(n), &work, Int32(n), 1) },
                { work = a; _ = mm_potrf_lower_threads(Int32(n), &work, Int32(n), 2) },
            ])
            // The copy a → work is part of each run; time it alone and subtract.
            let copy = Self.interleave(repetitions, [{ work = a; work[0] += 0 }])[0].sorted()[0]
            let one = results[0].sorted()
            let two = results[1].sorted()
            print(String(format: "potrf n=%5d  1 thread: %.2f ms (median %.2f, %.0f GFLOP/s)  2 threads: %.2f ms (median %.2f, %.0f GFLOP/s)  speed-up min/median %.2f/%.2f",
                         n, (one[0] - copy) * 1e3, (one[one.count / 2] - copy) * 1e3, flops / (one[0] - copy) / 1e9,
                         (two[0] - copy) * 1e3, (two[two.count / 2] - copy) * 1e3, flops / (two[0] - copy) / 1e9,
                         (one[0] - copy) / (two[0] - copy), (one[one.count / 2] - copy) / (two[two.count / 2] - copy)))
        }
    }

    @Test(.enabled(if: enabled && environment["MM_BENCH_CSV"] != nil))
    func model() throws {
        let path = Self.environment["MM_BENCH_CSV"] ?? ""
        let formula = Self.environment["MM_BENCH_FORMULA"] ?? "y ~ 1 + x + (1 + x | g1) + (1 | g2)"
        let method: EstimationMethod = Self.environment["MM_BENCH_METHOD"] == "ml" ? .ml : .reml
        let clock = ContinuousClock()
        var start = clock.now
        let data = try DataTable(contentsOf: URL(fileURLWithPath: path))
        let model = try LinearMixedModel(formula: formula, data: data)
        print("read + build: \(clock.now - start)")
        var deviance = model.makeDeviance(method: method)
        let theta0 = model.initialTheta
        let theta1 = theta0.map { $0 == 0 ? 0.1 : $0 * 0.7 }
        start = clock.now
        _ = deviance.evaluate(theta0)
        print("first evaluation: \(clock.now - start)")
        let evaluations = Self.interleave(5, [{ _ = deviance.evaluate(theta1) }, { _ = deviance.evaluate(theta0) }])
        print("evaluation: " + Self.describe(evaluations[0] + evaluations[1]))

        let factor = deviance.factor
        guard factor.termCount >= 2 else { return }
        let sparse = factor.firstColumn[0]
        let dimension = sparse.tileRowCount * sparse.tileRows
        var target = [Double](repeating: 0, count: dimension * dimension)
        func run(_ body: (UnsafeMutablePointer<Double>, UnsafePointer<Double>) -> Void) {
            target.withUnsafeMutableBufferPointer { t in
                sparse.values.withUnsafeBufferPointer { v in
                    guard let tp = t.baseAddress, let vp = v.baseAddress else { return }
                    body(tp, vp)
                }
            }
        }
        let pairs = sparse.rowPattern.lowerWork[sparse.tileRowCount]
        let downdates = Self.interleave(5, [
            { run { t, v in OldDowndate.subtractSparseProducts(t, stride: dimension, left: sparse, leftTiles: v,
                                                               right: sparse, rightTiles: v, symmetric: true) } },
            { run { t, v in TrailingDowndate.subtractSparseProducts(t, stride: dimension, left: sparse, leftTiles: v,
                                                                    right: sparse, rightTiles: v, symmetric: true,
                                                                    parallel: false) } },
            { run { t, v in TrailingDowndate.subtractSparseProducts(t, stride: dimension, left: sparse, leftTiles: v,
                                                                    right: sparse, rightTiles: v, symmetric: true,
                                                                    parallel: true) } },
        ])
        print("downdate \(dimension)×\(dimension), \(pairs) tile pairs")
        print("  old tile-pair loop:       " + Self.describe(downdates[0]))
        print("  panels, 1 core:           " + Self.describe(downdates[1]))
        print("  panels, all:              " + Self.describe(downdates[2]))

        // Panel sizes, one core, CPU time of this thread (robust to other load on the machine).
        for shift in [16, 18, 19, 20, 21, 22] {
            var cpu: [Double] = []
            for _ in 0..<5 {
                var before = timespec()
                var after = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before)
                run { t, v in TrailingDowndate.subtractSparseProducts(t, stride: dimension, left: sparse, leftTiles: v,
                                                                      right: sparse, rightTiles: v, symmetric: true,
                                                                      parallel: false, panelDoubles: 1 << shift) }
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after)
                cpu.append(Double(after.tv_sec - before.tv_sec) + Double(after.tv_nsec - before.tv_nsec) * 1e-9)
            }
            print("  panels of 2^\(shift) doubles, 1 core, thread CPU time: " + Self.describe(cpu))
        }
        var cpu: [Double] = []
        for _ in 0..<3 {
            var before = timespec()
            var after = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &before)
            run { t, v in OldDowndate.subtractSparseProducts(t, stride: dimension, left: sparse, leftTiles: v,
                                                             right: sparse, rightTiles: v, symmetric: true) }
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &after)
            cpu.append(Double(after.tv_sec - before.tv_sec) + Double(after.tv_nsec - before.tv_nsec) * 1e-9)
        }
        print("  old loop (test module, not inlined), thread CPU time: " + Self.describe(cpu))
        for threads in [1, 2] {
            var cpu: [Double] = []
            let l11 = factor.diagonal[1]
            var s = DenseMatrix(rowCount: l11.rowCount, columnCount: l11.rowCount)
            DenseKernels.subtractSymmetricProduct(&s, l11)
            for _ in 0..<5 {
                var work = s
                for index in work.values.indices { work.values[index] = -work.values[index] }
                var before = timespec()
                var after = timespec()
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &before)
                DenseKernels.cholesky(&work, threads: threads)
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &after)
                cpu.append(Double(after.tv_sec - before.tv_sec) + Double(after.tv_nsec - before.tv_nsec) * 1e-9)
            }
            print("  cholesky \(l11.rowCount), \(threads) thread(s), process CPU time: " + Self.describe(cpu))
        }

        // The Cholesky factorisation of the trailing block L₁₁ L₁₁ᵀ.
        let l11 = factor.diagonal[1]
        var s = DenseMatrix(rowCount: l11.rowCount, columnCount: l11.rowCount)
        DenseKernels.subtractSymmetricProduct(&s, l11)
        for index in s.values.indices { s.values[index] = -s.values[index] }
        var work = s
        let choleskies = Self.interleave(7, [
            { work = s; DenseKernels.cholesky(&work, threads: 1) },
            { work = s; DenseKernels.cholesky(&work, threads: 2) },
            { work = s; work.values[0] += 0 },
        ])
        print("cholesky \(l11.rowCount): 1 thread " + Self.describe(choleskies[0]))
        print("cholesky \(l11.rowCount): 2 threads " + Self.describe(choleskies[1]))
        print("  (copy alone " + Self.describe(choleskies[2]) + ")")
    }
}

/// The downdate as it was before ``TrailingDowndate`` (one tile-kernel call per tile pair), kept
/// here to time the change.
enum OldDowndate {
    static func subtractSparseProducts(_ target: UnsafeMutablePointer<Double>, stride: Int,
                                       left: BlockSparseMatrix, leftTiles: UnsafePointer<Double>,
                                       right: BlockSparseMatrix, rightTiles: UnsafePointer<Double>,
                                       symmetric: Bool) {
        let leftSize = left.tileRows
        let rightSize = right.tileRows
        let inner = left.tileColumns
        for column in 0..<left.tileColumnCount {
            let rightRange = right.columnStarts[column]..<right.columnStarts[column + 1]
            for leftIndex in left.columnStarts[column]..<left.columnStarts[column + 1] {
                let leftRow = Int(left.tileRowIndices[leftIndex])
                for rightIndex in rightRange {
                    let rightRow = Int(right.tileRowIndices[rightIndex])
                    if symmetric && rightRow > leftRow { break }
                    let corner = target + rightRow * rightSize * stride + leftRow * leftSize
                    TileKernels.subtractProduct(corner, stride: stride,
                                                left: leftTiles + leftIndex * left.tileSize, leftRows: leftSize,
                                                right: rightTiles + rightIndex * right.tileSize, rightRows: rightSize,
                                                inner: inner, lowerOnly: symmetric && rightRow == leftRow)
                }
            }
        }
    }
}
