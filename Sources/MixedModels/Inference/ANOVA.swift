import Foundation

/// Which hypotheses the F tests of ``FittedModel/anova(type:dfMethod:)`` test for each term.
public enum ANOVAType: String, Sendable, CaseIterable, Codable {
    /// Type III, lmerTest's default: hypotheses that do not depend on how categorical variables
    /// are coded (for a term contained in a higher-order term, the contrasts are made orthogonal
    /// to those of the containing terms over the cells of the design). No intercept row.
    case typeIII
    /// Type II, lmerTest's `anova(type = 2)`: each term adjusted for every term that does not
    /// contain it (hypotheses that respect marginality; for unbalanced data). No intercept row.
    case typeII
    /// Type I (sequential): each term adjusted for the terms before it, from the Doolittle
    /// decomposition of XᵀX (lmerTest's type I). No intercept row.
    case typeI
    /// Marginal, MATLAB's `anova`: all coefficients of the term are zero, the intercept included
    /// as its own row. Depends on the coding (MATLAB asks for 'effects' coding for type III tests).
    case marginal
}

/// One row of an F-test table (MATLAB's `anova` output; lmerTest's `anova` table).
public struct ANOVARow: Sendable, Equatable, Codable {
    /// The term, e.g. `recipe:temperature`.
    public let term: String
    /// The F statistic.
    public let fStat: Double
    /// Numerator degrees of freedom (the rank of the term's hypothesis).
    public let df1: Double
    /// Denominator degrees of freedom under the chosen method (`+infinity` for `.none`).
    public let df2: Double
    /// The upper-tail p-value.
    public let pValue: Double
    /// lmerTest's `Sum Sq`: F · σ̂² · df1.
    public let sumOfSquares: Double
    /// lmerTest's `Mean Sq`: F · σ̂².
    public let meanSquare: Double
}

extension FittedModel {
    /// F tests per fixed-effects term (lmerTest's `anova(m, type, ddf)`; MATLAB's `anova(lme, 'DFMethod', ...)`
    /// with `.marginal`).
    ///
    /// Types III (default), II, I and marginal.
    ///
    /// The statistic of a term with hypothesis Lβ = 0 is lmerTest's: F = (1/q) Σₘ (Pₘᵀ L β̂)²/λₘ
    /// over the q positive eigenpairs of L Var(β̂) Lᵀ. Terms with no testable contrast are left out.
    /// - Parameters:
    ///   - type: type III (default, as lmerTest), type I, or marginal (MATLAB).
    ///   - dfMethod: residual n − p (default, as MATLAB), Satterthwaite (as lmerTest's default),
    ///     Kenward–Roger or none. With Kenward–Roger the row is pbkrtest's `KRmodcomp` as lmerTest
    ///     reports it: F = λ · (1/q) dᵀ(L Φ_A Lᵀ)⁻¹d with the adjusted covariance Φ_A and the
    ///     scale λ, df2 = m, and `meanSquare` = σ̂² · F/λ.
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` if the variance-parameter derivatives that
    ///   Satterthwaite's method needs are not finite, or Kenward–Roger is not available (ML fits,
    ///   see ``kenwardRogerApproximation()``).
    public func anova(type: ANOVAType = .typeIII, dfMethod: DegreesOfFreedomMethod = .residual) throws(MixedModelError) -> [ANOVARow] {
        switch dfMethod {
        case .kenwardRoger: return anova(type: type, using: try kenwardRogerApproximation())
        case .satterthwaite: return try anova(type: type, using: satterthwaiteApproximation())
        case .residual, .none: return waldTests(type: type, dfMethod: dfMethod, approximation: nil)
        }
    }

    /// The F tests per term with Kenward–Roger's F scaling and degrees of freedom from an
    /// approximation computed once (``kenwardRogerApproximation()``); see ``anova(type:dfMethod:)``.
    public func anova(type: ANOVAType = .typeIII, using approximation: KenwardRogerApproximation) -> [ANOVARow] {
        let terms = ANOVAContrasts(design: model.design).contrasts(for: type)
        return terms.compactMap { term in
            let difference = term.rows.map { SatterthwaiteApproximation.dot($0, beta) }
            guard let test = approximation.test(hypothesis: term.rows, difference: difference) else { return nil }
            let df1 = Double(test.rank)
            let meanSquare = test.unscaledFStatistic * sigma * sigma
            return ANOVARow(term: term.name, fStat: test.fStatistic, df1: df1, df2: test.degreesOfFreedom,
                            pValue: WaldFTest.pValue(f: test.fStatistic, numerator: df1, denominator: test.degreesOfFreedom),
                            sumOfSquares: meanSquare * df1, meanSquare: meanSquare)
        }
    }

    /// The F tests per term with Satterthwaite's degrees of freedom from an approximation
    /// computed once (``satterthwaiteApproximation()``); see ``anova(type:dfMethod:)``.
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` if the approximation's covariance of the
    ///   variance parameters is not finite.
    public func anova(type: ANOVAType = .typeIII,
                      using approximation: SatterthwaiteApproximation) throws(MixedModelError) -> [ANOVARow] {
        guard approximation.varianceParameterCovariance.allSatisfy(\.isFinite) else {
            throw .invalidArgument("anova: the Hessian of the deviance in the variance parameters is not finite; Satterthwaite's degrees of freedom cannot be computed")
        }
        return waldTests(type: type, dfMethod: .satterthwaite, approximation: approximation)
    }

    /// The Wald F tests per term (residual, none or Satterthwaite df).
    private func waldTests(type: ANOVAType, dfMethod: DegreesOfFreedomMethod,
                           approximation: SatterthwaiteApproximation?) -> [ANOVARow] {
        let terms = ANOVAContrasts(design: model.design).contrasts(for: type)
        var rows: [ANOVARow] = []
        for term in terms {
            let difference = term.rows.map { SatterthwaiteApproximation.dot($0, beta) }
            let covariance: [Double]
            var jacobian: [[Double]]? = nil
            if let approximation {
                let parts = approximation.contrastCovariance(term.rows)
                covariance = parts.covariance
                jacobian = parts.jacobian
            } else {
                covariance = SatterthwaiteApproximation.congruence(term.rows, fixedEffectsCovariance, size: fixedEffectCount)
            }
            guard let test = WaldFTest(difference: difference, covariance: covariance, jacobian: jacobian,
                                       parameterCovariance: approximation?.varianceParameterCovariance) else { continue }
            let df2: Double
            switch dfMethod {
            case .residual: df2 = residualDegreesOfFreedom
            case .none: df2 = .infinity
            case .satterthwaite: df2 = test.satterthwaiteDegreesOfFreedom ?? .nan
            case .kenwardRoger: df2 = .nan
            }
            let df1 = Double(test.rank)
            let meanSquare = test.fStatistic * sigma * sigma
            rows.append(ANOVARow(term: term.name, fStat: test.fStatistic, df1: df1, df2: df2,
                                 pValue: WaldFTest.pValue(f: test.fStatistic, numerator: df1, denominator: df2),
                                 sumOfSquares: meanSquare * df1, meanSquare: meanSquare))
        }
        return rows
    }
}
