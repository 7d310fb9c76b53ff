import ArgumentParser
import MixedModels

/// `lmm coeftest`: an F test of linear hypotheses on the fixed effects written with coefficient
/// names (MATLAB's `coefTest`, car's `linearHypothesis`, lmerTest's `contest`).
struct CoefTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coeftest",
        abstract: "Fit the model, then F-test linear hypotheses on the fixed effects, written with coefficient names.",
        discussion: """
        Each --hypothesis is one row of H beta = c, e.g. 'Days = 0', 'a - b = 0', '2*a + b = 1' or \
        '(Intercept) + Days = 260'; several make one joint F test (MATLAB's coefTest(lme, H, C), car's \
        linearHypothesis, lmerTest's contest). Names are those of lmm fit's fixed-effects table; put a name in \
        backticks to take it whole. Without --hypothesis, all coefficients except the intercept are tested against 0 \
        (MATLAB's coefTest(lme)). The output gives F, the numerator DF (the rank of H), the denominator DF of \
        --df-method and the p-value.
        """
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup
    @OptionGroup var saved: SavedFitOptions

    @Option(name: .long, help: ArgumentHelp("A linear hypothesis on the coefficients, e.g. 'Days = 0' (repeatable: one F test of all).", valueName: "H"))
    var hypothesis: [String] = []

    @Option(name: .customLong("df-method"), help: "Denominator degrees of freedom: residual (n − p, MATLAB's default), satterthwaite, kenward-roger (REML fits) or none.")
    var dfMethod: DegreesOfFreedomMethod = .residual

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: ArgumentHelp("Write to this file (whole or not at all) instead of standard output; '-' is standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        let table = try input.loadTable()
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions(rowCount: table.rowCount))
        let names = model.design.fixedEffects.columnNames
        guard !names.isEmpty else { throw CommandError("the model has no fixed effects to test") }
        // Parse before fitting, so that a mistake is reported at once.
        var hypotheses: [LinearHypothesis] = []
        for (index, text) in hypothesis.enumerated() {
            do {
                hypotheses.append(try LinearHypothesis(text, coefficientNames: names))
            } catch {
                throw CommandError("--hypothesis \(index + 1): \(error)")
            }
        }
        if hypotheses.isEmpty {
            let tested = names.filter { $0 != "(Intercept)" }
            guard !tested.isEmpty else {
                throw CommandError("the model has only an intercept; give --hypothesis, e.g. --hypothesis '(Intercept) = 0'")
            }
            for name in tested {
                hypotheses.append(try LinearHypothesis("`\(name)` = 0", coefficientNames: names))
            }
        }
        let fit = try saved.fit(model, options: modelOptions)
        if dfMethod == .kenwardRoger && fit.method == .ml {
            throw CommandError("--df-method kenward-roger needs a REML fit: add --method reml")
        }
        let test = try fit.coefficientTest(hypotheses.map(\.coefficients), hypotheses.map(\.value), dfMethod: dfMethod)
        let text = format == .json ? Self.json(test, hypotheses: hypotheses, fit: fit).rendered()
                                   : Self.text(test, hypotheses: hypotheses, fit: fit)
        try ResultOutput.emit(text, to: output)
    }

    static func estimate(_ hypothesis: LinearHypothesis, fit: FittedModel) -> Double {
        zip(hypothesis.coefficients, fit.beta).reduce(0) { $0 + $1.0 * $1.1 }
    }

    static func json(_ test: LinearHypothesisTest, hypotheses: [LinearHypothesis], fit: FittedModel) -> JSONValue {
        let names = fit.model.design.fixedEffects.columnNames
        return .object([
            ("formula", .string(fit.model.design.formula.text)),
            ("method", .string(fit.method.rawValue)),
            ("hypotheses", .array(hypotheses.map { hypothesis in
                .object([("text", .string(hypothesis.text)),
                         ("coefficients", .object(zip(names, hypothesis.coefficients).map { ($0, .number($1)) })),
                         ("value", .number(hypothesis.value)),
                         ("estimate", .number(estimate(hypothesis, fit: fit)))])
            })),
            ("fStat", .number(test.fStat)),
            ("df1", .number(test.df1)),
            ("df2", .number(test.df2)),
            ("pValue", .number(test.pValue)),
            ("dfMethod", .string(test.dfMethod.rawValue)),
        ])
    }

    static func text(_ test: LinearHypothesisTest, hypotheses: [LinearHypothesis], fit: FittedModel) -> String {
        var rows = TextTable(headers: ["Hypothesis", "Estimate", "Value"], alignments: [.left, .right, .right])
        for hypothesis in hypotheses {
            rows.append([hypothesis.text, TextTable.format(estimate(hypothesis, fit: fit)), TextTable.format(hypothesis.value)])
        }
        var result = TextTable(headers: ["FStat", "DF1", "DF2", "pValue"], alignments: [.right, .right, .right, .right])
        result.append([test.fStat, test.df1, test.df2, test.pValue].map { TextTable.format($0) })
        return """
        Linear hypotheses H·beta = c on the fixed effects of \(fit.model.design.formula.text) (\(fit.method.rawValue) fit):
        \(rows.rendered())

        F test (DF method: \(test.dfMethod.rawValue)):
        \(result.rendered())
        """
    }
}
