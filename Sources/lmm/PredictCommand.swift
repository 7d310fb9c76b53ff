import ArgumentParser
import MixedModels

extension PredictionInterval: CaseInsensitiveArgument {}

/// `lmm predict`: fits the model, then predicts on new data with intervals.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Fit the model, then write predictions with intervals for the rows of a new table (CSV).",
        discussion: "Unseen levels of grouping factors contribute a zero random effect; rows with missing values give NA."
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup
    @OptionGroup var saved: SavedFitOptions

    @Option(name: .customLong("new"), help: ArgumentHelp("The CSV/TSV table to predict on.", valueName: "FILE"))
    var newData: String

    @Flag(name: .long, help: "Predict from the fixed effects only (marginal), not including the random effects.")
    var marginal = false

    @Option(name: .long, help: "Interval for the mean curve (default) or a new observation.")
    var interval: PredictionInterval = .curve

    @Flag(name: .long, help: "Simultaneous instead of pointwise intervals.")
    var simultaneous = false

    @Option(name: .customLong("df-method"), help: "Degrees of freedom: residual (default), satterthwaite (marginal pointwise intervals) or none; kenward-roger is not available for predictions.")
    var dfMethod: DegreesOfFreedomMethod = .residual

    @Option(name: .long, help: "Significance level of the intervals.")
    var alpha: Double = 0.05

    @Option(name: .long, help: ArgumentHelp("The CSV file to write (columns prediction, lower, upper).", valueName: "FILE"))
    var output: String

    func validate() throws {
        try SignificanceLevel.validate(alpha)
    }

    func run() throws {
        let table = try input.loadTable()
        let fresh = try input.loadNewTable(newData, like: table)
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions(rowCount: table.rowCount))
        var evaluations = EvaluationReport()
        let fit = try saved.fit(model, options: modelOptions)
        evaluations.fitFinished()
        let rows = try fit.predict(on: fresh, conditional: !marginal, interval: interval, simultaneous: simultaneous,
                                   alpha: alpha, dfMethod: dfMethod)
        var text = "prediction,lower,upper\n"
        for row in rows {
            text += [row.prediction, row.lower, row.upper].map(OutputFile.csvNumber).joined(separator: ",") + "\n"
        }
        try OutputFile.write(text, to: output)
        evaluations.write()
    }
}
