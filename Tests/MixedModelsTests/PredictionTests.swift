import Foundation
import Testing
@testable import MixedModels

/// predict(), fitted() on the fitted rows and on new data, against lme4 (fitted, predict with
/// newdata and allow.new.levels) and against the interval limits computed from dense matrices
/// in R (Fixtures/prediction, prediction_fixtures.R), at lme4's θ.
@Suite("Prediction: point predictions, intervals and new data")
struct PredictionTests {
    /// Relative tolerance for every comparison with R's values (1e-6, as the brief asks).
    static let tolerance = 1e-6

    @Test("fitted values and point predictions match lme4 within 1e-6 relative", arguments: PredictionSupport.fixtures)
    func pointPredictions(file: String) throws {
        let (reference, source, fit) = try PredictionSupport.load(file)
        let fitted = fit.fitted()
        for (index, expected) in FixtureSupport.doubles(source["fitted_first10"]).enumerated() {
            #expect(PredictionSupport.error(fitted[index], expected) < Self.tolerance, "\(file) fitted[\(index)]")
        }
        let marginal = fit.fitted(conditional: false)
        for (index, expected) in FixtureSupport.doubles((reference["prediction"] as? [String: Any])?["marginal"]).enumerated() {
            #expect(PredictionSupport.error(marginal[index], expected) < Self.tolerance, "\(file) marginal[\(index)]")
        }
        let conditional = try fit.predict().map(\.prediction)
        #expect(conditional == fitted)

        // New data: the first 6 rows, the 6th with an unseen grouping level.
        guard let newdata = reference["newdata"] as? [String: Any], let csv = newdata["csv"] as? String else { return }
        let table = try DataTable(csv: csv, source: "newdata")
        let onNew = try fit.predict(on: table).map(\.prediction)
        let marginalOnNew = try fit.predict(on: table, conditional: false).map(\.prediction)
        let lme4Conditional = FixtureSupport.doubles(newdata["conditional"])
        let lme4Marginal = FixtureSupport.doubles(newdata["marginal"])
        #expect(onNew.count == 6)
        for index in 0..<6 {
            #expect(PredictionSupport.error(onNew[index], lme4Conditional[index]) < Self.tolerance, "\(file) new[\(index)]")
            #expect(PredictionSupport.error(marginalOnNew[index], lme4Marginal[index]) < Self.tolerance, "\(file) newMarginal[\(index)]")
        }
        let first5 = FixtureSupport.doubles(source["predict_first5_conditional"])
        let first5Marginal = FixtureSupport.doubles(source["predict_first5_marginal"])
        for index in 0..<5 {
            #expect(PredictionSupport.error(onNew[index], first5[index]) < Self.tolerance, "\(file) predict_first5_conditional")
            #expect(PredictionSupport.error(marginalOnNew[index], first5Marginal[index]) < Self.tolerance, "\(file) predict_first5_marginal")
        }
        // A single-term model's unseen level gives exactly the marginal prediction.
        if fit.model.design.randomEffectsTerms.count == 1 || Set(fit.model.design.randomEffectsTerms.map(\.groupName)).count == 1 {
            #expect(abs(onNew[5] - marginalOnNew[5]) <= 1e-12 * max(1, abs(onNew[5])), "\(file) unseen level")
        }
    }

