import Foundation
import Testing
@testable import MixedModels

/// The profiled objective against lme4's own deviance function (`devFunOnly = TRUE`) at fixed θ:
/// tests the cross products, the blocked Cholesky factor and the criterion without any optimiser.
@Suite("Profiled objective at fixed theta (lme4 devFunOnly)")
struct ObjectiveTests {
    static let fixtures = FixtureSupport.files(in: "lme4") + FixtureSupport.files(in: "fits").filter { !$0.contains("anova") }

    static func model(for fixture: [String: Any]) throws -> LinearMixedModel {
        let table = try FixtureSupport.table(for: fixture)
        let weights = (fixture["weights"] as? [String: Any])?["column"] as? String
        return try LinearMixedModel(formula: fixture["formula"] as? String ?? "", data: table,
                                    options: ModelOptions(weightsColumn: weights))
    }

    @Test("objective, beta, sigma and pwrss at lme4's theta values", arguments: fixtures)
    func objectiveMatchesLme4(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        guard let points = fixture["objective_at_theta"] as? [String: Any] else { return }
        let model = try Self.model(for: fixture)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        #expect(!points.isEmpty)
        for (label, value) in points {
            guard let point = value as? [String: Any] else { continue }
            let theta = FixtureSupport.doubles(point["theta"])
            let expected = FixtureSupport.double(point["objective"])
            let actual = model.objective(theta: theta, method: method)
            #expect(FixtureSupport.relativeError(actual, expected) < 1e-9, "\(file) \(label): \(actual) vs \(expected)")

            var deviance = model.makeDeviance(method: method)
            _ = deviance.evaluate(theta)
            let beta = deviance.factor.fixedEffectsEstimate()
            for (ours, theirs) in zip(beta, FixtureSupport.doubles(point["beta"])) {
                #expect(abs(ours - theirs) <= 1e-7 * max(1, abs(theirs)), "\(file) \(label) beta: \(ours) vs \(theirs)")
            }
            let pwrss = FactorSummary(deviance.factor).penalizedResidualSquares
            #expect(FixtureSupport.relativeError(pwrss, FixtureSupport.double(point["pwrss"])) < 1e-8, "\(file) \(label) pwrss")
        }
    }
}
