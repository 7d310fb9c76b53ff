import Distributions

/// What a prediction interval covers (MATLAB's `'Prediction'` option of `predict`).
public enum PredictionInterval: String, Sendable, Codable, CaseIterable {
    /// The fitted mean (conditional: x'β + z'b; marginal: x'β): MATLAB's `'curve'`.
    case curve
    /// A new observation: adds the observation-error variance σ² (and, for marginal predictions,
    /// the random-effects variance z'Ψz): MATLAB's `'observation'`.
    case observation
}

/// One prediction with its confidence interval (MATLAB's `ypred`, `ypredCI` and `DF`).
public struct PredictionRow: Sendable, Equatable, Codable {
    /// The predicted value (NaN for a row with a missing predictor).
    public let prediction: Double
    /// The standard error behind the interval (NaN when no interval was requested).
    public let standardError: Double
    /// Lower limit of the interval (NaN when no interval was requested).
    public let lower: Double
    /// Upper limit of the interval (NaN when no interval was requested).
    public let upper: Double
    /// The degrees of freedom of the interval (`+infinity` for `.none`; NaN without interval).
    public let df: Double
}

extension FittedModel {
    /// Predictions at the fitted rows or at new data, as MATLAB's `LinearMixedModel.predict`.
    ///
    /// New data are coded with the fitted model's levels and contrasts. A level of a grouping
    /// factor that the fit has not seen contributes a zero random effect to conditional
    /// predictions (MATLAB; lme4's `allow.new.levels = TRUE`); an unseen level of a categorical
    /// fixed-effects predictor is an error. A row with a missing predictor gives NaN.
    ///
    /// Interval variances (σ̂² times the quadratic forms below; v = [Λᵀz; x] in the spherical
    /// coordinates, C the mixed-model equations, see ``MixedModelEquationsInverse``):
    /// - conditional curve: Var(x'β̂ + z'b̂ − x'β − z'b) = σ̂² vᵀC⁻¹v (MATLAB's covariance of
    ///   [β̂ − β; b̂ − b]); observation: + σ̂²;
    /// - marginal curve: x'Var(β̂)x; observation: + z'Ψz + σ̂², with Ψ the estimated covariance
    ///   of the random effects of every term (also for unseen levels: a new level has a new
    ///   random effect with the same variance).
    ///
    /// Pointwise intervals use t quantiles with the chosen degrees of freedom (`.residual`:
    /// n − p; `.none`: normal quantiles; `.satterthwaite`: Satterthwaite's df for x'β̂, marginal
    /// predictions only). Simultaneous intervals are Scheffé-type: the critical value is
    /// √(k F(1 − α; k, n − p)) (√χ²(1 − α; k) for `.none`) with k = p for marginal and k = p + q
    /// for conditional predictions (the rank of Cov(β̂) and of Cov([β̂; b̂]) ), plus 1 for
    /// observation intervals of a model without an intercept (the convention of MATLAB's
    /// `predci` for linear models; MATLAB does not document the mixed-model choice).
    ///
    /// - Parameters:
    ///   - newData: the rows to predict at; `nil` for the fitted rows.
    ///   - conditional: include the predicted random effects (default) or not (marginal).
    ///   - interval: the kind of interval, or `nil` for point predictions only.
    ///   - simultaneous: simultaneous (Scheffé) instead of pointwise intervals.
    ///   - alpha: the intervals have confidence 1 − α.
    ///   - dfMethod: the degrees of freedom of the intervals.
    /// - Throws: ``MixedModelError/design(_:)`` when new data lack a variable or have an unseen
    ///   fixed-effects level; ``MixedModelError/invalidArgument(_:)`` for α outside (0, 1), a
    ///   Satterthwaite request this implementation cannot answer (conditional or simultaneous), or
    ///   any Kenward–Roger request with an interval (not implemented for predictions).
    /// - Complexity: O(rows × (p + Σ s_k)) for point predictions; intervals of conditional
    ///   predictions first build ``MixedModelEquationsInverse`` (O(q'³) in the dimension q' of the
    ///   random-effects terms after the first) and then cost O(nnz² + p nnz + p²) per row.
    public func predict(on newData: DataTable? = nil, conditional: Bool = true, interval: PredictionInterval? = nil,
                        simultaneous: Bool = false, alpha: Double = 0.05,
                        dfMethod: DegreesOfFreedomMethod = .residual) throws(MixedModelError) -> [PredictionRow] {
        try predictions(on: newData, conditional: conditional, interval: interval, simultaneous: simultaneous,
                        alpha: alpha, dfMethod: dfMethod, approximation: nil)
    }

