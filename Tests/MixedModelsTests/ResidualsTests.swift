import Foundation
import Testing
@testable import MixedModels

/// residuals() of every type (MATLAB definitions) and rSquared against lme4 (raw, Pearson)
/// and against the dense-matrix computation in R (Fixtures/prediction), at lme4's θ.
@Suite("Residuals and R-squared")
struct ResidualsTests {
    /// Relative tolerance (1e-6) on every residual and on R².
    static let tolerance = 1e-6

    @Test("raw, Pearson and standardized residuals, conditional and marginal", arguments: PredictionSupport.fixtures)
    func residuals(file: String) throws {
        let (reference, source, fit) = try PredictionSupport.load(file)
        let raw = fit.residuals()
        for (index, expected) in FixtureSupport.doubles(source["residuals_first10"]).enumerated() {
            #expect(PredictionSupport.error(raw[index], expected, floor: 1e-6) < Self.tolerance, "\(file) raw[\(index)]")
        }
        // lme4's Pearson residuals are sqrt(w) r; MATLAB's divide by sigma as well.
        let pearson = fit.residuals(.pearson)
        for (index, expected) in FixtureSupport.doubles(source["residuals_pearson_first10"]).enumerated() {
            #expect(PredictionSupport.error(pearson[index] * fit.sigma, expected, floor: 1e-6) < Self.tolerance, "\(file) pearson[\(index)]")
        }
        let expected = reference["residuals"] as? [String: Any] ?? [:]
        let cases: [(String, ResidualType, Bool)] = [
            ("raw_conditional", .raw, true), ("raw_marginal", .raw, false),
            ("pearson_conditional", .pearson, true), ("pearson_marginal", .pearson, false),
            ("standardized_conditional", .standardized, true), ("standardized_marginal", .standardized, false)]
        for (name, type, conditional) in cases {
            let ours = fit.residuals(type, conditional: conditional)
            let theirs = FixtureSupport.doubles(expected[name])
            #expect(!theirs.isEmpty)
            for index in theirs.indices {
                #expect(PredictionSupport.error(ours[index], theirs[index], floor: 1e-6) < Self.tolerance,
                        "\(file) \(name)[\(index)]: \(ours[index]) vs \(theirs[index])")
            }
        }
    }

    @Test("R-squared (MATLAB's definitions) matches R", arguments: PredictionSupport.fixtures)
    func rSquared(file: String) throws {
        let (reference, _, fit) = try PredictionSupport.load(file)
        let expected = reference["rsquared"] as? [String: Any] ?? [:]
        let ours = fit.rSquared
        #expect(PredictionSupport.error(ours.ordinary, FixtureSupport.double(expected["ordinary"])) < Self.tolerance)
        #expect(PredictionSupport.error(ours.adjusted, FixtureSupport.double(expected["adjusted"])) < Self.tolerance)
        #expect(PredictionSupport.error(ours.errorSumOfSquares, FixtureSupport.double(expected["SSE"])) < Self.tolerance)
        #expect(PredictionSupport.error(ours.totalSumOfSquares, FixtureSupport.double(expected["SST"])) < Self.tolerance)
    }
}
