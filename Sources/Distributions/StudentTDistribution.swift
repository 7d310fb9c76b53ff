import Foundation

/// Student's t distribution with ν > 0 degrees of freedom (ν may be non-integer, e.g. from
/// Satterthwaite's approximation, or +∞, which gives the standard normal).
///
/// - cdf/survival: P(T > t) = ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (Abramowitz & Stegun 26.7.1),
///   with x = ν/(ν+t²) and 1 − x = t²/(ν+t²) both formed directly; see `IncompleteBeta`.
/// - pdf: Loader's saddle-point form, f(t) = exp(δ((ν+1)/2) − δ(ν/2) − bd0(ν/2, (ν+1)/2))
///   · (1 + t²/ν)^(−(ν+1)/2) / √(2π), with δ the Stirling remainder; accurate for huge ν.
/// - quantiles: safeguarded Newton iteration in log t on the upper tail, started from the
///   better of a Cornish–Fisher expansion and the power-law tail asymptote.
///
/// ν ≤ 0 or NaN gives `NaN` from every function.
public struct StudentTDistribution: ContinuousDistribution {
    /// Degrees of freedom ν.
    public let degreesOfFreedom: Double

    /// Creates the t distribution with `degreesOfFreedom` ν > 0 (may be non-integer or +∞).
    public init(degreesOfFreedom: Double) {
        self.degreesOfFreedom = degreesOfFreedom
    }

    private var isValid: Bool { degreesOfFreedom > 0 }
    private var isNormal: Bool { degreesOfFreedom == .infinity }

    /// Probability density at `t`.
    public func pdf(_ t: Double) -> Double {
        guard isValid, !t.isNaN else { return .nan }
        if isNormal { return NormalDistribution.standardDensity(t) }
        let nu = degreesOfFreedom
        if t.isInfinite { return 0 }
        // log of Γ((ν+1)/2) / (Γ(ν/2) √(ν/2)) via Stirling remainders and the deviance bd0.
        let logRatio = SaddlePoint.stirlingError((nu + 1) / 2) - SaddlePoint.stirlingError(nu / 2)
            - SaddlePoint.bd0(nu / 2, (nu + 1) / 2)
        let t2n = t * t / nu
        let logBase = t2n < 1e300 ? log1p(t2n) : 2 * log(abs(t)) - log(nu)
        return exp(logRatio - 0.5 * (nu + 1) * logBase) * 0.3989422804014327
    }

    /// P(T ≤ t).
    public func cdf(_ t: Double) -> Double {
        guard isValid, !t.isNaN else { return .nan }
        if isNormal { return NormalDistribution.standardCDF(t) }
        let tails = upperTailPair(abs(t))
        return t < 0 ? tails.upper : tails.lower
    }

    /// P(T > t), accurate in the upper tail.
    public func survival(_ t: Double) -> Double {
        guard isValid, !t.isNaN else { return .nan }
        if isNormal { return NormalDistribution.standardCDF(-t) }
        let tails = upperTailPair(abs(t))
        return t < 0 ? tails.lower : tails.upper
    }

    /// (P(T ≤ s), P(T > s)) for s ≥ 0.
    private func upperTailPair(_ s: Double) -> (lower: Double, upper: Double) {
        let nu = degreesOfFreedom
        if s == .infinity { return (1, 0) }
        let a = nu / 2
        if s > 1e150 {
            // x = ν/(ν+s²) may underflow although P(T > s) does not: there
            // I_x(a, ½) = x^a / (a B(a, ½)) · (1 + O(x)) with O(x) < 1e-290, evaluated in logs.
            let logX = log(nu) - 2 * log(s)
            let logBeta = lgamma(a) + lgamma(0.5) - lgamma(a + 0.5)
            let upper = 0.5 * exp(a * logX - log(a) - logBeta)
            return (1 - upper, upper)
        }
        let s2 = s * s
        let x = nu / (nu + s2)
        let y = s2 / (nu + s2)
        let beta = IncompleteBeta.both(x: x, y: y, a: a, b: 0.5)
        // P(T > s) = ½ I_x(ν/2, ½); P(T ≤ s) = ½ + ½ (1 − I_x(ν/2, ½)).
        return (0.5 + 0.5 * beta.upper, 0.5 * beta.lower)
    }

    /// The t with P(T ≤ t) = p; ±∞ at p = 0 or 1, `NaN` outside [0, 1].
    public func quantile(_ p: Double) -> Double {
        guard isValid, p >= 0, p <= 1 else { return .nan }
        if isNormal { return NormalDistribution.standardQuantile(p) }
        if p == 0.5 { return 0 }
        // 1 − p is exact for p ≥ ½.
        return p < 0.5 ? -upperTailQuantile(p) : upperTailQuantile(1 - p)
    }

    /// The t with P(T > t) = p (by symmetry, −quantile(p)); accurate for tiny p.
    public func upperQuantile(_ p: Double) -> Double {
        let value = quantile(p)
        return value.isNaN ? value : -value
    }

    /// The s ≥ 0 with P(T > s) = q, for 0 < q < ½.
    private func upperTailQuantile(_ q: Double) -> Double {
        if q == 0 { return .infinity }
        let nu = degreesOfFreedom
        let z = -NormalDistribution.standardQuantile(q)
        let z2 = z * z
        // Cornish–Fisher expansion of the t quantile in powers of 1/ν.
        let cornishFisher = z + z * (z2 + 1) / (4 * nu)
            + z * ((5 * z2 + 16) * z2 + 3) / (96 * nu * nu)
        // Power-law tail: P(T > s) ≈ C ν^((ν−1)/2) s^(−ν) with C = Γ((ν+1)/2)/(√π Γ(ν/2)).
        let logC = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(Double.pi)
        let powerLaw = exp((logC + 0.5 * (nu - 1) * log(nu) - log(q)) / nu)
        return RootSolver.solvePositive(
            target: q, increasing: false, starts: [cornishFisher, powerLaw, z],
            tail: { s in upperTailPair(s).upper },
            density: { s in pdf(s) })
    }
}
