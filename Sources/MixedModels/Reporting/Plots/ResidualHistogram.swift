import Distributions
import Foundation

/// The histogram of the residuals (MATLAB `plotResiduals(lme, 'histogram')`) with the normal
/// density of the residuals' mean and standard deviation scaled to counts.
///
/// Bins are left-closed [a, a + w) (the last one also holds its right end, the maximum) with a nice width w
/// (1, 2 or 5 × 10^e) near the Freedman–Diaconis width 2·IQR·n^(−1/3), between 8 and 60 bins
/// (Sturges' log₂n + 1 bins when the IQR is 0).
struct ResidualHistogram: Sendable, Equatable {
    /// The left edge of the first bin.
    let start: Double
    /// The bin width.
    let width: Double
    /// The number of values in each bin.
    let counts: [Int]

    /// The bins of the finite `values`.
    init(values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        guard let minimum = sorted.first, let maximum = sorted.last, (maximum - minimum).isFinite else {
            self.start = 0
            self.width = 1
            self.counts = []
            return
        }
        let n = Double(sorted.count)
        let range = maximum - minimum
        let iqr = Quantiles.type7(sorted: sorted, probability: 0.75) - Quantiles.type7(sorted: sorted, probability: 0.25)
        let sturges = (log2(n) + 1).rounded(.up)
        var binCount = iqr > 0 ? range / (2 * iqr * pow(n, -1.0 / 3.0)) : sturges
        binCount = min(max(binCount.rounded(), 8), 60)
        var width = range > 0 ? NiceScale.niceNumber(range / binCount, rounding: true).value : max(abs(minimum) * 0.1, 1)
        var start = (minimum / width).rounded(.down) * width
        // A nice width can give a few bins more than asked; widen while there are too many.
        while ((maximum - start) / width).rounded(.up) > 80 {
            width = NiceScale.niceNumber(width * 1.5, rounding: true).value
            start = (minimum / width).rounded(.down) * width
        }
        let bins = max(Int(((maximum - start) / width).rounded(.up)), 1)
        var counts = [Int](repeating: 0, count: bins)
        for value in sorted {
            counts[min(max(Int(((value - start) / width).rounded(.down)), 0), bins - 1)] += 1
        }
        self.start = start
        self.width = width
        self.counts = counts
    }

    /// The bin width with the decimals it needs ("0.1", "20").
    var widthLabel: String {
        let exponent = NiceScale.niceNumber(width, rounding: true).exponent
        return String(format: "%.\(max(0, -exponent))f", width)
    }

    static func svg(_ data: DiagnosticData) -> SVGDocument {
        let finite = data.finiteResiduals
        let histogram = ResidualHistogram(values: finite.values)
        let n = Double(finite.values.count)
        let mean = n > 0 ? finite.values.reduce(0, +) / n : 0
        let variance = n > 1 ? finite.values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
        let normal = NormalDistribution(mean: mean, standardDeviation: variance.squareRoot())
        let end = histogram.start + Double(histogram.counts.count) * histogram.width
        let xScale = NiceScale(minimum: histogram.start, maximum: end, padding: 0.02)
        let peakDensity = variance > 0 ? n * histogram.width * normal.pdf(mean) : 0
        let tallest = Double(histogram.counts.max() ?? 0)
        let yScale = NiceScale(minimum: 0, maximum: max(tallest, peakDensity, 1) * 1.08, padding: 0)
        let subtitle = data.countNote(shown: finite.values.count, omitted: finite.omitted, scatter: false)
            + "; bin width \(histogram.widthLabel); curve: normal density with the residuals' mean and SD"
        let frame = PlotFrame(xScale: xScale, yScale: yScale, title: "Histogram of residuals", subtitle: subtitle,
                              xTitle: data.residualTitle, yTitle: "Count")
        var svg = frame.canvas()
        for (index, count) in histogram.counts.enumerated() where count > 0 {
            let left = frame.x(histogram.start + Double(index) * histogram.width)
            let right = frame.x(histogram.start + Double(index + 1) * histogram.width)
            let top = frame.y(Double(count))
            svg.rectangle(x: left, y: top, width: right - left, height: frame.y(0) - top, fill: PlotStyle.bars,
                          stroke: "#ffffff", strokeWidth: right - left > 4 ? 1 : 0)
        }
        if variance > 0 {
            let curve = (0...200).map { step -> (x: Double, y: Double) in
                let x = xScale.lower + Double(step) / 200 * (xScale.upper - xScale.lower)
                return (frame.x(x), frame.y(n * histogram.width * normal.pdf(x)))
            }
            svg.polyline(curve, stroke: PlotStyle.reference, width: 2)
        }
        return svg
    }
}
