import Foundation

/// The Kenward–Roger adjusted covariance of β̂ and the ingredients of its degrees of freedom
/// (Kenward & Roger 1997, Biometrics 53:983–997), computed as pbkrtest's `vcovAdj` does
/// (Halekoh & Højsgaard 2014, J. Stat. Softw. 59(9)) and as lmerTest uses it for
/// `ddf = "Kenward-Roger"`.
///
/// The marginal covariance of y is V = Σₖ Zₖ (I ⊗ Σₖ) Zₖᵀ + σ² W⁻¹ with Σₖ = σ² λₖ λₖᵀ. The
/// variance parameters φ are the free entries of each Σₖ (unstructured: the lower triangle
/// column by column; diagonal: the variances; isotropic: the common variance; compound
/// symmetry: the common variance and covariance), then σ². V is linear in φ, with
/// Gᵢ = ∂V/∂φᵢ. With Φ = (Xᵀ V⁻¹ X)⁻¹ (= Var(β̂)):
///
///     Pᵢ = −Xᵀ V⁻¹ Gᵢ V⁻¹ X,    Qᵢⱼ = Xᵀ V⁻¹ Gᵢ V⁻¹ Gⱼ V⁻¹ X,
///     Iᵢⱼ = ½ [tr(V⁻¹GᵢV⁻¹Gⱼ) − 2 tr(Φ Qᵢⱼ) + tr(Φ Pᵢ Φ Pⱼ)]   (the REML expected information),
///     W = I⁻¹ (pbkrtest's generalised inverse when the smallest |eigenvalue| is below 1e-10),
///     Φ_A = Φ + 2 Φ [Σᵢⱼ Wᵢⱼ (Qᵢⱼ − Pᵢ Φ Pⱼ)] Φ.
///
/// The second derivatives of V vanish (V is linear in φ), so the R terms of Kenward & Roger are 0.
///
/// Weights enter through V's residual part σ² W⁻¹ (so a weighted fit has G_σ² = W⁻¹). pbkrtest
/// 0.5.2 ignores prior weights in V (it uses σ² I) while taking Φ from the weighted fit, so for
/// weighted fits this implementation intentionally differs from pbkrtest/lmerTest; it agrees
/// with pbkrtest's own algorithm fed the weighted V.
///
/// Nothing n × n is formed: with D = W^{1/2}[Z X], U = W^{1/2} Z Λ and C = I + UᵀU (the
/// spherical random-effects block of the mixed-model equations), (I + UUᵀ)⁻ᵐ = I − U(Σⱼ₌₁..ₘ C⁻ʲ)Uᵀ,
/// so every quantity above reduces to dense (q + p)-square products of the cross products DᵀD.
/// The cost is O(n (Σ sₖ + p)²) for the cross products plus O((q + p)³), with q the number of
/// random effects; models with q + p above ``maximumDenseDimension`` are refused.
public struct KenwardRogerApproximation: Sendable, Equatable, Codable {
    /// The largest q + p (random effects plus fixed-effects coefficients) handled: the method
    /// needs dense (q + p) × (q + p) matrices.
    public static let maximumDenseDimension = 4000

