import Foundation
import Testing
@testable import MixedModels

/// `lmm compare` end to end against lme4's `anova(m_small, m_big)` (Fixtures/fits/anova_compare.json).
@Suite("lmm compare")
struct CompareCommandTests {
    static var comparisons: [String] {
        let fixture = (try? FixtureSupport.json("fits/anova_compare.json")) ?? [:]
        return (fixture["comparisons"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test("the JSON contract and lme4's χ², Df and p (ML fits)", arguments: comparisons)
    func matchesLme4(id: String) throws {
        let fixture = try FixtureSupport.json("fits/anova_compare.json")
        let comparison = (fixture["comparisons"] as? [[String: Any]] ?? []).first { $0["id"] as? String == id } ?? [:]
        let run = try CommandLineTests.run(["compare", comparison["dataset"] as? String ?? "", comparison["small"] as? String ?? "",
                                            comparison["big"] as? String ?? "", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try CommandLineTests.json(run)
        let table = comparison["table"] as? [[String: Any]] ?? []
        let models = object["models"] as? [[String: Any]] ?? []
        #expect(models.count == 2)
        for (ours, theirs) in zip(models, table) {
            for key in ["formula", "df", "aic", "bic", "logLikelihood"] { #expect(ours[key] != nil, "missing \(key)") }
            #expect(ours["df"] as? Int == theirs["npar"] as? Int)
            #expect(FixtureSupport.relativeError(FixtureSupport.double(ours["logLikelihood"]), FixtureSupport.double(theirs["logLik"])) <= 1e-6)
            #expect(FixtureSupport.relativeError(FixtureSupport.double(ours["aic"]), FixtureSupport.double(theirs["AIC"])) <= 1e-6)
            #expect(FixtureSupport.relativeError(FixtureSupport.double(ours["bic"]), FixtureSupport.double(theirs["BIC"])) <= 1e-6)
        }
        let big = table.last ?? [:]
        #expect(FixtureSupport.relativeError(FixtureSupport.double(object["lrStat"]), FixtureSupport.double(big["Chisq"])) <= 1e-5)
        #expect(object["deltaDF"] as? Int == big["Df"] as? Int)
        #expect(FixtureSupport.relativeError(FixtureSupport.double(object["pValue"]), FixtureSupport.double(big["Pr(>Chisq)"])) <= 1e-5)
    }

    @Test("REML fits with different fixed effects are refitted by ML, and the output says so")
    func remlExplained() throws {
        let run = try CommandLineTests.run(["compare", "sleepstudy", "Reaction ~ 1 + (1 | Subject)", "Reaction ~ 1 + Days + (1 | Subject)",
                                            "--method", "reml", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try CommandLineTests.json(run)
        #expect((object["note"] as? String ?? "").contains("ML"))
        #expect((object["models"] as? [[String: Any]])?.allSatisfy { $0["method"] as? String == "ML" } == true)
    }

    @Test("the simulated test is reproducible for a seed and its interval holds the p-value")
    func simulated() throws {
        let arguments = ["compare", "Dyestuff", "Yield ~ 1 + (1 | Batch)", "Yield ~ 1 + (1 | Batch)", "--nsim", "20", "--seed", "5", "--format", "json"]
        let first = try CommandLineTests.json(try CommandLineTests.run(arguments))
        let second = try CommandLineTests.json(try CommandLineTests.run(arguments))
        let a = first["simulated"] as? [String: Any] ?? [:]
        let b = second["simulated"] as? [String: Any] ?? [:]
        #expect(FixtureSupport.double(a["pValue"]) == FixtureSupport.double(b["pValue"]))
        let p = FixtureSupport.double(a["pValue"])
        #expect(FixtureSupport.double(a["lower"]) <= p && p <= FixtureSupport.double(a["upper"]))
        #expect(a["nsim"] as? Int == 20)
    }
}
