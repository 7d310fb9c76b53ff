import Foundation
import Testing
@testable import MixedModels

/// Each covariance pattern against an independent reference: lme4 fits for the patterns that are
/// lme4 models in disguise, nlme's `lme()` (Fixtures/patterns, from
/// Fixtures/scripts/covariance_pattern_fixtures.R) for CompSymm and Isotropic.
@Suite("Covariance patterns")
struct CovariancePatternTests {
    static func fit(_ formula: String, data: String, patterns: [String: CovariancePattern],
                    method: EstimationMethod) throws -> FittedModel {
        try LinearMixedModel(formula: formula, data: DataTable.builtIn(data),
                             options: ModelOptions(covariancePatterns: patterns)).fit(method: method)
    }

    static func lme4LogLikelihood(_ file: String) throws -> Double {
        FixtureSupport.double(try FixtureSupport.json(file)["logLik"])
    }

    @Test("Diagonal equals the uncorrelated || fit (lme4)", arguments: EstimationMethod.allCases)
    func diagonalEqualsUncorrelated(method: EstimationMethod) throws {
        let fit = try Self.fit("Reaction ~ 1 + Days + (1 + Days | Subject)", data: "sleepstudy",
                               patterns: ["Subject": .diagonal], method: method)
        let reference = try Self.lme4LogLikelihood("lme4/sleepstudy_uncorr_\(method.rawValue.lowercased()).json")
        #expect(abs(fit.logLikelihood - reference) <= 1e-6 * abs(reference))
        #expect(fit.theta.count == 2)
    }

    @Test("Isotropic on one column equals FullCholesky (lme4 Dyestuff)", arguments: EstimationMethod.allCases)
    func isotropicOneColumn(method: EstimationMethod) throws {
        let fit = try Self.fit("Yield ~ 1 + (1 | Batch)", data: "Dyestuff", patterns: ["Batch": .isotropic], method: method)
        let reference = try Self.lme4LogLikelihood("lme4/dyestuff_\(method.rawValue.lowercased()).json")
        #expect(abs(fit.logLikelihood - reference) <= 1e-6 * abs(reference))
    }

    @Test("Full (log-Cholesky) reaches the FullCholesky optimum (lme4 sleepstudy)", arguments: EstimationMethod.allCases)
    func logCholesky(method: EstimationMethod) throws {
        let fit = try Self.fit("Reaction ~ 1 + Days + (1 + Days | Subject)", data: "sleepstudy",
                               patterns: ["Subject": .full], method: method)
        let reference = try Self.lme4LogLikelihood("lme4/sleepstudy_corr_\(method.rawValue.lowercased()).json")
        #expect(fit.logLikelihood >= reference - 1e-6 * abs(reference))
        #expect(abs(fit.logLikelihood - reference) <= 1e-6 * abs(reference))
    }

    @Test("CompSymm and Isotropic against nlme::lme", arguments: FixtureSupport.files(in: "patterns"))
    func againstNlme(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        guard let pattern = CovariancePattern(name: fixture["pattern"] as? String ?? ""),
              let group = fixture["group"] as? String else {
            Issue.record("fixture \(file) lacks pattern or group")
            return
        }
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        let fit = try Self.fit(fixture["formula"] as? String ?? "", data: fixture["dataset"] as? String ?? "",
                               patterns: [group: pattern], method: method)
        let reference = FixtureSupport.double(fixture["logLik"])
        // Ours may only be better (higher) than nlme's optimum, by at most a hair.
        #expect(fit.logLikelihood >= reference - 1e-6 * abs(reference), "\(fit.logLikelihood) vs nlme \(reference)")
        #expect(fit.logLikelihood - reference <= 1e-4 * abs(reference))
        for (ours, theirs) in zip(fit.beta, FixtureSupport.doubles(fixture["beta"])) {
            #expect(abs(ours - theirs) <= 1e-5 * max(abs(theirs), 1), "beta \(ours) vs \(theirs)")
        }
        #expect(FixtureSupport.relativeError(fit.sigma, FixtureSupport.double(fixture["sigma"])) <= 1e-4)
        let sds = fit.covarianceParameters().filter { $0.group == group && $0.type == "std" }.map(\.estimate)
        for (ours, theirs) in zip(sds, FixtureSupport.doubles(fixture["random_sd"])) {
            #expect(FixtureSupport.relativeError(ours, theirs) <= 1e-3, "sd \(ours) vs \(theirs)")
        }
    }
}

/// The matrix interface (MATLAB's `fitlmematrix`) against the formula interface.
@Suite("Matrix interface")
struct MatrixInterfaceTests {
    @Test("fitlmematrix(X, y, Z, G) equals the formula fit of sleepstudy", arguments: EstimationMethod.allCases)
    func matchesFormula(method: EstimationMethod) throws {
        let table = try DataTable.builtIn("sleepstudy")
        guard case .numeric(let days)? = table.column(named: "Days"),
              case .numeric(let reaction)? = table.column(named: "Reaction"),
              case .categorical(let subject)? = table.column(named: "Subject") else {
            Issue.record("sleepstudy columns")
            return
        }
        let rows = days.values.map { [1, $0] }
        let labels = (0..<table.rowCount).map { subject.label(at: $0) ?? "" }
        let matrixModel = try LinearMixedModel(X: rows, y: reaction.values, Z: [rows], G: [labels])
        let matrixFit = try matrixModel.fit(method: method)
        let reference = try CovariancePatternTests.lme4LogLikelihood("lme4/sleepstudy_corr_\(method.rawValue.lowercased()).json")
        #expect(abs(matrixFit.logLikelihood - reference) <= 1e-6 * abs(reference))
        #expect(matrixFit.model.design.fixedEffects.columnNames == ["x1", "x2"])
        #expect(matrixFit.model.design.randomEffectsTerms.first?.columnNames == ["z11", "z12"])
    }

    @Test("one group with an isotropic pattern on indicator columns equals (1 | Batch)")
    func indicatorColumnsWithOneGroup() throws {
        let table = try DataTable.builtIn("Dyestuff")
        guard case .numeric(let yield)? = table.column(named: "Yield"),
              case .categorical(let batch)? = table.column(named: "Batch") else {
            Issue.record("Dyestuff columns")
            return
        }
        let indicators = batch.codes.map { code in batch.levels.indices.map { $0 == Int(code) ? 1.0 : 0.0 } }
        let model = try LinearMixedModel(X: yield.values.map { _ in [1.0] }, y: yield.values, Z: [indicators], G: [nil],
                                         covariancePatterns: [.isotropic])
        let fit = try model.fit(method: .ml)
        let reference = try CovariancePatternTests.lme4LogLikelihood("lme4/dyestuff_ml.json")
        #expect(abs(fit.logLikelihood - reference) <= 1e-6 * abs(reference))
    }

    @Test("dimension errors are reported, not trapped")
    func dimensionErrors() {
        #expect(throws: MixedModelError.self) {
            try LinearMixedModel(X: [[1], [1]], y: [1, 2, 3], Z: [], G: [])
        }
        #expect(throws: MixedModelError.self) {
            try LinearMixedModel(X: [[1], [1, 2], [1]], y: [1, 2, 3], Z: [], G: [])
        }
        #expect(throws: MixedModelError.self) {
            try LinearMixedModel(X: [[1], [1], [1]], y: [1, 2, 3], Z: [[[1], [1]]], G: [["a", "b", "c"]])
        }
        #expect(throws: MixedModelError.self) {
            try LinearMixedModel(X: [[1], [1], [1]], y: [1, 2, 3], Z: [[[1], [1], [1]]], G: [["a", "b"]])
        }
    }
}
