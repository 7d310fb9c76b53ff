import Foundation

/// Numerical derivatives in θ, at θ̂, of the pieces of the deviance
///
///     D(θ, σ) = a(θ) + r²(θ)/σ² + m log(2πσ²)      (a = log|L_Z|², plus log|L_X|² for REML;
///                                                 m = n for ML, n − p for REML)
///
/// and of (L_XX L_XXᵀ)⁻¹: what Satterthwaite's approximation and the Wald intervals of the
/// covariance parameters both need. Compute it once per fit and share it.
///
/// σ enters D in closed form, so derivatives in σ cost no evaluations; only θ is differenced.
/// Central differences in θ with one step hᵢ per θᵢ (or two, hᵢ and hᵢ/2, combined by one
/// Richardson step; see ``Precision``); at each step the stencil θ̂ ± hᵢeᵢ and θ̂ ± (hᵢeᵢ + hⱼeⱼ)
/// (i < j) gives the gradients, the pure and the mixed second derivatives, and the fit's own
/// factor gives the values at θ̂. For k covariance parameters that is 2k + k(k − 1) = k² + k
/// refactorisations of L per level: 12 (one level) or 24 (two) for k = 3, 20 or 40 for k = 4,
/// 42 or 84 for k = 6, where lmerTest's numDeriv scheme (four levels from 10%) takes 4k(k + 1) + 1.
struct VarianceParameterDerivatives: Sendable {
    /// θ̂.
    let theta: [Double]
    /// σ̂.
    let sigma: Double
    /// m = n (ML) or n − p (REML).
    let residualDegrees: Double
    /// ∂/∂θᵢ [a(θ) + r²(θ)/σ̂²].
    let objectiveGradient: [Double]
    /// ∂²/∂θᵢ∂θⱼ [a(θ) + r²(θ)/σ̂²], row-major k × k.
    let objectiveHessian: [Double]
    /// ∂r²/∂θᵢ.
    let residualSquaresGradient: [Double]
    /// r²(θ̂).
    let centerResidualSquares: Double
    /// (L_XX L_XXᵀ)⁻¹ at θ̂, row-major p × p.
    let centerInverseCrossProduct: [Double]
    /// ∂(L_XX L_XXᵀ)⁻¹/∂θᵢ, each row-major p × p.
    let inverseCrossProductGradient: [[Double]]

    /// How accurate the derivatives must be, and so what they cost.
    enum Precision: Sendable {
        /// For Satterthwaite's degrees of freedom: lmerTest's own scheme (numDeriv's Richardson
        /// extrapolation over four levels, steps 10% of |θᵢ| halved three times), so that both
        /// carry the same truncation error: 4(k² + k) evaluations. Cheaper schemes measured here
        /// (two levels from 1%: df within 4e-6 of lmerTest's) left the p-values at the edge of
        /// their 1e-4 agreement, where a change in the rounding of L (a different summation order
        /// in a kernel) moved Orthodont's over it.
        case satterthwaite
        /// For the Wald intervals of the covariance parameters alone (compared at 1e-3 with nlme):
        /// one central difference with steps 0.1% of |θᵢ|, error O(h²) (about 1e-5 relative in
        /// the limits): 2k + k(k − 1) evaluations, and no (L_XX L_XXᵀ)⁻¹.
        case waldIntervals

        var levels: Int { self == .satterthwaite ? 4 : 1 }
        var relativeStep: Double { self == .satterthwaite ? 1e-1 : 1e-3 }
    }

    /// The smallest step (θᵢ at or near 0).
    static let minimumStep = 1e-4
    /// numDeriv's `zero.tol`: below it, θᵢ counts as zero and gets ``minimumStep``.
    static let numDerivZeroTolerance = (Double.ulpOfOne / 7e-7).squareRoot()

