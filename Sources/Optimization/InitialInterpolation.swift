/// Powell's PRELIM: the initial interpolation set, quadratic model and KKT inverse
/// (Powell 2009, DAMTP 2009/NA06, Section 2), for n + 2 ≤ m ≤ (n + 1)(n + 2)/2 points: the base,
/// one or two points along each axis, then (beyond 2n + 1) points displaced along two axes at
/// once, which give the model its first off-diagonal second derivatives.
extension BOBYQASolver {
    /// Places the base point at `centre`, moved (as Powell's driver does) so that each
    /// coordinate is either exactly on a bound or at least `step` inside it.
    mutating func placeBase(at centre: [Double], step: Double) {
        for j in 0..<n {
            var x = max(min(centre[j], upper[j]), lower[j])
            let gap = upper[j] - lower[j]
            var sl = lower[j] - x
            var su = upper[j] - x
            if sl >= -step {
                if sl >= 0 {
                    x = lower[j]; sl = 0; su = gap
                } else {
                    x = lower[j] + step; sl = -step; su = max(upper[j] - x, step)
                }
            } else if su <= step {
                if su <= 0 {
                    x = upper[j]; sl = -gap; su = 0
                } else {
                    x = upper[j] - step; sl = min(lower[j] - x, -step); su = step
                }
            }
            set.base[j] = x
            set.lowerGap[j] = sl
            set.upperGap[j] = su
        }
    }

    /// Builds the interpolation set around `centre` with spacing `step`: the base,
    /// base ± step·eⱼ (a second step of 2·step along eⱼ when the base is on a bound), and for
    /// m > 2n + 1 the points base + aₚeₚ + a_qe_q (aⱼ the first point's offset along eⱼ) for the
    /// axis pairs of ``axisPairs(variables:count:)``. With m < 2n + 1 only the first m − n − 1 axes get a
    /// second point.
    /// `knownValue` is reused for the base if the base coincides with `centre`.
    /// Returns `false` if the evaluation budget ran out.
    mutating func buildInterpolationSet(around centre: [Double], step: Double, knownValue: Double?,
                                        _ f: ([Double]) -> Double) -> Bool {
        placeBase(at: centre, step: step)
        for i in set.points.indices { set.points[i] = 0 }
        model = QuadraticModel(n: n, count: count)
        inverse.reset()
        for i in 0..<n { xopt[i] = 0 }
        if let knownValue, set.base == centre {
            set.values[0] = knownValue
        } else {
            guard evaluations < maxEvaluations else { return false }
            set.values[0] = evaluateRelative(xopt, f)
        }
        for j in 0..<n {
            let a = set.upperGap[j] == 0 ? -step : step
            guard evaluateAxisPoint(j + 1, axis: j, offset: a, f) else { return false }
        }
        let secondPoints = min(n, count - n - 1)
        for j in 0..<secondPoints {
            var b = -step
            if set.lowerGap[j] == 0 { b = min(2 * step, set.upperGap[j]) }
            if set.upperGap[j] == 0 { b = max(-2 * step, set.lowerGap[j]) }
            guard evaluateAxisPoint(n + 1 + j, axis: j, offset: b, f) else { return false }
        }
        for j in 0..<secondPoints { initialiseAxis(j) }
        for j in secondPoints..<n { initialiseSingleAxis(j) }
        for (index, pair) in Self.axisPairs(variables: n, count: count).enumerated() {
            guard evaluatePairPoint(2 * n + 1 + index, pair.0, pair.1, f) else { return false }
        }
        chooseBestAfterBuild()
        return true
    }

    /// The axis pairs (p, q) of the points beyond 2n + 1, in order: first the neighbours
    /// (j, j + 1 mod n), then those two apart, and so on, each unordered pair once; the first
    /// m − 2n − 1 of them.
    static func axisPairs(variables n: Int, count: Int) -> [(Int, Int)] {
        let wanted = count - 2 * n - 1
        guard wanted > 0, n >= 2 else { return [] }
        var pairs: [(Int, Int)] = []
        var distance = 1
        while pairs.count < wanted && distance <= n / 2 {
            for j in 0..<n where pairs.count < wanted {
                // For even n, distance n/2 pairs j with j + n/2 twice; keep the first.
                if 2 * distance == n && j >= distance { continue }
                pairs.append((j, (j + distance) % n))
            }
            distance += 1
        }
        return pairs
    }

