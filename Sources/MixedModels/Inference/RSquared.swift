/// The coefficients of determination of a fitted model (MATLAB's `Rsquared` property).
public struct RSquared: Sendable, Equatable, Codable {
    /// 1 − SSE/SST.
    public let ordinary: Double
    /// 1 − (SSE/SST) (n − 1)/(n − p).
    public let adjusted: Double
    /// Σ w (y − ŷ)² with conditional fitted values ŷ (MATLAB's `SSE`).
    public let errorSumOfSquares: Double
    /// Σ w (ŷ − ȳ_w)² with the weighted mean ȳ_w of y (MATLAB's `SSR`).
    public let regressionSumOfSquares: Double
    /// SSE + SSR (MATLAB's `SST`, which is not Σ w (y − ȳ_w)² for a mixed model).
    public let totalSumOfSquares: Double
}

extension FittedModel {
    /// R² as MATLAB's `LinearMixedModel.Rsquared`: from the conditional fitted values, with
    /// SST = SSE + SSR and the adjustment of MATLAB's linear models, (n − 1)/DFE with
    /// DFE = n − p. (MATLAB documents the SSE/SSR/SST definitions in its class source; the
    /// adjusted formula is the one its regression classes share.)
    public var rSquared: RSquared {
        let y = model.design.response
        let fittedValues = fitted(conditional: true)
        let weights = model.design.weights ?? [Double](repeating: 1, count: y.count)
        let totalWeight = weights.reduce(0, +)
        let mean = zip(weights, y).reduce(0) { $0 + $1.0 * $1.1 } / totalWeight
        var sse = 0.0
        var ssr = 0.0
        for index in y.indices {
            let residual = y[index] - fittedValues[index]
            let explained = fittedValues[index] - mean
            sse += weights[index] * residual * residual
            ssr += weights[index] * explained * explained
        }
        let sst = sse + ssr
        let n = Double(observationCount)
        return RSquared(ordinary: 1 - sse / sst,
                        adjusted: 1 - (sse / sst) * (n - 1) / residualDegreesOfFreedom,
                        errorSumOfSquares: sse, regressionSumOfSquares: ssr, totalSumOfSquares: sst)
    }
}
