/// Any error the library reports while reading a model's inputs or fitting it.
public enum MixedModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case formula(FormulaError)
    case design(DesignError)
    case data(DataTableError)
    /// The objective cannot be evaluated even at the starting point (e.g. a constant response).
    case unfittable(String)
    /// A problem with a matrix-interface argument or an inference request.
    case invalidArgument(String)
    /// The model's cross products or factor would not fit in memory (checked before allocating).
    case modelTooLarge(String)

    public var description: String {
        switch self {
        case .formula(let error): return "formula error: \(error)"
        case .design(let error): return error.description
        case .data(let error): return error.description
        case .unfittable(let reason): return "the model cannot be fitted: \(reason)"
        case .invalidArgument(let reason): return reason
        case .modelTooLarge(let reason): return reason
        }
    }
}
