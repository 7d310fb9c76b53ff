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
    public func fixedEffects(dfMethod: DegreesOfFreedomMethod = .residual, alpha: Double = 0.05) -> [FixedEffectRow] {
        let names = model.design.fixedEffects.columnNames
        let errors = standardErrors
        let approximation = dfMethod == .satterthwaite ? satterthwaiteApproximation() : nil
        return beta.indices.map { index in
            let df: Double
            if let approximation {
                var contrast = [Double](repeating: 0, count: beta.count)
                contrast[index] = 1
                df = approximation.degreesOfFreedom(contrast: contrast)
            } else {
                df = degreesOfFreedom(forCoefficient: index, method: dfMethod)
            }
            return Self.tRow(name: names[index], estimate: beta[index], standardError: errors[index], df: df, alpha: alpha)
        }
    }

    /// The degrees of freedom for coefficient `index` under `method`.
    func degreesOfFreedom(forCoefficient index: Int, method: DegreesOfFreedomMethod) -> Double {
        switch method {
        case .residual: return residualDegreesOfFreedom
        case .none: return .infinity
        case .satterthwaite:
            var contrast = [Double](repeating: 0, count: beta.count)
            contrast[index] = 1
            return satterthwaiteDegreesOfFreedom(contrast: contrast)
        }
    }

    /// A t-test row with two-sided p-value and interval; df = ∞ uses the normal distribution.
    static func tRow(name: String, estimate: Double, standardError: Double, df: Double, alpha: Double) -> FixedEffectRow {
        let t = estimate / standardError
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
