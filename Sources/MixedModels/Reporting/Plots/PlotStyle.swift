/// The colours and type sizes shared by every plot, chosen to read well on a laptop screen and
/// in print.
enum PlotStyle {
    static let background = "#ffffff"
    static let panelBorder = "#b8b8b8"
    static let grid = "#ececec"
    static let tickLabel = "#444444"
    static let text = "#222222"
    static let subtitle = "#666666"
    static let points = "#1f5fa8"
    static let reference = "#c0392b"
    static let bars = "#8fb3dc"
    static let interval = "#7a9cc6"

    static let titleSize = 16.0
    static let subtitleSize = 12.0
    static let axisTitleSize = 13.0
    static let tickLabelSize = 12.0

    /// The width of a standard plot, in CSS pixels.
    static let width = 640.0
    /// The height of a standard plot.
    static let height = 440.0
}
