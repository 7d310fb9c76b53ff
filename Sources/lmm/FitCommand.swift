import ArgumentParser
import MixedModels

/// `lmm fit`: fits a model and prints its summary.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a linear mixed-effects model by ML (default) or REML and print the summary."
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup

    @Option(name: .customLong("df-method"), help: "Degrees of freedom for t and F tests: residual (default), satterthwaite, kenward-roger (REML fits only; adjusted standard errors, as lmerTest) or none.")
    var dfMethod: DegreesOfFreedomMethod = .residual

    @Option(name: .customLong("anova-type"), help: "The F tests per term: typeIII (default, as lmerTest), typeII (each term adjusted for the terms not containing it), typeI (sequential) or marginal (MATLAB's anova).")
    var anovaType: ANOVAType = .typeIII

    @Option(name: .long, help: "Significance level for confidence intervals.")
    var alpha: Double = 0.05

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var intervals: IntervalOptions

    @OptionGroup var saved: SavedFitOptions

    @Option(name: .long, help: ArgumentHelp("Store the optimum (theta, formula, options, method, a fingerprint of the data) for --from.", valueName: "FIT.json"))
    var save: String?

    @Option(name: .long, help: ArgumentHelp("Also write a self-contained HTML report: the summary tables and diagnostic plots (see `lmm plot`).", valueName: "FILE.html"))
    var report: String?

    func validate() throws {
        try SignificanceLevel.validate(alpha)
        try intervals.check()
        if dfMethod == .kenwardRoger, saved.from == nil, modelOptions.estimationMethod != .reml {
            throw ValidationError("--df-method kenward-roger needs a REML fit: add --method reml")
        }
    }

    func run() throws {
        let table = try input.loadTable()
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions(rowCount: table.rowCount))
        var evaluations = EvaluationReport()
        let fit = try saved.fit(model, options: modelOptions)
        evaluations.fitFinished()
        let report = try FitReport.computing(fit: fit, dfMethod: dfMethod, alpha: alpha,
                                             methodIsDefault: modelOptions.method == nil && saved.from == nil,
                                             anovaType: anovaType).withIntervals(intervals.method, replicates: intervals.nboot,
                                                                                 seed: intervals.seed, threads: IntervalOptions.threads)
        if let save { try OutputFile.write(try SavedFit(fit: fit).encoded(), to: save) }
        if let path = self.report { try OutputFile.write(HTMLReport(summary: report, dataName: input.data).html, to: path) }
        print(format == .json ? report.json.rendered() : report.text)
        evaluations.write()
    }
}
