import Testing
@testable import MixedModels

/// The difference stencil behind Satterthwaite's degrees of freedom and the Wald intervals of
/// the covariance parameters, evaluated two points at a time (one factor per thread), gives the
/// same derivatives, bit for bit, as one point at a time.
@Suite("Derivative stencil on two threads")
struct StencilParallelTests {
    @Test("parallel and sequential stencils agree exactly",
          arguments: [("sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)", true),
                      ("Penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)", false)])
    func sameDerivatives(dataset: String, formula: String, reml: Bool) throws {
        let model = try LinearMixedModel(formula: formula, data: DataTable.builtIn(dataset))
        let fit = try model.fit(method: reml ? .reml : .ml)
        for precision in [VarianceParameterDerivatives.Precision.waldIntervals, .satterthwaite] {
            let sequential = VarianceParameterDerivatives(fit: fit, precision: precision, parallel: false)
            let parallel = VarianceParameterDerivatives(fit: fit, precision: precision, parallel: true)
            #expect(parallel.objectiveGradient == sequential.objectiveGradient)
            #expect(parallel.objectiveHessian == sequential.objectiveHessian)
            #expect(parallel.residualSquaresGradient == sequential.residualSquaresGradient)
            #expect(parallel.inverseCrossProductGradient == sequential.inverseCrossProductGradient)
            let finite = sequential.objectiveHessian.allSatisfy { $0.isFinite }
            #expect(finite)
        }
    }
}
