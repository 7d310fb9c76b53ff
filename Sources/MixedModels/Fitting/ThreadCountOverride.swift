import Foundation

/// The environment variable `LMM_THREADS`: a positive integer N makes every threaded part of the
/// library (the threaded Cholesky, the trailing downdates, CSV column coding, bootstrap and
/// simulated-test replicates) use at most N threads, and the kernels treat the machine as having
/// N cores. `LMM_THREADS=1` runs everything on the calling thread. The results do not depend on
/// it (each threaded part is bit-for-bit independent of its thread count); it exists to check
/// exactly that, and to keep a process to one core. Read once per process.
enum ThreadCountOverride {
    /// N, or `nil` when the variable is unset or not a positive integer.
    static let value: Int? = {
        guard let text = ProcessInfo.processInfo.environment["LMM_THREADS"], let count = Int(text), count > 0 else {
            return nil
        }
        return count
    }()
}
