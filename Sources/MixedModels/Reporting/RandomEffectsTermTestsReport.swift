/// lmerTest's `ranova` table as text and JSON (the `lmm ranova` contract: `terms` of
/// `{term, lrStat, df, pValue}`, plus `logLik`, `aic`, `parameters` and `reducedTerm` per row,
/// and the `full` model's row).
public struct RandomEffectsTermTestsReport: Sendable {
    public let tests: RandomEffectsTermTests
    /// The full model's formula.
    public let formula: String

    public init(tests: RandomEffectsTermTests, formula: String) {
        self.tests = tests
        self.formula = formula
    }

    /// The text table, laid out as lmerTest prints it.
    public var text: String {
        var lines = ["ANOVA-like table for random-effects: single term deletions (fits by \(tests.method.rawValue))", "",
                     "Model:", "    \(formula)", ""]
        var table = TextTable(headers: ["Term", "npar", "logLik", "AIC", "LRT", "Df", "Pr(>Chisq)"],
                              alignments: [.left] + Array(repeating: .right, count: 6))
        for (index, row) in ([tests.full] + tests.terms).enumerated() {
            let isFull = index == 0
            table.append([row.term, String(row.parameters), TextTable.format(row.logLikelihood), TextTable.format(row.aic),
                          isFull ? "" : TextTable.format(row.lrStat), isFull ? "" : String(row.df),
                          isFull ? "" : TextTable.format(row.pValue)])
        }
        lines.append(table.rendered())
        let replaced = tests.terms.filter { $0.replacement != nil }
        if !replaced.isEmpty {
            lines.append("")
            for row in replaced { lines.append("\(row.term): reduced to \(row.replacement ?? "")") }
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON object.
    public var json: JSONValue {
        func object(_ row: RandomEffectsTermTests.Row) -> JSONValue {
            .object([("term", .string(row.term)), ("lrStat", .number(row.lrStat)), ("df", .integer(row.df)),
                     ("pValue", .number(row.pValue)), ("logLik", .number(row.logLikelihood)), ("aic", .number(row.aic)),
                     ("parameters", .integer(row.parameters)),
                     ("reducedTerm", row.replacement.map { .string($0) } ?? .null)])
        }
        return .object([
            ("formula", .string(formula)),
            ("method", .string(tests.method.rawValue)),
            ("full", object(tests.full)),
            ("terms", .array(tests.terms.map(object))),
        ])
    }
}
