import ArgumentParser
import MixedModels

/// `lmm ranef`: the conditional modes of the random effects (BLUPs) with their conditional SDs
/// and intervals, one row per grouping factor, level and random effect.
struct RanefCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranef",
        abstract: "Fit the model, then list the random effects (conditional modes, BLUPs) with conditional SDs and intervals.",
        discussion: """
        One row per grouping factor, level and random-effects column: group, level, name, estimate (lme4's \
        conditional mode, MATLAB's randomEffects estimate), condSD (lme4's conditional SD, ranef(condVar = TRUE): \
        the SD of b given the data with beta known) and lower, upper: MATLAB's randomEffects interval, \
        estimate ± t(1 − alpha/2; n − p) · SEPred, where SEPred is the standard error of b̂ − b that also counts the \
        uncertainty of the fixed effects (with --df-method none, the normal quantile instead of t). The text output \
        groups the rows by grouping factor.
        """
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup
    @OptionGroup var saved: SavedFitOptions

    @Option(name: .long, help: "Significance level of the intervals (confidence 1 − alpha).")
    var alpha: Double = 0.05

    @Option(name: .customLong("df-method"), help: "Degrees of freedom of the intervals: residual (n − p, MATLAB's default) or none (normal quantile).")
    var dfMethod: DegreesOfFreedomMethod = .residual

    @Option(name: .long, help: "Output format: text (grouped by factor), csv or json.")
    var format: TableFormat = .text

    @Option(name: .long, help: ArgumentHelp("Write to this file (whole or not at all) instead of standard output; '-' is standard output.", valueName: "FILE"))
    var output: String?

    func validate() throws {
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1") }
        guard dfMethod == .residual || dfMethod == .none else {
            throw ValidationError("--df-method for ranef is residual or none (Satterthwaite and Kenward–Roger degrees of freedom for random effects are not implemented)")
        }
    }

    func run() throws {
        let table = try input.loadTable()
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions(rowCount: table.rowCount))
        let fit = try saved.fit(model, options: modelOptions)
        let rows = try fit.randomEffects(alpha: alpha, dfMethod: dfMethod)
        let text: String
        switch format {
        case .csv: text = Self.csv(rows)
        case .json: text = Self.json(rows, fit: fit, alpha: alpha, dfMethod: dfMethod).rendered()
        case .text: text = Self.text(rows, fit: fit, alpha: alpha, dfMethod: dfMethod)
        }
        try ResultOutput.emit(text, to: output)
    }

    static let columns = ["group", "level", "name", "estimate", "condSD", "lower", "upper"]

    static func csv(_ rows: [RandomEffectRow]) -> String {
        var lines = [columns.joined(separator: ",")]
        for row in rows {
            lines.append(([row.group, row.level, row.name].map(ResultOutput.csvField)
                          + [row.estimate, row.conditionalSD, row.lower, row.upper].map(OutputFile.csvNumber))
                .joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    static func intervalDescription(fit: FittedModel, alpha: Double, dfMethod: DegreesOfFreedomMethod) -> String {
        let quantile = dfMethod == .none ? "z" : "t(\(Int(fit.residualDegreesOfFreedom)) df)"
        return "estimate ± \(quantile) × SEPred (MATLAB's randomEffects), confidence \(TextTable.format(100 * (1 - alpha), digits: 4))%"
    }

    static func json(_ rows: [RandomEffectRow], fit: FittedModel, alpha: Double, dfMethod: DegreesOfFreedomMethod) -> JSONValue {
        .object([
            ("formula", .string(fit.model.design.formula.text)),
            ("method", .string(fit.method.rawValue)),
            ("alpha", .number(alpha)),
            ("dfMethod", .string(dfMethod.rawValue)),
            ("interval", .string(intervalDescription(fit: fit, alpha: alpha, dfMethod: dfMethod))),
            ("randomEffects", .array(rows.map { row in
                .object([("group", .string(row.group)), ("level", .string(row.level)), ("name", .string(row.name)),
                         ("estimate", .number(row.estimate)), ("condSD", .number(row.conditionalSD)),
                         ("lower", .number(row.lower)), ("upper", .number(row.upper))])
            })),
        ])
    }

    static func text(_ rows: [RandomEffectRow], fit: FittedModel, alpha: Double, dfMethod: DegreesOfFreedomMethod) -> String {
        var blocks = ["Random effects of \(fit.model.design.formula.text) (\(fit.method.rawValue) fit): conditional modes, lme4's conditional SDs, intervals \(intervalDescription(fit: fit, alpha: alpha, dfMethod: dfMethod))"]
        var start = 0
        for term in fit.model.design.randomEffectsTerms {
            let end = min(start + term.randomEffectCount, rows.count)
            var table = TextTable(headers: ["Level", "Name", "Estimate", "condSD", "Lower", "Upper"],
                                  alignments: [.left, .left, .right, .right, .right, .right])
            for row in rows[start..<end] {
                table.append([row.level, row.name] + [row.estimate, row.conditionalSD, row.lower, row.upper].map { TextTable.format($0) })
            }
            blocks.append("Group: \(term.groupName) (\(term.levelCount) levels)\n" + table.rendered())
            start = end
        }
        return blocks.joined(separator: "\n\n")
    }
}
