import Distributions
import Foundation

/// The report of a fit as one self-contained HTML page (`lmm fit --report FILE.html`): the
/// tables of the text summary (model information, fit statistics, fixed effects, F tests,
/// covariance parameters, warnings) and inline SVG plots (residuals against fitted values, a
/// normal Q–Q plot and a histogram of the residuals, observed against fitted values, and a
/// caterpillar plot per random-effects term and column).
///
/// The page has its style sheet inline and no scripts, images, fonts or links: it reads offline,
/// without JavaScript, and prints (tables and figures are kept whole on a page).
public struct HTMLReport: Sendable {
    /// The summary whose tables the page shows.
    public let summary: FitReport
    /// The data the plots draw.
    public let diagnostics: DiagnosticData
    /// A name for the data (e.g. the file name), shown under the title.
    public let dataName: String?

    /// The diagnostic plots of the page, in order.
    public static let residualPlotKinds: [DiagnosticPlotKind] = [.fitted, .qq, .histogram, .observed]

    /// A report of `summary`; the diagnostic data are the fit's raw conditional residuals
    /// (MATLAB's `plotResiduals` default) unless given.
    public init(summary: FitReport, diagnostics: DiagnosticData? = nil, dataName: String? = nil) {
        self.summary = summary
        self.diagnostics = diagnostics ?? DiagnosticData(fit: summary.fit)
        self.dataName = dataName
    }

    /// The complete HTML document.
    public var html: String {
        let fit = summary.fit
        let formula = fit.model.design.formula.text
        var parts: [String] = []
        parts.append("""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTMLText.escaped("Linear mixed-effects model: " + formula))</title>
        <style>
        \(ReportStyleSheet.css)
        </style>
        </head>
        <body>
        <main>
        <h1>Linear mixed-effects model</h1>
        <div class="formula">\(HTMLText.escaped(formula))</div>
        <p>\(HTMLText.escaped(fitDescription))</p>
        """)
        parts.append(section("Model", "<div class=\"tables\">\n" + information + "\n" + statistics + "\n</div>"))
        parts.append(section("Fixed effects coefficients (\(confidenceLabel) CIs, DF method: \(summary.dfMethod.rawValue))",
                             fixedEffects))
        if let anova = summary.anova, !anova.isEmpty {
            parts.append(section("ANOVA (\(anovaLabel) F tests per term, DF method: \(summary.dfMethod.rawValue))",
                                 anovaTable(anova)))
        }
        parts.append(section("Random effects covariance parameters (\(confidenceLabel) CIs)", covariance))
        if !summary.convergenceLines.isEmpty {
            let items = summary.convergenceLines.map { "<li>\(HTMLText.escaped($0))</li>" }.joined(separator: "\n")
            parts.append(section("Convergence", "<ul>\n\(items)\n</ul>"))
        }
        if !summary.warnings.isEmpty {
            let items = summary.warnings.map { "<li>\(HTMLText.escaped($0))</li>" }.joined(separator: "\n")
            parts.append(section("Warnings", "<ul class=\"warnings\">\n\(items)\n</ul>"))
        }
        parts.append(section("Residual diagnostics", residualFigures))
        if !diagnostics.randomEffects.isEmpty {
            parts.append(section("Conditional modes of the random effects", caterpillarFigures))
        }
        parts.append("""
        <footer>Written by lmm. The residual plots show \(HTMLText.escaped(diagnostics.residualTitle.lowercased()))s. \
        Caterpillar intervals are the conditional modes ± \(zLabel) conditional standard deviations \
        (lme4's <code>ranef(condVar = TRUE)</code>), which treat the fixed effects as known.</footer>
        </main>
        </body>
        </html>
        """)
        return parts.joined(separator: "\n") + "\n"
    }

    // MARK: - Tables

    private var fitDescription: String {
        let fit = summary.fit
        var text = "Fit by \(fit.method.rawValue)"
        if summary.methodIsDefault && fit.method == .ml { text += " (the default; use --method reml for REML)" }
        if let dataName { text += " to \(dataName)" }
        let dropped = fit.model.design.droppedRowCount
        text += ": \(ScatterLayer.formatCount(fit.observationCount)) observations"
        if dropped > 0 { text += " (\(ScatterLayer.formatCount(dropped)) rows with missing values dropped)" }
        return text + "."
    }

    private var information: String {
        let fit = summary.fit
        var table = HTMLTable(headers: ["Model information", "Value"], numericFrom: 1)
        table.append(["Number of observations", String(fit.observationCount)])
        table.append(["Fixed effects coefficients", String(fit.fixedEffectCount)])
        table.append(["Random effects coefficients", String(fit.randomEffectCount)])
        table.append(["Covariance parameters", String(fit.covarianceParameterCount + 1)])
        return table.rendered
    }

