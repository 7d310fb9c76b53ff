import Foundation

/// The map from a term's covariance parameters θ to its relative covariance factor λ
/// (lower triangular, s×s), with the bounds and starting values the optimiser uses.
///
/// lme4's conventions: start at λ = I, lower bound 0 on λ's diagonal entries, no bound on
/// off-diagonal entries (Bates et al. 2015, §3.1).
struct CovarianceParametrization: Sendable, Equatable {
    let pattern: CovariancePattern
    /// s, the size of λ.
    let size: Int

    /// The number of entries of θ for this term.
    var parameterCount: Int {
        switch pattern {
        case .fullCholesky, .full: return size * (size + 1) / 2
        case .diagonal: return size
        case .isotropic: return 1
        case .compoundSymmetry: return 2
        }
    }

    /// Lower bounds on θ.
    var lowerBounds: [Double] {
        switch pattern {
        case .fullCholesky:
            return lowerTrianglePositions.map { $0.row == $0.column ? 0 : -Double.infinity }
        case .full:
            return [Double](repeating: -Double.infinity, count: parameterCount)
        case .diagonal:
            return [Double](repeating: 0, count: size)
        case .isotropic:
            return [0]
        case .compoundSymmetry:
            return [0, -1 / Double(max(size - 1, 1))]
        }
    }

    /// Upper bounds on θ.
    var upperBounds: [Double] {
        var bounds = [Double](repeating: Double.infinity, count: parameterCount)
        if pattern == .compoundSymmetry { bounds[1] = 1 }
        return bounds
    }

    /// The starting θ, giving λ = I.
    var initialValues: [Double] {
        switch pattern {
        case .fullCholesky:
            return lowerTrianglePositions.map { $0.row == $0.column ? 1 : 0 }
        case .full:
            return [Double](repeating: 0, count: parameterCount)
        case .diagonal:
            return [Double](repeating: 1, count: size)
        case .isotropic:
            return [1]
        case .compoundSymmetry:
            return [1, 0]
        }
    }

    /// θ for a diagonal λ with these entries (standard deviations relative to σ, one per column),
    /// in this pattern's parameters: the diagonal of a Cholesky factor, its logarithm for
    /// ``CovariancePattern/full``, their root mean square for the patterns with one scale.
    func diagonalValues(_ deviations: [Double]) -> [Double] {
        let meanSquare = deviations.reduce(0) { $0 + $1 * $1 } / Double(max(deviations.count, 1))
        switch pattern {
        case .fullCholesky, .full:
            return lowerTrianglePositions.map { position in
                guard position.row == position.column else { return 0 }
                let value = deviations[position.row]
                return pattern == .full ? log(value) : value
            }
        case .diagonal:
            return deviations
        case .isotropic:
            return [meanSquare.squareRoot()]
        case .compoundSymmetry:
            return [meanSquare.squareRoot(), 0]
        }
    }

    /// The lower-triangle positions in θ's order (column by column).
    var lowerTrianglePositions: [(row: Int, column: Int)] {
        var positions: [(row: Int, column: Int)] = []
        for column in 0..<size {
            for row in column..<size { positions.append((row, column)) }
        }
        return positions
    }

    /// Writes λ (column-major s×s, zero above the diagonal) for the parameters `theta`.
    func fillLambda(_ theta: ArraySlice<Double>, into lambda: inout [Double]) {
        for index in lambda.indices { lambda[index] = 0 }
        var position = theta.startIndex
        switch pattern {
        case .fullCholesky, .full:
            for column in 0..<size {
                for row in column..<size {
                    let value = theta[position]
                    lambda[column * size + row] = (pattern == .full && row == column) ? exp(value) : value
                    position += 1
                }
            }
        case .diagonal:
            for index in 0..<size { lambda[index * size + index] = theta[position + index] }
        case .isotropic:
            for index in 0..<size { lambda[index * size + index] = theta[position] }
        case .compoundSymmetry:
            fillCompoundSymmetry(scale: theta[position], correlation: theta[position + 1], into: &lambda)
        }
    }

    /// λ = scale · chol((1 − ρ) I + ρ J), computed column by column; at the boundary ρ = 1 or
    /// ρ = −1/(s−1) the matrix is singular and the Cholesky factor takes zero pivots.
    private func fillCompoundSymmetry(scale: Double, correlation: Double, into lambda: inout [Double]) {
        for column in 0..<size {
            for row in column..<size {
                var value = row == column ? 1.0 : correlation
                for inner in 0..<column {
                    value -= lambda[inner * size + row] * lambda[inner * size + column]
                }
                if row == column {
                    lambda[column * size + column] = max(value, 0).squareRoot()
                } else {
                    let pivot = lambda[column * size + column]
                    lambda[column * size + row] = pivot > 1e-300 ? value / pivot : 0
                }
            }
        }
        for index in lambda.indices { lambda[index] *= scale }
    }
}
