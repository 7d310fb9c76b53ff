/// The symmetry plot of the residuals (MATLAB `plotResiduals(lme, 'symmetry')`; Chambers,
/// Cleveland, Kleiner and Tukey 1983): with r₍₁₎ ≤ … ≤ r₍ₙ₎ and median m, the points
/// (m − r₍ᵢ₎, r₍ₙ₊₁₋ᵢ₎ − m) for i = 1 … ⌊n/2⌋. Symmetric residuals lie on the dashed line
/// y = x; right skew puts the points above it.
enum SymmetryPlot {
    /// The plotted points, the most extreme pair first.
    static func points(_ residuals: [Double]) -> (lower: [Double], upper: [Double]) {
        let sorted = residuals.filter(\.isFinite).sorted()
        let n = sorted.count
        guard n >= 2 else { return ([], []) }
        let median = Quantiles.type7(sorted: sorted, probability: 0.5)
        let half = n / 2
        return ((0..<half).map { median - sorted[$0] }, (0..<half).map { sorted[n - 1 - $0] - median })
    }

    static func svg(_ data: DiagnosticData) -> SVGDocument {
        let (lower, upper) = points(data.residuals)
        let kept = RankThinning.indices(count: lower.count)
        let finite = data.finiteResiduals
        var subtitle = data.countNote(shown: finite.values.count, omitted: finite.omitted, scatter: false)
            + "; \(ScatterLayer.formatCount(lower.count)) pairs"
        if let note = RankThinning.note(count: lower.count, shown: kept.count) { subtitle += "; " + note }
        subtitle += "; dashed line: symmetry"
        let scale = NiceScale(covering: lower + upper)
        let frame = PlotFrame(xScale: scale, yScale: scale, title: "Symmetry plot of residuals", subtitle: subtitle,
                              xTitle: "Lower half: median − r(i)", yTitle: "Upper half: r(n+1−i) − median")
        var svg = frame.canvas()
        frame.referenceLine(intercept: 0, slope: 1, into: &svg)
        let points = kept.map { (x: frame.x(lower[$0]), y: frame.y(upper[$0])) }
        let (diameter, opacity) = ScatterLayer.dotAppearance(count: kept.count)
        svg.dots(points, diameter: diameter, color: PlotStyle.points, opacity: opacity)
        return svg
    }
}
