import Foundation

/// What Satterthwaite's approximation needs, computed once per fit as lmerTest does
/// (Kuznetsova, Brockhoff & Christensen 2017, J. Stat. Softw. 82(13), §3 and appendix):
///
/// - the variance parameters φ = (θ, σ) at the optimum;
/// - A = 2 H⁺, the asymptotic covariance of φ̂, where H is the Hessian in φ of the deviance
///
///       ML:    D(θ, σ) = log|L_Z|² + r²(θ)/σ² + n log(2πσ²)
///       REML:  D(θ, σ) = log|L_Z|² + log|L_X|² + r²(θ)/σ² + (n − p) log(2πσ²)
///
///   (β profiled, σ explicit: lmerTest's `devfun_vp`), and H⁺ its Moore–Penrose inverse over the
///   eigenvalues above 1e-8 (lmerTest's rule, which keeps boundary fits finite);
/// - the Jacobian of Var(β̂) = C(φ) = σ² (L_XX L_XXᵀ)⁻¹(θ) with respect to φ.
///
/// Then a contrast l has Var(lᵀβ̂) = lᵀ C l, gradient gᵢ = lᵀ (∂C/∂φᵢ) l and
/// df = 2 (lᵀ C l)² / (gᵀ A g). Derivatives in σ are analytic; derivatives in θ are central
/// differences with Richardson extrapolation (four step sizes, halving, from 10% of |θᵢ| or
/// 1e-4 at 0, as numDeriv's defaults), so the result agrees with lmerTest to its own accuracy
/// (about 1e-6 relative).
public struct SatterthwaiteApproximation: Sendable, Equatable, Codable {
    /// φ̂ = (θ̂, σ̂).
    public let varianceParameters: [Double]
    /// The Hessian H of the deviance in φ at φ̂, row-major (k+1) × (k+1).
    public let hessian: [Double]
    /// A = 2 H⁺, the asymptotic covariance of φ̂, row-major (k+1) × (k+1).
    public let varianceParameterCovariance: [Double]
    /// Var(β̂) = C(φ̂), row-major p × p.
    public let fixedEffectsCovariance: [Double]
    /// ∂C/∂φᵢ for each variance parameter (θ₁ … θ_k, then σ), each row-major p × p.
    public let covarianceJacobian: [[Double]]
    /// p, the number of fixed-effects coefficients.
    public let fixedEffectCount: Int

    /// Satterthwaite's degrees of freedom for the single contrast lᵀβ (lmerTest's `contest1D`).
    /// Returns `nan` when l has the wrong length or lᵀ C l = 0.
    public func degreesOfFreedom(contrast l: [Double]) -> Double {
        guard l.count == fixedEffectCount else { return .nan }
        let variance = Self.quadraticForm(l, fixedEffectsCovariance)
        let gradient = covarianceJacobian.map { Self.quadraticForm(l, $0) }
        return Self.degreesOfFreedom(variance: variance, gradient: gradient, covariance: varianceParameterCovariance)
    }

    /// The denominator degrees of freedom of the F test of Lβ = 0 for a multi-row L (lmerTest's
    /// `contestMD`): with L C Lᵀ = P diag(d) Pᵀ (eigenvalues d above √ε·d₁ kept, q of them), each
    /// row of PᵀL gets its own Satterthwaite νₘ, and the F statistic's df are
    /// 2E/(E − q) with E = Σ νₘ/(νₘ − 2); 2 when some νₘ ≤ 2; their mean when all are equal
    /// (within 1e-8); ν₁ when q = 1. Returns `nan` for an empty or zero L, or rows of the wrong length.
    public func degreesOfFreedom(hypothesis rows: [[Double]]) -> Double {
        guard !rows.isEmpty, rows.allSatisfy({ $0.count == fixedEffectCount }) else { return .nan }
        let (covariance, jacobian) = contrastCovariance(rows)
        let test = WaldFTest(difference: [Double](repeating: 0, count: rows.count), covariance: covariance,
                             jacobian: jacobian, parameterCovariance: varianceParameterCovariance)
        return test?.satterthwaiteDegreesOfFreedom ?? .nan
    }

    /// L C Lᵀ and L (∂C/∂φᵢ) Lᵀ, row-major m × m.
    func contrastCovariance(_ rows: [[Double]]) -> (covariance: [Double], jacobian: [[Double]]) {
        let covariance = Self.congruence(rows, fixedEffectsCovariance, size: fixedEffectCount)
        let jacobian = covarianceJacobian.map { Self.congruence(rows, $0, size: fixedEffectCount) }
        return (covariance, jacobian)
    }

