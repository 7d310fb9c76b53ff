import Optimization

/// Shared objective functions and helpers for the BOBYQA tests.
enum TestProblems {
    /// Rosenbrock's function; minimum 0 at (1, …, 1).
    static func rosenbrock(_ x: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<(x.count - 1) {
            let a = x[i + 1] - x[i] * x[i]
            let b = 1 - x[i]
            sum += 100 * a * a + b * b
        }
        return sum
    }

    /// Σ (xᵢ − cᵢ)².
    static func squaredDistance(_ x: [Double], _ c: [Double]) -> Double {
        var sum = 0.0
        for i in x.indices { sum += (x[i] - c[i]) * (x[i] - c[i]) }
        return sum
    }

    /// Unbounded box of dimension n.
    static func unbounded(_ n: Int) -> BOBYQA {
        BOBYQA(lowerBounds: Array(repeating: -.infinity, count: n), upperBounds: Array(repeating: .infinity, count: n))
    }
}

/// A fixed-seed linear congruential generator (Knuth's MMIX constants), so the
/// random test problems are reproducible.
struct SeededGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A uniform value in [0, 1).
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(UInt64(1) << 53)
    }

    /// A uniform value in [a, b).
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * next() }
}

/// A quadratic ½ (x − c)ᵀ A (x − c) with a random symmetric positive definite A = M Mᵀ + I.
struct RandomQuadratic {
    let n: Int
    let centre: [Double]
    let hessian: [Double]

    init(n: Int, seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        var m = [Double](repeating: 0, count: n * n)
        for i in m.indices { m[i] = generator.uniform(-1, 1) }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var sum = i == j ? 1.0 : 0.0
                for k in 0..<n { sum += m[i * n + k] * m[j * n + k] }
                a[i * n + j] = sum
            }
        }
        self.n = n
        hessian = a
        centre = (0..<n).map { _ in generator.uniform(-2, 2) }
    }

    func callAsFunction(_ x: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<n {
            for j in 0..<n { sum += (x[i] - centre[i]) * hessian[i * n + j] * (x[j] - centre[j]) }
        }
        return 0.5 * sum
    }
}
