/// A likelihood-ratio comparison as text (MATLAB's `compare` table) and JSON (the `lmm compare`
/// contract: `models` of `{formula, df, aic, bic, logLikelihood}`, `lrStat`, `deltaDF`, `pValue`).
public struct ComparisonReport: Sendable {
    public let test: LikelihoodRatioTest
    public let simulated: SimulatedLikelihoodRatioTest?

    public init(test: LikelihoodRatioTest, simulated: SimulatedLikelihoodRatioTest? = nil) {
        self.test = test
        self.simulated = simulated
    }

    /// The text table.
    public var text: String {
        var lines = ["Theoretical likelihood ratio test", ""]
        var table = TextTable(headers: ["Model", "Formula", "Method", "DF", "AIC", "BIC", "LogLik", "LRStat", "deltaDF", "pValue"],
                              alignments: [.left, .left, .left] + Array(repeating: .right, count: 7))
        for (index, model) in test.models.enumerated() {
            let isBig = index == test.models.count - 1 && index > 0
            table.append([index == 0 ? "small" : "big", model.formula, model.method.rawValue, String(model.df),
                          TextTable.format(model.aic), TextTable.format(model.bic), TextTable.format(model.logLikelihood),
                          isBig ? TextTable.format(test.lrStat) : "", isBig ? String(test.deltaDF) : "",
                          isBig ? TextTable.formatPValue(test.pValue) : ""])
        }
        lines.append(table.rendered())
        if let simulated {
            lines.append("")
            lines.append("Simulated likelihood ratio test: \(simulated.replicates) simulations from the small model, seed \(simulated.seed)")
            lines.append("    pValue \(TextTable.format(simulated.pValue)), \(TextTable.format(100 * (1 - simulated.alpha), digits: 4))% CI [\(TextTable.format(simulated.lower)), \(TextTable.format(simulated.upper))]")
        }
        if !test.note.isEmpty {
            lines.append("")
            lines.append("Note: \(test.note)")
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON object.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("models", .array(test.models.map { model in
                .object([("formula", .string(model.formula)), ("method", .string(model.method.rawValue)),
                         ("df", .integer(model.df)), ("aic", .number(model.aic)), ("bic", .number(model.bic)),
                         ("logLikelihood", .number(model.logLikelihood)), ("deviance", .number(model.deviance))])
            })),
            ("lrStat", .number(test.lrStat)),
            ("deltaDF", .integer(test.deltaDF)),
            ("pValue", .number(test.pValue)),
            ("nested", .bool(test.nested)),
            ("note", .string(test.note)),
        ]
        if let simulated {
            members.append(("simulated", .object([
                ("nsim", .integer(simulated.replicates)),
                ("seed", simulated.seed <= UInt64(Int.max) ? .integer(Int(simulated.seed)) : .string(String(simulated.seed))),
                ("pValue", .number(simulated.pValue)), ("lower", .number(simulated.lower)),
                ("upper", .number(simulated.upper)), ("alpha", .number(simulated.alpha)),
            ])))
        }
        return .object(members)
    }
}
