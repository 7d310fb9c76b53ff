/// The outcome of a ``BOBYQA`` minimisation (Powell 2009, DAMTP 2009/NA06).
public struct OptimizationResult: Sendable, Equatable {
    /// The best point found: the evaluated point with the least finite objective value.
    /// It always satisfies the bounds (coordinates on a bound are exactly equal to it).
    public var x: [Double]
    /// The objective value at ``x``; `NaN` only when no evaluation was made or no
    /// finite value was ever returned.
    public var value: Double
    /// The objective value at the first evaluated point, which is the starting point
    /// after projection into the bounds and Powell's move away from nearby bounds.
    public var initialValue: Double
    /// The exact number of calls made to the objective function.
    public var evaluations: Int
    /// Why the run stopped.
    public var status: OptimizationStatus

    /// Creates a result.
    public init(x: [Double], value: Double, initialValue: Double, evaluations: Int, status: OptimizationStatus) {
        self.x = x
        self.value = value
        self.initialValue = initialValue
        self.evaluations = evaluations
        self.status = status
    }

    /// `true` when the run ended normally: the trust radius reached its final value
    /// (``OptimizationStatus/converged``) or the function tolerance was met
    /// (``OptimizationStatus/functionToleranceReached``).
    public var converged: Bool {
        status == .converged || status == .functionToleranceReached
    }
}
