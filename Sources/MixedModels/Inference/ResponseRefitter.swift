import Foundation

/// The estimates of one refit (a bootstrap replicate, a profile point, a simulated model).
public struct RefitEstimates: Sendable, Equatable, Codable {
    /// θ at the optimum (in the units of the data, as ``FittedModel/theta``, in a
    /// ``ParametricBootstrap``).
    public let theta: [Double]
    /// β̂ at θ.
    public let beta: [Double]
    /// σ̂ at θ.
    public let sigma: Double
    /// The optimised criterion (−2 log L, or the REML criterion).
    public let objective: Double
}

/// Refits a model to new responses without rebuilding its design (MixedModels.jl's
/// `refit!(m, y) = fit!(unfit!(m))`): the Z and X blocks of the cross products A are shared, only
/// the y row is recomputed per response (``CrossProducts/replacingResponse(_:design:)``), and θ is
/// optimised by ``LinearMixedModel/minimize(_:from:settings:requiresFiniteStart:)``, the driver of
/// ``LinearMixedModel/fit(method:optimizer:)``, with the original fit's optimiser settings.
struct ResponseRefitter: Sendable {
    let model: LinearMixedModel
    let method: EstimationMethod
    let settings: OptimizerSettings

    /// A refitter of `model` by `method` under `settings`.
    init(model: LinearMixedModel, method: EstimationMethod, settings: OptimizerSettings = .default) {
        self.model = model
        self.method = method
        self.settings = settings
    }

    /// A refitter with the model, method and optimiser settings of `fit`.
    init(fit: FittedModel) {
        self.init(model: fit.model, method: fit.method, settings: fit.optimizerSettings)
    }

    /// Refits to `y`, starting the optimiser at `start` (the original estimates, as
    /// MixedModels.jl's `parametricbootstrap` does).
    func refit(response y: [Double], start: [Double]) -> RefitEstimates {
        let crossProducts = model.crossProducts.replacingResponse(y, design: model.design)
        var deviance = model.makeDeviance(method: method, crossProducts: crossProducts)
        return Self.refit(model: model, deviance: &deviance, start: start, settings: settings)
    }

    /// Minimises `deviance` (over cross products of `model`'s design) through the fit driver and
    /// reads β̂ and σ̂ off the factor at the optimum.
    static func refit(model: LinearMixedModel, deviance: inout ProfiledDeviance, start: [Double],
                      settings: OptimizerSettings) -> RefitEstimates {
        let optimum = model.minimize(&deviance, from: start, settings: settings)
        let factor = deviance.factor
        let sigma = ProfiledDeviance.sigma(of: factor, observationCount: deviance.observationCount,
                                           method: deviance.method)
        return RefitEstimates(theta: optimum.theta, beta: factor.fixedEffectsEstimate(), sigma: sigma,
                              objective: optimum.objective)
    }
}
