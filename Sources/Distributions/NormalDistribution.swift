import Foundation

/// The normal (Gaussian) distribution N(mean, standardDeviation²).
///
/// - cdf/survival: Φ(z) = ½ erfc(−z/√2) with the rounding error of z/√2 corrected to first
///   order (the argument is split into a double-double), so the far tails (|z| up to ~38)
///   keep full relative accuracy.
/// - pdf: exp(−z²/2)/√(2π) with z² split exactly (z = h + l, h a multiple of 1/16).
/// - quantile: Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988), relative
///   accuracy about 1e-16.
///
/// A non-finite mean or a standard deviation that is not positive and finite gives `NaN`.
public struct NormalDistribution: ContinuousDistribution {
    /// The mean μ.
    public let mean: Double
    /// The standard deviation σ.
    public let standardDeviation: Double

    /// Creates N(mean, standardDeviation²); invalid parameters make every function return `NaN`.
    public init(mean: Double = 0, standardDeviation: Double = 1) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    private var isValid: Bool {
        mean.isFinite && standardDeviation.isFinite && standardDeviation > 0
    }

    /// Probability density at `x`.
    public func pdf(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        return Self.standardDensity((x - mean) / standardDeviation) / standardDeviation
    }

    /// P(X ≤ x).
    public func cdf(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        return Self.standardCDF((x - mean) / standardDeviation)
    }

    /// P(X > x), accurate in the upper tail.
    public func survival(_ x: Double) -> Double {
        guard isValid, !x.isNaN else { return .nan }
        return Self.standardCDF(-(x - mean) / standardDeviation)
    }

    /// The x with P(X ≤ x) = p (AS 241); −∞ at p = 0, +∞ at p = 1, `NaN` outside [0, 1].
    public func quantile(_ p: Double) -> Double {
        guard isValid else { return .nan }
        return mean + standardDeviation * Self.standardQuantile(p)
    }

    /// The x with P(X > x) = p, computed by symmetry as μ − σ Φ⁻¹(p) (accurate for tiny p).
    public func upperQuantile(_ p: Double) -> Double {
        guard isValid else { return .nan }
        return mean - standardDeviation * Self.standardQuantile(p)
    }

    // MARK: - Standard normal kernels

    /// Standard normal density φ(z) = exp(−z²/2)/√(2π), with z² evaluated exactly.
    public static func standardDensity(_ z: Double) -> Double {
        if z.isNaN { return .nan }
        let az = abs(z)
        if az > 40 { return 0 }
        let high = (az * 16).rounded(.towardZero) / 16
        let low = az - high
        return 0.3989422804014327 * exp(-0.5 * high * high) * exp(-0.5 * low * (az + high))
    }

    /// Standard normal cdf Φ(z) = ½ erfc(−z/√2), full relative accuracy in both tails.
    public static func standardCDF(_ z: Double) -> Double {
        if z.isNaN { return .nan }
        if !z.isFinite { return z > 0 ? 1 : 0 }
        // w = −z/√2 as a double-double (hi + lo); c is 1/√2 rounded, cLow its rounding error.
        let c = 0.7071067811865476
        let cLow = -4.8336466567264565e-17
        let hi = -z * c
        let lo = fma(-z, c, -hi) + (-z) * cLow
        let e = erfc(hi)
        if e == 0 || lo == 0 { return 0.5 * e }
        // erfc(hi + lo) ≈ erfc(hi) − lo · 2/√π · exp(−hi²).
        return 0.5 * (e - lo * 1.1283791670955126 * exp(-hi * hi))
    }

    /// Standard normal quantile Φ⁻¹(p) by Wichura's AS 241 (PPND16).
    ///
    /// Returns −∞ for p = 0, +∞ for p = 1 and `NaN` outside [0, 1].
    public static func standardQuantile(_ p: Double) -> Double {
        guard p >= 0, p <= 1 else { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            let num = (((((((2.5090809287301226727e3 * r + 3.3430575583588128105e4) * r
                + 6.7265770927008700853e4) * r + 4.5921953931549871457e4) * r
                + 1.3731693765509461125e4) * r + 1.9715909503065514427e3) * r
                + 1.3314166789178437745e2) * r + 3.3871328727963666080e0)
            let den = (((((((5.2264952788528545610e3 * r + 2.8729085735721942674e4) * r
                + 3.9307895800092710610e4) * r + 2.1213794301586595867e4) * r
                + 5.3941960214247511077e3) * r + 6.8718700749205790830e2) * r
                + 4.2313330701600911252e1) * r + 1.0)
            return q * num / den
        }
        // 1 − p is exact for p ≥ ½.
        var r = sqrt(-log(q < 0 ? p : 1 - p))
        let value: Double
        if r <= 5 {
            r -= 1.6
            let num = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
                + 2.41780725177450611770e-1) * r + 1.27045825245236838258e0) * r
                + 3.64784832476320460504e0) * r + 5.76949722146069140550e0) * r
                + 4.63033784615654529590e0) * r + 1.42343711074968357734e0)
            let den = (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
                + 1.51986665636164571966e-2) * r + 1.48103976427480074590e-1) * r
                + 6.89767334985100004550e-1) * r + 1.67638483018380384940e0) * r
                + 2.05319162663775882187e0) * r + 1.0)
            value = num / den
        } else {
            r -= 5
            let num = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
                + 1.24266094738807843860e-3) * r + 2.65321895265761230930e-2) * r
                + 2.96560571828504891230e-1) * r + 1.78482653991729133580e0) * r
                + 5.46378491116411436990e0) * r + 6.65790464350110377720e0)
            let den = (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
                + 1.84631831751005468180e-5) * r + 7.86869131145613259100e-4) * r
                + 1.48753612908506148525e-2) * r + 1.36929880922735805310e-1) * r
                + 5.99832206555887937690e-1) * r + 1.0)
            value = num / den
        }
        return q < 0 ? -value : value
    }
}