    /// The derivatives at the fit's θ̂; the fit's own factor supplies the values at θ̂, so only
    /// the stencil's other points are evaluated.
    /// - Parameter parallel: evaluate the stencil's points two at a time, one thread each (nil:
    ///   when one evaluation is large enough to pay for a second factor; the result is the same
    ///   either way, bit for bit).
    init(fit: FittedModel, precision: Precision = .satterthwaite, parallel: Bool? = nil) {
        let theta = fit.workingTheta
        let k = theta.count
        let p = fit.fixedEffectCount
        let sigma2 = fit.sigma * fit.sigma
        let method = fit.method
        let withMatrix = precision == .satterthwaite
        let steps = Self.steps(for: theta, parametrizations: fit.model.parametrizations,
                               relative: precision.relativeStep, scales: fit.model.thetaScales)
        let center = Self.values(of: fit.factor, method: method, sigma2: sigma2, withMatrix: withMatrix)
        let width = center.count
        let levels = precision.levels

        // The stencil, in the order the derivatives below read it: θ̂ ± hᵢeᵢ, then
        // θ̂ ± (hᵢeᵢ + hⱼeⱼ) for i < j, at each level (steps hᵢ/2ˡ).
        var points: [StencilPoint] = []
        for i in 0..<k {
            for level in 0..<levels {
                let h = steps[i] / Double(1 << level)
                var plus = theta
                plus[i] += h
                var minus = theta
                minus[i] -= h
                points.append(StencilPoint(theta: plus, withMatrix: withMatrix))
                points.append(StencilPoint(theta: minus, withMatrix: withMatrix))
            }
        }
        for i in 0..<k {
            for j in (i + 1)..<max(k, i + 1) {
                for level in 0..<levels {
                    let hi = steps[i] / Double(1 << level)
                    let hj = steps[j] / Double(1 << level)
                    var plus = theta
                    plus[i] += hi
                    plus[j] += hj
                    var minus = theta
                    minus[i] -= hi
                    minus[j] -= hj
                    points.append(StencilPoint(theta: plus, withMatrix: false))
                    points.append(StencilPoint(theta: minus, withMatrix: false))
                }
            }
        }
        let inParallel = parallel ?? Self.stencilPays(factorBytes: fit.model.factorBlocks.reduce(0) { $0 + $1.bytes })
        let results = Self.evaluate(points, fit: fit, sigma2: sigma2, parallel: inParallel)
        var cursor = 0
        func next() -> [Double] {
            defer { cursor += 1 }
            return results[cursor]
        }

        var first = [[Double]](repeating: [Double](repeating: 0, count: width), count: k)
        var hessian = [Double](repeating: 0, count: k * k)
        // Level l uses the steps hᵢ/2ˡ; the levels are combined by Richardson extrapolation.
        var pureEstimates = [[Double]](repeating: [], count: k)
        for i in 0..<k {
            var firstEstimates: [[Double]] = []
            var secondEstimates: [[Double]] = []
            for level in 0..<levels {
                let h = steps[i] / Double(1 << level)
                let up = next()
                let down = next()
                firstEstimates.append((0..<width).map { (up[$0] - down[$0]) / (2 * h) })
                secondEstimates.append([(up[0] - 2 * center[0] + down[0]) / (h * h)])
            }
            first[i] = Self.extrapolate(firstEstimates)
            pureEstimates[i] = secondEstimates.map { $0[0] }
            hessian[i * k + i] = Self.extrapolate(secondEstimates)[0]
        }
        for i in 0..<k {
            for j in (i + 1)..<max(k, i + 1) {
                var estimates: [[Double]] = []
                for level in 0..<levels {
                    let hi = steps[i] / Double(1 << level)
                    let hj = steps[j] / Double(1 << level)
                    let up = next()[0]
                    let down = next()[0]
                    // The same-level pure second differences cancel their own truncation error.
                    let pure = hi * hi * pureEstimates[i][level] + hj * hj * pureEstimates[j][level]
                    estimates.append([(up - 2 * center[0] + down - pure) / (2 * hi * hj)])
                }
                let value = Self.extrapolate(estimates)[0]
                hessian[i * k + j] = value
                hessian[j * k + i] = value
            }
        }
        self.theta = theta
        self.sigma = fit.sigma
        self.residualDegrees = method.residualDegrees(observations: fit.observationCount, fixedEffects: p)
        self.objectiveGradient = first.map { $0[0] }
        self.objectiveHessian = hessian
        self.residualSquaresGradient = first.map { $0[1] }
        self.centerResidualSquares = center[1]
        self.centerInverseCrossProduct = Array(center[2...])
        self.inverseCrossProductGradient = first.map { Array($0[2...]) }
    }

    /// A point of the difference stencil, and whether (L_XX L_XXᵀ)⁻¹ is wanted there.
    private struct StencilPoint: Sendable {
        let theta: [Double]
        let withMatrix: Bool
    }

