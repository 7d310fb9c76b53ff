/// How one block of the Cholesky factor L is stored (what `lmm design` reports as `storage`).
public enum FactorStorage: String, Sendable, Codable, CaseIterable {
    /// A diagonal matrix: the first term has one random effect per level.
    case diagonal
    /// Dense s×s blocks on the diagonal: the first term has s > 1 random effects per level.
    case blockDiagonal
    /// A dense block (later terms whose levels are crossed with the first term's).
    case dense
    /// A supernodal sparse factor under a fill-reducing ordering (later terms of nearly nested
    /// designs, where few pairs of their levels share a level of the first term).
    case sparse
}

/// Which storage the later ("trailing") terms' part of L may use.
public enum TrailingStorageChoice: String, Sendable, Codable, CaseIterable {
    /// Chosen from the symbolic analysis: sparse when its predicted nonzeros are at most a
    /// quarter of the dense triangle's, dense otherwise.
    case automatic
    /// Always dense (the fastest choice for randomly crossed factors).
    case dense
    /// Always sparse (for testing and for designs where the prediction errs).
    case sparse
}

/// The storage chosen for one random-effects term's block column of L and its predicted size.
public struct FactorBlockDescription: Sendable, Equatable, Codable {
    /// The grouping factor, e.g. `Subject`.
    public let group: String
    /// The storage of the term's diagonal block (and, for later terms, of the block column below).
    public let storage: FactorStorage
    /// Stored entries of the block column (for dense storage, the full square blocks).
    public let nonzeros: Int
    /// Predicted memory of the block column, in bytes.
    public let bytes: Int
}
