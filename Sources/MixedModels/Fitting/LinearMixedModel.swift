import Foundation
import Optimization

/// A linear mixed-effects model, y = Xβ + Zb + ε with b ~ N(0, σ² Λθ Λθᵀ), ε ~ N(0, σ² W⁻¹),
/// specified but not yet fitted: the design and the cross products A = [Z X y]ᵀW[Z X y],
/// formed once. ``fit(method:)`` optimises the profiled deviance over θ and returns an
/// immutable ``FittedModel``.
///
///     let data = try DataTable.builtIn("sleepstudy")
///     let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: data)
///     let fit = try model.fit(method: .reml)
public struct LinearMixedModel: Sendable {
    /// The design (X, the random-effects terms, y, weights).
    public let design: ModelDesign
    let crossProducts: CrossProducts
    let parametrizations: [CovarianceParametrization]
    /// The storage of every block of L (from the symbolic analysis, done once; tests replace it
    /// to compare the ways of taking the downdate).
    var factorPlan: FactorPlan
    /// Seconds spent building the design and the cross products.
    public let buildSeconds: Double
    /// The scale of each θ component that the optimiser works in (θ / scale), from the
    /// random-effects columns' sizes (``ThetaScaling``); 1 for columns of ordinary size.
    public let thetaScales: [Double]
    /// Per term, the scale of each random-effects column (``ThetaScaling/columnScales(_:)``).
    let columnScales: [[Double]]

    /// Parses the formula, builds the design from `data` and forms the cross products.
    public init(formula: String, data: DataTable, options: ModelOptions = ModelOptions()) throws(MixedModelError) {
        let clock = ContinuousClock()
        let start = clock.now
        let parsed: Formula
        do { parsed = try Formula(formula) } catch { throw .formula(error) }
        let design: ModelDesign
        do { design = try ModelDesign(formula: parsed, data: data, options: options) } catch { throw .design(error) }
        try self.init(design: design, startedAt: start, clock: clock)
    }

    /// A model from a design built elsewhere.
    /// - Throws: ``MixedModelError/modelTooLarge(_:)`` when its cross products or factor would
    ///   not fit in memory (``ModelOptions/memoryLimit``).
    public init(design: ModelDesign) throws(MixedModelError) {
        let clock = ContinuousClock()
        try self.init(design: design, startedAt: clock.now, clock: clock)
    }

    private init(design: ModelDesign, startedAt start: ContinuousClock.Instant, clock: ContinuousClock) throws(MixedModelError) {
        let rough = 8 * design.observationCount * (design.randomEffectsTerms.count + 1)
            + 8 * design.randomEffectsTerms.dropFirst().reduce(0) { $0 + $1.randomEffectCount * $1.randomEffectCount }
        let limit = design.options.memoryLimit ?? FactorPlan.availableMemory(forBytes: rough)
        try FactorPlan.checkCrossProducts(design: design, memoryLimit: limit)
        self.design = design
        let crossProducts = CrossProducts(design: design)
        self.crossProducts = crossProducts
        self.parametrizations = design.randomEffectsTerms.map {
            CovarianceParametrization(pattern: $0.covariancePattern, size: $0.columnCount)
        }
        self.factorPlan = try FactorPlan(crossProducts: crossProducts, design: design,
                                         choice: design.options.trailingStorage, memoryLimit: limit)
        let columnScales = design.randomEffectsTerms.map(ThetaScaling.columnScales)
        self.columnScales = columnScales
        self.thetaScales = ThetaScaling.scales(columnScales: columnScales, parametrizations: parametrizations)
        self.buildSeconds = (clock.now - start).seconds
    }

    /// The storage chosen for each term's block column of the Cholesky factor, with its
    /// predicted nonzeros and memory (what `lmm design` shows as `factorBlocks`).
    public var factorBlocks: [FactorBlockDescription] { factorPlan.blocks }

    /// The number of covariance parameters θ.
    public var parameterCount: Int { parametrizations.reduce(0) { $0 + $1.parameterCount } }

    /// Lower bounds on θ (0 for the diagonal of λ under FullCholesky, as lme4).
    public var lowerBounds: [Double] { parametrizations.flatMap(\.lowerBounds) }

