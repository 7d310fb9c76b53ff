/// How the denominator degrees of freedom of t and F tests on fixed effects are found
/// (MATLAB's `'DFMethod'`, lmerTest's `ddf`).
public enum DegreesOfFreedomMethod: String, Sendable, CaseIterable, Codable {
    /// n − p (MATLAB's default).
    case residual
    /// Satterthwaite's approximation, as lmerTest (Kuznetsova, Brockhoff & Christensen 2017).
    case satterthwaite
    /// Kenward & Roger's (1997) approximation with the adjusted covariance of β̂, as pbkrtest and
    /// lmerTest's `ddf = "Kenward-Roger"`: REML fits only (see ``KenwardRogerApproximation``).
    case kenwardRoger = "kenward-roger"
    /// Infinite degrees of freedom: z and χ²/DF1 tests.
    case none
}
