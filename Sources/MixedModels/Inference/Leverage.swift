extension FittedModel {
    /// The leverages: the diagonal of the hat matrix H of the conditional fitted values
    /// ŷ = X β̂ + Z b̂ = H y, as lme4's `hatvalues`.
    ///
    /// In the spherical form of the mixed-model equations C = L Lᵀ (see
    /// ``MixedModelEquationsInverse``), hᵢ = wᵢ vᵢᵀ C⁻¹ vᵢ with vᵢ = [Λᵀzᵢ; xᵢ] the row's random- and
    /// fixed-effects parts and wᵢ its prior weight (1 without weights). The same hᵢ scales the
    /// conditional standardized residuals (``residuals(_:conditional:)``). 0 ≤ hᵢ ≤ 1 and
    /// Σ hᵢ is the effective number of parameters (lme4's trace of the hat matrix).
    /// - Complexity: builds ``MixedModelEquationsInverse`` once, then O(nnz² + p nnz + p²) per row.
    public func leverages() -> [Double] {
        let rows = NewDataDesign(fitted: model.design)
        let weights = model.design.weights
        let p = fixedEffectCount
        let inverse = MixedModelEquationsInverse(factor: factor)
        return (0..<observationCount).map { row in
            let w = weights?[row] ?? 1
            let x = Array(rows.fixedRow(row, columnCount: p))
            let solution = inverse.solve(randomPart: sphericalRow(rows, row: row, knownLevelsOnly: true), fixedPart: x)
            return w * inverse.fullInnerProduct(solution, solution)
        }
    }
}
