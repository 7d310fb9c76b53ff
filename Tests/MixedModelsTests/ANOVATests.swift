import Foundation
import Testing
@testable import MixedModels

/// F tests per term against lmerTest 3.1-3's `anova(m, type = "III")` and `anova(m, type = "I")`
/// with Satterthwaite's df (`lmerTest.anova_type3_satterthwaite`, `anova_type1_satterthwaite`).
///
/// At lme4's own θ (the fixture's `theta`): F, Sum Sq and Mean Sq within 1e-7 relative (lmerTest
/// rounds its type III contrasts to 7 significant digits, `zapsmall`), DenDF within 1e-5 relative
/// (lmerTest's numerical derivatives are accurate to ~1e-6), p within 1e-4 relative.
/// At our own optimum: DenDF within 1e-3 relative and F within 1e-4 relative, except where our θ̂
/// is known to differ from lme4's default (see `ownOptimumFTolerance`).
@Suite("ANOVA F tests (lmerTest type III and type I)")
struct ANOVATests {
    static let fixtures = SatterthwaiteTests.fixtures

    static let cases: [(file: String, type: ANOVAType)] = fixtures.flatMap { [($0, ANOVAType.typeIII), ($0, .typeI)] }

    static func key(_ type: ANOVAType) -> String {
        type == .typeIII ? "anova_type3_satterthwaite" : "anova_type1_satterthwaite"
    }

    static func compare(_ rows: [ANOVARow], with table: [String: Any], file: String, type: ANOVAType,
                        fTolerance: Double, dfTolerance: Double, pTolerance: Double) {
        #expect(rows.count == table.count, "\(file) \(type): \(rows.map(\.term)) vs \(table.keys.sorted())")
        for row in rows {
            guard let expected = table[row.term] as? [String: Any] else {
                Issue.record("\(file) \(type): no lmerTest row for \(row.term)")
                continue
            }
            let f = FixtureSupport.double(expected["F value"])
            let df1 = FixtureSupport.double(expected["NumDF"])
            let df2 = FixtureSupport.double(expected["DenDF"])
            let p = FixtureSupport.double(expected["Pr(>F)"])
            let sumSq = FixtureSupport.double(expected["Sum Sq"])
            let meanSq = FixtureSupport.double(expected["Mean Sq"])
            #expect(row.df1 == df1, "\(file) \(type) \(row.term) NumDF \(row.df1) vs \(df1)")
            #expect(FixtureSupport.relativeError(row.fStat, f) < fTolerance, "\(file) \(type) \(row.term) F \(row.fStat) vs \(f)")
            #expect(FixtureSupport.relativeError(row.sumOfSquares, sumSq) < fTolerance, "\(file) \(type) \(row.term) SS \(row.sumOfSquares) vs \(sumSq)")
            #expect(FixtureSupport.relativeError(row.meanSquare, meanSq) < fTolerance, "\(file) \(type) \(row.term) MS")
            #expect(FixtureSupport.relativeError(row.df2, df2) < dfTolerance, "\(file) \(type) \(row.term) DenDF \(row.df2) vs \(df2)")
            #expect(FixtureSupport.relativeError(row.pValue, p) < pTolerance, "\(file) \(type) \(row.term) p \(row.pValue) vs \(p)")
        }
    }

    @Test("at lme4's theta, type III and type I tables match lmerTest", arguments: cases)
    func referenceTheta(file: String, type: ANOVAType) throws {
        let (fixture, fit) = try SatterthwaiteTests.fitAtReferenceTheta(file)
        let lmerTest = try #require(fixture["lmerTest"] as? [String: Any])
        let table = try #require(lmerTest[Self.key(type)] as? [String: Any])
        let rows = try fit.anova(type: type, dfMethod: .satterthwaite)
        Self.compare(rows, with: table, file: "REF " + file, type: type, fTolerance: 1e-7, dfTolerance: 1e-5, pTolerance: 1e-4)
    }

    @Test("at our own optimum, type III and type I tables match lmerTest", arguments: cases)
    func ownOptimum(file: String, type: ANOVAType) throws {
        let (fixture, fit) = try SatterthwaiteTests.fit(file)
        let lmerTest = try #require(SatterthwaiteTests.ownOptimumReference(file: file, fixture: fixture))
        let table = try #require(lmerTest[Self.key(type)] as? [String: Any])
        let rows = try fit.anova(type: type, dfMethod: .satterthwaite)
        Self.compare(rows, with: table, file: "OWN " + file, type: type, fTolerance: 1e-4, dfTolerance: 1e-3, pTolerance: 1e-2)
    }

    @Test("type III does not depend on the coding; with effects coding it equals the marginal tests",
          arguments: ["fits/cake_reml.json", "fits/orthodont_ml.json", "fits/oats_reml.json"])
    func codingInvariance(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let table = try FixtureSupport.table(for: fixture)
        let formula = fixture["formula"] as? String ?? ""
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        let reference = try LinearMixedModel(formula: formula, data: table).fit(method: method)
        // The other codings evaluated at the same θ (their own optimisations stop at slightly
        // different points of a flat optimum, which would blur the comparison).
        func recoded(_ coding: DummyCoding) throws -> FittedModel {
            let model = try LinearMixedModel(formula: formula, data: table, options: ModelOptions(dummyCoding: coding))
            var deviance = model.makeDeviance(method: method)
            let objective = deviance.evaluate(reference.theta)
            return FittedModel(model: model, method: method, theta: reference.theta, factor: deviance.factor,
                               objective: objective, optimization: reference.optimization)
        }
        let effects = try recoded(.effects)
        let full = try recoded(.full)
        let expected = try reference.anova(type: .typeIII, dfMethod: .satterthwaite)
        // 1e-6 relative: lmerTest's rounding of the contrasts (zapsmall, 7 digits) differs between codings.
        for other in [effects, full] {
            let rows = try other.anova(type: .typeIII, dfMethod: .satterthwaite)
            #expect(rows.map(\.term) == expected.map(\.term))
            for (row, want) in zip(rows, expected) {
                #expect(row.df1 == want.df1)
                #expect(FixtureSupport.relativeError(row.fStat, want.fStat) < 1e-6, "\(file) \(row.term) F \(row.fStat) vs \(want.fStat)")
                #expect(FixtureSupport.relativeError(row.df2, want.df2) < 1e-5, "\(file) \(row.term) df \(row.df2) vs \(want.df2)")
            }
        }
        // Sum-to-zero coding makes the marginal tests type III tests (MATLAB's advice) for
        // factor-only models.
        if !formula.contains("age") {
            let marginal = try effects.anova(type: .marginal, dfMethod: .satterthwaite).filter { $0.term != "(Intercept)" }
            for (row, want) in zip(marginal, expected) {
                #expect(FixtureSupport.relativeError(row.fStat, want.fStat) < 1e-6, "\(file) marginal \(row.term)")
            }
        }
    }
}
