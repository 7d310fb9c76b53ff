import Foundation

/// A numeric expression over data columns, as written inside a formula function call:
/// `log(Days)`, `I(Days^2)`, `sqrt(x + 1)`, `scale(x)`.
///
/// Arithmetic follows R: `+ - * / ^`, unary minus, parentheses and numeric constants. Element-wise
/// functions are `log` (natural), `log10`, `log2`, `exp`, `sqrt` and `abs`; `I()` only marks
/// arithmetic. `scale()` and `center()` depend on the data: their constants (mean, standard
/// deviation) come from the fitting rows and are reused on new data (``TransformConstants``).
public indirect enum TransformExpression: Sendable, Hashable, CustomStringConvertible {
    /// A data column.
    case column(String)
    /// A numeric constant and its text as written.
    case constant(Double, text: String)
    /// `-operand`.
    case negation(TransformExpression)
    /// `lhs op rhs`.
    case arithmetic(ArithmeticOperator, TransformExpression, TransformExpression)
    /// `( operand )`, kept so that names print as written.
    case parenthesized(TransformExpression)
    /// An element-wise function of one argument.
    case function(ElementwiseFunction, TransformExpression)
    /// `I(operand)`: arithmetic, not formula operators.
    case asIs(TransformExpression)
    /// `scale(x)` (centre and divide by the sample standard deviation) or `center(x)` (centre only).
    case standardized(TransformExpression, dividesBySD: Bool)

    /// The arithmetic operators of ``TransformExpression``.
    public enum ArithmeticOperator: String, Sendable, Hashable {
        case plus = "+", minus = "-", times = "*", divide = "/", power = "^"
    }

    /// The element-wise functions of ``TransformExpression``.
    public enum ElementwiseFunction: String, Sendable, Hashable, CaseIterable {
        case log, log10, log2, exp, sqrt, abs

        func apply(_ value: Double) -> Double {
            switch self {
            case .log: return Foundation.log(value)
            case .log10: return Foundation.log10(value)
            case .log2: return Foundation.log2(value)
            case .exp: return Foundation.exp(value)
            case .sqrt: return value.squareRoot()
            case .abs: return Swift.abs(value)
            }
        }

        /// Why the function is not defined at `value`, or `nil` where it is.
        func domainProblem(_ value: Double) -> String? {
            switch self {
            case .log, .log10, .log2:
                return value > 0 ? nil : "\(rawValue) of the non-positive value \(TransformExpression.format(value))"
            case .sqrt:
                return value >= 0 ? nil : "sqrt of the negative value \(TransformExpression.format(value))"
            case .exp, .abs:
                return nil
            }
        }
    }

    /// The expression as R's `deparse` prints it: spaces around `+ - *`, none around `/ ^`.
    public var description: String {
        switch self {
        case .column(let name): return TransformExpression.quotedName(name)
        case .constant(_, let text): return text
        case .negation(let operand): return "-\(operand.description)"
        case .arithmetic(let op, let left, let right):
            switch op {
            case .divide, .power: return "\(left.description)\(op.rawValue)\(right.description)"
            default: return "\(left.description) \(op.rawValue) \(right.description)"
            }
        case .parenthesized(let operand): return "(\(operand.description))"
        case .function(let function, let operand): return "\(function.rawValue)(\(operand.description))"
        case .asIs(let operand): return "I(\(operand.description))"
        case .standardized(let operand, let dividesBySD):
            return "\(dividesBySD ? "scale" : "center")(\(operand.description))"
        }
    }

    /// The data columns the expression reads, in order of first use.
    public var columns: [String] {
        switch self {
        case .column(let name): return [name]
        case .constant: return []
        case .negation(let operand), .parenthesized(let operand), .function(_, let operand),
             .asIs(let operand), .standardized(let operand, _):
            return operand.columns
        case .arithmetic(_, let left, let right):
            var seen = Set<String>()
            return (left.columns + right.columns).filter { seen.insert($0).inserted }
        }
    }

    /// Whether the expression is a bare column.
    var columnName: String? {
        if case .column(let name) = self { return name }
        return nil
    }

    /// A name as R prints it: backquoted unless it is a syntactic name.
    static func quotedName(_ name: String) -> String {
        guard let first = name.first, first.isLetter || first == "." || first == "_",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }) else {
            return "`\(name)`"
        }
        return name
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), Swift.abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
