import CKernels
import Testing
@testable import MixedModels

/// The sparse factor's clique downdate taken in two halves (``CliqueDowndate``): the same
/// deviance as the dense blocks, and the same bits on one thread as on two.
@Suite("Clique downdate in two halves")
struct CliqueDowndateTests {
    /// A nearly nested design with enough clique entries to be split: 8,000 levels of g with 12
    /// observations each, on levels of h drawn from clusters of 24 (1,200 levels).
    /// (Every level has 12 observations, so the grouped sums would apply: the sparse model is
    /// made to take its downdate by cliques.)
    static func model(storage: TrailingStorageChoice) throws -> LinearMixedModel {
        let data = try SparseTrailingTests.table(design: "nearly nested", groups: 8000, per: 12, hLevels: 1200,
                                                 cluster: 24, seed: 5)
        var model = try LinearMixedModel(formula: "y ~ 1 + (1 | g) + (1 | h)", data: data,
                                         options: ModelOptions(trailingStorage: storage))
        if storage != .dense {
            model.factorPlan = try FactorPlan(crossProducts: model.crossProducts, design: model.design, choice: storage,
                                              memoryLimit: .max, downdate: .cliques)
        }
        return model
    }

    @Test("split cliques give the dense deviance, and the same bits on one thread as on two")
    func splitMatchesDense() throws {
        let sparse = try Self.model(storage: .automatic)
        let dense = try Self.model(storage: .dense)
        let trailing = try #require(sparse.factorPlan.sparseTrailing)
        let split = try #require(trailing.cliqueSplit)
        #expect(split > 0 && split < 8000)
        for theta in [[0.3, 1.7], [2.5, 0.05]] {
            for method in [EstimationMethod.ml, .reml] {
                let expected = dense.objective(theta: theta, method: method)
                let actual = sparse.objective(theta: theta, method: method)
                #expect(FixtureSupport.relativeError(actual, expected) < 1e-10, "θ = \(theta): \(actual) vs \(expected)")
                let previous = mm_set_thread_limit(1)
                let single = sparse.objective(theta: theta, method: method)
                _ = mm_set_thread_limit(previous)
                #expect(single == actual, "θ = \(theta): one thread \(single), two \(actual)")
            }
        }
    }
}
