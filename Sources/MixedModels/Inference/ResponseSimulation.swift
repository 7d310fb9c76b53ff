import Foundation

extension FittedModel {
    /// The fixed part Xβ̂ of the fitted values.
    func fixedPart() -> [Double] {
        let fixed = model.design.fixedEffects
        let n = observationCount
        var mean = [Double](repeating: 0, count: n)
        for column in 0..<fixed.columnCount {
            let coefficient = beta[column]
            let start = column * n
            for row in 0..<n { mean[row] += fixed.values[start + row] * coefficient }
        }
        return mean
    }

    /// A response simulated from the fitted model (MATLAB's `random`, lme4's `simulate`):
    /// y* = Xβ̂ + Z Λθ̂ u* + ε* with u* ~ N(0, σ̂² I_q) and ε*ᵢ ~ N(0, σ̂²/wᵢ). New random
    /// effects are drawn for every level; `mean` is ``fixedPart()`` (passed in to reuse it).
    /// - Complexity: O(n Σ s_k + q).
    func simulateResponse(mean: [Double], generator: inout SeededGenerator) -> [Double] {
        var y = mean
        let design = model.design
        for (k, term) in design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            let lambda = lambdas[k]
            var b = [Double](repeating: 0, count: term.randomEffectCount)
            var u = [Double](repeating: 0, count: s)
            for level in 0..<term.levelCount {
                for index in 0..<s { u[index] = sigma * generator.nextNormal() }
                for row in 0..<s {
                    var sum = 0.0
                    for column in 0...row { sum += lambda[column * s + row] * u[column] }
                    b[level * s + row] = sum
                }
            }
            for observation in 0..<y.count {
                let base = Int(term.levelIndices[observation]) * s
                var sum = 0.0
                for column in 0..<s { sum += term.z[observation * s + column] * b[base + column] }
                y[observation] += sum
            }
        }
        let weights = design.weights
        for observation in 0..<y.count {
            let scale = weights.map { sigma / $0[observation].squareRoot() } ?? sigma
            y[observation] += scale * generator.nextNormal()
        }
        return y
    }
}
