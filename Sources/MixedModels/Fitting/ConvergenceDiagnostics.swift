import Foundation

/// Checks of the optimum as lme4's `checkConv` makes them, as data: the gradient of the profiled
/// deviance in θ scaled by the Hessian (`check.conv.grad`, tolerance 0.002), the Hessian's
/// eigenvalues (`check.conv.hess`, tolerance 10⁻⁶), and the optimiser's own stopping reason.
///
/// The derivatives are those already computed for the Wald intervals of the covariance
/// parameters (``VarianceParameterDerivatives``: central differences, k² + k evaluations for k
/// θ components, or 4(k² + k) with Satterthwaite's precision); made together with those
/// intervals (as ``FitReport`` does) the checks cost no evaluation of their own. The profiled
/// deviance's Hessian follows from the derivatives at fixed σ in closed form. Both are taken in
/// the optimiser's units (θ / ``LinearMixedModel/thetaScales``, which are θ itself for columns of
/// ordinary size), so a column measured in odd units does not read as an ill-conditioned optimum.
/// As lme4, a singular fit (a bounded θ component below 10⁻⁴) skips the gradient and Hessian
/// checks: the gradient need not vanish on the boundary.
public struct ConvergenceDiagnostics: Sendable, Equatable, Codable {
    /// lme4's `check.conv.grad` tolerance on the scaled gradient.
    public static let gradientTolerance = 0.002
    /// lme4's `check.conv.hess` tolerance on the Hessian's eigenvalues.
    public static let hessianTolerance = 1e-6

    /// The optimiser's name.
    public let optimizer: String
    /// The optimiser's return status (``OptimizationSummary/status``).
    public let status: String
    /// Why the optimiser stopped, in words.
    public let stoppingReason: String
    /// Whether the gradient and Hessian were checked (not for singular fits, as lme4).
    public let checked: Bool
    /// ∂d/∂θ of the profiled deviance at θ̂, in the optimiser's units (for a term whose columns the
    /// fit centres, with respect to the fit's θ, ``RandomEffectsTerm/columnCentres``: the checks
    /// are of the optimisation that was run).
    public let gradient: [Double]
    /// The gradient scaled by the Hessian, R⁻¹g with RᵀR = H (lme4's `solve(chol(H), g)`);
    /// empty when H is not positive definite or the checks were skipped.
    public let scaledGradient: [Double]
    /// max over components of min(|scaled gradient|, |gradient|), lme4's `maxmingrad`; NaN when
    /// not computed.
    public let maxScaledGradient: Double
    /// The eigenvalues of the profiled deviance's Hessian in θ (the optimiser's, as ``gradient``), ascending.
    public let hessianEigenvalues: [Double]
    /// Whether the Hessian is positive definite (every eigenvalue above the tolerance).
    public let hessianPositiveDefinite: Bool
    /// The warnings, in lme4's words, empty when the optimum passed the checks.
    public let messages: [String]

    /// The checks from derivatives at the fit's θ̂.
    init(fit: FittedModel, derivatives: VarianceParameterDerivatives) {
        let optimization = fit.optimization
        optimizer = optimization.optimizer
        status = optimization.status
        stoppingReason = Self.describe(status: optimization.status, evaluations: optimization.evaluations,
                                       finalTrustRadius: optimization.finalTrustRadius)
        let k = fit.theta.count
        let scales = fit.model.thetaScales.count == k ? fit.model.thetaScales : [Double](repeating: 1, count: k)
        let m = derivatives.residualDegrees
        let r2 = derivatives.centerResidualSquares
        let gr = derivatives.residualSquaresGradient
        var hessian = [Double](repeating: 0, count: k * k)
        for i in 0..<k {
            for j in 0..<k {
                let profiled = derivatives.objectiveHessian[i * k + j] - m * gr[i] * gr[j] / (r2 * r2)
                hessian[i * k + j] = profiled * scales[i] * scales[j]
            }
        }
        let gradient = (0..<k).map { derivatives.objectiveGradient[$0] * scales[$0] }
        self.gradient = gradient
        let eigenvalues = k > 0 ? SymmetricEigenDecomposition(hessian, size: k).values.sorted() : []
        hessianEigenvalues = eigenvalues
        hessianPositiveDefinite = eigenvalues.allSatisfy { $0 > Self.hessianTolerance }
        checked = !fit.isSingular && k > 0
        guard checked else {
            scaledGradient = []
            maxScaledGradient = .nan
            messages = []
            return
        }
        var messages: [String] = []
        if gradient.contains(where: { !$0.isFinite }) {
            scaledGradient = []
            maxScaledGradient = .nan
            messages.append("Gradient contains NAs")
        } else if let scaled = Self.scaledGradient(hessian: hessian, gradient: gradient, size: k) {
            scaledGradient = scaled
            let mingrad = (0..<k).map { min(abs(scaled[$0]), abs(gradient[$0])) }
            let largest = mingrad.max() ?? 0
            maxScaledGradient = largest
            if largest > Self.gradientTolerance {
                let component = (mingrad.firstIndex(of: largest) ?? 0) + 1
                messages.append("Model failed to converge with max|grad| = \(Self.format(largest)) (tol = \(Self.format(Self.gradientTolerance)), component \(component))")
            }
        } else {
            scaledGradient = []
            maxScaledGradient = .nan
            messages.append("unable to evaluate scaled gradient")
        }
        messages += Self.hessianMessages(eigenvalues: eigenvalues, hessian: hessian, size: k)
        self.messages = messages
    }

