import Distributions

/// The normal quantile–quantile plot of the residuals (MATLAB `plotResiduals(lme,
/// 'probability')`, R's `qqnorm` with `qqline`): sorted residuals against the standard normal
/// quantiles at R's plotting positions (`ppoints`: (i − a)/(n + 1 − 2a), a = 3/8 for n ≤ 10
/// and 1/2 otherwise), with the dashed line through the first and third quartiles.
enum NormalQuantilePlot {
    /// The plotted points: theoretical quantiles and sorted residuals.
    static func points(_ residuals: [Double]) -> (theoretical: [Double], sample: [Double]) {
        let sample = residuals.filter(\.isFinite).sorted()
        let n = sample.count
        let a = n <= 10 ? 3.0 / 8.0 : 0.5
        let normal = NormalDistribution()
        let theoretical = (0..<n).map { normal.quantile((Double($0 + 1) - a) / (Double(n) + 1 - 2 * a)) }
        return (theoretical, sample)
    }

    /// The line through the quartiles of the sample and of the normal distribution (R's
    /// `qqline`, quantile type 7).
    static func quartileLine(sorted sample: [Double]) -> (intercept: Double, slope: Double) {
        let normal = NormalDistribution()
        let q1 = Quantiles.type7(sorted: sample, probability: 0.25)
        let q3 = Quantiles.type7(sorted: sample, probability: 0.75)
        let z1 = normal.quantile(0.25)
        let z3 = normal.quantile(0.75)
        let slope = (q3 - q1) / (z3 - z1)
        return (q1 - slope * z1, slope)
    }

    static func svg(_ data: DiagnosticData) -> SVGDocument {
        let (theoretical, sample) = points(data.residuals)
        let kept = RankThinning.indices(count: sample.count)
        var subtitle = data.countNote(shown: sample.count, omitted: data.residuals.count - sample.count, scatter: false)
        if let note = RankThinning.note(count: sample.count, shown: kept.count) { subtitle += "; " + note }
        subtitle += "; dashed line through the quartiles"
        let frame = PlotFrame(xScale: NiceScale(covering: theoretical), yScale: NiceScale(covering: sample),
                              title: "Normal Q–Q plot of residuals", subtitle: subtitle,
                              xTitle: "Standard normal quantile", yTitle: data.residualTitle)
        var svg = frame.canvas()
        if sample.count >= 2 {
            let line = quartileLine(sorted: sample)
            frame.referenceLine(intercept: line.intercept, slope: line.slope, into: &svg)
        }
        let points = kept.map { (x: frame.x(theoretical[$0]), y: frame.y(sample[$0])) }
        let (diameter, opacity) = ScatterLayer.dotAppearance(count: kept.count)
        svg.dots(points, diameter: diameter, color: PlotStyle.points, opacity: opacity)
        return svg
    }
}