    /// θ at which optimisation starts, in the fit's coordinates: λ = I for every term, as lme4,
    /// except that a θ component of a rescaled column (``thetaScales``) starts at its scale
    /// (λ = I in the optimiser's units), and a term with centred columns starts at λ = I in the
    /// centred columns (``RandomEffectsTerm/columnCentres``).
    public var initialTheta: [Double] {
        zip(parametrizations.flatMap(\.initialValues), thetaScales).map { $0 * $1 }
    }

    /// The profiled objective (−2 log-likelihood, or the REML criterion) at `theta` (in the
    /// units of the data, as ``FittedModel/theta``); `+infinity` where it cannot be evaluated.
    public func objective(theta: [Double], method: EstimationMethod) -> Double {
        guard theta.count == parameterCount else { return .nan }
        var deviance = makeDeviance(method: method)
        return deviance.evaluate(workingTheta(fromUser: theta))
    }

    /// The profiled deviance of this model's design, over its own cross products or over
    /// `crossProducts` derived from them (a new response, a fixed effect moved to an offset, with
    /// `fixedCount` columns of X left).
    func makeDeviance(method: EstimationMethod, crossProducts: CrossProducts? = nil,
                      fixedCount: Int? = nil) -> ProfiledDeviance {
        let products = crossProducts ?? self.crossProducts
        let factor = BlockedCholeskyFactor(crossProducts: products, parametrizations: parametrizations,
                                           fixedCount: fixedCount ?? design.fixedEffects.columnCount,
                                           sparseTrailing: factorPlan.sparseTrailing,
                                           groupedRows: crossProducts == nil ? factorPlan.groupedRows : nil)
        let sumLogWeights = design.weights.map { $0.reduce(0) { $0 + log($1) } } ?? 0
        return ProfiledDeviance(crossProducts: products, factor: factor, observationCount: design.observationCount,
                                sumLogWeights: sumLogWeights, method: method)
    }

    /// Fits the model by ML or REML.
    /// - Parameters:
    ///   - settings: the optimiser and its tolerances.
    ///   - start: θ to start from, in the units of the data as ``FittedModel/theta``; projected
    ///     into the bounds. When `nil`: ``momentStartTheta`` or ``initialTheta``, as
    ///     ``OptimizerSettings/startMethod`` says.
    ///   - progress: called after every objective evaluation of the optimisation (the library
    ///     never prints; the `lmm` tool shows a live line or a trace from it).
    /// - Throws: ``MixedModelError/unfittable(_:)`` when the objective is not finite at the start
    ///   (for instance a response with no variation), or ``MixedModelError/invalidArgument(_:)`` when
    ///   `start` has the wrong length or non-finite entries.
    public func fit(method: EstimationMethod = .ml, optimizer settings: OptimizerSettings = .default,
                    start: [Double]? = nil,
                    progress: ((FitProgress) -> Void)? = nil) throws(MixedModelError) -> FittedModel {
        let clock = ContinuousClock()
        let startTime = clock.now
        var deviance = makeDeviance(method: method)
        var observer = progress.map { FitProgressObserver(handler: $0, clock: clock, start: startTime) }
        if hasCentredTerms { observer?.userTheta = { self.userTheta($0) } }
        let theta0: [Double]
        var startObjective: Double?
        var startSettings = settings
        var startMethod = "given"
        var comparisonEvaluations = 0
        if let start {
            guard start.count == parameterCount else {
                throw .invalidArgument("the model has \(parameterCount) covariance parameters θ but the start has \(start.count) values")
            }
            guard start.allSatisfy(\.isFinite) else { throw .invalidArgument("the start θ must be finite numbers") }
            let lower = lowerBounds
            let upper = parametrizations.flatMap(\.upperBounds)
            // The start is in the units of the data; the optimiser works in the fit's coordinates.
            theta0 = workingTheta(fromUser: start.indices.map { max(min(start[$0], upper[$0]), lower[$0]) })
        } else if settings.startMethod == .moments, let moments = momentStartTheta(radius: settings.momentStartTrustRadius) {
            // The moment estimates are the start unless the objective is lower at λ = I (MIVQUE(0)
            // can be far off on unbalanced data with large variance ratios): one evaluation more.
            let identity = initialTheta
            let identityObjective = deviance.evaluate(identity, objectiveOnly: true)
            observer?.record(theta: identity, objective: identityObjective)
            let momentObjective = deviance.evaluate(moments, objectiveOnly: true)
            observer?.record(theta: moments, objective: momentObjective)
            comparisonEvaluations = 1
            if momentObjective.isFinite && !(momentObjective > identityObjective) {
                theta0 = moments
                startObjective = momentObjective
                startSettings.initialTrustRadius = min(settings.initialTrustRadius, settings.momentStartTrustRadius)
                startMethod = StartMethod.moments.rawValue
            } else {
                theta0 = identity
                startObjective = identityObjective
                startMethod = StartMethod.identity.rawValue
            }
        } else {
            theta0 = initialTheta
            startMethod = StartMethod.identity.rawValue
        }
        var optimum = minimize(&deviance, from: theta0, settings: startSettings, requiresFiniteStart: true,
                               startObjective: startObjective, observer: &observer)
        optimum.evaluations += comparisonEvaluations
        guard optimum.initialObjective.isFinite else {
            throw .unfittable("the objective is not finite at the starting values; check that the response varies and that the fixed effects do not fit it exactly")
        }
        let summary = OptimizationSummary(optimizer: settings.algorithm == .bobyqa ? "BOBYQA" : "NelderMead",
                                          initialTheta: userTheta(theta0),
                                          initialObjective: optimum.initialObjective, finalTheta: userTheta(optimum.theta),
                                          finalObjective: optimum.objective, evaluations: optimum.evaluations,
                                          converged: optimum.converged, status: optimum.status,
                                          finalTrustRadius: optimum.finalTrustRadius,
                                          seconds: (clock.now - startTime).seconds + buildSeconds,
                                          boundaryEvaluations: optimum.boundaryEvaluations, startMethod: startMethod)
        return FittedModel(model: self, method: method, theta: optimum.theta, factor: deviance.factor,
                           objective: optimum.objective, optimization: summary, settings: settings)
    }

