import Foundation

/// The summary of a fitted model as text (MATLAB's `disp` layout) and as JSON (the `lmm fit`
/// contract: `formula`, `method`, `numObservations`, `logLikelihood`, `deviance`, `aic`, `bic`,
/// `sigma`, `theta`, `isSingular`, `fixedEffects`, `covarianceParameters`, `optimizer`,
/// `warnings`, plus more).
public struct FitReport: Sendable {
    public let fit: FittedModel
    public let dfMethod: DegreesOfFreedomMethod
    public let alpha: Double
    /// Whether the estimation method was chosen by default (the text says so).
    public let methodIsDefault: Bool
    /// The F tests per term, when computed.
    public let anova: [ANOVARow]?
    /// Which F tests ``anova`` holds.
    public let anovaType: ANOVAType
    /// The fixed-effects table, computed once when the report is made.
    public let fixedEffects: [FixedEffectRow]
    /// The covariance-parameter table with Wald intervals, computed once when the report is made.
    public let covarianceParameters: [CovarianceParameterRow]

    /// A report from tables computed elsewhere.
    public init(fit: FittedModel, dfMethod: DegreesOfFreedomMethod, alpha: Double, methodIsDefault: Bool,
                fixedEffects: [FixedEffectRow], covarianceParameters: [CovarianceParameterRow],
                anova: [ANOVARow]?, anovaType: ANOVAType) {
        self.fit = fit
        self.dfMethod = dfMethod
        self.alpha = alpha
        self.methodIsDefault = methodIsDefault
        self.anova = anova
        self.anovaType = anovaType
        self.fixedEffects = fixedEffects
        self.covarianceParameters = covarianceParameters
    }

    /// A report with the F tests given (or none); the fixed-effects and covariance-parameter
    /// tables are computed here, once, with Satterthwaite's approximation (when `dfMethod` asks
    /// for it) shared by both. With `.kenwardRoger` on a fit where it is not available, the
    /// fixed-effects rows have NaN df (see ``FittedModel/fixedEffects(dfMethod:alpha:)``).
    /// - Complexity: k² + k evaluations of the profiled deviance for k covariance parameters
    ///   (the covariance-parameter Hessian), or 2k² + 2k with `.satterthwaite` (its more accurate
    ///   derivatives, which then also give the Hessian).
    public init(fit: FittedModel, dfMethod: DegreesOfFreedomMethod = .residual, alpha: Double = 0.05,
                methodIsDefault: Bool = false, anova: [ANOVARow]? = nil, anovaType: ANOVAType = .typeIII) {
        let fixedEffects: [FixedEffectRow]
        let covariance: [CovarianceParameterRow]
        if dfMethod == .satterthwaite {
            let approximation = fit.satterthwaiteApproximation()
            fixedEffects = fit.fixedEffects(using: approximation, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha, using: approximation)
        } else {
            fixedEffects = fit.fixedEffects(dfMethod: dfMethod, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha)
        }
        self.init(fit: fit, dfMethod: dfMethod, alpha: alpha, methodIsDefault: methodIsDefault,
                  fixedEffects: fixedEffects, covarianceParameters: covariance, anova: anova, anovaType: anovaType)
    }

    /// The full report of `lmm fit`: the fixed-effects table, the F tests of `anovaType` and the
    /// covariance parameters, with the degrees-of-freedom approximation computed once and shared
    /// (Satterthwaite's also supplies the covariance-parameter Hessian).
    /// - Throws: the errors of ``FittedModel/anova(type:dfMethod:)`` (Kenward–Roger on an ML fit,
    ///   a non-finite Satterthwaite Hessian).
    public static func computing(fit: FittedModel, dfMethod: DegreesOfFreedomMethod = .residual, alpha: Double = 0.05,
                                 methodIsDefault: Bool = false,
                                 anovaType: ANOVAType = .typeIII) throws(MixedModelError) -> FitReport {
        let fixedEffects: [FixedEffectRow]
        let anova: [ANOVARow]
        let covariance: [CovarianceParameterRow]
        switch dfMethod {
        case .satterthwaite:
            let approximation = fit.satterthwaiteApproximation()
            anova = try fit.anova(type: anovaType, using: approximation)
            fixedEffects = fit.fixedEffects(using: approximation, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha, using: approximation)
        case .kenwardRoger:
            let approximation = try fit.kenwardRogerApproximation()
            anova = fit.anova(type: anovaType, using: approximation)
            fixedEffects = fit.fixedEffects(using: approximation, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha)
        case .residual, .none:
            anova = try fit.anova(type: anovaType, dfMethod: dfMethod)
            fixedEffects = fit.fixedEffects(dfMethod: dfMethod, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha)
        }
        return FitReport(fit: fit, dfMethod: dfMethod, alpha: alpha, methodIsDefault: methodIsDefault,
                         fixedEffects: fixedEffects, covarianceParameters: covariance, anova: anova, anovaType: anovaType)
    }

