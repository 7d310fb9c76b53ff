import Foundation
import Optimization
import Testing

/// Unconstrained and interior problems with known analytic minimisers.
struct BOBYQASmoothTests {
    @Test func rosenbrockFromStandardStart() {
        var calls = 0
        let result = TestProblems.unbounded(2).minimize(from: [-1.2, 1]) { x in
            calls += 1
            return TestProblems.rosenbrock(x)
        }
        #expect(result.status == .converged)
        #expect(result.converged)
        #expect(abs(result.x[0] - 1) <= 1e-6)
        #expect(abs(result.x[1] - 1) <= 1e-6)
        #expect(result.value <= 1e-12)
        #expect(result.initialValue == TestProblems.rosenbrock([-1.2, 1]))
        #expect(result.evaluations == calls)
        #expect(result.evaluations < 1000)
    }

    @Test func tenDimensionalRandomQuadratic() {
        let problem = RandomQuadratic(n: 10, seed: 20_240_601)
        var calls = 0
        let result = TestProblems.unbounded(10).minimize(from: Array(repeating: 0, count: 10)) { x in
            calls += 1
            return problem(x)
        }
        #expect(result.status == .converged)
        #expect(result.evaluations == calls)
        for i in 0..<10 { #expect(abs(result.x[i] - problem.centre[i]) <= 1e-6) }
        #expect(result.value <= 1e-12)
        #expect(result.evaluations < 1000)
    }

    @Test func oneDimensionalInterior() {
        let result = TestProblems.unbounded(1).minimize(from: [10]) { x in (x[0] - 3) * (x[0] - 3) + 2 }
        #expect(result.status == .converged)
        #expect(abs(result.x[0] - 3) <= 1e-7)
        #expect(abs(result.value - 2) <= 1e-12)
    }

    @Test func oneDimensionalNonQuadratic() {
        // cosh(x − 1) has its minimum 1 at x = 1.
        let optimiser = BOBYQA(lowerBounds: [-5], upperBounds: [5])
        let result = optimiser.minimize(from: [-4]) { x in cosh(x[0] - 1) }
        #expect(result.status == .converged)
        #expect(abs(result.x[0] - 1) <= 1e-6)
        #expect(abs(result.value - 1) <= 1e-12)
    }

    @Test func functionToleranceStopsEarly() {
        var optimiser = TestProblems.unbounded(2)
        optimiser.functionTolerance = 1e-4
        let full = TestProblems.unbounded(2).minimize(from: [-1.2, 1], TestProblems.rosenbrock)
        let early = optimiser.minimize(from: [-1.2, 1], TestProblems.rosenbrock)
        #expect(early.status == .functionToleranceReached)
        #expect(early.converged)
        #expect(early.evaluations < full.evaluations)
    }
}
