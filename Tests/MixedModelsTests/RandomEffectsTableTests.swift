import Foundation
import Testing
@testable import MixedModels

/// randomEffects(): conditional modes and lme4's conditional SDs against `ranef(condVar = TRUE)`
/// (the lme4/fits fixtures), and MATLAB's SEPred against the dense inverse of the mixed-model
/// equations computed in R (Fixtures/prediction, prediction_fixtures.R).
@Suite("Random effects: condval, condsd (lme4) and SEPred (MATLAB)")
struct RandomEffectsTableTests {
    @Test("condval and condsd match lme4's ranef within 1e-5 relative; SEPred matches R within 1e-6",
          arguments: PredictionSupport.fixtures)
    func matchesReferences(file: String) throws {
        let (reference, source, fit) = try PredictionSupport.load(file)
        let rows = try fit.randomEffects()
        #expect(rows.count == fit.randomEffectCount)
        var byKey: [String: RandomEffectRow] = [:]
        for row in rows {
            byKey["\(PredictionSupport.key(row.group))|\(PredictionSupport.key(row.level))|\(Self.plain(row.name))"] = row
        }
        // lme4's ranef: every level when q <= 100, else the first 5 levels.
        let ranef = (source["ranef_all"] ?? source["ranef_first5"]) as? [String: Any] ?? [:]
        var compared = 0
        var worstMode = 0.0, worstSD = 0.0
        for (group, value) in ranef {
            guard let entry = value as? [String: Any], let levels = entry["levels"] as? [String],
                  let names = entry["terms"] as? [String] else { continue }
            let modes = entry["condval"] as? [String: Any] ?? [:]
            let sds = entry["condsd"] as? [String: Any] ?? [:]
            for name in names {
                let expectedModes = FixtureSupport.doubles(modes[name])
                let expectedSDs = FixtureSupport.doubles(sds[name])
                for (index, level) in levels.enumerated() {
                    let key = "\(PredictionSupport.key(group))|\(PredictionSupport.key(level))|\(Self.plain(name))"
                    guard let row = byKey[key] else {
                        Issue.record("\(file): no random effect \(key)")
                        continue
                    }
                    // Modes near 0 (singular fits) are compared on the scale of the group's SD.
                    let scale = max(abs(expectedModes[index]), expectedSDs[index], 1e-8)
                    worstMode = max(worstMode, abs(row.estimate - expectedModes[index]) / scale)
                    worstSD = max(worstSD, PredictionSupport.error(row.conditionalSD, expectedSDs[index]))
                    compared += 1
                }
            }
        }
        #expect(compared > 0)
        #expect(worstMode < 1e-5, "\(file): condval max relative error \(worstMode)")
        #expect(worstSD < 1e-5, "\(file): condsd max relative error \(worstSD)")

        // SEPred and the dense condsd from R, term by term in lme4's (= our) order.
        let terms = reference["random_terms"] as? [[String: Any]] ?? []
        #expect(terms.count == fit.model.design.randomEffectsTerms.count)
        var offset = 0
        var worstSEPred = 0.0, worstDense = 0.0
        for (k, term) in zip(terms.indices, terms) {
            let ours = fit.model.design.randomEffectsTerms[k]
            let levels = term["levels"] as? [String] ?? []
            let names = term["names"] as? [String] ?? []
            #expect(levels.count == ours.levelCount && names.map(Self.plain) == ours.columnNames.map(Self.plain), "\(file) term \(k)")
            let sepred = term["sepred"] as? [String: Any] ?? [:]
            let dense = term["condsd_dense"] as? [String: Any] ?? [:]
            for (column, name) in names.enumerated() {
                let expected = FixtureSupport.doubles(sepred[name])
                let expectedDense = FixtureSupport.doubles(dense[name])
                for (index, level) in levels.enumerated() {
                    guard let row = byKey["\(PredictionSupport.key(ours.groupName))|\(PredictionSupport.key(level))|\(Self.plain(name))"] else {
                        Issue.record("\(file): no random effect for level \(level)")
                        continue
                    }
                    worstSEPred = max(worstSEPred, PredictionSupport.error(row.standardErrorOfPrediction, expected[index]))
                    worstDense = max(worstDense, PredictionSupport.error(row.conditionalSD, expectedDense[index]))
                    #expect(row.standardErrorOfPrediction >= row.conditionalSD * (1 - 1e-12))
                }
                _ = column
            }
            offset += ours.randomEffectCount
        }
        #expect(offset == fit.randomEffectCount)
        #expect(worstSEPred < 1e-6, "\(file): SEPred max relative error \(worstSEPred)")
        #expect(worstDense < 1e-6, "\(file): dense condsd max relative error \(worstDense)")
    }

    /// lme4 names dummy columns `MachineB`, the design (as MATLAB) `Machine_B`.
    static func plain(_ name: String) -> String { name.replacingOccurrences(of: "_", with: "") }

    @Test("t statistics, p-values and intervals are consistent with SEPred and n - p df")
    func statisticsAreConsistent() throws {
        let (_, _, fit) = try PredictionSupport.load("prediction/sleepstudy_corr_reml.json")
        let rows = try fit.randomEffects(alpha: 0.1)
        let row = try #require(rows.first)
        #expect(row.df == fit.residualDegreesOfFreedom)
        #expect(abs(row.tStat - row.estimate / row.standardErrorOfPrediction) < 1e-12)
        let fixed = FittedModel.tRow(name: row.name, estimate: row.estimate, standardError: row.standardErrorOfPrediction,
                                     df: row.df, alpha: 0.1)
        #expect(row.lower == fixed.lower && row.upper == fixed.upper && row.pValue == fixed.pValue)
        #expect(throws: MixedModelError.self) { try fit.randomEffects(dfMethod: .satterthwaite) }
        #expect(throws: MixedModelError.self) { try fit.randomEffects(alpha: 1.5) }
        #expect(try fit.randomEffects(dfMethod: .none).allSatisfy { $0.df == .infinity })
    }

    @Test("our own fit reproduces lme4's polished-optimum modes closely (orthodont_reml)")
    func ownFitIsCloseToLme4() throws {
        // Our optimum is lme4's polished optimum, not its default one: modes differ from the
        // default fit's by about the θ difference (2e-3 relative) — checked loosely here.
        let source = try FixtureSupport.json("fits/orthodont_reml.json")
        let fit = try ObjectiveTests.model(for: source).fit(method: .reml)
        let rows = try fit.randomEffects()
        let ranef = try #require((source["ranef_first5"] as? [String: Any])?["Subject"] as? [String: Any])
        let modes = FixtureSupport.doubles((ranef["condval"] as? [String: Any])?["(Intercept)"])
        let first = rows.filter { $0.name == "(Intercept)" }.prefix(5).map(\.estimate)
        for (ours, theirs) in zip(first, modes) { #expect(abs(ours - theirs) < 2e-2 * max(1, abs(theirs))) }
    }
}
