import Distributions
import Foundation
import Optimization

/// A likelihood-profile confidence interval for one parameter (lme4's
/// `confint(method = "profile")`).
public struct ProfileInterval: Sendable, Equatable, Codable {
    /// lme4's name with `oldNames = FALSE`: `sd_(Intercept)|Subject`,
    /// `cor_Days.(Intercept)|Subject`, `sigma`, or a fixed-effect coefficient name.
    public let parameter: String
    /// The ML estimate.
    public let estimate: Double
    /// The lower limit (a bound of the parameter — 0 for an SD, −1 for a correlation — when the
    /// profile does not reach the critical value before it).
    public let lower: Double
    /// The upper limit.
    public let upper: Double
}

extension FittedModel {
    /// Likelihood-profile confidence intervals for the SDs and correlations of the random
    /// effects, σ, and each fixed effect, as lme4's `confint(method = "profile")`.
    ///
    /// For each parameter ψ the signed root deviance ζ(c) = sign(c − ψ̂) √(d(c) − d̂) is formed,
    /// where d(c) is the ML deviance minimised over all other parameters with ψ fixed at c (by
    /// BOBYQA over the other SDs, correlations and σ; for a fixed effect, by moving its column of X
    /// to an offset and refitting θ, with β and σ of the reduced model profiled out). The limits
    /// solve ζ(c) = ±z_{(1+level)/2} by bracketing and root finding (lme4 interpolates a spline
    /// through profile points instead). Like lme4, a REML fit is first refitted by ML: profile
    /// intervals are those of the ML fit.
    ///
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` when `level` is not in (0, 1), and the
    ///   errors of the ML refit.
    public func profileConfidenceIntervals(level: Double = 0.95) throws(MixedModelError) -> [ProfileInterval] {
        guard level > 0, level < 1 else {
            throw .invalidArgument("the confidence level must be between 0 and 1 (got \(level))")
        }
        if let term = model.design.randomEffectsTerms.first(where: \.isCentred) {
            throw .invalidArgument(Self.centredProfileRefusal(term))
        }
        let mlFit = method == .ml ? self : try model.fit(method: .ml, optimizer: optimizerSettings)
        var profiler = LikelihoodProfiler(fit: mlFit)
        let critical = NormalDistribution.standardQuantile(0.5 + level / 2)
        var intervals: [ProfileInterval] = []
        let terms = model.design.randomEffectsTerms
        for index in 0..<profiler.map.count {
            let limits = profiler.covarianceInterval(index: index, critical: critical)
            intervals.append(ProfileInterval(parameter: profiler.map.name(of: index, terms: terms),
                                             estimate: profiler.naturalEstimates[index],
                                             lower: limits.lower, upper: limits.upper))
        }
        let names = model.design.fixedEffects.columnNames
        for column in names.indices {
            let limits = profiler.fixedEffectInterval(column: column, critical: critical)
            intervals.append(ProfileInterval(parameter: names[column], estimate: mlFit.beta[column],
                                             lower: limits.lower, upper: limits.upper))
        }
        return intervals
    }
}

extension FittedModel {
    /// Why profiles are refused for a model with centred random-effects columns: the profiles of
    /// that term's SDs and correlation in the units of the data are not implemented.
    static func centredProfileRefusal(_ term: RandomEffectsTerm) -> String {
        let columns = term.columnNames.indices.filter { term.columnCentres[$0] != 0 }
            .map { "\(term.columnNames[$0]) (mean \(term.columnCentres[$0]))" }.joined(separator: ", ")
        return "profile intervals are not available for this model: the random-effects term of \(term.groupName) has \(columns) far from zero relative to its spread, which the fit centres internally, and the profiles of its SDs and correlation in the units of the data are not implemented; use Wald or bootstrap intervals, or centre the column in the data"
    }
}

/// The profiles of an ML fit: ζ for each natural covariance parameter and each fixed effect.
struct LikelihoodProfiler {
    let fit: FittedModel
    let map: NaturalParameterMap
    let naturalEstimates: [Double]
    let bounds: [(lower: Double, upper: Double)]
    /// Scales of the natural parameters for the optimiser (the estimates; 1 for correlations).
    let scales: [Double]
    private(set) var minimum: Double
    private var deviance: ProfiledDeviance

    init(fit: FittedModel) {
        self.fit = fit
        self.map = NaturalParameterMap(parametrizations: fit.model.parametrizations)
        self.naturalEstimates = map.natural(lambdas: fit.lambdas, sigma: fit.sigma)
        self.bounds = map.bounds
        let sigma = fit.sigma
        self.scales = zip(map.kinds, naturalEstimates).map { kind, value in
            switch kind {
            case .correlation: return 1
            default: return value.isFinite && value > 1e-3 * sigma ? value : sigma
            }
        }
        self.deviance = fit.model.makeDeviance(method: .ml)
        self.minimum = fit.objective
    }

    // MARK: - Covariance parameters

    /// The coordinates the optimiser moves while natural parameter `fixed` is held: every other
    /// natural parameter (scaled by its estimate), except that when `fixed` is a correlation of a
    /// term with three or more random effects, that term's correlations are replaced by
    /// Cholesky-row coordinates that keep its correlation matrix valid (see
    /// ``CorrelationCoordinates``).
    struct ProfileCoordinates {
        /// Natural parameters moved directly.
        let direct: [Int]
        /// The term whose correlations follow from `CorrelationCoordinates`, if any.
        let correlations: CorrelationCoordinates?

        var count: Int { direct.count + (correlations?.count ?? 0) }
    }

    func coordinates(fixing index: Int) -> ProfileCoordinates {
        if case .correlation(let k, let row, let column) = map.kinds[index], map.parametrizations[k].size >= 3,
           map.parametrizations[k].pattern == .fullCholesky || map.parametrizations[k].pattern == .full {
            let direct = (0..<map.count).filter { parameter in
                if case .correlation(let term, _, _) = map.kinds[parameter], term == k { return false }
                return true
            }
            return ProfileCoordinates(direct: direct,
                                      correlations: CorrelationCoordinates(term: k, size: map.parametrizations[k].size,
                                                                           first: column, second: row))
        }
        return ProfileCoordinates(direct: (0..<map.count).filter { $0 != index }, correlations: nil)
    }

    /// The natural parameters at coordinates `x` with parameter `index` fixed at `value`.
    func natural(at x: [Double], coordinates: ProfileCoordinates, index: Int, value: Double) -> [Double] {
        var point = naturalEstimates
        point[index] = value
        for (position, parameter) in coordinates.direct.enumerated() { point[parameter] = x[position] * scales[parameter] }
        if let correlations = coordinates.correlations {
            let matrix = correlations.correlationMatrix(fixed: value, free: Array(x[coordinates.direct.count...]))
            let s = correlations.size
            for parameter in 0..<map.count {
                if case .correlation(let term, let row, let column) = map.kinds[parameter], term == correlations.term {
                    point[parameter] = matrix[column * s + row]
                }
            }
        }
        return point
    }

    /// Starting coordinates from the natural parameters `values`.
    func startingCoordinates(_ coordinates: ProfileCoordinates, from values: [Double]) -> [Double] {
        var start = coordinates.direct.map { parameter -> Double in
            let value = values[parameter]
            return value.isFinite ? value / scales[parameter] : 0
        }
        if let correlations = coordinates.correlations {
            let s = correlations.size
            var matrix = [Double](repeating: 0, count: s * s)
            for index in 0..<s { matrix[index * s + index] = 1 }
            for parameter in 0..<map.count {
                if case .correlation(let term, let row, let column) = map.kinds[parameter], term == correlations.term {
                    let value = values[parameter].isFinite ? values[parameter] : 0
                    matrix[column * s + row] = value
                    matrix[row * s + column] = value
                }
            }
            start += correlations.coordinates(of: matrix)
        }
        return start
    }

    /// The deviance with natural parameter `index` fixed at `value`, minimised over the other
    /// coordinates, warm-started from and updating `start`.
    private mutating func constrainedMinimum(index: Int, value: Double, coordinates: ProfileCoordinates,
                                             start: inout [Double]) -> Double {
        let map = self.map
        var deviance = self.deviance
        defer { self.deviance = deviance }
        let profiler = self
        let objective: ([Double]) -> Double = { x in
            let point = profiler.natural(at: x, coordinates: coordinates, index: index, value: value)
            guard let theta = map.theta(natural: point), let sigma = point.last else { return .infinity }
            return deviance.evaluate(theta: theta, sigma: sigma)
        }
        guard coordinates.count > 0 else { return objective([]) }
        var lower = coordinates.direct.map { parameter -> Double in
            if case .residual = map.kinds[parameter] { return 1e-6 }
            return bounds[parameter].lower / scales[parameter]
        }
        var upper = coordinates.direct.map { bounds[$0].upper / scales[$0] }
        if let correlations = coordinates.correlations {
            lower += [Double](repeating: -.infinity, count: correlations.count)
            upper += [Double](repeating: .infinity, count: correlations.count)
        }
        // With a correlation fixed, the warm start can imply a correlation matrix that is not
        // positive semidefinite: shrink the free correlations toward 0 (always feasible) first.
        var feasibleStart = start
        for _ in 0..<40 where !objective(feasibleStart).isFinite {
            for (position, parameter) in coordinates.direct.enumerated() {
                if case .correlation = map.kinds[parameter] { feasibleStart[position] *= 0.7 }
            }
        }
        let optimizer = BOBYQA(lowerBounds: lower, upperBounds: upper, initialTrustRadius: 0.05, finalTrustRadius: 1e-8)
        let result = optimizer.minimize(from: feasibleStart, objective)
        if result.value.isFinite { start = result.x }
        return result.value
    }

    /// ζ of natural parameter `index` at `value`, optimising from the estimates (for checks).
    mutating func zeta(parameter index: Int, at value: Double) -> Double {
        var best = Double.infinity
        let plain = ProfileCoordinates(direct: (0..<map.count).filter { $0 != index }, correlations: nil)
        for coordinates in [coordinates(fixing: index), plain] {
            var start = startingCoordinates(coordinates, from: naturalEstimates)
            let d = constrainedMinimum(index: index, value: value, coordinates: coordinates, start: &start)
            if d < best { best = d }
        }
        return signedRoot(deviance: best, value: value, estimate: naturalEstimates[index])
    }

    /// The profile interval of natural parameter `index`.
    mutating func covarianceInterval(index: Int, critical: Double) -> (lower: Double, upper: Double) {
        let estimate = naturalEstimates[index]
        guard estimate.isFinite else { return (.nan, .nan) }
        let coordinates = coordinates(fixing: index)
        let initial = startingCoordinates(coordinates, from: naturalEstimates)
        // For a correlation of a term with 3+ random effects the inner problem is not convex:
        // minimise both in the natural coordinates and in the Cholesky-row coordinates, keep the lower.
        let plain = ProfileCoordinates(direct: (0..<map.count).filter { $0 != index }, correlations: nil)
        let alternative = coordinates.correlations == nil ? nil : plain
        let plainInitial = startingCoordinates(plain, from: naturalEstimates)
        var limits: [Double] = []
        for direction in [-1.0, 1.0] {
            var start = initial
            var plainStart = plainInitial
            var bound = direction < 0 ? bounds[index].lower : bounds[index].upper
            if case .residual = map.kinds[index], direction < 0 { bound = 1e-6 * scales[index] }
            let step = 0.05 * scales[index]
            let limit = Self.findLimit(estimate: estimate, direction: direction, target: direction * critical,
                                       bound: bound, initialStep: step) { value in
                var d = self.constrainedMinimum(index: index, value: value, coordinates: coordinates, start: &start)
                // A second start from the estimates guards against a warm start stuck in a
                // local minimum (the inner problem is not convex near boundaries).
                var fresh = initial
                let restarted = self.constrainedMinimum(index: index, value: value, coordinates: coordinates, start: &fresh)
                if restarted < d - 1e-10 || !d.isFinite {
                    d = restarted
                    start = fresh
                }
                if let alternative {
                    let other = self.constrainedMinimum(index: index, value: value, coordinates: alternative, start: &plainStart)
                    if other < d || !d.isFinite { d = other }
                }
                return self.signedRoot(deviance: d, value: value, estimate: estimate)
            }
            limits.append(limit)
        }
        return (limits[0], limits[1])
    }

    // MARK: - Fixed effects

    /// The profile interval of fixed effect `column`.
    mutating func fixedEffectInterval(column: Int, critical: Double) -> (lower: Double, upper: Double) {
        let model = fit.model
        let estimate = fit.beta[column]
        let standardError = fit.standardErrors[column]
        let step = standardError.isFinite && standardError > 0 ? standardError : max(abs(estimate), 1) * 1e-2
        // The fit's settings, with a smaller initial trust region for warm starts next to the
        // optimum (MixedModels.jl's `optsum_overrides`).
        var settings = fit.optimizerSettings
        settings.initialTrustRadius = 0.1
        var limits: [Double] = []
        for direction in [-1.0, 1.0] {
            var theta = fit.workingTheta
            let limit = Self.findLimit(estimate: estimate, direction: direction, target: direction * critical,
                                  bound: direction * .infinity, initialStep: step) { value in
                let crossProducts = model.crossProducts.fixingFixedEffect(column: column, at: value)
                var deviance = model.makeDeviance(method: .ml, crossProducts: crossProducts,
                                                  fixedCount: model.design.fixedEffects.columnCount - 1)
                let refit = ResponseRefitter.refit(model: model, deviance: &deviance, start: theta, settings: settings)
                if refit.objective.isFinite { theta = refit.theta }
                return self.signedRoot(deviance: refit.objective, value: value, estimate: estimate)
            }
            limits.append(limit)
        }
        return (limits[0], limits[1])
    }

    // MARK: - ζ and root finding

    /// ζ = sign(value − estimate) √(d − d̂); a lower minimum found on the way replaces d̂.
    private mutating func signedRoot(deviance d: Double, value: Double, estimate: Double) -> Double {
        guard d.isFinite else { return .nan }
        if d < minimum { minimum = d }
        let difference = max(d - minimum, 0)
        return (value < estimate ? -1 : 1) * difference.squareRoot()
    }

    /// Solves ζ(c) = target on the side `direction` of the estimate: steps out (secant
    /// extrapolation, at most quadrupling) until ζ passes the target or the bound is reached
    /// (then the bound is the limit), and refines by the Illinois variant of regula falsi.
    private static func findLimit(estimate: Double, direction: Double, target: Double, bound: Double, initialStep: Double,
                           zeta: (Double) -> Double) -> Double {
        var previous = (value: estimate, zeta: 0.0)
        var step = initialStep
        var value = estimate + direction * step
        var bracket: (inside: (value: Double, zeta: Double), outside: (value: Double, zeta: Double))?
        for _ in 0..<60 {
            if direction < 0 ? value <= bound : value >= bound {
                value = bound
                let atBound = zeta(bound)
                if !atBound.isFinite || abs(atBound) < abs(target) { return bound }
                bracket = (previous, (bound, atBound))
                break
            }
            let current = zeta(value)
            guard current.isFinite else { return .nan }
            if abs(current) >= abs(target) {
                bracket = (previous, (value, current))
                break
            }
            // Secant extrapolation to the target, between 1.2× and 4× the last step.
            let slope = (current - previous.zeta) / (value - previous.value)
            var next = value + 2 * direction * step
            if slope.isFinite, slope * direction > 0 {
                let predicted = value + (target - current) / slope
                let distance = abs(predicted - value)
                next = value + direction * min(max(distance * 1.1, 0.2 * step), 4 * step)
            }
            step = abs(next - value)
            previous = (value, current)
            value = next
        }
        guard var (a, b) = bracket else { return .nan }
        var fa = a.zeta - target
        var fb = b.zeta - target
        var side = 0
        for _ in 0..<100 {
            let c = (a.value * fb - b.value * fa) / (fb - fa)
            guard c.isFinite else { break }
            let fc = zeta(c) - target
            guard fc.isFinite else { break }
            if abs(fc) < 1e-9 || abs(b.value - a.value) < 1e-11 * max(1, abs(c)) { return c }
            if (fc < 0) == (fb < 0) {
                b = (c, fc + target)
                fb = fc
                if side == -1 { fa /= 2 }
                side = -1
            } else {
                a = (c, fc + target)
                fa = fc
                if side == 1 { fb /= 2 }
                side = 1
            }
        }
        return abs(fa) < abs(fb) ? a.value : b.value
    }
}

/// Coordinates of the correlation matrix of one term (size s ≥ 3) in which the correlation of
/// random effects `first` and `second` is held at a given value and the matrix stays positive
/// semidefinite: permute those two to the front; the Cholesky factor's first two rows are then
/// (1, 0, …) and (c, √(1 − c²), 0, …), and each later row m is (a₁, …, a_m, 1) / ‖(a₁, …, a_m, 1)‖
/// with free a (so its correlations with earlier rows are arbitrary while its diagonal stays positive).
struct CorrelationCoordinates {
    let term: Int
    let size: Int
    /// The permutation: position → random effect.
    let order: [Int]

    init(term: Int, size: Int, first: Int, second: Int) {
        self.term = term
        self.size = size
        self.order = [first, second] + (0..<size).filter { $0 != first && $0 != second }
    }

    /// The number of free coordinates: rows 2…s−1 have 2, 3, … entries.
    var count: Int { (2..<size).reduce(0) { $0 + $1 } }

    /// The correlation matrix (column-major, original order) for fixed correlation `c`.
    func correlationMatrix(fixed c: Double, free: [Double]) -> [Double] {
        let s = size
        var rows = [[Double]](repeating: [Double](repeating: 0, count: s), count: s)
        rows[0][0] = 1
        rows[1][0] = c
        rows[1][1] = max(0, 1 - c * c).squareRoot()
        var position = 0
        for m in 2..<s {
            var norm = 1.0
            for entry in 0..<m {
                rows[m][entry] = free[position]
                norm += free[position] * free[position]
                position += 1
            }
            rows[m][m] = 1
            let scale = 1 / norm.squareRoot()
            for entry in 0...m { rows[m][entry] *= scale }
        }
        var matrix = [Double](repeating: 0, count: s * s)
        for a in 0..<s {
            for b in 0..<s {
                var sum = 0.0
                for entry in 0..<s { sum += rows[a][entry] * rows[b][entry] }
                matrix[order[b] * s + order[a]] = a == b ? 1 : max(-1, min(1, sum))
            }
        }
        return matrix
    }

    /// Coordinates reproducing rows 2… of the (permuted) correlation matrix `matrix`
    /// (column-major, original order), as far as its Cholesky factor exists.
    func coordinates(of matrix: [Double]) -> [Double] {
        let s = size
        var permuted = [Double](repeating: 0, count: s * s)
        for a in 0..<s {
            for b in 0..<s { permuted[b * s + a] = matrix[order[b] * s + order[a]] }
        }
        let factor = NaturalParameterMap.semidefiniteCholesky(permuted, size: s) ?? {
            var identity = [Double](repeating: 0, count: s * s)
            for index in 0..<s { identity[index * s + index] = 1 }
            return identity
        }()
        var result: [Double] = []
        for m in 2..<s {
            let diagonal = max(factor[m * s + m], 1e-3)
            for entry in 0..<m { result.append(factor[entry * s + m] / diagonal) }
        }
        return result
    }
}
