import Distributions
import Foundation

/// One row of the covariance-parameter table (MATLAB's `covarianceParameters` statistics):
/// a standard deviation or a correlation of random effects, or the residual standard deviation.
public struct CovarianceParameterRow: Sendable, Equatable, Codable {
    /// The grouping factor, or `Error` for the residual.
    public let group: String
    /// The (first) random effect, or `Res Std` for the residual.
    public let name1: String
    /// The second random effect (equal to ``name1`` for a standard deviation; empty for the residual).
    public let name2: String
    /// `std` or `corr`.
    public let type: String
    /// The estimate, in data units.
    public let estimate: Double
    /// Lower limit of the Wald interval (NaN when it cannot be formed, e.g. a zero SD).
    public let lower: Double
    /// Upper limit of the Wald interval.
    public let upper: Double

    /// Creates a row.
    public init(group: String, name1: String, name2: String, type: String, estimate: Double, lower: Double, upper: Double) {
        self.group = group
        self.name1 = name1
        self.name2 = name2
        self.type = type
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
    }
}

extension FittedModel {
    /// The covariance parameters with 100(1 − α)% Wald confidence intervals, as MATLAB's
    /// `covarianceParameters`: per random-effects term the lower triangle of its covariance
    /// matrix column by column (`std` on the diagonal, `corr` off it; Diagonal and Isotropic
    /// terms list only `std` rows), then the residual row (`Error`, `Res Std`).
    ///
    /// The intervals are formed on the natural scale (log SD, Fisher's z = atanh for
    /// correlations, log σ) from the covariance 2 H⁻¹, H the numerical Hessian of the deviance
    /// (−2 log L; the REML criterion for REML fits, with β profiled out) in those parameters at the
    /// estimates, and mapped back (MATLAB's method; nlme's `intervals`). Parameters on the boundary
    /// (a zero SD, a correlation of ±1 or one involving a zero SD) get NaN limits and are held
    /// fixed for the others' intervals.
    public func covarianceParameters(alpha: Double = 0.05) -> [CovarianceParameterRow] {
        let map = NaturalParameterMap(parametrizations: model.parametrizations)
        let values = map.natural(lambdas: lambdas, sigma: sigma)
        let intervals = waldIntervals(map: map, values: values, alpha: alpha)
        return covarianceRows(map: map) { index in intervals[index] }
    }

    /// The covariance-parameter rows without intervals (`lower` and `upper` are NaN): cheaper
    /// than ``covarianceParameters(alpha:)`` when only the estimates are needed.
    public func covarianceParameterEstimates() -> [CovarianceParameterRow] {
        let map = NaturalParameterMap(parametrizations: model.parametrizations)
        return covarianceRows(map: map) { _ in (.nan, .nan) }
    }