    @Test("interval limits match the dense-matrix computation in R within 1e-6 relative", arguments: PredictionSupport.fixtures)
    func intervals(file: String) throws {
        let (reference, _, fit) = try PredictionSupport.load(file)
        let expected = (reference["prediction"] as? [String: Any])?["intervals"] as? [String: Any] ?? [:]
        let cases: [(String, Bool, PredictionInterval, Bool)] = [
            ("conditional_curve", true, .curve, false), ("conditional_observation", true, .observation, false),
            ("marginal_curve", false, .curve, false), ("marginal_observation", false, .observation, false),
            ("conditional_curve_simultaneous", true, .curve, true),
            ("conditional_observation_simultaneous", true, .observation, true),
            ("marginal_curve_simultaneous", false, .curve, true),
            ("marginal_observation_simultaneous", false, .observation, true)]
        #expect(expected.count == cases.count)
        for (name, conditional, interval, simultaneous) in cases {
            let limits = expected[name] as? [String: Any] ?? [:]
            let lower = FixtureSupport.doubles(limits["lower"])
            let upper = FixtureSupport.doubles(limits["upper"])
            let rows = try fit.predict(conditional: conditional, interval: interval, simultaneous: simultaneous)
            #expect(!lower.isEmpty)
            for index in lower.indices {
                // Relative to the interval's half-width, so that the variance itself is checked.
                let halfWidth = (upper[index] - lower[index]) / 2
                #expect(abs(rows[index].lower - lower[index]) <= Self.tolerance * max(halfWidth, 1e-300), "\(file) \(name) lower[\(index)]")
                #expect(abs(rows[index].upper - upper[index]) <= Self.tolerance * max(halfWidth, 1e-300), "\(file) \(name) upper[\(index)]")
                #expect(rows[index].df == fit.residualDegreesOfFreedom)
            }
        }
    }

    @Test("new data: unseen fixed-effects level is an error, missing values give NaN, unknown columns throw")
    func newDataErrors() throws {
        let (_, _, fit) = try PredictionSupport.load("prediction/orthodont_ml.json")
        let good = try DataTable(csv: "distance,age,Subject,Sex\n1,8,M01,Male\n1,10,NEWKID,Female\n,12,M01,\n")
        let rows = try fit.predict(on: good, interval: .curve)
        #expect(rows.count == 3)
        #expect(rows[0].prediction.isFinite && rows[1].prediction.isFinite)
        #expect(rows[2].prediction.isNaN && rows[2].lower.isNaN)
        let marginal = try fit.predict(on: good, conditional: false, interval: .curve)
        #expect(rows[1].prediction == marginal[1].prediction)       // unseen Subject: zero random effect
        #expect(rows[1].standardError == marginal[1].standardError) // and the marginal variance
        let alien = try DataTable(csv: "age,Subject,Sex\n8,M01,Alien\n")
        #expect(throws: MixedModelError.design(.unseenLevel(column: "Sex", level: "Alien", known: ["Male", "Female"]))) {
            try fit.predict(on: alien)
        }
        let missingColumn = try DataTable(csv: "age,Subject\n8,M01\n")
        #expect(throws: MixedModelError.self) { try fit.predict(on: missingColumn) }
        #expect(throws: MixedModelError.self) { try fit.predict(interval: .curve, alpha: 0) }
        #expect(throws: MixedModelError.self) { try fit.predict(interval: .curve, dfMethod: .satterthwaite) }
        let none = try fit.predict(conditional: false, interval: .curve, dfMethod: .none)
        #expect(none.allSatisfy { $0.df == .infinity })
    }

    @Test("design matrices: X as fitted, and Z b + X beta = conditional fitted values")
    func designMatrices() throws {
        let (_, _, fit) = try PredictionSupport.load("prediction/pastes_reml.json")
        let x = try fit.designMatrix(.fixed)
        #expect(x.columnNames == fit.model.design.fixedEffects.columnNames && x.rowCount == fit.observationCount)
        let z = try fit.designMatrix(.random)
        #expect(z.columnCount == fit.randomEffectCount)
        let b = fit.randomEffectsModes.flatMap { $0 }
        let fitted = fit.fitted()
        for row in 0..<z.rowCount {
            var value = 0.0
            for column in 0..<x.columnCount { value += x[row, column] * fit.beta[column] }
            for column in 0..<z.columnCount { value += z[row, column] * b[column] }
            #expect(abs(value - fitted[row]) <= 1e-10 * max(1, abs(fitted[row])))
        }
        let second = try fit.designMatrix(.random, terms: [1])
        #expect(second.columnCount == fit.model.design.randomEffectsTerms[1].randomEffectCount)
        #expect(throws: MixedModelError.self) { try fit.designMatrix(.random, terms: [5]) }
        #expect(fit.response == fit.model.design.response)
    }
}
