import Foundation

/// The frame of a plot with two numeric axes: canvas, margins, title and subtitle, axis titles,
/// grid lines, ticks and tick labels. Plot kinds draw their marks inside the panel with
/// ``x(_:)`` and ``y(_:)``.
struct PlotFrame {
    let xScale: NiceScale
    let yScale: NiceScale
    let title: String
    let subtitle: String
    let xTitle: String
    let yTitle: String
    var width = PlotStyle.width
    var height = PlotStyle.height
    /// Margins: left holds the y tick labels and title, top the title and subtitle.
    var left = 76.0
    var right = 24.0
    var top = 62.0
    var bottom = 58.0
    /// Whether the y axis has numeric ticks and grid lines (a caterpillar plot labels levels).
    var hasNumericYAxis = true

    var panelLeft: Double { left }
    var panelRight: Double { width - right }
    /// Below the title and the subtitle's lines.
    var panelTop: Double { top + Self.subtitleLineHeight * Double(max(subtitleLines.count - 1, 0)) }
    var panelBottom: Double { height - bottom }

    /// The canvas x coordinate of a data value.
    func x(_ value: Double) -> Double { xScale.position(of: value, from: panelLeft, to: panelRight) }
    /// The canvas y coordinate of a data value (up is larger).
    func y(_ value: Double) -> Double { yScale.position(of: value, from: panelBottom, to: panelTop) }

    private var yTicks: [Double] { hasNumericYAxis ? yScale.ticks : [] }

    /// A canvas with the background, grid, axes and titles drawn.
    func canvas() -> SVGDocument {
        var svg = SVGDocument(width: width, height: height)
        svg.title(title)
        svg.rectangle(x: 0, y: 0, width: width, height: height, fill: PlotStyle.background)
        for tick in xScale.ticks {
            svg.line(from: (x(tick), panelTop), to: (x(tick), panelBottom), stroke: PlotStyle.grid)
        }
        for tick in yTicks {
            svg.line(from: (panelLeft, y(tick)), to: (panelRight, y(tick)), stroke: PlotStyle.grid)
        }
        svg.rectangle(x: panelLeft, y: panelTop, width: panelRight - panelLeft, height: panelBottom - panelTop,
                      fill: "none", stroke: PlotStyle.panelBorder)
        for tick in xScale.ticks {
            svg.line(from: (x(tick), panelBottom), to: (x(tick), panelBottom + 5), stroke: PlotStyle.panelBorder)
            svg.text(xScale.label(tick), at: (x(tick), panelBottom + 19), size: PlotStyle.tickLabelSize,
                     anchor: .middle, color: PlotStyle.tickLabel)
        }
        for tick in yTicks {
            svg.line(from: (panelLeft - 5, y(tick)), to: (panelLeft, y(tick)), stroke: PlotStyle.panelBorder)
            svg.text(yScale.label(tick), at: (panelLeft - 8, y(tick) + 4), size: PlotStyle.tickLabelSize,
                     anchor: .end, color: PlotStyle.tickLabel)
        }
        Self.drawTitles(into: &svg, title: title, subtitleLines: subtitleLines, width: width)
        svg.text(xTitle, at: ((panelLeft + panelRight) / 2, height - 16), size: PlotStyle.axisTitleSize, anchor: .middle)
        svg.text(yTitle, at: (18, (panelTop + panelBottom) / 2), size: PlotStyle.axisTitleSize, anchor: .middle,
                 rotation: -90)
        return svg
    }

    static let subtitleLineHeight = 15.0

    /// The subtitle broken at "; " into lines that fit the canvas width.
    var subtitleLines: [String] {
        Self.wrapped(subtitle, maximumCharacters: Int((width - 32) / (PlotStyle.subtitleSize * 0.58)))
    }

    /// `text` split at "; " into lines of at most `maximumCharacters` (a longer part keeps its
    /// own line).
    static func wrapped(_ text: String, maximumCharacters: Int) -> [String] {
        guard !text.isEmpty else { return [] }
        var lines: [String] = []
        var current = ""
        for part in text.components(separatedBy: "; ") {
            if current.isEmpty {
                current = part
            } else if current.count + 2 + part.count <= maximumCharacters {
                current += "; " + part
            } else {
                lines.append(current)
                current = part
            }
        }
        lines.append(current)
        return lines
    }

    /// The title and the subtitle's lines, centred at the top.
    static func drawTitles(into svg: inout SVGDocument, title: String, subtitleLines: [String], width: Double) {
        svg.text(title, at: (width / 2, 24), size: PlotStyle.titleSize, anchor: .middle, bold: true)
        for (index, line) in subtitleLines.enumerated() {
            svg.text(line, at: (width / 2, 43 + subtitleLineHeight * Double(index)), size: PlotStyle.subtitleSize,
                     anchor: .middle, color: PlotStyle.subtitle)
        }
    }

    /// The line a + b·x clipped to the panel, or a horizontal/vertical reference line.
    func referenceLine(intercept: Double, slope: Double, into svg: inout SVGDocument, dash: String = "6 4") {
        guard intercept.isFinite, slope.isFinite else { return }
        // Clip the segment over [xLower, xUpper] to y in [yLower, yUpper].
        var x0 = xScale.lower
        var x1 = xScale.upper
        if slope != 0 {
            let atLower = (yScale.lower - intercept) / slope
            let atUpper = (yScale.upper - intercept) / slope
            x0 = max(x0, min(atLower, atUpper))
            x1 = min(x1, max(atLower, atUpper))
        } else if intercept < yScale.lower || intercept > yScale.upper {
            return
        }
        guard x1 > x0 else { return }
        svg.line(from: (x(x0), y(intercept + slope * x0)), to: (x(x1), y(intercept + slope * x1)),
                 stroke: PlotStyle.reference, width: 1.5, dash: dash)
    }
}
