/// Moving the base point to the best interpolation point, which BOBYQA does when
/// the step is small compared with ‖xopt‖ so that rounding errors in the KKT
/// inverse stay small (Powell 2009, DAMTP 2009/NA06, Section 5; NEWUOA 2006, Section 5).
///
/// The formulas used here are derived directly from the definitions rather than
/// Powell's in-place updates: with s = xopt and new points yₖ' = yₖ − s,
/// - Ω is unchanged, because ΩXᵀ = 0 makes Σⱼ Ωⱼₖ yⱼ = 0 and Σⱼ Ωⱼₖ = 0;
/// - Ξ's gradient rows become the Lagrange gradients at the new base,
///   gₖ + (Σⱼ Ωⱼₖ (yⱼᵀs) yⱼ);
/// - Υ is recomputed from its characterisation Υ = −Ξ A' Ξᵀ (from H W = I);
/// - the implicit Hessian Σ PQₖ yₖyₖᵀ is re-expressed in the new points by adding
///   w sᵀ + s wᵀ to HQ, w = Σ PQₖ yₖ − ½(Σ PQₖ) s.
extension BOBYQASolver {
    /// Shifts the base if ‖step‖² ≤ 10⁻³ ‖xopt‖² (Powell's test).
    mutating func shiftBaseIfFar(stepSquared: Double) {
        guard stepSquared <= 1e-3 * xoptSquared else { return }
        shiftBase()
    }

    /// Moves the base point to base + xopt.
    mutating func shiftBase() {
        let s = xopt
        shiftLagrangeGradients(by: s)
        shiftImplicitHessian(by: s)
        for k in 0..<count {
            for i in 0..<n { set.points[k * n + i] -= s[i] }
        }
        for i in 0..<n {
            set.base[i] += s[i]
            set.lowerGap[i] -= s[i]
            set.upperGap[i] -= s[i]
            xnew[i] -= s[i]
            xopt[i] = 0
        }
        xoptSquared = 0
        recomputeUpsilon()
    }

    /// Ξ rows: gₖ += Σₜ Zₖₜ pₜ with pₜ = Σⱼ Zⱼₜ (yⱼᵀs) yⱼ.
    private mutating func shiftLagrangeGradients(by s: [Double]) {
        let rank = inverse.rank
        for j in 0..<count { work[j] = set.dot(j, s) }
        for t in 0..<rank {
            for i in 0..<n { workN[i] = 0 }
            for j in 0..<count {
                let c = inverse.zmat[j * rank + t] * work[j]
                for i in 0..<n { workN[i] += c * set.coordinate(j, i) }
            }
            for k in 0..<count {
                let z = inverse.zmat[k * rank + t]
                for i in 0..<n { inverse.bmat[k * n + i] += z * workN[i] }
            }
        }
    }

    /// HQ += w sᵀ + s wᵀ with w = Σ PQₖ yₖ − ½(Σ PQₖ) s (old points).
    private mutating func shiftImplicitHessian(by s: [Double]) {
        var total = 0.0
        for i in 0..<n { workN[i] = 0 }
        for k in 0..<count {
            let p = model.implicitWeights[k]
            total += p
            for i in 0..<n { workN[i] += p * set.coordinate(k, i) }
        }
        for i in 0..<n { workN[i] -= 0.5 * total * s[i] }
        var index = 0
        for i in 0..<n {
            for j in 0...i {
                model.explicitHessian[index] += workN[i] * s[j] + s[i] * workN[j]
                index += 1
            }
        }
    }

    /// Υ = −Ξ A Ξᵀ for the current points, with Aₖₗ = ½(yₖᵀyₗ)².
    private mutating func recomputeUpsilon() {
        var a = [Double](repeating: 0, count: count * count)
        for k in 0..<count {
            for l in 0...k {
                var dot = 0.0
                for i in 0..<n { dot += set.coordinate(k, i) * set.coordinate(l, i) }
                a[k * count + l] = 0.5 * dot * dot
                a[l * count + k] = a[k * count + l]
            }
        }
        var q = [Double](repeating: 0, count: count * n)
        for k in 0..<count {
            for l in 0..<count {
                let akl = a[k * count + l]
                guard akl != 0 else { continue }
                for j in 0..<n { q[k * n + j] += akl * inverse.bmat[l * n + j] }
            }
        }
        for i in 0..<n {
            for j in 0...i {
                var sum = 0.0
                for k in 0..<count { sum += inverse.bmat[k * n + i] * q[k * n + j] }
                inverse.bmat[(count + i) * n + j] = -sum
                inverse.bmat[(count + j) * n + i] = -sum
            }
        }
    }
}
