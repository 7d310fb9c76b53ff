import Synchronization

/// A process-wide count of profiled-deviance evaluations (each one a refactorisation of L):
/// the unit in which the cost of a fit and of the inference after it is measured. The optimiser's
/// own count is in ``OptimizationSummary/evaluations``; this counter also sees the evaluations
/// spent after the fit (Hessians, Satterthwaite's derivatives, profiles, refits).
///
/// For diagnostics within the package (the `lmm` tool reports it when `LMM_COUNT_EVALUATIONS`
/// is set); it is shared by every thread, so read it around single-threaded work.
package enum EvaluationCounter {
    private static let counter = Atomic<Int>(0)

    /// The number of evaluations since the process started.
    package static var count: Int { counter.load(ordering: .relaxed) }

    /// Records one evaluation.
    static func increment() {
        counter.add(1, ordering: .relaxed)
    }
}
