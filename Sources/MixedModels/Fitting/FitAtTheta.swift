extension LinearMixedModel {
    /// The fit at a known optimum θ, without optimising: one evaluation of the profiled deviance
    /// at `theta` gives β̂, σ̂, the conditional modes and the factor every inference reads (what
    /// `lmm … --from FIT.json` uses to skip the optimisation of a saved fit, see ``SavedFit``).
    ///
    /// The optimisation record says one evaluation, starting and ending at `theta`; `converged`
    /// and `status` are those given (the original fit's), so its warnings carry over.
    ///
    /// `theta` is in the units of the data, as ``FittedModel/theta``.
    ///
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` when `theta` has the wrong length, a
    ///   value that is not finite or below its lower bound, and ``MixedModelError/unfittable(_:)``
    ///   when the objective is not finite there.
    public func fit(method: EstimationMethod, atTheta theta: [Double], converged: Bool = true,
                    status: String = "evaluated at a saved optimum",
                    optimizer settings: OptimizerSettings = .default) throws(MixedModelError) -> FittedModel {
        let clock = ContinuousClock()
        let start = clock.now
        guard theta.count == parameterCount else {
            throw .invalidArgument("θ has \(theta.count) values but the model has \(parameterCount) covariance parameters")
        }
        for (index, value) in theta.enumerated() {
            guard value.isFinite, value >= lowerBounds[index] else {
                throw .invalidArgument("θ[\(index)] = \(value) is not finite or below its lower bound \(lowerBounds[index])")
            }
        }
        return try fit(method: method, atWorkingTheta: workingTheta(fromUser: theta), converged: converged,
                       status: status, optimizer: settings, startedAt: start, clock: clock)
    }

    /// ``fit(method:atTheta:converged:status:optimizer:)`` at θ in the fit's coordinates
    /// (``FittedModel/workingTheta``; a saved fit's, without the loss of a round trip).
    func fit(method: EstimationMethod, atWorkingTheta theta: [Double], converged: Bool, status: String,
             optimizer settings: OptimizerSettings,
             startedAt start: ContinuousClock.Instant? = nil, clock: ContinuousClock = ContinuousClock()) throws(MixedModelError) -> FittedModel {
        let start = start ?? clock.now
        guard theta.count == parameterCount else {
            throw .invalidArgument("θ has \(theta.count) values but the model has \(parameterCount) covariance parameters")
        }
        guard theta.allSatisfy(\.isFinite) else { throw .invalidArgument("θ must be finite numbers") }
        var deviance = makeDeviance(method: method)
        let objective = deviance.evaluate(theta)
        guard objective.isFinite else {
            throw .unfittable("the objective is not finite at the given θ")
        }
        let userTheta = userTheta(theta)
        let summary = OptimizationSummary(optimizer: "none (evaluated at θ)", initialTheta: userTheta,
                                          initialObjective: objective, finalTheta: userTheta, finalObjective: objective,
                                          evaluations: 1, converged: converged, status: status,
                                          finalTrustRadius: settings.finalTrustRadius,
                                          seconds: (clock.now - start).seconds + buildSeconds,
                                          startMethod: "saved")
        return FittedModel(model: self, method: method, theta: theta, factor: deviance.factor,
                           objective: objective, optimization: summary, settings: settings)
    }
}
