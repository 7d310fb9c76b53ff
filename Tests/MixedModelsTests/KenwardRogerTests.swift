import Foundation
import Testing
@testable import MixedModels

/// Kenward–Roger against pbkrtest 0.5.2 through lmerTest 3.1-3 (`summary(m, ddf = "Kenward-Roger")`
/// and `anova(m, type, ddf = "Kenward-Roger")`: the fixtures' `lmerTest.summary_kenward_roger`,
/// `anova_type3_kenward_roger`, `anova_type1_kenward_roger`) on every REML fixture that has them.
///
/// At lme4's own θ (the fixture's `theta`, as SatterthwaiteTests does), which isolates the
/// Kenward–Roger computation from the small differences between optimisers (README caveat 7):
/// pbkrtest's computation is exact linear algebra (no numerical derivatives), so df, adjusted
/// SEs, t, F, Mean Sq and Sum Sq are required within 1e-9 relative (measured: at most 3.5e-12);
/// p-values within 1e-6 relative.
/// At our own optimum: df within 1e-3 relative against lme4's default fit, or against lmerTest at
/// lme4's polished optimum for orthodont_reml and machines_slope_reml (Fixtures/inference/
/// kenward_roger.json; there also the anova F, Mean Sq and DenDF within 1e-3 relative). At the
/// polished θ itself those two tables are required within 1e-9 as well.
///
/// The weighted sleepstudy fit is left out of the lmerTest comparison on purpose: pbkrtest 0.5.2
/// ignores prior weights in V (see ``KenwardRogerApproximation``); it is compared instead with
/// pbkrtest's own algorithm fed the weighted V (Fixtures/scripts/kenward_roger_fixtures.R).
@Suite("Kenward–Roger (pbkrtest via lmerTest)")
struct KenwardRogerTests {
    static let fixtures = SatterthwaiteTests.fixtures.filter { $0.hasSuffix("_reml.json") && !$0.contains("weighted") }
    static let mlFixtures = SatterthwaiteTests.fixtures.filter { $0.hasSuffix("_ml.json") }

    /// At lme4's θ.
    static let tolerance = 1e-9
    static let pTolerance = 1e-6
    /// At our own optimum (F and Mean Sq too, for the polished references).
    static let ownDFTolerance = 1e-3

    static func references() throws -> [String: Any] {
        try FixtureSupport.json("inference/kenward_roger.json")
    }

    static func id(_ file: String) -> String {
        URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    }

