/// A bound-constrained Nelder–Mead simplex minimiser (Nelder and Mead 1965, "A simplex method
/// for function minimization", Computer Journal 7: 308–313), the alternative to ``BOBYQA`` that
/// lme4 offers as `Nelder_Mead`.
///
/// Each iteration replaces the worst vertex of a simplex of n + 1 points by its reflection
/// through the centroid of the others, an expansion or a contraction, or shrinks the simplex
/// towards the best vertex. Trial points outside the box are projected onto it, so every
/// evaluated point satisfies the bounds. A simplex that collapses onto a face of the box (or
/// meets the tolerances) is rebuilt around its best vertex with a smaller step; the run stops
/// when a rebuilt simplex finds nothing better.
public struct NelderMead: Sendable {
    /// Lower bounds, one per variable; may contain `-Double.infinity`.
    public var lowerBounds: [Double]
    /// Upper bounds, one per variable; may contain `+Double.infinity`.
    public var upperBounds: [Double]
    /// The step from the start to the other vertices of the first simplex.
    public var initialStep: Double
    /// Convergence in x: every vertex within this distance (max norm, scaled variables) of the best.
    public var pointTolerance: Double
    /// Convergence in f: the vertices' values span at most this (absolute).
    public var functionTolerance: Double
    /// The maximum number of objective evaluations.
    public var maxEvaluations: Int
    /// Per-variable scales sⱼ > 0: the simplex works with xⱼ / sⱼ (as ``BOBYQA/variableScales``).
    public var variableScales: [Double]?

    /// Creates a minimiser for the box `lowerBounds ≤ x ≤ upperBounds`.
    public init(lowerBounds: [Double], upperBounds: [Double], initialStep: Double = 0.1,
                pointTolerance: Double = 1e-7, functionTolerance: Double = 1e-10, maxEvaluations: Int = 100_000) {
        self.lowerBounds = lowerBounds
        self.upperBounds = upperBounds
        self.initialStep = initialStep
        self.pointTolerance = pointTolerance
        self.functionTolerance = functionTolerance
        self.maxEvaluations = maxEvaluations
    }

    /// Minimises f from x0 (projected into the bounds). Never traps: invalid settings give
    /// ``OptimizationStatus/failed`` without calling f. `initialValue`, if given, is f(x0)
    /// already computed by the caller; it is not counted in ``OptimizationResult/evaluations``.
    public func minimize(from x0: [Double], initialValue: Double? = nil,
                         _ f: ([Double]) -> Double) -> OptimizationResult {
        let n = x0.count
        guard lowerBounds.count == n, upperBounds.count == n, initialStep > 0, initialStep.isFinite,
              pointTolerance > 0, pointTolerance.isFinite, functionTolerance >= 0, functionTolerance.isFinite,
              variableScales.map({ $0.count == n && $0.allSatisfy { $0 > 0 && $0.isFinite } }) ?? true,
              x0.indices.allSatisfy({ !x0[$0].isNaN && !lowerBounds[$0].isNaN && !upperBounds[$0].isNaN
                                      && lowerBounds[$0] <= upperBounds[$0] }) else {
            return OptimizationResult(x: x0, value: .nan, initialValue: .nan, evaluations: 0, status: .failed)
        }
        let start = x0.indices.map { max(min(x0[$0], upperBounds[$0]), lowerBounds[$0]) }
        guard start.allSatisfy(\.isFinite) else {
            return OptimizationResult(x: x0, value: .nan, initialValue: .nan, evaluations: 0, status: .failed)
        }
        guard maxEvaluations >= 1 else {
            return OptimizationResult(x: start, value: .nan, initialValue: .nan, evaluations: 0,
                                      status: .maxEvaluationsReached)
        }
        let free = start.indices.filter { lowerBounds[$0] < upperBounds[$0] }
        let scales = free.map { variableScales?[$0] ?? 1 }
        var evaluator = ObjectiveEvaluator(template: start, freeIndices: free, scales: scales)
        let reduced = free.enumerated().map { j, index in start[index] / scales[j] }
        let known = (initialValue?.isFinite ?? false) && free.enumerated().allSatisfy({ j, index in
            reduced[j] * scales[j] == start[index]
        }) ? initialValue : nil
        guard !free.isEmpty else {
            let value = known ?? evaluator.evaluate([], f)
            return OptimizationResult(x: start, value: value, initialValue: value, evaluations: evaluator.evaluations,
                                      status: value.isFinite ? .converged : .failed)
        }
        if let known { evaluator.seed(value: known) }
        var search = SimplexSearch(lower: free.enumerated().map { j, index in lowerBounds[index] / scales[j] },
                                   upper: free.enumerated().map { j, index in upperBounds[index] / scales[j] },
                                   settings: self)
        let status = search.run(from: reduced, knownValue: known, evaluator: &evaluator, f)
        guard evaluator.hasFiniteValue else {
            return OptimizationResult(x: evaluator.bestPoint, value: .nan, initialValue: evaluator.initialValue,
                                      evaluations: evaluator.evaluations, status: .failed)
        }
        return OptimizationResult(x: evaluator.bestPoint, value: evaluator.bestValue,
                                  initialValue: known ?? evaluator.initialValue,
                                  evaluations: evaluator.evaluations, status: status)
    }
}

