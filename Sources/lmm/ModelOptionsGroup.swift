import ArgumentParser
import MixedModels

extension EstimationMethod: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "ml": self = .ml
        case "reml": self = .reml
        default: return nil
        }
    }

    public static var allValueStrings: [String] { ["ml", "reml"] }
}

extension DummyCoding: CaseInsensitiveArgument {}
extension DegreesOfFreedomMethod: CaseInsensitiveArgument {}
extension ANOVAType: CaseInsensitiveArgument {}
extension TrailingStorageChoice: CaseInsensitiveArgument {}
extension StartMethod: CaseInsensitiveArgument {}

extension OptimizerAlgorithm: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// The model options shared by every subcommand that fits a model.
struct ModelOptionsGroup: ParsableArguments {
    @Option(name: .long, help: "Estimation method: ml (default, as MATLAB) or reml (lme4's default).")
    var method: EstimationMethod?

    @Option(name: .long, help: ArgumentHelp("A column of positive prior weights.", valueName: "COL"))
    var weights: String?

    @Option(name: .long, help: ArgumentHelp("Covariance pattern of the random-effects terms of a group, or of one term as written ('(1 + Days | Subject)=Diagonal'): FullCholesky (default), Full, Diagonal, Isotropic, CompSymm, or MATLAB's logical matrix of free covariance entries ('Subject=[1 0; 0 1]') (repeatable).", valueName: "GROUP|TERM=PATTERN"))
    var covariance: [String] = []

    @Option(name: .customLong("dummy-coding"), help: "Coding of categorical predictors: reference (default), effects or full.")
    var dummyCoding: DummyCoding = .reference

    @Option(name: .long, help: ArgumentHelp("Contrasts of one categorical predictor, over --dummy-coding: treatment, sum, helmert, poly or full (R's contr.*; repeatable).", valueName: "COL=CODING"))
    var contrasts: [String] = []

    @Option(name: .long, help: ArgumentHelp("Data rows to leave out (MATLAB's Exclude): 1-based row numbers and ranges, comma-separated, e.g. 3,17,40-45 (repeatable).", valueName: "ROWS"))
    var exclude: [String] = []

    @Option(name: .customLong("factor-storage"), help: "Storage of the later random-effects terms in the Cholesky factor: automatic (default: sparse for nearly nested designs, dense for crossed ones), dense or sparse.")
    var factorStorage: TrailingStorageChoice = .automatic

    @Option(name: .long, help: ArgumentHelp("Start the optimiser at these covariance parameters θ (comma-separated, in the order of the JSON's theta).", valueName: "THETA"))
    var start: String?

    @Option(name: .customLong("start-method"), help: "Where the optimiser starts without --start: moments (default: moment estimates of the variance components, MIVQUE(0), as SAS PROC MIXED) or identity (λ = I, lme4's start).")
    var startMethod: StartMethod = .moments

    @Option(name: .customLong("max-evaluations"), help: ArgumentHelp("The most objective evaluations the optimiser may use.", valueName: "N"))
    var maxEvaluations: Int?

    @Option(name: .long, help: "The optimiser over θ: bobyqa (default, as lme4) or neldermead (lme4's Nelder_Mead).")
    var optimizer: OptimizerAlgorithm = .bobyqa

    @Flag(name: .long, help: "Print the optimiser's trace (one line per objective evaluation) to standard error.")
    var verbose = false

    /// The estimation method, ML unless given.
    var estimationMethod: EstimationMethod { method ?? .ml }

    /// The library's model options.
    /// - Parameter rowCount: the number of data rows, to check `--exclude` against (and to keep
    ///   a range beyond the table from being expanded).
    func modelOptions(rowCount: Int? = nil) throws -> ModelOptions {
        var patterns: [String: CovariancePattern] = [:]
        var freeEntries: [String: CovarianceFreeEntries] = [:]
        for specification in covariance {
            guard let equals = specification.lastIndex(of: "="), equals != specification.startIndex else {
                throw ValidationError("--covariance expects GROUP=PATTERN or TERM=PATTERN (e.g. Subject=Diagonal, '(1 + Days | Subject)=Diagonal' or 'Subject=[1 0; 0 1]') but got '\(specification)'")
            }
            let group = String(specification[..<equals]).trimmingCharacters(in: .whitespaces)
            let name = String(specification[specification.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("[") {
                do { freeEntries[group] = try CovarianceFreeEntries(parsing: name) } catch {
                    throw ValidationError("--covariance '\(specification)': \(error)")
                }
                patterns[group] = nil
                continue
            }
            guard let pattern = CovariancePattern(name: name) else {
                let known = CovariancePattern.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown covariance pattern '\(name)' for '\(group)'; use one of: \(known), or a matrix of free entries such as [1 0; 0 1]")
            }
            patterns[group] = pattern
            freeEntries[group] = nil
        }
        var options = ModelOptions(dummyCoding: dummyCoding, weightsColumn: weights, covariancePatterns: patterns,
                                   trailingStorage: factorStorage)
        options.contrasts = try ContrastsArgument.parse(contrasts)
        options.excludedRows = try ExcludeArgument.parse(exclude, rowCount: rowCount)
        options.covarianceFreeEntries = freeEntries
        return options
    }
}
