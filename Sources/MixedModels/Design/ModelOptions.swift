/// Options that shape a model's design, shared by the library and every `lmm` subcommand.
public struct ModelOptions: Sendable, Equatable {
    /// How categorical predictors are coded (default: reference, as lme4 and MATLAB).
    public var dummyCoding: DummyCoding
    /// The column holding prior weights, if any.
    public var weightsColumn: String?
    /// Covariance patterns by grouping-factor name (e.g. `["Subject": .diagonal]`) or by
    /// random-effects term as written (`["(1 + Days | Subject)": .diagonal]`, for a group with
    /// several terms); other terms use `FullCholesky`.
    public var covariancePatterns: [String: CovariancePattern]
    /// Custom covariance patterns (MATLAB's logical matrix of free covariance entries), keyed as
    /// ``covariancePatterns``; a key may not have both.
    public var covarianceFreeEntries: [String: CovarianceFreeEntries] = [:]
    /// The storage of the later random-effects terms' part of the Cholesky factor (default:
    /// chosen from the symbolic analysis).
    public var trailingStorage: TrailingStorageChoice
    /// The memory, in bytes, the model's cross products and factor may take (`nil`: what the
    /// machine has available). A model predicted to need more is refused before allocating.
    public var memoryLimit: Int?
    /// Contrasts by categorical variable (R's `contrasts = list(f = "contr.sum")`), overriding
    /// ``dummyCoding`` for those variables. A variable named here must be a categorical
    /// predictor of the model.
    public var contrasts: [String: ContrastCoding] = [:]
    /// Table rows (0-based indices, as ``ModelDesign/rowIndices``) left out of the model
    /// (MATLAB's `'Exclude'`); counted apart from the rows dropped for missing values.
    public var excludedRows: Set<Int> = []

    public init(dummyCoding: DummyCoding = .reference, weightsColumn: String? = nil,
                covariancePatterns: [String: CovariancePattern] = [:],
                trailingStorage: TrailingStorageChoice = .automatic, memoryLimit: Int? = nil) {
        self.dummyCoding = dummyCoding
        self.weightsColumn = weightsColumn
        self.covariancePatterns = covariancePatterns
        self.trailingStorage = trailingStorage
        self.memoryLimit = memoryLimit
    }
}