    /// L M Lᵀ for the rows of L and a row-major p × p matrix M.
    static func congruence(_ rows: [[Double]], _ matrix: [Double], size p: Int) -> [Double] {
        let m = rows.count
        let products = rows.map { multiply(matrix, $0, size: p) }
        var result = [Double](repeating: 0, count: m * m)
        for a in 0..<m {
            for b in 0..<m { result[a * m + b] = dot(rows[a], products[b]) }
        }
        return result
    }

    /// lmerTest's `get_Fstat_ddf`: the df of an F statistic from the per-direction df νₘ.
    static func combine(_ nus: [Double]) -> Double {
        guard let first = nus.first else { return .nan }
        if nus.count == 1 { return first }
        if zip(nus, nus.dropFirst()).allSatisfy({ abs($1 - $0) < 1e-8 }) {
            return nus.reduce(0, +) / Double(nus.count)
        }
        if nus.contains(where: { $0 <= 2 }) { return 2 }
        let e = nus.reduce(0) { $0 + $1 / ($1 - 2) }
        return 2 * e / (e - Double(nus.count))
    }

    /// 2 V² / (gᵀ A g).
    static func degreesOfFreedom(variance: Double, gradient: [Double], covariance: [Double]) -> Double {
        let denominator = quadraticForm(gradient, covariance)
        return 2 * variance * variance / denominator
    }

    static func quadraticForm(_ x: [Double], _ matrix: [Double]) -> Double {
        dot(x, multiply(matrix, x, size: x.count))
    }

    static func multiply(_ matrix: [Double], _ x: [Double], size: Int) -> [Double] {
        (0..<size).map { row in
            var sum = 0.0
            for column in 0..<size { sum += matrix[row * size + column] * x[column] }
            return sum
        }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for index in a.indices { sum += a[index] * b[index] }
        return sum
    }
}

extension FittedModel {
    /// The ingredients of Satterthwaite's approximation (the Hessian of the deviance in (θ, σ)
    /// and the Jacobian of Var(β̂)); computing it costs k(k+1)·4 refactorisations of L for k
    /// covariance parameters. Compute it once and reuse it for many contrasts.
    public func satterthwaiteApproximation() -> SatterthwaiteApproximation {
        let derivatives = VarianceParameterDerivatives(fit: self)
        let p = fixedEffectCount
        let k = theta.count
        let parameterCount = k + 1
        // The Hessian of D(θ, σ) = a(θ) + r²(θ)/σ² + m log(2πσ²) at (θ̂, σ̂).
        let sigma2 = sigma * sigma
        let m = Double(method == .ml ? observationCount : observationCount - p)
        let r2 = derivatives.centerResidualSquares
        var hessian = [Double](repeating: 0, count: parameterCount * parameterCount)
        for i in 0..<k {
            for j in 0..<k { hessian[i * parameterCount + j] = derivatives.objectiveHessian[i * k + j] }
            let mixed = -2 * derivatives.residualSquaresGradient[i] / (sigma2 * sigma)
            hessian[i * parameterCount + k] = mixed
            hessian[k * parameterCount + i] = mixed
        }
        hessian[k * parameterCount + k] = 6 * r2 / (sigma2 * sigma2) - 2 * m / sigma2
        let covariance = Self.pseudoInverse(hessian, size: parameterCount, tolerance: 1e-8).map { 2 * $0 }

        var jacobian: [[Double]] = derivatives.inverseCrossProductGradient.map { gradient in gradient.map { sigma2 * $0 } }
        jacobian.append(derivatives.centerInverseCrossProduct.map { 2 * sigma * $0 })
        return SatterthwaiteApproximation(varianceParameters: theta + [sigma], hessian: hessian,
                                          varianceParameterCovariance: covariance,
                                          fixedEffectsCovariance: fixedEffectsCovariance,
                                          covarianceJacobian: jacobian, fixedEffectCount: p)
    }

    /// Satterthwaite's denominator degrees of freedom for the contrast lᵀβ (one row), as
    /// lmerTest's `contest1D`. Boundary fits (θ on the bound) give finite df: lmerTest's
    /// pseudo-inverse of the Hessian drops its zero eigenvalues. `nan` if `contrast` does not
    /// have p entries or is zero.
    public func satterthwaiteDegreesOfFreedom(contrast: [Double]) -> Double {
        satterthwaiteApproximation().degreesOfFreedom(contrast: contrast)
    }

