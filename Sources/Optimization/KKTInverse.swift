/// The inverse of the interpolation (KKT) matrix of the minimum Frobenius norm
/// update, held in Powell's factored form (Powell 2009, DAMTP 2009/NA06, Section 4;
/// the same representation as NEWUOA, Powell 2006).
///
/// With m interpolation points yₖ (relative to the base point) the KKT matrix is
/// W = [[A, Xᵀ], [X, 0]] with Aᵢⱼ = ½(yᵢᵀyⱼ)² and X the (n+1)×m matrix of columns
/// (1, yₖ). Its inverse H = [[Ω, Ξᵀ], [Ξ, Υ]] is stored as
/// - `zmat` (m × (m−n−1), row-major) with Ω = Z Zᵀ (Powell's ZMAT; BOBYQA keeps
///   every column with a positive sign), and
/// - `bmat` ((m+n) × n, row-major): rows 0..<m hold Ξ's last n rows transposed
///   (gradients of the Lagrange functions at the base), rows m..<m+n hold the
///   symmetric n×n block of Υ (Powell's BMAT).
/// The first row of Ξ and of Υ is never needed and is not stored.
struct KKTInverse {
    /// Number of variables.
    let n: Int
    /// Number of interpolation points m.
    let count: Int
    /// Number of columns of Z, m − n − 1.
    let rank: Int
    /// Powell's BMAT, (m + n) × n row-major.
    var bmat: [Double]
    /// Powell's ZMAT, m × (m − n − 1) row-major.
    var zmat: [Double]
    /// Work space for `update` (m + n entries).
    private var column: [Double]

    init(n: Int, count: Int) {
        self.n = n
        self.count = count
        rank = count - n - 1
        bmat = Array(repeating: 0, count: (count + n) * n)
        zmat = Array(repeating: 0, count: count * (count - n - 1))
        column = Array(repeating: 0, count: count + n)
    }

    /// Resets both factors to zero.
    mutating func reset() {
        for i in bmat.indices { bmat[i] = 0 }
        for i in zmat.indices { zmat[i] = 0 }
    }

    /// Ωₖₖ, the diagonal of the leading block (Powell's HDIAG).
    @inline(__always)
    func omegaDiagonal(_ k: Int) -> Double {
        var sum = 0.0
        let offset = k * rank
        for j in 0..<rank { sum += zmat[offset + j] * zmat[offset + j] }
        return sum
    }

    /// Ωᵢₖ = Σⱼ Zᵢⱼ Zₖⱼ.
    @inline(__always)
    func omega(_ i: Int, _ k: Int) -> Double {
        var sum = 0.0
        let oi = i * rank
        let ok = k * rank
        for j in 0..<rank { sum += zmat[oi + j] * zmat[ok + j] }
        return sum
    }

    /// Column `k` of Ω (Powell's HCOL in ALTMOV).
    func omegaColumn(_ k: Int, into result: inout [Double]) {
        for i in 0..<count { result[i] = omega(i, k) }
    }

