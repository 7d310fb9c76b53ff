import Foundation

/// An orthonormal basis of the span of some columns (modified Gram–Schmidt with one
/// re-orthogonalisation, Björck 1996 §2.4), with the triangular factor R of the kept columns.
///
/// A column whose norm after removing the previous columns falls below `tolerance` × its
/// original norm is treated as linearly dependent and skipped (the rule of R's `lm.fit`, which
/// uses LINPACK's `dqrdc2` with tolerance 1e-7). Used for least-squares coefficients and
/// residuals of small designs built once per test, never inside an optimiser loop.
struct OrthonormalBasis {
    /// The orthonormal columns.
    private(set) var basis: [[Double]] = []
    /// For each basis vector, the index of the input column it came from.
    private(set) var keptColumns: [Int] = []
    /// R (upper triangular, `rank × rank`, row-major) with input[kept] = Q R.
    private(set) var r: [Double] = []

    /// The number of independent columns.
    var rank: Int { basis.count }

    init(columns: [[Double]], tolerance: Double = 1e-7) {
        var rColumns: [[Double]] = []
        for (index, column) in columns.enumerated() {
            let norm = Self.norm(column)
            var residual = column
            var coefficients = [Double](repeating: 0, count: basis.count)
            for _ in 0..<2 {
                for (position, vector) in basis.enumerated() {
                    let projection = Self.dot(vector, residual)
                    coefficients[position] += projection
                    for row in residual.indices { residual[row] -= projection * vector[row] }
                }
            }
            let remaining = Self.norm(residual)
            guard norm > 0, remaining > tolerance * norm else { continue }
            basis.append(residual.map { $0 / remaining })
            keptColumns.append(index)
            rColumns.append(coefficients + [remaining])
        }
        let size = basis.count
        var r = [Double](repeating: 0, count: size * size)
        for (column, values) in rColumns.enumerated() {
            for (row, value) in values.enumerated() { r[row * size + column] = value }
        }
        self.r = r
    }

    /// y minus its projection on the span.
    func residual(_ y: [Double]) -> [Double] {
        var result = y
        for _ in 0..<2 {
            for vector in basis {
                let projection = Self.dot(vector, result)
                for row in result.indices { result[row] -= projection * vector[row] }
            }
        }
        return result
    }

    /// The least-squares coefficients of y on the kept columns (R b = Qᵀ y), in `keptColumns` order.
    func coefficients(_ y: [Double]) -> [Double] {
        let size = rank
        var b = basis.map { Self.dot($0, y) }
        for row in stride(from: size - 1, through: 0, by: -1) {
            var value = b[row]
            for column in (row + 1)..<max(size, row + 1) { value -= r[row * size + column] * b[column] }
            b[row] = value / r[row * size + row]
        }
        return b
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
