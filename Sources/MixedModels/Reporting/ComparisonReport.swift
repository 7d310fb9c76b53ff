/// A likelihood-ratio comparison as text (MATLAB's `compare` table, lme4's `anova(m1, m2, ...)`)
/// and JSON (the `lmm compare` contract: `models` of `{formula, df, aic, bic, logLikelihood}`,
/// `lrStat`, `deltaDF`, `pValue`, and `comparisons` of `{lrStat, deltaDF, pValue}` between
/// successive models).
public struct ComparisonReport: Sendable {
    /// The test at the top level: the only one for two models; for more, the last model
    /// against the first.
    public let test: LikelihoodRatioTest
    public let simulated: SimulatedLikelihoodRatioTest?
    /// The models as compared, in the order given.
    public let models: [LikelihoodRatioTest.ModelRow]
    /// The test of each model against the one before it.
    public let comparisons: [LikelihoodRatioTest]
    /// What was done for the whole comparison.
    public let note: String

    /// A report of two models.
    public init(test: LikelihoodRatioTest, simulated: SimulatedLikelihoodRatioTest? = nil) {
        self.test = test
        self.simulated = simulated
        self.models = test.models
        self.comparisons = [test]
        self.note = test.note
    }

    /// A report of a sequence of nested models.
    public init(sequence: ModelSequenceComparison) {
        self.test = sequence.overall
        self.simulated = nil
        self.models = sequence.models
        self.comparisons = sequence.comparisons
        self.note = sequence.note
    }

    /// The text table: one row per model, with the test against the model above it.
    public var text: String {
        var lines = ["Theoretical likelihood ratio test", ""]
        var table = TextTable(headers: ["Model", "Formula", "Method", "DF", "AIC", "BIC", "LogLik", "LRStat", "deltaDF", "pValue"],
                              alignments: [.left, .left, .left] + Array(repeating: .right, count: 7))
        for (index, model) in models.enumerated() {
            let label = models.count == 2 ? (index == 0 ? "small" : "big") : String(index + 1)
            var cells = [label, model.formula, model.method.rawValue, String(model.df),
                         TextTable.format(model.aic), TextTable.format(model.bic), TextTable.format(model.logLikelihood)]
            if index > 0, index - 1 < comparisons.count {
                let comparison = comparisons[index - 1]
                cells += [TextTable.format(comparison.lrStat), String(comparison.deltaDF), TextTable.formatPValue(comparison.pValue)]
            } else {
                cells += ["", "", ""]
            }
            table.append(cells)
        }
        lines.append(table.rendered())
        if models.count > 2 {
            lines.append("")
            lines.append("Each model is tested against the one above it (lme4's anova(m1, m2, ...)).")
        }
        if let simulated {
            lines.append("")
            lines.append("Simulated likelihood ratio test: \(simulated.replicates) simulations from the small model, seed \(simulated.seed)")
            lines.append("    pValue \(TextTable.format(simulated.pValue)), \(TextTable.format(100 * (1 - simulated.alpha), digits: 4))% CI [\(TextTable.format(simulated.lower)), \(TextTable.format(simulated.upper))]")
        }
        if !note.isEmpty {
            lines.append("")
            lines.append("Note: \(note)")
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON object.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("models", .array(models.map { model in
                .object([("formula", .string(model.formula)), ("method", .string(model.method.rawValue)),
                         ("df", .integer(model.df)), ("aic", .number(model.aic)), ("bic", .number(model.bic)),
                         ("logLikelihood", .number(model.logLikelihood)), ("deviance", .number(model.deviance))])
            })),
            ("lrStat", .number(test.lrStat)),
            ("deltaDF", .integer(test.deltaDF)),
            ("pValue", .number(test.pValue)),
            ("nested", .bool(test.nested)),
            ("note", .string(note)),
            ("comparisons", .array(comparisons.enumerated().map { index, comparison in
                .object([("smaller", .integer(index + 1)), ("bigger", .integer(index + 2)),
                         ("lrStat", .number(comparison.lrStat)), ("deltaDF", .integer(comparison.deltaDF)),
                         ("pValue", .number(comparison.pValue)), ("nested", .bool(comparison.nested)),
                         ("note", .string(comparison.note))])
            })),
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
