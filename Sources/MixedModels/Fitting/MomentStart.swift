import Foundation

extension LinearMixedModel {
    /// Moment-based starting values for θ, from the cross products A already formed (no pass
    /// over the data): each column u of each random-effects term gets a variance σᵤ², the
    /// residual a variance σ², by matching, with the ordinary least-squares residuals r, the
    /// expectations of rᵀWr and of Sᵥ = Σᵢ (zᵥᵢᵀ W r)² / (zᵥᵢᵀ W zᵥᵢ) (per-level sums, in the
    /// spirit of Gao and Owen's moment estimates for crossed random effects). The terms in
    /// those expectations come from the blocks ZᵤᵀWZᵥ of A. Off-diagonal entries of λ start at
    /// 0, as lme4's. Falls back to ``initialTheta`` (λ = I) for covariance patterns other than
    /// the unstructured Cholesky and diagonal ones, or when the moment equations have no usable
    /// solution.
    ///
    /// Measured (issue 10, item 3) and not used by ``fit(method:optimizer:)``: with ρ_beg = 0.1 it
    /// saved evaluations on most reference models but needed about twice lme4's on Penicillin
    /// and Orthodont REML.
    var momentInitialTheta: [Double] {
        guard let variances = momentVariances() else { return initialTheta }
        var theta: [Double] = []
        var column = 0
        for parametrization in parametrizations {
            let s = parametrization.size
            switch parametrization.pattern {
            case .fullCholesky:
                for position in parametrization.lowerTrianglePositions {
                    theta.append(position.row == position.column ? variances[column + position.row] : 0)
                }
            case .diagonal:
                for a in 0..<s { theta.append(variances[column + a]) }
            default:
                return initialTheta
            }
            column += s
        }
        return theta
    }

