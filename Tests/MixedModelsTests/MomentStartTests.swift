import Foundation
import Testing
@testable import MixedModels

/// The moment start (MIVQUE(0) from the cross products): the sparse bookkeeping against the
/// equations written out with dense n × n matrices, and, on balanced designs, against lme4's
/// polished REML optimum (for balanced data MIVQUE(0) gives the ANOVA estimates, which are the
/// REML estimates when they are positive).
@Suite("Moment start values")
struct MomentStartTests {
    /// The MIVQUE(0) relative deviations σ_c / σ computed densely: Q = I − X̃(X̃ᵀX̃)⁻¹X̃ᵀ with
    /// X̃ = W^½X, Z̃_c = W^½Z_c; equations Σ_d σ_d² ‖Z̃_cᵀQZ̃_d‖² + σ² tr(Z̃_cᵀQZ̃_c) = ‖Z̃_cᵀQỹ‖²
    /// and Σ_d σ_d² tr(Z̃_dᵀQZ̃_d) + σ² tr(Q) = ‖Qỹ‖².
    static func denseEstimates(_ design: ModelDesign) -> [[Double]] {
        let n = design.observationCount
        let p = design.fixedEffects.columnCount
        let root = (design.weights ?? [Double](repeating: 1, count: n)).map { $0.squareRoot() }
        let x = (0..<p).map { j in (0..<n).map { root[$0] * design.fixedEffects.values[j * n + $0] } }
        let y = (0..<n).map { root[$0] * design.responseLessOffset[$0] }
        // Q as a dense n × n matrix.
        var gram = [[Double]](repeating: [Double](repeating: 0, count: p), count: p)
        for a in 0..<p { for b in 0..<p { gram[a][b] = zip(x[a], x[b]).reduce(0) { $0 + $1.0 * $1.1 } } }
        let inverse = invert(gram)
        var q = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
        for i in 0..<n {
            for j in 0..<n {
                var h = 0.0
                for a in 0..<p { for b in 0..<p { h += x[a][i] * inverse[a][b] * x[b][j] } }
                q[i][j] = (i == j ? 1 : 0) - h
            }
        }
        // The random-effects columns Z̃_c, each n × ℓ (stored as columns of length n).
        var columns: [[[Double]]] = []
        var sizes: [Int] = []
        for term in design.randomEffectsTerms {
            let s = term.columnCount
            sizes.append(s)
            for a in 0..<s {
                var matrix = [[Double]](repeating: [Double](repeating: 0, count: n), count: term.levelCount)
                for i in 0..<n { matrix[Int(term.levelIndices[i])][i] = root[i] * term.z[i * s + a] }
                columns.append(matrix)
            }
        }
        func qTimes(_ v: [Double]) -> [Double] { q.map { row in zip(row, v).reduce(0) { $0 + $1.0 * $1.1 } } }
        let projected = columns.map { $0.map(qTimes) }  // Q Z̃_c, column by column
        let residual = qTimes(y)
        let count = columns.count
        var system = [[Double]](repeating: [Double](repeating: 0, count: count + 1), count: count + 1)
        var right = [Double](repeating: 0, count: count + 1)
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        for c in 0..<count {
            for d in 0..<count {
                var sum = 0.0
                for u in columns[c] { for v in projected[d] { let e = dot(u, v); sum += e * e } }
                system[c][d] = sum
            }
            let trace = zip(columns[c], projected[c]).reduce(0) { $0 + dot($1.0, $1.1) }
            system[c][count] = trace
            system[count][c] = trace
            right[c] = columns[c].reduce(0) { let e = dot($1, residual); return $0 + e * e }
        }
        system[count][count] = Double(n - p)
        right[count] = dot(residual, residual)
        let solution = solve(system, right)
        var result: [[Double]] = []
        var offset = 0
        for s in sizes {
            result.append((0..<s).map { (max(solution[offset + $0], 0) / solution[count]).squareRoot() })
            offset += s
        }
        return result
    }

    static func invert(_ matrix: [[Double]]) -> [[Double]] {
        let m = matrix.count
        return (0..<m).map { column in solve(matrix, (0..<m).map { $0 == column ? 1 : 0 }) }
    }

