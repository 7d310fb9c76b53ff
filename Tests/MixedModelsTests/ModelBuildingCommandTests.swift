import Foundation
import Testing
@testable import MixedModels

/// `lmm fit --contrasts / --exclude / --anova-type typeII`, `lmm ranova`, `lmm means` and
/// `lmm compare` with three models, end to end against the R runs of ModelBuildingTests, and
/// their bad input.
@Suite("lmm model building commands")
struct ModelBuildingCommandTests {
    static func json(_ arguments: [String]) throws -> [String: Any] {
        let run = try CommandLineTests.run(arguments + ["--format", "json"])
        #expect(run.status == 0, "\(arguments): \(run.error)")
        return try CommandLineTests.json(run)
    }

    static func number(_ object: [String: Any], _ key: String) -> Double { FixtureSupport.double(object[key]) }

    @Test("fit --exclude equals lme4's fit on the remaining rows and reports the counts")
    func fitExclude() throws {
        let entry = try ModelBuildingTests.entry("exclusion", "sleepstudy_exclude")
        let object = try Self.json(["fit", "sleepstudy", entry["formula"] as? String ?? "", "--method", "reml",
                                    "--exclude", entry["exclude"] as? String ?? ""])
        #expect(object["excludedRows"] as? Int == entry["excluded_count"] as? Int)
        #expect(object["droppedMissingRows"] as? Int == 0)
        #expect(object["numObservations"] as? Int == entry["n"] as? Int)
        #expect(abs(Self.number(object, "logLikelihood") - FixtureSupport.double(entry["logLik"])) < 1e-6)
        let text = try CommandLineTests.run(["fit", "sleepstudy", entry["formula"] as? String ?? "", "--exclude", "3,17,40-45"])
        #expect(text.output.contains("Rows excluded                       8"), "\(text.output.prefix(600))")
    }

