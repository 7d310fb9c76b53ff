import Foundation

/// A fitted linear mixed-effects model: an immutable value holding the estimates, the fit
/// statistics and the optimisation record (MATLAB's `LinearMixedModel`, lme4's `merMod`).
///
/// Warnings (singular fit, dropped rows or columns, non-convergence) are data in
/// ``warnings``; the library never prints.
public struct FittedModel: Sendable {
    /// The model that was fitted.
    public let model: LinearMixedModel
    /// ML or REML.
    public let method: EstimationMethod
    /// θ at the optimum, in the order of the random-effects terms, in the units of the data
    /// (for a term whose columns the fit centres, ``RandomEffectsTerm/columnCentres``, the
    /// Cholesky factor of the user's Σ / σ², as lme4 reports it).
    public let theta: [Double]
    /// β̂, in the order of ``ModelDesign/fixedEffects`` columns.
    public let beta: [Double]
    /// σ̂, the residual standard deviation.
    public let sigma: Double
    /// Var(β̂) = σ² (L_XX L_XXᵀ)⁻¹, row-major p × p.
    public let fixedEffectsCovariance: [Double]
    /// The optimised criterion: −2 log-likelihood (ML) or the REML criterion.
    public let objective: Double
    /// The optimisation record (its θ in the units of the data, as ``theta``).
    public let optimization: OptimizationSummary
    /// The optimiser settings of the fit; refits (bootstrap, simulated tests, profiles) use them too.
    public let optimizerSettings: OptimizerSettings
    /// λ_k for each term (column-major s × s), in the units of the data (λλᵀ = Σ_k / σ²).
    public let lambdas: [[Double]]
    /// The conditional modes b̂ per term, level-major (s values per level), in the units of the data.
    public let randomEffectsModes: [[Double]]
    /// The spherical conditional modes u per term (b = Λ u, with ``lambdas``).
    public let sphericalModes: [[Double]]
    /// θ as the fit works with it: equal to ``theta`` unless a term's columns are centred
    /// (``RandomEffectsTerm/columnCentres``); what the optimiser, refits and derivatives use.
    public let workingTheta: [Double]
    /// λ_k in the fit's coordinates (with ``RandomEffectsTerm/workingZ``).
    let workingLambdas: [[Double]]
    /// b̂ in the fit's coordinates (with ``RandomEffectsTerm/workingZ``).
    let workingModes: [[Double]]
    let factor: BlockedCholeskyFactor

    /// - Parameter theta: θ in the fit's coordinates (``workingTheta``).
    init(model: LinearMixedModel, method: EstimationMethod, theta: [Double], factor: BlockedCholeskyFactor,
         objective: Double, optimization: OptimizationSummary, settings: OptimizerSettings = .default) {
        self.model = model
        self.method = method
        self.workingTheta = theta
        self.factor = factor
        self.objective = objective
        self.optimization = optimization
        self.optimizerSettings = settings
        let p = factor.fixedCount
        self.sigma = ProfiledDeviance.sigma(of: factor, observationCount: model.design.observationCount, method: method)
        let beta = factor.fixedEffectsEstimate()
        self.beta = beta
        let inverse = factor.inverseFixedFactor()
        var covariance = [Double](repeating: 0, count: p * p)
        let variance = sigma * sigma
        for row in 0..<p {
            for column in 0..<p {
                var sum = 0.0
                for inner in max(row, column)..<p { sum += inverse[inner, row] * inverse[inner, column] }
                covariance[row * p + column] = variance * sum
            }
        }
        self.fixedEffectsCovariance = covariance
        self.workingLambdas = factor.lambdas
        let u = factor.sphericalModes(beta: beta)
        let modes = zip(u, factor.lambdas).enumerated().map { k, pair in
            let size = factor.parametrizations[k].size
            return Self.multiplyBlocks(pair.0, lambda: pair.1, size: size)
        }
        self.workingModes = modes
        guard model.hasCentredTerms else {
            self.theta = theta
            self.lambdas = factor.lambdas
            self.sphericalModes = u
            self.randomEffectsModes = modes
            return
        }
        let terms = model.design.randomEffectsTerms
        var lambdas: [[Double]] = []
        var spherical: [[Double]] = []
        var userModes: [[Double]] = []
        for (k, term) in terms.enumerated() {
            let size = term.columnCount
            let user = RandomEffectsCentring.transformedLambda(factor.lambdas[k], size: size, centres: term.columnCentres)
            lambdas.append(user.lambda)
            spherical.append(term.isCentred ? RandomEffectsCentring.rotate(u[k], size: size, rotation: user.rotation) : u[k])
            userModes.append(RandomEffectsCentring.userModes(modes[k], size: size, centres: term.columnCentres))
        }
        self.lambdas = lambdas
        self.sphericalModes = spherical
        self.randomEffectsModes = userModes
        self.theta = model.userTheta(theta)
    }

