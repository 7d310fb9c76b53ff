/// An HTML table: a header row and body rows of escaped cells; numeric columns are
/// right-aligned with tabular figures.
struct HTMLTable {
    let headers: [String]
    /// Which columns hold numbers.
    let numeric: [Bool]
    var rows: [[String]] = []
    /// An optional caption shown above the table.
    var caption: String?

    init(headers: [String], numericFrom firstNumeric: Int, caption: String? = nil) {
        self.headers = headers
        self.numeric = headers.indices.map { $0 >= firstNumeric }
        self.caption = caption
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    var rendered: String {
        var html = "<table>\n"
        if let caption { html += "<caption>\(HTMLText.escaped(caption))</caption>\n" }
        html += "<thead><tr>" + headers.enumerated().map { index, header in
            "<th\(numeric[index] ? " class=\"num\"" : "") scope=\"col\">\(HTMLText.escaped(header))</th>"
        }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows {
            html += "<tr>" + row.enumerated().map { index, cell in
                let isNumeric = index < numeric.count && numeric[index]
                return "<td\(isNumeric ? " class=\"num\"" : "")>\(HTMLText.escaped(cell))</td>"
            }.joined() + "</tr>\n"
        }
        return html + "</tbody>\n</table>"
    }
}

/// Escaping of text for HTML.
enum HTMLText {
    static func escaped(_ string: String) -> String { SVGDocument.escaped(string) }
}
