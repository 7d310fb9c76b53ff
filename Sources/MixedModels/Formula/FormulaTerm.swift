/// A fixed-effects or random-effects model term: the interaction of one or more variables.
///
/// A term is a set: `a:b` and `b:a` are the same term. The variables keep the order in which
/// they were first written, which is the order used to name the term and its columns.
public struct FormulaTerm: Sendable, Hashable, CustomStringConvertible {
    /// The variables, in the order written.
    public let variables: [String]

    public init(_ variables: [String]) {
        var seen = Set<String>()
        self.variables = variables.filter { seen.insert($0).inserted }
    }

    /// The number of variables: 1 for a main effect, 2 for a two-way interaction, ...
    public var order: Int { variables.count }

    /// The term's name as lme4 and MATLAB print it, e.g. `recipe:temperature`.
    public var description: String { variables.joined(separator: ":") }

    /// Whether the two terms hold the same variables, in any order.
    public func isSame(as other: FormulaTerm) -> Bool {
        Set(variables) == Set(other.variables)
    }

    /// The union of the two terms' variables (the interaction of the two).
    func interacting(with other: FormulaTerm) -> FormulaTerm {
        FormulaTerm(variables + other.variables)
    }

    public static func == (lhs: FormulaTerm, rhs: FormulaTerm) -> Bool { lhs.isSame(as: rhs) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(Set(variables))
    }
}
