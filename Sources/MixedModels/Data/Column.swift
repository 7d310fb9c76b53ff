/// One column of a ``DataTable``: numeric (Double) or categorical (text levels).
///
/// Missing values are part of the column: `Double.nan` in a numeric column and the code
/// ``CategoricalColumn/missingCode`` in a categorical one.
public enum Column: Sendable, Equatable {
    case numeric(NumericColumn)
    case categorical(CategoricalColumn)

    /// The number of values (rows) in the column.
    public var count: Int {
        switch self {
        case .numeric(let column): return column.values.count
        case .categorical(let column): return column.codes.count
        }
    }

    /// Whether the value in `row` is missing.
    public func isMissing(at row: Int) -> Bool {
        switch self {
        case .numeric(let column): return column.values[row].isNaN
        case .categorical(let column): return column.codes[row] == CategoricalColumn.missingCode
        }
    }

    /// Whether the column is categorical.
    public var isCategorical: Bool {
        if case .categorical = self { return true }
        return false
    }
}

/// A numeric column. Missing values are stored as `Double.nan`.
public struct NumericColumn: Sendable, Equatable {
    /// The values, `Double.nan` where missing.
    public var values: [Double]

    public init(values: [Double]) {
        self.values = values
    }
}

/// A categorical column: integer codes into an ordered list of level labels.
///
/// The order of `levels` is the order used for dummy coding: the first level is the reference
/// level under reference (treatment) contrasts, as in R's `contr.treatment` and MATLAB's
/// `'reference'` coding.
public struct CategoricalColumn: Sendable, Equatable {
    /// The code that marks a missing value.
    public static let missingCode: Int32 = -1

    /// Per row, the index into `levels`, or ``missingCode``.
    public var codes: [Int32]
    /// The level labels in coding order.
    public var levels: [String]

    public init(codes: [Int32], levels: [String]) {
        self.codes = codes
        self.levels = levels
    }

    /// The label in `row`, or `nil` when the value is missing.
    public func label(at row: Int) -> String? {
        let code = codes[row]
        return code == Self.missingCode ? nil : levels[Int(code)]
    }
}
