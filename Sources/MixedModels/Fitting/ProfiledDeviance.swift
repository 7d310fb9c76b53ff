import SparseCholesky
import Foundation

/// The profiled deviance of a linear mixed model as a function of θ alone (Bates et al. 2015,
/// eqs. 34 and 41): σ and β are profiled out, so each evaluation refactors L and reads off
/// log-determinants and the penalised residual sum of squares r².
///
///     ML:    −2ℓ(θ)   = log|L_Z|² + n (1 + log(2π r² / n))             − Σ log wᵢ
///     REML:  −2ℓ_R(θ) = log|L_Z|² + log|L_X|² + (n−p)(1 + log(2π r² / (n−p))) − Σ log wᵢ
struct ProfiledDeviance: Sendable {
    let crossProducts: CrossProducts
    private(set) var factor: BlockedCholeskyFactor
    let observationCount: Int
    let sumLogWeights: Double
    let method: EstimationMethod

    init(crossProducts: CrossProducts, factor: BlockedCholeskyFactor, observationCount: Int,
         sumLogWeights: Double, method: EstimationMethod) {
        self.crossProducts = crossProducts
        self.factor = factor
        self.observationCount = observationCount
        self.sumLogWeights = sumLogWeights
        self.method = method
    }

    /// The θ of the last evaluation that formed all of L (the factor is up to date there), or `nil`.
    private(set) var lastTheta: [Double]?

    /// The objective at θ; `+infinity` when L cannot be formed (never NaN).
    /// - Parameter objectiveOnly: form only the blocks of L the objective reads, where the factor
    ///   can skip some (``BlockedCholeskyFactor/update(theta:crossProducts:objectiveOnly:)``);
    ///   the factor is then not up to date anywhere (``lastTheta`` is `nil`).
    mutating func evaluate(_ theta: [Double], objectiveOnly: Bool = false) -> Double {
        EvaluationCounter.increment()
        lastTheta = nil
        guard theta.allSatisfy(\.isFinite),
              factor.update(theta: theta, crossProducts: crossProducts, objectiveOnly: objectiveOnly) else {
            return .infinity
        }
        if factor.isComplete { lastTheta = theta }
        let value = Self.criterion(of: factor, observationCount: observationCount,
                                   sumLogWeights: sumLogWeights, method: method)
        return value.isFinite ? value : .infinity
    }

    /// The criterion for an up-to-date factor.
    static func criterion(of factor: BlockedCholeskyFactor, observationCount: Int, sumLogWeights: Double,
                          method: EstimationMethod) -> Double {
        let parts = FactorSummary(factor)
        let degrees = method.residualDegrees(observations: observationCount, fixedEffects: factor.fixedCount)
        let logDeterminant = parts.logDeterminantZ + (method == .reml ? parts.logDeterminantX : 0)
        return logDeterminant + degrees * (1 + log(2 * Double.pi * parts.penalizedResidualSquares / degrees)) - sumLogWeights
    }

    /// σ̂ = √(r²/m) for an up-to-date factor (m = n for ML, n − p for REML): the one σ formula.
    static func sigma(of factor: BlockedCholeskyFactor, observationCount: Int, method: EstimationMethod) -> Double {
        let degrees = method.residualDegrees(observations: observationCount, fixedEffects: factor.fixedCount)
        return (FactorSummary(factor).penalizedResidualSquares / degrees).squareRoot()
    }
}

/// The quantities read off an up-to-date L: log|L_Z|², log|L_X|² and r².
struct FactorSummary: Sendable {
    let logDeterminantZ: Double
    let logDeterminantX: Double
    let penalizedResidualSquares: Double

    init(_ factor: BlockedCholeskyFactor) {
        var logZ = 0.0
        let first = factor.first
        if let firstSum = factor.firstLogDiagonalSum {
            logZ += firstSum
        } else if first.blockSize == 1 {
            logZ += Self.logProduct(first.values)
        } else {
            for block in 0..<first.blockCount {
                for index in 0..<first.blockSize { logZ += log(first[block, index, index]) }
            }
        }
        for k in 1..<max(factor.termCount, 1) {
            let matrix = factor.diagonal[k]
            for index in 0..<matrix.rowCount { logZ += log(matrix[index, index]) }
        }
        if let sparse = factor.sparseTrailing { logZ += sparse.logDiagonalSum }
        var logX = 0.0
        let p = factor.fixedCount
        for index in 0..<p { logX += log(factor.xyXy[index, index]) }
        let r = factor.xyXy[p, p]
        self.logDeterminantZ = 2 * logZ
        self.logDeterminantX = 2 * logX
        self.penalizedResidualSquares = r * r
    }
}

extension FactorSummary {
    /// Σ log vᵢ for positive values, with one logarithm per run of products instead of one per
    /// value (a run ends before the product could leave [1e-150, 1e150], so nothing overflows).
    static func logProduct(_ values: [Double]) -> Double {
        values.withUnsafeBufferPointer { LogProduct.sum($0) }
    }
}
