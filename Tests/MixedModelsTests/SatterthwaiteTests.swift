import Foundation
import Testing
@testable import MixedModels

/// Satterthwaite's degrees of freedom against lmerTest 3.1-3 (`summary(m)`'s df column,
/// `lmerTest.summary_satterthwaite` in every fixture that has it).
///
/// Tolerances: df within 1e-3 relative (lmerTest's own numerical error is about 1e-6; our θ̂
/// agrees with lme4's to about 1e-4, see the fixtures' README caveat 7); t statistics within
/// 1e-4 relative; p-values within 1e-3 relative (they move with the df).
@Suite("Satterthwaite degrees of freedom (lmerTest)")
struct SatterthwaiteTests {
    static let fixtures = (FixtureSupport.files(in: "lme4") + FixtureSupport.files(in: "fits"))
        .filter { !$0.contains("anova") && !$0.contains("insteval") }

    static func fit(_ file: String) throws -> (fixture: [String: Any], fit: FittedModel) {
        let fixture = try FixtureSupport.json(file)
        let model = try ObjectiveTests.model(for: fixture)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        return (fixture, try model.fit(method: method))
    }

    /// lmerTest's tables for the fits whose lme4 default optimum is measurably off (README caveat 7),
    /// refitted with lme4's polishing control (Fixtures/scripts/satterthwaite_fixtures.R).
    static func polished() -> [String: Any] {
        (try? FixtureSupport.json("inference/satterthwaite_polished.json")) ?? [:]
    }

    /// The lmerTest tables to compare our own optimum with: the polished ones where they exist.
    static func ownOptimumReference(file: String, fixture: [String: Any]) -> [String: Any]? {
        let id = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        if let entry = polished()[id] as? [String: Any] { return entry }
        return fixture["lmerTest"] as? [String: Any]
    }

    /// The model evaluated at lme4's own θ (the fixture's `theta`), so that β̂, SEs and σ̂ are
    /// lme4's to ~1e-9 and the comparison isolates the Satterthwaite computation.
    static func fitAtReferenceTheta(_ file: String) throws -> (fixture: [String: Any], fit: FittedModel) {
        let (fixture, fit) = try fit(file)
        let names = fixture["theta_names"] as? [String] ?? []
        let values = fixture["theta"] as? [String: Any] ?? [:]
        let theta = names.map { FixtureSupport.double(values[$0]) }
        var deviance = fit.model.makeDeviance(method: fit.method)
        let objective = deviance.evaluate(theta)
        let reference = FittedModel(model: fit.model, method: fit.method, theta: theta, factor: deviance.factor,
                                    objective: objective, optimization: fit.optimization)
        return (fixture, reference)
    }

    @Test("at lme4's theta, df, t and p match lmerTest closely", arguments: fixtures)
    func referenceThetaMatchesLmerTest(file: String) throws {
        let (fixture, fit) = try Self.fitAtReferenceTheta(file)
        let lmerTest = try #require(fixture["lmerTest"] as? [String: Any])
        let summary = try #require(lmerTest["summary_satterthwaite"] as? [String: Any])
        let names = fixture["beta_names"] as? [String] ?? []
        let rows = fit.fixedEffects(dfMethod: .satterthwaite)
        #expect(rows.count == names.count)
        for (index, name) in names.enumerated() where index < rows.count {
            let expected = try #require(summary[name] as? [String: Any])
            let df = FixtureSupport.double(expected["df"])
            let t = FixtureSupport.double(expected["t value"])
            let p = FixtureSupport.double(expected["Pr(>|t|)"])
            #expect(FixtureSupport.relativeError(rows[index].df, df) < 1e-5, "\(file) \(name) df \(rows[index].df) vs \(df)")
            #expect(FixtureSupport.relativeError(rows[index].tStat, t) < 1e-9, "\(file) \(name) t \(rows[index].tStat) vs \(t)")
            #expect(FixtureSupport.relativeError(rows[index].pValue, p) < 1e-4, "\(file) \(name) p \(rows[index].pValue) vs \(p)")
        }
    }

    @Test("at our own optimum, summary(m) df match lmerTest", arguments: fixtures)
    func summaryMatchesLmerTest(file: String) throws {
        let (fixture, fit) = try Self.fit(file)
        let lmerTest = try #require(Self.ownOptimumReference(file: file, fixture: fixture))
        let summary = try #require(lmerTest["summary_satterthwaite"] as? [String: Any])
        let names = fixture["beta_names"] as? [String] ?? []
        let rows = fit.fixedEffects(dfMethod: .satterthwaite)
        #expect(rows.count == names.count)
        for (index, name) in names.enumerated() where index < rows.count {
            let expected = try #require(summary[name] as? [String: Any])
            let df = FixtureSupport.double(expected["df"])
            #expect(FixtureSupport.relativeError(rows[index].df, df) < 1e-3, "\(file) \(name) df \(rows[index].df) vs \(df)")
        }
    }

    @Test("a boundary fit (Dyestuff2, theta = 0) gives finite df: n - p for REML, n for ML")
    func boundaryFitIsFinite() throws {
        for (file, expected) in [("lme4/dyestuff2_reml.json", 29.0), ("lme4/dyestuff2_ml.json", 30.0)] {
            let (_, fit) = try Self.fit(file)
            #expect(fit.theta == [0])
            let df = fit.satterthwaiteDegreesOfFreedom(contrast: [1])
            #expect(df.isFinite)
            #expect(abs(df - expected) < 1e-6 * expected, "\(file): \(df)")
        }
    }

    @Test("the eigen-decomposition reproduces the matrix")
    func eigenDecomposition() {
        let matrix: [Double] = [4, 1, -2, 0.5,
                                1, 3, 0, 1,
                                -2, 0, 5, -1,
                                0.5, 1, -1, 2]
        let eigen = SymmetricEigenDecomposition(matrix, size: 4)
        #expect(zip(eigen.values, eigen.values.dropFirst()).allSatisfy { $0 >= $1 })
        for row in 0..<4 {
            for column in 0..<4 {
                var sum = 0.0
                for index in 0..<4 { sum += eigen.values[index] * eigen.vectors[index][row] * eigen.vectors[index][column] }
                #expect(abs(sum - matrix[row * 4 + column]) < 1e-12)
            }
        }
        #expect(abs(eigen.values.reduce(0, +) - 14) < 1e-12)
    }

    @Test("combining per-direction df follows lmerTest's get_Fstat_ddf")
    func combine() {
        #expect(SatterthwaiteApproximation.combine([7]) == 7)
        #expect(SatterthwaiteApproximation.combine([5, 5, 5]) == 5)
        #expect(SatterthwaiteApproximation.combine([1.5, 10]) == 2)
        let e = 10.0 / 8 + 20.0 / 18
        #expect(abs(SatterthwaiteApproximation.combine([10, 20]) - 2 * e / (e - 2)) < 1e-12)
    }
}