    /// The one fit driver, shared by ``fit(method:optimizer:start:progress:)``, the refits of the
    /// parametric bootstrap and the simulated likelihood-ratio test, and the fixed-effect profiles
    /// (MixedModels.jl's `fit!`, which its `refit!` reuses): evaluates the start, minimises
    /// `deviance` over θ by the optimiser of `settings` within this model's bounds (in the units
    /// of ``thetaScales``), keeps the start if the optimiser found nothing better, tries
    /// near-bound components at their bound (``BoundaryCheck``), snaps near-zero bounded
    /// parameters to 0 (``snapToBounds(_:value:lower:scales:_:)``) and leaves `deviance`'s
    /// factor at the optimum. With `requiresFiniteStart`, the optimiser is not run when the
    /// objective is not finite at the start (``fit(method:optimizer:start:progress:)`` then
    /// throws); otherwise it may still find a finite point.
    func minimize(_ deviance: inout ProfiledDeviance, from start: [Double], settings: OptimizerSettings,
                  requiresFiniteStart: Bool = false) -> ThetaOptimum {
        var observer: FitProgressObserver?
        return minimize(&deviance, from: start, settings: settings, requiresFiniteStart: requiresFiniteStart,
                        observer: &observer)
    }

    /// `startObjective`: the objective at `start` when the caller has evaluated it (it is then
    /// not evaluated again, and not counted).
    func minimize(_ deviance: inout ProfiledDeviance, from start: [Double], settings: OptimizerSettings,
                  requiresFiniteStart: Bool, startObjective: Double? = nil,
                  observer: inout FitProgressObserver?) -> ThetaOptimum {
        let lower = lowerBounds
        let upper = parametrizations.flatMap(\.upperBounds)
        // The optimiser reads only the objective: the factor is completed at the optimum below.
        let initialObjective = startObjective ?? deviance.evaluate(start, objectiveOnly: true)
        if startObjective == nil { observer?.record(theta: start, objective: initialObjective) }
        var theta = start
        var best = initialObjective
        var evaluations = 1
        var converged = true
        var status = "no parameters"
        var boundaryEvaluations = 0
        if !start.isEmpty && (initialObjective.isFinite || !requiresFiniteStart) {
            // The start's evaluation counts against the budget of `settings.maxEvaluations`.
            var budget = settings
            budget.maxEvaluations = max(settings.maxEvaluations - 1, 1)
            let result = Self.runOptimizer(settings: budget, lower: lower, upper: upper, scales: thetaScales,
                                           start: start, initialValue: initialObjective) { theta in
                let value = deviance.evaluate(theta, objectiveOnly: true)
                observer?.record(theta: theta, objective: value)
                return value
            }
            evaluations += result.evaluations
            converged = result.converged
            status = result.status.rawValue
            if result.value.isFinite && !(result.value > best) {
                theta = result.x
                best = result.value
            }
            if settings.checksBoundary && best.isFinite && result.converged {
                var remaining = settings
                remaining.maxEvaluations = settings.maxEvaluations - evaluations
                var check = BoundaryCheck(lower: lower, upper: upper, scales: thetaScales, settings: remaining)
                boundaryEvaluations = check.apply(&theta, value: &best) { theta in
                    let value = deviance.evaluate(theta, objectiveOnly: true)
                    observer?.record(theta: theta, objective: value)
                    return value
                }
                evaluations += boundaryEvaluations
            }
            evaluations += Self.snapToBounds(&theta, value: &best, lower: lower, scales: thetaScales) { theta in
                let value = deviance.evaluate(theta, objectiveOnly: true)
                observer?.record(theta: theta, objective: value)
                return value
            }
        }
        // Leave the factor at the optimum (unless the last evaluation was already there).
        if deviance.lastTheta != theta { _ = deviance.evaluate(theta) }
        return ThetaOptimum(theta: theta, objective: best, initialObjective: initialObjective,
                            evaluations: evaluations, converged: converged, status: status,
                            finalTrustRadius: settings.finalTrustRadius, boundaryEvaluations: boundaryEvaluations)
    }

