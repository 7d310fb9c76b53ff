/// One random-effects term of a formula after expansion, e.g. `(1 + Days | Subject)`.
///
/// `(1 | a/b)` expands to two specifications, `(1 | a)` and `(1 | b:a)` (lme4's naming), and
/// `(1 + x || g)` to `(1 | g)` and `(0 + x | g)`.
public struct RandomEffectsSpecification: Sendable, Equatable, CustomStringConvertible {
    /// Whether the term has a random intercept.
    public let hasIntercept: Bool
    /// The terms whose columns make up the random-effects model matrix z (besides the intercept).
    public let terms: [FormulaTerm]
    /// The variables whose interaction is the grouping factor, e.g. `["cask", "batch"]`.
    public let grouping: [String]

    /// The columns of the term's model matrix z that this specification keeps (0-based, in
    /// order), or `nil` for all. A custom covariance pattern (``CovarianceFreeEntries``) splits a
    /// term into one specification per block of correlated random effects.
    public let columnSelection: [Int]?

    /// A random-effects term with all its columns (`columnSelection: nil`) or some of them.
    public init(hasIntercept: Bool, terms: [FormulaTerm], grouping: [String], columnSelection: [Int]? = nil) {
        self.hasIntercept = hasIntercept
        self.terms = terms
        self.grouping = grouping
        self.columnSelection = columnSelection
    }

    /// The grouping factor's name, e.g. `Subject` or `cask:batch`.
    public var groupName: String { grouping.joined(separator: ":") }

    /// The term as written, e.g. `(1 + Days | Subject)`, without the column selection.
    public var termDescription: String {
        var parts = [hasIntercept ? "1" : "0"]
        parts += terms.map(\.description)
        return "(\(parts.joined(separator: " + ")) | \(groupName))"
    }

    /// The term as written, followed by its selected columns (1-based) where it keeps only some,
    /// e.g. `(1 + Days | Subject)[2]`.
    public var description: String {
        guard let columnSelection else { return termDescription }
        return termDescription + "[" + columnSelection.map { String($0 + 1) }.joined(separator: ", ") + "]"
    }

    /// The same term keeping only `columns` of z.
    func selecting(_ columns: [Int]) -> RandomEffectsSpecification {
        RandomEffectsSpecification(hasIntercept: hasIntercept, terms: terms, grouping: grouping, columnSelection: columns)
    }
}
