import Foundation

/// The covariance parameters of a model on the scale users read them: for each random-effects
/// term the standard deviations and correlations of its random effects (in data units), then
/// the residual standard deviation σ (lme4's `devfun2` parameters, MATLAB's "canonical"
/// parameters). Converts to and from (θ, σ).
///
/// Per term, the free natural parameters are
/// - FullCholesky / Full: the lower triangle of the covariance matrix column by column, an SD on
///   the diagonal and a correlation off it;
/// - Diagonal: one SD per random effect;
/// - Isotropic: one SD shared by the term's random effects;
/// - CompSymm: one SD and one correlation shared by all pairs.
struct NaturalParameterMap: Sendable {
    /// What one natural parameter is.
    enum Kind: Sendable, Equatable {
        /// A standard deviation of random effect `row` of term `term`.
        case standardDeviation(term: Int, row: Int)
        /// The correlation of random effects `row` and `column` (row > column) of term `term`.
        case correlation(term: Int, row: Int, column: Int)
        /// The residual standard deviation σ.
        case residual
    }

    let parametrizations: [CovarianceParametrization]
    /// The natural parameters in order; σ is last.
    let kinds: [Kind]
    /// The first natural parameter of each term.
    let termOffsets: [Int]

    init(parametrizations: [CovarianceParametrization]) {
        self.parametrizations = parametrizations
        var kinds: [Kind] = []
        var offsets: [Int] = []
        for (k, parametrization) in parametrizations.enumerated() {
            offsets.append(kinds.count)
            let s = parametrization.size
            switch parametrization.pattern {
            case .fullCholesky, .full:
                for column in 0..<s {
                    kinds.append(.standardDeviation(term: k, row: column))
                    for row in (column + 1)..<max(s, column + 1) { kinds.append(.correlation(term: k, row: row, column: column)) }
                }
            case .diagonal:
                for row in 0..<s { kinds.append(.standardDeviation(term: k, row: row)) }
            case .isotropic:
                kinds.append(.standardDeviation(term: k, row: 0))
            case .compoundSymmetry:
                kinds.append(.standardDeviation(term: k, row: 0))
                kinds.append(.correlation(term: k, row: 1, column: 0))
            }
        }
        kinds.append(.residual)
        self.kinds = kinds
        self.termOffsets = offsets
    }

    /// The number of natural parameters, σ included.
    var count: Int { kinds.count }

    /// The covariance matrix Σ_k = σ² λ_k λ_kᵀ (column-major s × s).
    static func covariance(lambda: [Double], size s: Int, sigma: Double) -> [Double] {
        var covariance = [Double](repeating: 0, count: s * s)
        for column in 0..<s {
            for row in 0..<s {
                var sum = 0.0
                for inner in 0...min(row, column) { sum += lambda[inner * s + row] * lambda[inner * s + column] }
                covariance[column * s + row] = sigma * sigma * sum
            }
        }
        return covariance
    }

    /// The natural parameters at (λ, σ): SDs and correlations (NaN when an SD is 0), then σ.
    func natural(lambdas: [[Double]], sigma: Double) -> [Double] {
        kinds.map { kind in
            switch kind {
            case .residual:
                return sigma
            case .standardDeviation(let k, let row):
                let s = parametrizations[k].size
                let covariance = Self.covariance(lambda: lambdas[k], size: s, sigma: sigma)
                return covariance[row * s + row].squareRoot()
            case .correlation(let k, let row, let column):
                let s = parametrizations[k].size
                let covariance = Self.covariance(lambda: lambdas[k], size: s, sigma: sigma)
                let scale = (covariance[row * s + row] * covariance[column * s + column]).squareRoot()
                return scale > 0 ? max(-1, min(1, covariance[column * s + row] / scale)) : .nan
            }
        }
    }

