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
    /// correlations, log σ) from the covariance 2 H⁻¹, H the Hessian of the deviance
    /// (−2 log L; the REML criterion for REML fits, with β profiled out) in those parameters at the
    /// estimates, and mapped back (MATLAB's method; nlme's `intervals`). Parameters on the boundary
    /// (a zero SD, a correlation of ±1 or one involving a zero SD) get NaN limits and are held
    /// fixed for the others' intervals.
    ///
    /// H is the Hessian in (θ, σ) of ``VarianceParameterDerivatives`` carried to the natural scale
    /// by the chain rule (the map from natural parameters to (θ, σ) costs no evaluations). For a
    /// term whose columns the fit centres (``RandomEffectsTerm/columnCentres``), the intervals of
    /// its intercept's SD and correlations are carried from the fit's coordinates to the data's by
    /// the delta method (``centredWaldIntervals(map:alpha:hessian:gradient:)``).
    /// - Complexity: k² + k evaluations of the profiled deviance for k covariance parameters θ
    ///   (12 for k = 3); none with ``covarianceParameters(alpha:using:)`` when Satterthwaite's
    ///   approximation has been computed anyway.
    public func covarianceParameters(alpha: Double = 0.05) -> [CovarianceParameterRow] {
        let derivatives = VarianceParameterDerivatives(fit: self, precision: .waldIntervals)
        return covarianceParameters(alpha: alpha, hessian: derivatives.devianceHessian(),
                                    gradient: derivatives.devianceGradient())
    }

    /// The covariance parameters with Wald intervals (see ``covarianceParameters(alpha:)``) from
    /// the Hessian of the deviance in (θ, σ) that Satterthwaite's approximation already holds: no
    /// further evaluations of the deviance.
    public func covarianceParameters(alpha: Double = 0.05,
                                     using approximation: SatterthwaiteApproximation) -> [CovarianceParameterRow] {
        covarianceParameters(alpha: alpha, hessian: approximation.hessian, gradient: approximation.gradient)
    }

    /// The rows with intervals from the Hessian and gradient of the deviance in φ = (θ, σ).
    func covarianceParameters(alpha: Double, hessian: [Double], gradient: [Double]) -> [CovarianceParameterRow] {
        let map = NaturalParameterMap(parametrizations: model.parametrizations)
        guard !model.hasCentredTerms else {
            let intervals = centredWaldIntervals(map: map, alpha: alpha, hessian: hessian, gradient: gradient)
            return covarianceRows(map: map) { index in intervals[index] }
        }
        let values = map.natural(lambdas: lambdas, sigma: sigma)
        let intervals = waldIntervals(map: map, values: values, alpha: alpha, hessian: hessian, gradient: gradient)
        return covarianceRows(map: map) { index in intervals[index] }
    }

    /// The covariance-parameter rows without intervals (`lower` and `upper` are NaN): cheaper
    /// than ``covarianceParameters(alpha:)`` when only the estimates are needed.
    public func covarianceParameterEstimates() -> [CovarianceParameterRow] {
        let map = NaturalParameterMap(parametrizations: model.parametrizations)
        return covarianceRows(map: map) { _ in (.nan, .nan) }
    }

    /// The rows in MATLAB's order; `interval(i)` gives the limits of natural parameter i.
    func covarianceRows(map: NaturalParameterMap,
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

    /// Wald limits per natural parameter (NaN for boundary parameters or a singular Hessian),
    /// from the Hessian and gradient of the deviance in φ = (θ, σ) at the estimates.
    func waldIntervals(map: NaturalParameterMap, values: [Double], alpha: Double,
                       hessian: [Double], gradient: [Double]) -> [(lower: Double, upper: Double)] {
        var result = [(lower: Double, upper: Double)](repeating: (.nan, .nan), count: map.count)
        guard alpha > 0, alpha < 1,
              let wald = waldCovariance(map: map, values: values, hessian: hessian, gradient: gradient) else { return result }
        let critical = NormalDistribution.standardQuantile(1 - alpha / 2)
        for (position, index) in wald.free.enumerated() {
            result[index] = Self.waldLimits(map.kinds[index], center: wald.center[position],
                                            variance: 2 * wald.inverse[position * wald.free.count + position],
                                            critical: critical)
        }
        return result
    }

    /// center ± critical · √variance on the transformed scale, mapped back (tanh for a
    /// correlation, exp otherwise); NaN limits when the variance is not positive and finite.
    static func waldLimits(_ kind: NaturalParameterMap.Kind, center: Double, variance: Double,
                           critical: Double) -> (lower: Double, upper: Double) {
        guard variance > 0, variance.isFinite, center.isFinite else { return (.nan, .nan) }
        let half = critical * variance.squareRoot()
        switch kind {
        case .correlation: return (tanh(center - half), tanh(center + half))
        default: return (exp(center - half), exp(center + half))
        }
    }

    /// The free natural parameters (those not on a boundary), their values on the transformed
    /// scale (log SD, atanh correlation, log σ) and H⁻¹ there (row-major; the covariance is 2 H⁻¹),
    /// from the Hessian and gradient of the deviance in φ = (θ, σ) at `values`; `nil` when
    /// nothing is free or H is not positive definite.
    func waldCovariance(map: NaturalParameterMap, values: [Double], hessian: [Double],
                        gradient: [Double]) -> (free: [Int], center: [Double], inverse: [Double])? {
        let count = map.count
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
        guard !free.isEmpty else { return nil }
        let kinds = map.kinds
        // φ = (θ, σ) as a function of the free transformed natural parameters.
        let parameters: ([Double]) -> [Double]? = { point in
            var natural = values
            for (position, index) in free.enumerated() {
                switch kinds[index] {
                case .correlation: natural[index] = tanh(point[position])
                default: natural[index] = exp(point[position])
                }
            }
            guard let theta = map.theta(natural: natural), let sigma = natural.last else { return nil }
            return theta + [sigma]
        }
        let center = free.map { transformed[$0] }
        guard let transformedHessian = Self.chainRuleHessian(parameters, at: center, hessian: hessian, gradient: gradient),
              let inverse = Self.symmetricInverse(transformedHessian, size: free.count) else { return nil }
        return (free, center, inverse)
    }

    /// The Hessian at x of D(φ(x)) from the Hessian H and gradient g of D at φ(x) (the chain
    /// rule: JᵀHJ + Σᵤ gᵤ ∇²φᵤ), with the Jacobian J and the second derivatives of the cheap map φ
    /// by central differences with one Richardson step (steps 10⁻³ and 5·10⁻⁴). `nil` if φ cannot
    /// be evaluated nearby or H and g do not match φ's length.
    static func chainRuleHessian(_ phi: ([Double]) -> [Double]?, at x: [Double], hessian: [Double],
                                 gradient: [Double]) -> [Double]? {
        let n = x.count
        guard let center = phi(x) else { return nil }
        let m = center.count
        guard hessian.count == m * m, gradient.count == m, hessian.allSatisfy(\.isFinite),
              gradient.allSatisfy(\.isFinite) else { return nil }
        // first[a][u] = ∂φᵤ/∂xₐ; second[a * n + b][u] = ∂²φᵤ/∂xₐ∂x_b.
        func differences(step h: Double) -> (first: [[Double]], second: [[Double]])? {
            var first = [[Double]](repeating: [], count: n)
            var second = [[Double]](repeating: [], count: n * n)
            var point = x
            for a in 0..<n {
                point[a] = x[a] + h
                guard let plus = phi(point) else { return nil }
                point[a] = x[a] - h
                guard let minus = phi(point) else { return nil }
                point[a] = x[a]
                first[a] = (0..<m).map { (plus[$0] - minus[$0]) / (2 * h) }
                second[a * n + a] = (0..<m).map { (plus[$0] - 2 * center[$0] + minus[$0]) / (h * h) }
                for b in 0..<a {
                    var corners: [[Double]] = []
                    for (sa, sb) in [(1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0)] {
                        point[a] = x[a] + sa * h
                        point[b] = x[b] + sb * h
                        guard let value = phi(point) else { return nil }
                        corners.append(value)
                    }
                    point[a] = x[a]
                    point[b] = x[b]
                    let mixed = (0..<m).map { (corners[0][$0] - corners[1][$0] - corners[2][$0] + corners[3][$0]) / (4 * h * h) }
                    second[a * n + b] = mixed
                    second[b * n + a] = mixed
                }
            }
            return (first, second)
        }
        let h = 1e-3
        guard let coarse = differences(step: h), let fine = differences(step: h / 2) else { return nil }
        let first = zip(coarse.first, fine.first).map { zip($0, $1).map { (4 * $1 - $0) / 3 } }
        let second = zip(coarse.second, fine.second).map { zip($0, $1).map { (4 * $1 - $0) / 3 } }
        var result = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in 0...a {
                var value = 0.0
                for u in 0..<m {
                    value += gradient[u] * second[a * n + b][u]
                    for v in 0..<m { value += first[a][u] * hessian[u * m + v] * first[b][v] }
                }
                result[a * n + b] = value
                result[b * n + a] = value
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

    /// The inverse of a symmetric positive definite matrix (row-major), or `nil` if it is not
    /// positive definite.
    static func symmetricInverse(_ matrix: [Double], size n: Int) -> [Double]? {
        guard let factor = SmallCholesky.lower(matrix, size: n) else { return nil }
        var inverse = [Double](repeating: 0, count: n * n)
        for column in 0..<n {
            var unit = [Double](repeating: 0, count: n)
            unit[column] = 1
            let vector = SmallCholesky.solve(lower: factor, size: n, unit)
            for i in 0..<n { inverse[i * n + column] = vector[i] }
        }
        return inverse
    }
}