    /// Point `k` = aₚeₚ + a_qe_q (aⱼ the offset of point j + 1), evaluated; its column of Z and
    /// the model's second derivative ∂²/∂xₚ∂x_q follow from the four values at 0, aₚeₚ, a_qe_q
    /// and the point (Powell's PRELIM for NF > 2N + 1).
    private mutating func evaluatePairPoint(_ k: Int, _ p: Int, _ q: Int, _ f: ([Double]) -> Double) -> Bool {
        guard evaluations < maxEvaluations else { return false }
        let ap = set.points[(p + 1) * n + p]
        let aq = set.points[(q + 1) * n + q]
        set.points[k * n + p] = ap
        set.points[k * n + q] = aq
        for i in 0..<n { workN[i] = 0 }
        workN[p] = ap
        workN[q] = aq
        set.values[k] = evaluateRelative(workN, f)
        let product = ap * aq
        let reciprocal = 1 / product
        let rank = inverse.rank
        let column = k - n - 1
        inverse.zmat[column] = reciprocal
        inverse.zmat[k * rank + column] = reciprocal
        inverse.zmat[(p + 1) * rank + column] = -reciprocal
        inverse.zmat[(q + 1) * rank + column] = -reciprocal
        model.explicitHessian[QuadraticModel.packedIndex(max(p, q), min(p, q))] =
            (set.values[0] - set.values[p + 1] - set.values[q + 1] + set.values[k]) / product
        return true
    }

    /// The model and KKT inverse along axis j from the points 0 and a·eⱼ only (m < 2n + 1):
    /// the model is linear along eⱼ (Powell's PRELIM for NF ≤ N + 1 without a second point).
    private mutating func initialiseSingleAxis(_ j: Int) {
        let ka = j + 1
        let a = set.points[ka * n + j]
        model.gradient[j] = (set.values[ka] - set.values[0]) / a
        inverse.bmat[j] = -1 / a
        inverse.bmat[ka * n + j] = 1 / a
        inverse.bmat[(count + j) * n + j] = -0.5 * a * a
    }

    /// Sets point `k` to `offset`·e_axis and evaluates it.
    private mutating func evaluateAxisPoint(_ k: Int, axis: Int, offset: Double, _ f: ([Double]) -> Double) -> Bool {
        guard evaluations < maxEvaluations else { return false }
        set.points[k * n + axis] = offset
        for i in 0..<n { workN[i] = 0 }
        workN[axis] = offset
        set.values[k] = evaluateRelative(workN, f)
        return true
    }

    /// The model and KKT inverse along axis j from the points 0, a·eⱼ and b·eⱼ.
    ///
    /// The quadratic through the three values gives gⱼ and the diagonal Hessian entry.
    /// The Lagrange functions are separable, so (derived from H W = I) the j-th
    /// columns of Ξ hold their gradients −(a+b)/(ab), −b/(a(a−b)), −a/(b(b−a)); column
    /// j of Z is √2·(1/(ab), −1/(a(b−a)), 1/(b(b−a))) and the Υ block is zero.
    private mutating func initialiseAxis(_ j: Int) {
        let ka = j + 1
        let kb = n + 1 + j
        var a = set.points[ka * n + j]
        var b = set.points[kb * n + j]
        if a * b < 0 && set.values[kb] < set.values[ka] {
            // Powell's ordering: the better of two opposite points comes first.
            set.points[ka * n + j] = b
            set.points[kb * n + j] = a
            set.values.swapAt(ka, kb)
            swap(&a, &b)
        }
        let f0 = set.values[0]
        let slopeA = (set.values[ka] - f0) / a
        let slopeB = (set.values[kb] - f0) / b
        model.explicitHessian[QuadraticModel.packedIndex(j, j)] = 2 * (slopeB - slopeA) / (b - a)
        model.gradient[j] = (slopeA * b - slopeB * a) / (b - a)
        inverse.bmat[j] = -(a + b) / (a * b)
        inverse.bmat[ka * n + j] = -b / (a * (a - b))
        inverse.bmat[kb * n + j] = -a / (b * (b - a))
        let root2 = 2.0.squareRoot()
        let rank = inverse.rank
        inverse.zmat[j] = root2 / (a * b)
        inverse.zmat[ka * rank + j] = -root2 / (a * (b - a))
        inverse.zmat[kb * rank + j] = root2 / (b * (b - a))
    }

    /// Sets the best point, xopt and the model gradient at xopt.
    private mutating func chooseBestAfterBuild() {
        var best = 0
        for k in 1..<count where set.values[k] < set.values[best] { best = k }
        set.best = best
        set.copyPoint(best, into: &xopt)
        xoptSquared = 0
        for i in 0..<n { xoptSquared += xopt[i] * xopt[i] }
        guard best != 0 else { return }
        model.hessianTimes(xopt, points: set, into: &workN)
        for i in 0..<n { model.gradient[i] += workN[i] }
    }
}
