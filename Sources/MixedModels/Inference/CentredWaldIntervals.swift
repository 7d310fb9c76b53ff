import Distributions
import Foundation

extension FittedModel {
    /// Wald intervals of the covariance parameters in the units of the data for a model whose
    /// fit centres random-effects columns (``RandomEffectsTerm/columnCentres``).
    ///
    /// The intervals are formed in the fit's coordinates (well conditioned), as
    /// ``covarianceParameters(alpha:)`` forms them. The SDs and correlations a centring leaves
    /// unchanged (those of the other columns, σ, other terms) keep those intervals. The
    /// intercept's SD and its correlations are functions g of the free parameters η̃ there, so
    /// their intervals are g(η̃) ± z √(2 ∇gᵀ H̃⁻¹ ∇g) on the log / atanh scale (the delta method,
    /// ∇g by central differences with one Richardson step). g is computed without cancellation:
    /// the user's intercept row of λ is a₀ = λ̃₀ − Σ c_k λ̃_k, and 1 − ρ² of the intercept and
    /// column j comes from the exterior product a₀ ∧ λ̃_j = λ̃₀ ∧ λ̃_j − Σ_{k≠j} c_k λ̃_k ∧ λ̃_j, in
    /// which the large multiple of λ̃_j drops out exactly.
    func centredWaldIntervals(map: NaturalParameterMap, alpha: Double, hessian: [Double],
                              gradient: [Double]) -> [(lower: Double, upper: Double)] {
        var result = [(lower: Double, upper: Double)](repeating: (.nan, .nan), count: map.count)
        let workingValues = map.natural(lambdas: workingLambdas, sigma: sigma)
        guard alpha > 0, alpha < 1,
              let wald = waldCovariance(map: map, values: workingValues, hessian: hessian, gradient: gradient) else {
            return result
        }
        let critical = NormalDistribution.standardQuantile(1 - alpha / 2)
        let kinds = map.kinds
        let free = wald.free
        let n = free.count
        let terms = model.design.randomEffectsTerms
        let limits = { (kind: NaturalParameterMap.Kind, center: Double, variance: Double) in
            Self.waldLimits(kind, center: center, variance: variance, critical: critical)
        }
        // The user's transformed parameter `index` at free working coordinates `point`.
        let user = { (point: [Double], index: Int) -> Double in
            var natural = workingValues
            for (position, parameter) in free.enumerated() {
                switch kinds[parameter] {
                case .correlation: natural[parameter] = tanh(point[position])
                default: natural[parameter] = exp(point[position])
                }
            }
            guard let theta = map.theta(natural: natural), let sigma = natural.last else { return .nan }
            return Self.centredTransformedParameter(kinds[index], theta: theta, sigma: sigma, map: map, terms: terms)
        }
        for index in 0..<map.count {
            guard Self.dependsOnCentres(kinds[index], terms: terms) else {
                if let position = free.firstIndex(of: index) {
                    result[index] = limits(kinds[index], wald.center[position], 2 * wald.inverse[position * n + position])
                }
                continue
            }
            let value = user(wald.center, index)
            guard value.isFinite else { continue }
            var slope = [Double](repeating: 0, count: n)
            var point = wald.center
            for a in 0..<n {
                let difference = { (h: Double) -> Double in
                    point[a] = wald.center[a] + h
                    let plus = user(point, index)
                    point[a] = wald.center[a] - h
                    let minus = user(point, index)
                    point[a] = wald.center[a]
                    return (plus - minus) / (2 * h)
                }
                slope[a] = (4 * difference(5e-4) - difference(1e-3)) / 3
            }
            var variance = 0.0
            for a in 0..<n {
                for b in 0..<n { variance += slope[a] * wald.inverse[a * n + b] * slope[b] }
            }
            result[index] = limits(kinds[index], value, 2 * variance)
        }
        return result
    }

    /// Whether a natural parameter in the data's units differs from the fit's: the intercept's SD
    /// and correlations of a term with centred columns.
    static func dependsOnCentres(_ kind: NaturalParameterMap.Kind, terms: [RandomEffectsTerm]) -> Bool {
        switch kind {
        case .standardDeviation(let k, let row): return row == 0 && k < terms.count && terms[k].isCentred
        case .correlation(let k, _, let column): return column == 0 && k < terms.count && terms[k].isCentred
        case .residual: return false
        }
    }

    /// The user's log SD of the intercept, or atanh of its correlation with column j, of a term
    /// with centred columns, from θ in the fit's coordinates (see
    /// ``centredWaldIntervals(map:alpha:hessian:gradient:)``); NaN when it is not defined.
    static func centredTransformedParameter(_ kind: NaturalParameterMap.Kind, theta: [Double], sigma: Double,
                                            map: NaturalParameterMap, terms: [RandomEffectsTerm]) -> Double {
        let k: Int
        switch kind {
        case .standardDeviation(let term, _), .correlation(let term, _, _): k = term
        case .residual: return .nan
        }
        guard k < terms.count, k < map.parametrizations.count else { return .nan }
        let parametrization = map.parametrizations[k]
        let s = parametrization.size
        let centres = terms[k].columnCentres
        guard centres.count == s else { return .nan }
        let offset = map.parametrizations[..<k].reduce(0) { $0 + $1.parameterCount }
        guard offset + parametrization.parameterCount <= theta.count else { return .nan }
        var lambda = [Double](repeating: 0, count: s * s)
        parametrization.fillLambda(theta[offset..<(offset + parametrization.parameterCount)], into: &lambda)
        let row = { (i: Int) -> [Double] in (0..<s).map { lambda[$0 * s + i] } }
        var intercept = row(0)
        for c in 1..<s where centres[c] != 0 {
            let other = row(c)
            for m in 0..<s { intercept[m] -= centres[c] * other[m] }
        }
        let squaredNorm = { (v: [Double]) -> Double in v.reduce(0) { $0 + $1 * $1 } }
        let interceptSquares = squaredNorm(intercept)
        guard interceptSquares > 0 else { return .nan }
        switch kind {
        case .standardDeviation:
            return log(sigma) + 0.5 * log(interceptSquares)
        case .correlation(_, let j, _):
            let other = row(j)
            let otherSquares = squaredNorm(other)
            guard otherSquares > 0 else { return .nan }
            var dot = 0.0
            for m in 0..<s { dot += intercept[m] * other[m] }
            // (a₀ ∧ λ̃_j)_pq without the cancelling multiple of λ̃_j.
            let first = row(0)
            var wedgeSquares = 0.0
            for p in 0..<s {
                for q in (p + 1)..<max(s, p + 1) {
                    var w = first[p] * other[q] - first[q] * other[p]
                    for c in 1..<s where c != j && centres[c] != 0 {
                        let rowC = row(c)
                        w -= centres[c] * (rowC[p] * other[q] - rowC[q] * other[p])
                    }
                    wedgeSquares += w * w
                }
            }
            let oneMinusSquare = wedgeSquares / (interceptSquares * otherSquares)  // 1 − ρ²
            guard oneMinusSquare > 0 else { return .nan }
            let rho = (dot < 0 ? -1.0 : 1.0) * max(0, 1 - oneMinusSquare).squareRoot()
            // atanh ρ = ½ log((1 + ρ)/(1 − ρ)), with the small one of 1 ± ρ as (1 − ρ²)/(1 ∓ ρ).
            return rho < 0 ? 0.5 * log(oneMinusSquare / ((1 - rho) * (1 - rho)))
                : 0.5 * log((1 + rho) * (1 + rho) / oneMinusSquare)
        case .residual:
            return .nan
        }
    }
}
