/// Calls the user's objective on behalf of BOBYQA: counts every call, maps the
/// optimiser's free variables into the full vector (variables whose bounds
/// coincide are held fixed), remembers the best finite value seen, and replaces
/// non-finite values by a large finite one so that NaN or ±∞ never enters the
/// quadratic model of Powell 2009 (DAMTP 2009/NA06).
struct ObjectiveEvaluator {
    /// Indices of the free variables in the full vector.
    let freeIndices: [Int]
    /// The scale of each free variable: the optimiser works with x / scale.
    let scales: [Double]
    /// The full argument vector; fixed entries never change.
    private var full: [Double]
    /// Number of calls made.
    private(set) var evaluations = 0
    /// The raw value of the first call.
    private(set) var initialValue = Double.nan
    /// The full point with the least finite value seen so far.
    private(set) var bestPoint: [Double]
    /// The least finite value seen so far (+∞ if none).
    private(set) var bestValue = Double.infinity
    private var largestFinite = -Double.infinity

    /// The value used in place of non-finite results before any finite value is known.
    static let fallbackPenalty = 1e30

    init(template: [Double], freeIndices: [Int], scales: [Double]? = nil) {
        self.freeIndices = freeIndices
        self.scales = scales ?? [Double](repeating: 1, count: freeIndices.count)
        full = template
        bestPoint = template
    }

    /// The best point in the optimiser's (scaled) free variables.
    var bestScaledPoint: [Double] {
        freeIndices.enumerated().map { j, index in bestPoint[index] / scales[j] }
    }

    /// `true` once a finite value has been seen.
    var hasFiniteValue: Bool { bestValue.isFinite }

    /// Records a value of the objective at the template point that the caller has already
    /// computed, without counting it as a call.
    mutating func seed(value: Double) {
        guard evaluations == 0, value.isFinite else { return }
        initialValue = value
        bestValue = value
        largestFinite = value
    }

    /// Evaluates the objective at the free-variable vector `x` and returns a finite
    /// value for the model: the raw value if it is finite, otherwise a value above
    /// every finite value seen (largest + max(1, spread)).
    mutating func evaluate(_ x: [Double], _ f: ([Double]) -> Double) -> Double {
        for (j, index) in freeIndices.enumerated() { full[index] = x[j] * scales[j] }
        let value = f(full)
        evaluations += 1
        if evaluations == 1 { initialValue = value }
        guard value.isFinite else { return penalty() }
        if value < bestValue {
            bestValue = value
            bestPoint = full
        }
        largestFinite = max(largestFinite, value)
        return value
    }

    /// The substitute for a non-finite value.
    private func penalty() -> Double {
        guard bestValue.isFinite else { return ObjectiveEvaluator.fallbackPenalty }
        let spread = largestFinite - bestValue
        return largestFinite + max(1, spread, 1e-3 * abs(largestFinite))
    }
}
