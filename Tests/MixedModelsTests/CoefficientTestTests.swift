import Foundation
import Testing
@testable import MixedModels

/// `coefficientTest` (MATLAB's `coefTest`): single rows reproduce the t tests, multi-row
/// hypotheses agree with a dense computation, and random-effects contrasts agree with
/// Henderson's mixed-model equations solved densely in the test (independent of the blocked
/// factor). Tolerances are stated per check.
@Suite("Linear hypothesis tests (coefTest)")
struct CoefficientTestTests {
    static func fit(_ file: String) throws -> FittedModel {
        try SatterthwaiteTests.fit(file).fit
    }

    @Test("a single row reproduces the t test: F = t², residual and Satterthwaite df and p",
          arguments: ["lme4/sleepstudy_corr_reml.json", "fits/orthodont_ml.json", "fits/cake_reml.json"])
    func singleRowIsTTest(file: String) throws {
        let fit = try Self.fit(file)
        let p = fit.fixedEffectCount
        let residualRows = fit.fixedEffects(dfMethod: .residual)
        let satterthwaiteRows = fit.fixedEffects(dfMethod: .satterthwaite)
        let noneRows = fit.fixedEffects(dfMethod: .none)
        for index in 0..<p {
            var h = [Double](repeating: 0, count: p)
            h[index] = 1
            let residual = try fit.coefficientTest([h])
            let t = residualRows[index].tStat
            // F = t² to rounding (1e-10 relative); df1 = 1; p-values identical to the t test's to 1e-9.
            #expect(FixtureSupport.relativeError(residual.fStat, t * t) < 1e-10)
            #expect(residual.df1 == 1)
            #expect(residual.df2 == fit.residualDegreesOfFreedom)
            #expect(FixtureSupport.relativeError(residual.pValue, residualRows[index].pValue) < 1e-9,
                    "\(file) \(index): \(residual.pValue) vs \(residualRows[index].pValue)")
            let satterthwaite = try fit.coefficientTest([h], dfMethod: .satterthwaite)
            #expect(FixtureSupport.relativeError(satterthwaite.df2, satterthwaiteRows[index].df) < 1e-12)
            #expect(FixtureSupport.relativeError(satterthwaite.pValue, satterthwaiteRows[index].pValue) < 1e-9)
            let none = try fit.coefficientTest([h], dfMethod: .none)
            #expect(none.df2 == .infinity)
            #expect(FixtureSupport.relativeError(none.pValue, noneRows[index].pValue) < 1e-9)
        }
    }

    @Test("a multi-row hypothesis with c agrees with the dense Wald statistic")
    func multiRow() throws {
        let fit = try Self.fit("fits/cake_reml.json")
        let p = fit.fixedEffectCount
        var h1 = [Double](repeating: 0, count: p)
        h1[1] = 1
        h1[2] = -1
        var h2 = [Double](repeating: 0, count: p)
        h2[3] = 1
        let c = [0.5, 2.0]
        let result = try fit.coefficientTest([h1, h2], c)
        // Dense: d = Hβ − c, V = H C Hᵀ, F = dᵀ V⁻¹ d / 2.
        let cov = fit.fixedEffectsCovariance
        func form(_ a: [Double], _ b: [Double]) -> Double {
            var sum = 0.0
            for i in 0..<p { for j in 0..<p { sum += a[i] * cov[i * p + j] * b[j] } }
            return sum
        }
        let d = [zip(h1, fit.beta).map(*).reduce(0, +) - c[0], zip(h2, fit.beta).map(*).reduce(0, +) - c[1]]
        let v11 = form(h1, h1), v12 = form(h1, h2), v22 = form(h2, h2)
        let determinant = v11 * v22 - v12 * v12
        let quadratic = (d[0] * d[0] * v22 - 2 * d[0] * d[1] * v12 + d[1] * d[1] * v11) / determinant
        #expect(FixtureSupport.relativeError(result.fStat, quadratic / 2) < 1e-10, "\(result.fStat) vs \(quadratic / 2)")
        #expect(result.df1 == 2)
        // A repeated row does not add to the rank.
        let repeated = try fit.coefficientTest([h1, h2, h1], [0.5, 2.0, 0.5])
        #expect(repeated.df1 == 2)
        #expect(FixtureSupport.relativeError(repeated.fStat, result.fStat) < 1e-8)
    }

    @Test("the marginal anova row of a term is the coefTest of its columns; type III differs with interactions")
    func marginalRows() throws {
        let fit = try Self.fit("fits/orthodont_reml.json")
        let marginal = try fit.anova(type: .marginal, dfMethod: .satterthwaite)
        #expect(marginal.map(\.term) == ["(Intercept)", "age", "Sex", "age:Sex"])
        let typeIII = try fit.anova(type: .typeIII, dfMethod: .satterthwaite)
        let rows = fit.fixedEffects(dfMethod: .satterthwaite)
        for (index, row) in marginal.enumerated() {
            #expect(FixtureSupport.relativeError(row.fStat, rows[index].tStat * rows[index].tStat) < 1e-10)
            #expect(FixtureSupport.relativeError(row.df2, rows[index].df) < 1e-12)
        }
        // The main effect of age under reference coding is the slope for the reference sex; type III
        // tests the average slope, a different hypothesis.
        let ageIII = try #require(typeIII.first { $0.term == "age" })
        #expect(FixtureSupport.relativeError(ageIII.fStat, marginal[1].fStat) > 0.01)
    }

    /// Dense inverse by Gauss–Jordan elimination with partial pivoting.
    static func inverse(_ a: [[Double]]) -> [[Double]] {
        let n = a.count
        var m = a.map { $0 }
        var inv = (0..<n).map { i in (0..<n).map { $0 == i ? 1.0 : 0.0 } }
        for column in 0..<n {
            let pivot = (column..<n).max { abs(m[$0][column]) < abs(m[$1][column]) } ?? column
            m.swapAt(column, pivot)
            inv.swapAt(column, pivot)
            let scale = 1 / m[column][column]
            for j in 0..<n { m[column][j] *= scale; inv[column][j] *= scale }
            for row in 0..<n where row != column {
                let factor = m[row][column]
                if factor == 0 { continue }
                for j in 0..<n { m[row][j] -= factor * m[column][j]; inv[row][j] -= factor * inv[column][j] }
            }
        }
        return inv
    }

    @Test("a random-effects contrast matches Henderson's mixed-model equations solved densely")
    func randomEffectsContrast() throws {
        let fit = try Self.fit("lme4/sleepstudy_corr_reml.json")
        let design = fit.model.design
        let n = design.observationCount
        let p = fit.fixedEffectCount
        let q = fit.randomEffectCount
        // Dense X, Z, and G = σ² blockdiag(λλᵀ) (Ψ per level).
        var x = [[Double]](repeating: [Double](repeating: 0, count: p), count: n)
        for i in 0..<n { for j in 0..<p { x[i][j] = design.fixedEffects[i, j] } }
        var z = [[Double]](repeating: [Double](repeating: 0, count: q), count: n)
        var gInverse = [[Double]](repeating: [Double](repeating: 0, count: q), count: q)
        var offset = 0
        for (k, term) in design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            for i in 0..<n {
                let level = Int(term.levelIndices[i])
                for j in 0..<s { z[i][offset + level * s + j] = term.z[i * s + j] }
            }
            let lambda = fit.lambdas[k]
            var psi = [[Double]](repeating: [Double](repeating: 0, count: s), count: s)
            for a in 0..<s { for b in 0..<s { for m in 0..<s { psi[a][b] += fit.sigma * fit.sigma * lambda[m * s + a] * lambda[m * s + b] } } }
            let psiInverse = Self.inverse(psi)
            for level in 0..<term.levelCount {
                for a in 0..<s { for b in 0..<s { gInverse[offset + level * s + a][offset + level * s + b] = psiInverse[a][b] } }
            }
            offset += term.randomEffectCount
        }
        // Henderson: [X'X X'Z; Z'X Z'Z + σ²G⁻¹] (β; b) = (X'y; Z'y); Cov(β̂, b̂ − b) = σ² C⁻¹.
        let w = x.indices.map { x[$0] + z[$0] }
        let size = p + q
        var c = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
        var rhs = [Double](repeating: 0, count: size)
        for i in 0..<n {
            for a in 0..<size {
                rhs[a] += w[i][a] * design.response[i]
                if w[i][a] == 0 { continue }
                for b in 0..<size { c[a][b] += w[i][a] * w[i][b] }
            }
        }
        for a in 0..<q { for b in 0..<q { c[p + a][p + b] += fit.sigma * fit.sigma * gInverse[a][b] } }
        let cInverse = Self.inverse(c)
        let solution = (0..<size).map { a in (0..<size).reduce(0.0) { $0 + cInverse[a][$1] * rhs[$1] } }
        // The hypothesis: subject 1's Days slope β₁ + b₁,Days = 10, and its intercept β₀ + b₁,₀ = 250.
        var h1 = [Double](repeating: 0, count: p); h1[1] = 1
        var k1 = [Double](repeating: 0, count: q); k1[1] = 1
        var h2 = [Double](repeating: 0, count: p); h2[0] = 1
        var k2 = [Double](repeating: 0, count: q); k2[0] = 1
        let cValues = [10.0, 250.0]
        let rows = [h1 + k1, h2 + k2]
        let d = (0..<2).map { r in (0..<size).reduce(0.0) { $0 + rows[r][$1] * solution[$1] } - cValues[r] }
        var v = [[Double]](repeating: [0, 0], count: 2)
        for a in 0..<2 { for b in 0..<2 {
            var sum = 0.0
            for i in 0..<size { for j in 0..<size { sum += rows[a][i] * cInverse[i][j] * rows[b][j] } }
            v[a][b] = fit.sigma * fit.sigma * sum
        } }
        let vInverse = Self.inverse(v)
        var quadratic = 0.0
        for a in 0..<2 { for b in 0..<2 { quadratic += d[a] * vInverse[a][b] * d[b] } }

        let single = try fit.coefficientTest([h1], [10], randomEffectsContrast: [k1])
        // One row: F = d² / V (1e-8 relative: dense elimination against the blocked factor).
        #expect(FixtureSupport.relativeError(single.fStat, d[0] * d[0] / v[0][0]) < 1e-8, "\(single.fStat) vs \(d[0] * d[0] / v[0][0])")
        #expect(single.df1 == 1 && single.df2 == fit.residualDegreesOfFreedom)
        let both = try fit.coefficientTest([h1, h2], cValues, randomEffectsContrast: [k1, k2])
        #expect(FixtureSupport.relativeError(both.fStat, quadratic / 2) < 1e-8, "\(both.fStat) vs \(quadratic / 2)")
        #expect(both.df1 == 2)

        // Satterthwaite with K: finite, and with K = 0 the same df as without K (two derivative paths).
        let withK = try fit.coefficientTest([h1, h2], cValues, randomEffectsContrast: [k1, k2], dfMethod: .satterthwaite)
        #expect(withK.df2.isFinite && withK.df2 > 0)
        let zero = [Double](repeating: 0, count: q)
        let zeroK = try fit.coefficientTest([h1], randomEffectsContrast: [zero], dfMethod: .satterthwaite)
        let plain = try fit.coefficientTest([h1], dfMethod: .satterthwaite)
        #expect(FixtureSupport.relativeError(zeroK.df2, plain.df2) < 1e-7, "\(zeroK.df2) vs \(plain.df2)")
        #expect(FixtureSupport.relativeError(zeroK.fStat, plain.fStat) < 1e-10)
    }

    @Test("bad dimensions and values are reported")
    func validation() throws {
        let fit = try Self.fit("lme4/sleepstudy_corr_reml.json")
        let q = fit.randomEffectCount
        #expect(throws: MixedModelError.self) { try fit.coefficientTest([]) }
        #expect(throws: MixedModelError.self) { try fit.coefficientTest([[1, 0, 0]]) }
        #expect(throws: MixedModelError.self) { try fit.coefficientTest([[1, 0]], [1, 2]) }
        #expect(throws: MixedModelError.self) { try fit.coefficientTest([[1, .nan]]) }
        #expect(throws: MixedModelError.self) { try fit.coefficientTest([[0, 0]]) }
        #expect(throws: MixedModelError.self) {
            try fit.coefficientTest([[1, 0]], randomEffectsContrast: [[Double]](repeating: [Double](repeating: 0, count: q), count: 2))
        }
        #expect(throws: MixedModelError.self) { try fit.coefficientTest([[1, 0]], randomEffectsContrast: [[1, 0]]) }
        do {
            _ = try fit.coefficientTest([[1, 0, 0]])
        } catch {
            #expect(error.description.contains("3 entries") && error.description.contains("2 fixed-effects"))
        }
    }
}
