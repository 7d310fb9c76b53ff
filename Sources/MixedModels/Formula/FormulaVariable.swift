/// A variable of a model formula that is computed from data columns rather than read directly:
/// `log(Days)`, `I(Days^2)`, `Days^2` (MATLAB's power rule), `scale(x)`, `poly(x, 2)`,
/// `factor(x)`. Terms name it by ``name``, the formula text as R's `deparse` prints it, which is
/// also the prefix of its model-matrix columns (`log(Days)`, `poly(Days, 2)1`, `factor(Days)_1`).
public struct FormulaVariable: Sendable, Hashable, CustomStringConvertible {
    /// How the variable's values are computed.
    public enum Kind: Sendable, Hashable {
        /// One numeric column computed by an expression.
        case numeric(TransformExpression)
        /// `factor(column)`: the column's values as a categorical factor.
        case factor(column: String)
        /// `poly(x, degree)`: R's orthogonal polynomials of degree 1...degree (`raw: false`) or
        /// the plain powers x, x², ... (`raw: true`), one column each.
        case polynomial(TransformExpression, degree: Int, raw: Bool)
    }

    /// The variable's name as written (R's deparse), e.g. `poly(Days, 2)`.
    public let name: String
    /// How it is computed.
    public let kind: Kind

    /// A computed variable named `name` (its model-matrix columns are named after it).
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }

    /// The data columns it reads.
    public var columns: [String] {
        switch kind {
        case .numeric(let expression), .polynomial(let expression, _, _): return expression.columns
        case .factor(let column): return [column]
        }
    }

    public var description: String { name }
}
