/// Sample quantiles of sorted data.
enum Quantiles {
    /// R's default (type 7) quantile: linear interpolation between order statistics at
    /// position (n − 1)p; NaN for empty data.
    static func type7(sorted values: [Double], probability p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let position = Double(values.count - 1) * p
        let below = Int(position.rounded(.down))
        let above = min(below + 1, values.count - 1)
        let fraction = position - Double(below)
        return values[below] + fraction * (values[above] - values[below])
    }
}