    /// The relative standard deviations σᵤ/σ of every term column, or nil.
    private func momentVariances() -> [Double]? {
        for parametrization in parametrizations {
            guard parametrization.pattern == .fullCholesky || parametrization.pattern == .diagonal else { return nil }
        }
        let cp = crossProducts
        let p = design.fixedEffects.columnCount
        let n = Double(design.observationCount)
        guard let (beta, factor) = Self.leastSquares(cp.xyXy, p: p) else { return nil }
        // gᵀ(XᵀWX)⁻¹g for g = XᵀW z: the part of z that the fixed effects absorb.
        var work = [Double](repeating: 0, count: p)
        func absorbed(_ k: Int, _ column: Int) -> Double {
            var sum = 0.0
            for i in 0..<p {
                var v = cp.xyZ[k][i, column]
                for j in 0..<i { v -= factor[i * p + j] * work[j] }
                work[i] = v / factor[i * p + i]
                sum += work[i] * work[i]
            }
            return sum
        }
        var rss = cp.xyXy[p, p]
        for c in 0..<p { rss -= beta[c] * cp.xyXy[p, c] }

        // Unknowns: index 0 is σ², then one per (term, column).
        var offsets: [Int] = []
        var total = 1
        for block in cp.diagonal {
            offsets.append(total)
            total += block.blockSize
        }
        var matrix = [Double](repeating: 0, count: total * total)  // row-major
        var rhs = [Double](repeating: 0, count: total)
        func add(_ row: Int, _ column: Int, _ value: Double) { matrix[row * total + column] += value }

        matrix[0] = n - Double(p)
        rhs[0] = rss
        for (k, block) in cp.diagonal.enumerated() {
            let s = block.blockSize
            for level in 0..<block.blockCount {
                for a in 0..<s {
                    let d = block[level, a, a]
                    let h = absorbed(k, level * s + a)
                    add(0, offsets[k] + a, d - h)
                    guard d > 0 else { continue }
                    // zᵀ W r for this level and column.
                    var zr = cp.xyZ[k][p, level * s + a]
                    for c in 0..<p { zr -= beta[c] * cp.xyZ[k][c, level * s + a] }
                    rhs[offsets[k] + a] += zr * zr / d
                    add(offsets[k] + a, 0, max(1 - h / d, 0))
                    for b in 0..<s {
                        let e = block[level, a, b]
                        add(offsets[k] + a, offsets[k] + b, e * e / d)
                    }
                }
            }
        }
        // Pairs of different terms: term k ≥ 1 with term 0 (sparse tiles) and with 1 ≤ j < k (dense).
        if let first = cp.diagonal.first {
            let s0 = first.blockSize
            for k in 1..<max(cp.diagonal.count, 1) {
                let tiles = cp.firstColumn[k - 1]
                let sk = tiles.tileRows
                let own = cp.diagonal[k]
                for m in 0..<tiles.tileColumnCount {
                    for tile in tiles.columnStarts[m]..<tiles.columnStarts[m + 1] {
                        let i = Int(tiles.tileRowIndices[tile])
                        for b in 0..<s0 {
                            let d0 = first[m, b, b]
                            for a in 0..<sk {
                                let t = tiles.values[tile * sk * s0 + b * sk + a]
                                let dk = own[i, a, a]
                                if dk > 0 { add(offsets[k] + a, b + offsets[0], t * t / dk) }
                                if d0 > 0 { add(offsets[0] + b, offsets[k] + a, t * t / d0) }
                            }
                        }
                    }
                }
                for j in 1..<k {
                    let pairs = cp.trailingPairs[k][j]
                    let sj = cp.diagonal[j].blockSize
                    for m in 0..<pairs.tileColumnCount {
                        for tile in pairs.columnStarts[m]..<pairs.columnStarts[m + 1] {
                            let i = Int(pairs.tileRowIndices[tile])
                            for b in 0..<sj {
                                let dj = cp.diagonal[j][m, b, b]
                                for a in 0..<sk {
                                    let t = pairs.values[tile * sk * sj + b * sk + a]
                                    guard t != 0 else { continue }
                                    let dk = own[i, a, a]
                                    if dk > 0 { add(offsets[k] + a, offsets[j] + b, t * t / dk) }
                                    if dj > 0 { add(offsets[j] + b, offsets[k] + a, t * t / dj) }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard let solution = Self.solve(matrix, rhs, size: total), solution[0] > 0, solution[0].isFinite else {
            return nil
        }
        let sigma2 = solution[0]
        var relative: [Double] = []
        for u in 1..<total {
            let ratio = solution[u] / sigma2
            guard ratio.isFinite else { return nil }
            relative.append(Self.clampedStart(ratio))
        }
        return relative
    }

    /// √ratio, kept away from the bound 0 and from implausibly large values.
    private static func clampedStart(_ ratio: Double) -> Double {
        min(max(ratio, 0).squareRoot(), 1e3).clamped(below: 0.05)
    }

    /// β̂ from [X y]ᵀW[X y] and the lower Cholesky factor of XᵀWX (row-major), or nil if it is not positive definite.
    private static func leastSquares(_ xyXy: DenseMatrix, p: Int) -> ([Double], [Double])? {
        var l = [Double](repeating: 0, count: p * p)
        for j in 0..<p {
            var d = xyXy[j, j]
            for k in 0..<j { d -= l[j * p + k] * l[j * p + k] }
            guard d > 1e-12 * max(abs(xyXy[j, j]), 1e-300) else { return nil }
            let root = d.squareRoot()
            l[j * p + j] = root
            for i in (j + 1)..<max(p, j + 1) {
                var v = xyXy[i, j]
                for k in 0..<j { v -= l[i * p + k] * l[j * p + k] }
                l[i * p + j] = v / root
            }
        }
        var z = [Double](repeating: 0, count: p)
        for i in 0..<p {
            var v = xyXy[p, i]
            for k in 0..<i { v -= l[i * p + k] * z[k] }
            z[i] = v / l[i * p + i]
        }
        var beta = [Double](repeating: 0, count: p)
        for i in stride(from: p - 1, through: 0, by: -1) {
            var v = z[i]
            for k in (i + 1)..<max(p, i + 1) { v -= l[k * p + i] * beta[k] }
            beta[i] = v / l[i * p + i]
        }
        return (beta, l)
    }

    /// Gaussian elimination with partial pivoting on a row-major size×size system, or nil if singular.
    private static func solve(_ matrix: [Double], _ rhs: [Double], size: Int) -> [Double]? {
        var a = matrix
        var b = rhs
        for column in 0..<size {
            var pivot = column
            for row in column..<size where abs(a[row * size + column]) > abs(a[pivot * size + column]) { pivot = row }
            guard abs(a[pivot * size + column]) > 0, a[pivot * size + column].isFinite else { return nil }
            if pivot != column {
                for c in 0..<size { a.swapAt(pivot * size + c, column * size + c) }
                b.swapAt(pivot, column)
            }
            for row in (column + 1)..<max(size, column + 1) {
                let factor = a[row * size + column] / a[column * size + column]
                guard factor != 0 else { continue }
                for c in column..<size { a[row * size + c] -= factor * a[column * size + c] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: size)
        for row in stride(from: size - 1, through: 0, by: -1) {
            var v = b[row]
            for c in (row + 1)..<max(size, row + 1) { v -= a[row * size + c] * x[c] }
            x[row] = v / a[row * size + row]
        }
        return x
    }
}

private extension Double {
    func clamped(below floor: Double) -> Double { Swift.max(self, floor) }
}
