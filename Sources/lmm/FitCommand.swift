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

    @Option(name: .customLong("anova-type"), help: "The F tests per term: typeIII (default, as lmerTest), typeI (sequential) or marginal (MATLAB's anova).")
    var anovaType: ANOVAType = .typeIII

    @Option(name: .long, help: "Significance level for confidence intervals.")
    var alpha: Double = 0.05

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        try SignificanceLevel.validate(alpha)
        if dfMethod == .kenwardRoger, modelOptions.estimationMethod != .reml {
            throw ValidationError("--df-method kenward-roger needs a REML fit: add --method reml")
        }
    }

    func run() throws {
        let table = try input.loadTable()
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions())
        var evaluations = EvaluationReport()
        let fit = try model.fit(method: modelOptions.estimationMethod)
        evaluations.fitFinished()
        let report = try FitReport.computing(fit: fit, dfMethod: dfMethod, alpha: alpha,
                                             methodIsDefault: modelOptions.method == nil, anovaType: anovaType)
        print(format == .json ? report.json.rendered() : report.text)
        evaluations.write()
    }
}
