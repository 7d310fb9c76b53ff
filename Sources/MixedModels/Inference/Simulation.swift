extension FittedModel {
    /// Simulates responses from the fitted model (MATLAB's `random`, lme4's `simulate`):
    /// y* = Xβ̂ + Zb* + ε* with NEW random effects b* ~ N(0, σ̂² Λ̂Λ̂ᵀ) for every level and new
    /// errors ε* ~ N(0, σ̂²/w).
    ///
    /// - At the fitted rows (`newData == nil`) the prior weights are used, as MATLAB does.
    /// - On new data, levels of grouping factors the fit has not seen get their own new random
    ///   effects (as MATLAB), errors have variance σ̂² (MATLAB ignores weights there), and rows
    ///   with a missing predictor give NaN.
    ///
    /// Draws come from ``SeededGenerator`` in a fixed order: for each term (the fitted term
    /// order), for each level (fitted levels in order, then unseen levels in order of first
    /// appearance), the term's s standard normals; then one normal per row (also for
    /// incomplete rows), so a seed gives the same values on every platform.
    /// - Throws: ``MixedModelError/design(_:)`` when new data lack a variable or have an unseen
    ///   fixed-effects level.
    public func simulate(seed: UInt64, newData: DataTable? = nil) throws(MixedModelError) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        let rows = try rowDesign(for: newData)
        return simulate(rows: rows, weights: newData == nil ? model.design.weights : nil, generator: &generator)
    }

    /// `count` simulated response vectors drawn one after another from one seeded stream
    /// (lme4's `simulate(nsim = count, seed = seed)`); the first equals `simulate(seed:newData:)`.
    public func simulate(count: Int, seed: UInt64, newData: DataTable? = nil) throws(MixedModelError) -> [[Double]] {
        guard count >= 1 else { throw .invalidArgument("the number of simulations must be at least 1, not \(count)") }
        var generator = SeededGenerator(seed: seed)
        let rows = try rowDesign(for: newData)
        let weights = newData == nil ? model.design.weights : nil
        return (0..<count).map { _ in simulate(rows: rows, weights: weights, generator: &generator) }
    }

    /// One simulated response vector at `rows`, drawing from `generator`.
    func simulate(rows: NewDataDesign, weights: [Double]?, generator: inout SeededGenerator) -> [Double] {
        let p = fixedEffectCount
        let terms = model.design.randomEffectsTerms
        var effects: [[Double]] = []
        for (k, term) in terms.enumerated() {
            let s = term.columnCount
            let lambda = workingLambdas[k]
            let levels = rows.extendedLevelCounts[k]
            var b = [Double](repeating: 0, count: levels * s)
            var u = [Double](repeating: 0, count: s)
            for level in 0..<levels {
                for index in 0..<s { u[index] = generator.nextNormal() }
                for row in 0..<s {
                    var sum = 0.0
                    for column in 0...row { sum += lambda[column * s + row] * u[column] }
                    b[level * s + row] = sigma * sum
                }
            }
            effects.append(b)
        }
        var result = [Double](repeating: .nan, count: rows.rowCount)
        for row in 0..<rows.rowCount {
            let noise = generator.nextNormal()
            guard rows.isComplete[row] else { continue }
            var value = rows.offset?[row] ?? 0
            for column in 0..<p { value += rows.fixedEffects[row * p + column] * beta[column] }
            for (k, term) in terms.enumerated() {
                let level = Int(rows.extendedLevelIndices[k][row])
                guard level >= 0 else { continue }
                let s = term.columnCount
                for column in 0..<s { value += rows.z[k][row * s + column] * effects[k][level * s + column] }
            }
            let w = weights?[row] ?? 1
            result[row] = value + sigma / w.squareRoot() * noise
        }
        return result
    }
}
