extension LMM {
    /// The version `lmm --version` prints.
    static let version = "0.1.0"
}
