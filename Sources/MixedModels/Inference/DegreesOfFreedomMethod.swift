/// How the denominator degrees of freedom of t and F tests on fixed effects are found
/// (MATLAB's `'DFMethod'`, lmerTest's `ddf`).
public enum DegreesOfFreedomMethod: String, Sendable, CaseIterable, Codable {
    /// n − p (MATLAB's default).
    case residual
    /// Satterthwaite's approximation, as lmerTest (Kuznetsova, Brockhoff & Christensen 2017).
    case satterthwaite
    /// Infinite degrees of freedom: z and χ²/DF1 tests.
    case none
}
