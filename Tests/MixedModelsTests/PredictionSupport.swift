import Foundation
@testable import MixedModels

/// Fits at lme4's θ and the reference values of Fixtures/prediction (prediction_fixtures.R).
enum PredictionSupport {
    /// Every fixture with a prediction reference (all lme4/ and fits/ fits except InstEval).
    static let fixtures: [String] = FixtureSupport.files(in: "prediction").filter { !$0.contains("xoshiro") }

    /// The lme4 fixture a prediction fixture was computed from.
    static func sourceFixture(for id: String) throws -> [String: Any] {
        if let lme4 = try? FixtureSupport.json("lme4/\(id).json") { return lme4 }
        return try FixtureSupport.json("fits/\(id).json")
    }

    /// The fitted model at exactly lme4's θ (the same fit the references describe), built from
    /// the model internals: lme4's default optimum differs from our (better) optimum for
    /// orthodont_reml and machines_slope_*, so comparisons are made at lme4's θ.
    static func fit(at theta: [Double], fixture: [String: Any]) throws -> FittedModel {
        let model = try ObjectiveTests.model(for: fixture)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        var deviance = model.makeDeviance(method: method)
        let objective = deviance.evaluate(theta)
        let summary = OptimizationSummary(optimizer: "fixed theta", initialTheta: theta, initialObjective: objective,
                                          finalTheta: theta, finalObjective: objective, evaluations: 1,
                                          converged: true, status: "fixed", finalTrustRadius: 0, seconds: 0)
        return FittedModel(model: model, method: method, theta: theta, factor: deviance.factor,
                           objective: objective, optimization: summary)
    }

    /// The reference and our fit at its θ.
    static func load(_ file: String) throws -> (reference: [String: Any], source: [String: Any], fit: FittedModel) {
        let reference = try FixtureSupport.json(file)
        let source = try sourceFixture(for: reference["id"] as? String ?? "")
        let fit = try fit(at: FixtureSupport.doubles(reference["theta"]), fixture: source)
        return (reference, source, fit)
    }

    /// A key that ignores the order of the parts of an interaction (lme4 names `(1 | batch/cask)`'s
    /// factor `cask:batch` with levels `a:A`; the design names it `batch:cask` with `A:a`).
    static func key(_ text: String) -> String {
        text.split(separator: ":").map(String.init).sorted().joined(separator: ":")
    }

    /// Relative error with a floor of `floor` on the scale (for values near 0).
    static func error(_ actual: Double, _ expected: Double, floor: Double = 1e-8) -> Double {
        if actual == expected { return 0 }
        return abs(actual - expected) / max(abs(expected), floor)
    }
}
