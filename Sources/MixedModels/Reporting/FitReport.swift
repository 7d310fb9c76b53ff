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
    /// How the intervals of ``fixedEffects`` and ``covarianceParameters`` were found (the JSON's
    /// `ciMethod`); see ``withIntervals(_:replicates:seed:threads:)``.
    public private(set) var ciMethod: ConfidenceIntervalMethod = .wald
    /// With ``ConfidenceIntervalMethod/bootstrap``: the refits asked for, those that gave a
    /// finite objective, and the seed (the JSON's `ciBootstrap`).
    public private(set) var bootstrap: (replicates: Int, usable: Int, seed: UInt64)?
    /// The lines of the summary's "Convergence:" section: the optimiser's stopping reason and the
    /// gradient and Hessian checks (empty when the checks were not computed).
    public var convergenceLines: [String] {
        guard let convergence else { return [] }
        var lines = ["\(convergence.optimizer) \(convergence.stoppingReason)"]
        if convergence.checked {
            let positive = convergence.hessianPositiveDefinite ? "positive definite" : "not positive definite"
            lines.append("max|scaled gradient| \(TextTable.format(convergence.maxScaledGradient)) (tol \(TextTable.format(ConvergenceDiagnostics.gradientTolerance))); Hessian \(positive) (smallest eigenvalue \(TextTable.format(convergence.hessianEigenvalues.first ?? .nan)))")
        } else if convergence.gradient.count > 0 {
            lines.append("gradient and Hessian checks skipped: singular fit (as lme4)")
        }
        return lines
    }

    /// The convergence checks of the optimum (from the derivatives of the covariance-parameter
    /// intervals), when computed.
    public let convergence: ConvergenceDiagnostics?

    /// A report from tables computed elsewhere.
    public init(fit: FittedModel, dfMethod: DegreesOfFreedomMethod, alpha: Double, methodIsDefault: Bool,
                fixedEffects: [FixedEffectRow], covarianceParameters: [CovarianceParameterRow],
                anova: [ANOVARow]?, anovaType: ANOVAType, convergence: ConvergenceDiagnostics? = nil) {
        self.fit = fit
        self.convergence = convergence
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
        let derivatives = VarianceParameterDerivatives(fit: fit, precision: dfMethod == .satterthwaite ? .satterthwaite : .waldIntervals)
        if dfMethod == .satterthwaite {
            let approximation = fit.satterthwaiteApproximation(derivatives: derivatives)
            fixedEffects = fit.fixedEffects(using: approximation, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha, using: approximation)
        } else {
            fixedEffects = fit.fixedEffects(dfMethod: dfMethod, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha, hessian: derivatives.devianceHessian(),
                                                  gradient: derivatives.devianceGradient())
        }
        self.init(fit: fit, dfMethod: dfMethod, alpha: alpha, methodIsDefault: methodIsDefault,
                  fixedEffects: fixedEffects, covarianceParameters: covariance, anova: anova, anovaType: anovaType,
                  convergence: ConvergenceDiagnostics(fit: fit, derivatives: derivatives))
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
        // The covariance-parameter derivatives, computed once: the Wald intervals, Satterthwaite's
        // approximation and the convergence checks share them.
        let derivatives = VarianceParameterDerivatives(fit: fit, precision: dfMethod == .satterthwaite ? .satterthwaite : .waldIntervals)
        switch dfMethod {
        case .satterthwaite:
            let approximation = fit.satterthwaiteApproximation(derivatives: derivatives)
            anova = try fit.anova(type: anovaType, using: approximation)
            fixedEffects = fit.fixedEffects(using: approximation, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha, using: approximation)
        case .kenwardRoger:
            let approximation = try fit.kenwardRogerApproximation()
            anova = fit.anova(type: anovaType, using: approximation)
            fixedEffects = fit.fixedEffects(using: approximation, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha, hessian: derivatives.devianceHessian(),
                                                  gradient: derivatives.devianceGradient())
        case .residual, .none:
            anova = try fit.anova(type: anovaType, dfMethod: dfMethod)
            fixedEffects = fit.fixedEffects(dfMethod: dfMethod, alpha: alpha)
            covariance = fit.covarianceParameters(alpha: alpha, hessian: derivatives.devianceHessian(),
                                                  gradient: derivatives.devianceGradient())
        }
        return FitReport(fit: fit, dfMethod: dfMethod, alpha: alpha, methodIsDefault: methodIsDefault,
                         fixedEffects: fixedEffects, covarianceParameters: covariance, anova: anova, anovaType: anovaType,
                         convergence: ConvergenceDiagnostics(fit: fit, derivatives: derivatives))
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
        var information: [(String, Int)] = [
            ("Number of observations", fit.observationCount),
            ("Fixed effects coefficients", fit.fixedEffectCount),
            ("Random effects coefficients", fit.randomEffectCount),
            ("Covariance parameters", fit.covarianceParameterCount + 1),
        ]
        if design.excludedRowCount > 0 { information.append(("Rows excluded", design.excludedRowCount)) }
        if design.excludedRowCount > 0 || design.droppedRowCount > 0 {
            information.append(("Rows dropped (missing values)", design.droppedRowCount))
        }
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
        lines.append("Fixed effects coefficients (\(confidenceLabel), DF method: \(dfMethod.rawValue)):")
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
        lines.append("Random effects covariance parameters (\(confidenceLabel)):")
        lines.append(covarianceText)
        if !convergenceLines.isEmpty {
            lines.append("")
            lines.append("Convergence:")
            lines += convergenceLines.map { "    \($0)" }
        }
        if !warnings.isEmpty {
            lines.append("")
            lines.append("Warnings:")
            lines += warnings.map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    /// The fit's warnings followed by those of the convergence checks.
    public var warnings: [String] {
        fit.warnings + (convergence?.messages ?? [])
    }

    private var anovaLabel: String {
        switch anovaType {
        case .typeIII: return "type III"
        case .typeII: return "type II"
        case .typeI: return "type I (sequential)"
        case .marginal: return "marginal"
        }
    }

    private var confidenceLabel: String {
        let level = TextTable.format(100 * (1 - alpha), digits: 4) + "%"
        switch ciMethod {
        case .wald: return level + " CIs"
        case .profile: return level + (fit.method == .reml ? " profile CIs (of the ML fit, as lme4)" : " profile CIs")
        case .bootstrap:
            let count = bootstrap.map { $0.usable == $0.replicates ? " from \($0.replicates) refits" : " from \($0.usable) usable of \($0.replicates) refits" } ?? ""
            return level + " parametric bootstrap percentile CIs\(count)"
        }
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

    // MARK: - Interval methods

    /// The report with the fixed-effects and covariance-parameter limits of `method` at the same
    /// α (the estimates, t statistics and p-values stay): likelihood profiles
    /// (``FittedModel/profileIntervalTables(fixedEffects:covariance:alpha:)``) or a parametric
    /// bootstrap of `replicates` refits from `seed`
    /// (``FittedModel/bootstrapIntervalTables(fixedEffects:covariance:alpha:replicates:seed:threads:)``).
    public func withIntervals(_ method: ConfidenceIntervalMethod, replicates: Int = 500, seed: UInt64 = 42,
                              threads: Int = 2) throws(MixedModelError) -> FitReport {
        let tables: IntervalTables
        switch method {
        case .wald:
            var copy = self
            copy.ciMethod = .wald
            return copy
        case .profile:
            tables = try fit.profileIntervalTables(fixedEffects: fixedEffects, covariance: covarianceParameters, alpha: alpha)
        case .bootstrap:
            tables = try fit.bootstrapIntervalTables(fixedEffects: fixedEffects, covariance: covarianceParameters,
                                                     alpha: alpha, replicates: replicates, seed: seed, threads: threads)
        }
        var report = FitReport(fit: fit, dfMethod: dfMethod, alpha: alpha, methodIsDefault: methodIsDefault,
                               fixedEffects: tables.fixedEffects, covarianceParameters: tables.covarianceParameters,
                               anova: anova, anovaType: anovaType)
        report.ciMethod = method
        if method == .bootstrap { report.bootstrap = (tables.replicates, tables.usableReplicates, seed) }
        return report
    }

    // MARK: - JSON

    /// `{"names": [...], "values": [[...]]}`: Var(β̂), p × p by rows, in the order of the names.
    var fixedEffectsCovarianceJSON: JSONValue {
        let p = fit.fixedEffectCount
        let values = fit.fixedEffectsCovariance
        return .object([
            ("names", .array(fit.model.design.fixedEffects.columnNames.map { .string($0) })),
            ("values", .array((0..<p).map { row in .array((0..<p).map { .number(values[row * p + $0]) }) })),
        ])
    }

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
            ("excludedRows", .integer(design.excludedRowCount)),
            ("droppedMissingRows", .integer(design.droppedRowCount)),
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
            ("ciMethod", .string(ciMethod.rawValue)),
            ("fixedEffects", .array(fixed)),
            ("fixedEffectsCovariance", fixedEffectsCovarianceJSON),
            ("droppedColumns", .array(design.fixedEffects.droppedColumnNames.map { .string($0) })),
            ("covarianceParameters", .array(covariance)),
            ("randomEffectsTerms", DesignReport(design: design).randomTermsJSON),
        ]
        if let bootstrap {
            members.append(("ciBootstrap", .object([("replicates", .integer(bootstrap.replicates)),
                                                    ("usableReplicates", .integer(bootstrap.usable)),
                                                    ("seed", .string(String(bootstrap.seed)))])))
        }
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
                ("startMethod", .string(optimization.startMethod)),
                ("initialObjective", .number(optimization.initialObjective)),
                ("finalObjective", .number(optimization.finalObjective)),
            ])),
            ("warnings", .array(warnings.map { .string($0) })),
        ]
        if let convergence {
            members.append(("convergence", .object([
                ("optimizer", .string(convergence.optimizer)),
                ("status", .string(convergence.status)),
                ("stoppingReason", .string(convergence.stoppingReason)),
                ("checked", .bool(convergence.checked)),
                ("gradient", .array(convergence.gradient.map { .number($0) })),
                ("scaledGradient", .array(convergence.scaledGradient.map { .number($0) })),
                ("maxScaledGradient", .number(convergence.maxScaledGradient)),
                ("gradientTolerance", .number(ConvergenceDiagnostics.gradientTolerance)),
                ("hessianEigenvalues", .array(convergence.hessianEigenvalues.map { .number($0) })),
                ("hessianPositiveDefinite", .bool(convergence.hessianPositiveDefinite)),
                ("hessianTolerance", .number(ConvergenceDiagnostics.hessianTolerance)),
                ("boundaryEvaluations", .integer(fit.optimization.boundaryEvaluations)),
            ])))
        }
        return .object(members)
    }
}