    /// R⁻¹ g for the upper Cholesky factor R of H (RᵀR = H), or nil if H is not positive definite.
    static func scaledGradient(hessian: [Double], gradient: [Double], size k: Int) -> [Double]? {
        guard let lower = SmallCholesky.lower(hessian, size: k) else { return nil }
        // R = Lᵀ: solve Lᵀ x = g by back substitution.
        var x = gradient
        for row in stride(from: k - 1, through: 0, by: -1) {
            var value = x[row]
            for other in (row + 1)..<max(k, row + 1) { value -= lower[other * k + row] * x[other] }
            x[row] = value / lower[row * k + row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// lme4's `checkHess` messages.
    static func hessianMessages(eigenvalues: [Double], hessian: [Double], size k: Int) -> [String] {
        let tolerance = hessianTolerance
        guard !eigenvalues.isEmpty else { return [] }
        guard eigenvalues.allSatisfy(\.isFinite) else {
            return ["Problem with Hessian check (infinite or missing values?)"]
        }
        let negative = eigenvalues.filter { $0 < -tolerance }.count
        if negative > 0 {
            return ["Model failed to converge: degenerate Hessian with \(negative) negative eigenvalues"]
        }
        let zero = eigenvalues.contains { abs($0) < tolerance }
        if zero || scaledGradient(hessian: hessian, gradient: [Double](repeating: 0, count: k), size: k) == nil {
            return ["Hessian is numerically singular: parameters are not uniquely determined"]
        }
        var messages: [String] = []
        let largest = eigenvalues[eigenvalues.count - 1]
        let smallest = eigenvalues[0]
        if largest * tolerance > 1 {
            messages.append("Model is nearly unidentifiable: very large eigenvalue - Rescale variables?")
        }
        if smallest / largest < tolerance {
            messages.append("Model is nearly unidentifiable: large eigenvalue ratio - Rescale variables?")
        }
        return messages
    }

    /// The optimiser's stopping reason in words.
    static func describe(status: String, evaluations: Int, finalTrustRadius: Double) -> String {
        switch status {
        case "converged":
            return "converged: the trust-region radius reached \(format(finalTrustRadius)) after \(evaluations) evaluations"
        case "functionToleranceReached":
            return "converged: successive objective values agreed to the function tolerance after \(evaluations) evaluations"
        case "maxEvaluationsReached":
            return "stopped: the maximum number of evaluations was reached (\(evaluations)); the optimum may not have been reached"
        case "failed":
            return "failed: the optimiser could not make progress (\(evaluations) evaluations)"
        case "no parameters":
            return "no covariance parameters to optimise"
        default:
            return "\(status) after \(evaluations) evaluations"
        }
    }

    /// R's `%g`: six significant digits.
    static func format(_ value: Double) -> String { String(format: "%g", value) }
}

extension FittedModel {
    /// The convergence checks of the optimum (``ConvergenceDiagnostics``).
    /// - Complexity: k² + k evaluations of the profiled deviance (the derivatives of the Wald
    ///   intervals); ``FitReport`` shares them with those intervals instead.
    public func convergenceDiagnostics() -> ConvergenceDiagnostics {
        ConvergenceDiagnostics(fit: self, derivatives: VarianceParameterDerivatives(fit: self, precision: .waldIntervals))
    }
}
