import Foundation

/// Regularized incomplete gamma functions P(a, x) = γ(a, x)/Γ(a), Q(a, x) = Γ(a, x)/Γ(a),
/// and their inverses in x.
///
/// Method: the power series P(a, x) = x^a e^(−x)/Γ(a+1) · Σₖ xᵏ/((a+1)…(a+k)) for x < a + 1,
/// and the Legendre continued fraction for Q(a, x), evaluated with the modified Lentz
/// algorithm, for x ≥ a + 1 (Numerical Recipes, 3rd ed., §6.2). The common factor
/// x^a e^(−x)/Γ(a+1) is computed with Loader's saddle-point form (Stirling remainder plus
/// deviance `bd0`), which keeps full relative accuracy for large a and x.
/// The function that is computed directly is always the smaller-tail one, so the far upper
/// tail Q is accurate down to the underflow threshold.
public enum IncompleteGamma {
    /// Both regularized incomplete gamma functions, (P(a, x), Q(a, x)).
    ///
    /// Returns `(NaN, NaN)` unless a > 0 is finite and x is not NaN; x ≤ 0 gives (0, 1).
    public static func pq(a: Double, x: Double) -> (p: Double, q: Double) {
        guard a > 0, a.isFinite, !x.isNaN else { return (.nan, .nan) }
        if x <= 0 { return (0, 1) }
        if x == .infinity { return (1, 0) }
        let maxIterations = 100_000
        if x < a + 1 {
            let prefactor = SaddlePoint.poissonDensity(a, x)
            if prefactor == 0 { return (0, 1) }
            var sum = 1.0
            var term = 1.0
            var denominator = a
            for _ in 0..<maxIterations {
                denominator += 1
                term *= x / denominator
                sum += term
                if term <= sum * 1e-17 { break }
            }
            let p = prefactor * sum
            return (p, 1 - p)
        }
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1...maxIterations {
            let di = Double(i)
            let an = -di * (di - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 3e-16 { break }
        }
        let q = a * SaddlePoint.poissonDensity(a, x) * h
        return (1 - q, q)
    }

    /// Regularized lower incomplete gamma function P(a, x).
    public static func p(a: Double, x: Double) -> Double { pq(a: a, x: x).p }

    /// Regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x), accurate for large x.
    public static func q(a: Double, x: Double) -> Double { pq(a: a, x: x).q }

    /// The derivative ∂P/∂x = x^(a−1) e^(−x)/Γ(a) (the gamma density with unit scale).
    public static func density(a: Double, x: Double) -> Double {
        guard a > 0, a.isFinite, !x.isNaN else { return .nan }
        if x < 0 { return 0 }
        if x == 0 { return a < 1 ? .infinity : (a == 1 ? 1 : 0) }
        if a < 1 { return SaddlePoint.poissonDensity(a, x) * a / x }
        return SaddlePoint.poissonDensity(a - 1, x)
    }

    /// The x ≥ 0 with P(a, x) = p (inverse in x), for p in [0, 1]; `NaN` otherwise.
    ///
    /// Safeguarded Newton iteration on log P (or log Q when p > ½, since 1 − p is exact there),
    /// started from the better of the small-x power law x ≈ (p Γ(a+1))^(1/a) and the
    /// Wilson–Hilferty approximation.
    public static func inverseP(a: Double, p: Double) -> Double {
        guard a > 0, a.isFinite, p >= 0, p <= 1 else { return .nan }
        if p == 0 { return 0 }
        if p == 1 { return .infinity }
        if p > 0.5 { return solve(a: a, target: 1 - p, lower: false) }
        return solve(a: a, target: p, lower: true)
    }

    /// The x ≥ 0 with Q(a, x) = q (inverse in x), for q in [0, 1]; accurate for tiny q.
    public static func inverseQ(a: Double, q: Double) -> Double {
        guard a > 0, a.isFinite, q >= 0, q <= 1 else { return .nan }
        if q == 0 { return .infinity }
        if q == 1 { return 0 }
        if q > 0.5 { return solve(a: a, target: 1 - q, lower: true) }
        return solve(a: a, target: q, lower: false)
    }

    private static func solve(a: Double, target: Double, lower: Bool) -> Double {
        // Wilson–Hilferty: x ≈ a (1 − 1/(9a) + z/(3√a))³ with z the normal quantile.
        let z = lower ? NormalDistribution.standardQuantile(target) : -NormalDistribution.standardQuantile(target)
        let cube = 1 - 1 / (9 * a) + z / (3 * sqrt(a))
        var starts = [a * cube * cube * cube]
        if lower {
            starts.append(exp((log(target) + lgamma(a + 1)) / a))
        } else {
            // Q ≈ x^(a−1) e^(−x)/Γ(a): two fixed-point steps of x = −log q − log Γ(a) + (a−1) log x.
            var x = -log(target)
            for _ in 0..<2 where x > 0 {
                x = -log(target) - lgamma(a) + (a - 1) * log(x)
            }
            starts.append(x)
        }
        return RootSolver.solvePositive(
            target: target, increasing: lower, starts: starts,
            tail: { x in lower ? p(a: a, x: x) : q(a: a, x: x) },
            density: { x in density(a: a, x: x) })
    }
}
