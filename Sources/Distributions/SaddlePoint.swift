import Foundation

/// Saddle-point building blocks of C. Loader (2000), "Fast and accurate computation of
/// binomial probabilities": the Stirling-series remainder and the deviance term `bd0`.
/// Densities written with them avoid the cancellation of `lgamma` differences for large
/// parameters. (Own implementation of the published formulas.)
enum SaddlePoint {
    /// log(√(2π)).
    static let logSqrtTwoPi = 0.9189385332046728
    /// log(2π).
    static let logTwoPi = 1.8378770664093453

    /// Stirling remainder δ(n) = log Γ(n+1) − [½ log(2πn) + n log n − n], for n > 0.
    ///
    /// For n ≥ 10 the asymptotic series B₂ₖ / (2k(2k−1) n^(2k−1)) with seven terms
    /// (truncation error < 1e-17); for smaller n the recurrence
    /// δ(n) = δ(n+1) + (n + ½) log(1 + 1/n) − 1, which has only absolute rounding error.
    static func stirlingError(_ n: Double) -> Double {
        if n.isNaN || n <= 0 { return .nan }
        var shift = 0.0
        var m = n
        while m < 10 {
            shift += (m + 0.5) * log1p(1 / m) - 1
            m += 1
        }
        let r = 1 / m
        let r2 = r * r
        // Coefficients B_{2k}/(2k(2k-1)), k = 1...7.
        var series = 1.0 / 156.0
        series = series * r2 - 691.0 / 360360.0
        series = series * r2 + 1.0 / 1188.0
        series = series * r2 - 1.0 / 1680.0
        series = series * r2 + 1.0 / 1260.0
        series = series * r2 - 1.0 / 360.0
        series = series * r2 + 1.0 / 12.0
        return series * r + shift
    }

    /// Deviance term bd0(x, np) = x log(x/np) + np − x ≥ 0, for x, np > 0.
    ///
    /// Near x = np it uses the series in v = (x−np)/(x+np):
    /// bd0 = (x−np)v + 2x Σⱼ v^(2j+1)/(2j+1), which avoids the cancellation of the direct form.
    static func bd0(_ x: Double, _ np: Double) -> Double {
        if !x.isFinite || !np.isFinite || np == 0 { return .nan }
        let d = x - np
        let s = x + np
        if abs(d) < 0.5 * s {
            let v = d / s
            var sum = d * v
            var term = 2 * x * v
            let v2 = v * v
            var j = 1.0
            while j < 200 {
                term *= v2
                let next = sum + term / (2 * j + 1)
                if next == sum { return next }
                sum = next
                j += 1
            }
            return sum
        }
        return x * log(x / np) + np - x
    }

    /// exp(−bd0(x, np)) = (np/x)^x · e^(x − np), for x, np > 0.
    ///
    /// Away from x ≈ np the power form is used: its relative error grows like x·ε, whereas
    /// exp(−bd0) has error |bd0|·ε, which is much larger for far-tail values (|log| ~ 700).
    static func expNegBd0(_ x: Double, _ np: Double) -> Double {
        let d = x - np
        if abs(d) >= 0.5 * (x + np) {
            let power = pow(np / x, x)
            let factor = exp(d)
            let value = power * factor
            if power.isNormal && factor.isNormal && value.isNormal { return value }
        }
        return exp(-bd0(x, np))
    }

    /// Poisson-type density λ^x e^(−λ) / Γ(x+1) for real x ≥ 0, λ ≥ 0 (Loader's `dpois_raw`).
    static func poissonDensity(_ x: Double, _ lambda: Double) -> Double {
        if lambda == 0 { return x == 0 ? 1 : 0 }
        if !lambda.isFinite { return 0 }
        if x == 0 { return exp(-lambda) }
        if x < 0 { return 0 }
        return exp(-stirlingError(x)) * expNegBd0(x, lambda) / sqrt(2 * Double.pi * x)
    }

    /// x^a y^b / B(a, b) for a, b > 0 and x + y = 1 (both supplied to keep precision near 0 and 1).
    ///
    /// Written as √(ab / (2π(a+b))) · exp(δ(a+b) − δ(a) − δ(b) − bd0(a, (a+b)x) − bd0(b, (a+b)y)),
    /// Loader's binomial saddle-point form, accurate for very large a or b (the two deviance
    /// factors are evaluated by `expNegBd0`).
    static func betaKernel(a: Double, b: Double, x: Double, y: Double) -> Double {
        if x <= 0 || y <= 0 { return 0 }
        let n = a + b
        if n * x == 0 || n * y == 0 { return 0 }
        let exponent = stirlingError(n) - stirlingError(a) - stirlingError(b)
        return sqrt(a / (2 * Double.pi) * (b / n)) * exp(exponent)
            * expNegBd0(a, n * x) * expNegBd0(b, n * y)
    }
}
