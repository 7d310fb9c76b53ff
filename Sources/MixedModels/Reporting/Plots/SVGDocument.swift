import Foundation

/// A small SVG writer: a canvas of `width` × `height` user units to which shapes and text are
/// appended as markup. Coordinates are written rounded to 0.1 unit, so that a plot of many
/// points stays compact.
///
/// The document never refers to anything outside itself (no fonts, images, links or scripts).
public struct SVGDocument: Sendable {
    /// The canvas width in user units (CSS pixels at 100 %).
    public let width: Double
    /// The canvas height in user units.
    public let height: Double
    /// The markup of the elements, in drawing order.
    private(set) var elements: [String] = []

    /// An empty canvas.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The standalone SVG file: an XML document with the SVG namespace.
    public var rendered: String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + markup(namespace: true) + "\n"
    }

    /// The `<svg>` element; without the namespace declaration for inline use in HTML, where the
    /// parser supplies it.
    public func markup(namespace: Bool) -> String {
        let xmlns = namespace ? " xmlns=\"http://www.w3.org/2000/svg\"" : ""
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        let view = "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
        let style = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""
        return "<svg\(xmlns) \(size) \(view) \(style) role=\"img\">\n" + elements.joined(separator: "\n") + "\n</svg>"
    }

    // MARK: - Shapes

    /// A straight line segment.
    mutating func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), stroke: String,
                       width: Double = 1, dash: String? = nil) {
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        elements.append("<line x1=\"\(Self.number(start.x))\" y1=\"\(Self.number(start.y))\" x2=\"\(Self.number(end.x))\" y2=\"\(Self.number(end.y))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"\(dashAttribute)/>")
    }

    /// A rectangle.
    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String,
                            stroke: String? = nil, strokeWidth: Double = 1, opacity: Double = 1) {
        let strokeAttribute = stroke.map { " stroke=\"\($0)\" stroke-width=\"\(Self.number(strokeWidth))\"" } ?? ""
        let opacityAttribute = opacity < 1 ? " fill-opacity=\"\(Self.number(opacity, digits: 2))\"" : ""
        elements.append("<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" fill=\"\(fill)\"\(opacityAttribute)\(strokeAttribute)/>")
    }

    /// A circle.
    mutating func circle(center: (x: Double, y: Double), radius: Double, fill: String, stroke: String? = nil) {
        let strokeAttribute = stroke.map { " stroke=\"\($0)\"" } ?? ""
        elements.append("<circle cx=\"\(Self.number(center.x))\" cy=\"\(Self.number(center.y))\" r=\"\(Self.number(radius))\" fill=\"\(fill)\"\(strokeAttribute)/>")
    }

    /// An open polyline through `points`.
    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 1.5, dash: String? = nil) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        let dashAttribute = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        elements.append("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"\(dashAttribute)/>")
    }

    /// Dots of diameter `diameter` at `points`, as one path of zero-length segments with round
    /// caps (about 12 bytes a point instead of about 40 for a `<circle>`).
    mutating func dots(_ points: [(x: Double, y: Double)], diameter: Double, color: String, opacity: Double = 1) {
        guard !points.isEmpty else { return }
        var data = ""
        data.reserveCapacity(points.count * 13)
        for point in points {
            data += "M\(Self.number(point.x)) \(Self.number(point.y))h0"
        }
        let opacityAttribute = opacity < 1 ? " stroke-opacity=\"\(Self.number(opacity, digits: 2))\"" : ""
        elements.append("<path d=\"\(data)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(Self.number(diameter))\" stroke-linecap=\"round\"\(opacityAttribute)/>")
    }

    /// Horizontal segments (one path), e.g. the intervals of a caterpillar plot.
    mutating func horizontalSegments(_ segments: [(x1: Double, x2: Double, y: Double)], stroke: String, width: Double,
                                     opacity: Double = 1) {
        guard !segments.isEmpty else { return }
        var data = ""
        for segment in segments {
            data += "M\(Self.number(segment.x1)) \(Self.number(segment.y))H\(Self.number(segment.x2))"
        }
        let opacityAttribute = opacity < 1 ? " stroke-opacity=\"\(Self.number(opacity, digits: 2))\"" : ""
        elements.append("<path d=\"\(data)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.number(width))\"\(opacityAttribute)/>")
    }

    /// Axis-aligned squares of side `size` with top-left corners `corners`, as one filled path.
    mutating func squares(_ corners: [(x: Double, y: Double)], size: Double, fill: String, opacity: Double) {
        guard !corners.isEmpty else { return }
        let side = Self.number(size)
        var data = ""
        for corner in corners {
            data += "M\(Self.number(corner.x)) \(Self.number(corner.y))h\(side)v\(side)h-\(side)z"
        }
        elements.append("<path d=\"\(data)\" fill=\"\(fill)\" fill-opacity=\"\(Self.number(opacity, digits: 2))\"/>")
    }

    /// Text anchored at (x, y) (the baseline), optionally rotated by `rotation` degrees about
    /// that point.
    mutating func text(_ string: String, at point: (x: Double, y: Double), size: Double, anchor: TextAnchor = .start,
                       color: String = "#222", bold: Bool = false, rotation: Double = 0) {
        var attributes = "x=\"\(Self.number(point.x))\" y=\"\(Self.number(point.y))\" font-size=\"\(Self.number(size))\" fill=\"\(color)\""
        if anchor != .start { attributes += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { attributes += " font-weight=\"bold\"" }
        if rotation != 0 {
            attributes += " transform=\"rotate(\(Self.number(rotation)) \(Self.number(point.x)) \(Self.number(point.y)))\""
        }
        elements.append("<text \(attributes)>\(Self.escaped(string))</text>")
    }

    /// A title element (shown as a tooltip and read by screen readers).
    mutating func title(_ string: String) {
        elements.insert("<title>\(Self.escaped(string))</title>", at: 0)
    }

    /// Draws another document with its top-left corner at (x, y).
    mutating func place(_ other: SVGDocument, x: Double, y: Double) {
        elements.append("<g transform=\"translate(\(Self.number(x)) \(Self.number(y)))\">")
        elements += other.elements.filter { !$0.hasPrefix("<title>") }
        elements.append("</g>")
    }

    /// Where text is anchored.
    enum TextAnchor: String, Sendable {
        case start, middle, end
    }

    // MARK: - Formatting

    /// A coordinate rounded to `digits` decimals, without trailing zeros ("12.5", "3", "-0.1").
    static func number(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "0" }
        guard abs(value) < 1e12 else { return String(format: "%.0f", value) }
        var scale = 1
        for _ in 0..<max(digits, 0) { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded())
        let whole = abs(scaled) / scale
        var fraction = abs(scaled) % scale
        let sign = scaled < 0 ? "-" : ""
        guard fraction != 0 else { return sign + String(whole) }
        var places = digits
        while fraction % 10 == 0 {
            fraction /= 10
            places -= 1
        }
        let fractionText = String(fraction)
        return sign + String(whole) + "." + String(repeating: "0", count: max(places - fractionText.count, 0)) + fractionText
    }

    /// Text with the XML special characters escaped.
    static func escaped(_ string: String) -> String {
        var result = ""
        result.reserveCapacity(string.count)
        for character in string {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}
