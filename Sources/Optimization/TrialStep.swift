/// Evaluating a trial point and updating the interpolation set, the KKT inverse and
/// the quadratic model (Powell 2009, DAMTP 2009/NA06, Sections 4 and 6; BOBYQB
/// labels 230–360 and the model updates that follow).
extension BOBYQASolver {
    /// The choice of the point to drop, with its KKT denominator.
    struct Replacement {
        var index: Int
        var denominator: Double
        /// Powell's test SCADEN > ½ BIGLSQ: the weighted denominator is not spoilt by rounding.
        var acceptable: Bool
    }

    /// Lagrange values and β for the current step (Powell's label 230).
    mutating func lagrangeForStep() -> Double {
        inverse.lagrangeValues(step: step, xopt: xopt, xoptSquared: xoptSquared, best: set.best,
                               points: set, lagrange: &lagrange, work: &work)
    }

    /// Chooses the point whose replacement maximises the denominator σₖ = β Ωₖₖ + τₖ²,
    /// weighted by max(1, (‖yₖ − centre‖/Δ)⁴) to favour removing distant points.
    func replacement(centre: [Double], beta: Double, skipBest: Bool) -> Replacement {
        let delsq = delta * delta
        var scaden = 0.0
        var biglsq = 0.0
        var choice = Replacement(index: -1, denominator: 0, acceptable: false)
        for k in 0..<count where !(skipBest && k == set.best) {
            let den = beta * inverse.omegaDiagonal(k) + lagrange[k] * lagrange[k]
            let distsq = set.distanceSquared(k, centre)
            let weight = max(1, (distsq / delsq) * (distsq / delsq))
            if weight * den > scaden {
                scaden = weight * den
                choice.index = k
                choice.denominator = den
            }
            biglsq = max(biglsq, weight * lagrange[k] * lagrange[k])
        }
        choice.acceptable = choice.index >= 0 && scaden > 0.5 * biglsq
        return choice
    }

    /// Evaluates f at `xnew` (a trust-region step if `trust`, otherwise a geometry
    /// step replacing `geometryPoint`) and updates everything.
    mutating func trialStage(trust: Bool, geometryPoint: Int, _ f: ([Double]) -> Double) -> Stage {
        var knew = geometryPoint
        var denominator: Double
        var beta = lagrangeForStep()
        if trust {
            let choice = replacement(centre: xopt, beta: beta, skipBest: true)
            guard choice.acceptable else { return rebuildOrFail() }
            knew = choice.index
            denominator = choice.denominator
        } else {
            var cauchy = geometry.cauchy
            denominator = lagrange[knew] * lagrange[knew] + geometry.alpha * beta
            if denominator < cauchy && cauchy > 0 {
                for i in 0..<n {
                    xnew[i] = geometry.alternative[i]
                    step[i] = xnew[i] - xopt[i]
                }
                cauchy = 0
                beta = lagrangeForStep()
                denominator = lagrange[knew] * lagrange[knew] + geometry.alpha * beta
            }
            guard denominator > 0.5 * lagrange[knew] * lagrange[knew] else { return rebuildOrFail() }
        }
        guard evaluations < maxEvaluations else { return .finished(.maxEvaluationsReached) }
        let fnew = evaluateRelative(xnew, f)
        let fopt = set.values[set.best]
        let vquad = model.predictedChange(step, points: set)
        let diff = fnew - fopt - vquad
        diffc = diffb
        diffb = diffa
        diffa = abs(diff)
        if dnorm > rho { nfsav = evaluations }
        if functionTolerance > 0 && abs(fnew - fopt) < functionTolerance {
            return .finished(.functionToleranceReached)
        }
        if trust {
            guard vquad < 0 else { return rebuildOrFail() }
            updateTrustRadius(ratio: (fnew - fopt) / vquad)
            if fnew < fopt {
                let choice = replacement(centre: xnew, beta: beta, skipBest: false)
                if choice.acceptable {
                    knew = choice.index
                    denominator = choice.denominator
                }
            }
        }
        guard inverse.update(replacing: knew, lagrange: &lagrange, beta: beta, denominator: denominator) else {
            return rebuildOrFail()
        }
        absorbPoint(knew, value: fnew, modelError: diff)
        if fnew < fopt { makeBest(knew) }
        if trust { considerLeastNormModel() }
        if !trust || fnew <= fopt + 0.1 * vquad { return .trustRegion }
        return .farthestPoint(distanceSquared: max(4 * delta * delta, 100 * rho * rho))
    }

