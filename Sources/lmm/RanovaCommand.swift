import ArgumentParser
import MixedModels

/// `lmm ranova`: likelihood-ratio tests of the random-effects terms (lmerTest's `ranova`).
struct RanovaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranova",
        abstract: "Test each random-effects term by a likelihood-ratio test against the model with the term reduced (lmerTest's ranova).",
        discussion: """
        (1 + x | g) is reduced to (1 | g), and (1 | g) is removed. The reduced models are fitted with the same \
        --method as the full model (ML by default; lmerTest uses the model's REML setting).
        """
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let table = try input.loadTable()
        let model = try LinearMixedModel(formula: input.formula, data: table,
                                         options: modelOptions.modelOptions(rowCount: table.rowCount))
        let fit = try model.fit(method: modelOptions.estimationMethod)
        let report = RandomEffectsTermTestsReport(tests: try fit.randomEffectsTermTests(), formula: input.formula)
        print(format == .json ? report.json.rendered() : report.text)
    }
}
