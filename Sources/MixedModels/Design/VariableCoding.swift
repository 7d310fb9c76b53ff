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
    /// Level index per row (into the model's levels), -1 where unknown (new data only).
    case categorical(codes: [Int32], levels: [String])
}
