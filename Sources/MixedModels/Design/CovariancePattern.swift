/// The structure of a random-effects term's covariance matrix (MATLAB's `'CovariancePattern'`).
///
/// Every pattern is expressed through the lower-triangular relative covariance factor λ of
/// Bates et al. (2015): the term's covariance is σ² λ λ'.
public enum CovariancePattern: String, Sendable, CaseIterable, Codable {
    /// An unstructured covariance through the Cholesky factor λ (lme4's and MATLAB's default):
    /// θ holds λ's lower triangle column by column, diagonal entries bounded below by 0.
    case fullCholesky = "FullCholesky"
    /// An unstructured covariance through the log-Cholesky parametrisation: λ's diagonal is
    /// exp(θ), unbounded (MATLAB's `'Full'`). It reaches the same optimum as `fullCholesky`.
    case full = "Full"
    /// Independent random effects with their own variances: λ diagonal (lme4's `||`).
    case diagonal = "Diagonal"
    /// Independent random effects with one common variance: λ = θ I.
    case isotropic = "Isotropic"
    /// Compound symmetry: a common variance and a common correlation between all the term's
    /// random effects.
    case compoundSymmetry = "CompSymm"

    /// Reads a pattern name as MATLAB spells it, ignoring case (`FullCholesky`, `Full`,
    /// `Diagonal`, `Isotropic`, `CompSymm`).
    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
            return nil
        }
        self = match
    }
}
