import Distributions
import Foundation

/// The caterpillar plot of one random-effects column: per level of the grouping factor the
/// conditional mode b̂ with the interval b̂ ± z·condSD (z = 1.96 for 95 %), levels sorted by
/// estimate from the bottom up, and a dashed line at zero (lme4's
/// `dotplot(ranef(fit, condVar = TRUE))`).
///
/// Up to ``fullyLabelledLevels`` levels every level has a row and a label. Beyond that the
/// panel keeps a readable height and labels every k-th level in rank (k chosen so that labels
/// do not overlap; the lowest and highest are always labelled); beyond ``maximumDrawnLevels``
/// the levels drawn are thinned evenly in rank, keeping the most extreme at each end.
enum CaterpillarPlot {
    static let fullyLabelledLevels = 60
    static let maximumDrawnLevels = 5_000
    static let extremeLevelsKept = 250
    /// The row pitch when every level is labelled.
    static let labelledPitch = 16.0
    /// The smallest distance between two labels.
    static let labelSpacing = 14.0

    static func svg(_ series: RandomEffectsSeries, confidence: Double = 0.95) -> SVGDocument {
        let z = NormalDistribution().quantile(0.5 + confidence / 2)
        let available = min(series.levels.count, series.estimates.count, series.conditionalSDs.count)
        let order = (0..<available).filter { series.estimates[$0].isFinite }
            .sorted { series.estimates[$0] < series.estimates[$1] }
        let drawn = RankThinning.indices(count: order.count, maximum: maximumDrawnLevels, tail: extremeLevelsKept)
            .map { order[$0] }
        let count = drawn.count
        // Few levels get taller rows (a panel of at least ~140 px, rows at most 28 px).
        let pitch = count <= fullyLabelledLevels
            ? min(max(labelledPitch, 140 / Double(max(count, 1))), 28)
            : min(max(Double(count) * 2.5, 420), 720) / Double(count)
        let labelEvery = count <= fullyLabelledLevels ? 1 : Int((labelSpacing / pitch).rounded(.up))
        // Every k-th rank from the lowest, and the highest (without a neighbour closer than k).
        var labelled = Set(stride(from: 0, to: max(count - labelEvery, 1), by: labelEvery))
        if count > 0 { labelled.insert(count - 1) }
        let labels = Dictionary(uniqueKeysWithValues: labelled.map { ($0, Self.shortened(series.levels[drawn[$0]])) })
        let longest = labels.values.map(\.count).max() ?? 1
        let labelSize = count <= fullyLabelledLevels ? 12.0 : 11.0

        var bounds: [Double] = [0]
        for level in drawn {
            let sd = series.conditionalSDs[level].isFinite ? series.conditionalSDs[level] : 0
            bounds += [series.estimates[level] - z * sd, series.estimates[level] + z * sd]
        }
        let panelHeight = max(Double(count) * pitch, 3 * labelledPitch)
        let yTitle = Self.levelAxisTitle(group: series.group, room: panelHeight + 30)
        var frame = PlotFrame(xScale: NiceScale(covering: bounds),
                              yScale: NiceScale(minimum: 0.5, maximum: Double(count) + 0.5, padding: 0),
                              title: "Conditional modes: \(series.group), \(series.name)",
                              subtitle: subtitle(series: series, drawn: count, labelEvery: labelEvery,
                                                 z: z, confidence: confidence),
                              xTitle: "Conditional mode of \(series.name) (±\(String(format: "%.2f", z)) conditional SD)",
                              yTitle: yTitle)
        frame.hasNumericYAxis = false
        frame.left = min(max(Double(longest) * labelSize * 0.6 + 44, 72), 240)
        frame.height = frame.panelTop + panelHeight + frame.bottom
        var svg = frame.canvas()
        svg.line(from: (frame.x(0), frame.panelTop), to: (frame.x(0), frame.panelBottom), stroke: PlotStyle.reference,
                 width: 1, dash: "5 4")
        var segments: [(x1: Double, x2: Double, y: Double)] = []
        var points: [(x: Double, y: Double)] = []
        for (rank, level) in drawn.enumerated() {
            let y = frame.y(Double(rank + 1))
            let estimate = series.estimates[level]
            let sd = series.conditionalSDs[level]
            if sd.isFinite, sd > 0 {
                segments.append((frame.x(estimate - z * sd), frame.x(estimate + z * sd), y))
            }
            points.append((frame.x(estimate), y))
        }
        svg.horizontalSegments(segments, stroke: PlotStyle.interval, width: min(max(pitch * 0.45, 0.4), 1.8),
                               opacity: count <= fullyLabelledLevels ? 1 : 0.5)
        svg.dots(points, diameter: min(max(pitch * 0.6, 1.2), 6.5), color: PlotStyle.points)
        for rank in labelled.sorted() {
            let y = frame.y(Double(rank + 1))
            svg.line(from: (frame.panelLeft - 4, y), to: (frame.panelLeft, y), stroke: PlotStyle.panelBorder)
            svg.text(labels[rank] ?? "", at: (frame.panelLeft - 7, y + labelSize * 0.35), size: labelSize, anchor: .end,
                     color: PlotStyle.tickLabel)
        }
        return svg
    }

    /// Several columns of one grouping factor side by side (two per row).
    static func panels(_ series: [RandomEffectsSeries], confidence: Double = 0.95) -> SVGDocument {
        let plots = series.map { svg($0, confidence: confidence) }
        guard plots.count > 1 else { return plots.first ?? SVGDocument(width: PlotStyle.width, height: 80) }
        let columns = 2
        let cellWidth = plots.map(\.width).max() ?? PlotStyle.width
        let cellHeight = plots.map(\.height).max() ?? PlotStyle.height
        let rows = (plots.count + columns - 1) / columns
        var canvas = SVGDocument(width: cellWidth * Double(min(plots.count, columns)), height: cellHeight * Double(rows))
        canvas.title("Conditional modes: " + series.map { "\($0.group), \($0.name)" }.joined(separator: "; "))
        canvas.rectangle(x: 0, y: 0, width: canvas.width, height: canvas.height, fill: PlotStyle.background)
        for (index, plot) in plots.enumerated() {
            canvas.place(plot, x: Double(index % columns) * cellWidth, y: Double(index / columns) * cellHeight)
        }
        return canvas
    }

    private static func subtitle(series: RandomEffectsSeries, drawn: Int, labelEvery: Int, z: Double,
                                 confidence: Double) -> String {
        let total = series.levels.count
        var parts = ["\(ScatterLayer.formatCount(total)) levels"]
        if drawn < total {
            parts.append("\(ScatterLayer.formatCount(drawn)) drawn, evenly spaced in rank, including the \(extremeLevelsKept) most extreme at each end")
        }
        if labelEvery > 1 { parts.append("one \(drawn < total ? "drawn " : "")level in \(labelEvery) labelled") }
        parts.append("bars: \(TextTable.format(100 * confidence, digits: 4))% intervals")
        return parts.joined(separator: "; ")
    }

    /// The y-axis title that fits `room` pixels along the axis: "Level of G, sorted by
    /// estimate", else "Level of G", else "G".
    static func levelAxisTitle(group: String, room: Double) -> String {
        let characterWidth = PlotStyle.axisTitleSize * 0.6
        for title in ["Level of \(group), sorted by estimate", "Level of \(group)"]
        where Double(title.count) * characterWidth <= room {
            return title
        }
        return shortened(group)
    }

    /// A level name cut to 28 characters.
    static func shortened(_ name: String) -> String {
        name.count <= 28 ? name : String(name.prefix(27)) + "…"
    }
}
