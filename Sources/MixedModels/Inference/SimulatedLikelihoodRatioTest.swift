import Distributions
import Foundation

/// A simulated (parametric bootstrap) likelihood-ratio test (MATLAB's
/// `compare(small, big, 'NSim', N)`): the reference distribution of the statistic is simulated
/// under the smaller model.
public struct SimulatedLikelihoodRatioTest: Sendable, Equatable, Codable {
    /// The theoretical test on the observed data (its table, statistic and χ² p-value).
    public let theoretical: LikelihoodRatioTest
    /// The number of simulated responses.
    public let replicates: Int
    /// The master seed.
    public let seed: UInt64
    /// The level of the confidence interval on the p-value is 1 − alpha.
    public let alpha: Double
    /// (#{LR* ≥ LR_obs} + 1) / (N + 1).
    public let pValue: Double
    /// Lower Clopper–Pearson limit for the p-value.
    public let lower: Double
    /// Upper Clopper–Pearson limit for the p-value.
    public let upper: Double
    /// The simulated statistics LR*, in replicate order (MATLAB's `TH0`).
    public let simulatedStatistics: [Double]
}

extension LikelihoodRatioTest {
    /// The simulated likelihood-ratio test: `replicates` responses are simulated from the
    /// smaller fit, both models are refitted to each (with the criterion of the theoretical
    /// test, see ``compare(_:_:criterion:)``), and p = (#{LR* ≥ LR_obs} + 1)/(N + 1), with a 100(1 − α)%
    /// Clopper–Pearson interval. Replicate r draws from stream r of `seed`: the result is the same
    /// for any number of `threads`. The smaller model need not be nested in the bigger one.
    ///
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for fewer than one replicate or thread,
    ///   an α outside (0, 1), or fits to different data.
    public static func compareSimulated(_ small: FittedModel, _ big: FittedModel, replicates: Int,
                                        seed: UInt64 = 42, alpha: Double = 0.05,
                                        criterion: ComparisonCriterion = .automatic,
                                        threads: Int = 2) throws(MixedModelError) -> SimulatedLikelihoodRatioTest {
        guard replicates >= 1 else { throw .invalidArgument("the number of simulations must be at least 1 (got \(replicates))") }
        guard threads >= 1 else { throw .invalidArgument("the number of threads must be at least 1 (got \(threads))") }
        guard alpha > 0, alpha < 1 else { throw .invalidArgument("alpha must be between 0 and 1 (got \(alpha))") }
        let prepared = try prepare(small, big, criterion: criterion)
        let null = prepared.small
        let alternative = prepared.big
        let smallRefitter = ResponseRefitter(fit: null)
        let bigRefitter = ResponseRefitter(fit: alternative)
        let rows = try null.rowDesign(for: nil)
        let weights = null.model.design.weights
        let statistics = ParallelReplicates.run(count: replicates, threads: threads) { index in
            var generator = SeededGenerator(seed: seed, stream: UInt64(index))
            let y = null.simulate(rows: rows, weights: weights, generator: &generator)
            let smallFit = smallRefitter.refit(response: y, start: null.workingTheta)
            let bigFit = bigRefitter.refit(response: y, start: alternative.workingTheta)
            return smallFit.objective - bigFit.objective
        }
        let observed = prepared.test.lrStat
        let exceed = statistics.filter { $0.isFinite && $0 >= observed - 1e-10 * max(1, abs(observed)) }.count
        let successes = exceed + 1
        let trials = replicates + 1
        let interval = clopperPearson(successes: successes, trials: trials, alpha: alpha)
        return SimulatedLikelihoodRatioTest(theoretical: prepared.test, replicates: replicates, seed: seed, alpha: alpha,
                                            pValue: Double(successes) / Double(trials), lower: interval.lower,
                                            upper: interval.upper, simulatedStatistics: statistics)
    }

    /// The Clopper–Pearson interval for a binomial proportion (as MATLAB's `binofit`).
    static func clopperPearson(successes x: Int, trials n: Int, alpha: Double) -> (lower: Double, upper: Double) {
        let lower = x == 0 ? 0 : IncompleteBeta.inverse(p: alpha / 2, a: Double(x), b: Double(n - x + 1))
        let upper = x == n ? 1 : IncompleteBeta.inverse(p: 1 - alpha / 2, a: Double(x + 1), b: Double(n - x))
        return (lower, upper)
    }
}
