/// How one variable enters model matrices: a numeric value, or a categorical factor with its
/// levels. A fitted model keeps these so that new data are coded the same way.
public enum VariableCoding: Sendable, Equatable {
    case numeric
    /// Levels present in the fitted rows, in coding order.
    case categorical(levels: [String])

    /// The levels of a categorical variable (empty for numeric).
    public var levels: [String] {
        if case .categorical(let levels) = self { return levels }
        return []
    }
}

/// The values of one variable on the model's rows, coded for building matrices.
enum CodedVariable {
    case numeric([Double])
    /// Several numeric columns from one variable (`poly(x, 2)`): their names and values,
    /// row-major (`names.count` per row).
    case numericColumns(names: [String], values: [Double])
    /// Level index per row (into the model's levels), -1 where unknown (new data only).
    case categorical(codes: [Int32], levels: [String])
}

extension CodedVariable {
    /// Whether the variable is numeric (one column or several).
    var isNumeric: Bool {
        if case .categorical = self { return false }
        return true
    }
}