    /// Marginal pointwise predictions with intervals whose degrees of freedom are Satterthwaite's
    /// for x'β̂, from an approximation computed once (``satterthwaiteApproximation()``); see
    /// ``predict(on:conditional:interval:simultaneous:alpha:dfMethod:)``.
    /// - Throws: as ``predict(on:conditional:interval:simultaneous:alpha:dfMethod:)`` with
    ///   `dfMethod: .satterthwaite` (conditional or simultaneous intervals are refused).
    public func predict(on newData: DataTable? = nil, conditional: Bool = false, interval: PredictionInterval = .curve,
                        simultaneous: Bool = false, alpha: Double = 0.05,
                        using approximation: SatterthwaiteApproximation) throws(MixedModelError) -> [PredictionRow] {
        try predictions(on: newData, conditional: conditional, interval: interval, simultaneous: simultaneous,
                        alpha: alpha, dfMethod: .satterthwaite, approximation: approximation)
    }

    /// The predictions; Satterthwaite's approximation is computed here, once for all rows, unless given.
    private func predictions(on newData: DataTable?, conditional: Bool, interval: PredictionInterval?,
                             simultaneous: Bool, alpha: Double, dfMethod: DegreesOfFreedomMethod,
                             approximation given: SatterthwaiteApproximation?) throws(MixedModelError) -> [PredictionRow] {
        guard alpha > 0, alpha < 1 else { throw .invalidArgument("alpha must be in (0, 1), got \(alpha)") }
        let rows = try rowDesign(for: newData)
        let p = fixedEffectCount
        let means = predictedMeans(rows, conditional: conditional)
        guard let interval else {
            return means.map { PredictionRow(prediction: $0, standardError: .nan, lower: .nan, upper: .nan, df: .nan) }
        }
        if dfMethod == .kenwardRoger {
            throw .invalidArgument("Kenward–Roger degrees of freedom are not available for prediction intervals; use satterthwaite (marginal pointwise intervals), residual or none degrees of freedom")
        }
        if dfMethod == .satterthwaite && (conditional || simultaneous) {
            throw .invalidArgument("Satterthwaite degrees of freedom are available for pointwise marginal predictions only; use residual or none degrees of freedom for conditional or simultaneous intervals")
        }
        let approximation = dfMethod == .satterthwaite ? given ?? satterthwaiteApproximation() : nil
        let variance = sigma * sigma
        let inverse = conditional ? MixedModelEquationsInverse(factor: factor) : nil
        let fixedInverse = inverse?.fixedInverse ?? factor.inverseFixedFactor()
        var simultaneousCritical = Double.nan
        var simultaneousDF = Double.nan
        if simultaneous {
            var k = conditional ? p + randomEffectCount : p
            let hasIntercept = model.design.fixedEffects.columnNames.first == "(Intercept)"
            if interval == .observation && !hasIntercept { k += 1 }
            simultaneousDF = dfMethod == .none ? .infinity : residualDegreesOfFreedom
            simultaneousCritical = Self.scheffeCritical(rank: k, df: simultaneousDF, alpha: alpha)
        }
        var result: [PredictionRow] = []
        result.reserveCapacity(rows.rowCount)
        for row in 0..<rows.rowCount {
            let mean = means[row]
            guard rows.isComplete[row] else {
                result.append(PredictionRow(prediction: .nan, standardError: .nan, lower: .nan, upper: .nan, df: .nan))
                continue
            }
            let x = Array(rows.fixedRow(row, columnCount: p))
            var quadratic: Double
            if let inverse {
                let solution = inverse.solve(randomPart: sphericalRow(rows, row: row, knownLevelsOnly: true), fixedPart: x)
                quadratic = inverse.fullInnerProduct(solution, solution)
            } else {
                quadratic = Self.squaredNorm(lower: fixedInverse, times: x)
            }
            if interval == .observation {
                quadratic += 1
                if !conditional {
                    for entry in sphericalRow(rows, row: row, knownLevelsOnly: false) {
                        for value in entry.values { quadratic += value * value }
                    }
                }
            }
            let standardError = (variance * quadratic).squareRoot()
            let df: Double
            let critical: Double
            if simultaneous {
                df = simultaneousDF
                critical = simultaneousCritical
            } else {
                switch dfMethod {
                case .residual: df = residualDegreesOfFreedom
                case .none: df = .infinity
                case .satterthwaite: df = approximation?.degreesOfFreedom(contrast: x) ?? .nan
                case .kenwardRoger: df = .nan
                }
                critical = Self.tCritical(df: df, alpha: alpha)
            }
            result.append(PredictionRow(prediction: mean, standardError: standardError,
                                        lower: mean - critical * standardError,
                                        upper: mean + critical * standardError, df: df))
        }
        return result
    }

