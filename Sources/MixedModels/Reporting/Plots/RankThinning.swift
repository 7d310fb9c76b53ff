/// The positions of a sorted sequence that a plot of order statistics draws (Q–Q and symmetry
/// plots). Up to ``maximumPoints`` every position; beyond that the ``tailPoints`` most extreme
/// at each end (where departures from the reference line show) and evenly spaced positions in
/// between, so the curve keeps its shape while the file stays small.
enum RankThinning {
    /// The most order statistics drawn.
    static let maximumPoints = 20_000
    /// The order statistics kept at each end when thinning.
    static let tailPoints = 1_000

    /// Increasing indices into 0..<count.
    static func indices(count: Int, maximum: Int = maximumPoints, tail: Int = tailPoints) -> [Int] {
        guard count > maximum else { return Array(0..<count) }
        let middleStart = tail
        let middleEnd = count - tail  // exclusive
        let middleSlots = max(maximum - 2 * tail, 2)
        var result = Array(0..<tail)
        let span = Double(middleEnd - 1 - middleStart)
        var last = tail - 1
        for slot in 0..<middleSlots {
            let index = middleStart + Int((Double(slot) * span / Double(middleSlots - 1)).rounded())
            if index > last {
                result.append(index)
                last = index
            }
        }
        result += (middleEnd..<count).filter { $0 > last }
        return result
    }

    /// The subtitle note when thinning happened.
    static func note(count: Int, shown: Int) -> String? {
        guard shown < count else { return nil }
        return "\(ScatterLayer.formatCount(shown)) of \(ScatterLayer.formatCount(count)) points drawn, including the \(ScatterLayer.formatCount(tailPoints)) most extreme at each end"
    }
}
