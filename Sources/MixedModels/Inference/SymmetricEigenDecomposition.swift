import Foundation

/// The eigen-decomposition A = V diag(λ) Vᵀ of a small symmetric matrix by the cyclic Jacobi
/// method (Golub & Van Loan, §8.5), with the eigenvalues in decreasing order as R's `eigen`.
///
/// Used on the (k+1)×(k+1) Hessian of the variance parameters and on the covariance of a
/// contrast, both small; the cost is O(m³) per sweep and a handful of sweeps suffice.
struct SymmetricEigenDecomposition: Sendable, Equatable {
    /// The eigenvalues, largest first.
    let values: [Double]
    /// The eigenvectors, `vectors[i]` belonging to `values[i]` (unit length).
    let vectors: [[Double]]

    /// Decomposes the symmetric `matrix` (row-major `size × size`; only its symmetric part is used).
    init(_ matrix: [Double], size: Int) {
        var a = [Double](repeating: 0, count: size * size)
        for row in 0..<size {
            for column in 0..<size {
                a[row * size + column] = 0.5 * (matrix[row * size + column] + matrix[column * size + row])
            }
        }
        var v = [Double](repeating: 0, count: size * size)
        for index in 0..<size { v[index * size + index] = 1 }
        var scale = 0.0
        for value in a { scale = max(scale, abs(value)) }
        if scale > 0 && scale.isFinite {
            for _ in 0..<100 {
                var off = 0.0
                for row in 0..<size {
                    for column in (row + 1)..<max(size, row + 1) { off += a[row * size + column] * a[row * size + column] }
                }
                if off.squareRoot() <= 1e-17 * scale { break }
                for p in 0..<size {
                    for q in (p + 1)..<max(size, p + 1) {
                        let apq = a[p * size + q]
                        if abs(apq) <= 1e-300 { continue }
                        let app = a[p * size + p]
                        let aqq = a[q * size + q]
                        let tau = (aqq - app) / (2 * apq)
                        let t = (tau >= 0 ? 1.0 : -1.0) / (abs(tau) + (1 + tau * tau).squareRoot())
                        let c = 1 / (1 + t * t).squareRoot()
                        let s = t * c
                        for k in 0..<size {
                            let akp = a[k * size + p]
                            let akq = a[k * size + q]
                            a[k * size + p] = c * akp - s * akq
                            a[k * size + q] = s * akp + c * akq
                        }
                        for k in 0..<size {
                            let apk = a[p * size + k]
                            let aqk = a[q * size + k]
                            a[p * size + k] = c * apk - s * aqk
                            a[q * size + k] = s * apk + c * aqk
                        }
                        for k in 0..<size {
                            let vkp = v[k * size + p]
                            let vkq = v[k * size + q]
                            v[k * size + p] = c * vkp - s * vkq
                            v[k * size + q] = s * vkp + c * vkq
                        }
                    }
                }
            }
        }
        let order = (0..<size).sorted { a[$0 * size + $0] > a[$1 * size + $1] }
        self.values = order.map { a[$0 * size + $0] }
        self.vectors = order.map { column in (0..<size).map { v[$0 * size + column] } }
    }
}