    /// Satterthwaite's denominator degrees of freedom for the F test of Lβ = c with the rows of
    /// L given (lmerTest's `contestMD`; see ``SatterthwaiteApproximation/degreesOfFreedom(hypothesis:)``).
    public func satterthwaiteDegreesOfFreedom(hypothesis rows: [[Double]]) -> Double {
        satterthwaiteApproximation().degreesOfFreedom(hypothesis: rows)
    }

    /// The Moore–Penrose inverse of a symmetric matrix over its eigenvalues above `tolerance`.
    static func pseudoInverse(_ matrix: [Double], size: Int, tolerance: Double) -> [Double] {
        let eigen = SymmetricEigenDecomposition(matrix, size: size)
        var inverse = [Double](repeating: 0, count: size * size)
        for (value, vector) in zip(eigen.values, eigen.vectors) where value > tolerance {
            for row in 0..<size {
                for column in 0..<size { inverse[row * size + column] += vector[row] * vector[column] / value }
            }
        }
        return inverse
    }
}

/// Numerical derivatives in θ of the pieces of the deviance and of (L_XX L_XXᵀ)⁻¹ at θ̂, by
/// central differences with Richardson extrapolation. σ is held at σ̂ for the Hessian of
/// a(θ) + r²(θ)/σ̂² (the θθ block of the deviance's Hessian).
struct VarianceParameterDerivatives {
    /// ∂²/∂θᵢ∂θⱼ [a(θ) + r²(θ)/σ̂²], row-major k × k.
    let objectiveHessian: [Double]
    /// ∂r²/∂θᵢ.
    let residualSquaresGradient: [Double]
    /// r²(θ̂).
    let centerResidualSquares: Double
    /// (L_XX L_XXᵀ)⁻¹ at θ̂, row-major p × p.
    let centerInverseCrossProduct: [Double]
    /// ∂(L_XX L_XXᵀ)⁻¹/∂θᵢ, each row-major p × p.
    let inverseCrossProductGradient: [[Double]]

    /// Richardson levels and the step-size rule (numDeriv's defaults).
    static let levels = 4
    static let relativeStep = 0.1
    static let zeroStep = 1e-4
    static let zeroTolerance = (Double.ulpOfOne / 7e-7).squareRoot()

    init(fit: FittedModel) {
        let theta = fit.theta
        let k = theta.count
        let p = fit.fixedEffectCount
        let sigma2 = fit.sigma * fit.sigma
        var deviance = fit.model.makeDeviance(method: fit.method)
        let method = fit.method
        let steps = Self.steps(for: theta, parametrizations: fit.model.parametrizations)

        // The vector function evaluated at each stencil point: [a + r²/σ², r², M (p×p)].
        func evaluate(_ point: [Double]) -> [Double] {
            guard deviance.evaluate(point).isFinite else {
                return [Double](repeating: .nan, count: 2 + p * p)
            }
            let factor = deviance.factor
            let parts = FactorSummary(factor)
            let a = parts.logDeterminantZ + (method == .reml ? parts.logDeterminantX : 0)
            let r2 = parts.penalizedResidualSquares
            return [a + r2 / sigma2, r2] + Self.inverseCrossProduct(factor)
        }
        let center = evaluate(theta)
        let width = center.count
        var first = [[Double]](repeating: [Double](repeating: 0, count: width), count: k)
        var second = [[Double]](repeating: [Double](repeating: 0, count: width), count: k)
        for i in 0..<k {
            var firstEstimates: [[Double]] = []
            var secondEstimates: [[Double]] = []
            for level in 0..<Self.levels {
                let h = steps[i] / Double(1 << level)
                var plus = theta
                plus[i] += h
                var minus = theta
                minus[i] -= h
                let up = evaluate(plus)
                let down = evaluate(minus)
                firstEstimates.append((0..<width).map { (up[$0] - down[$0]) / (2 * h) })
                secondEstimates.append((0..<width).map { (up[$0] - 2 * center[$0] + down[$0]) / (h * h) })
            }
            first[i] = Self.extrapolate(firstEstimates)
            second[i] = Self.extrapolate(secondEstimates)
        }
        var hessian = [Double](repeating: 0, count: k * k)
        for i in 0..<k { hessian[i * k + i] = second[i][0] }
        for i in 0..<k {
            for j in (i + 1)..<max(k, i + 1) {
                var estimates: [[Double]] = []
                for level in 0..<Self.levels {
                    let hi = steps[i] / Double(1 << level)
                    let hj = steps[j] / Double(1 << level)
                    var plus = theta
                    plus[i] += hi
                    plus[j] += hj
                    var minus = theta
                    minus[i] -= hi
                    minus[j] -= hj
                    let up = evaluate(plus)[0]
                    let down = evaluate(minus)[0]
                    let pure = hi * hi * hessian[i * k + i] + hj * hj * hessian[j * k + j]
                    estimates.append([(up - 2 * center[0] + down - pure) / (2 * hi * hj)])
                }
                let value = Self.extrapolate(estimates)[0]
                hessian[i * k + j] = value
                hessian[j * k + i] = value
            }
        }
        self.objectiveHessian = hessian
        self.residualSquaresGradient = first.map { $0[1] }
        self.centerResidualSquares = center[1]
        self.centerInverseCrossProduct = Array(center[2...])
        self.inverseCrossProductGradient = first.map { Array($0[2...]) }
    }

