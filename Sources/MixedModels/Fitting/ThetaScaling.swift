import Foundation

/// The units in which the optimiser sees θ. A random-effects column multiplied by c divides the
/// θ entries of its row of λ by c at the optimum (b = Λu is in the column's inverse units), so a
/// column measured in tiny or huge units (days / 10⁴) leaves the optimiser a badly scaled problem
/// and a start (λ = I) far from the optimum. Such a column gets scale 1/c for the θ entries of its
/// row of λ (FullCholesky and Diagonal patterns): the optimiser works with θ / scale and starts
/// at λ = I in those units, which makes the search the same whatever the column's units.
///
/// c is the column's root mean square, rounded to a power of 2 (so that θ = scale · x is exact);
/// columns within a factor of about 11 of 1 (|log₂ c| < 3.5: intercepts, days, ordinary
/// covariates) keep scale 1, so that their fits start where lme4's do.
enum ThetaScaling {
    /// Below this |round(log₂ c)| a column keeps scale 1.
    static let smallestExponent = 4

    /// Per θ component, the optimiser's unit, from the terms' ``columnScales(_:)``.
    static func scales(columnScales: [[Double]], parametrizations: [CovarianceParametrization]) -> [Double] {
        var scales: [Double] = []
        for (columns, parametrization) in zip(columnScales, parametrizations) {
            switch parametrization.pattern {
            case .fullCholesky:
                scales += parametrization.lowerTrianglePositions.map { columns[$0.row] }
            case .diagonal:
                scales += columns
            case .full, .isotropic, .compoundSymmetry:
                scales += [Double](repeating: 1, count: parametrization.parameterCount)
            }
        }
        return scales
    }

    /// 1 / (the root mean square of each column of z, rounded to a power of 2), or 1.
    /// - Complexity: O(n s), once per model.
    /// Ones for the patterns whose θ is not rescaled (Full, Isotropic, CompSymm).
    static func columnScales(_ term: RandomEffectsTerm) -> [Double] {
        let s = term.columnCount
        let n = s > 0 ? term.workingZ.count / s : 0
        let rescaled = term.covariancePattern == .fullCholesky || term.covariancePattern == .diagonal
        guard n > 0, rescaled else { return [Double](repeating: 1, count: s) }
        var squares = [Double](repeating: 0, count: s)
        term.workingZ.withUnsafeBufferPointer { z in
            for row in 0..<n {
                for column in 0..<s { squares[column] += z[row * s + column] * z[row * s + column] }
            }
        }
        return squares.map { sum in
            let rms = (sum / Double(n)).squareRoot()
            guard rms.isNormal else { return 1 }
            let exponent = Int(log2(rms).rounded())
            return abs(exponent) < smallestExponent ? 1 : Double(sign: .plus, exponent: -exponent, significand: 1)
        }
    }
}