    /// φ̂: the free covariance entries of each random-effects term (σ² λλᵀ, in the fit's
    /// coordinates for a term with centred columns, ``RandomEffectsTerm/columnCentres``; the
    /// method is invariant under that linear change), then σ̂².
    public let varianceParameters: [Double]
    /// W, the inverse of the expected REML information of φ̂ (pbkrtest's `W`), row-major.
    public let varianceParameterCovariance: [Double]
    /// Φ = Var(β̂) without adjustment, row-major p × p (of β̃, see ``fixedColumnCentres``).
    public let fixedEffectsCovariance: [Double]
    /// Φ_A, the Kenward–Roger adjusted covariance of β̂ (pbkrtest's `vcovAdj`), row-major p × p
    /// (of β̃, see ``fixedColumnCentres``; ``standardError(contrast:)`` maps a contrast of β).
    public let adjustedCovariance: [Double]
    /// Pᵢ = ∂(Xᵀ V⁻¹ X)/∂φᵢ for each variance parameter, each row-major p × p (of X̃, see
    /// ``fixedColumnCentres``).
    public let precisionDerivatives: [[Double]]
    /// p, the number of fixed-effects coefficients.
    public let fixedEffectCount: Int
    /// The centres of the fixed-effects columns that the fit centres (x̃_j = x_j − c_j, far from
    /// zero relative to their spread; empty when none is): Φ, Φ_A and the Pᵢ are then those of
    /// β̃ = (β₀ + Σ c_j β_j, β₁, …), which keeps them well conditioned, and every contrast l of β is
    /// applied as the contrast l̃ of β̃ with l̃_j = l_j − c_j l₀ (lᵀβ = l̃ᵀβ̃; the method is
    /// invariant under this change of coordinates).
    public let fixedColumnCentres: [Double]
    /// The column each centre multiplies (``CrossProducts/centreSources``: 0, the intercept, or
    /// an indicator column for an interaction); l̃_j = l_j − c_j l_{k_j}. Empty when no column is
    /// centred.
    public let fixedCentreSources: [Int]

    /// A contrast of β as the contrast of the coordinates of ``fixedColumnCentres``.
    func workingContrast(_ l: [Double]) -> [Double] {
        guard !fixedColumnCentres.isEmpty, l.count == fixedColumnCentres.count else { return l }
        var result = l
        for column in 1..<max(l.count, 1) {
            let source = column < fixedCentreSources.count ? fixedCentreSources[column] : 0
            result[column] -= fixedColumnCentres[column] * l[source]
        }
        return result
    }

    /// The Kenward–Roger standard error √(lᵀ Φ_A l) of lᵀβ̂; `nan` for a contrast of the wrong length.
    public func standardError(contrast l: [Double]) -> Double {
        guard l.count == fixedEffectCount else { return .nan }
        return SatterthwaiteApproximation.quadraticForm(workingContrast(l), adjustedCovariance).squareRoot()
    }

    /// The Kenward–Roger denominator degrees of freedom of lᵀβ (pbkrtest's `Lb_ddf`, lmerTest's
    /// `summary(ddf = "Kenward-Roger")` df). `nan` for a zero contrast or one of the wrong length.
    public func degreesOfFreedom(contrast l: [Double]) -> Double {
        guard l.count == fixedEffectCount,
              let test = test(hypothesis: [l], difference: [0]) else { return .nan }
        return test.degreesOfFreedom
    }

    /// The Kenward–Roger denominator degrees of freedom m of the F test of Lβ = c (pbkrtest's
    /// `KRmodcomp`). `nan` for an empty or null hypothesis, or rows of the wrong length.
    public func degreesOfFreedom(hypothesis rows: [[Double]]) -> Double {
        guard !rows.isEmpty, rows.allSatisfy({ $0.count == fixedEffectCount }),
              let test = test(hypothesis: rows, difference: [Double](repeating: 0, count: rows.count)) else { return .nan }
        return test.degreesOfFreedom
    }