    /// Richardson-extrapolated central first derivatives in θ, at θ̂, of a matrix-valued function
    /// of the refreshed factor (one result per θᵢ, each of the function's length).
    static func firstDerivatives(fit: FittedModel, _ function: (BlockedCholeskyFactor) -> [Double]) -> [[Double]] {
        let theta = fit.theta
        var deviance = fit.model.makeDeviance(method: fit.method)
        let steps = Self.steps(for: theta, parametrizations: fit.model.parametrizations)
        var result: [[Double]] = []
        for i in theta.indices {
            var estimates: [[Double]] = []
            for level in 0..<Self.levels {
                let h = steps[i] / Double(1 << level)
                var plus = theta
                plus[i] += h
                var minus = theta
                minus[i] -= h
                let upValid = deviance.evaluate(plus).isFinite
                let up = function(deviance.factor)
                let downValid = deviance.evaluate(minus).isFinite
                let down = function(deviance.factor)
                estimates.append(zip(up, down).map { upValid && downValid ? ($0 - $1) / (2 * h) : .nan })
            }
            result.append(Self.extrapolate(estimates))
        }
        return result
    }

    /// The initial step for each θᵢ: 10% of |θᵢ|, or 1e-4 at (or very near) 0, kept within half
    /// the distance to the bounds of a compound-symmetry correlation (the only parameter whose
    /// bound is not a sign symmetry of Λ).
    static func steps(for theta: [Double], parametrizations: [CovarianceParametrization]) -> [Double] {
        var steps = theta.map { abs($0) < zeroTolerance ? zeroStep : relativeStep * abs($0) }
        var offset = 0
        for parametrization in parametrizations {
            if parametrization.pattern == .compoundSymmetry {
                let index = offset + 1
                let lower = parametrization.lowerBounds[1]
                let upper = parametrization.upperBounds[1]
                let room = min(theta[index] - lower, upper - theta[index])
                if room > 0 { steps[index] = min(steps[index], room / 2) }
            }
            offset += parametrization.parameterCount
        }
        return steps
    }

    /// Richardson extrapolation of estimates at steps h, h/2, h/4, … whose errors are series in
    /// even powers of h.
    static func extrapolate(_ estimates: [[Double]]) -> [Double] {
        var table = estimates
        var factor = 4.0
        while table.count > 1 {
            var next: [[Double]] = []
            for level in 0..<(table.count - 1) {
                let coarse = table[level]
                let fine = table[level + 1]
                var combined = [Double](repeating: 0, count: coarse.count)
                for index in coarse.indices {
                    let improved: Double = factor * fine[index] - coarse[index]
                    combined[index] = improved / (factor - 1)
                }
                next.append(combined)
            }
            table = next
            factor *= 4
        }
        return table.first ?? []
    }

    /// (L_XX L_XXᵀ)⁻¹ = L_XX⁻ᵀ L_XX⁻¹, row-major p × p.
    static func inverseCrossProduct(_ factor: BlockedCholeskyFactor) -> [Double] {
        let p = factor.fixedCount
        let inverse = factor.inverseFixedFactor()
        var result = [Double](repeating: 0, count: p * p)
        for row in 0..<p {
            for column in 0..<p {
                var sum = 0.0
                for inner in max(row, column)..<p { sum += inverse[inner, row] * inverse[inner, column] }
                result[row * p + column] = sum
            }
        }
        return result
    }
}
