/// An error in a model formula, with the position it refers to.
///
/// The description shows the formula with a caret under the offending position and says what
/// was expected, e.g.
///
///     expected a variable, '1', '0' or '(' after '+' (position 9)
///       y ~ x + + z
///               ^
public struct FormulaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The formula text.
    public let formula: String
    /// The 0-based character offset the error refers to.
    public let position: Int
    /// What is wrong, and what was expected.
    public let message: String

    public init(formula: String, position: Int, message: String) {
        self.formula = formula
        self.position = max(0, position)
        self.message = message
    }

    public var description: String {
        let caretLine = String(repeating: " ", count: min(position, formula.count)) + "^"
        return "\(message) (position \(position + 1))\n  \(formula)\n  \(caretLine)"
    }
}
