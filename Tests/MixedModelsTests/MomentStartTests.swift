import Foundation
import Testing
@testable import MixedModels

/// The moment start (MIVQUE(0) from the cross products): the sparse bookkeeping against the
/// equations written out with dense n × n matrices, and, on balanced designs, against lme4's
/// polished REML optimum (for balanced data MIVQUE(0) gives the ANOVA estimates, which are the
/// REML estimates when they are positive and, for a term with covariances, positive definite).
@Suite("Moment start values")
struct MomentStartTests {
    /// The MIVQUE(0) estimates of Σ_k / σ² computed densely: X̃ = W^½X, Z̃ = W^½Z, the n × n
    /// matrices Q = I − X̃(X̃ᵀX̃)⁻¹X̃ᵀ and V_j (Z̃_a Z̃_aᵀ for a variance, Z̃_a Z̃_bᵀ + Z̃_b Z̃_aᵀ for
    /// a covariance), and the equations Σ_j φ_j tr(Q V_i Q V_j) + σ² tr(Q V_i) = rᵀ V_i r,
    /// Σ_j φ_j tr(Q V_j) + σ² tr(Q) = rᵀ r with r = Q ỹ.
    static func denseEstimates(_ design: ModelDesign) -> [[Double]] {
        let n = design.observationCount
        let p = design.fixedEffects.columnCount
        let root = (design.weights ?? [Double](repeating: 1, count: n)).map { $0.squareRoot() }
        let x = (0..<p).map { j in (0..<n).map { root[$0] * design.fixedEffects.values[j * n + $0] } }
        let y = (0..<n).map { root[$0] * design.responseLessOffset[$0] }
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
        // The basis matrices, each n × n, and where each estimate goes.
        var bases: [[[Double]]] = []
        var places: [(term: Int, a: Int, b: Int)] = []
        for (k, term) in design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            let levels = term.levelIndices
            for b in 0..<s {
                for a in 0...b {
                    var v = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
                    for i in 0..<n {
                        for j in 0..<n where levels[i] == levels[j] {
                            let zia = root[i] * term.z[i * s + a], zib = root[i] * term.z[i * s + b]
                            let zja = root[j] * term.z[j * s + a], zjb = root[j] * term.z[j * s + b]
                            v[i][j] = a == b ? zia * zja : zia * zjb + zib * zja
                        }
                    }
                    bases.append(v)
                    places.append((k, a, b))
                }
            }
        }
        func multiply(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
            var c = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
            for i in 0..<n {
                for l in 0..<n where a[i][l] != 0 {
                    let ail = a[i][l]
                    for j in 0..<n { c[i][j] += ail * b[l][j] }
                }
            }
            return c
        }
        let qv = bases.map { multiply(q, $0) }
        let r = q.map { row in zip(row, y).reduce(0) { $0 + $1.0 * $1.1 } }
        let count = bases.count
        var system = [[Double]](repeating: [Double](repeating: 0, count: count + 1), count: count + 1)
        var right = [Double](repeating: 0, count: count + 1)
        for i in 0..<count {
            for j in 0..<count {
                var trace = 0.0
                for row in 0..<n { for column in 0..<n { trace += qv[i][row][column] * qv[j][column][row] } }
                system[i][j] = trace
            }
            let trace = (0..<n).reduce(0.0) { $0 + qv[i][$1][$1] }
            system[i][count] = trace
            system[count][i] = trace
            right[i] = (0..<n).reduce(0.0) { sum, row in sum + r[row] * zip(bases[i][row], r).reduce(0) { $0 + $1.0 * $1.1 } }
        }
        system[count][count] = (0..<n).reduce(0.0) { $0 + q[$1][$1] }
        right[count] = r.reduce(0) { $0 + $1 * $1 }
        let solution = solve(system, right)
        var result = design.randomEffectsTerms.map { [Double](repeating: 0, count: $0.columnCount * $0.columnCount) }
        for (index, place) in places.enumerated() {
            let s = design.randomEffectsTerms[place.term].columnCount
            result[place.term][place.a * s + place.b] = solution[index] / solution[count]
            result[place.term][place.b * s + place.a] = solution[index] / solution[count]
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

    @Test("the estimates from A equal the dense equations: crossed, nested, three terms, correlated terms, weights",
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
                                               observations: model.design.observationCount,
                                               withCovariances: model.design.randomEffectsTerms.map { _ in true }))
        let dense = Self.denseEstimates(model.design)
        #expect(moments.relativeCovariances.count == dense.count)
        for (sparse, reference) in zip(moments.relativeCovariances, dense) {
            for (a, b) in zip(sparse, reference) {
                #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(formula): \(a) vs dense \(b)")
            }
        }
    }

    @Test("on balanced designs the start is lme4's polished REML optimum", arguments: [
        "lme4/penicillin_reml.json", "lme4/pastes_reml.json", "lme4/dyestuff_reml.json",
        "lme4/rail_reml.json", "lme4/ergostool_reml.json", "fits/machines_nested_reml.json",
        "fits/machines_slope_reml.json",
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
        // (Machine | Worker) with a diagonal Σ: the equations without the covariances give a negative σ².
        let model = try LinearMixedModel(formula: "score ~ Machine + (Machine | Worker)", data: DataTable.builtIn("Machines"),
                                         options: ModelOptions(covariancePatterns: ["Worker": .diagonal]))
        #expect(model.momentStartTheta() == nil)
        let fit = try model.fit(method: .reml)
        #expect(fit.optimization.startMethod == "identity")
        #expect(fit.optimization.initialTheta == model.initialTheta)
    }

    @Test("the fit starts at λ = I where the objective is lower there than at the estimates")
    func identityWhenLower() throws {
        // Unbalanced counts with large variance ratios: MIVQUE(0) puts θ several times too high.
        let model = try LinearMixedModel(formula: "TICKS ~ YEAR + HEIGHT + (1 | BROOD) + (1 | LOCATION)",
                                         data: DataTable.builtIn("grouseticks"))
        let moments = try #require(model.momentStartTheta())
        #expect(model.objective(theta: moments, method: .ml) > model.objective(theta: model.initialTheta, method: .ml))
        let fit = try model.fit(method: .ml)
        #expect(fit.optimization.startMethod == "identity")
        let fromIdentity = try model.fit(method: .ml, optimizer: FitDriverTests.fromIdentity(.default))
        #expect(fit.theta == fromIdentity.theta)
        #expect(fit.optimization.evaluations == fromIdentity.optimization.evaluations + 1)
    }

    @Test("an estimate of zero starts one trust radius inside the bound")
    func zeroEstimateStartsInside() throws {
        let model = try LinearMixedModel(formula: "Yield ~ 1 + (1 | Batch)", data: DataTable.builtIn("Dyestuff2"))
        let start = try #require(model.momentStartTheta(radius: 0.1))
        #expect(start == [0.1])
        let fit = try model.fit(method: .reml)
        #expect(fit.optimization.startMethod == "moments" && fit.theta == [0])
    }

    @Test("a saved fit written before the start method existed still reads, with the defaults")
    func olderSavedFitDecodes() throws {
        let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                         data: DataTable.builtIn("sleepstudy"))
        let fit = try model.fit(method: .reml)
        let text = try SavedFit(fit: fit).encoded()
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var settings = try #require(object["optimizerSettings"] as? [String: Any])
        #expect(settings["startMethod"] != nil && settings["momentStartTrustRadius"] != nil)
        settings["startMethod"] = nil
        settings["momentStartTrustRadius"] = nil
        object["optimizerSettings"] = settings
        let older = try JSONSerialization.data(withJSONObject: object)
        let saved = try SavedFit(json: older)
        #expect(saved.optimizerSettings == OptimizerSettings.default)
        let restored = try saved.restore(model: model)
        #expect(restored.theta == fit.theta)
    }
}
