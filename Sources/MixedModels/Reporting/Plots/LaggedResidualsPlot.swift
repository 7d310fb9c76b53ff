import Foundation

/// Each residual against the one before it in case order, r(t) against r(t − 1) (MATLAB
/// `plotResiduals(lme, 'lagged')`), with the lag-1 correlation in the subtitle: a tilted cloud
/// shows serial correlation.
enum LaggedResidualsPlot {
    static func svg(_ data: DiagnosticData) -> SVGDocument {
        let residuals = data.residuals
        let previous = residuals.count > 1 ? Array(residuals[..<(residuals.count - 1)]) : []
        let current = residuals.count > 1 ? Array(residuals[1...]) : []
        let (xs, ys) = FinitePairs.of(previous, current)
        let scale = NiceScale(covering: xs + ys)
        var subtitle = "\(ScatterLayer.formatCount(xs.count)) pairs of consecutive residuals"
        if let density = ScatterLayer.densityNote(count: xs.count) { subtitle += "; " + density }
        let correlation = Self.correlation(xs, ys)
        if correlation.isFinite { subtitle += "; lag-1 correlation " + String(format: "%.3f", correlation) }
        let frame = PlotFrame(xScale: scale, yScale: scale, title: "Lagged residuals", subtitle: subtitle,
                              xTitle: "Previous residual, r(t − 1)", yTitle: "Residual, r(t)")
        var svg = frame.canvas()
        frame.referenceLine(intercept: 0, slope: 0, into: &svg)
        ScatterLayer.draw(xs: xs, ys: ys, in: frame, into: &svg)
        return svg
    }

    /// Pearson's correlation of the pairs (NaN for fewer than two or no spread).
    static func correlation(_ xs: [Double], _ ys: [Double]) -> Double {
        let n = Double(xs.count)
        guard xs.count > 1 else { return .nan }
        let meanX = xs.reduce(0, +) / n
        let meanY = ys.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - meanX) * (y - meanY)
            sxx += (x - meanX) * (x - meanX)
            syy += (y - meanY) * (y - meanY)
        }
        return sxy / (sxx * syy).squareRoot()
    }
}