    @Test("at lme4's theta, summary(ddf = Kenward-Roger) SEs, df and t match lmerTest", arguments: fixtures)
    func summaryMatches(file: String) throws {
        let (fixture, fit) = try SatterthwaiteTests.fitAtReferenceTheta(file)
        let lmerTest = try #require(fixture["lmerTest"] as? [String: Any])
        let summary = try #require(lmerTest["summary_kenward_roger"] as? [String: Any])
        let names = fixture["beta_names"] as? [String] ?? []
        let rows = fit.fixedEffects(dfMethod: .kenwardRoger)
        #expect(rows.count == names.count)
        for (index, name) in names.enumerated() where index < rows.count {
            let expected = try #require(summary[name] as? [String: Any])
            let se = FixtureSupport.double(expected["Std. Error"])
            let df = FixtureSupport.double(expected["df"])
            let t = FixtureSupport.double(expected["t value"])
            let p = FixtureSupport.double(expected["Pr(>|t|)"])
            #expect(FixtureSupport.relativeError(rows[index].standardError, se) < Self.tolerance,
                    "\(file) \(name) SE \(rows[index].standardError) vs \(se)")
            #expect(FixtureSupport.relativeError(rows[index].df, df) < Self.tolerance, "\(file) \(name) df \(rows[index].df) vs \(df)")
            #expect(FixtureSupport.relativeError(rows[index].tStat, t) < Self.tolerance, "\(file) \(name) t \(rows[index].tStat) vs \(t)")
            #expect(FixtureSupport.relativeError(rows[index].pValue, p) < Self.pTolerance, "\(file) \(name) p \(rows[index].pValue) vs \(p)")
        }
    }

    static let anovaCases: [(file: String, type: ANOVAType)] = fixtures.flatMap { [($0, ANOVAType.typeIII), ($0, .typeI)] }

    @Test("at lme4's theta, anova(ddf = Kenward-Roger) type III and type I match lmerTest", arguments: anovaCases)
    func anovaMatches(file: String, type: ANOVAType) throws {
        let (fixture, fit) = try SatterthwaiteTests.fitAtReferenceTheta(file)
        let lmerTest = try #require(fixture["lmerTest"] as? [String: Any])
        let key = type == .typeIII ? "anova_type3_kenward_roger" : "anova_type1_kenward_roger"
        let table = try #require(lmerTest[key] as? [String: Any])
        let rows = try fit.anova(type: type, dfMethod: .kenwardRoger)
        Self.compare(rows, with: table, file: file, type: type, tolerance: Self.tolerance, pTolerance: Self.pTolerance)
    }

    /// The Kenward–Roger table's SE and df against a `summary_kenward_roger` table, by coefficient name.
    static func compareSummary(_ rows: [FixedEffectRow], names: [String], with summary: [String: Any],
                               label: String, tolerance: Double) throws {
        for (index, name) in names.enumerated() where index < rows.count {
            let expected = try #require(summary[name] as? [String: Any])
            let se = FixtureSupport.double(expected["Std. Error"])
            let df = FixtureSupport.double(expected["df"])
            #expect(FixtureSupport.relativeError(rows[index].standardError, se) < tolerance, "\(label) \(name) SE \(rows[index].standardError) vs \(se)")
            #expect(FixtureSupport.relativeError(rows[index].df, df) < tolerance, "\(label) \(name) df \(rows[index].df) vs \(df)")
        }
    }

    /// Same row-by-row comparison as the Satterthwaite ANOVA tests, with one tolerance for F, SS, MS and DenDF.
    static func compare(_ rows: [ANOVARow], with table: [String: Any], file: String, type: ANOVAType,
                        tolerance: Double, pTolerance: Double) {
        ANOVATests.compare(rows, with: table, file: file, type: type,
                           fTolerance: tolerance, dfTolerance: tolerance, pTolerance: pTolerance)
    }

    @Test("at our own optimum, summary df match lmerTest (polished optimum where lme4's default is off)", arguments: fixtures)
    func ownOptimum(file: String) throws {
        let (fixture, fit) = try SatterthwaiteTests.fit(file)
        let polished = (try Self.references()["polished"] as? [String: Any])?[Self.id(file)] as? [String: Any]
        let reference = try #require(polished ?? fixture["lmerTest"] as? [String: Any])
        let summary = try #require(reference["summary_kenward_roger"] as? [String: Any])
        let names = fixture["beta_names"] as? [String] ?? []
        let rows = fit.fixedEffects(dfMethod: .kenwardRoger)
        #expect(rows.count == names.count)
        for (index, name) in names.enumerated() where index < rows.count {
            let expected = try #require(summary[name] as? [String: Any])
            let df = FixtureSupport.double(expected["df"])
            #expect(FixtureSupport.relativeError(rows[index].df, df) < Self.ownDFTolerance, "\(file) \(name) df \(rows[index].df) vs \(df)")
        }
        if let polished {
            for (key, type) in [("anova_type3_kenward_roger", ANOVAType.typeIII), ("anova_type1_kenward_roger", .typeI)] {
                let table = try #require(polished[key] as? [String: Any])
                Self.compare(try fit.anova(type: type, dfMethod: .kenwardRoger), with: table, file: "OWN " + file, type: type,
                             tolerance: Self.ownDFTolerance, pTolerance: 1e-2)
            }
        }
    }

    @Test("at lme4's polished theta, summary and anova tables match lmerTest", arguments: ["orthodont_reml", "machines_slope_reml"])
    func polishedTheta(id: String) throws {
        let reference = try #require((try Self.references()["polished"] as? [String: Any])?[id] as? [String: Any])
        let fixture = try FixtureSupport.json("fits/\(id).json")
        let model = try ObjectiveTests.model(for: fixture)
        let theta = FixtureSupport.doubles(reference["theta"])
        var deviance = model.makeDeviance(method: .reml)
        let objective = deviance.evaluate(theta)
        let own = try model.fit(method: .reml)
        let fit = FittedModel(model: model, method: .reml, theta: theta, factor: deviance.factor, objective: objective,
                              optimization: own.optimization)
        let summary = try #require(reference["summary_kenward_roger"] as? [String: Any])
        let names = fixture["beta_names"] as? [String] ?? []
        let rows = fit.fixedEffects(dfMethod: .kenwardRoger)
        try Self.compareSummary(rows, names: names, with: summary, label: id, tolerance: Self.tolerance)
        for (key, type) in [("anova_type3_kenward_roger", ANOVAType.typeIII), ("anova_type1_kenward_roger", .typeI)] {
            let table = try #require(reference[key] as? [String: Any])
            Self.compare(try fit.anova(type: type, dfMethod: .kenwardRoger), with: table, file: "POLISHED " + id, type: type,
                         tolerance: Self.tolerance, pTolerance: Self.pTolerance)
        }
    }

    @Test("a weighted fit uses the weighted V: pbkrtest's algorithm fed V = Z Psi Z' + sigma^2 W^-1")
    func weightedFit() throws {
        let file = "lme4/sleepstudy_weighted_reml.json"
        let (fixture, fit) = try SatterthwaiteTests.fitAtReferenceTheta(file)
        let reference = try #require(try Self.references()["weighted_corrected"] as? [String: Any])
        let theta = FixtureSupport.doubles(reference["theta"])
        #expect(theta == fit.theta, "the script refits the fixture's model: same θ")
        let summary = try #require(reference["summary_kenward_roger"] as? [String: Any])
        let names = fixture["beta_names"] as? [String] ?? []
        let rows = fit.fixedEffects(dfMethod: .kenwardRoger)
        try Self.compareSummary(rows, names: names, with: summary, label: "weighted", tolerance: Self.tolerance)
        let p = fit.fixedEffectCount
        let adjusted = (reference["vcov_adjusted"] as? [Any] ?? []).flatMap { FixtureSupport.doubles($0) }
        let approximation = try fit.kenwardRogerApproximation()
        #expect(adjusted.count == p * p)
        for (ours, theirs) in zip(approximation.adjustedCovariance, adjusted) {
            #expect(FixtureSupport.relativeError(ours, theirs) < Self.tolerance, "Phi_A \(ours) vs \(theirs)")
        }
        let joint = try #require(reference["joint_test"] as? [String: Any])
        let identity = (0..<p).map { row in (0..<p).map { $0 == row ? 1.0 : 0.0 } }
        let test = try fit.coefficientTest(identity, dfMethod: .kenwardRoger)
        #expect(test.df1 == FixtureSupport.double(joint["ndf"]))
        #expect(FixtureSupport.relativeError(test.df2, FixtureSupport.double(joint["ddf"])) < Self.tolerance, "ddf \(test.df2)")
        #expect(FixtureSupport.relativeError(test.fStat, FixtureSupport.double(joint["Fstat"])) < Self.tolerance, "F \(test.fStat)")
        // pbkrtest's own (unweighted V) answer is measurably different: the comparison can fail.
        let unweighted = try #require(reference["pbkrtest_unweighted_V"] as? [String: Any])
        let days = try #require(unweighted["Days"] as? [String: Any])
        #expect(FixtureSupport.relativeError(rows[1].df, FixtureSupport.double(days["df"])) > 0.1)
    }

    @Test("coefficientTest with Kenward-Roger equals the anova row of the same hypothesis", arguments: ["fits/cake_reml.json", "lme4/ergostool_reml.json"])
    func coefficientTestMatchesAnova(file: String) throws {
        let (_, fit) = try SatterthwaiteTests.fitAtReferenceTheta(file)
        let terms = ANOVAContrasts(design: fit.model.design).contrasts(for: .typeIII)
        let rows = try fit.anova(type: .typeIII, dfMethod: .kenwardRoger)
        for (term, row) in zip(terms, rows) {
            let test = try fit.coefficientTest(term.rows, dfMethod: .kenwardRoger)
            #expect(test.dfMethod == .kenwardRoger)
            #expect(FixtureSupport.relativeError(test.fStat, row.fStat) < 1e-12, "\(file) \(term.name)")
            #expect(FixtureSupport.relativeError(test.df2, row.df2) < 1e-12, "\(file) \(term.name)")
            #expect(test.df1 == row.df1)
        }
        // A shifted hypothesis Lβ = Lβ̂ has F = 0.
        let first = try #require(terms.first)
        let shifted = first.rows.map { SatterthwaiteApproximation.dot($0, fit.beta) }
        let zero = try fit.coefficientTest(first.rows, shifted, dfMethod: .kenwardRoger)
        #expect(abs(zero.fStat) < 1e-12)
        #expect(abs(zero.pValue - 1) < 1e-12)
    }

    @Test("the unadjusted covariance in the approximation is Var(beta-hat) of the fit", arguments: fixtures)
    func unadjustedCovariance(file: String) throws {
        let (_, fit) = try SatterthwaiteTests.fitAtReferenceTheta(file)
        let approximation = try fit.kenwardRogerApproximation()
        let p = fit.fixedEffectCount
        // σ²(XᵀV⁻¹X) from the precision derivative of σ² (−XᵀV⁻²X) is not Φ⁻¹, but Φ itself must
        // be the fit's covariance and Φ_A − Φ must be positive semidefinite on the diagonal.
        #expect(approximation.fixedEffectsCovariance == fit.fixedEffectsCovariance)
        for index in 0..<p {
            #expect(approximation.adjustedCovariance[index * p + index] >= fit.fixedEffectsCovariance[index * p + index] * (1 - 1e-12))
        }
        #expect(approximation.varianceParameters.last.map { abs($0 - fit.sigma * fit.sigma) < 1e-12 * $0 } == true)
    }

    /// The model with `pattern` for the Subject term, evaluated at θ.
    static func patterned(_ formula: String, pattern: CovariancePattern, theta: [Double]) throws -> FittedModel {
        let table = try DataTable.builtIn("sleepstudy")
        let model = try LinearMixedModel(formula: formula, data: table,
                                         options: ModelOptions(covariancePatterns: ["Subject": pattern]))
        var deviance = model.makeDeviance(method: .reml)
        let objective = deviance.evaluate(theta)
        let own = try model.fit(method: .reml)
        return FittedModel(model: model, method: .reml, theta: theta, factor: deviance.factor, objective: objective,
                           optimization: own.optimization)
    }

    @Test("covariance patterns: Diagonal equals lme4's (1|S) + (0+Days|S), Full (log-Cholesky) equals FullCholesky")
    func covariancePatterns() throws {
        for (file, pattern) in [("lme4/sleepstudy_uncorr_reml.json", CovariancePattern.diagonal),
                                ("lme4/sleepstudy_corr_reml.json", .full)] {
            let fixture = try FixtureSupport.json(file)
            let names = fixture["theta_names"] as? [String] ?? []
            let values = fixture["theta"] as? [String: Any] ?? [:]
            var theta = names.map { FixtureSupport.double(values[$0]) }
            if pattern == .full { theta = [log(theta[0]), theta[1], log(theta[2])] }
            let fit = try Self.patterned("Reaction ~ 1 + Days + (1 + Days | Subject)", pattern: pattern, theta: theta)
            let lmerTest = try #require(fixture["lmerTest"] as? [String: Any])
            let summary = try #require(lmerTest["summary_kenward_roger"] as? [String: Any])
            let rows = fit.fixedEffects(dfMethod: .kenwardRoger)
            try Self.compareSummary(rows, names: fixture["beta_names"] as? [String] ?? [], with: summary,
                                    label: "\(pattern)", tolerance: 1e-8)
        }
    }

    @Test("ML fits are refused with lmerTest's message", arguments: mlFixtures)
    func mlIsRefused(file: String) throws {
        let (fixture, fit) = try SatterthwaiteTests.fit(file)
        let lmerTest = try #require(fixture["lmerTest"] as? [String: Any])
        let summary = try #require(lmerTest["summary_kenward_roger"] as? [String: Any])
        let message = try #require(summary["error"] as? String)
        #expect(throws: MixedModelError.invalidArgument(message)) { try fit.kenwardRogerApproximation() }
        #expect(throws: MixedModelError.invalidArgument(message)) { try fit.anova(dfMethod: .kenwardRoger) }
        let p = fit.fixedEffectCount
        #expect(throws: MixedModelError.invalidArgument(message)) {
            try fit.coefficientTest([[Double](repeating: 1, count: p)], dfMethod: .kenwardRoger)
        }
        let rows = fit.fixedEffects(dfMethod: .kenwardRoger)
        #expect(rows.allSatisfy { $0.df.isNaN && $0.pValue.isNaN })
    }

    @Test("random effects and predictions refuse Kenward-Roger explicitly")
    func unsupportedRequests() throws {
        let (_, fit) = try SatterthwaiteTests.fit("lme4/sleepstudy_corr_reml.json")
        #expect(throws: MixedModelError.self) { try fit.randomEffects(dfMethod: .kenwardRoger) }
        #expect(throws: MixedModelError.self) { try fit.predict(conditional: false, interval: .curve, dfMethod: .kenwardRoger) }
        #expect(throws: MixedModelError.self) {
            try fit.coefficientTest([[0, 1]], randomEffectsContrast: [[Double](repeating: 0, count: fit.randomEffectCount)],
                                    dfMethod: .kenwardRoger)
        }
        // Point predictions do not need degrees of freedom.
        #expect(try fit.predict(dfMethod: .kenwardRoger).count == fit.observationCount)
    }

    @Test("the raw value is the CLI spelling")
    func rawValue() {
        #expect(DegreesOfFreedomMethod(rawValue: "kenward-roger") == .kenwardRoger)
    }
}
