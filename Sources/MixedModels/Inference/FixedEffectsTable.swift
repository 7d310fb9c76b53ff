import Distributions

/// One row of the fixed-effects coefficient table (MATLAB's `Coefficients`, lmerTest's
/// `summary` table).
public struct FixedEffectRow: Sendable, Equatable, Codable {
    public let name: String
    public let estimate: Double
    public let standardError: Double
    public let tStat: Double
    /// Denominator degrees of freedom (`+infinity` for `.none`).
    public let df: Double
    /// Two-sided p-value of t = estimate / SE.
    public let pValue: Double
    /// Lower limit of the 100(1 − α)% confidence interval.
    public let lower: Double
    /// Upper limit of the 100(1 − α)% confidence interval.
    public let upper: Double
}

extension FittedModel {
    /// The fixed-effects table with the chosen degrees of freedom and confidence level 1 − α.
    ///
    /// With `.kenwardRoger` the standard errors are the Kenward–Roger adjusted ones and the df
    /// Kenward–Roger's (lmerTest's `summary(m, ddf = "Kenward-Roger")`); when the method is not
    /// available (an ML fit, or a model beyond ``KenwardRogerApproximation/maximumDenseDimension``)
    /// the rows keep the unadjusted standard errors and have `nan` df, p-values and limits — call
    /// ``kenwardRogerApproximation()`` to get the reason as an error.
    public func fixedEffects(dfMethod: DegreesOfFreedomMethod = .residual, alpha: Double = 0.05) -> [FixedEffectRow] {
        if dfMethod == .kenwardRoger {
            if let approximation = try? kenwardRogerApproximation() {
                return fixedEffects(using: approximation, alpha: alpha)
            }
            let names = model.design.fixedEffects.columnNames
            return beta.indices.map { index in
                Self.tRow(name: names[index], estimate: beta[index], standardError: standardErrors[index], df: .nan, alpha: alpha)
            }
        }
        if dfMethod == .satterthwaite { return fixedEffects(using: satterthwaiteApproximation(), alpha: alpha) }
        let names = model.design.fixedEffects.columnNames
        let errors = standardErrors
        let df = plainDegreesOfFreedom(dfMethod)
        return beta.indices.map { index in
            Self.tRow(name: names[index], estimate: beta[index], standardError: errors[index], df: df, alpha: alpha)
        }
    }

    /// The fixed-effects table with Satterthwaite's degrees of freedom from an approximation
    /// computed once (``satterthwaiteApproximation()``).
    public func fixedEffects(using approximation: SatterthwaiteApproximation, alpha: Double = 0.05) -> [FixedEffectRow] {
        let names = model.design.fixedEffects.columnNames
        let errors = standardErrors
        return beta.indices.map { index in
            var contrast = [Double](repeating: 0, count: beta.count)
            contrast[index] = 1
            return Self.tRow(name: names[index], estimate: beta[index], standardError: errors[index],
                             df: approximation.degreesOfFreedom(contrast: contrast), alpha: alpha)
        }
    }

    /// The fixed-effects table with Kenward–Roger's adjusted standard errors and degrees of
    /// freedom from an approximation computed once (``kenwardRogerApproximation()``).
    public func fixedEffects(using approximation: KenwardRogerApproximation, alpha: Double = 0.05) -> [FixedEffectRow] {
        let names = model.design.fixedEffects.columnNames
        return beta.indices.map { index in
            var contrast = [Double](repeating: 0, count: beta.count)
            contrast[index] = 1
            return Self.tRow(name: names[index], estimate: beta[index],
                             standardError: approximation.standardError(contrast: contrast),
                             df: approximation.degreesOfFreedom(contrast: contrast), alpha: alpha)
        }
    }

    /// The degrees of freedom that need no approximation: n − p for `.residual`, ∞ for `.none`
    /// (`nan` for Satterthwaite and Kenward–Roger, whose tables come from their approximations,
    /// computed once per table).
    func plainDegreesOfFreedom(_ method: DegreesOfFreedomMethod) -> Double {
        switch method {
        case .residual: return residualDegreesOfFreedom
        case .none: return .infinity
        case .satterthwaite, .kenwardRoger: return .nan
        }
    }

    /// A t-test row with two-sided p-value and interval; df = ∞ uses the normal distribution.
    static func tRow(name: String, estimate: Double, standardError: Double, df: Double, alpha: Double) -> FixedEffectRow {
        let t = estimate / standardError
        guard !df.isNaN else {
            return FixedEffectRow(name: name, estimate: estimate, standardError: standardError, tStat: t, df: df,
                                  pValue: .nan, lower: .nan, upper: .nan)
        }
        let pValue: Double
        let critical: Double
        if df.isInfinite {
            let normal = NormalDistribution()
            pValue = 2 * normal.survival(abs(t))
            critical = normal.upperQuantile(alpha / 2)
        } else {
            let distribution = StudentTDistribution(degreesOfFreedom: df)
            pValue = 2 * distribution.survival(abs(t))
            critical = distribution.upperQuantile(alpha / 2)
        }
        return FixedEffectRow(name: name, estimate: estimate, standardError: standardError, tStat: t, df: df,
                              pValue: min(pValue, 1), lower: estimate - critical * standardError,
                              upper: estimate + critical * standardError)
    }
}
