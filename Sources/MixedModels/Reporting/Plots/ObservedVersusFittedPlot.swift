/// Observed responses against fitted values with the dashed line y = x (MATLAB
/// `plotResiduals(glme, 'observed')`): each residual is the vertical distance of its point
/// from the line. Both axes share one scale.
enum ObservedVersusFittedPlot {
    static func svg(_ data: DiagnosticData) -> SVGDocument {
        let (xs, ys) = FinitePairs.of(data.fitted, data.observed)
        let scale = NiceScale(covering: xs + ys)
        let frame = PlotFrame(xScale: scale, yScale: scale, title: "Observed vs fitted values",
                              subtitle: data.countNote(shown: xs.count, omitted: data.observed.count - xs.count)
                                  + "; dashed line: observed = fitted",
                              xTitle: data.fittedTitle, yTitle: "Observed response")
        var svg = frame.canvas()
        frame.referenceLine(intercept: 0, slope: 1, into: &svg)
        ScatterLayer.draw(xs: xs, ys: ys, in: frame, into: &svg)
        return svg
    }
}