    /// The Kenward–Roger F test of Lβ = c given d = Lβ̂ − c (pbkrtest's `.KR_adjust`): L is
    /// replaced by a basis of its row space (the eigenvectors of L Φ Lᵀ with eigenvalues above
    /// √ε times the largest, as ``WaldFTest``), q is its rank, and with Θ = Lᵀ(LΦLᵀ)⁻¹L,
    /// uᵢ = Θ Φ Pᵢ Φ, A₁ = Σᵢⱼ Wᵢⱼ tr(uᵢ) tr(uⱼ), A₂ = Σᵢⱼ Wᵢⱼ tr(uᵢuⱼ) follow Kenward & Roger's
    /// ρ, m = 4 + (q + 2)/(qρ − 1) and λ = m (1 − A₂/q)/(m − 2) (1 when |m − 2| < 0.01).
    /// - Returns: `nil` when L Φ Lᵀ has no positive eigenvalue.
    func test(hypothesis userRows: [[Double]], difference d: [Double]) -> KenwardRogerFTest? {
        let p = fixedEffectCount
        let m = userRows.count
        guard m > 0, d.count == m, userRows.allSatisfy({ $0.count == p && $0.allSatisfy(\.isFinite) }) else { return nil }
        let rows = userRows.map(workingContrast)
        let covariance = SatterthwaiteApproximation.congruence(rows, fixedEffectsCovariance, size: p)
        guard covariance.allSatisfy(\.isFinite) else { return nil }
        let eigen = SymmetricEigenDecomposition(covariance, size: m)
        let tolerance = max(Double.ulpOfOne.squareRoot() * (eigen.values.first ?? 0), 0)
        let q = eigen.values.filter { $0 > tolerance }.count
        guard q > 0 else { return nil }
        // The basis rows L'ₘ = Pₘᵀ L with L'ΦL'ᵀ = diag(eigenvalues), and d'ₘ = Pₘᵀ d.
        let basis: [[Double]] = (0..<q).map { index in
            (0..<p).map { column in
                var sum = 0.0
                for row in 0..<m { sum += eigen.vectors[index][row] * rows[row][column] }
                return sum
            }
        }
        let projected = (0..<q).map { SatterthwaiteApproximation.dot(eigen.vectors[$0], d) }
        var theta = [Double](repeating: 0, count: p * p)
        for index in 0..<q {
            let scale = 1 / eigen.values[index]
            for a in 0..<p {
                for b in 0..<p { theta[a * p + b] += basis[index][a] * basis[index][b] * scale }
            }
        }
        let thetaPhi = Self.multiply(theta, fixedEffectsCovariance, size: p)
        let u = precisionDerivatives.map { Self.multiply(Self.multiply(thetaPhi, $0, size: p), fixedEffectsCovariance, size: p) }
        let traces = u.map { matrix in (0..<p).reduce(0.0) { $0 + matrix[$1 * p + $1] } }
        let count = u.count
        var a1 = 0.0
        var a2 = 0.0
        for i in 0..<count {
            for j in 0..<count {
                let w = varianceParameterCovariance[i * count + j]
                a1 += w * traces[i] * traces[j]
                var traceProduct = 0.0
                for a in 0..<p {
                    for b in 0..<p { traceProduct += u[i][a * p + b] * u[j][b * p + a] }
                }
                a2 += w * traceProduct
            }
        }
        let qd = Double(q)
        let b = (a1 + 6 * a2) / (2 * qd)
        let g = ((qd + 1) * a1 - (qd + 4) * a2) / ((qd + 2) * a2)
        let denominator = 3 * qd + 2 * (1 - g)
        let c1 = g / denominator
        let c2 = (qd - g) / denominator
        let c3 = (qd + 2 - g) / denominator
        var v0 = 1 + c1 * b
        let v1 = 1 - c2 * b
        let v2 = 1 - c3 * b
        if abs(v0) < 1e-10 { v0 = 0 }
        let ratio = Self.divideZero(1 - a2 / qd, v1)
        let rho = ratio * ratio * v0 / (qd * v2)
        let df = 4 + (qd + 2) / (qd * rho - 1)
        let scale = abs(df - 2) < 0.01 ? 1 : df * (1 - a2 / qd) / (df - 2)

        // The Wald statistic with the adjusted covariance: d'ᵀ (L' Φ_A L'ᵀ)⁻¹ d' / q.
        let adjusted = SatterthwaiteApproximation.congruence(basis, adjustedCovariance, size: p)
        let adjustedEigen = SymmetricEigenDecomposition(adjusted, size: q)
        var wald = 0.0
        for (value, vector) in zip(adjustedEigen.values, adjustedEigen.vectors) {
            guard value > 0 else { wald = .nan; break }
            let projection = SatterthwaiteApproximation.dot(vector, projected)
            wald += projection * projection / value
        }
        let unscaled = wald / qd
        return KenwardRogerFTest(rank: q, unscaledFStatistic: unscaled, scale: scale,
                                 fStatistic: scale * unscaled, degreesOfFreedom: df)
    }