    /// Values of the Lagrange functions at xopt + d and Powell's β
    /// (BOBYQB, the calculation that precedes the choice of KNEW).
    ///
    /// On return `lagrange[0..<m]` holds the Lagrange function values at the trial
    /// point and `lagrange[m..<m+n]` the remaining components of H w, where w is
    /// the KKT column of the trial point minus that of xopt. `work` needs m entries.
    /// Returns β = ½‖x‖⁴ − wᵀHw evaluated in Powell's cancellation-free form.
    func lagrangeValues(step d: [Double], xopt: [Double], xoptSquared: Double, best: Int,
                        points: InterpolationSet, lagrange: inout [Double], work: inout [Double]) -> Double {
        let n = self.n, count = self.count, rank = self.rank
        // The loops of Powell's calculation over raw buffers (the same operations in the same
        // order; bounds are those of the arrays' sizes, fixed at init).
        return bmat.withUnsafeBufferPointer { bmat in
            zmat.withUnsafeBufferPointer { zmat in
                points.points.withUnsafeBufferPointer { y in
                    d.withUnsafeBufferPointer { d in
                        xopt.withUnsafeBufferPointer { xopt in
                            lagrange.withUnsafeMutableBufferPointer { lagrange in
                                work.withUnsafeMutableBufferPointer { work in
                                    for k in 0..<count {
                                        var sa = 0.0
                                        var sb = 0.0
                                        let offset = k * n
                                        for i in 0..<n { sa += y[offset + i] * d[i] }
                                        for i in 0..<n { sb += y[offset + i] * xopt[i] }
                                        work[k] = sa * (0.5 * sa + sb)
                                        var sum = 0.0
                                        for j in 0..<n { sum += bmat[k * n + j] * d[j] }
                                        lagrange[k] = sum
                                    }
                                    var beta = 0.0
                                    for jj in 0..<rank {
                                        var sum = 0.0
                                        for k in 0..<count { sum += zmat[k * rank + jj] * work[k] }
                                        beta -= sum * sum
                                        for k in 0..<count { lagrange[k] += sum * zmat[k * rank + jj] }
                                    }
                                    var dsq = 0.0
                                    var bsum = 0.0
                                    var dx = 0.0
                                    for j in 0..<n {
                                        dsq += d[j] * d[j]
                                        var sum = 0.0
                                        for k in 0..<count { sum += work[k] * bmat[k * n + j] }
                                        bsum += sum * d[j]
                                        for i in 0..<n { sum += bmat[(count + i) * n + j] * d[i] }
                                        lagrange[count + j] = sum
                                        bsum += sum * d[j]
                                        dx += d[j] * xopt[j]
                                    }
                                    lagrange[best] += 1
                                    return dx * dx + dsq * (xoptSquared + 2 * dx + 0.5 * dsq) + beta - bsum
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Powell's UPDATE: replaces interpolation point `knew` by the trial point.
    ///
    /// `lagrange` must hold the values from ``lagrangeValues`` (it is overwritten)
    /// and `denominator` must be σ = α β + τ² with α = Ω(knew, knew), τ the Lagrange
    /// value of `knew`. Givens rotations first reduce row `knew` of Z to a single
    /// entry, so the rank-two change of Ω becomes a change of one column of Z.
    /// Returns `false` (leaving the matrices unchanged) if σ is not positive.
    mutating func update(replacing knew: Int, lagrange: inout [Double], beta: Double, denominator: Double) -> Bool {
        guard denominator > 0, denominator.isFinite, beta.isFinite else { return false }
        rotateRowToFirstColumn(knew)
        let zeta = zmat[knew * rank]
        for i in 0..<count { column[i] = zeta * zmat[i * rank] }
        for j in 0..<n { column[count + j] = bmat[knew * n + j] }
        let alpha = column[knew]
        let tau = lagrange[knew]
        lagrange[knew] -= 1
        let root = denominator.squareRoot()
        let ta = tau / root
        let tb = zeta / root
        for i in 0..<count { zmat[i * rank] = ta * zmat[i * rank] - tb * lagrange[i] }
        for j in 0..<n {
            let jp = count + j
            let a = (alpha * lagrange[jp] - tau * column[jp]) / denominator
            let b = (-beta * column[jp] - tau * lagrange[jp]) / denominator
            for i in 0...jp {
                bmat[i * n + j] += a * lagrange[i] + b * column[i]
            }
            for i in count...jp {
                bmat[jp * n + (i - count)] = bmat[i * n + j]
            }
        }
        return true
    }

    /// Applies Givens rotations to the columns of Z so that row `k` has a nonzero
    /// entry only in column 0; Ω = Z Zᵀ is unchanged.
    private mutating func rotateRowToFirstColumn(_ k: Int) {
        let count = self.count, rank = self.rank
        zmat.withUnsafeMutableBufferPointer { zmat in
            var largest = 0.0
            for value in zmat { largest = max(largest, abs(value)) }
            let negligible = 1e-20 * largest
            for j in 1..<max(rank, 1) {
                let b = zmat[k * rank + j]
                if abs(b) > negligible {
                    let a = zmat[k * rank]
                    let r = (a * a + b * b).squareRoot()
                    let c = a / r
                    let s = b / r
                    for i in 0..<count {
                        let z0 = zmat[i * rank]
                        let zj = zmat[i * rank + j]
                        zmat[i * rank] = c * z0 + s * zj
                        zmat[i * rank + j] = c * zj - s * z0
                    }
                }
                zmat[k * rank + j] = 0
            }
        }
    }
}
