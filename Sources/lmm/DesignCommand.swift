import ArgumentParser
import MixedModels

/// `lmm design`: shows the model matrices built from the data and formula, without fitting.
struct DesignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "design",
        abstract: "Show the observations, fixed-effects columns and random-effects terms a formula builds."
    )

    @OptionGroup var input: DataOptions

    @Option(name: .customLong("dummy-coding"), help: "Coding of categorical predictors: reference (default), effects or full.")
    var dummyCoding: DummyCoding = .reference

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let table = try input.loadTable()
        let formula = try Formula(input.formula)
        let design = try ModelDesign(formula: formula, data: table, options: ModelOptions(dummyCoding: dummyCoding))
        let report = DesignReport(design: design)
        print(format == .json ? report.json.rendered() : report.text)
    }
}
