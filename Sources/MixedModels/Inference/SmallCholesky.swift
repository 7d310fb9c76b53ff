/// The Cholesky factor of a small symmetric matrix held row-major (the k × k Hessians of the
/// covariance parameters), for the intervals and the convergence checks.
enum SmallCholesky {
    /// L with L Lᵀ = `matrix` (row-major, lower triangle filled, upper zero), or `nil` when the
    /// matrix is not positive definite or holds non-finite numbers.
    static func lower(_ matrix: [Double], size n: Int) -> [Double]? {
        guard matrix.count >= n * n else { return nil }
        var factor = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var pivot = matrix[j * n + j]
            for k in 0..<j { pivot -= factor[j * n + k] * factor[j * n + k] }
            guard pivot > 0, pivot.isFinite else { return nil }
            let root = pivot.squareRoot()
            factor[j * n + j] = root
            for i in (j + 1)..<max(n, j + 1) {
                var value = matrix[i * n + j]
                for k in 0..<j { value -= factor[i * n + k] * factor[j * n + k] }
                factor[i * n + j] = value / root
            }
        }
        return factor
    }

    /// x with L Lᵀ x = `right`, for L from ``lower(_:size:)`` (row-major n × n).
    static func solve(lower factor: [Double], size n: Int, _ right: [Double]) -> [Double] {
        var x = right
        for i in 0..<n {
            var value = x[i]
            for k in 0..<i { value -= factor[i * n + k] * x[k] }
            x[i] = value / factor[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var value = x[i]
            for k in (i + 1)..<max(n, i + 1) { value -= factor[k * n + i] * x[k] }
            x[i] = value / factor[i * n + i]
        }
        return x
    }
}
