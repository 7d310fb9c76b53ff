/// The reason a ``BOBYQA`` run stopped.
///
/// The cases mirror the termination tests of M.J.D. Powell's BOBYQA
/// (Powell 2009, "The BOBYQA algorithm for bound constrained optimization
/// without derivatives", Cambridge report DAMTP 2009/NA06) plus NLopt's
/// absolute function tolerance.
public enum OptimizationStatus: String, Sendable, Equatable {
    /// The lower bound on the trust-region radius (rho) reached
    /// ``BOBYQA/finalTrustRadius`` (rhoend): the normal termination of Powell 2009.
    case converged
    /// The objective was evaluated ``BOBYQA/maxEvaluations`` times before convergence.
    case maxEvaluationsReached
    /// Two successive evaluations (after the initial interpolation set) differed by
    /// less than ``BOBYQA/functionTolerance`` (NLopt's `ftol_abs` rule).
    case functionToleranceReached
    /// The problem was invalid (for example a lower bound above an upper bound, or
    /// non-finite settings), no finite objective value was ever seen, or rounding
    /// errors made further progress impossible even after rebuilding the model.
    case failed
}