    @Test("fit --contrasts names the columns as lme4 and estimates as lme4")
    func fitContrasts() throws {
        let entry = try ModelBuildingTests.entry("contrasts", "ergostool_poly")
        let object = try Self.json(["fit", "ergoStool", entry["formula"] as? String ?? "", "--method", "reml",
                                    "--contrasts", "Type=poly"])
        let rows = object["fixedEffects"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["name"] as? String } == entry["beta_names"] as? [String])
        for (row, expected) in zip(rows, FixtureSupport.doubles(entry["beta"])) {
            #expect(abs(Self.number(row, "estimate") - expected) < 1e-6)
        }
    }

    @Test("fit --anova-type typeII gives lmerTest's type II rows")
    func fitTypeII() throws {
        let entry = try ModelBuildingTests.entry("type2", "orthodont")
        let object = try Self.json(["fit", "Orthodont", entry["formula"] as? String ?? "", "--method", "reml",
                                    "--anova-type", "typeII", "--df-method", "kenward-roger"])
        #expect(object["anovaType"] as? String == "typeII")
        let rows = object["anova"] as? [[String: Any]] ?? []
        let expected = entry["kenward_roger"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["term"] as? String } == expected.compactMap { $0["row"] as? String })
        for (row, reference) in zip(rows, expected) {
            #expect(FixtureSupport.relativeError(Self.number(row, "fStat"), Self.number(reference, "F value")) < 1e-6)
            #expect(FixtureSupport.relativeError(Self.number(row, "df2"), Self.number(reference, "DenDF")) < 1e-5)
        }
    }

    @Test("ranova writes lmerTest's rows as terms of {term, lrStat, df, pValue}")
    func ranova() throws {
        let entry = try ModelBuildingTests.entry("ranova", "penicillin_ml")
        let object = try Self.json(["ranova", "Penicillin", entry["formula"] as? String ?? ""])
        let terms = object["terms"] as? [[String: Any]] ?? []
        let table = (entry["table"] as? [[String: Any]] ?? []).dropFirst()
        #expect(terms.compactMap { $0["term"] as? String } == table.compactMap { $0["row"] as? String })
        for (row, reference) in zip(terms, table) {
            #expect(abs(Self.number(row, "lrStat") - Self.number(reference, "LRT")) < 2e-6)
            #expect(row["df"] as? Int == reference["Df"] as? Int)
            #expect(FixtureSupport.relativeError(Self.number(row, "pValue"), Self.number(reference, "Pr(>Chisq)")) < 1e-5)
        }
    }

    @Test("means --pairwise writes lmerTest's ls_means as means and pairwise rows")
    func means() throws {
        let entry = try ModelBuildingTests.entry("means", "cake_unbalanced")
        let object = try Self.json(["means", "cake", entry["formula"] as? String ?? "", "--method", "reml",
                                    "--exclude", entry["exclude"] as? String ?? "", "--by", "recipe", "--pairwise"])
        let means = object["means"] as? [[String: Any]] ?? []
        let pairwise = object["pairwise"] as? [[String: Any]] ?? []
        #expect(means.compactMap { $0["level"] as? String } == entry["levels"] as? [String])
        #expect(pairwise.compactMap { $0["contrast"] as? String } == ["A - B", "A - C", "B - C"])
        for (rows, key) in [(means, "satterthwaite"), (pairwise, "satterthwaite_pairwise")] {
            for (row, reference) in zip(rows, entry[key] as? [[String: Any]] ?? []) {
                #expect(FixtureSupport.relativeError(Self.number(row, "estimate"), Self.number(reference, "Estimate")) < 1e-6)
                #expect(FixtureSupport.relativeError(Self.number(row, "standardError"), Self.number(reference, "Std. Error")) < 1e-5)
                #expect(FixtureSupport.relativeError(Self.number(row, "df"), Self.number(reference, "df")) < 1e-5)
                #expect(FixtureSupport.relativeError(Self.number(row, "lower"), Self.number(reference, "lower")) < 1e-5)
            }
        }
        #expect(pairwise.allSatisfy { $0["tStat"] != nil && $0["pValue"] != nil })
    }

    @Test("compare with three models: comparisons between successive models, two-model keys at the top level")
    func compareThree() throws {
        let entry = try ModelBuildingTests.entry("compare", "sleepstudy_three")
        let formulas = entry["formulas"] as? [String] ?? []
        let object = try Self.json(["compare", "sleepstudy"] + formulas + ["--method", "reml"])
        let comparisons = object["comparisons"] as? [[String: Any]] ?? []
        let table = entry["table"] as? [[String: Any]] ?? []
        #expect((object["models"] as? [Any])?.count == 3)
        #expect(comparisons.count == 2)
        for (row, reference) in zip(comparisons, table.dropFirst()) {
            #expect(abs(Self.number(row, "lrStat") - Self.number(reference, "Chisq")) < 2e-6)
            #expect(row["deltaDF"] as? Int == reference["Df"] as? Int)
            #expect(FixtureSupport.relativeError(Self.number(row, "pValue"), Self.number(reference, "Pr(>Chisq)")) < 1e-5)
        }
        // The top level compares the last model with the first.
        let first = FixtureSupport.double(table.first?["logLik"])
        let last = FixtureSupport.double(table.last?["logLik"])
        #expect(abs(Self.number(object, "lrStat") - 2 * (last - first)) < 4e-6)
        #expect(object["deltaDF"] as? Int == 3)
        #expect(object["pValue"] != nil && object["note"] as? String != nil)
    }

    @Test("bad --exclude, --contrasts, --by and model lists fail with a clear message")
    func badInput() throws {
        let workspace = try CommandLineRobustnessTests.Workspace()
        defer { workspace.remove() }
        let data = workspace.dataPath
        let formula = "y ~ x + f + (1 | g)"
        let cases: [([String], String)] = [
            (["fit", data, formula, "--exclude", "0"], "row numbers start at 1"),
            (["fit", data, formula, "--exclude", "5-3"], "the range '5-3' in '5-3' is empty"),
            (["fit", data, formula, "--exclude", "2,x"], "'x' in '2,x' is not one"),
            (["fit", data, formula, "--exclude", "1-2-3"], "3,17,40-45"),
            (["fit", data, formula, "--exclude", "9"], "data row 9 ('9' in '9') does not exist: the data have 8 rows"),
            (["fit", data, formula, "--exclude", "1-8"], "no rows are left"),
            (["fit", data, formula, "--contrasts", "x=sum"], "'x' is numeric"),
            (["fit", data, formula, "--contrasts", "g=sum"], "'g' is not a predictor of the model; the model's categorical predictors are: f"),
            (["fit", data, formula, "--contrasts", "f=bogus"], "unknown contrasts 'bogus' for 'f'"),
            (["fit", data, formula, "--contrasts", "f"], "COL=CODING"),
            (["fit", data, formula, "--contrasts", "f=sum", "--contrasts", "f=poly"], "two codings"),
            (["means", data, formula, "--by", "nope"], "least-squares means need a categorical fixed-effects term, and 'nope' is not one; they are: f"),
            (["means", data, formula, "--by", "x"], "'x' is not one"),
            (["means", data, formula, "--by", "f", "--df-method", "kenward-roger"], "REML"),
            (["ranova", data, "y ~ x"], "no random-effects terms"),
            (["compare", data, formula], "two or more formulas"),
            (["compare", data, "y ~ 1 + (1 | g)", "y ~ x + (1 | g)", formula, "--nsim", "5"], "--nsim"),
        ]
        for (arguments, fragment) in cases {
            try CommandLineRobustnessTests.expectFailure(arguments, in: workspace, mentioning: fragment)
        }
    }
}
