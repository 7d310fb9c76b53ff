/// The state of a fit in progress, passed to the `progress` handler of
/// ``LinearMixedModel/fit(method:optimizer:start:progress:)`` after every objective evaluation.
public struct FitProgress: Sendable {
    /// Evaluations of the objective so far (the start included).
    public let evaluations: Int
    /// θ of this evaluation, in the units of the data (as ``FittedModel/theta``).
    public let theta: [Double]
    /// The objective at ``theta`` (+∞ where it could not be evaluated).
    public let objective: Double
    /// The least objective so far.
    public let bestObjective: Double
    /// Seconds since the fit started.
    public let elapsedSeconds: Double
}

/// Counts the evaluations of a fit and forwards each one to the caller's progress handler.
struct FitProgressObserver {
    let handler: (FitProgress) -> Void
    let clock: ContinuousClock
    let start: ContinuousClock.Instant
    private var evaluations = 0
    private var best = Double.infinity
    /// θ in the user's coordinates from the optimiser's (``LinearMixedModel/userTheta(_:)``), when they differ.
    var userTheta: (([Double]) -> [Double])?

    init(handler: @escaping (FitProgress) -> Void, clock: ContinuousClock, start: ContinuousClock.Instant) {
        self.handler = handler
        self.clock = clock
        self.start = start
    }

    mutating func record(theta: [Double], objective: Double) {
        evaluations += 1
        if objective < best { best = objective }
        handler(FitProgress(evaluations: evaluations, theta: userTheta?(theta) ?? theta, objective: objective, bestObjective: best,
                            elapsedSeconds: (clock.now - start).seconds))
    }
}