    /// Models whose factor takes at least this many bytes evaluate their stencil two points at a
    /// time (a second factor of that size is allocated for it): one thread per evaluation uses
    /// the two cores better than both threads inside one evaluation (crossed-1m, 20 points: the
    /// time after the optimiser 2.3 s → 1.9–2.2 s). Below a few MB an evaluation takes
    /// milliseconds and the second factor is not worth its setup.
    static let parallelFactorBytes = 2 << 20

    /// Whether to evaluate the stencil two points at a time: a large factor, two cores free
    /// (not inside parallel bootstrap replicates), and memory for a second factor with room to
    /// spare (a model near the machine's limit keeps one factor and stays sequential).
    static func stencilPays(factorBytes: Int) -> Bool {
        factorBytes >= parallelFactorBytes && DenseKernels.threadCount > 1
            && factorBytes <= FactorPlan.availableMemory(forBytes: factorBytes) / 4
    }

    /// [a + r²/σ̂², r², (L_XX L_XXᵀ)⁻¹ (p × p, when asked)] of an up-to-date factor.
    private static func values(of factor: BlockedCholeskyFactor, method: EstimationMethod, sigma2: Double,
                               withMatrix: Bool) -> [Double] {
        let parts = FactorSummary(factor)
        let a = parts.logDeterminantZ + (method == .reml ? parts.logDeterminantX : 0)
        let r2 = parts.penalizedResidualSquares
        return withMatrix ? [a + r2 / sigma2, r2] + inverseCrossProduct(factor) : [a + r2 / sigma2, r2]
    }

    /// The values at every stencil point, in order (NaN where the deviance is not finite): on
    /// the calling thread, or in two interleaved halves, each with its own factor on one thread.
    private static func evaluate(_ points: [StencilPoint], fit: FittedModel, sigma2: Double,
                                 parallel: Bool) -> [[Double]] {
        let p = fit.fixedEffectCount
        let method = fit.method
        let parts = parallel && points.count > 1 ? 2 : 1
        let halves = ParallelReplicates.run(count: parts, threads: parts) { part -> [[Double]] in
            var deviance = fit.model.makeDeviance(method: method)
            var results: [[Double]] = []
            var index = part
            while index < points.count {
                let point = points[index]
                // Without the matrix only the objective's parts are read (FactorSummary).
                if deviance.evaluate(point.theta, objectiveOnly: !point.withMatrix).isFinite {
                    results.append(values(of: deviance.factor, method: method, sigma2: sigma2, withMatrix: point.withMatrix))
                } else {
                    results.append([Double](repeating: .nan, count: point.withMatrix ? 2 + p * p : 2))
                }
                index += parts
            }
            return results
        }
        var ordered: [[Double]] = []
        ordered.reserveCapacity(points.count)
        for index in 0..<points.count { ordered.append(halves[index % parts][index / parts]) }
        return ordered
    }

    /// The Hessian of D in φ = (θ, σ) at (θ̂, σ̂), row-major (k + 1) × (k + 1): the θθ block is
    /// differenced, ∂²D/∂θᵢ∂σ = −2 (∂r²/∂θᵢ)/σ³ and ∂²D/∂σ² = 6 r²/σ⁴ − 2m/σ².
    func devianceHessian() -> [Double] {
        let k = theta.count
        let size = k + 1
        let sigma2 = sigma * sigma
        var hessian = [Double](repeating: 0, count: size * size)
        for i in 0..<k {
            for j in 0..<k { hessian[i * size + j] = objectiveHessian[i * k + j] }
            let mixed = -2 * residualSquaresGradient[i] / (sigma2 * sigma)
            hessian[i * size + k] = mixed
            hessian[k * size + i] = mixed
        }
        hessian[k * size + k] = 6 * centerResidualSquares / (sigma2 * sigma2) - 2 * residualDegrees / sigma2
        return hessian
    }

    /// The gradient of D in φ = (θ, σ) at (θ̂, σ̂); ∂D/∂σ = −2r²/σ³ + 2m/σ (0 at σ̂).
    func devianceGradient() -> [Double] {
        let sigma2 = sigma * sigma
        return objectiveGradient + [-2 * centerResidualSquares / (sigma2 * sigma) + 2 * residualDegrees / sigma]
    }

    // MARK: - Shared numerics

