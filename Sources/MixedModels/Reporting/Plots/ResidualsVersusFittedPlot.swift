/// Residuals against fitted values with a dashed line at zero (MATLAB `plotResiduals(lme,
/// 'fitted')`, lme4's `plot(fit)`).
enum ResidualsVersusFittedPlot {
    static func svg(_ data: DiagnosticData) -> SVGDocument {
        let (xs, ys) = FinitePairs.of(data.fitted, data.residuals)
        let frame = PlotFrame(xScale: NiceScale(covering: xs), yScale: NiceScale(covering: ys),
                              title: "Residuals vs fitted values",
                              subtitle: data.countNote(shown: xs.count, omitted: data.residuals.count - xs.count),
                              xTitle: data.fittedTitle, yTitle: data.residualTitle)
        var svg = frame.canvas()
        frame.referenceLine(intercept: 0, slope: 0, into: &svg)
        ScatterLayer.draw(xs: xs, ys: ys, in: frame, into: &svg)
        return svg
    }
}