    /// b = (I ⊗ λ) u.
    static func multiplyBlocks(_ u: [Double], lambda: [Double], size: Int) -> [Double] {
        var b = [Double](repeating: 0, count: u.count)
        for level in 0..<(u.count / max(size, 1)) {
            for row in 0..<size {
                var sum = 0.0
                for column in 0...row { sum += lambda[column * size + row] * u[level * size + column] }
                b[level * size + row] = sum
            }
        }
        return b
    }

    // MARK: - Fit statistics

    /// n, the number of observations used.
    public var observationCount: Int { model.design.observationCount }
    /// p, the number of fixed-effects coefficients.
    public var fixedEffectCount: Int { beta.count }
    /// q, the number of random effects.
    public var randomEffectCount: Int { model.design.randomEffectsTerms.reduce(0) { $0 + $1.randomEffectCount } }
    /// The number of covariance parameters θ (not counting σ).
    public var covarianceParameterCount: Int { theta.count }

    /// The maximised log-likelihood (the restricted log-likelihood for REML).
    public var logLikelihood: Double { -objective / 2 }
    /// −2 log L (MATLAB's `Deviance`).
    public var deviance: Double { objective }
    /// The number of estimated parameters: covariance parameters + p + 1 (σ), as MATLAB and lme4.
    public var parameterCountForInformationCriteria: Int { covarianceParameterCount + fixedEffectCount + 1 }
    /// Akaike's information criterion, −2 log L + 2k.
    public var aic: Double { deviance + 2 * Double(parameterCountForInformationCriteria) }
    /// Bayes' information criterion, −2 log L + k log(n) for ML and k log(n − p) for REML (MATLAB's definition).
    public var bic: Double {
        let effective = method.residualDegrees(observations: observationCount, fixedEffects: fixedEffectCount)
        return deviance + Double(parameterCountForInformationCriteria) * log(effective)
    }

    /// Whether the fit is on the boundary of the parameter space: some λ_k has a diagonal entry
    /// below 1e-4 (a zero variance or perfectly correlated random effects), as lme4's `isSingular`;
    /// for a random-effects column of odd units the entry is compared in the optimiser's units
    /// (λ / scale, ``LinearMixedModel/thetaScales``), and for a term with centred columns in the
    /// fit's coordinates (``RandomEffectsTerm/columnCentres``), so that the answer does not
    /// depend on them.
    public var isSingular: Bool {
        for (k, lambda) in workingLambdas.enumerated() {
            let size = factor.parametrizations[k].size
            let scales = k < model.columnScales.count ? model.columnScales[k] : []
            for index in 0..<size {
                let scale = index < scales.count ? scales[index] : 1
                if abs(lambda[index * size + index]) < 1e-4 * scale { return true }
            }
        }
        return false
    }

    /// Messages a user should see: singular fit, dropped rows and columns, non-convergence.
    public var warnings: [String] {
        var messages: [String] = []
        let design = model.design
        if design.droppedRowCount > 0 {
            messages.append("\(design.droppedRowCount) rows with missing values were dropped")
        }
        if design.zeroWeightRowCount > 0 {
            messages.append("\(design.zeroWeightRowCount) rows with zero weight were excluded")
        }
        for (name, culprit) in design.predictorsReadAsText.sorted(by: { $0.key < $1.key }) {
            messages.append("the predictor '\(name)' was coded as categorical because \(culprit.place) holds '\(culprit.text)', which is not a number\(culprit.hint)")
        }
        if !design.fixedEffects.droppedColumnNames.isEmpty {
            let names = design.fixedEffects.droppedColumnNames.joined(separator: ", ")
            messages.append("fixed-effect model matrix is rank deficient so dropping \(design.fixedEffects.droppedColumnNames.count) columns / coefficients: \(names)")
        }
        if isSingular {
            messages.append("boundary (singular) fit: some variance components are zero or correlations are ±1; consider simpler random effects (drop a term or a correlation)")
        }
        if !optimization.converged {
            messages.append("the optimiser did not converge (\(optimization.status) after \(optimization.evaluations) evaluations)")
        }
        return messages
    }

    /// The residual degrees of freedom n − p.
    public var residualDegreesOfFreedom: Double { Double(observationCount - fixedEffectCount) }

    /// Standard errors of β̂.
    public var standardErrors: [Double] {
        let p = fixedEffectCount
        return (0..<p).map { fixedEffectsCovariance[$0 * p + $0].squareRoot() }
    }
}