    /// Gaussian elimination with partial pivoting (the matrices here are small and symmetric).
    static func solve(_ matrix: [[Double]], _ right: [Double]) -> [Double] {
        var a = matrix
        var b = right
        let m = b.count
        for k in 0..<m {
            let pivot = (k..<m).max { abs(a[$0][k]) < abs(a[$1][k]) } ?? k
            a.swapAt(k, pivot)
            b.swapAt(k, pivot)
            for i in (k + 1)..<max(m, k + 1) {
                let factor = a[i][k] / a[k][k]
                for j in k..<m { a[i][j] -= factor * a[k][j] }
                b[i] -= factor * b[k]
            }
        }
        var x = [Double](repeating: 0, count: m)
        for i in stride(from: m - 1, through: 0, by: -1) {
            var value = b[i]
            for j in (i + 1)..<max(m, i + 1) { value -= a[i][j] * x[j] }
            x[i] = value / a[i][i]
        }
        return x
    }

    @Test("the estimates from A equal the dense equations: crossed, nested, three terms, vector terms, weights",
          arguments: [
              ("Penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)", nil),
              ("cake", "angle ~ temp + (1 | recipe) + (1 | replicate) + (1 | recipe:replicate)", nil),
              ("Oats", "yield ~ nitro * Variety + (1 | Block/Variety)", nil),
              ("sleepstudy_unbalanced", "Reaction ~ 1 + Days + (1 + Days | Subject)", nil),
              ("sleepstudy", "Reaction ~ 1 + Days + (1 | Subject) + (0 + Days | Subject)", "w"),
          ] as [(String, String, String?)])
    func matchesDenseEquations(dataset: String, formula: String, weights: String?) throws {
        var table = try DataTable.builtIn(dataset)
        var options = ModelOptions()
        if let weights {
            table = try FixtureSupport.table(for: ["dataset": dataset, "weights": weights])
            options.weightsColumn = weights
        }
        let model = try LinearMixedModel(formula: formula, data: table, options: options)
        #expect(model.design.randomEffectsTerms.allSatisfy { !$0.isCentred })
        let moments = try #require(MomentStart(crossProducts: model.crossProducts,
                                               observations: model.design.observationCount))
        let dense = Self.denseEstimates(model.design)
        #expect(moments.relativeDeviations.count == dense.count)
        for (sparse, reference) in zip(moments.relativeDeviations, dense) {
            for (a, b) in zip(sparse, reference) {
                #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(formula): \(a) vs dense \(b)")
            }
        }
    }

    @Test("on balanced designs the start is lme4's polished REML optimum", arguments: [
        "lme4/penicillin_reml.json", "lme4/pastes_reml.json", "lme4/dyestuff_reml.json",
        "lme4/rail_reml.json", "lme4/ergostool_reml.json", "fits/machines_nested_reml.json",
    ])
    func balancedStartIsREML(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let model = try ObjectiveTests.model(for: fixture)
        let start = try #require(model.momentStartTheta())
        let polished = try #require(fixture["polished_optimum"] as? [String: Any])
        let reference = try #require(polished["theta"] as? [String: Any])
        let names = fixture["theta_names"] as? [String] ?? []
        #expect(start.count == names.count)
        for (value, name) in zip(start, names) {
            let expected = FixtureSupport.double(reference[name])
            #expect(abs(value - expected) <= 1e-6 * max(1, abs(expected)), "\(file) θ \(name): \(value) vs lme4 \(expected)")
        }
    }

    @Test("no estimates when σ² comes out negative: the fit starts at λ = I")
    func negativeResidualVarianceFallsBack() throws {
        // (Machine | Worker): with the covariances left out of the equations, σ² is negative.
        let model = try LinearMixedModel(formula: "score ~ Machine + (Machine | Worker)", data: DataTable.builtIn("Machines"))
        #expect(model.momentStartTheta() == nil)
        let fit = try model.fit(method: .reml)
        #expect(fit.optimization.startMethod == "identity")
        #expect(fit.optimization.initialTheta == model.initialTheta)
    }

    @Test("an estimate of zero starts one trust radius inside the bound")
    func zeroEstimateStartsInside() throws {
        let model = try LinearMixedModel(formula: "Yield ~ 1 + (1 | Batch)", data: DataTable.builtIn("Dyestuff2"))
        let start = try #require(model.momentStartTheta(radius: 0.1))
        #expect(start == [0.1])
        let fit = try model.fit(method: .reml)
        #expect(fit.optimization.startMethod == "moments" && fit.theta == [0])
    }
}
