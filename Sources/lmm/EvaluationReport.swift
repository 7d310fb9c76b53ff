import Foundation
import MixedModels

/// When the environment variable `LMM_COUNT_EVALUATIONS` is set, `lmm fit` and `lmm predict`
/// write to standard error how many evaluations of the profiled deviance (refactorisations of L)
/// the fit took and how many the inference after it took. Standard output is unchanged.
struct EvaluationReport {
    private let start = EvaluationCounter.count
    private var fitted: Int?

    /// Whether the report was asked for.
    static var isRequested: Bool { ProcessInfo.processInfo.environment["LMM_COUNT_EVALUATIONS"] != nil }

    /// Marks the end of the fit.
    mutating func fitFinished() {
        fitted = EvaluationCounter.count
    }

    /// Writes the counts to standard error, if requested.
    func write() {
        guard Self.isRequested else { return }
        let end = EvaluationCounter.count
        let fitEnd = fitted ?? end
        let line = "objective evaluations: fit \(fitEnd - start), after the fit \(end - fitEnd)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