    /// Runs the optimiser of `settings` on f over the box, in units of `scales`.
    static func runOptimizer(settings: OptimizerSettings, lower: [Double], upper: [Double], scales: [Double],
                             start: [Double], initialValue: Double?, _ f: ([Double]) -> Double) -> OptimizationResult {
        let scaled = scales.contains { $0 != 1 } ? scales : nil
        switch settings.algorithm {
        case .bobyqa:
            var optimizer = BOBYQA(lowerBounds: lower, upperBounds: upper,
                                   initialTrustRadius: settings.initialTrustRadius,
                                   finalTrustRadius: settings.finalTrustRadius, maxEvaluations: settings.maxEvaluations)
            optimizer.functionTolerance = settings.functionTolerance
            optimizer.variableScales = scaled
            // The rule is for the parameters BOBYQA moves (a bound check holds some at a bound).
            let free = zip(lower, upper).filter { $0 < $1 }.count
            optimizer.interpolationPoints = settings.interpolationPoints(variables: free)
            return optimizer.minimize(from: start, initialValue: initialValue, f)
        case .nelderMead:
            var optimizer = NelderMead(lowerBounds: lower, upperBounds: upper,
                                       initialStep: min(settings.initialTrustRadius, 0.1),
                                       pointTolerance: settings.finalTrustRadius,
                                       functionTolerance: settings.functionTolerance,
                                       maxEvaluations: settings.maxEvaluations)
            optimizer.variableScales = scaled
            return optimizer.minimize(from: start, initialValue: initialValue, f)
        }
    }

    /// Parameters with a lower bound of 0 that end within 1e-4 of it (in the optimiser's units,
    /// θ / scale) are set to exactly 0 when that does not worsen the objective (lme4 and
    /// MixedModels.jl do the same), so boundary fits are reported as exactly singular. Returns the
    /// number of evaluations of the objective `f` used.
    private static func snapToBounds(_ theta: inout [Double], value: inout Double, lower: [Double], scales: [Double],
                                     _ f: ([Double]) -> Double) -> Int {
        var evaluations = 0
        for index in theta.indices where lower[index] == 0 && theta[index] != 0 && theta[index] < 1e-4 * scales[index] {
            var trial = theta
            trial[index] = 0
            let trialValue = f(trial)
            evaluations += 1
            if trialValue <= value {
                theta = trial
                value = trialValue
            }
        }
        return evaluations
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