    /// The rows in MATLAB's order; `interval(i)` gives the limits of natural parameter i.
    private func covarianceRows(map: NaturalParameterMap,
                                interval: (Int) -> (lower: Double, upper: Double)) -> [CovarianceParameterRow] {
        var rows: [CovarianceParameterRow] = []
        for (k, term) in model.design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            let covariance = NaturalParameterMap.covariance(lambda: lambdas[k], size: s, sigma: sigma)
            let pattern = term.covariancePattern
            let diagonalOnly = pattern == .diagonal || pattern == .isotropic
            let offset = map.termOffsets[k]
            for column in 0..<s {
                for row in column..<s where row == column || !diagonalOnly {
                    let index: Int
                    switch pattern {
                    case .fullCholesky, .full:
                        index = offset + Self.lowerTriangleIndex(row: row, column: column, size: s)
                    case .diagonal: index = offset + row
                    case .isotropic: index = offset
                    case .compoundSymmetry: index = offset + (row == column ? 0 : 1)
                    }
                    let limits = interval(index)
                    if row == column {
                        rows.append(CovarianceParameterRow(group: term.groupName, name1: term.columnNames[row],
                                                           name2: term.columnNames[row], type: "std",
                                                           estimate: covariance[row * s + row].squareRoot(),
                                                           lower: limits.lower, upper: limits.upper))
                    } else {
                        let scale = (covariance[row * s + row] * covariance[column * s + column]).squareRoot()
                        let correlation = scale > 0 ? max(-1, min(1, covariance[column * s + row] / scale)) : .nan
                        rows.append(CovarianceParameterRow(group: term.groupName, name1: term.columnNames[row],
                                                           name2: term.columnNames[column], type: "corr",
                                                           estimate: correlation, lower: limits.lower, upper: limits.upper))
                    }
                }
            }
        }
        let residual = interval(map.count - 1)
        rows.append(CovarianceParameterRow(group: "Error", name1: "Res Std", name2: "", type: "std", estimate: sigma,
                                           lower: residual.lower, upper: residual.upper))
        return rows
    }

    /// The position of (row, column) in a column-major lower triangle of size s.
    static func lowerTriangleIndex(row: Int, column: Int, size s: Int) -> Int {
        column * s - column * (column - 1) / 2 + (row - column)
    }

    // MARK: - Wald intervals on the natural scale

    /// Wald limits per natural parameter (NaN for boundary parameters or a singular Hessian).
    func waldIntervals(map: NaturalParameterMap, values: [Double],
                       alpha: Double) -> [(lower: Double, upper: Double)] {
        let count = map.count
        var result = [(lower: Double, upper: Double)](repeating: (.nan, .nan), count: count)
        guard alpha > 0, alpha < 1 else { return result }
        // Transformed values; boundary parameters are held fixed.
        var transformed = [Double](repeating: .nan, count: count)
        var free: [Int] = []
        for index in 0..<count {
            let value = values[index]
            switch map.kinds[index] {
            case .standardDeviation, .residual:
                if value.isFinite && value > 1e-7 * sigma {
                    transformed[index] = log(value)
                    free.append(index)
                }
            case .correlation(let k, let row, let column):
                let deviations = [row, column].map { values[Self.standardDeviationIndex(map: map, term: k, row: $0)] }
                if value.isFinite && abs(value) < 1 - 1e-7 && deviations.allSatisfy({ $0 > 1e-7 * sigma }) {
                    transformed[index] = atanh(value)
                    free.append(index)
                }
            }
        }
        guard !free.isEmpty else { return result }
        var deviance = model.makeDeviance(method: method)
        let kinds = map.kinds
        let evaluate: ([Double]) -> Double = { point in
            var natural = values
            for (position, index) in free.enumerated() {
                switch kinds[index] {
                case .correlation: natural[index] = tanh(point[position])
                default: natural[index] = exp(point[position])
                }
            }
            guard let theta = map.theta(natural: natural), let sigma = natural.last else { return .nan }
            return deviance.evaluate(theta: theta, sigma: sigma)
        }
        let center = free.map { transformed[$0] }
        guard let hessian = Self.numericalHessian(evaluate, at: center),
              let inverse = Self.symmetricInverse(hessian, size: free.count) else { return result }
        let critical = NormalDistribution.standardQuantile(1 - alpha / 2)
        for (position, index) in free.enumerated() {
            let variance = 2 * inverse[position * free.count + position]
            guard variance > 0, variance.isFinite else { continue }
            let half = critical * variance.squareRoot()
            let low = center[position] - half
            let high = center[position] + half
            switch map.kinds[index] {
            case .correlation: result[index] = (tanh(low), tanh(high))
            default: result[index] = (exp(low), exp(high))
            }
        }
        return result
    }

    /// The natural-parameter index of the SD of random effect `row` of term `k`.
    static func standardDeviationIndex(map: NaturalParameterMap, term k: Int, row: Int) -> Int {
        let offset = map.termOffsets[k]
        let parametrization = map.parametrizations[k]
        switch parametrization.pattern {
        case .fullCholesky, .full:
            return offset + lowerTriangleIndex(row: row, column: row, size: parametrization.size)
        case .diagonal: return offset + row
        case .isotropic, .compoundSymmetry: return offset
        }
    }

    /// The Hessian of f at x by central differences with one Richardson extrapolation
    /// (steps 2h and h, h = 5·10⁻⁴ on the log/atanh scale); `nil` if f is not finite nearby.
    static func numericalHessian(_ f: ([Double]) -> Double, at x: [Double]) -> [Double]? {
        let n = x.count
        let f0 = f(x)
        guard f0.isFinite else { return nil }
        func estimate(step h: Double) -> [Double]? {
            var hessian = [Double](repeating: 0, count: n * n)
            var point = x
            for i in 0..<n {
                point[i] = x[i] + h
                let plus = f(point)
                point[i] = x[i] - h
                let minus = f(point)
                point[i] = x[i]
                guard plus.isFinite, minus.isFinite else { return nil }
                hessian[i * n + i] = (plus - 2 * f0 + minus) / (h * h)
                for j in 0..<i {
                    var values = [Double]()
                    for (si, sj) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
                        point[i] = x[i] + si * h
                        point[j] = x[j] + sj * h
                        values.append(f(point))
                    }
                    point[i] = x[i]
                    point[j] = x[j]
                    guard values.allSatisfy(\.isFinite) else { return nil }
                    let value = (values[0] - values[1] - values[2] + values[3]) / (4 * h * h)
                    hessian[i * n + j] = value
                    hessian[j * n + i] = value
                }
            }
            return hessian
        }
        let h = 5e-4
        guard let coarse = estimate(step: 2 * h), let fine = estimate(step: h) else { return nil }
        return zip(coarse, fine).map { (4 * $1 - $0) / 3 }
    }

    /// The inverse of a symmetric positive definite matrix (row-major), or `nil` if it is not
    /// positive definite.
    static func symmetricInverse(_ matrix: [Double], size n: Int) -> [Double]? {
        var factor = [Double](repeating: 0, count: n * n)  // lower, row-major
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
        var inverse = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            var vector = [Double](repeating: 0, count: n)
            vector[column] = 1
            for i in 0..<n {
                var value = vector[i]
                for k in 0..<i { value -= factor[i * n + k] * vector[k] }
                vector[i] = value / factor[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var value = vector[i]
                for k in (i + 1)..<max(n, i + 1) { value -= factor[k * n + i] * vector[k] }
                vector[i] = value / factor[i * n + i]
            }
            for i in 0..<n { inverse[i * n + column] = vector[i] }
        }
        return inverse
    }
}
