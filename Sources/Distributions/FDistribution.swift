import Foundation

/// Fisher's F distribution with numerator d₁ > 0 and denominator d₂ > 0 degrees of freedom
/// (non-integer allowed; d₂ = +∞ gives χ²(d₁)/d₁).
///
/// - cdf/survival: P(F ≤ f) = I_x(d₁/2, d₂/2) with x = d₁f/(d₁f+d₂) and
///   1 − x = d₂/(d₁f+d₂) formed directly (Abramowitz & Stegun 26.6.2); see `IncompleteBeta`.
/// - pdf: x^(d₁/2) (1−x)^(d₂/2) / (B(d₁/2, d₂/2) f) with Loader's saddle-point kernel.
/// - quantiles: safeguarded Newton iteration in log f on the smaller tail, started from the
///   best of the lower and upper power-law tail asymptotes, the χ² (Wilson–Hilferty) limit and 1.
///
/// Degrees of freedom ≤ 0, NaN, or an infinite numerator give `NaN` from every function.
public struct FDistribution: ContinuousDistribution {
    /// Numerator degrees of freedom d₁.
    public let numeratorDegreesOfFreedom: Double
    /// Denominator degrees of freedom d₂ (may be +∞).
    public let denominatorDegreesOfFreedom: Double

    /// Creates F(d₁, d₂); invalid parameters make every function return `NaN`.
    public init(numeratorDegreesOfFreedom: Double, denominatorDegreesOfFreedom: Double) {
        self.numeratorDegreesOfFreedom = numeratorDegreesOfFreedom
        self.denominatorDegreesOfFreedom = denominatorDegreesOfFreedom
    }

    private var d1: Double { numeratorDegreesOfFreedom }
    private var d2: Double { denominatorDegreesOfFreedom }
    private var isValid: Bool { d1 > 0 && d1.isFinite && d2 > 0 }
    private var chiSquaredLimit: ChiSquaredDistribution? {
        d2 == .infinity ? ChiSquaredDistribution(degreesOfFreedom: d1) : nil
    }

    /// Probability density at `f`.
    public func pdf(_ f: Double) -> Double {
        guard isValid, !f.isNaN else { return .nan }
        if let chi = chiSquaredLimit { return d1 * chi.pdf(d1 * f) }
        if f < 0 || f == .infinity { return 0 }
        if f == 0 { return d1 < 2 ? .infinity : (d1 == 2 ? 1 : 0) }
        let (x, y) = betaArgument(f)
        return SaddlePoint.betaKernel(a: d1 / 2, b: d2 / 2, x: x, y: y) / f
    }

    /// P(F ≤ f).
    public func cdf(_ f: Double) -> Double {
        guard isValid, !f.isNaN else { return .nan }
        if let chi = chiSquaredLimit { return chi.cdf(d1 * f) }
        if f <= 0 { return 0 }
        let (x, y) = betaArgument(f)
        return IncompleteBeta.both(x: x, y: y, a: d1 / 2, b: d2 / 2).lower
    }

    /// P(F > f), accurate in the upper tail.
    public func survival(_ f: Double) -> Double {
        guard isValid, !f.isNaN else { return .nan }
        if let chi = chiSquaredLimit { return chi.survival(d1 * f) }
        if f <= 0 { return 1 }
        let (x, y) = betaArgument(f)
        return IncompleteBeta.both(x: x, y: y, a: d1 / 2, b: d2 / 2).upper
    }

    /// x = d₁f/(d₁f+d₂) and y = 1 − x, each to full relative precision.
    private func betaArgument(_ f: Double) -> (Double, Double) {
        let s = d1 * f
        if s.isFinite {
            let total = s + d2
            return (s / total, d2 / total)
        }
        return (1, d2 / d1 / f)
    }

    /// The f with P(F ≤ f) = p; 0 at p = 0, +∞ at p = 1, `NaN` outside [0, 1].
    public func quantile(_ p: Double) -> Double {
        guard isValid, p >= 0, p <= 1 else { return .nan }
        if let chi = chiSquaredLimit { return chi.quantile(p) / d1 }
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        return p > 0.5 ? solve(target: 1 - p, lower: false) : solve(target: p, lower: true)
    }

    /// The f with P(F > f) = p; accurate for tiny p.
    public func upperQuantile(_ p: Double) -> Double {
        guard isValid, p >= 0, p <= 1 else { return .nan }
        if let chi = chiSquaredLimit { return chi.upperQuantile(p) / d1 }
        if p == 0 { return .infinity }
        if p == 1 { return 0 }
        return p > 0.5 ? solve(target: 1 - p, lower: true) : solve(target: p, lower: false)
    }

    private func solve(target: Double, lower: Bool) -> Double {
        let a = d1 / 2
        let b = d2 / 2
        let logBeta = lgamma(a) + lgamma(b) - lgamma(a + b)
        let scale = d2 / d1
        let pLower = lower ? target : 1 - target
        let pUpper = lower ? 1 - target : target
        // I_x(a, b) ≈ x^a/(a B) with x ≈ d₁f/d₂; 1 − I_x ≈ y^b/(b B) with y ≈ d₂/(d₁f).
        let lowerTail = scale * exp((log(pLower) + log(a) + logBeta) / a)
        let upperTail = scale * exp(-(log(pUpper) + log(b) + logBeta) / b)
        // χ²(d₁)/d₁ limit by Wilson–Hilferty.
        let z = NormalDistribution.standardQuantile(pLower)
        let k = 2 / (9 * d1)
        let cube = 1 - k + z * sqrt(k)
        let chiLimit = cube * cube * cube
        return RootSolver.solvePositive(
            target: target, increasing: lower, starts: [lowerTail, upperTail, chiLimit, 1],
            tail: { f in lower ? cdf(f) : survival(f) },
            density: { f in pdf(f) })
    }
}
