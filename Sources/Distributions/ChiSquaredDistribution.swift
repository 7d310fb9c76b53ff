import Foundation

/// The chi-squared distribution with k > 0 degrees of freedom (non-integer allowed):
/// a gamma distribution with shape k/2 and scale 2.
///
/// - cdf/survival: P(k/2, x/2) and Q(k/2, x/2); see `IncompleteGamma` (series and
///   Lentz continued fraction with a saddle-point prefactor).
/// - pdf: Loader's saddle-point form of the gamma density.
/// - quantiles: `IncompleteGamma.inverseP` / `inverseQ` (safeguarded Newton iteration).
///
/// k ≤ 0, NaN or +∞ gives `NaN` from every function.
public struct ChiSquaredDistribution: ContinuousDistribution {
    /// Degrees of freedom k.
    public let degreesOfFreedom: Double

    /// Creates χ²(k); invalid parameters make every function return `NaN`.
    public init(degreesOfFreedom: Double) {
        self.degreesOfFreedom = degreesOfFreedom
    }

    private var shape: Double { degreesOfFreedom / 2 }
    private var isValid: Bool { degreesOfFreedom > 0 && degreesOfFreedom.isFinite }

    /// Probability density at `x`.
    public func pdf(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        return 0.5 * IncompleteGamma.density(a: shape, x: 0.5 * x)
    }

    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        return IncompleteGamma.pq(a: shape, x: 0.5 * x).p
    }

    /// P(X > x), accurate in the upper tail.
    public func survival(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        return IncompleteGamma.pq(a: shape, x: 0.5 * x).q
    }

    /// The x with P(X ≤ x) = p; 0 at p = 0, +∞ at p = 1, `NaN` outside [0, 1].
    public func quantile(_ p: Double) -> Double {
        guard isValid else { return .nan }
        return 2 * IncompleteGamma.inverseP(a: shape, p: p)
    }

    /// The x with P(X > x) = p; accurate for tiny p.
    public func upperQuantile(_ p: Double) -> Double {
        guard isValid else { return .nan }
        return 2 * IncompleteGamma.inverseQ(a: shape, q: p)
    }
}