    // MARK: - Shared helpers

    /// The design of `newData` coded as the fit, or of the fitted rows.
    func rowDesign(for newData: DataTable?) throws(MixedModelError) -> NewDataDesign {
        guard let newData else { return NewDataDesign(fitted: model.design) }
        do { return try NewDataDesign(design: model.design, table: newData) } catch { throw .design(error) }
    }

    /// x'β̂ (+ z'b̂ over the fitted levels when `conditional`); NaN for incomplete rows.
    func predictedMeans(_ rows: NewDataDesign, conditional: Bool) -> [Double] {
        let p = fixedEffectCount
        let terms = model.design.randomEffectsTerms
        return (0..<rows.rowCount).map { row in
            guard rows.isComplete[row] else { return .nan }
            var value = rows.offset?[row] ?? 0
            for column in 0..<p { value += rows.fixedEffects[row * p + column] * beta[column] }
            if conditional {
                for (k, term) in terms.enumerated() {
                    let level = Int(rows.levelIndices[k][row])
                    guard level >= 0 else { continue }
                    let s = term.columnCount
                    for column in 0..<s {
                        value += rows.z[k][row * s + column] * workingModes[k][level * s + column]
                    }
                }
            }
            return value
        }
    }

    /// Per term, (term, level, λ_kᵀ z_k) for the row: the row of ZΛ in spherical coordinates.
    /// With `knownLevelsOnly`, terms whose level is unseen are left out (a zero random effect);
    /// otherwise they are included with level −1 (only their values are meaningful).
    func sphericalRow(_ rows: NewDataDesign, row: Int,
                      knownLevelsOnly: Bool) -> [(term: Int, level: Int, values: [Double])] {
        var entries: [(term: Int, level: Int, values: [Double])] = []
        for (k, term) in model.design.randomEffectsTerms.enumerated() {
            let level = Int(rows.levelIndices[k][row])
            if knownLevelsOnly && level < 0 { continue }
            let s = term.columnCount
            let lambda = workingLambdas[k]
            var values = [Double](repeating: 0, count: s)
            for column in 0..<s {
                var sum = 0.0
                for inner in column..<s { sum += lambda[column * s + inner] * rows.z[k][row * s + inner] }
                values[column] = sum
            }
            entries.append((k, level, values))
        }
        return entries
    }

    /// ‖L⁻¹ x‖² for lower-triangular L⁻¹.
    static func squaredNorm(lower inverse: DenseMatrix, times x: [Double]) -> Double {
        var total = 0.0
        for row in 0..<inverse.rowCount {
            var sum = 0.0
            for column in 0...row { sum += inverse[row, column] * x[column] }
            total += sum * sum
        }
        return total
    }

    /// The two-sided t (normal for infinite df) critical value for confidence 1 − α.
    static func tCritical(df: Double, alpha: Double) -> Double {
        if df.isInfinite { return NormalDistribution().upperQuantile(alpha / 2) }
        guard df > 0 else { return .nan }
        return StudentTDistribution(degreesOfFreedom: df).upperQuantile(alpha / 2)
    }

    /// Scheffé's critical value √(k F(1 − α; k, df)), or √χ²(1 − α; k) for infinite df.
    static func scheffeCritical(rank: Int, df: Double, alpha: Double) -> Double {
        let k = Double(rank)
        if df.isInfinite { return ChiSquaredDistribution(degreesOfFreedom: k).upperQuantile(alpha).squareRoot() }
        guard df > 0, rank > 0 else { return .nan }
        let f = FDistribution(numeratorDegreesOfFreedom: k, denominatorDegreesOfFreedom: df)
        return (k * f.upperQuantile(alpha)).squareRoot()
    }
}
