import ArgumentParser
import MixedModels

/// `lmm compare`: likelihood-ratio tests of nested models (MATLAB's `compare`, lme4's
/// `anova(m1, m2, ...)`), each against the one before it; for two models optionally simulated
/// (parametric bootstrap).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Likelihood-ratio tests of nested models fitted to the same data, each against the one before it.",
        discussion: """
        Give two or more formulas, from the smallest model to the biggest (lme4's anova(m1, m2, m3)). All models are \
        fitted with --method (ML by default). REML fits whose fixed effects differ are refitted by ML before comparing, \
        as lme4 does, and the output says so. With two models and --nsim, the p-value is also found by simulating \
        responses from the smaller model (reproducible with --seed).
        """
    )

    @Argument(help: "A CSV/TSV file, or the name of a built-in data set.")
    var data: String

    @Argument(help: "The models' formulas, the smallest (null) model first; two or more.")
    var formulas: [String] = []

    @Option(name: .long, help: ArgumentHelp("Columns to treat as categorical, comma-separated (repeatable).", valueName: "COLS"))
    var categorical: [String] = []

    @Option(name: .long, help: ArgumentHelp("The level order of a categorical column (repeatable).", valueName: "COL=L1,L2,..."))
    var levels: [String] = []

    @Option(name: .long, help: ArgumentHelp("Extra missing-value codes, comma-separated (repeatable), e.g. --na .,-999.", valueName: "TOKENS"))
    var na: [String] = []

    @Option(name: .long, help: ArgumentHelp("The decimal separator: . (default) or ,.", valueName: "CHAR"))
    var decimal: String = "."

    @OptionGroup var modelOptions: ModelOptionsGroup

    @Option(name: .long, help: "Simulate this many responses from the smaller model for a simulated p-value (0: theoretical only).")
    var nsim: Int = 0

    @Option(name: .long, help: "The random seed of the simulation.")
    var seed: UInt64 = 42

    @Option(name: .long, help: "Significance level of the interval on the simulated p-value.")
    var alpha: Double = 0.05

    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard nsim >= 0 else { throw ValidationError("--nsim must be 0 or more") }
        guard formulas.count >= 2 else {
            throw ValidationError("compare needs two or more formulas (the smallest model first), but \(formulas.count) \(formulas.count == 1 ? "was" : "were") given")
        }
        guard nsim == 0 || formulas.count == 2 else {
            throw ValidationError("--nsim simulates the test of two models; \(formulas.count) formulas were given")
        }
        try SignificanceLevel.validate(alpha)
    }

    func run() throws {
        // Options first and "--" before the positionals, so that a DATA or formula beginning
        // with '-' is read as such and not as an option (or as a request for help).
        let input = try DataOptions.parse(categorical.map { "--categorical=\($0)" } + levels.map { "--levels=\($0)" }
                                          + na.map { "--na=\($0)" } + ["--decimal=\(decimal)"]
                                          + ["--", data, formulas[0]])
        let table = try input.loadTable()
        let options = try modelOptions.modelOptions(rowCount: table.rowCount)
        if formulas.count > 2 {
            let fits = try formulas.map { try modelOptions.fit(LinearMixedModel(formula: $0, data: table, options: options), allowsStart: false) }
            let report = ComparisonReport(sequence: try LikelihoodRatioTest.compare(fits))
            print(format == .json ? report.json.rendered() : report.text)
            return
        }
        let small = try modelOptions.fit(LinearMixedModel(formula: formulas[0], data: table, options: options), allowsStart: false)
        let big = try modelOptions.fit(LinearMixedModel(formula: formulas[1], data: table, options: options), allowsStart: false)
        let test: LikelihoodRatioTest
        var simulated: SimulatedLikelihoodRatioTest?
        if nsim > 0 {
            let result = try LikelihoodRatioTest.compareSimulated(small, big, replicates: nsim, seed: seed, alpha: alpha)
            test = result.theoretical
            simulated = result
        } else {
            test = try LikelihoodRatioTest.compare(small, big)
        }
        let report = ComparisonReport(test: test, simulated: simulated)
        print(format == .json ? report.json.rendered() : report.text)
    }
}
