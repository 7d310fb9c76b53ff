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

    /// The grouping factor's name, e.g. `Subject` or `cask:batch`.
    public var groupName: String { grouping.joined(separator: ":") }

    public var description: String {
        var parts = [hasIntercept ? "1" : "0"]
        parts += terms.map(\.description)
        return "(\(parts.joined(separator: " + ")) | \(groupName))"
    }
}
