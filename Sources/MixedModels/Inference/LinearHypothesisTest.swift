import Foundation

/// The result of an F test of a linear hypothesis on the fixed (and optionally random) effects
/// (MATLAB's `[pVal, F, DF1, DF2] = coefTest(...)`).
public struct LinearHypothesisTest: Sendable, Equatable, Codable {
    /// The F statistic.
    public let fStat: Double
    /// Numerator degrees of freedom: the rank of the hypothesis (of H, or of [H K]).
    public let df1: Double
    /// Denominator degrees of freedom under ``dfMethod`` (`+infinity` for `.none`).
    public let df2: Double
    /// The upper-tail p-value.
    public let pValue: Double
    /// How ``df2`` was found.
    public let dfMethod: DegreesOfFreedomMethod
}

extension FittedModel {
    /// Tests H β = c, or H β + K b = c with a random-effects contrast (MATLAB's
    /// `coefTest(lme, H, C, 'REContrast', K, 'DFMethod', dfMethod)`).
    ///
    /// F = (1/r) dᵀ V⁺ d with d = H β̂ + K b̂ − c and r the rank of V = Var(d) (lmerTest's
    /// eigen-decomposition form). Without K, V = H Var(β̂) Hᵀ. With K, V is taken from the joint
    /// covariance of (β̂, b̂ − b), σ² times the inverse of the mixed-model equations' matrix
    /// (Henderson's C; in lme4's spherical form σ² [Λ 0; 0 I] (L Lᵀ)⁻¹ [Λ 0; 0 I]ᵀ with L the
    /// blocked Cholesky factor), as MATLAB defines it. Satterthwaite's df differentiate V with
    /// respect to (θ, σ) as ``SatterthwaiteApproximation`` does. Kenward–Roger (fixed-effects
    /// contrasts only, REML fits) is pbkrtest's `KRmodcomp`: F = λ · (1/r) dᵀ(H Φ_A Hᵀ)⁻¹d with
    /// the adjusted covariance Φ_A, on (r, m) degrees of freedom (see ``KenwardRogerApproximation``).
    ///
    /// - Parameters:
    ///   - H: m × p, one row per hypothesis.
    ///   - c: m values (default 0).
    ///   - K: m × q, one column per random effect in the order of ``randomEffectsModes``
    ///     concatenated (terms in design order, level by level, the term's columns within a level).
    ///   - dfMethod: residual (n − p, MATLAB's default), Satterthwaite, Kenward–Roger or none (∞).
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` when the dimensions disagree, a value is
    ///   not finite, the hypothesis is null (V = 0), or Kenward–Roger is requested with K or is
    ///   not available (ML fits; see ``kenwardRogerApproximation()``).
    public func coefficientTest(_ H: [[Double]], _ c: [Double]? = nil, randomEffectsContrast K: [[Double]]? = nil,
                                dfMethod: DegreesOfFreedomMethod = .residual) throws(MixedModelError) -> LinearHypothesisTest {
        try hypothesisTest(H, c, randomEffectsContrast: K, dfMethod: dfMethod, satterthwaite: nil, kenwardRoger: nil)
    }

    /// ``coefficientTest(_:_:randomEffectsContrast:dfMethod:)`` with Satterthwaite's degrees of
    /// freedom from an approximation computed once (``satterthwaiteApproximation()``). With K, the
    /// derivatives of the random-effects part are still differenced (8k evaluations).
    public func coefficientTest(_ H: [[Double]], _ c: [Double]? = nil, randomEffectsContrast K: [[Double]]? = nil,
                                using approximation: SatterthwaiteApproximation) throws(MixedModelError) -> LinearHypothesisTest {
        try hypothesisTest(H, c, randomEffectsContrast: K, dfMethod: .satterthwaite, satterthwaite: approximation,
                           kenwardRoger: nil)
    }

    /// ``coefficientTest(_:_:randomEffectsContrast:dfMethod:)`` with Kenward–Roger's test from an
    /// approximation computed once (``kenwardRogerApproximation()``); fixed-effects contrasts only.
    public func coefficientTest(_ H: [[Double]], _ c: [Double]? = nil,
                                using approximation: KenwardRogerApproximation) throws(MixedModelError) -> LinearHypothesisTest {
        try hypothesisTest(H, c, randomEffectsContrast: nil, dfMethod: .kenwardRoger, satterthwaite: nil,
                           kenwardRoger: approximation)
    }

    /// The test; an approximation not given is computed here when `dfMethod` needs it.
    private func hypothesisTest(_ H: [[Double]], _ c: [Double]?, randomEffectsContrast K: [[Double]]?,
                                dfMethod: DegreesOfFreedomMethod, satterthwaite: SatterthwaiteApproximation?,
                                kenwardRoger: KenwardRogerApproximation?) throws(MixedModelError) -> LinearHypothesisTest {
        let p = fixedEffectCount
        let m = H.count
        guard m > 0 else { throw .invalidArgument("coefficientTest: H has no rows") }
        for (index, row) in H.enumerated() {
            guard row.count == p else {
                throw .invalidArgument("coefficientTest: row \(index + 1) of H has \(row.count) entries but the model has \(p) fixed-effects coefficients")
            }
            guard row.allSatisfy(\.isFinite) else { throw .invalidArgument("coefficientTest: row \(index + 1) of H has a non-finite entry") }
        }
        let rhs = c ?? [Double](repeating: 0, count: m)
        guard rhs.count == m else {
            throw .invalidArgument("coefficientTest: c has \(rhs.count) values but H has \(m) rows")
        }
        guard rhs.allSatisfy(\.isFinite) else { throw .invalidArgument("coefficientTest: c has a non-finite value") }
        if let K {
            let q = randomEffectCount
            guard K.count == m else {
                throw .invalidArgument("coefficientTest: K has \(K.count) rows but H has \(m) rows")
            }
            for (index, row) in K.enumerated() {
                guard row.count == q else {
                    throw .invalidArgument("coefficientTest: row \(index + 1) of K has \(row.count) entries but the model has \(q) random effects")
                }
                guard row.allSatisfy(\.isFinite) else { throw .invalidArgument("coefficientTest: row \(index + 1) of K has a non-finite entry") }
            }
        }

        if dfMethod == .kenwardRoger {
            guard K == nil else {
                throw .invalidArgument("coefficientTest: Kenward–Roger degrees of freedom are available for fixed-effects contrasts only (without K); use Satterthwaite")
            }
            let approximation: KenwardRogerApproximation
            if let kenwardRoger { approximation = kenwardRoger } else { approximation = try kenwardRogerApproximation() }
            let difference = (0..<m).map { SatterthwaiteApproximation.dot(H[$0], beta) - rhs[$0] }
            guard let test = approximation.test(hypothesis: H, difference: difference) else {
                throw .invalidArgument("coefficientTest: the hypothesis is null (its covariance is zero); check H")
            }
            let df1 = Double(test.rank)
            return LinearHypothesisTest(fStat: test.fStatistic, df1: df1, df2: test.degreesOfFreedom,
                                        pValue: WaldFTest.pValue(f: test.fStatistic, numerator: df1, denominator: test.degreesOfFreedom),
                                        dfMethod: dfMethod)
        }

        // K is in the units of the data (``randomEffectsModes``); K b = (K T) b̃ in the fit's coordinates.
        let K = K.map { $0.map(model.workingRandomEffectsContrast) }
        let modes = workingModes.flatMap { $0 }
        let difference = (0..<m).map { index -> Double in
            var value = SatterthwaiteApproximation.dot(H[index], beta) - rhs[index]
            if let K { value += SatterthwaiteApproximation.dot(K[index], modes) }
            return value
        }
        let covariance: [Double]
        var jacobian: [[Double]]? = nil
        var parameterCovariance: [Double]? = nil
        if let K {
            let unscaled = Self.predictionContrastCovariance(factor: factor, H: H, K: K)
            covariance = unscaled.map { sigma * sigma * $0 }
            if dfMethod == .satterthwaite {
                let approximation = satterthwaite ?? satterthwaiteApproximation()
                let derivatives = VarianceParameterDerivatives.firstDerivatives(fit: self) { factor in
                    Self.predictionContrastCovariance(factor: factor, H: H, K: K)
                }
                var list = derivatives.map { gradient in gradient.map { sigma * sigma * $0 } }
                list.append(unscaled.map { 2 * sigma * $0 })
                jacobian = list
                parameterCovariance = approximation.varianceParameterCovariance
            }
        } else if dfMethod == .satterthwaite {
            let approximation = satterthwaite ?? satterthwaiteApproximation()
            let parts = approximation.contrastCovariance(H)
            covariance = parts.covariance
            jacobian = parts.jacobian
            parameterCovariance = approximation.varianceParameterCovariance
        } else {
            covariance = SatterthwaiteApproximation.congruence(H, fixedEffectsCovariance, size: p)
        }
        guard let test = WaldFTest(difference: difference, covariance: covariance, jacobian: jacobian,
                                   parameterCovariance: parameterCovariance) else {
            throw .invalidArgument("coefficientTest: the hypothesis is null (its covariance is zero); check H and K")
        }
        let df2: Double
        switch dfMethod {
        case .residual: df2 = residualDegreesOfFreedom
        case .none: df2 = .infinity
        case .satterthwaite: df2 = test.satterthwaiteDegreesOfFreedom ?? .nan
        case .kenwardRoger: df2 = .nan
        }
        let df1 = Double(test.rank)
        return LinearHypothesisTest(fStat: test.fStatistic, df1: df1, df2: df2,
                                    pValue: WaldFTest.pValue(f: test.fStatistic, numerator: df1, denominator: df2),
                                    dfMethod: dfMethod)
    }

    /// G = Wᵀ (L Lᵀ)⁻¹ W (row-major m × m) for the combined contrasts wₐ = (Λᵀ Kₐᵀ, Hₐᵀ), so that
    /// Var(H β̂ + K (b̂ − b)) = σ² G: one blocked forward solve L x = w per row.
    static func predictionContrastCovariance(factor: BlockedCholeskyFactor, H: [[Double]], K: [[Double]]) -> [Double] {
        let p = factor.fixedCount
        let sizes = factor.parametrizations.map(\.size)
        let dimensions = factor.xyZ.map(\.columnCount)
        let solutions: [[Double]] = zip(H, K).map { h, k in
            var blocks: [[Double]] = []
            var offset = 0
            for term in 0..<factor.termCount {
                let size = sizes[term]
                let lambda = factor.lambdas[term]
                var block = [Double](repeating: 0, count: dimensions[term])
                for level in 0..<(dimensions[term] / max(size, 1)) {
                    for column in 0..<size {
                        var sum = 0.0
                        for row in column..<size { sum += lambda[column * size + row] * k[offset + level * size + row] }
                        block[level * size + column] = sum
                    }
                }
                offset += dimensions[term]
                blocks.append(block)
            }
            factor.solveLower(&blocks)
            var fixed = h
            for term in 0..<factor.termCount {
                let matrix = factor.xyZ[term]
                for column in 0..<matrix.columnCount {
                    let value = blocks[term][column]
                    if value == 0 { continue }
                    for row in 0..<p { fixed[row] -= matrix[row, column] * value }
                }
            }
            for row in 0..<p {
                var value = fixed[row]
                for column in 0..<row { value -= factor.xyXy[row, column] * fixed[column] }
                fixed[row] = value / factor.xyXy[row, row]
            }
            return blocks.flatMap { $0 } + fixed
        }
        let m = solutions.count
        var result = [Double](repeating: 0, count: m * m)
        for a in 0..<m {
            for b in 0...a {
                let value = SatterthwaiteApproximation.dot(solutions[a], solutions[b])
                result[a * m + b] = value
                result[b * m + a] = value
            }
        }
        return result
    }
}
