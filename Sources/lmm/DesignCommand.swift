import ArgumentParser
import MixedModels

/// `lmm design`: shows the model matrices built from the data and formula, without fitting.
struct DesignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design",
        abstract: "Show the observations, fixed-effects columns and random-effects terms a formula builds."
    )

    @OptionGroup var input: DataOptions

    /// The same model options as `lmm fit` (weights and covariance patterns shape the design;
    /// the estimation method does not).
    @OptionGroup var modelOptions: ModelOptionsGroup

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let table = try input.loadTable()
        let formula = try Formula(input.formula)
        let design = try ModelDesign(formula: formula, data: table, options: modelOptions.modelOptions(rowCount: table.rowCount))
        let model = try LinearMixedModel(design: design)
        let report = DesignReport(model: model)
        print(format == .json ? report.json.rendered() : report.text)
    }
}
