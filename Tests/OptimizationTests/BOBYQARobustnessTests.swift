import Foundation
import Optimization
import Testing

/// Evaluation counting, limits, non-finite values and degenerate input.
struct BOBYQARobustnessTests {
    @Test(arguments: [1, 3, 5, 30, 77])
    func maxEvaluationsIsHonoured(limit: Int) {
        var optimiser = TestProblems.unbounded(2)
        optimiser.maxEvaluations = limit
        var calls = 0
        let result = optimiser.minimize(from: [-1.2, 1]) { x in
            calls += 1
            return TestProblems.rosenbrock(x)
        }
        #expect(result.status == .maxEvaluationsReached)
        #expect(!result.converged)
        #expect(result.evaluations == limit)
        #expect(calls == limit)
        #expect(result.value <= result.initialValue)
    }

    @Test func evaluationCountMatchesCalls() {
        var calls = 0
        let optimiser = BOBYQA(lowerBounds: [0, -3, 0], upperBounds: [2, 3, .infinity])
        let result = optimiser.minimize(from: [1, 1, 1]) { x in
            calls += 1
            return TestProblems.squaredDistance(x, [1.5, -4, 0.3]) + x[0] * x[2]
        }
        #expect(result.evaluations == calls)
        #expect(result.value == TestProblems.squaredDistance(result.x, [1.5, -4, 0.3]) + result.x[0] * result.x[2])
    }

    @Test func nanInPartOfTheDomain() {
        // Undefined for x + y < 1; the minimiser (2, 1) is well inside the valid region.
        var nanCalls = 0
        let optimiser = BOBYQA(lowerBounds: [-5, -5], upperBounds: [5, 5], initialTrustRadius: 2)
        let result = optimiser.minimize(from: [1, 0.5]) { x in
            guard x[0] + x[1] >= 1 else {
                nanCalls += 1
                return .nan
            }
            return TestProblems.squaredDistance(x, [2, 1])
        }
        #expect(nanCalls > 0)
        #expect(result.status == .converged)
        #expect(abs(result.x[0] - 2) <= 1e-6)
        #expect(abs(result.x[1] - 1) <= 1e-6)
    }

    @Test func minimiserOnTheEdgeOfTheDomain() {
        // f = x² is only defined for x ≥ 1 (infinite elsewhere), so the infimum is at x = 1.
        let result = TestProblems.unbounded(1).minimize(from: [3]) { x in x[0] >= 1 ? x[0] * x[0] : .infinity }
        #expect(result.value.isFinite)
        #expect(result.x[0] >= 1)
        #expect(result.x[0] - 1 <= 1e-4)
    }

    @Test func emptyProblemEvaluatesOnce() {
        var calls = 0
        let result = BOBYQA(lowerBounds: [], upperBounds: []).minimize(from: []) { _ in
            calls += 1
            return 4.5
        }
        #expect(calls == 1)
        #expect(result.evaluations == 1)
        #expect(result.value == 4.5)
        #expect(result.x.isEmpty)
        #expect(result.status == .converged)
    }

    @Test func inconsistentBoundsFail() {
        var calls = 0
        let result = BOBYQA(lowerBounds: [0, 2], upperBounds: [1, 1]).minimize(from: [0.5, 1.5]) { _ in
            calls += 1
            return 0
        }
        #expect(result.status == .failed)
        #expect(calls == 0)
        #expect(result.evaluations == 0)
    }

    @Test func mismatchedDimensionsFail() {
        let result = BOBYQA(lowerBounds: [0], upperBounds: [1, 2]).minimize(from: [0.5, 0.5]) { _ in 0 }
        #expect(result.status == .failed)
    }

    @Test func alwaysNaNObjectiveFails() {
        var optimiser = TestProblems.unbounded(2)
        optimiser.maxEvaluations = 200
        let result = optimiser.minimize(from: [0, 0]) { _ in .nan }
        #expect(result.status == .failed)
        #expect(result.evaluations <= 200)
    }
}
