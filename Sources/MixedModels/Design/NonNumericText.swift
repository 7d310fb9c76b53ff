/// The first text in a column that should hold numbers, with where it is and why it may be there:
/// a missing-value code the reader was not told about (`.`, `-999`…) or a decimal comma.
public struct NonNumericText: Sendable, Equatable {
    /// The field's text.
    public let text: String
    /// The 1-based data row.
    public let row: Int
    /// The source line of the row, when the table was read from a file.
    public let line: Int?
    /// Whether the text reads as a number with a decimal comma (`53,08`).
    public let isDecimalComma: Bool

    /// "line 7 (data row 6)" or "data row 6".
    public var place: String {
        line.map { "line \($0) (data row \(row))" } ?? "data row \(row)"
    }

    /// How to read the column as numbers, starting with a semicolon.
    public var hint: String {
        if isDecimalComma {
            return "; it looks like a number with a decimal comma: read the file with decimal commas "
                + "(lmm: --decimal ,; Swift: CSVReadOptions.decimalSeparator)"
        }
        return "; if '\(text)' marks a missing value, declare it as one "
            + "(lmm: --na '\(text)'; Swift: CSVReadOptions.missingTokens)"
    }

    /// The first label on `rows` that is not a number, when some other label is one or the culprit
    /// reads as a number with a decimal comma; `nil` for a column of plain text (or of quoted numbers).
    static func first(in column: CategoricalColumn, rows: [Int], table: DataTable) -> NonNumericText? {
        var isNumber = [Bool?](repeating: nil, count: column.levels.count)
        func levelIsNumber(_ code: Int) -> Bool {
            if let known = isNumber[code] { return known }
            let answer: Bool
            switch NumberParsing.parse(column.levels[code]) {
            case .finite: answer = true
            case .nonFinite, .notANumber: answer = false
            }
            isNumber[code] = answer
            return answer
        }
        var culprit: (row: Int, code: Int)?
        var sawNumber = false
        for row in rows {
            let code = Int(column.codes[row])
            guard code >= 0 else { continue }
            if levelIsNumber(code) {
                sawNumber = true
            } else if culprit == nil {
                culprit = (row, code)
            }
            if sawNumber, culprit != nil { break }
        }
        guard let culprit else { return nil }
        let text = column.levels[culprit.code]
        let decimalComma: Bool
        if case .finite = NumberParsing.parse(text, decimalSeparator: UInt8(ascii: ",")), text.contains(",") {
            decimalComma = true
        } else {
            decimalComma = false
        }
        guard sawNumber || decimalComma else { return nil }
        return NonNumericText(text: text, row: culprit.row + 1, line: table.sourceLine(ofRow: culprit.row),
                              isDecimalComma: decimalComma)
    }
}
