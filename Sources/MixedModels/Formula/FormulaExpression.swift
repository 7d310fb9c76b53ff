/// The syntax tree of the right-hand side of a model formula, before term expansion.
indirect enum FormulaExpression: Sendable, Equatable {
    /// A variable (column) name.
    case variable(String, position: Int)
    /// The literal `0` or `1` (intercept control).
    case intercept(present: Bool, position: Int)
    /// An integer literal other than 0 and 1 (only valid as the exponent of `^`).
    case integer(Int, position: Int)
    /// `lhs op rhs` for `+ - * / : ^`.
    case binary(FormulaOperator, FormulaExpression, FormulaExpression, position: Int)
    /// Unary minus, e.g. `-1`.
    case negation(FormulaExpression, position: Int)
    /// A random-effects term `(expression | group)` or `(expression || group)`.
    case randomEffects(FormulaExpression, group: FormulaExpression, uncorrelated: Bool, position: Int)
    /// A function call that makes a variable: `log(x)`, `I(x^2)`, `poly(x, 2)`, `factor(x)`.
    case call(FormulaVariable, position: Int)
    /// `offset(expression)`: a known term with coefficient 1.
    case offset(TransformExpression, position: Int)

    var position: Int {
        switch self {
        case .variable(_, let position), .intercept(_, let position), .integer(_, let position),
             .binary(_, _, _, let position), .negation(_, let position),
             .randomEffects(_, _, _, let position), .call(_, let position), .offset(_, let position):
            return position
        }
    }
}

/// A binary formula operator.
enum FormulaOperator: String, Sendable, Equatable {
    case plus = "+", minus = "-", cross = "*", nest = "/", interaction = ":", power = "^"
}
