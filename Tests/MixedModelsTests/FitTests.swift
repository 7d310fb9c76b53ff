import Foundation
import Testing
@testable import MixedModels

/// Fits against real lme4 runs (Fixtures/lme4 from the shared reference set, Fixtures/fits from
/// Fixtures/scripts/fit_fixtures.R). Tolerances as the engine issue states them: −2 log L within
/// 1e-6 relative of lme4's or lower; β within 1e-5 relative; standard errors 1e-4; σ 1e-5;
/// θ 1e-3 (absolute, against lme4's polished optimum).
@Suite("Fits against lme4")
struct FitTests {
    static let fixtures = ObjectiveTests.fixtures.filter { !$0.contains("insteval") }

    @Test("ML and REML fits reach lme4's optimum", arguments: fixtures)
    func matchesLme4(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let model = try ObjectiveTests.model(for: fixture)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        let fit = try model.fit(method: method)

        let referenceObjective = -2 * FixtureSupport.double(fixture["logLik"])
        #expect(fit.objective - referenceObjective <= 1e-6 * abs(referenceObjective),
                "objective \(fit.objective) vs lme4 \(referenceObjective)")
        #expect(fit.optimization.converged)

        let polished = fixture["polished_optimum"] as? [String: Any]
        let betaNames = fixture["beta_names"] as? [String] ?? []
        let betaReference = (polished?["beta"] ?? fixture["beta"]) as? [String: Any] ?? [:]
        // Standard errors at the polished optimum where the fixture has them (lme4's default fit can stop short of it).
        let seReference = (polished?["se_beta"] ?? fixture["se_beta"]) as? [String: Any] ?? [:]
        #expect(fit.beta.count == betaNames.count)
        for (index, name) in betaNames.enumerated() where index < fit.beta.count {
            let expected = FixtureSupport.double(betaReference[name])
            #expect(abs(fit.beta[index] - expected) <= 1e-5 * max(abs(expected), 1e-2), "beta \(name): \(fit.beta[index]) vs \(expected)")
            let se = FixtureSupport.double(seReference[name])
            #expect(FixtureSupport.relativeError(fit.standardErrors[index], se) <= 1e-4, "SE \(name): \(fit.standardErrors[index]) vs \(se)")
        }
        let sigma = FixtureSupport.double(polished?["sigma"] ?? fixture["sigma"])
        #expect(FixtureSupport.relativeError(fit.sigma, sigma) <= 1e-5, "sigma \(fit.sigma) vs \(sigma)")

        let thetaNames = fixture["theta_names"] as? [String] ?? []
        let thetaReference = (polished?["theta"] ?? fixture["theta"]) as? [String: Any] ?? [:]
        #expect(fit.theta.count == thetaNames.count)
        for (index, name) in thetaNames.enumerated() where index < fit.theta.count {
            let expected = FixtureSupport.double(thetaReference[name])
            #expect(abs(fit.theta[index] - expected) <= 1e-3 * max(1, abs(expected)), "theta \(name): \(fit.theta[index]) vs \(expected)")
        }
        #expect(fit.isSingular == (fixture["is_singular"] as? Bool ?? false))
        #expect(abs(fit.aic - FixtureSupport.double(fixture["AIC"])) <= 1e-6 * abs(referenceObjective) + 1e-6)
        if method == .ml {
            #expect(abs(fit.bic - FixtureSupport.double(fixture["BIC"])) <= 1e-6 * abs(referenceObjective) + 1e-6)
        }
    }
}