/// The simplex iteration of ``NelderMead`` on the free, scaled variables.
struct SimplexSearch {
    let lower: [Double]
    let upper: [Double]
    let settings: NelderMead

    /// Rebuilds of the simplex after convergence that may still find a better point.
    static let restartLimit = 8

    init(lower: [Double], upper: [Double], settings: NelderMead) {
        self.lower = lower
        self.upper = upper
        self.settings = settings
    }

    func project(_ x: [Double]) -> [Double] {
        x.indices.map { max(min(x[$0], upper[$0]), lower[$0]) }
    }

    mutating func run(from start: [Double], knownValue: Double?, evaluator: inout ObjectiveEvaluator,
                      _ f: ([Double]) -> Double) -> OptimizationStatus {
        var best = start
        var bestValue: Double
        if let knownValue {
            bestValue = knownValue
        } else {
            bestValue = evaluator.evaluate(start, f)
        }
        var step = settings.initialStep
        for restart in 0...Self.restartLimit {
            let outcome = iterate(around: best, value: bestValue, step: step, evaluator: &evaluator, f)
            let improved = bestValue - outcome.value > settings.functionTolerance
            best = outcome.point
            bestValue = min(bestValue, outcome.value)
            if let status = outcome.status { return status }
            if restart > 0 && !improved { return .converged }
            step = max(10 * settings.pointTolerance, 0.1 * step)
        }
        return .converged
    }

    /// One simplex search from `center`; returns its best vertex and a status when the run must
    /// stop (out of evaluations), or `nil` when it met the tolerances or collapsed.
    private func iterate(around center: [Double], value: Double, step: Double, evaluator: inout ObjectiveEvaluator,
                         _ f: ([Double]) -> Double) -> (point: [Double], value: Double, status: OptimizationStatus?) {
        let n = center.count
        var vertices = [center]
        var values = [value]
        for j in 0..<n {
            var vertex = center
            vertex[j] = center[j] + step <= upper[j] ? center[j] + step : center[j] - step
            vertex = project(vertex)
            guard evaluator.evaluations < settings.maxEvaluations else {
                return bestOf(vertices, values, status: .maxEvaluationsReached)
            }
            vertices.append(vertex)
            values.append(evaluator.evaluate(vertex, f))
        }
        while true {
            let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
            vertices = order.map { vertices[$0] }
            values = order.map { values[$0] }
            let spread = values[n] - values[0]
            var size = 0.0
            for vertex in vertices.dropFirst() {
                for j in 0..<n { size = max(size, abs(vertex[j] - vertices[0][j])) }
            }
            if size <= settings.pointTolerance && spread <= settings.functionTolerance {
                return (vertices[0], values[0], nil)
            }
            if size == 0 { return (vertices[0], values[0], nil) }
            guard evaluator.evaluations < settings.maxEvaluations else {
                return bestOf(vertices, values, status: .maxEvaluationsReached)
            }
            var centroid = [Double](repeating: 0, count: n)
            for vertex in vertices.dropLast() {
                for j in 0..<n { centroid[j] += vertex[j] / Double(n) }
            }
            let worst = vertices[n]
            func along(_ coefficient: Double) -> [Double] {
                project((0..<n).map { centroid[$0] + coefficient * (centroid[$0] - worst[$0]) })
            }
            let reflected = along(1)
            let reflectedValue = evaluator.evaluate(reflected, f)
            if reflectedValue < values[0] {
                guard evaluator.evaluations < settings.maxEvaluations else {
                    vertices[n] = reflected
                    values[n] = reflectedValue
                    return bestOf(vertices, values, status: .maxEvaluationsReached)
                }
                let expanded = along(2)
                let expandedValue = evaluator.evaluate(expanded, f)
                if expandedValue < reflectedValue {
                    vertices[n] = expanded
                    values[n] = expandedValue
                } else {
                    vertices[n] = reflected
                    values[n] = reflectedValue
                }
                continue
            }
            if reflectedValue < values[n - 1] {
                vertices[n] = reflected
                values[n] = reflectedValue
                continue
            }
            guard evaluator.evaluations < settings.maxEvaluations else {
                return bestOf(vertices, values, status: .maxEvaluationsReached)
            }
            let outside = reflectedValue < values[n]
            let contracted = along(outside ? 0.5 : -0.5)
            let contractedValue = evaluator.evaluate(contracted, f)
            if contractedValue < min(reflectedValue, values[n]) {
                vertices[n] = contracted
                values[n] = contractedValue
                continue
            }
            // Shrink towards the best vertex.
            for index in 1...n {
                guard evaluator.evaluations < settings.maxEvaluations else {
                    return bestOf(vertices, values, status: .maxEvaluationsReached)
                }
                vertices[index] = project((0..<n).map { vertices[0][$0] + 0.5 * (vertices[index][$0] - vertices[0][$0]) })
                values[index] = evaluator.evaluate(vertices[index], f)
            }
        }
    }

    private func bestOf(_ vertices: [[Double]], _ values: [Double],
                        status: OptimizationStatus) -> (point: [Double], value: Double, status: OptimizationStatus?) {
        var best = 0
        for index in values.indices where values[index] < values[best] { best = index }
        return (vertices[best], values[best], status)
    }
}
