import Testing
import Foundation
import Distributions

private func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
}

private let tDegrees: [Double] = [0.5, 1, 2.5, 4.99999998, 17.3, 120, 1e5, 1e7]
private let fDegrees: [(Double, Double)] = [(1, 0.5), (1, 12), (3, 7.5), (5, 1e6), (20, 40), (2.7, 1e4)]
private let chiDegrees: [Double] = [0.5, 1, 3, 10, 100, 1000]

@Suite struct IdentityTests {
    /// cdf + survival = 1 in the body of each distribution (both tails computed independently).
    @Test func cdfPlusSurvivalIsOne() {
        var distributions: [any ContinuousDistribution] = [NormalDistribution(mean: 1, standardDeviation: 3)]
        distributions += tDegrees.map { StudentTDistribution(degreesOfFreedom: $0) }
        distributions += fDegrees.map { FDistribution(numeratorDegreesOfFreedom: $0.0, denominatorDegreesOfFreedom: $0.1) }
        distributions += chiDegrees.map { ChiSquaredDistribution(degreesOfFreedom: $0) }
        for d in distributions {
            for p in [0.01, 0.2, 0.5, 0.8, 0.99] {
                let x = d.quantile(p)
                #expect(abs(d.cdf(x) + d.survival(x) - 1) <= 4e-16, "\(d) at \(x)")
            }
        }
    }

    /// quantile(cdf(x)) = x and upperQuantile(survival(x)) = x, with tolerance scaled by the
    /// conditioning |p / (x f(x))| of the inversion (rounding p to a double already costs that).
    @Test func quantileInvertsCDF() {
        var distributions: [any ContinuousDistribution] = [NormalDistribution()]
        distributions += tDegrees.map { StudentTDistribution(degreesOfFreedom: $0) }
        distributions += fDegrees.map { FDistribution(numeratorDegreesOfFreedom: $0.0, denominatorDegreesOfFreedom: $0.1) }
        distributions += chiDegrees.map { ChiSquaredDistribution(degreesOfFreedom: $0) }
        for d in distributions {
            for p in [1e-250, 1e-40, 1e-8, 0.003, 0.3, 0.5] {
                let x = d.quantile(p)
                guard x.isFinite, x != 0 else { continue }
                let condition = max(1, abs(p / (x * d.pdf(x))))
                #expect(relativeError(d.quantile(d.cdf(x)), x) <= 1e-14 * condition, "\(d) lower \(p)")
                let y = d.upperQuantile(p)
                guard y.isFinite, y != 0 else { continue }
                let conditionUpper = max(1, abs(p / (y * d.pdf(y))))
                #expect(relativeError(d.upperQuantile(d.survival(y)), y) <= 1e-14 * conditionUpper, "\(d) upper \(p)")
                // Rounding the quantile to a double moves the probability by ε · |x f(x) / p|.
                let slopeLower = max(1, abs(x * d.pdf(x) / p))
                let slopeUpper = max(1, abs(y * d.pdf(y) / p))
                #expect(relativeError(d.survival(y), p) <= 1e-13 * slopeUpper, "\(d) survival(upperQuantile(\(p)))")
                #expect(relativeError(d.cdf(x), p) <= 1e-13 * slopeLower, "\(d) cdf(quantile(\(p))) = \(d.cdf(x)), x = \(x)")
            }
        }
    }

    /// The t distribution is symmetric: every pair below is bit-for-bit equal.
    @Test(arguments: tDegrees)
    func studentTSymmetry(_ nu: Double) {
        let d = StudentTDistribution(degreesOfFreedom: nu)
        for t in [0.0, 1e-9, 0.3, 2, 40, 1e3, 1e200] {
            #expect(d.cdf(-t) == d.survival(t))
            #expect(d.survival(-t) == d.cdf(t))
            #expect(d.pdf(-t) == d.pdf(t))
        }
        for p in [1e-300, 1e-10, 0.05, 0.4] {
            #expect(d.quantile(p) == -d.upperQuantile(p))
            // 1 − p is rounded; q is the probability that 1 − p really leaves in the upper tail.
            let complement = 1 - p
            let q = 1 - complement
            if complement < 1 {
                #expect(d.quantile(complement) == d.upperQuantile(q))
                #expect(d.quantile(complement) == -d.quantile(q))
            }
        }
        #expect(d.quantile(0.5) == 0)
    }

    /// F(1, ν) is the square of t(ν): P(F > t²) = 2 P(T > t).
    @Test(arguments: [0.5, 3.0, 17.3, 1e4, 1e7])
    func fOneIsTSquared(_ nu: Double) {
        let f = FDistribution(numeratorDegreesOfFreedom: 1, denominatorDegreesOfFreedom: nu)
        let t = StudentTDistribution(degreesOfFreedom: nu)
        for s in [0.01, 0.7, 2, 6, 40] {
            #expect(relativeError(f.survival(s * s), 2 * t.survival(s)) <= 1e-13, "ν = \(nu), t = \(s)")
        }
    }

    /// Limits: t(∞) is the normal, F(d₁, ∞) is χ²(d₁)/d₁, and χ²(2) is exponential with mean 2.
    @Test func limitsAndClosedForms() {
        let normal = NormalDistribution()
        let tInfinite = StudentTDistribution(degreesOfFreedom: .infinity)
        for z in [-30.0, -2, 0.5, 8] {
            #expect(tInfinite.cdf(z) == normal.cdf(z))
            #expect(tInfinite.pdf(z) == normal.pdf(z))
        }
        #expect(tInfinite.quantile(1e-100) == normal.quantile(1e-100))
        // ν = 1e12: t differs from the normal by O(1/ν).
        let tHuge = StudentTDistribution(degreesOfFreedom: 1e12)
        #expect(relativeError(tHuge.survival(3), normal.survival(3)) <= 1e-10)

        let fInfinite = FDistribution(numeratorDegreesOfFreedom: 4, denominatorDegreesOfFreedom: .infinity)
        let chi4 = ChiSquaredDistribution(degreesOfFreedom: 4)
        #expect(fInfinite.survival(2.5) == chi4.survival(10))
        #expect(relativeError(fInfinite.quantile(0.95), chi4.quantile(0.95) / 4) <= 1e-15)

        let chi2 = ChiSquaredDistribution(degreesOfFreedom: 2)
        for x in [1e-8, 0.3, 5, 200, 1400] {
            #expect(relativeError(chi2.survival(x), exp(-x / 2)) <= 1e-14)
            #expect(relativeError(chi2.pdf(x), exp(-x / 2) / 2) <= 1e-14)
        }
        // Cauchy (t with ν = 1): P(T > t) = atan(1/t)/π.
        let cauchy = StudentTDistribution(degreesOfFreedom: 1)
        for t in [1e-6, 0.5, 3, 1e5] {
            #expect(relativeError(cauchy.survival(t), atan(1 / t) / Double.pi) <= 1e-14)
        }
        #expect(relativeError(cauchy.upperQuantile(0.25), 1) <= 1e-15)
    }
}
