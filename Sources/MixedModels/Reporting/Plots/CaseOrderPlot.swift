/// Residuals against the data row of each observation (MATLAB `plotResiduals(lme,
/// 'caseorder')`): trends or runs along the file show dependence on the order of collection.
enum CaseOrderPlot {
    static func svg(_ data: DiagnosticData) -> SVGDocument {
        let (xs, ys) = FinitePairs.of(data.rows.map(Double.init), data.residuals)
        let frame = PlotFrame(xScale: NiceScale(covering: xs), yScale: NiceScale(covering: ys),
                              title: "Residuals in case order",
                              subtitle: data.countNote(shown: xs.count, omitted: data.residuals.count - xs.count),
                              xTitle: "Data row", yTitle: data.residualTitle)
        var svg = frame.canvas()
        frame.referenceLine(intercept: 0, slope: 0, into: &svg)
        ScatterLayer.draw(xs: xs, ys: ys, in: frame, into: &svg)
        return svg
    }
}
