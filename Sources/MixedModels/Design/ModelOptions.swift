/// Options that shape a model's design, shared by the library and every `lmm` subcommand.
public struct ModelOptions: Sendable, Equatable {
    /// How categorical predictors are coded (default: reference, as lme4 and MATLAB).
    public var dummyCoding: DummyCoding
    /// The column holding prior weights, if any.
    public var weightsColumn: String?
    /// Covariance patterns by grouping-factor name (e.g. `["Subject": .diagonal]`); other
    /// terms use `FullCholesky`.
    public var covariancePatterns: [String: CovariancePattern]

    public init(dummyCoding: DummyCoding = .reference, weightsColumn: String? = nil,
                covariancePatterns: [String: CovariancePattern] = [:]) {
        self.dummyCoding = dummyCoding
        self.weightsColumn = weightsColumn
        self.covariancePatterns = covariancePatterns
    }
}
