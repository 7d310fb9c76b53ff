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

/// The model options shared by every subcommand that fits a model.
struct ModelOptionsGroup: ParsableArguments {
    @Option(name: .long, help: "Estimation method: ml (default, as MATLAB) or reml (lme4's default).")
    var method: EstimationMethod?

    @Option(name: .long, help: ArgumentHelp("A column of positive prior weights.", valueName: "COL"))
    var weights: String?

    @Option(name: .long, help: ArgumentHelp("Covariance pattern of a random-effects term: FullCholesky (default), Full, Diagonal, Isotropic or CompSymm (repeatable).", valueName: "GROUP=PATTERN"))
    var covariance: [String] = []

    @Option(name: .customLong("dummy-coding"), help: "Coding of categorical predictors: reference (default), effects or full.")
    var dummyCoding: DummyCoding = .reference

    @Option(name: .customLong("factor-storage"), help: "Storage of the later random-effects terms in the Cholesky factor: automatic (default: sparse for nearly nested designs, dense for crossed ones), dense or sparse.")
    var factorStorage: TrailingStorageChoice = .automatic

    /// The estimation method, ML unless given.
    var estimationMethod: EstimationMethod { method ?? .ml }

    /// The library's model options.
    func modelOptions() throws -> ModelOptions {
        var patterns: [String: CovariancePattern] = [:]
        for specification in covariance {
            guard let equals = specification.lastIndex(of: "="), equals != specification.startIndex else {
                throw ValidationError("--covariance expects GROUP=PATTERN but got '\(specification)'")
            }
            let group = String(specification[..<equals])
            let name = String(specification[specification.index(after: equals)...])
            guard let pattern = CovariancePattern(name: name) else {
                let known = CovariancePattern.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown covariance pattern '\(name)' for '\(group)'; use one of: \(known)")
            }
            patterns[group] = pattern
        }
        return ModelOptions(dummyCoding: dummyCoding, weightsColumn: weights, covariancePatterns: patterns,
                            trailingStorage: factorStorage)
    }
}
