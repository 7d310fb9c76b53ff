import ArgumentParser

/// `lmm`: fit linear mixed-effects models from the command line.
@main
struct LMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lmm",
        abstract: "Fit linear mixed-effects models (lme4 / MATLAB fitlme formulas) to CSV/TSV data or built-in data sets.",
        discussion: """
        DATA is a CSV/TSV file or the name of a built-in data set (see `lmm datasets`).
        Example: lmm fit sleepstudy 'Reaction ~ 1 + Days + (1 + Days | Subject)'
        """,
        version: LMM.version,
        subcommands: [FitCommand.self, DesignCommand.self, CompareCommand.self, PredictCommand.self, SimulateCommand.self, DatasetsCommand.self,
                      RanefCommand.self,
                      ResidualsCommand.self,
                      CoefTestCommand.self,
                      RanovaCommand.self,
                      MeansCommand.self,
                      PlotCommand.self]
    )
}
