import ArgumentParser
import Foundation

/// Checks of `--alpha`, the significance level of intervals and tests (0.05 gives 95% intervals).
enum SignificanceLevel {
    /// Throws unless `0 < alpha ≤ 0.5`; above 0.5 the hint says that alpha is not the confidence level.
    static func validate(_ alpha: Double) throws {
        guard alpha > 0, alpha < 1 else {
            throw ValidationError("--alpha must be between 0 and 1 (a significance level such as 0.05 for 95% intervals), but got \(alpha)")
        }
        guard alpha <= 0.5 else {
            let level = String(format: "%g", 100 * (1 - alpha))
            let meant = String(format: "%g", 1 - alpha)
            throw ValidationError("--alpha \(alpha) would give \(level)% intervals: --alpha is the significance level, not the confidence level; did you mean --alpha \(meant)? (at most 0.5 is accepted)")
        }
    }
}
