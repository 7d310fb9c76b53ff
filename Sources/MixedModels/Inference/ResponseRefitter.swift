import Foundation
import Optimization

/// The estimates of one refit (a bootstrap replicate, a profile point, a simulated model).
public struct RefitEstimates: Sendable, Equatable, Codable {
    /// θ at the optimum.
    public let theta: [Double]
    /// β̂ at θ.
    public let beta: [Double]
    /// σ̂ at θ.
    public let sigma: Double
    /// The optimised criterion (−2 log L, or the REML criterion).
    public let objective: Double
}

/// Refits a model to new responses without rebuilding its design: the Z and X blocks of the
/// cross products A are shared, only the y row is recomputed per response
/// (``CrossProducts/replacingResponse(_:design:)``), and θ is optimised by BOBYQA exactly as
/// ``LinearMixedModel/fit(method:optimizer:)`` does with its default settings (same bounds,
/// tolerances and snapping to zero bounds).
struct ResponseRefitter: Sendable {
    let model: LinearMixedModel
    let method: EstimationMethod

    /// Refits to `y`, starting the optimiser at `start` (the original estimates, as
    /// MixedModels.jl's `parametricbootstrap` does).
    func refit(response y: [Double], start: [Double]) -> RefitEstimates {
        let crossProducts = model.crossProducts.replacingResponse(y, design: model.design)
        var deviance = Self.deviance(model: model, crossProducts: crossProducts,
                                     fixedCount: model.design.fixedEffects.columnCount, method: method)
        return Self.optimize(&deviance, start: start, lower: model.lowerBounds,
                             upper: model.parametrizations.flatMap(\.upperBounds), method: method)
    }

    /// A profiled deviance over arbitrary cross products of the model's design.
    static func deviance(model: LinearMixedModel, crossProducts: CrossProducts, fixedCount: Int,
                         method: EstimationMethod) -> ProfiledDeviance {
        let factor = BlockedCholeskyFactor(crossProducts: crossProducts, parametrizations: model.parametrizations,
                                           fixedCount: fixedCount, sparseTrailing: model.factorPlan.sparseTrailing)
        let sumLogWeights = model.design.weights.map { $0.reduce(0) { $0 + log($1) } } ?? 0
        return ProfiledDeviance(crossProducts: crossProducts, factor: factor,
                                observationCount: model.design.observationCount,
                                sumLogWeights: sumLogWeights, method: method)
    }

    /// Minimises the profiled deviance over θ (BOBYQA with ``OptimizerSettings/default``), snaps
    /// near-zero bounded parameters to 0 when that does not worsen the objective, and reads
    /// β̂ and σ̂ off the factor at the optimum.
    static func optimize(_ deviance: inout ProfiledDeviance, start: [Double], lower: [Double], upper: [Double],
                         method: EstimationMethod, initialTrustRadius: Double = 0.75) -> RefitEstimates {
        var best = deviance.evaluate(start)
        var theta = start
        if !start.isEmpty {
            let settings = OptimizerSettings.default
            var optimizer = BOBYQA(lowerBounds: lower, upperBounds: upper, initialTrustRadius: initialTrustRadius,
                                   finalTrustRadius: settings.finalTrustRadius, maxEvaluations: settings.maxEvaluations)
            optimizer.functionTolerance = settings.functionTolerance
            let result = optimizer.minimize(from: start) { deviance.evaluate($0) }
            if result.value.isFinite && !(result.value > best) {
                theta = result.x
                best = result.value
            }
            for index in theta.indices where lower[index] == 0 && theta[index] != 0 && theta[index] < 1e-4 {
                var trial = theta
                trial[index] = 0
                let value = deviance.evaluate(trial)
                if value <= best {
                    theta = trial
                    best = value
                }
            }
        }
        let objective = deviance.evaluate(theta)
        let factor = deviance.factor
        let parts = FactorSummary(factor)
        let n = Double(deviance.observationCount)
        let denominator = method == .ml ? n : n - Double(factor.fixedCount)
        let sigma = (parts.penalizedResidualSquares / denominator).squareRoot()
        return RefitEstimates(theta: theta, beta: factor.fixedEffectsEstimate(), sigma: sigma, objective: objective)
    }
}
