/// The quadratic model of BOBYQA (Powell 2009, DAMTP 2009/NA06, Section 2).
///
/// Q(xopt + d) = Q(xopt) + gᵀd + ½ dᵀ∇²Q d, where the Hessian is held in Powell's
/// split form ∇²Q = HQ + Σₖ PQₖ yₖ yₖᵀ: an explicit symmetric part `explicitHessian`
/// (packed lower triangle) plus an implicit part weighted by `implicitWeights` on the
/// interpolation points yₖ (relative to the base point).
struct QuadraticModel {
    /// Number of variables.
    let n: Int
    /// Number of interpolation points.
    let count: Int
    /// The gradient of the model at the best interpolation point (Powell's GOPT).
    var gradient: [Double]
    /// Packed lower triangle of the explicit Hessian part (Powell's HQ).
    var explicitHessian: [Double]
    /// Weights of the implicit Hessian part (Powell's PQ).
    var implicitWeights: [Double]

    init(n: Int, count: Int) {
        self.n = n
        self.count = count
        gradient = Array(repeating: 0, count: n)
        explicitHessian = Array(repeating: 0, count: n * (n + 1) / 2)
        implicitWeights = Array(repeating: 0, count: count)
    }

    /// Index of element (i, j) of a packed symmetric matrix.
    @inline(__always)
    static func packedIndex(_ i: Int, _ j: Int) -> Int {
        i >= j ? i * (i + 1) / 2 + j : j * (j + 1) / 2 + i
    }

    /// Sets `result` to ∇²Q v (Powell's "multiply by the second derivative matrix").
    func hessianTimes(_ v: [Double], points: InterpolationSet, into result: inout [Double]) {
        let n = self.n, count = self.count
        explicitHessian.withUnsafeBufferPointer { hessian in
            implicitWeights.withUnsafeBufferPointer { weights in
                points.points.withUnsafeBufferPointer { y in
                    v.withUnsafeBufferPointer { v in
                        result.withUnsafeMutableBufferPointer { result in
                            for i in 0..<n { result[i] = 0 }
                            var index = 0
                            for i in 0..<n {
                                for j in 0..<i {
                                    let h = hessian[index]
                                    result[i] += h * v[j]
                                    result[j] += h * v[i]
                                    index += 1
                                }
                                result[i] += hessian[index] * v[i]
                                index += 1
                            }
                            for k in 0..<count where weights[k] != 0 {
                                let offset = k * n
                                var dot = 0.0
                                for i in 0..<n { dot += y[offset + i] * v[i] }
                                let t = weights[k] * dot
                                for i in 0..<n { result[i] += t * y[offset + i] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The predicted change Q(xopt + d) − Q(xopt) = gᵀd + ½ dᵀ∇²Q d (Powell's VQUAD).
    func predictedChange(_ d: [Double], points: InterpolationSet) -> Double {
        var linear = 0.0
        var quadratic = 0.0
        var index = 0
        for i in 0..<n {
            linear += gradient[i] * d[i]
            for j in 0..<i {
                quadratic += 2 * explicitHessian[index] * d[i] * d[j]
                index += 1
            }
            quadratic += explicitHessian[index] * d[i] * d[i]
            index += 1
        }
        for k in 0..<count where implicitWeights[k] != 0 {
            let t = points.dot(k, d)
            quadratic += implicitWeights[k] * t * t
        }
        return linear + 0.5 * quadratic
    }

    /// The diagonal element (j, j) of ∇²Q.
    func hessianDiagonal(_ j: Int, points: InterpolationSet) -> Double {
        var sum = explicitHessian[QuadraticModel.packedIndex(j, j)]
        for k in 0..<count {
            let y = points.coordinate(k, j)
            sum += implicitWeights[k] * y * y
        }
        return sum
    }

    /// Adds `weight · y yᵀ` to the explicit Hessian, where y is point `k`.
    mutating func addOuterProduct(ofPoint k: Int, weight: Double, points: InterpolationSet) {
        guard weight != 0 else { return }
        var index = 0
        for i in 0..<n {
            let wi = weight * points.coordinate(k, i)
            for j in 0...i {
                explicitHessian[index] += wi * points.coordinate(k, j)
                index += 1
            }
        }
    }
}
