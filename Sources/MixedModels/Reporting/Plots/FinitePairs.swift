/// Pairs of values with both members finite (a non-finite residual is left out of a plot, and
/// the plot's subtitle counts it).
enum FinitePairs {
    static func of(_ xs: [Double], _ ys: [Double]) -> (xs: [Double], ys: [Double]) {
        var keptX: [Double] = []
        var keptY: [Double] = []
        let count = min(xs.count, ys.count)
        keptX.reserveCapacity(count)
        keptY.reserveCapacity(count)
        for index in 0..<count where xs[index].isFinite && ys[index].isFinite {
            keptX.append(xs[index])
            keptY.append(ys[index])
        }
        return (keptX, keptY)
    }
}
