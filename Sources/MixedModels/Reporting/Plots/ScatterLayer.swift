import Foundation

/// The points of a scatter plot. Up to ``maximumPoints`` points are drawn one by one; beyond
/// that (a model of a million observations would otherwise give an SVG of tens of megabytes)
/// they are counted in square cells of ``cellSize`` pixels and each occupied cell is shaded by
/// its count on a log scale, so the file stays below about a megabyte whatever n is.
enum ScatterLayer {
    /// The most points drawn individually.
    static let maximumPoints = 20_000
    /// The side of a density cell, in pixels.
    static let cellSize = 4.0
    /// The number of shades of the density cells.
    static let shadeCount = 8

    /// The note for the subtitle when `count` points are drawn as density cells.
    static func densityNote(count: Int) -> String? {
        count > maximumPoints ? "shown as density (darker \(Int(cellSize))-pixel cells hold more points)" : nil
    }

    /// Draws the finite pairs of (xs, ys) in the frame's panel: dots, or density cells beyond
    /// ``maximumPoints`` (see ``densityNote(count:)``).
    static func draw(xs: [Double], ys: [Double], in frame: PlotFrame, into svg: inout SVGDocument) {
        let count = min(xs.count, ys.count)
        var finiteCount = 0
        for index in 0..<count where xs[index].isFinite && ys[index].isFinite { finiteCount += 1 }
        if finiteCount <= maximumPoints {
            var points: [(x: Double, y: Double)] = []
            points.reserveCapacity(finiteCount)
            for index in 0..<count where xs[index].isFinite && ys[index].isFinite {
                points.append((frame.x(xs[index]), frame.y(ys[index])))
            }
            let (diameter, opacity) = dotAppearance(count: finiteCount)
            svg.dots(points, diameter: diameter, color: PlotStyle.points, opacity: opacity)
            return
        }
        drawDensity(xs: xs, ys: ys, count: count, in: frame, into: &svg)
    }

    /// Dot diameter and opacity: larger and more opaque for few points.
    static func dotAppearance(count: Int) -> (diameter: Double, opacity: Double) {
        switch count {
        case ..<300: return (5.5, 0.75)
        case ..<3000: return (4, 0.5)
        default: return (3, 0.35)
        }
    }

    private static func drawDensity(xs: [Double], ys: [Double], count: Int, in frame: PlotFrame, into svg: inout SVGDocument) {
        let columns = max(Int(((frame.panelRight - frame.panelLeft) / cellSize).rounded(.up)), 1)
        let rows = max(Int(((frame.panelBottom - frame.panelTop) / cellSize).rounded(.up)), 1)
        var cells = [Int](repeating: 0, count: columns * rows)
        for index in 0..<count where xs[index].isFinite && ys[index].isFinite {
            let column = (frame.x(xs[index]) - frame.panelLeft) / cellSize
            let row = (frame.y(ys[index]) - frame.panelTop) / cellSize
            guard column >= 0, column < Double(columns), row >= 0, row < Double(rows) else { continue }
            cells[Int(row) * columns + Int(column)] += 1
        }
        let largest = cells.max() ?? 0
        guard largest > 0 else { return }
        var shades = [[(x: Double, y: Double)]](repeating: [], count: shadeCount)
        let logLargest = log(1 + Double(largest))
        for row in 0..<rows {
            for column in 0..<columns where cells[row * columns + column] > 0 {
                let fraction = log(1 + Double(cells[row * columns + column])) / logLargest
                let shade = min(max(Int((fraction * Double(shadeCount)).rounded(.up)) - 1, 0), shadeCount - 1)
                shades[shade].append((frame.panelLeft + Double(column) * cellSize, frame.panelTop + Double(row) * cellSize))
            }
        }
        for (shade, corners) in shades.enumerated() {
            let opacity = 0.15 + 0.85 * Double(shade + 1) / Double(shadeCount)
            svg.squares(corners, size: cellSize, fill: PlotStyle.points, opacity: opacity)
        }
    }

    /// An integer with thousands separators ("1,000,000").
    static func formatCount(_ value: Int) -> String {
        let digits = String(abs(value))
        var groups: [Substring] = []
        var end = digits.endIndex
        while end > digits.startIndex {
            let start = digits.index(end, offsetBy: -3, limitedBy: digits.startIndex) ?? digits.startIndex
            groups.insert(digits[start..<end], at: 0)
            end = start
        }
        return (value < 0 ? "-" : "") + groups.joined(separator: ",")
    }
}
