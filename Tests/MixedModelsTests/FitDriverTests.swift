import Foundation
import Testing
@testable import MixedModels

/// One fit driver: refits (bootstrap, simulated LRT, profiles) go through
/// ``LinearMixedModel/minimize(_:from:settings:requiresFiniteStart:)``, as the fit does, with
/// the fit's optimiser settings.
@Suite("One fit driver")
struct FitDriverTests {
    /// The settings of a fit from λ = I (the start a refit is given here).
    static func fromIdentity(_ settings: OptimizerSettings) -> OptimizerSettings {
        var settings = settings
        settings.startMethod = .identity
        return settings
    }

    @Test("a refit to the original response from the fit's start reproduces the fit, with its settings", arguments: [
        fromIdentity(.default),
        fromIdentity(OptimizerSettings(initialTrustRadius: 0.5, finalTrustRadius: 1e-5, maxEvaluations: 500, functionTolerance: 1e-8)),
    ])
    func refitReproducesFit(settings: OptimizerSettings) throws {
        let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                         data: DataTable.builtIn("sleepstudy"))
        for method in EstimationMethod.allCases {
            let fit = try model.fit(method: method, optimizer: settings)
            #expect(fit.optimizerSettings == settings)
            let refitter = ResponseRefitter(fit: fit)
            #expect(refitter.settings == settings && refitter.method == method)
            let refit = refitter.refit(response: model.design.response, start: model.initialTheta)
            for (a, b) in zip(refit.theta, fit.theta) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b)), "\(method) θ \(a) vs \(b)") }
            #expect(abs(refit.objective - fit.objective) <= 1e-12 * abs(fit.objective))
            #expect(abs(refit.sigma - fit.sigma) <= 1e-10 * fit.sigma)
            for (a, b) in zip(refit.beta, fit.beta) { #expect(abs(a - b) <= 1e-10 * max(1, abs(b))) }
        }
    }

    @Test("the driver counts the start, the optimiser's evaluations and the snaps, as the fit reports them")
    func evaluationsAreCounted() throws {
        let model = try LinearMixedModel(formula: "Yield ~ 1 + (1 | Batch)", data: DataTable.builtIn("Dyestuff2"))
        let fit = try model.fit(method: .reml, optimizer: Self.fromIdentity(.default))
        var deviance = model.makeDeviance(method: .reml)
        let optimum = model.minimize(&deviance, from: model.initialTheta, settings: .default)
        #expect(optimum.theta == [0])
        #expect(optimum.theta == fit.theta && optimum.objective == fit.objective)
        #expect(optimum.evaluations == fit.optimization.evaluations)
    }

    @Test("the moment start is the fit's start, with its smaller first trust radius, after one comparison with λ = I")
    func momentStartIsTheFitsStart() throws {
        let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                         data: DataTable.builtIn("sleepstudy"))
        let fit = try model.fit(method: .reml)
        let start = try #require(model.momentStartTheta())
        #expect(fit.optimization.startMethod == "moments")
        var settings = OptimizerSettings.default
        settings.initialTrustRadius = settings.momentStartTrustRadius
        var deviance = model.makeDeviance(method: .reml)
        let optimum = model.minimize(&deviance, from: start, settings: settings)
        #expect(optimum.theta == fit.theta && optimum.objective == fit.objective)
        // The fit also evaluated λ = I, to compare, and started where the objective was lower.
        #expect(optimum.evaluations + 1 == fit.optimization.evaluations)
        #expect(fit.optimization.initialObjective <= model.objective(theta: model.initialTheta, method: .reml))
    }
}
