import Foundation
import Optimization
import Testing

/// BOBYQA with other numbers of interpolation points than 2n + 1: a full quadratic model,
/// (n + 1)(n + 2)/2 points, and the fewest Powell allows, n + 2.
struct BOBYQAInterpolationPointsTests {
    static func optimiser(_ n: Int, points: Int?) -> BOBYQA {
        var optimiser = TestProblems.unbounded(n)
        optimiser.interpolationPoints = points
        return optimiser
    }

    @Test("Rosenbrock converges with every number of points from n + 2 to (n + 1)(n + 2)/2", arguments: [4, 5, 6])
    func rosenbrock(points: Int) {
        var calls = 0
        let result = Self.optimiser(2, points: points).minimize(from: [-1.2, 1]) { x in
            calls += 1
            return TestProblems.rosenbrock(x)
        }
        #expect(result.status == .converged)
        #expect(abs(result.x[0] - 1) <= 1e-6)
        #expect(abs(result.x[1] - 1) <= 1e-6)
        #expect(result.value <= 1e-12)
        #expect(result.evaluations == calls)
    }

    @Test("a correlated quadratic: the full model finds the centre, in fewer evaluations than 2n + 1")
    func correlatedQuadratic() {
        let problem = RandomQuadratic(n: 5, seed: 7)
        let start = [Double](repeating: 0, count: 5)
        let powell = Self.optimiser(5, points: nil).minimize(from: start, problem.callAsFunction)
        let full = Self.optimiser(5, points: 21).minimize(from: start, problem.callAsFunction)
        let fewest = Self.optimiser(5, points: 7).minimize(from: start, problem.callAsFunction)
        for result in [powell, full, fewest] {
            #expect(result.status == .converged)
            for i in 0..<5 { #expect(abs(result.x[i] - problem.centre[i]) <= 1e-6) }
            #expect(result.value <= 1e-12)
        }
        // A quadratic is interpolated exactly by the full model's initial points.
        #expect(full.evaluations < powell.evaluations)
    }

    @Test("counts outside n + 2 … (n + 1)(n + 2)/2 are clamped, and bounds are kept")
    func clampedAndBounded() {
        for points in [0, 3, 1000] {
            var optimiser = BOBYQA(lowerBounds: [0, 0, 0], upperBounds: [2, 2, 2])
            optimiser.interpolationPoints = points
            // Minimum of Σ (xᵢ − 3)² + x₀x₁ on the box is at the upper corner.
            let result = optimiser.minimize(from: [1, 1, 1]) { x in
                (x[0] - 3) * (x[0] - 3) + (x[1] - 3) * (x[1] - 3) + (x[2] - 3) * (x[2] - 3) + x[0] * x[1]
            }
            #expect(result.status == .converged)
            #expect(result.x.allSatisfy { $0 >= 0 && $0 <= 2 })
            #expect(abs(result.x[2] - 2) <= 1e-6)
        }
    }
}
