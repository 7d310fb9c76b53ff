/// The kinds of residuals of a fitted model (MATLAB's `'ResidualType'`).
public enum ResidualType: String, Sendable, Codable, CaseIterable {
    /// y − ŷ.
    case raw
    /// The raw residual divided by the estimated standard deviation of the response:
    /// conditional √(σ̂²/w), marginal √(z'Ψz + σ̂²/w) (the true error's SD).
    case pearson
    /// The raw residual divided by the estimated standard deviation of the residual itself,
    /// which accounts for the leverage of the observation (MATLAB's internally studentized
    /// residuals).
    case standardized
}

extension FittedModel {
    /// The response y used in the fit.
    public var response: [Double] { model.design.response }

    /// The fitted values: conditional Xβ̂ + Zb̂ (default) or marginal Xβ̂ (MATLAB's `fitted`,
    /// lme4's `fitted`).
    public func fitted(conditional: Bool = true) -> [Double] {
        predictedMeans(NewDataDesign(fitted: model.design), conditional: conditional)
    }

    /// Residuals as MATLAB's `LinearMixedModel.residuals` defines them.
    ///
    /// With prior weights w the model is fitted in the weighted space (rows scaled by √w), and
    /// the Pearson and standardized residuals are those of that space, as MATLAB's:
    /// - raw: r = y − ŷ (conditional ŷ = Xβ̂ + Zb̂, marginal ŷ = Xβ̂);
    /// - Pearson: conditional √w r / σ̂; marginal √w r / (σ̂ √(1 + w ‖Λᵀz‖²));
    /// - standardized: conditional √w r / (σ̂ √(1 − h)) with h = w vᵀC⁻¹v the leverage of the
    ///   row in the mixed-model equations (v = [Λᵀz; x]); marginal
    ///   √w r / (σ̂ √(1 + w ‖Λᵀz‖² − w ‖L_XX⁻¹x‖²)), the diagonal of V − X(XᵀV⁻¹X)⁻¹Xᵀ.
    ///
    /// lme4's Pearson residuals are √w r (not divided by σ̂); multiply by σ̂ to compare.
    /// - Complexity: conditional standardized residuals build ``MixedModelEquationsInverse``
    ///   and cost O(nnz² + p nnz + p²) per row; the others O(n (p + Σ s_k)).
    public func residuals(_ type: ResidualType = .raw, conditional: Bool = true) -> [Double] {
        let rows = NewDataDesign(fitted: model.design)
        let y = model.design.response
        let means = predictedMeans(rows, conditional: conditional)
        let raw = zip(y, means).map { $0 - $1 }
        if type == .raw { return raw }
        let weights = model.design.weights
        let p = fixedEffectCount
        let inverse = (type == .standardized && conditional) ? MixedModelEquationsInverse(factor: factor) : nil
        let fixedInverse = factor.inverseFixedFactor()
        return raw.indices.map { row in
            let w = weights?[row] ?? 1
            let randomNorm = sphericalRow(rows, row: row, knownLevelsOnly: true)
                .reduce(0) { sum, entry in sum + entry.values.reduce(0) { $0 + $1 * $1 } }
            let scale: Double
            switch (type, conditional) {
            case (.pearson, true):
                scale = 1
            case (.pearson, false):
                scale = 1 + w * randomNorm
            case (.standardized, true):
                guard let inverse else { return .nan }
                let x = Array(rows.fixedRow(row, columnCount: p))
                let solution = inverse.solve(randomPart: sphericalRow(rows, row: row, knownLevelsOnly: true), fixedPart: x)
                scale = 1 - w * inverse.fullInnerProduct(solution, solution)
            case (.standardized, false):
                let x = Array(rows.fixedRow(row, columnCount: p))
                scale = 1 + w * randomNorm - w * Self.squaredNorm(lower: fixedInverse, times: x)
            case (.raw, _):
                scale = 1
            }
            return w.squareRoot() * raw[row] / (sigma * scale.squareRoot())
        }
    }
}
