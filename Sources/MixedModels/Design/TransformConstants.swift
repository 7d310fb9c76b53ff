/// The constants that data-dependent transforms (`scale`, `center`, orthogonal `poly`) took on
/// the fitting rows, so that new data are transformed the same way (as R's `predict` does
/// through `makepredictcall`). Keyed by the computed variable's name (``FormulaVariable/name``)
/// or, for the offsets, by ``TransformConstants/offsetKey(_:)``.
public struct TransformConstants: Sendable, Equatable {
    /// Per variable, its constants in the order the evaluation visits them.
    var values: [String: [Double]] = [:]

    /// The key of the `index`-th offset.
    static func offsetKey(_ index: Int) -> String { "offset #\(index)" }
}
