import Foundation

/// Likelihood-ratio tests of a sequence of nested models, each against the one before it (lme4's
/// `anova(m1, m2, m3)`, MATLAB's `compare` applied in turn).
public struct ModelSequenceComparison: Sendable, Equatable, Codable {
    /// One row per model, in the order given, as compared (after any ML refits).
    public let models: [LikelihoodRatioTest.ModelRow]
    /// The test of model i + 1 against model i, for i = 0, ..., count − 2.
    public let comparisons: [LikelihoodRatioTest]
    /// The test of the last model against the first (the only test when there are two models).
    public let overall: LikelihoodRatioTest
    /// What was done for the whole sequence (ML refits, REML comparisons).
    public let note: String
}

extension LikelihoodRatioTest {
    /// Compares two or more fits, each against the previous one; give them from the smallest
    /// model to the biggest.
    ///
    /// The criterion is chosen once for all the fits, with the rules of
    /// ``compare(_:_:criterion:)``: REML criteria are compared only when every fit is REML with
    /// the same fixed effects and `criterion` is `.automatic`; otherwise every REML fit is refitted
    /// by ML first (lme4's `anova`, which also refits all models when any needs it). Each
    /// successive test then follows ``compare(_:_:criterion:)`` on the fits as compared.
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for fewer than two fits or fits to
    ///   different data, and the errors of an ML refit.
    public static func compare(_ fits: [FittedModel],
                               criterion: ComparisonCriterion = .automatic) throws(MixedModelError) -> ModelSequenceComparison {
        guard fits.count >= 2, let first = fits.first else {
            throw .invalidArgument("a comparison needs at least two models (\(fits.count) given)")
        }
        let allREML = fits.allSatisfy { $0.method == .reml }
        let fixed = first.model.design.fixedEffects
        let sameFixed = fits.allSatisfy {
            $0.model.design.fixedEffects.columnNames == fixed.columnNames && $0.model.design.fixedEffects.values == fixed.values
        }
        var compared = fits
        var notes: [String] = []
        if allREML && sameFixed && criterion == .automatic {
            notes.append("REML criteria compared: all models are REML fits with the same fixed effects (lme4's anova would refit them by ML)")
        } else if fits.contains(where: { $0.method == .reml }) {
            // Check the data first, so that a mismatch is reported before any refit.
            for index in 1..<fits.count { try checkSameObservations(fits[index - 1].model.design, fits[index].model.design) }
            compared = []
            for fit in fits { compared.append(fit.method == .reml ? try fit.model.fit(method: .ml) : fit) }
            notes.append("refitting model(s) with ML (instead of REML)")
        }
        var tests: [LikelihoodRatioTest] = []
        for index in 1..<compared.count {
            tests.append(try prepare(compared[index - 1], compared[index], criterion: criterion).test)
        }
        let overall = fits.count == 2 ? tests[0] : try prepare(compared[0], compared[compared.count - 1], criterion: criterion).test
        // The rows of the models as compared: the smaller model of the first test, then the bigger of each.
        let rows = [tests[0].models[0]] + tests.map { $0.models[1] }
        let pairNotes = tests.enumerated().compactMap { index, test in
            test.note.isEmpty || test.note.hasPrefix("REML criteria compared") ? nil : "model \(index + 2) against model \(index + 1): \(test.note)"
        }
        return ModelSequenceComparison(models: rows, comparisons: tests, overall: overall,
                                       note: (notes + pairNotes).joined(separator: ". "))
    }
}