    // MARK: - Text

    /// The text summary (formatting only: the tables were computed when the report was made).
    public var text: String {
        let design = fit.model.design
        var lines: [String] = []
        let defaultNote = methodIsDefault && fit.method == .ml ? " (the default; use --method reml for REML)" : ""
        lines.append("Linear mixed-effects model fit by \(fit.method.rawValue)\(defaultNote)")
        lines.append("")
        lines.append("Model information:")
        let information: [(String, Int)] = [
            ("Number of observations", fit.observationCount),
            ("Fixed effects coefficients", fit.fixedEffectCount),
            ("Random effects coefficients", fit.randomEffectCount),
            ("Covariance parameters", fit.covarianceParameterCount + 1),
        ]
        for (label, value) in information {
            let padded = ("    " + label).padding(toLength: 35, withPad: " ", startingAt: 0)
            let number = String(value)
            lines.append(padded + String(repeating: " ", count: max(6 - number.count, 0)) + number)
        }
        lines.append("")
        lines.append("Formula:")
        lines.append("    \(design.formula.text)")
        lines.append("")
        lines.append("Model fit statistics:")
        var statistics = TextTable(headers: ["AIC", "BIC", "LogLikelihood", "Deviance"], alignments: [.left, .left, .left, .left])
        statistics.append([fit.aic, fit.bic, fit.logLikelihood, fit.deviance].map { TextTable.format($0) })
        lines.append(statistics.rendered())
        lines.append("")
        lines.append("Fixed effects coefficients (\(confidenceLabel) CIs, DF method: \(dfMethod.rawValue)):")
        var coefficients = TextTable(headers: ["Name", "Estimate", "SE", "tStat", "DF", "pValue", "Lower", "Upper"],
                                     alignments: [.left] + Array(repeating: .right, count: 7))
        for row in fixedEffects {
            coefficients.append([row.name] + [row.estimate, row.standardError, row.tStat, row.df].map { TextTable.format($0) }
                + [TextTable.formatPValue(row.pValue)] + [row.lower, row.upper].map { TextTable.format($0) })
        }
        lines.append(coefficients.rendered())
        if let anova, !anova.isEmpty {
            lines.append("")
            lines.append("ANOVA (\(anovaLabel) F tests per term, DF method: \(dfMethod.rawValue)):")
            var table = TextTable(headers: ["Term", "FStat", "DF1", "DF2", "pValue"], alignments: [.left, .right, .right, .right, .right])
            for row in anova {
                table.append([row.term] + [row.fStat, row.df1, row.df2].map { TextTable.format($0) } + [TextTable.formatPValue(row.pValue)])
            }
            lines.append(table.rendered())
        }
        lines.append("")
        lines.append("Random effects covariance parameters (\(confidenceLabel) CIs):")
        lines.append(covarianceText)
        if !fit.warnings.isEmpty {
            lines.append("")
            lines.append("Warnings:")
            lines += fit.warnings.map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    private var anovaLabel: String {
        switch anovaType {
        case .typeIII: return "type III"
        case .typeI: return "type I (sequential)"
        case .marginal: return "marginal"
        }
    }

    private var confidenceLabel: String {
        TextTable.format(100 * (1 - alpha), digits: 4) + "%"
    }

    private var covarianceText: String {
        let rows = covarianceParameters
        var blocks: [String] = []
        var index = 0
        for term in fit.model.design.randomEffectsTerms {
            let end = min(index + Self.rowCount(for: term), rows.count)
            var table = TextTable(headers: ["Name1", "Name2", "Type", "Estimate", "Lower", "Upper"],
                                  alignments: [.left, .left, .left, .right, .right, .right])
            for row in rows[index..<end] {
                table.append([row.name1, row.name2, row.type] + [row.estimate, row.lower, row.upper].map { TextTable.format($0) })
            }
            blocks.append("Group: \(term.groupName) (\(term.levelCount) Levels)\n" + table.rendered())
            index = end
        }
        var residual = TextTable(headers: ["Name", "Estimate", "Lower", "Upper"], alignments: [.left, .right, .right, .right])
        for row in rows[min(index, rows.count)...] {
            residual.append([row.name1] + [row.estimate, row.lower, row.upper].map { TextTable.format($0) })
        }
        blocks.append("Group: Error\n" + residual.rendered())
        return blocks.joined(separator: "\n\n")
    }

    /// The number of covariance rows a term contributes.
    static func rowCount(for term: RandomEffectsTerm) -> Int {
        switch term.covariancePattern {
        case .diagonal, .isotropic: return term.columnCount
        default: return term.columnCount * (term.columnCount + 1) / 2
        }
    }

    // MARK: - JSON

    /// The JSON object (formatting only: the tables were computed when the report was made).
    public var json: JSONValue {
        let design = fit.model.design
        let fixed = fixedEffects.map { row -> JSONValue in
            .object([("name", .string(row.name)), ("estimate", .number(row.estimate)),
                     ("standardError", .number(row.standardError)), ("tStat", .number(row.tStat)),
                     ("df", .number(row.df)), ("pValue", .number(row.pValue)),
                     ("lower", .number(row.lower)), ("upper", .number(row.upper))])
        }
        let covariance = covarianceParameters.map { row -> JSONValue in
            .object([("group", .string(row.group)), ("name1", .string(row.name1)), ("name2", .string(row.name2)),
                     ("type", .string(row.type)), ("estimate", .number(row.estimate)),
                     ("lower", .number(row.lower)), ("upper", .number(row.upper))])
        }
        let optimization = fit.optimization
        var members: [(String, JSONValue)] = [
            ("formula", .string(design.formula.text)),
            ("method", .string(fit.method.rawValue)),
            ("numObservations", .integer(fit.observationCount)),
            ("droppedRows", .integer(design.droppedRowCount)),
            ("zeroWeightRows", .integer(design.zeroWeightRowCount)),
            ("numFixedEffects", .integer(fit.fixedEffectCount)),
            ("numRandomEffects", .integer(fit.randomEffectCount)),
            ("numCovarianceParameters", .integer(fit.covarianceParameterCount + 1)),
            ("logLikelihood", .number(fit.logLikelihood)),
            ("deviance", .number(fit.deviance)),
            ("aic", .number(fit.aic)),
            ("bic", .number(fit.bic)),
            ("sigma", .number(fit.sigma)),
            ("theta", .array(fit.theta.map { .number($0) })),
            ("isSingular", .bool(fit.isSingular)),
            ("dfMethod", .string(dfMethod.rawValue)),
            ("fixedEffects", .array(fixed)),
            ("droppedColumns", .array(design.fixedEffects.droppedColumnNames.map { .string($0) })),
            ("covarianceParameters", .array(covariance)),
            ("randomEffectsTerms", DesignReport(design: design).randomTermsJSON),
        ]
        if let anova {
            members.append(("anovaType", .string(anovaType.rawValue)))
            members.append(("anova", .array(anova.map { row in
                .object([("term", .string(row.term)), ("fStat", .number(row.fStat)), ("df1", .number(row.df1)),
                         ("df2", .number(row.df2)), ("pValue", .number(row.pValue))])
            })))
        }
        members += [
            ("optimizer", .object([
                ("name", .string(optimization.optimizer)),
                ("evaluations", .integer(optimization.evaluations)),
                ("converged", .bool(optimization.converged)),
                ("status", .string(optimization.status)),
                ("seconds", .number(optimization.seconds)),
                ("initialObjective", .number(optimization.initialObjective)),
                ("finalObjective", .number(optimization.finalObjective)),
            ])),
            ("warnings", .array(fit.warnings.map { .string($0) })),
        ]
        return .object(members)
    }
}
