import Foundation
import Optimization
import Testing

/// Problems whose minimisers lie on bounds, and the handling of the bounds.
struct BOBYQABoundTests {
    @Test func quadraticWithOptimumOnLowerBound() {
        let c = [-1.0, 2.0, -0.5, 0.75]
        let optimiser = BOBYQA(lowerBounds: Array(repeating: 0, count: 4), upperBounds: Array(repeating: .infinity, count: 4))
        let result = optimiser.minimize(from: [1, 1, 1, 1]) { x in TestProblems.squaredDistance(x, c) }
        #expect(result.status == .converged)
        for i in c.indices {
            if c[i] < 0 {
                #expect(abs(result.x[i]) <= 1e-10)
            } else {
                #expect(abs(result.x[i] - c[i]) <= 1e-7)
            }
        }
    }

    @Test func startExactlyOnBound() {
        // Minimiser (1, 0): the first coordinate leaves the bound, the second stays on it.
        let optimiser = BOBYQA(lowerBounds: [0, 0], upperBounds: [.infinity, .infinity])
        var outside = 0
        let result = optimiser.minimize(from: [0, 0]) { x in
            if x[0] < 0 || x[1] < 0 { outside += 1 }
            return (x[0] - 1) * (x[0] - 1) + (x[1] + 1) * (x[1] + 1)
        }
        #expect(outside == 0)
        #expect(result.status == .converged)
        #expect(abs(result.x[0] - 1) <= 1e-7)
        #expect(result.x[1] == 0)
    }

    @Test func mixedModelLikeOptimumAtZero() {
        // f(t) = log(1 + t²) + 0.1 t is increasing on t ≥ 0, so the minimiser is t = 0.
        let optimiser = BOBYQA(lowerBounds: [0], upperBounds: [.infinity])
        let result = optimiser.minimize(from: [1]) { t in log(1 + t[0] * t[0]) + 0.1 * t[0] }
        #expect(result.status == .converged)
        #expect(abs(result.x[0]) <= 1e-10)
        #expect(abs(result.value) <= 1e-10)
    }

    @Test func upperBoundActiveInOneDimension() {
        let optimiser = BOBYQA(lowerBounds: [0], upperBounds: [1])
        let result = optimiser.minimize(from: [0.3]) { x in (x[0] - 2) * (x[0] - 2) }
        #expect(result.status == .converged)
        #expect(result.x[0] == 1)
        #expect(result.value == 1)
    }

    @Test func boundsTighterThanTwiceTheRadius() {
        // Gaps of 0.1 and 0.2 are below 2·rhobeg = 1, so rhobeg must shrink to 0.05.
        let lower = [0.0, -0.1], upper = [0.1, 0.1]
        let optimiser = BOBYQA(lowerBounds: lower, upperBounds: upper)
        var outside = 0
        let result = optimiser.minimize(from: [0.5, 0.5]) { x in
            for i in 0..<2 where x[i] < lower[i] || x[i] > upper[i] { outside += 1 }
            return TestProblems.squaredDistance(x, [0.04, 3])
        }
        #expect(outside == 0)
        #expect(result.status == .converged)
        #expect(abs(result.x[0] - 0.04) <= 1e-7)
        #expect(result.x[1] == 0.1)
    }

    @Test func everyEvaluatedPointIsFeasible() {
        let lower = [-0.5, 0.2, -1.0], upper = [0.5, 3.0, 0.0]
        let optimiser = BOBYQA(lowerBounds: lower, upperBounds: upper)
        var outside = 0
        let result = optimiser.minimize(from: [2, -2, 5]) { x in
            for i in 0..<3 where x[i] < lower[i] || x[i] > upper[i] { outside += 1 }
            return TestProblems.rosenbrock(x)
        }
        #expect(outside == 0)
        #expect(result.converged)
    }

    @Test func fixedVariableIsHeldAtItsBound() {
        let optimiser = BOBYQA(lowerBounds: [-1, 2, -1], upperBounds: [1, 2, 1])
        var wrong = 0
        let result = optimiser.minimize(from: [0, 5, 0]) { x in
            if x[1] != 2 { wrong += 1 }
            return TestProblems.squaredDistance(x, [0.25, 0, -0.5])
        }
        #expect(wrong == 0)
        #expect(result.status == .converged)
        #expect(abs(result.x[0] - 0.25) <= 1e-7)
        #expect(result.x[1] == 2)
        #expect(abs(result.x[2] + 0.5) <= 1e-7)
    }
}
