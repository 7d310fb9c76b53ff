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
    /// unquoted fields. Default: `NA` and the empty field. Add codes such as `.` (SAS, Stata) or
    /// `-999` to read them as missing.
    ///
    /// In a numeric column `NaN` (any case, optional sign) is missing too, as in R and MATLAB.
    /// `Inf` is not: it is an error, because a mixed model needs finite values.
    public var missingTokens: Set<String>

    /// The byte that separates a number's integer and fractional digits: `.` (default) or `,`
    /// (decimal commas, as in many European exports, where `;` separates the fields).
    ///
    /// With `,`, an inferred delimiter is tab when the header line has tabs and no semicolons,
    /// otherwise `;` unless the header has commas but no semicolons (then the numbers must be
    /// quoted). Only `.` and `,` are accepted.
    public var decimalSeparator: UInt8

    /// Creates reading options.
    /// - Parameters:
    ///   - delimiter: The field delimiter byte, or `nil` to infer it.
    ///   - categoricalColumns: Columns to read as categorical even if numeric-looking.
    ///   - levelOrders: Level orders by column name; the first level is the reference.
    ///   - missingTokens: Field texts that mean "missing".
    ///   - decimalSeparator: `.` (default) or `,`.
    public init(
        delimiter: UInt8? = nil,
        categoricalColumns: Set<String> = [],
        levelOrders: [String: [String]] = [:],
        missingTokens: Set<String> = ["NA", ""],
        decimalSeparator: UInt8 = UInt8(ascii: ".")
    ) {
        self.delimiter = delimiter
        self.categoricalColumns = categoricalColumns
        self.levelOrders = levelOrders
        self.missingTokens = missingTokens
        self.decimalSeparator = decimalSeparator
    }
}
