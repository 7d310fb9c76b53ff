/// A univariate continuous probability distribution.
///
/// All functions are total: invalid parameters or arguments give `NaN` rather than trapping.
/// `survival(_:)` and `upperQuantile(_:)` are computed directly from upper-tail formulas, so
/// they keep full relative accuracy where `1 - cdf(x)` would cancel.
public protocol ContinuousDistribution: Sendable {
    /// Probability density at `x`.
    func pdf(_ x: Double) -> Double
    /// Cumulative distribution function, P(X ≤ x).
    func cdf(_ x: Double) -> Double
    /// Survival function, P(X > x), accurate in the upper tail (not computed as `1 - cdf(x)`).
    func survival(_ x: Double) -> Double
    /// Inverse of `cdf`: the x with P(X ≤ x) = p, for p in [0, 1]; `NaN` outside.
    func quantile(_ p: Double) -> Double
    /// Inverse of `survival`: the x with P(X > x) = p, for p in [0, 1]; accurate for tiny p.
    func upperQuantile(_ p: Double) -> Double
}