    /// Powell's revision of Δ from the ratio of actual to predicted reduction.
    mutating func updateTrustRadius(ratio newRatio: Double) {
        ratio = newRatio
        if ratio <= 0.1 {
            delta = min(0.5 * delta, dnorm)
        } else if ratio <= 0.7 {
            delta = max(0.5 * delta, dnorm)
        } else {
            delta = max(0.5 * delta, 2 * dnorm)
        }
        if delta <= 1.5 * rho { delta = rho }
    }

    /// Puts the trial point in place of point `knew` and updates the model by the
    /// least Frobenius norm change of its Hessian: Q += diff · l_knew, where the
    /// implicit Hessian weight of the old point moves into the explicit part.
    mutating func absorbPoint(_ knew: Int, value: Double, modelError diff: Double) {
        let rank = inverse.rank
        let oldWeight = model.implicitWeights[knew]
        model.implicitWeights[knew] = 0
        model.addOuterProduct(ofPoint: knew, weight: oldWeight, points: set)
        for jj in 0..<rank {
            let t = diff * inverse.zmat[knew * rank + jj]
            for k in 0..<count { model.implicitWeights[k] += t * inverse.zmat[k * rank + jj] }
        }
        set.values[knew] = value
        set.setPoint(knew, to: xnew)
        for i in 0..<n { workN[i] = inverse.bmat[knew * n + i] }
        for k in 0..<count {
            let t = inverse.omega(knew, k) * set.dot(k, xopt)
            for i in 0..<n { workN[i] += t * set.coordinate(k, i) }
        }
        for i in 0..<n { model.gradient[i] += diff * workN[i] }
    }

    /// Makes point `k` (just set to xnew = xopt + d) the best one, moving the model
    /// gradient from xopt to it.
    mutating func makeBest(_ k: Int) {
        set.best = k
        model.hessianTimes(step, points: set, into: &workN)
        xoptSquared = 0
        for i in 0..<n {
            xopt[i] = xnew[i]
            xoptSquared += xopt[i] * xopt[i]
            model.gradient[i] += workN[i]
        }
    }

    /// Powell's test of the alternative model whose Hessian (not its change) has
    /// least Frobenius norm: if its projected gradient is much smaller than the
    /// current model's three times running, the current model is replaced by it.
    mutating func considerLeastNormModel() {
        let rank = inverse.rank
        let fopt = set.values[set.best]
        for k in 0..<count {
            work[k] = set.values[k] - fopt
            work2[k] = 0
        }
        for j in 0..<rank {
            var sum = 0.0
            for k in 0..<count { sum += inverse.zmat[k * rank + j] * work[k] }
            for k in 0..<count { work2[k] += sum * inverse.zmat[k * rank + j] }
        }
        for k in 0..<count {
            work3[k] = work2[k]
            work2[k] *= set.dot(k, xopt)
        }
        var gqsq = 0.0
        var gisq = 0.0
        for i in 0..<n {
            var sum = 0.0
            for k in 0..<count { sum += inverse.bmat[k * n + i] * work[k] + set.coordinate(k, i) * work2[k] }
            let g = model.gradient[i]
            if xopt[i] == set.lowerGap[i] {
                gqsq += min(0, g) * min(0, g)
                gisq += min(0, sum) * min(0, sum)
            } else if xopt[i] == set.upperGap[i] {
                gqsq += max(0, g) * max(0, g)
                gisq += max(0, sum) * max(0, sum)
            } else {
                gqsq += g * g
                gisq += sum * sum
            }
            workN2[i] = sum
        }
        itest += 1
        if gqsq < 10 * gisq { itest = 0 }
        guard itest >= 3 else { return }
        for i in 0..<n { model.gradient[i] = workN2[i] }
        for k in 0..<count { model.implicitWeights[k] = work3[k] }
        for i in model.explicitHessian.indices { model.explicitHessian[i] = 0 }
        itest = 0
    }
}