    /// pbkrtest's `.divZero`: 1 when both x and y are below 1e-14 in absolute value, else x/y.
    static func divideZero(_ x: Double, _ y: Double) -> Double {
        abs(x) < 1e-14 && abs(y) < 1e-14 ? 1 : x / y
    }

    /// The product of two row-major p × p matrices.
    static func multiply(_ a: [Double], _ b: [Double], size p: Int) -> [Double] {
        var result = [Double](repeating: 0, count: p * p)
        for row in 0..<p {
            for inner in 0..<p {
                let value = a[row * p + inner]
                if value == 0 { continue }
                for column in 0..<p { result[row * p + column] += value * b[inner * p + column] }
            }
        }
        return result
    }
}

/// One Kenward–Roger F test (pbkrtest's `KRmodcomp` `test` table).
struct KenwardRogerFTest: Sendable, Equatable {
    /// q, the rank of the hypothesis (numerator df).
    let rank: Int
    /// The Wald F with the adjusted covariance, (1/q) dᵀ (L Φ_A Lᵀ)⁻¹ d (pbkrtest's `FtestU`).
    let unscaledFStatistic: Double
    /// λ, the F scaling.
    let scale: Double
    /// F* = λ F, referred to F(q, m).
    let fStatistic: Double
    /// m, the denominator degrees of freedom.
    let degreesOfFreedom: Double
}

extension FittedModel {
    /// The Kenward–Roger adjusted covariance of β̂ and its degrees-of-freedom ingredients (see
    /// ``KenwardRogerApproximation``). Compute it once and reuse it for many contrasts.
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for an ML fit (lmerTest's message),
    ///   when q + p exceeds ``KenwardRogerApproximation/maximumDenseDimension``, or when the
    ///   computation fails numerically.
    /// - Complexity: O(n (Σ sₖ + p)²) + O((q + p)³) time, O((q + p)²) memory.
    public func kenwardRogerApproximation() throws(MixedModelError) -> KenwardRogerApproximation {
        guard method == .reml else {
            throw .invalidArgument("Kenward-Roger's method is only available for REML model fits")
        }
        let q = randomEffectCount
        let p = fixedEffectCount
        let limit = KenwardRogerApproximation.maximumDenseDimension
        guard q + p <= limit else {
            throw .invalidArgument("Kenward–Roger needs dense (q + p) × (q + p) matrices (at most \(limit)); this model has q + p = \(q + p) (q = \(q) random effects, p = \(p) coefficients); use Satterthwaite")
        }
        guard let computation = KenwardRogerComputation(fit: self) else {
            throw .invalidArgument("Kenward–Roger: the marginal covariance of the response is not positive definite or the information matrix is not finite; use Satterthwaite")
        }
        return computation.approximation
    }
}

/// The computation behind ``FittedModel/kenwardRogerApproximation()``.
struct KenwardRogerComputation {
    /// One variance parameter: the term it belongs to (or `nil` for σ²) and its basis matrix
    /// within one level's s × s block, as (row, column, value) entries (both triangles).
    typealias Entry = (row: Int, column: Int, value: Double)

    struct Parameter {
        let term: Int?
        let entries: [Entry]
        let value: Double
    }

    let approximation: KenwardRogerApproximation