    private var statistics: String {
        let fit = summary.fit
        var table = HTMLTable(headers: ["Fit statistic", "Value"], numericFrom: 1)
        table.append(["AIC", TextTable.format(fit.aic)])
        table.append(["BIC", TextTable.format(fit.bic)])
        table.append(["Log-likelihood", TextTable.format(fit.logLikelihood)])
        table.append(["Deviance", TextTable.format(fit.deviance)])
        table.append(["Residual SD (sigma)", TextTable.format(fit.sigma)])
        return table.rendered
    }

    private var fixedEffects: String {
        var table = HTMLTable(headers: ["Name", "Estimate", "SE", "tStat", "DF", "pValue", "Lower", "Upper"], numericFrom: 1)
        for row in summary.fixedEffects {
            table.append([row.name] + [row.estimate, row.standardError, row.tStat, row.df, row.pValue, row.lower, row.upper]
                .map { TextTable.format($0) })
        }
        return table.rendered
    }

    private func anovaTable(_ rows: [ANOVARow]) -> String {
        var table = HTMLTable(headers: ["Term", "FStat", "DF1", "DF2", "pValue"], numericFrom: 1)
        for row in rows {
            table.append([row.term] + [row.fStat, row.df1, row.df2, row.pValue].map { TextTable.format($0) })
        }
        return table.rendered
    }

    private var covariance: String {
        let rows = summary.covarianceParameters
        var tables: [String] = []
        var index = 0
        for term in summary.fit.model.design.randomEffectsTerms {
            let end = min(index + FitReport.rowCount(for: term), rows.count)
            var table = HTMLTable(headers: ["Name1", "Name2", "Type", "Estimate", "Lower", "Upper"], numericFrom: 3,
                                  caption: "Group: \(term.groupName) (\(term.levelCount) levels)")
            for row in rows[index..<end] {
                table.append([row.name1, row.name2, row.type] + [row.estimate, row.lower, row.upper].map { TextTable.format($0) })
            }
            tables.append(table.rendered)
            index = end
        }
        var residual = HTMLTable(headers: ["Name", "Estimate", "Lower", "Upper"], numericFrom: 1, caption: "Group: Error")
        for row in rows[min(index, rows.count)...] {
            residual.append([row.name1] + [row.estimate, row.lower, row.upper].map { TextTable.format($0) })
        }
        tables.append(residual.rendered)
        return tables.joined(separator: "\n")
    }

    // MARK: - Figures

    private var residualFigures: String {
        let captions: [DiagnosticPlotKind: String] = [
            .fitted: "Residuals against fitted values: look for curvature or a funnel (non-constant variance).",
            .qq: "Normal Q–Q plot: the points follow the dashed line when the residuals are normal.",
            .histogram: "Histogram of the residuals with the normal density of their mean and SD.",
            .observed: "Observed against fitted values: the residual is the vertical distance to the dashed line.",
        ]
        let figures = Self.residualPlotKinds.compactMap { kind -> String? in
            guard let svg = try? DiagnosticPlots.svg(kind, data: diagnostics) else { return nil }
            return figure(svg, caption: captions[kind] ?? kind.summary, kind: kind.rawValue)
        }
        return "<div class=\"plots\">\n" + figures.joined(separator: "\n") + "\n</div>"
    }

    private var caterpillarFigures: String {
        let figures = zip(diagnostics.randomEffects, DiagnosticPlots.caterpillars(diagnostics, confidence: 1 - summary.alpha))
            .map { series, svg in
                figure(svg, caption: "\(series.group), \(series.name): conditional modes sorted by estimate, with \(confidenceLabel) intervals.",
                       kind: "caterpillar")
            }
        return "<div class=\"plots\">\n" + figures.joined(separator: "\n") + "\n</div>"
    }

    private func figure(_ svg: SVGDocument, caption: String, kind: String) -> String {
        "<figure class=\"plot-\(kind)\">\n\(svg.markup(namespace: false))\n<figcaption>\(HTMLText.escaped(caption))</figcaption>\n</figure>"
    }

    private func section(_ title: String, _ body: String) -> String {
        "<section>\n<h2>\(HTMLText.escaped(title))</h2>\n\(body)\n</section>"
    }

    // MARK: - Labels

    private var confidenceLabel: String { TextTable.format(100 * (1 - summary.alpha), digits: 4) + "%" }

    private var zLabel: String {
        String(format: "%.2f", NormalDistribution().quantile(1 - summary.alpha / 2))
    }

    private var anovaLabel: String {
        switch summary.anovaType {
        case .typeIII: return "type III"
        case .typeII: return "type II"
        case .typeI: return "type I (sequential)"
        case .marginal: return "marginal"
        }
    }
}
