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
/// differences (see ``VarianceParameterDerivatives`` for the stencil and its cost), accurate to
/// about 1e-7 relative, within lmerTest's own accuracy (about 1e-6 relative).
public struct SatterthwaiteApproximation: Sendable, Equatable, Codable {
    /// φ̂ = (θ̂, σ̂), θ̂ in the fit's coordinates (``FittedModel/workingTheta``, which differs from
    /// ``FittedModel/theta`` only for a term with centred columns; the degrees of freedom do not
    /// depend on the coordinates).
    public let varianceParameters: [Double]
    /// The Hessian H of the deviance in φ at φ̂, row-major (k+1) × (k+1).
    public let hessian: [Double]
    /// The gradient of the deviance in φ at φ̂ (0 in σ; near 0 in the θ that are not on a bound).
    public let gradient: [Double]
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
    /// and the Jacobian of Var(β̂)); computing it costs 2k² + 2k refactorisations of L
    /// for k covariance parameters (24 for k = 3) (see ``VarianceParameterDerivatives``). Compute it once and
    /// reuse it for many contrasts: ``fixedEffects(using:alpha:)``, ``anova(type:using:)``,
    /// ``covarianceParameters(alpha:using:)`` and ``predict(on:conditional:interval:simultaneous:alpha:using:)``
    /// take it.
    public func satterthwaiteApproximation() -> SatterthwaiteApproximation {
        satterthwaiteApproximation(derivatives: VarianceParameterDerivatives(fit: self))
    }

    /// Satterthwaite's approximation from derivatives already computed (shared with the
    /// covariance-parameter intervals).
    func satterthwaiteApproximation(derivatives: VarianceParameterDerivatives) -> SatterthwaiteApproximation {
        let hessian = derivatives.devianceHessian()
        let parameterCount = theta.count + 1
        let covariance = Self.pseudoInverse(hessian, size: parameterCount, tolerance: 1e-8).map { 2 * $0 }
        let sigma2 = sigma * sigma
        var jacobian: [[Double]] = derivatives.inverseCrossProductGradient.map { gradient in gradient.map { sigma2 * $0 } }
        jacobian.append(derivatives.centerInverseCrossProduct.map { 2 * sigma * $0 })
        return SatterthwaiteApproximation(varianceParameters: theta + [sigma], hessian: hessian,
                                          gradient: derivatives.devianceGradient(),
                                          varianceParameterCovariance: covariance,
                                          fixedEffectsCovariance: fixedEffectsCovariance,
                                          covarianceJacobian: jacobian, fixedEffectCount: fixedEffectCount)
    }

    /// Satterthwaite's denominator degrees of freedom for the contrast lᵀβ (one row), as
    /// lmerTest's `contest1D`. Boundary fits (θ on the bound) give finite df: lmerTest's
    /// pseudo-inverse of the Hessian drops its zero eigenvalues. `nan` if `contrast` does not
    /// have p entries or is zero. Computes the approximation on every call: for several contrasts,
    /// call ``satterthwaiteApproximation()`` once and ask it.
    public func satterthwaiteDegreesOfFreedom(contrast: [Double]) -> Double {
        satterthwaiteApproximation().degreesOfFreedom(contrast: contrast)
    }

    /// Satterthwaite's denominator degrees of freedom for the F test of Lβ = c with the rows of
    /// L given (lmerTest's `contestMD`; see ``SatterthwaiteApproximation/degreesOfFreedom(hypothesis:)``).
    /// Computes the approximation on every call, as ``satterthwaiteDegreesOfFreedom(contrast:)``.
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
