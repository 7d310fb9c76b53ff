/// A result row that prints as a table: `print(row)` shows a header and the row, and
/// `rows.table` (on an array of rows) renders them all under one header, as `lmm` prints them.
///
/// `print(rows)` of an array shows each row on one line as `Name(field: value, ...)`, since an
/// array prints its elements' debug descriptions.
public protocol TableRow: CustomStringConvertible, CustomDebugStringConvertible {
    /// The column headers.
    static var tableHeaders: [String] { get }
    /// How many leading columns are text (left-aligned); the others are numbers.
    static var textColumnCount: Int { get }
    /// The row's cells, formatted as `lmm` prints them.
    var tableCells: [String] { get }
}

extension TableRow {
    /// The row under its header.
    public var description: String { [self].table }

    /// One line: the type name and each field with its printed value.
    public var debugDescription: String {
        let fields = zip(Self.tableHeaders, tableCells).map { "\($0): \($1)" }.joined(separator: ", ")
        return "\(Self.self)(\(fields))"
    }
}

extension Array where Element: TableRow {
    /// The rows as one text table under a header.
    public var table: String {
        let alignments = (0..<Element.tableHeaders.count).map { $0 < Element.textColumnCount ? TextTable.Alignment.left : .right }
        var table = TextTable(headers: Element.tableHeaders, alignments: alignments)
        for row in self { table.append(row.tableCells) }
        return table.rendered()
    }
}

extension FixedEffectRow: TableRow {
    public static var tableHeaders: [String] { ["Name", "Estimate", "SE", "tStat", "DF", "pValue", "Lower", "Upper"] }
    public static var textColumnCount: Int { 1 }
    public var tableCells: [String] {
        [name] + [estimate, standardError, tStat, df].map { TextTable.format($0) } + [TextTable.formatPValue(pValue)]
            + [lower, upper].map { TextTable.format($0) }
    }
}

extension ANOVARow: TableRow {
    public static var tableHeaders: [String] { ["Term", "FStat", "DF1", "DF2", "pValue"] }
    public static var textColumnCount: Int { 1 }
    public var tableCells: [String] {
        [term] + [fStat, df1, df2].map { TextTable.format($0) } + [TextTable.formatPValue(pValue)]
    }
}

extension CovarianceParameterRow: TableRow {
    public static var tableHeaders: [String] { ["Group", "Name1", "Name2", "Type", "Estimate", "Lower", "Upper"] }
    public static var textColumnCount: Int { 4 }
    public var tableCells: [String] {
        [group, name1, name2, type] + [estimate, lower, upper].map { TextTable.format($0) }
    }
}

extension RandomEffectRow: TableRow {
    public static var tableHeaders: [String] { ["Group", "Level", "Name", "Estimate", "condSD", "SEPred", "tStat", "DF", "pValue", "Lower", "Upper"] }
    public static var textColumnCount: Int { 3 }
    public var tableCells: [String] {
        [group, level, name] + [estimate, conditionalSD, standardErrorOfPrediction, tStat, df].map { TextTable.format($0) }
            + [TextTable.formatPValue(pValue)] + [lower, upper].map { TextTable.format($0) }
    }
}

extension PredictionRow: TableRow {
    public static var tableHeaders: [String] { ["Prediction", "SE", "Lower", "Upper", "DF"] }
    public static var textColumnCount: Int { 0 }
    public var tableCells: [String] {
        [prediction, standardError, lower, upper, df].map { TextTable.format($0) }
    }
}

extension FittedModel: CustomStringConvertible {
    /// The summary `lmm fit` prints (residual degrees of freedom, 95% intervals, type III ANOVA):
    /// `print(fit)` shows it. ``FitReport`` gives other choices.
    public var description: String {
        ((try? FitReport.computing(fit: self)) ?? FitReport(fit: self)).text
    }
}
