/// The interpolation points of BOBYQA (Powell 2009, DAMTP 2009/NA06, Section 2).
///
/// Points are stored relative to the base point `base` (Powell's XBASE) in a flat
/// row-major buffer, one row of `n` coordinates per point. The bounds are stored as
/// displacements from the base (Powell's SL ≤ 0 ≤ SU), so a point lies on a bound
/// exactly when its coordinate equals the stored displacement.
struct InterpolationSet {
    /// Number of variables.
    let n: Int
    /// Number of interpolation points m (n + 2 ≤ m ≤ (n + 1)(n + 2)/2).
    let count: Int
    /// The base point (absolute coordinates).
    var base: [Double]
    /// `count × n` row-major coordinates relative to `base`.
    var points: [Double]
    /// Objective values at the points (non-finite values already replaced).
    var values: [Double]
    /// Index of the point with the least value (Powell's KOPT).
    var best: Int = 0
    /// Lower bounds minus the base (Powell's SL).
    var lowerGap: [Double]
    /// Upper bounds minus the base (Powell's SU).
    var upperGap: [Double]

    init(n: Int, count: Int) {
        self.n = n
        self.count = count
        base = Array(repeating: 0, count: n)
        points = Array(repeating: 0, count: count * n)
        values = Array(repeating: 0, count: count)
        lowerGap = Array(repeating: 0, count: n)
        upperGap = Array(repeating: 0, count: n)
    }

    /// Coordinate `i` of point `k`.
    @inline(__always)
    func coordinate(_ k: Int, _ i: Int) -> Double { points[k * n + i] }

    /// Inner product of point `k` with `v`.
    @inline(__always)
    func dot(_ k: Int, _ v: [Double]) -> Double {
        var sum = 0.0
        let offset = k * n
        for i in 0..<n { sum += points[offset + i] * v[i] }
        return sum
    }

    /// Squared distance from point `k` to `v`.
    @inline(__always)
    func distanceSquared(_ k: Int, _ v: [Double]) -> Double {
        var sum = 0.0
        let offset = k * n
        for i in 0..<n {
            let t = points[offset + i] - v[i]
            sum += t * t
        }
        return sum
    }

    /// Copies point `k` into `v`.
    func copyPoint(_ k: Int, into v: inout [Double]) {
        let offset = k * n
        for i in 0..<n { v[i] = points[offset + i] }
    }

    /// Replaces point `k` by `v`.
    mutating func setPoint(_ k: Int, to v: [Double]) {
        let offset = k * n
        for i in 0..<n { points[offset + i] = v[i] }
    }
}
