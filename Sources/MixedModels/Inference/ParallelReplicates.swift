import CKernels
import Foundation

/// Runs independent replicates on several threads and returns their results in replicate order.
/// Each replicate must depend only on its index (e.g. draw from its own random stream), so the
/// results are the same for any number of threads.
enum ParallelReplicates {
    static func run<Result: Sendable>(count: Int, threads: Int,
                                      _ body: @Sendable (Int) -> Result) -> [Result] {
        guard count > 0 else { return [] }
        let workers = max(1, min(threads, count, ThreadCountOverride.value ?? threads))
        if workers == 1 { return (0..<count).map(body) }
        let collector = Collector<Result>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // One replicate per core already: the kernels inside stay on this thread.
            let previousLimit = mm_set_thread_limit(1)
            defer { _ = mm_set_thread_limit(previousLimit) }
            var results: [(Int, Result)] = []
            var index = worker
            while index < count {
                results.append((index, body(index)))
                index += workers
            }
            collector.store(results)
        }
        return collector.ordered()
    }

    /// Thread-safe storage of (index, result) pairs.
    private final class Collector<Result: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result?]

        init(count: Int) { slots = [Result?](repeating: nil, count: count) }

        func store(_ results: [(Int, Result)]) {
            lock.lock()
            defer { lock.unlock() }
            for (index, result) in results { slots[index] = result }
        }

        func ordered() -> [Result] {
            lock.lock()
            defer { lock.unlock() }
            return slots.compactMap { $0 }
        }
    }
}
