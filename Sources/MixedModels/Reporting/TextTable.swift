import Foundation

/// A plain-text table in MATLAB's display style: a header row and aligned columns, indented by
/// four spaces; text columns are left-aligned and numbers right-aligned.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public let headers: [String]
    public let alignments: [Alignment]
    public private(set) var rows: [[String]] = []

    public init(headers: [String], alignments: [Alignment]) {
        self.headers = headers
        self.alignments = alignments
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The table's lines, joined by newlines.
    public func rendered(indent: Int = 4) -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        let prefix = String(repeating: " ", count: max(indent, 0))
        return all.map { row in
            var line = prefix
            for column in headers.indices {
                let cell = row.indices.contains(column) ? row[column] : ""
                let padding = String(repeating: " ", count: max(widths[column] - cell.count, 0))
                let aligned = alignments.indices.contains(column) && alignments[column] == .right ? padding + cell : cell + padding
                line += aligned + (column + 1 < headers.count ? "    " : "")
            }
            return Self.trimmingTrailingWhitespace(line)
        }.joined(separator: "\n")
    }

    /// `line` without its trailing white space, as the regular expression `\s+$` removes it
    /// (Unicode white space; `$` also matches before a line break that ends the text). A line
    /// whose last character after its trailing spaces is printable ASCII (or that is all spaces),
    /// as table lines are, has only those spaces removed, without compiling the expression;
    /// any other line goes through the expression itself.
    static func trimmingTrailingWhitespace(_ line: String) -> String {
        let utf8 = line.utf8
        var end = utf8.endIndex
        while end > utf8.startIndex, utf8[utf8.index(before: end)] == UInt8(ascii: " ") {
            end = utf8.index(before: end)
        }
        guard end > utf8.startIndex else { return "" }
        guard (0x21...0x7E).contains(utf8[utf8.index(before: end)]) else {
            return line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return end == utf8.endIndex ? line : String(decoding: utf8[..<end], as: UTF8.self)
    }

    /// A p-value: as ``format(_:digits:)``, but `<1e-300` below 10⁻³⁰⁰ (where a double has lost
    /// the value's digits; R prints `< 2e-16` for the same reason).
    public static func formatPValue(_ value: Double) -> String {
        value >= 0 && value < 1e-300 ? "<1e-300" : format(value)
    }

    /// A number with `digits` significant digits (MATLAB's short display uses 5).
    public static func format(_ value: Double, digits: Int = 5) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
        return String(format: "%.\(digits)g", value)
    }
}
