import Testing
import Foundation
import Distributions

@Suite struct EdgeCaseTests {
    /// Invalid parameters never trap: every function returns NaN.
    @Test func invalidParametersGiveNaN() {
        let invalid: [any ContinuousDistribution] = [
            NormalDistribution(mean: 0, standardDeviation: 0),
            NormalDistribution(mean: .nan, standardDeviation: 1),
            NormalDistribution(mean: 0, standardDeviation: -1),
            StudentTDistribution(degreesOfFreedom: 0),
            StudentTDistribution(degreesOfFreedom: -3),
            StudentTDistribution(degreesOfFreedom: .nan),
            FDistribution(numeratorDegreesOfFreedom: 0, denominatorDegreesOfFreedom: 5),
            FDistribution(numeratorDegreesOfFreedom: 3, denominatorDegreesOfFreedom: -1),
            FDistribution(numeratorDegreesOfFreedom: .nan, denominatorDegreesOfFreedom: 5),
            FDistribution(numeratorDegreesOfFreedom: 3, denominatorDegreesOfFreedom: .nan),
            ChiSquaredDistribution(degreesOfFreedom: 0),
            ChiSquaredDistribution(degreesOfFreedom: .nan),
            ChiSquaredDistribution(degreesOfFreedom: .infinity),
        ]
        for d in invalid {
            #expect(d.pdf(1).isNaN)
            #expect(d.cdf(1).isNaN)
            #expect(d.survival(1).isNaN)
            #expect(d.quantile(0.3).isNaN)
            #expect(d.upperQuantile(0.3).isNaN)
        }
    }

    /// NaN arguments and probabilities outside [0, 1] give NaN.
    @Test func invalidArgumentsGiveNaN() {
        let all: [any ContinuousDistribution] = [
            NormalDistribution(), StudentTDistribution(degreesOfFreedom: 3),
            FDistribution(numeratorDegreesOfFreedom: 2, denominatorDegreesOfFreedom: 9),
            ChiSquaredDistribution(degreesOfFreedom: 4),
        ]
        for d in all {
            #expect(d.pdf(.nan).isNaN)
            #expect(d.cdf(.nan).isNaN)
            #expect(d.survival(.nan).isNaN)
            for p in [-0.1, 1.5, .nan] {
                #expect(d.quantile(p).isNaN)
                #expect(d.upperQuantile(p).isNaN)
            }
        }
    }

    /// p = 0 and p = 1 map to the ends of the support.
    @Test func quantileEndpoints() {
        let real: [any ContinuousDistribution] = [NormalDistribution(), StudentTDistribution(degreesOfFreedom: 2.5)]
        for d in real {
            #expect(d.quantile(0) == -.infinity)
            #expect(d.quantile(1) == .infinity)
            #expect(d.upperQuantile(0) == .infinity)
            #expect(d.upperQuantile(1) == -.infinity)
        }
        let positive: [any ContinuousDistribution] = [
            FDistribution(numeratorDegreesOfFreedom: 2, denominatorDegreesOfFreedom: 9),
            FDistribution(numeratorDegreesOfFreedom: 2, denominatorDegreesOfFreedom: .infinity),
            ChiSquaredDistribution(degreesOfFreedom: 4),
        ]
        for d in positive {
            #expect(d.quantile(0) == 0)
            #expect(d.quantile(1) == .infinity)
            #expect(d.upperQuantile(0) == .infinity)
            #expect(d.upperQuantile(1) == 0)
        }
    }

    /// Quantiles whose value is not representable saturate instead of failing.
    @Test func unrepresentableQuantilesSaturate() {
        // t(0.5): P(T > t) ~ t^(−1/2), so the 1e-300 upper quantile is ~1e600.
        let t = StudentTDistribution(degreesOfFreedom: 0.5)
        #expect(t.upperQuantile(1e-300) == .infinity)
        #expect(t.quantile(1e-300) == -.infinity)
        // χ²(0.5): P(X ≤ x) ~ x^(1/4), so the 1e-300 quantile is ~1e-1200.
        #expect(ChiSquaredDistribution(degreesOfFreedom: 0.5).quantile(1e-300) == 0)
        // F(1, 0.5) upper tail decays like f^(−1/4).
        #expect(FDistribution(numeratorDegreesOfFreedom: 1, denominatorDegreesOfFreedom: 0.5).upperQuantile(1e-300) == .infinity)
    }

    /// Arguments at and beyond the ends of the support.
    @Test func supportBoundaries() {
        let chi = ChiSquaredDistribution(degreesOfFreedom: 3)
        #expect(chi.cdf(-1) == 0 && chi.survival(-1) == 1 && chi.pdf(-1) == 0)
        #expect(chi.cdf(.infinity) == 1 && chi.survival(.infinity) == 0)
        #expect(ChiSquaredDistribution(degreesOfFreedom: 1).pdf(0) == .infinity)
        #expect(ChiSquaredDistribution(degreesOfFreedom: 2).pdf(0) == 0.5)
        let f = FDistribution(numeratorDegreesOfFreedom: 4, denominatorDegreesOfFreedom: 6)
        #expect(f.cdf(0) == 0 && f.survival(0) == 1 && f.pdf(-2) == 0)
        #expect(f.cdf(.infinity) == 1 && f.survival(.infinity) == 0)
        #expect(FDistribution(numeratorDegreesOfFreedom: 2, denominatorDegreesOfFreedom: 6).pdf(0) == 1)
        let t = StudentTDistribution(degreesOfFreedom: 3)
        #expect(t.cdf(-.infinity) == 0 && t.cdf(.infinity) == 1 && t.pdf(.infinity) == 0)
        #expect(t.cdf(0) == 0.5 && t.survival(0) == 0.5)
        let n = NormalDistribution(mean: 2, standardDeviation: 0.5)
        #expect(n.cdf(-.infinity) == 0 && n.survival(.infinity) == 0 && n.cdf(2) == 0.5)
    }

    /// Extreme tails stay finite and ordered, and tiny p quantiles work (p = 1e-300).
    @Test func extremeTails() {
        let t3 = StudentTDistribution(degreesOfFreedom: 3)
        let s = t3.survival(40)
        #expect(s > 1.7e-5 && s < 1.8e-5)
        let q = t3.upperQuantile(1e-300)
        #expect(q.isFinite && q > 1e99)
        #expect(abs(t3.survival(q) / 1e-300 - 1) < 1e-12)
        let chi = ChiSquaredDistribution(degreesOfFreedom: 3)
        #expect(chi.survival(1500) == 0 || chi.survival(1500) < 1e-300)
        #expect(chi.survival(1400) > 0)
        let n = NormalDistribution()
        #expect(n.cdf(-38) > 0 && n.cdf(-38) < Double.leastNormalMagnitude)
        #expect(abs(n.quantile(1e-300) + 37.04710) < 1e-4)
    }
}
