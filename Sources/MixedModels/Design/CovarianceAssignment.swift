import Foundation

/// The covariance structure of each random-effects term of a formula, from the options that
/// name a grouping factor (`Subject`) or a term as written (`(1 + Days | Subject)`, which wins
/// over its group's entry): a named ``CovariancePattern`` or a custom ``CovarianceFreeEntries``.
enum CovarianceAssignment {
    /// The structure chosen for one term.
    struct Choice: Equatable {
        var pattern: CovariancePattern = .fullCholesky
        var freeEntries: CovarianceFreeEntries?
    }

    /// One choice per entry of `formula.randomTerms`.
    /// - Throws: ``DesignError/unknownGroup(_:available:)`` for a group the formula does not
    ///   have; ``DesignError/invalidCovariancePattern(group:reason:)`` for a term it does not have,
    ///   a term that does not parse, or a key given both a pattern and a matrix.
    static func choices(for formula: Formula, options: ModelOptions) throws(DesignError) -> [Choice] {
        let specifications = formula.randomTerms
        var byGroup: [Int: Choice] = [:]
        var byTerm: [Int: Choice] = [:]
        let keys = Set(options.covariancePatterns.keys).union(options.covarianceFreeEntries.keys).sorted()
        for key in keys {
            var choice = Choice()
            if let pattern = options.covariancePatterns[key] { choice.pattern = pattern }
            if let freeEntries = options.covarianceFreeEntries[key] {
                if options.covariancePatterns[key] != nil {
                    throw .invalidCovariancePattern(group: key, reason: "it is given both a named pattern and a matrix; give one")
                }
                choice.freeEntries = freeEntries
            }
            if key.trimmingCharacters(in: .whitespaces).hasPrefix("(") {
                let named: [RandomEffectsSpecification]
                do { named = try Formula.randomEffectsTerm(key) } catch {
                    throw .invalidCovariancePattern(group: key, reason: error.message)
                }
                for specification in named {
                    guard let index = specifications.firstIndex(of: specification) else {
                        let available = specifications.map(\.description).joined(separator: ", ")
                        throw .invalidCovariancePattern(group: key, reason: "the formula has no random-effects term \(specification); its terms are: \(available)")
                    }
                    byTerm[index] = choice
                }
            } else {
                let matching = specifications.indices.filter { specifications[$0].groupName == key }
                if matching.isEmpty { throw .unknownGroup(key, available: specifications.map(\.groupName)) }
                for index in matching { byGroup[index] = choice }
            }
        }
        return specifications.indices.map { byTerm[$0] ?? byGroup[$0] ?? Choice() }
    }
}
