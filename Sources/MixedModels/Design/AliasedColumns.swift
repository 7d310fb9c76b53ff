/// Finds the columns of a model matrix that are linear combinations of earlier columns.
///
/// Columns are taken in order, as LINPACK's `dqrdc2` (R's `qr()`, and so lme4's
/// `chkRank.drop.cols`) takes them: a column whose norm, after removing its projection on the
/// kept columns, falls below `tolerance` times its original norm is aliased and dropped. Earlier
/// columns are kept, so the intercept and main effects survive and later interaction columns
/// are the ones reported, as lme4 reports them. The projection uses an orthonormal basis of the
/// kept columns built by Gram-Schmidt with one re-orthogonalisation pass (numerically
/// equivalent to Householder QR for this purpose).
enum AliasedColumns {
    /// Indices of the aliased columns of the column-major `rowCount × columnCount` matrix.
    /// - Complexity: O(n p²).
    static func find(in matrix: [Double], rowCount: Int, columnCount: Int, tolerance: Double = 1e-7) -> [Int] {
        var basis: [[Double]] = []
        var aliased: [Int] = []
        for column in 0..<columnCount {
            var vector = Array(matrix[(column * rowCount)..<((column + 1) * rowCount)])
            let originalNorm = norm(vector)
            vector.withUnsafeMutableBufferPointer { v in
                for _ in 0..<2 {
                    for direction in basis {
                        direction.withUnsafeBufferPointer { d in
                            var dot = 0.0
                            for row in 0..<rowCount { dot += d[row] * v[row] }
                            for row in 0..<rowCount { v[row] -= dot * d[row] }
                        }
                    }
                }
            }
            let residual = norm(vector)
            if originalNorm == 0 || residual <= tolerance * originalNorm || basis.count >= rowCount {
                aliased.append(column)
                continue
            }
            basis.append(vector.map { $0 / residual })
        }
        return aliased
    }

    private static func norm(_ values: [Double]) -> Double {
        var scale = 0.0
        var squares = 0.0
        values.withUnsafeBufferPointer { buffer in
            for value in buffer {
                scale = max(scale, abs(value))
                squares += value * value
            }
        }
        guard scale > 0, scale.isFinite else { return scale.isFinite ? 0 : scale }
        // Without overflow or underflow in the squares, their plain sum; else scaled.
        if scale < 1e100, scale > 1e-100 { return squares.squareRoot() }
        var sum = 0.0
        for value in values {
            let scaled = value / scale
            sum += scaled * scaled
        }
        return scale * sum.squareRoot()
    }
}
