import ArgumentParser
import MixedModels

/// `lmm simulate`: fits the model, then writes responses simulated from it.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Fit the model, then write responses simulated from it (new random effects and errors), one column per simulation.",
        discussion: "Reproducible: the same --seed gives the same values on every platform."
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup
    @OptionGroup var saved: SavedFitOptions

    @Option(name: .customLong("new"), help: ArgumentHelp("Simulate at the rows of this CSV/TSV table instead of the fitted rows.", valueName: "FILE"))
    var newData: String?

    @Option(name: .long, help: "The number of simulated response vectors.")
    var nsim: Int = 1

    @Option(name: .long, help: "The random seed.")
    var seed: UInt64 = 1

    @Option(name: .long, help: ArgumentHelp("The CSV file to write (columns sim_1, sim_2, ...).", valueName: "FILE"))
    var output: String

    /// The most simulated values one run writes (about 400 MB of CSV text).
    static let maximumValues = 20_000_000

    func validate() throws {
        guard nsim >= 1 else { throw ValidationError("--nsim must be at least 1") }
    }

    func run() throws {
        let table = try input.loadTable()
        let fresh = try newData.map { try input.loadNewTable($0, like: table) }
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions(rowCount: table.rowCount))
        let fit = try saved.fit(model, options: modelOptions)
        let rows = fresh?.rowCount ?? fit.observationCount
        let (values, overflow) = rows.multipliedReportingOverflow(by: nsim)
        guard !overflow, values <= Self.maximumValues else {
            throw CommandError("--nsim \(nsim) would write \(nsim) × \(rows) values; at most \(Self.maximumValues) are written (lower --nsim)")
        }
        let simulations = try fit.simulate(count: nsim, seed: seed, newData: fresh)
        let rowCount = simulations.first?.count ?? 0
        var text = (1...nsim).map { "sim_\($0)" }.joined(separator: ",") + "\n"
        for row in 0..<rowCount {
            text += simulations.map { OutputFile.csvNumber($0[row]) }.joined(separator: ",") + "\n"
        }
        try OutputFile.write(text, to: output)
    }
}
