import Distributions

/// One predicted random effect with its statistics (MATLAB's `randomEffects` stats table, with
/// lme4's conditional standard deviation).
public struct RandomEffectRow: Sendable, Equatable, Codable {
    /// The grouping factor, e.g. `Subject` or `cask:batch`.
    public let group: String
    /// The level of the grouping factor.
    public let level: String
    /// The random effect's name within the level, e.g. `(Intercept)` or `Days`.
    public let name: String
    /// The conditional mode b̂ (the BLUP).
    public let estimate: Double
    /// lme4's conditional standard deviation (`ranef(condVar = TRUE)`): the square root of the
    /// diagonal of σ̂² Λ (L_ZZ L_ZZᵀ)⁻¹ Λᵀ, the posterior covariance of b given β = β̂.
    public let conditionalSD: Double
    /// MATLAB's `SEPred`: the standard error of b̂ − b from the full inverse of the mixed-model
    /// equations, which also accounts for the uncertainty in β̂ (≥ ``conditionalSD``).
    public let standardErrorOfPrediction: Double
    /// estimate / SEPred.
    public let tStat: Double
    /// The degrees of freedom (`+infinity` for `.none`).
    public let df: Double
    /// Two-sided p-value of the t statistic.
    public let pValue: Double
    /// Lower limit of the 100(1 − α)% interval, estimate − t · SEPred.
    public let lower: Double
    /// Upper limit of the 100(1 − α)% interval.
    public let upper: Double
}

extension FittedModel {
    /// The predicted random effects with lme4's conditional SDs and MATLAB's statistics, in
    /// MATLAB's order: term by term (the fitted term order), level by level, then the term's
    /// columns.
    ///
    /// - Parameters:
    ///   - alpha: intervals have confidence 1 − α.
    ///   - dfMethod: `.residual` (n − p, MATLAB's default) or `.none` (normal).
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for α outside (0, 1) and for
    ///   `.satterthwaite` and `.kenwardRoger` (their df for contrasts of [β; b] are not implemented).
    /// - Complexity: builds ``MixedModelEquationsInverse`` once (O(q'³), q' the dimension of the
    ///   terms after the first), then O(q s (nnz² + p nnz)).
    public func randomEffects(alpha: Double = 0.05,
                              dfMethod: DegreesOfFreedomMethod = .residual) throws(MixedModelError) -> [RandomEffectRow] {
        guard alpha > 0, alpha < 1 else { throw .invalidArgument("alpha must be in (0, 1), got \(alpha)") }
        let df: Double
        switch dfMethod {
        case .residual: df = residualDegreesOfFreedom
        case .none: df = .infinity
        case .satterthwaite:
            throw .invalidArgument("Satterthwaite degrees of freedom for random effects (contrasts of [beta; b]) are not implemented; use residual or none degrees of freedom")
        case .kenwardRoger:
            throw .invalidArgument("Kenward–Roger degrees of freedom for random effects (contrasts of [beta; b]) are not implemented; use residual or none degrees of freedom")
        }
        let (conditional, full) = randomEffectsCovarianceBlocks()
        let variance = sigma * sigma
        var rows: [RandomEffectRow] = []
        rows.reserveCapacity(randomEffectCount)
        for (k, term) in model.design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            for (levelIndex, level) in term.levels.enumerated() {
                for column in 0..<s {
                    let estimate = randomEffectsModes[k][levelIndex * s + column]
                    let conditionalSD = (variance * conditional[k][levelIndex][column * s + column]).squareRoot()
                    let standardError = (variance * full[k][levelIndex][column * s + column]).squareRoot()
                    let t = Self.tRow(name: term.columnNames[column], estimate: estimate,
                                      standardError: standardError, df: df, alpha: alpha)
                    rows.append(RandomEffectRow(group: term.groupName, level: level, name: term.columnNames[column],
                                                estimate: estimate, conditionalSD: conditionalSD,
                                                standardErrorOfPrediction: standardError, tStat: t.tStat, df: df,
                                                pValue: t.pValue, lower: t.lower, upper: t.upper))
                }
            }
        }
        return rows
    }

    /// Per term and level, λ U λᵀ (column-major s×s) for U the diagonal blocks of
    /// (L_ZZ L_ZZᵀ)⁻¹ (`conditional`, lme4) and of the u block of C⁻¹ (`full`, MATLAB); multiply
    /// by σ̂² for covariances; in the units of the data (T λ̃ U λ̃ᵀ Tᵀ for a term with centred
    /// columns, ``RandomEffectsCentring``).
    func randomEffectsCovarianceBlocks() -> (conditional: [[[Double]]], full: [[[Double]]]) {
        let inverse = MixedModelEquationsInverse(factor: factor)
        let sandwich = { (blocks: [[[Double]]]) -> [[[Double]]] in
            blocks.enumerated().map { k, levels in
                let lambda = self.workingLambdas[k]
                let s = self.factor.parametrizations[k].size
                let centres = self.model.design.randomEffectsTerms[k].columnCentres
                return levels.map {
                    RandomEffectsCentring.userCovariance(Self.sandwich(lambda: lambda, block: $0, size: s),
                                                         size: s, centres: centres)
                }
            }
        }
        return (sandwich(inverse.diagonalBlocks(full: false)), sandwich(inverse.diagonalBlocks(full: true)))
    }

    /// λ U λᵀ for column-major s×s matrices.
    static func sandwich(lambda: [Double], block: [Double], size s: Int) -> [Double] {
        var left = [Double](repeating: 0, count: s * s)  // λ U
        for row in 0..<s {
            for column in 0..<s {
                var sum = 0.0
                for inner in 0..<s { sum += lambda[inner * s + row] * block[column * s + inner] }
                left[column * s + row] = sum
            }
        }
        var result = [Double](repeating: 0, count: s * s)
        for row in 0..<s {
            for column in 0..<s {
                var sum = 0.0
                for inner in 0..<s { sum += left[inner * s + row] * lambda[inner * s + column] }
                result[column * s + row] = sum
            }
        }
        return result
    }
}