    /// Richardson levels and initial step of ``firstDerivatives(fit:_:)`` (numDeriv's defaults).
    static let richardsonLevels = 4
    static let richardsonStep = 0.1

    /// Richardson-extrapolated central first derivatives in θ, at θ̂, of a matrix-valued function
    /// of the refreshed factor (one result per θᵢ, each of the function's length): 8k
    /// refactorisations of L.
    static func firstDerivatives(fit: FittedModel, _ function: (BlockedCholeskyFactor) -> [Double]) -> [[Double]] {
        let theta = fit.workingTheta
        var deviance = fit.model.makeDeviance(method: fit.method)
        let steps = Self.steps(for: theta, parametrizations: fit.model.parametrizations, relative: richardsonStep,
                               scales: fit.model.thetaScales)
        var result: [[Double]] = []
        for i in theta.indices {
            var estimates: [[Double]] = []
            for level in 0..<Self.richardsonLevels {
                let h = steps[i] / Double(1 << level)
                var plus = theta
                plus[i] += h
                var minus = theta
                minus[i] -= h
                let upValid = deviance.evaluate(plus).isFinite
                let up = function(deviance.factor)
                let downValid = deviance.evaluate(minus).isFinite
                let down = function(deviance.factor)
                estimates.append(zip(up, down).map { upValid && downValid ? ($0 - $1) / (2 * h) : .nan })
            }
            result.append(Self.extrapolate(estimates))
        }
        return result
    }

    /// The step for each θᵢ: `relative` × |θᵢ|, at least ``minimumStep``, kept within half the
    /// distance to the bounds of a compound-symmetry correlation (the only parameter whose bound
    /// is not a sign symmetry of Λ). The floor and numDeriv's zero tolerance are in the
    /// optimiser's units (× `scales`, ``LinearMixedModel/thetaScales``: 1 for columns of ordinary
    /// size), so that a random-effects column in tiny or huge units gets the steps it would get
    /// in ordinary units.
    static func steps(for theta: [Double], parametrizations: [CovarianceParametrization],
                      relative: Double, scales: [Double] = []) -> [Double] {
        let unit = { (index: Int) -> Double in index < scales.count ? scales[index] : 1 }
        // numDeriv's rule for its 10% steps (a relative step unless θᵢ is within its zero
        // tolerance); a floor at the smallest step for the finer ones.
        var steps = relative >= 0.1
            ? theta.indices.map { abs(theta[$0]) < numDerivZeroTolerance * unit($0) ? minimumStep * unit($0) : relative * abs(theta[$0]) }
            : theta.indices.map { max(relative * abs(theta[$0]), minimumStep * unit($0)) }
        var offset = 0
        for parametrization in parametrizations {
            if parametrization.pattern == .compoundSymmetry {
                let index = offset + 1
                let lower = parametrization.lowerBounds[1]
                let upper = parametrization.upperBounds[1]
                let room = min(theta[index] - lower, upper - theta[index])
                if room > 0 { steps[index] = min(steps[index], room / 2) }
            }
            offset += parametrization.parameterCount
        }
        return steps
    }

    /// Richardson extrapolation of estimates at steps h, h/2, h/4, … whose errors are series in
    /// even powers of h.
    static func extrapolate(_ estimates: [[Double]]) -> [Double] {
        var table = estimates
        var factor = 4.0
        while table.count > 1 {
            var next: [[Double]] = []
            for level in 0..<(table.count - 1) {
                let coarse = table[level]
                let fine = table[level + 1]
                var combined = [Double](repeating: 0, count: coarse.count)
                for index in coarse.indices {
                    let improved: Double = factor * fine[index] - coarse[index]
                    combined[index] = improved / (factor - 1)
                }
                next.append(combined)
            }
            table = next
            factor *= 4
        }
        return table.first ?? []
    }

    /// (L_XX L_XXᵀ)⁻¹ = L_XX⁻ᵀ L_XX⁻¹, row-major p × p.
    static func inverseCrossProduct(_ factor: BlockedCholeskyFactor) -> [Double] {
        let p = factor.fixedCount
        let inverse = factor.inverseFixedFactor()
        var result = [Double](repeating: 0, count: p * p)
        for row in 0..<p {
            for column in 0..<p {
                var sum = 0.0
                for inner in max(row, column)..<p { sum += inverse[inner, row] * inverse[inner, column] }
                result[row * p + column] = sum
            }
        }
        return result
    }
}
