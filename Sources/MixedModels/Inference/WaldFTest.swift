import Foundation
import Distributions

/// The Wald F statistic of a linear hypothesis with estimate difference d = Lβ̂ − c and
/// covariance V = Var(Lβ̂), computed as lmerTest's `contestMD` does: with V = P diag(λ) Pᵀ and
/// the q eigenvalues above √ε·λ₁ (q = the rank of the hypothesis),
///
///     F = (1/q) Σₘ (Pₘᵀ d)² / λₘ,
///
/// and, given the Jacobian of V in the variance parameters and their covariance A, Satterthwaite's
/// df νₘ = 2λₘ² / (gₘᵀ A gₘ) with gₘᵢ = Pₘᵀ (∂V/∂φᵢ) Pₘ, combined by lmerTest's rule.
struct WaldFTest {
    /// F.
    let fStatistic: Double
    /// q, the rank of the hypothesis (numerator df).
    let rank: Int
    /// Satterthwaite's denominator df, when the Jacobian was given.
    let satterthwaiteDegreesOfFreedom: Double?

    /// - Returns: `nil` when V has no positive eigenvalue (an empty or null hypothesis).
    init?(difference d: [Double], covariance: [Double], jacobian: [[Double]]?, parameterCovariance: [Double]?) {
        let m = d.count
        guard m > 0, covariance.count == m * m, covariance.allSatisfy(\.isFinite) else { return nil }
        let eigen = SymmetricEigenDecomposition(covariance, size: m)
        let tolerance = max(Double.ulpOfOne.squareRoot() * (eigen.values.first ?? 0), 0)
        let rank = eigen.values.filter { $0 > tolerance }.count
        guard rank > 0 else { return nil }
        var sum = 0.0
        for index in 0..<rank {
            let projection = SatterthwaiteApproximation.dot(eigen.vectors[index], d)
            sum += projection * projection / eigen.values[index]
        }
        self.fStatistic = sum / Double(rank)
        self.rank = rank
        if let jacobian, let parameterCovariance {
            let nus = (0..<rank).map { index -> Double in
                let vector = eigen.vectors[index]
                let gradient = jacobian.map { SatterthwaiteApproximation.quadraticForm(vector, $0) }
                return SatterthwaiteApproximation.degreesOfFreedom(variance: eigen.values[index], gradient: gradient,
                                                                    covariance: parameterCovariance)
            }
            self.satterthwaiteDegreesOfFreedom = SatterthwaiteApproximation.combine(nus)
        } else {
            self.satterthwaiteDegreesOfFreedom = nil
        }
    }

    /// The upper-tail p-value of F on (q, df) degrees of freedom; df = ∞ uses χ²(q) of qF.
    static func pValue(f: Double, numerator: Double, denominator: Double) -> Double {
        guard f.isFinite, numerator > 0, denominator > 0 else { return .nan }
        if denominator.isInfinite {
            return ChiSquaredDistribution(degreesOfFreedom: numerator).survival(numerator * f)
        }
        return FDistribution(numeratorDegreesOfFreedom: numerator, denominatorDegreesOfFreedom: denominator).survival(f)
    }
}
