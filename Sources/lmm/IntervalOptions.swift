import ArgumentParser
import Foundation
import MixedModels

extension ConfidenceIntervalMethod: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// `--ci-method`, `--nboot` and `--seed` of `lmm fit`.
struct IntervalOptions: ParsableArguments {
    @Option(name: .customLong("ci-method"), help: "Intervals of the fixed effects and covariance parameters: wald (default), profile (likelihood profile, lme4's confint(method = \"profile\")) or bootstrap (parametric bootstrap percentiles, lme4's confint(method = \"boot\")).")
    var method: ConfidenceIntervalMethod = .wald

    @Option(name: .long, help: "The number of bootstrap refits for --ci-method bootstrap.")
    var nboot: Int = 500

    @Option(name: .long, help: "The random seed of --ci-method bootstrap (the same seed gives the same intervals on every platform).")
    var seed: UInt64 = 42

    /// The threads the bootstrap refits run on (the results do not depend on it).
    static var threads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    func check() throws {
        guard nboot >= 1 else { throw ValidationError("--nboot must be at least 1") }
    }
}
