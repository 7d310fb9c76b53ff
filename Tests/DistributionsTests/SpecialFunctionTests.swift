import Testing
import Foundation
import Distributions

private func relativeError(_ a: Double, _ b: Double) -> Double {
    a == b ? 0 : abs(a - b) / max(abs(a), abs(b))
}

/// Closed forms of the incomplete gamma and beta functions, and their inverses.
@Suite struct SpecialFunctionTests {
    @Test func incompleteGammaClosedForms() {
        for x in [1e-12, 1e-3, 0.7, 4, 30, 600] {
            // P(1, x) = 1 − e^(−x); Q(1, x) = e^(−x).
            #expect(relativeError(IncompleteGamma.q(a: 1, x: x), exp(-x)) <= 1e-14)
            #expect(relativeError(IncompleteGamma.p(a: 1, x: x), -expm1(-x)) <= 1e-14)
            // Q(½, x) = erfc(√x).
            #expect(relativeError(IncompleteGamma.q(a: 0.5, x: x), erfc(sqrt(x))) <= 1e-13)
            // Q(2, x) = (1 + x) e^(−x).
            #expect(relativeError(IncompleteGamma.q(a: 2, x: x), (1 + x) * exp(-x)) <= 1e-14)
            let pq = IncompleteGamma.pq(a: 3.7, x: x)
            #expect(abs(pq.p + pq.q - 1) <= 4e-16)
        }
        #expect(IncompleteGamma.p(a: -1, x: 1).isNaN)
        #expect(IncompleteGamma.q(a: 2, x: .nan).isNaN)
        #expect(IncompleteGamma.p(a: 2, x: 0) == 0)
    }

    @Test func incompleteGammaInverse() {
        for a in [0.3, 1, 4.5, 80, 2000] {
            for p in [1e-200, 1e-9, 0.01, 0.5, 0.9] {
                // Rounding x to a double moves the probability by ε · x · density / probability.
                let x = IncompleteGamma.inverseP(a: a, p: p)
                let slope = max(1, x * IncompleteGamma.density(a: a, x: x) / p)
                if x > 0 { #expect(relativeError(IncompleteGamma.p(a: a, x: x), p) <= 1e-14 * slope, "a=\(a) p=\(p)") }
                let y = IncompleteGamma.inverseQ(a: a, q: p)
                let slopeQ = max(1, y * IncompleteGamma.density(a: a, x: y) / p)
                #expect(relativeError(IncompleteGamma.q(a: a, x: y), p) <= 1e-14 * slopeQ, "a=\(a) q=\(p)")
            }
        }
        #expect(IncompleteGamma.inverseP(a: 2, p: 0) == 0)
        #expect(IncompleteGamma.inverseQ(a: 2, q: 0) == .infinity)
        #expect(IncompleteGamma.inverseP(a: 0, p: 0.5).isNaN)
    }

    @Test func incompleteBetaClosedForms() {
        for x in [1e-10, 0.01, 0.3, 0.5, 0.77, 0.999] {
            // I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 − (1−x)^b.
            #expect(relativeError(IncompleteBeta.regularized(x: x, a: 1, b: 1), x) <= 1e-15)
            #expect(relativeError(IncompleteBeta.regularized(x: x, a: 3.5, b: 1), pow(x, 3.5)) <= 1e-14)
            #expect(relativeError(IncompleteBeta.complement(x: x, a: 1, b: 6.25), pow(1 - x, 6.25)) <= 1e-14)
            // I_x(½, ½) = (2/π) asin(√x).
            #expect(relativeError(IncompleteBeta.regularized(x: x, a: 0.5, b: 0.5), 2 / Double.pi * asin(sqrt(x))) <= 1e-14)
            // Symmetry: I_x(a, b) = 1 − I_{1−x}(b, a).
            let v = IncompleteBeta.both(x: x, y: 1 - x, a: 2.5, b: 40)
            let w = IncompleteBeta.both(x: 1 - x, y: x, a: 40, b: 2.5)
            #expect(relativeError(v.lower, w.upper) <= 1e-14 || v.lower < 1e-300)
            #expect(abs(v.lower + v.upper - 1) <= 4e-16)
        }
        #expect(IncompleteBeta.regularized(x: 0.5, a: 0, b: 1).isNaN)
        #expect(IncompleteBeta.regularized(x: 1.5, a: 1, b: 1).isNaN)
        #expect(IncompleteBeta.regularized(x: 0, a: 2, b: 3) == 0)
        #expect(IncompleteBeta.complement(x: 1, a: 2, b: 3) == 0)
    }

    @Test func incompleteBetaInverse() {
        for (a, b) in [(0.5, 0.5), (2.0, 7.0), (0.25, 400.0), (5e6, 0.5), (10.0, 5e5)] {
            for p in [1e-250, 1e-8, 0.02, 0.5, 0.97] {
                // Rounding x to a double moves I by ε · x · density; near x = 1 the relevant
                // spacing is that of 1 − x, which is much coarser (ε / (1 − x) relative).
                let x = IncompleteBeta.inverse(p: p, a: a, b: b)
                if x > 0 && x < 1 {
                    let density = IncompleteBeta.density(x: x, y: 1 - x, a: a, b: b)
                    let slope = max(1, x * density / p, x.ulp * density / p / Double.ulpOfOne)
                    #expect(relativeError(IncompleteBeta.regularized(x: x, a: a, b: b), p) <= 1e-14 * slope,
                            "a=\(a) b=\(b) p=\(p) x=\(x)")
                }
                let y = IncompleteBeta.inverseComplement(q: p, a: a, b: b)
                if y > 0 && y < 1 {
                    let density = IncompleteBeta.density(x: y, y: 1 - y, a: a, b: b)
                    let slope = max(1, y * density / p, y.ulp * density / p / Double.ulpOfOne)
                    #expect(relativeError(IncompleteBeta.complement(x: y, a: a, b: b), p) <= 1e-14 * slope,
                            "a=\(a) b=\(b) q=\(p) y=\(y)")
                }
            }
        }
        #expect(IncompleteBeta.inverse(p: 0, a: 2, b: 3) == 0)
        #expect(IncompleteBeta.inverse(p: 1, a: 2, b: 3) == 1)
        #expect(IncompleteBeta.inverse(p: 0.5, a: -2, b: 3).isNaN)
    }
}
