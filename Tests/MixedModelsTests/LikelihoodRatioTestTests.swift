import Foundation
import Testing
@testable import MixedModels

/// Likelihood-ratio comparisons against lme4's `anova(m_small, m_big)`:
/// Fixtures/fits/anova_compare.json (REML fits, refitted by ML) and
/// Fixtures/inference/anova_reml_refit_false.json (`refit = FALSE`: REML criteria compared).
@Suite("Likelihood-ratio test")
struct LikelihoodRatioTestTests {
    static let cases: [String] = ["fits/anova_compare.json", "inference/anova_reml_refit_false.json"].flatMap { file in
        let comparisons = (try? FixtureSupport.json(file))?["comparisons"] as? [[String: Any]] ?? []
        return comparisons.map { "\(file)#\($0["id"] as? String ?? "?")" }
    }

    static func comparison(_ label: String) throws -> [String: Any] {
        let parts = label.split(separator: "#").map(String.init)
        let comparisons = try FixtureSupport.json(parts[0])["comparisons"] as? [[String: Any]] ?? []
        return try #require(comparisons.first { $0["id"] as? String == parts[1] })
    }

    @Test("statistic, df, p-value, AIC, BIC and log-likelihood match lme4's anova", arguments: cases)
    func matchesLme4(label: String) throws {
        let comparison = try Self.comparison(label)
        let data = try DataTable.builtIn(comparison["dataset"] as? String ?? "")
        let small = try LinearMixedModel(formula: comparison["small"] as? String ?? "", data: data).fit(method: .reml)
        let big = try LinearMixedModel(formula: comparison["big"] as? String ?? "", data: data).fit(method: .reml)
        // anova_compare.json used lme4's default refit = TRUE; the other file refit = FALSE.
        let refitted = label.hasPrefix("fits/")
        let test = try LikelihoodRatioTest.compare(small, big, criterion: refitted ? .maximumLikelihood : .automatic)
        let table = try #require(comparison["table"] as? [[String: Any]])
        #expect(test.note.contains(refitted ? "refitting model(s) with ML" : "REML criteria compared"), "\(test.note)")
        #expect(test.nested)
        for (row, expected) in zip(test.models, table) {
            #expect(row.df == Int(FixtureSupport.double(expected["npar"])))
            #expect(row.method == (refitted ? .ml : .reml))
            // lme4's default optimum is good to ~2e-7 in logLik (README caveat 7): 1e-6 relative.
            #expect(FixtureSupport.relativeError(row.logLikelihood, FixtureSupport.double(expected["logLik"])) < 1e-6,
                    "\(label) logLik \(row.logLikelihood) vs \(expected["logLik"] ?? "")")
            #expect(FixtureSupport.relativeError(row.aic, FixtureSupport.double(expected["AIC"])) < 1e-6)
            #expect(FixtureSupport.relativeError(row.deviance, FixtureSupport.double(expected["deviance"])) < 1e-6)
            // lme4's BIC uses log(n) also for REML criteria; ours is MATLAB's log(n − p) for REML.
            var bic = FixtureSupport.double(expected["BIC"])
            if !refitted {
                let n = Double(small.observationCount)
                let p = Double(small.fixedEffectCount)
                bic += Double(row.df) * (log(n - p) - log(n))
            }
            #expect(FixtureSupport.relativeError(row.bic, bic) < 1e-6, "\(label) BIC \(row.bic) vs \(bic)")
        }
        let expected = table[1]
        #expect(test.deltaDF == Int(FixtureSupport.double(expected["Df"])))
        // The statistic is a difference of deviances of ~1e3 known to ~4e-7 each.
        #expect(FixtureSupport.relativeError(test.lrStat, FixtureSupport.double(expected["Chisq"])) < 1e-5,
                "\(label) Chisq \(test.lrStat) vs \(expected["Chisq"] ?? "")")
        #expect(FixtureSupport.relativeError(test.pValue, FixtureSupport.double(expected["Pr(>Chisq)"])) < 1e-5,
                "\(label) p \(test.pValue) vs \(expected["Pr(>Chisq)"] ?? "")")
    }

    @Test("the automatic criterion refits by ML when the fixed effects differ")
    func automaticRefit() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let small = try LinearMixedModel(formula: "Reaction ~ 1 + (1 | Subject)", data: data).fit(method: .reml)
        let big = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 | Subject)", data: data).fit(method: .reml)
        let test = try LikelihoodRatioTest.compare(small, big)
        #expect(test.models.allSatisfy { $0.method == .ml })
        #expect(test.note.contains("refitting model(s) with ML"))
        #expect(test.nested && test.deltaDF == 1)
    }

    @Test("models in the wrong order give deltaDF < 0 and a NaN p-value")
    func wrongOrder() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let small = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 | Subject)", data: data).fit(method: .ml)
        let big = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: data).fit(method: .ml)
        let test = try LikelihoodRatioTest.compare(big, small)
        #expect(test.deltaDF == -2)
        #expect(test.pValue.isNaN)
        #expect(!test.nested)
        #expect(test.note.contains("smaller model first"))
    }

    @Test("fits to different data are refused")
    func differentData() throws {
        let sleep = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 | Subject)", data: DataTable.builtIn("sleepstudy")).fit()
        let dyes = try LinearMixedModel(formula: "Yield ~ 1 + (1 | Batch)", data: DataTable.builtIn("Dyestuff")).fit()
        #expect(throws: MixedModelError.self) { try LikelihoodRatioTest.compare(dyes, sleep) }
    }

    @Test("simulated test: p in [0, 1] inside its interval, reproducible, independent of threads")
    func simulated() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let small = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 | Subject) + (0 + Days | Subject)", data: data).fit(method: .ml)
        let big = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: data).fit(method: .ml)
        let one = try LikelihoodRatioTest.compareSimulated(small, big, replicates: 60, seed: 7, threads: 1)
        let two = try LikelihoodRatioTest.compareSimulated(small, big, replicates: 60, seed: 7, threads: 2)
        #expect(one == two)
        #expect(one.pValue > 0 && one.pValue <= 1)
        #expect(one.lower <= one.pValue && one.pValue <= one.upper)
        #expect(one.simulatedStatistics.count == 60)
        #expect(one.simulatedStatistics.allSatisfy { $0.isFinite && $0 > -1e-6 })
        // The correlation is not significant (χ² p ≈ 0.8): the simulated p-value is not small.
        #expect(one.theoretical.pValue > 0.5 && one.pValue > 0.3)
        let other = try LikelihoodRatioTest.compareSimulated(small, big, replicates: 60, seed: 8, threads: 2)
        #expect(other.simulatedStatistics != one.simulatedStatistics)
    }

    @Test("Clopper-Pearson interval matches the beta-quantile definition at known values")
    func clopperPearson() {
        // x = 0 and x = n edges, and the symmetric case x = n/2.
        let edge = LikelihoodRatioTest.clopperPearson(successes: 0, trials: 10, alpha: 0.05)
        #expect(edge.lower == 0 && abs(edge.upper - (1 - pow(0.025, 0.1))) < 1e-12)
        let full = LikelihoodRatioTest.clopperPearson(successes: 10, trials: 10, alpha: 0.05)
        #expect(full.upper == 1 && abs(full.lower - pow(0.025, 0.1)) < 1e-12)
        let half = LikelihoodRatioTest.clopperPearson(successes: 5, trials: 10, alpha: 0.05)
        #expect(abs(half.lower + half.upper - 1) < 1e-12)
    }
}
