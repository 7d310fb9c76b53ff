import ArgumentParser
import Foundation
import MixedModels

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows a fit's progress on standard error: with `--verbose` one trace line per objective
/// evaluation, always; otherwise, when standard error is a terminal and the fit has run for more
/// than a second, one live line (evaluation count, current and best objective, elapsed time)
/// redrawn at most ten times a second and erased when the fit ends. Nothing otherwise.
final class FitProgressPrinter {
    private let verbose: Bool
    private let live: Bool
    private var lastDrawn = -Double.infinity
    private var drawn = false

    /// Seconds before the live line appears: 1, or `LMM_PROGRESS_DELAY` when set (tests use 0).
    static let delay: Double = {
        guard let text = ProcessInfo.processInfo.environment["LMM_PROGRESS_DELAY"], let value = Double(text),
              value >= 0 else { return 1 }
        return value
    }()

    init(verbose: Bool) {
        self.verbose = verbose
        self.live = isatty(STDERR_FILENO) == 1
    }

    /// The handler to pass to the library's fit.
    func handle(_ progress: FitProgress) {
        if verbose {
            let theta = progress.theta.map { Self.format($0) }.joined(separator: ", ")
            write("evaluation \(progress.evaluations): objective \(Self.format(progress.objective)) at theta [\(theta)] (\(String(format: "%.2f", progress.elapsedSeconds)) s)\n")
            return
        }
        guard live, progress.elapsedSeconds >= Self.delay, progress.elapsedSeconds - lastDrawn >= 0.1 else { return }
        lastDrawn = progress.elapsedSeconds
        drawn = true
        write("\r\u{1B}[Kfitting: evaluation \(progress.evaluations), objective \(Self.format(progress.objective)), best \(Self.format(progress.bestObjective)), \(String(format: "%.1f", progress.elapsedSeconds)) s")
    }

    /// Erases the live line, if one was drawn.
    func finish() {
        if drawn { write("\r\u{1B}[K") }
        drawn = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func format(_ value: Double) -> String { String(format: "%.10g", value) }
}

extension ModelOptionsGroup {
    /// The optimiser settings of `--optimizer` and `--max-evaluations`.
    func optimizerSettings() throws -> OptimizerSettings {
        var settings = OptimizerSettings.default
        settings.algorithm = optimizer
        settings.startMethod = startMethod
        if let maxEvaluations {
            guard maxEvaluations >= 1 else { throw ValidationError("--max-evaluations must be at least 1 (got \(maxEvaluations))") }
            settings.maxEvaluations = maxEvaluations
        }
        return settings
    }

    /// θ of `--start`, or nil.
    func startTheta() throws -> [Double]? {
        guard let start else { return nil }
        let parts = start.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.enumerated().map { index, part in
            guard let value = Double(part), value.isFinite else {
                throw ValidationError("--start expects comma-separated numbers (θ), but value \(index + 1) is '\(part)'")
            }
            return value
        }
    }

    /// Fits `model` with these options: the method, the optimiser settings, the start and the
    /// progress display of ``FitProgressPrinter``. Without `allowsStart` (a subcommand fitting
    /// several models) `--start` is refused.
    func fit(_ model: LinearMixedModel, allowsStart: Bool = true) throws -> FittedModel {
        let settings = try optimizerSettings()
        let start = try startTheta()
        if start != nil && !allowsStart {
            throw ValidationError("--start does not apply here: this command fits more than one model")
        }
        if let start, start.count != model.parameterCount {
            throw ValidationError("--start has \(start.count) values but the model has \(model.parameterCount) covariance parameters θ")
        }
        let printer = FitProgressPrinter(verbose: verbose)
        defer { printer.finish() }
        return try model.fit(method: estimationMethod, optimizer: settings, start: start, progress: printer.handle)
    }
}
