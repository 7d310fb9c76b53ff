import Foundation

/// The result of a parametric bootstrap (MixedModels.jl's `parametricbootstrap`, lme4's
/// `bootMer`): per replicate, the estimates from refitting the model to a response simulated from
/// the fit.
public struct ParametricBootstrap: Sendable, Equatable, Codable {
    /// The master seed; replicate r draws from stream r of it.
    public let seed: UInt64
    /// ML or REML (the method of the original fit).
    public let method: EstimationMethod
    /// The estimates of each replicate, in replicate order.
    public let replicates: [RefitEstimates]

    /// Percentile intervals at level `level` for each element of θ, β and for σ (in that order:
    /// `theta[0]`, …, `beta[0]`, …, `sigma`), from the replicates' empirical quantiles
    /// (type 7, as R's default `quantile`). A `level` outside [0, 1] (or NaN) gives NaN limits.
    public func percentileIntervals(level: Double = 0.95) -> [BootstrapInterval] {
        guard let first = replicates.first else { return [] }
        var columns: [(String, [Double])] = []
        for index in first.theta.indices { columns.append(("theta[\(index)]", replicates.map { $0.theta[index] })) }
        for index in first.beta.indices { columns.append(("beta[\(index)]", replicates.map { $0.beta[index] })) }
        columns.append(("sigma", replicates.map(\.sigma)))
        let tail = (1 - level) / 2
        return columns.map { name, values in
            let sorted = values.filter(\.isFinite).sorted()
            return BootstrapInterval(parameter: name, lower: Self.quantile(sorted, tail),
                                     upper: Self.quantile(sorted, 1 - tail))
        }
    }

    /// The type-7 quantile of sorted values; NaN when there are none or `probability` is not in [0, 1].
    static func quantile(_ sorted: [Double], _ probability: Double) -> Double {
        guard !sorted.isEmpty, probability >= 0, probability <= 1 else { return .nan }
        let position = probability * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
    }
}

/// A bootstrap percentile interval for one parameter.
public struct BootstrapInterval: Sendable, Equatable, Codable {
    /// `theta[i]`, `beta[j]` or `sigma`.
    public let parameter: String
    /// The lower limit.
    public let lower: Double
    /// The upper limit.
    public let upper: Double
}

extension FittedModel {
    /// A parametric bootstrap: `replicates` responses are simulated from this fit
    /// (y* = Xβ̂ + ZΛθ̂u* + ε*, see MATLAB's `random`) and the model is refitted to each by the
    /// same method and optimiser settings, starting from θ̂.
    ///
    /// Only the response row of the cross products is recomputed per replicate (O(n (Σ s + p))),
    /// the Z and X blocks are shared. Replicate r draws from its own stream of `seed`, so results
    /// are reproducible and identical for any number of `threads`.
    ///
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for a negative replicate count or
    ///   fewer than one thread.
    public func parametricBootstrap(replicates: Int, seed: UInt64 = 42,
                                    threads: Int = 2) throws(MixedModelError) -> ParametricBootstrap {
        guard replicates >= 0 else { throw .invalidArgument("the number of replicates must not be negative (got \(replicates))") }
        guard threads >= 1 else { throw .invalidArgument("the number of threads must be at least 1 (got \(threads))") }
        let refitter = ResponseRefitter(fit: self)
        let rows = try rowDesign(for: nil)
        let weights = model.design.weights
        let fit = self
        let start = workingTheta
        let results = ParallelReplicates.run(count: replicates, threads: threads) { index in
            var generator = SeededGenerator(seed: seed, stream: UInt64(index))
            let y = fit.simulate(rows: rows, weights: weights, generator: &generator)
            return refitter.refit(response: y, start: start)
        }
        guard model.hasCentredTerms else { return ParametricBootstrap(seed: seed, method: method, replicates: results) }
        // θ of each replicate in the units of the data, as ``FittedModel/theta``.
        let mapped = results.map { refit in
            RefitEstimates(theta: model.userTheta(refit.theta), beta: refit.beta, sigma: refit.sigma,
                           objective: refit.objective)
        }
        return ParametricBootstrap(seed: seed, method: method, replicates: mapped)
    }
}
