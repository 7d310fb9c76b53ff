/// How to read a CSV or TSV file into a ``DataTable``.
///
/// The defaults read R's `write.csv` output and the built-in data sets unchanged.
public struct CSVReadOptions: Sendable, Equatable {
    /// The field delimiter as an ASCII byte, or `nil` to infer it.
    ///
    /// Inference: files named `*.tsv` or `*.tab` use tab. Otherwise the header line decides
    /// (counting only delimiters outside quotes): tab if it has tabs and no commas; semicolon if it
    /// has semicolons but neither commas nor tabs; comma in every other case. A given delimiter must
    /// be ASCII and not a double quote, CR or LF.
    public var delimiter: UInt8?

    /// Columns to read as categorical even when every value looks like a number
    /// (for example subject IDs written as `308`). Every name must be a column of the file.
    public var categoricalColumns: Set<String>

    /// A level order per column; the first level is the reference level of treatment coding.
    ///
    /// A column named here is read as categorical. The order must name every level present in the
    /// data exactly once and no level that is absent.
    public var levelOrders: [String: [String]]

    /// Field texts that mean "missing", compared after unquoting and after trimming blanks around
    /// unquoted fields. Default: `NA` and the empty field.
    ///
    /// `NaN` and `Inf` are not missing: in a numeric column they are an error, because a mixed model
    /// needs finite values.
    public var missingTokens: Set<String>

    /// Creates reading options.
    /// - Parameters:
    ///   - delimiter: The field delimiter byte, or `nil` to infer it.
    ///   - categoricalColumns: Columns to read as categorical even if numeric-looking.
    ///   - levelOrders: Level orders by column name; the first level is the reference.
    ///   - missingTokens: Field texts that mean "missing".
    public init(
        delimiter: UInt8? = nil,
        categoricalColumns: Set<String> = [],
        levelOrders: [String: [String]] = [:],
        missingTokens: Set<String> = ["NA", ""]
    ) {
        self.delimiter = delimiter
        self.categoricalColumns = categoricalColumns
        self.levelOrders = levelOrders
        self.missingTokens = missingTokens
    }
}