    init?(fit: FittedModel) {
        let design = fit.model.design
        let terms = design.randomEffectsTerms
        let n = design.observationCount
        let p = fit.fixedEffectCount
        let q = fit.randomEffectCount
        let m = q + p
        let sigma2 = fit.sigma * fit.sigma
        guard sigma2 > 0, sigma2.isFinite else { return nil }
        var offsets: [Int] = []
        var offset = 0
        for term in terms {
            offsets.append(offset)
            offset += term.randomEffectCount
        }

        // K = DᵀD ((q+p) × (q+p)), B₀ᵀ = DᵀU ((q+p) × q) and H = UᵀU (q × q), column-major,
        // from one pass over the observations (each row of D has Σ sₖ + p nonzeros).
        var k = DenseMatrix(rowCount: m, columnCount: m)
        var b0t = DenseMatrix(rowCount: m, columnCount: q)
        var h = DenseMatrix(rowCount: q, columnCount: q)
        let fixed = design.fixedEffects
        // Columns far from zero are centred as the fit centres them (see KenwardRogerApproximation.fixedColumnCentres).
        let centres = fit.model.crossProducts.columnCentres.count == p ? fit.model.crossProducts.columnCentres : []
        let sources = centres.isEmpty ? [] : fit.model.crossProducts.centreSources
        let width = terms.reduce(0) { $0 + $1.columnCount }
        var dIndex = [Int](repeating: 0, count: width + p)
        var dValue = [Double](repeating: 0, count: width + p)
        var uIndex = [Int](repeating: 0, count: width)
        var uValue = [Double](repeating: 0, count: width)
        for row in 0..<n {
            let root = (design.weights?[row] ?? 1).squareRoot()
            var position = 0
            for (t, term) in terms.enumerated() {
                let s = term.columnCount
                let base = offsets[t] + Int(term.levelIndices[row]) * s
                let lambda = fit.workingLambdas[t]
                for a in 0..<s {
                    dIndex[position + a] = base + a
                    dValue[position + a] = root * term.workingZ[row * s + a]
                }
                for c in 0..<s {
                    var sum = 0.0
                    for r in c..<s { sum += lambda[c * s + r] * dValue[position + r] }
                    uIndex[position + c] = base + c
                    uValue[position + c] = sum
                }
                position += s
            }
            for column in 0..<p {
                dIndex[width + column] = q + column
                dValue[width + column] = root * (centres.isEmpty ? fixed[row, column]
                                                 : fixed[row, column] - centres[column] * fixed[row, sources[column]])
            }
            for a in 0..<(width + p) {
                let value = dValue[a]
                if value == 0 { continue }
                for b in 0..<(width + p) { k.values[dIndex[a] * m + dIndex[b]] += value * dValue[b] }
                for c in 0..<width { b0t.values[uIndex[c] * m + dIndex[a]] += value * uValue[c] }
            }
            for a in 0..<width {
                let value = uValue[a]
                if value == 0 { continue }
                for b in 0..<width { h.values[uIndex[a] * q + uIndex[b]] += value * uValue[b] }
            }
        }

        // C = I + H = L_C L_Cᵀ, C⁻¹ = L_C⁻ᵀ L_C⁻¹.
        var lowerC = h
        for index in 0..<q { lowerC.values[index * q + index] += 1 }
        guard DenseKernels.cholesky(&lowerC) else { return nil }
        var inverseTransposed = DenseMatrix(rowCount: q, columnCount: q)
        for index in 0..<q { inverseTransposed.values[index * q + index] = 1 }
        DenseKernels.solveRightLowerTranspose(&inverseTransposed, factor: lowerC)
        let cInverse = Self.productTransposed(inverseTransposed, inverseTransposed)
        // Fᵀ = B₀ᵀ L_C⁻ᵀ (FᵀF = B₀ᵀC⁻¹B₀), Gᵀ = B₀ᵀ C⁻¹ (GᵀG = B₀ᵀC⁻²B₀).
        var ft = b0t
        DenseKernels.solveRightLowerTranspose(&ft, factor: lowerC)
        let f1 = Self.productTransposed(ft, ft)
        let gt = Self.productTransposed(b0t, cInverse)
        // Only a few entries of GᵀG are needed (the ZX and XX blocks and the within-level ZZ
        // blocks): dot products of rows of Gᵀ, kept row-major for them.
        var gRows = [Double](repeating: 0, count: m * q)
        for column in 0..<q {
            for row in 0..<m { gRows[row * q + column] = gt.values[column * m + row] }
        }
        func g2(_ a: Int, _ b: Int) -> Double {
            var sum = 0.0
            for index in 0..<q { sum += gRows[a * q + index] * gRows[b * q + index] }
            return sum
        }
        // B₀ₓᵀ C⁻³ B₀ₓ = Gₓᵀ C⁻¹ Gₓ.
        var gxt = DenseMatrix(rowCount: p, columnCount: q)
        for column in 0..<q {
            for row in 0..<p { gxt[row, column] = gt[q + row, column] }
        }
        let g3 = Self.productTransposed(Self.productTransposed(gxt, cInverse), gxt)
        var traceInverseSquared = 0.0
        for value in cInverse.values { traceInverseSquared += value * value }

        // S1 = DᵀV⁻¹D, S2 = DᵀV⁻²D (only the blocks used), XᵀV⁻³X, tr(V⁻²).
        let s1Scale = 1 / sigma2
        let s2Scale = s1Scale * s1Scale
        func s1(_ a: Int, _ b: Int) -> Double { s1Scale * (k[a, b] - f1[a, b]) }
        func s2(_ a: Int, _ b: Int) -> Double { s2Scale * (k[a, b] - f1[a, b] - g2(a, b)) }
        var aMatrix = [Double](repeating: 0, count: q * q)   // ZᵀV⁻¹Z, row-major
        for a in 0..<q {
            for b in 0..<q { aMatrix[a * q + b] = s1(a, b) }
        }
        var mMatrix = [Double](repeating: 0, count: q * p)   // ZᵀV⁻¹X
        var nMatrix = [Double](repeating: 0, count: q * p)   // ZᵀV⁻²X
        for a in 0..<q {
            for j in 0..<p {
                mMatrix[a * p + j] = s1(a, q + j)
                nMatrix[a * p + j] = s2(a, q + j)
            }
        }
        var xv2x = [Double](repeating: 0, count: p * p)
        var xv3x = [Double](repeating: 0, count: p * p)
        for a in 0..<p {
            for b in 0..<p {
                xv2x[a * p + b] = s2(q + a, q + b)
                xv3x[a * p + b] = s2Scale * s1Scale * (k[q + a, q + b] - f1[q + a, q + b] - g2(q + a, q + b) - g3[a, b])
            }
        }
        let traceV2 = s2Scale * (Double(n - q) + traceInverseSquared)

        // The variance parameters and their basis matrices Gᵢ = Zₖ (I ⊗ Eᵢ) Zₖᵀ (σ²: W⁻¹).
        var parameters: [Parameter] = []
        for (t, term) in terms.enumerated() {
            let s = term.columnCount
            let lambda = fit.workingLambdas[t]
            func covariance(_ a: Int, _ b: Int) -> Double {
                var sum = 0.0
                for c in 0...min(a, b) { sum += lambda[c * s + a] * lambda[c * s + b] }
                return sigma2 * sum
            }
            switch term.covariancePattern {
            case .fullCholesky, .full:
                for column in 0..<s {
                    for row in column..<s {
                        let entries: [Entry] = row == column ? [(row, column, 1.0)] : [(row, column, 1.0), (column, row, 1.0)]
                        parameters.append(Parameter(term: t, entries: entries, value: covariance(row, column)))
                    }
                }
            case .diagonal:
                for index in 0..<s {
                    parameters.append(Parameter(term: t, entries: [(index, index, 1.0)], value: covariance(index, index)))
                }
            case .isotropic:
                parameters.append(Parameter(term: t, entries: (0..<s).map { index -> Entry in (index, index, 1.0) }, value: covariance(0, 0)))
            case .compoundSymmetry:
                parameters.append(Parameter(term: t, entries: (0..<s).map { index -> Entry in (index, index, 1.0) }, value: covariance(0, 0)))
                if s > 1 {
                    var entries: [Entry] = []
                    for a in 0..<s {
                        for b in 0..<s where a != b { entries.append((a, b, 1.0)) }
                    }
                    parameters.append(Parameter(term: t, entries: entries, value: covariance(1, 0)))
                }
            }
        }
        parameters.append(Parameter(term: nil, entries: [], value: sigma2))
        let count = parameters.count

        // The global (row, column, value) entries of Eᵢ over all levels of its term.
        let global: [[Entry]] = parameters.map { parameter in
            guard let t = parameter.term else { return [] }
            let term = terms[t]
            let s = term.columnCount
            var list: [Entry] = []
            list.reserveCapacity(term.levelCount * parameter.entries.count)
            for level in 0..<term.levelCount {
                let base = offsets[t] + level * s
                for entry in parameter.entries { list.append((base + entry.row, base + entry.column, entry.value)) }
            }
            return list
        }
        // Lᵀ E R = Σ v L[row]ᵀ ⊗ R[column] for q × p row-major L and R.
        func sandwich(_ left: [Double], _ entries: [Entry], _ right: [Double]) -> [Double] {
            var result = [Double](repeating: 0, count: p * p)
            for entry in entries {
                let l = entry.row * p
                let r = entry.column * p
                for a in 0..<p {
                    let value = entry.value * left[l + a]
                    if value == 0 { continue }
                    for b in 0..<p { result[a * p + b] += value * right[r + b] }
                }
            }
            return result
        }
        let pMatrices: [[Double]] = (0..<count).map { i in
            parameters[i].term == nil ? xv2x.map { -$0 } : sandwich(mMatrix, global[i], mMatrix).map { -$0 }
        }
        // A Eⱼ M (q × p) for each term parameter.
        let aem: [[Double]] = (0..<count).map { j in
            guard parameters[j].term != nil else { return [] }
            var result = [Double](repeating: 0, count: q * p)
            for entry in global[j] {
                for x in 0..<q {
                    let value = entry.value * aMatrix[x * q + entry.row]
                    if value == 0 { continue }
                    for b in 0..<p { result[x * p + b] += value * mMatrix[entry.column * p + b] }
                }
            }
            return result
        }
        // Qᵢⱼ for i ≤ j (σ² last) and tr(V⁻¹GᵢV⁻¹Gⱼ).
        var qMatrices: [[[Double]]] = Array(repeating: Array(repeating: [], count: count), count: count)
        var kTrace = [Double](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in i..<count {
                let value: Double
                switch (parameters[i].term, parameters[j].term) {
                case (.some, .some):
                    qMatrices[i][j] = sandwich(mMatrix, global[i], aem[j])
                    var sum = 0.0
                    for first in global[i] {
                        for second in global[j] {
                            sum += first.value * second.value * aMatrix[first.column * q + second.row]
                                * aMatrix[second.column * q + first.row]
                        }
                    }
                    value = sum
                case (.some, .none):
                    qMatrices[i][j] = sandwich(mMatrix, global[i], nMatrix)
                    var sum = 0.0
                    for entry in global[i] { sum += entry.value * s2(entry.column, entry.row) }
                    value = sum
                default:
                    qMatrices[i][j] = xv3x
                    value = traceV2
                }
                kTrace[i * count + j] = value
                kTrace[j * count + i] = value
            }
        }

        // Φ = (Xᵀ V⁻¹ X)⁻¹; of β̃ with centred columns (from S1, not transformed from the fit's Φ,
        // which would cancel the digits the centring keeps).
        var phi = fit.fixedEffectsCovariance
        if !centres.isEmpty {
            var precision = [Double](repeating: 0, count: p * p)
            for a in 0..<p {
                for b in 0..<p { precision[a * p + b] = s1(q + a, q + b) }
            }
            guard let inverse = FittedModel.symmetricInverse(precision, size: p) else { return nil }
            phi = inverse
        }
        let multiply = KenwardRogerApproximation.multiply
        let phiP = pMatrices.map { multiply(phi, $0, p) }
        // IE2 = 2 × the expected information; W = 2 IE2⁻¹.
        var information = [Double](repeating: 0, count: count * count)
        for i in 0..<count {
            for j in i..<count {
                var tracePhiQ = 0.0
                for index in 0..<(p * p) { tracePhiQ += phi[index] * qMatrices[i][j][index] }
                var tracePP = 0.0
                for a in 0..<p {
                    for b in 0..<p { tracePP += phiP[i][a * p + b] * phiP[j][b * p + a] }
                }
                let value = kTrace[i * count + j] - 2 * tracePhiQ + tracePP
                information[i * count + j] = value
                information[j * count + i] = value
            }
        }
        guard information.allSatisfy(\.isFinite) else { return nil }
        let w = Self.pbkrtestInverse(information, size: count).map { 2 * $0 }

        // Φ_A = Φ + 2 Φ U Φ with U = Σᵢⱼ Wᵢⱼ (Qᵢⱼ − Pᵢ Φ Pⱼ).
        var upper = [Double](repeating: 0, count: p * p)
        var diagonal = [Double](repeating: 0, count: p * p)
        for i in 0..<count {
            for j in i..<count {
                let weight = w[i * count + j]
                let correction = multiply(pMatrices[i], phiP[j], p)
                for index in 0..<(p * p) {
                    let value = weight * (qMatrices[i][j][index] - correction[index])
                    if i == j { diagonal[index] += value } else { upper[index] += value }
                }
            }
        }
        var u = [Double](repeating: 0, count: p * p)
        for a in 0..<p {
            for b in 0..<p { u[a * p + b] = upper[a * p + b] + upper[b * p + a] + diagonal[a * p + b] }
        }
        let correction = multiply(multiply(phi, u, p), phi, p)
        let adjusted = (0..<(p * p)).map { phi[$0] + 2 * correction[$0] }
        guard adjusted.allSatisfy(\.isFinite) else { return nil }
        approximation = KenwardRogerApproximation(varianceParameters: parameters.map(\.value),
                                                  varianceParameterCovariance: w, fixedEffectsCovariance: phi,
                                                  adjustedCovariance: adjusted, precisionDerivatives: pMatrices,
                                                  fixedEffectCount: p, fixedColumnCentres: centres,
                                                  fixedCentreSources: sources)
    }

