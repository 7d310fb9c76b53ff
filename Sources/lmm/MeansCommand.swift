import ArgumentParser
import MixedModels

/// `lmm means`: least-squares means of a factor (lmerTest's `ls_means`), optionally with
/// pairwise differences.
struct MeansCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "means",
        abstract: "Least-squares means of a factor's levels and their pairwise differences (lmerTest's ls_means).",
        discussion: """
        Other factors of the model are averaged with equal weights and numeric covariates are held at their means, \
        as lmerTest does. Degrees of freedom by Satterthwaite's method unless --df-method says otherwise.
        """
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup

    @Option(name: .long, help: ArgumentHelp("The factor (a categorical fixed-effects term) whose levels are averaged, or an interaction term of factors (A:B) for the means of its cells.", valueName: "FACTOR"))
    var by: String

    @Flag(name: .long, help: "Also the differences of every pair of levels.")
    var pairwise = false

    @Option(name: .customLong("df-method"), help: "Degrees of freedom: satterthwaite (default, as lmerTest), kenward-roger (REML fits only), residual or none.")
    var dfMethod: DegreesOfFreedomMethod = .satterthwaite

    @Option(name: .long, help: "Significance level for confidence intervals.")
    var alpha: Double = 0.05

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1") }
    }

    func run() throws {
        let table = try input.loadTable()
        let model = try LinearMixedModel(formula: input.formula, data: table,
                                         options: modelOptions.modelOptions(rowCount: table.rowCount))
        let fit = try model.fit(method: modelOptions.estimationMethod)
        let means = try fit.leastSquaresMeans(of: by, pairwise: pairwise, dfMethod: dfMethod, alpha: alpha)
        let report = LeastSquaresMeansReport(means: means, formula: input.formula, includesPairwise: pairwise)
        print(format == .json ? report.json.rendered() : report.text)
    }
}