    /// θ for the natural parameters `values` (σ last); `nil` when the implied correlation matrix
    /// is not positive semidefinite or a value is out of range.
    func theta(natural values: [Double]) -> [Double]? {
        guard values.count == count, let sigma = values.last, sigma > 0, sigma.isFinite else { return nil }
        var theta: [Double] = []
        for (k, parametrization) in parametrizations.enumerated() {
            let s = parametrization.size
            let offset = termOffsets[k]
            switch parametrization.pattern {
            case .fullCholesky, .full:
                var correlation = [Double](repeating: 0, count: s * s)
                var deviations = [Double](repeating: 0, count: s)
                var position = offset
                for column in 0..<s {
                    deviations[column] = values[position]
                    correlation[column * s + column] = 1
                    position += 1
                    for row in (column + 1)..<max(s, column + 1) {
                        correlation[column * s + row] = values[position]
                        correlation[row * s + column] = values[position]
                        position += 1
                    }
                }
                guard deviations.allSatisfy({ $0 >= 0 && $0.isFinite }),
                      let factor = Self.semidefiniteCholesky(correlation, size: s) else { return nil }
                for column in 0..<s {
                    for row in column..<s {
                        let value = deviations[row] * factor[column * s + row] / sigma
                        if parametrization.pattern == .full && row == column {
                            theta.append(log(max(value, Double.leastNormalMagnitude)))
                        } else {
                            theta.append(value)
                        }
                    }
                }
            case .diagonal:
                for row in 0..<s {
                    guard values[offset + row] >= 0 else { return nil }
                    theta.append(values[offset + row] / sigma)
                }
            case .isotropic:
                guard values[offset] >= 0 else { return nil }
                theta.append(values[offset] / sigma)
            case .compoundSymmetry:
                guard values[offset] >= 0 else { return nil }
                theta.append(values[offset] / sigma)
                theta.append(values[offset + 1])
            }
        }
        return theta
    }

    /// The lower Cholesky factor of a positive semidefinite matrix (zero pivots allowed, as for a
    /// correlation of ±1); `nil` if the matrix is not semidefinite.
    static func semidefiniteCholesky(_ matrix: [Double], size s: Int) -> [Double]? {
        var factor = [Double](repeating: 0, count: s * s)
        for column in 0..<s {
            var pivot = matrix[column * s + column]
            for inner in 0..<column { pivot -= factor[inner * s + column] * factor[inner * s + column] }
            if pivot < -1e-12 { return nil }
            let root = max(pivot, 0).squareRoot()
            factor[column * s + column] = root
            for row in (column + 1)..<max(s, column + 1) {
                var value = matrix[column * s + row]
                for inner in 0..<column { value -= factor[inner * s + row] * factor[inner * s + column] }
                if root > 1e-10 {
                    factor[column * s + row] = value / root
                } else if abs(value) > 1e-8 {
                    return nil
                }
            }
        }
        return factor
    }

    /// Lower and upper bounds of each natural parameter (SD ≥ 0, −1 ≤ correlation ≤ 1, σ > 0).
    var bounds: [(lower: Double, upper: Double)] {
        kinds.map { kind in
            switch kind {
            case .standardDeviation: return (0, .infinity)
            case .correlation(let k, _, _):
                if parametrizations[k].pattern == .compoundSymmetry {
                    return (-1 / Double(max(parametrizations[k].size - 1, 1)), 1)
                }
                return (-1, 1)
            case .residual: return (0, .infinity)
            }
        }
    }

    /// lme4's name of a natural parameter with `oldNames = FALSE`: `sd_(Intercept)|Subject`,
    /// `cor_Days.(Intercept)|Subject`, `sigma`.
    func name(of index: Int, terms: [RandomEffectsTerm]) -> String {
        switch kinds[index] {
        case .residual:
            return "sigma"
        case .standardDeviation(let k, let row):
            let term = terms[k]
            let label = parametrizations[k].pattern == .isotropic && term.columnCount > 1
                ? term.columnNames.joined(separator: ",") : term.columnNames[row]
            return "sd_\(label)|\(term.groupName)"
        case .correlation(let k, let row, let column):
            let term = terms[k]
            return "cor_\(term.columnNames[row]).\(term.columnNames[column])|\(term.groupName)"
        }
    }
}

extension ProfiledDeviance {
    /// The deviance at (θ, σ) without profiling σ out (β is still profiled: β̂(θ)):
    ///
    ///     ML:   log|L_Z|² + n log(2πσ²) + r²(θ)/σ² − Σ log wᵢ
    ///     REML: log|L_Z|² + log|L_X|² + (n − p) log(2πσ²) + r²(θ)/σ² − Σ log wᵢ
    ///
    /// `+infinity` where L cannot be formed.
    mutating func evaluate(theta: [Double], sigma: Double) -> Double {
        guard sigma > 0, sigma.isFinite, evaluate(theta).isFinite else { return .infinity }
        let parts = FactorSummary(factor)
        let degrees = method.residualDegrees(observations: observationCount, fixedEffects: factor.fixedCount)
        let variance = sigma * sigma
        let logDeterminant = parts.logDeterminantZ + (method == .reml ? parts.logDeterminantX : 0)
        let value = logDeterminant + degrees * log(2 * Double.pi * variance)
            + parts.penalizedResidualSquares / variance - sumLogWeights
        return value.isFinite ? value : .infinity
    }
}