    /// pbkrtest's inverse of IE2: `solve` when the smallest |eigenvalue| exceeds 1e-10, else
    /// MASS's `ginv` (eigenvalues with |λ| above √ε |λ|max).
    static func pbkrtestInverse(_ matrix: [Double], size: Int) -> [Double] {
        let eigen = SymmetricEigenDecomposition(matrix, size: size)
        let magnitudes = eigen.values.map(abs)
        let smallest = magnitudes.min() ?? 0
        let largest = magnitudes.max() ?? 0
        let tolerance = smallest > 1e-10 ? 0 : Double.ulpOfOne.squareRoot() * largest
        var inverse = [Double](repeating: 0, count: size * size)
        for (value, vector) in zip(eigen.values, eigen.vectors) where abs(value) > tolerance {
            for row in 0..<size {
                for column in 0..<size { inverse[row * size + column] += vector[row] * vector[column] / value }
            }
        }
        return inverse
    }

    /// A Bᵀ for column-major A (m × k) and B (n × k).
    static func productTransposed(_ a: DenseMatrix, _ b: DenseMatrix) -> DenseMatrix {
        var result = DenseMatrix(rowCount: a.rowCount, columnCount: b.rowCount)
        DenseKernels.subtractProduct(&result, a, b)
        for index in result.values.indices { result.values[index] = -result.values[index] }
        return result
    }
}
