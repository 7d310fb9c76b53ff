import Foundation
import Testing
@testable import MixedModels

/// Inference after the fit costs a few evaluations of the profiled deviance, and each
/// approximation is computed once per request and reused.
@Suite("Inference cost and reuse")
struct InferenceCostTests {
    static func sleepstudy() throws -> FittedModel {
        let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                         data: DataTable.builtIn("sleepstudy"))
        return try model.fit(method: .reml)
    }

    @Test("the reusing overloads give the same tables as the computing ones")
    func overloadsAgree() throws {
        let fit = try Self.sleepstudy()
        let approximation = fit.satterthwaiteApproximation()
        #expect(fit.fixedEffects(using: approximation) == fit.fixedEffects(dfMethod: .satterthwaite))
        // The Hessian from Satterthwaite's (more accurate) derivatives and the one computed for the
        // intervals alone agree far inside the 1e-3 at which the limits are compared with nlme.
        let shared = fit.covarianceParameters(alpha: 0.05, using: approximation)
        let own = fit.covarianceParameters(alpha: 0.05)
        #expect(shared.count == own.count)
        for (a, b) in zip(shared, own) {
            #expect(a.estimate == b.estimate)
            #expect(FixtureSupport.relativeError(a.lower, b.lower) < 1e-4 && FixtureSupport.relativeError(a.upper, b.upper) < 1e-4,
                    "\(a) vs \(b)")
        }
        #expect(try fit.anova(using: approximation) == fit.anova(dfMethod: .satterthwaite))
        let H: [[Double]] = [[0, 1]]
        #expect(try fit.coefficientTest(H, using: approximation) == fit.coefficientTest(H, dfMethod: .satterthwaite))
        let marginal = try fit.predict(conditional: false, interval: .curve, dfMethod: .satterthwaite)
        #expect(try fit.predict(using: approximation) == marginal)
        let kenwardRoger = try fit.kenwardRogerApproximation()
        #expect(fit.anova(using: kenwardRoger) == (try fit.anova(dfMethod: .kenwardRoger)))
        #expect(try fit.coefficientTest(H, using: kenwardRoger) == fit.coefficientTest(H, dfMethod: .kenwardRoger))
        let report = try FitReport.computing(fit: fit, dfMethod: .satterthwaite)
        let plain = FitReport(fit: fit, dfMethod: .satterthwaite, anova: try fit.anova(dfMethod: .satterthwaite))
        #expect(report.text == plain.text)
        #expect(report.json.rendered() == plain.json.rendered())
    }

    /// The stderr line of `lmm` with `LMM_COUNT_EVALUATIONS` set: the evaluations after the fit.
    static func evaluationsAfterFit(_ arguments: [String]) throws -> Int {
        let run = try CommandLineTests.run(arguments, environment: ["LMM_COUNT_EVALUATIONS": "1"])
        guard run.status == 0, let range = run.error.range(of: "after the fit "),
              let count = Int(run.error[range.upperBound...].prefix { $0.isNumber }) else {
            throw FixtureError.malformed(run.error)
        }
        return count
    }

    @Test("after the fit of sleepstudy (k = 3) lmm fit spends k² + k = 12 evaluations, 4(k² + k) = 48 with Satterthwaite (lmerTest’s scheme); predict 48 for all rows")
    func commandLineCost() throws {
        let formula = "Reaction ~ 1 + Days + (1 + Days | Subject)"
        for (method, expected) in [("residual", 12), ("satterthwaite", 48), ("kenward-roger", 12)] {
            let count = try Self.evaluationsAfterFit(["fit", "sleepstudy", formula, "--method", "reml", "--df-method", method])
            #expect(count == expected, "lmm fit --df-method \(method): \(count)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-cost-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = (0..<10).map { "\(300 + $0),\($0),\"308\"" }.joined(separator: "\n")
        let newData = directory.appendingPathComponent("new.csv")
        try ("Reaction,Days,Subject\n" + rows + "\n").write(to: newData, atomically: true, encoding: .utf8)
        let count = try Self.evaluationsAfterFit(["predict", "sleepstudy", formula, "--method", "reml", "--marginal",
                                                  "--df-method", "satterthwaite", "--new", newData.path,
                                                  "--output", directory.appendingPathComponent("out.csv").path])
        #expect(count == 48, "lmm predict --df-method satterthwaite (10 rows): \(count)")
    }
}
