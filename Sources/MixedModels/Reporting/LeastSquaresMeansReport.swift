/// Least-squares means as text and JSON (the `lmm means` contract: `means` of `{level, estimate,
/// standardError, df, lower, upper}` and `pairwise` of `{contrast, estimate, standardError, df,
/// tStat, pValue}`, each row also with the other statistics).
public struct LeastSquaresMeansReport: Sendable {
    public let means: LeastSquaresMeans
    /// The model's formula.
    public let formula: String
    /// Whether pairwise differences were asked for (the JSON then has `pairwise`).
    public let includesPairwise: Bool

    public init(means: LeastSquaresMeans, formula: String, includesPairwise: Bool) {
        self.means = means
        self.formula = formula
        self.includesPairwise = includesPairwise
    }

    private var confidenceLabel: String { TextTable.format(100 * (1 - means.alpha), digits: 4) + "%" }

    /// The text tables.
    public var text: String {
        var lines = ["Least-squares means of \(means.factor) (\(confidenceLabel) CIs, DF method: \(means.dfMethod.rawValue))",
                     "Model: \(formula)", ""]
        lines.append(table(header: "Level", rows: means.means))
        if includesPairwise {
            lines += ["", "Pairwise differences:", table(header: "Contrast", rows: means.pairwise)]
        }
        lines += ["", "Other factors are averaged with equal weights; numeric covariates are at their means."]
        return lines.joined(separator: "\n")
    }

    private func table(header: String, rows: [FixedEffectRow]) -> String {
        var table = TextTable(headers: [header, "Estimate", "SE", "tStat", "DF", "pValue", "Lower", "Upper"],
                              alignments: [.left] + Array(repeating: .right, count: 7))
        for row in rows {
            table.append([row.name] + [row.estimate, row.standardError, row.tStat, row.df, row.pValue, row.lower, row.upper]
                .map { TextTable.format($0) })
        }
        return table.rendered()
    }

    /// The JSON object.
    public var json: JSONValue {
        func object(_ key: String, _ row: FixedEffectRow) -> JSONValue {
            .object([(key, .string(row.name)), ("estimate", .number(row.estimate)),
                     ("standardError", .number(row.standardError)), ("df", .number(row.df)),
                     ("tStat", .number(row.tStat)), ("pValue", .number(row.pValue)),
                     ("lower", .number(row.lower)), ("upper", .number(row.upper))])
        }
        var members: [(String, JSONValue)] = [
            ("formula", .string(formula)), ("factor", .string(means.factor)),
            ("dfMethod", .string(means.dfMethod.rawValue)), ("alpha", .number(means.alpha)),
            ("means", .array(means.means.map { object("level", $0) })),
        ]
        if includesPairwise { members.append(("pairwise", .array(means.pairwise.map { object("contrast", $0) }))) }
        return .object(members)
    }
}
