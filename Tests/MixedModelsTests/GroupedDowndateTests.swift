import Testing
@testable import MixedModels

/// The sparse factor's downdate through sums grouped by the first term's diagonal
/// (``GroupedDowndate``, ``GroupedFixedRows``): the same deviance as the cliques and as the dense
/// blocks, where it applies, and the cliques where it does not.
@Suite("Grouped downdate")
struct GroupedDowndateTests {
    /// A nearly nested design: `groups` levels of g, level j with `counts(j)` observations on
    /// levels of h drawn from its cluster of `cluster` (c, a third factor, is the cluster);
    /// x is a covariate, w a weight.
    static func table(groups: Int, counts: (Int, inout SeededGenerator) -> Int, hLevels: Int, cluster: Int,
                      seed: UInt64) throws -> DataTable {
        var generator = SeededGenerator(seed: seed)
        var y: [Double] = []
        var x: [Double] = []
        var w: [Double] = []
        var g: [Int32] = []
        var h: [Int32] = []
        var c: [Int32] = []
        let clusters = max(hLevels / cluster, 1)
        for level in 0..<groups {
            for _ in 0..<counts(level, &generator) {
                let home = level % clusters
                let other = home * cluster + Int(generator.nextUniform() * Double(cluster)) % cluster
                let covariate = generator.nextNormal()
                g.append(Int32(level))
                h.append(Int32(other))
                c.append(Int32(home))
                x.append(covariate)
                w.append(0.5 + generator.nextUniform())
                y.append(generator.nextNormal() + 0.4 * covariate + Double(level % 7) * 0.3 + Double(other % 5) * 0.2)
            }
        }
        return try DataTable(columnNames: ["y", "x", "w", "g", "h", "c"],
                             columns: [.numeric(NumericColumn(values: y)), .numeric(NumericColumn(values: x)),
                                       .numeric(NumericColumn(values: w)),
                                       .categorical(CategoricalColumn(codes: g, levels: (0..<groups).map { "g\($0)" })),
                                       .categorical(CategoricalColumn(codes: h, levels: (0..<hLevels).map { "h\($0)" })),
                                       .categorical(CategoricalColumn(codes: c, levels: (0..<clusters).map { "c\($0)" }))],
                             source: "grouped downdate")
    }

    /// The same model three ways: automatic (grouped where it applies), sparse by cliques, dense.
    static func models(_ formula: String, data: DataTable, weights: String? = nil) throws
        -> (automatic: LinearMixedModel, cliques: LinearMixedModel, dense: LinearMixedModel) {
        let automatic = try LinearMixedModel(formula: formula, data: data,
                                             options: ModelOptions(weightsColumn: weights, trailingStorage: .sparse))
        var cliques = automatic
        cliques.factorPlan = try FactorPlan(crossProducts: automatic.crossProducts, design: automatic.design,
                                            choice: .sparse, memoryLimit: .max, downdate: .cliques)
        let dense = try LinearMixedModel(formula: formula, data: data,
                                         options: ModelOptions(weightsColumn: weights, trailingStorage: .dense))
        return (automatic, cliques, dense)
    }

    static func fiveEach(_: Int, _: inout SeededGenerator) -> Int { 5 }
    static func fourToSeven(_: Int, _ generator: inout SeededGenerator) -> Int { 4 + Int(generator.nextUniform() * 4) % 4 }

    @Test("grouped sums give the cliques' and the dense deviance to 1e-10: one group, four groups (4 to 7 observations per level), three terms, a slope term",
          arguments: [("y ~ 1 + x + (1 | g) + (1 | h)", 0), ("y ~ 1 + x + (1 | g) + (1 | h)", 1),
                      ("y ~ 1 + x + (1 | g) + (1 | h) + (1 | c)", 1), ("y ~ 1 + x + (1 | g) + (0 + x | h)", 1),
                      ("y ~ 1 + (1 | g) + (1 | h) + (0 + x | c)", 0)])
    func sameDeviance(formula: String, countsCase: Int) throws {
        let data = try Self.table(groups: 3000, counts: countsCase == 0 ? Self.fiveEach : Self.fourToSeven, hLevels: 300, cluster: 5, seed: 11)
        let (automatic, cliques, dense) = try Self.models(formula, data: data)
        let groupCount = automatic.factorPlan.sparseTrailing?.grouped?.groupValues.count
        #expect(groupCount == (countsCase == 0 ? 1 : 4), "\(formula): the grouped sums apply")
        let cliquesGrouped = cliques.factorPlan.sparseTrailing?.grouped != nil
        #expect(!cliquesGrouped)
        let count = automatic.parameterCount
        for theta in [[Double](repeating: 1, count: count), (0..<count).map { 0.2 + 0.9 * Double($0) },
                      (0..<count).map { 2.5 - 0.7 * Double($0) }, [0] + [Double](repeating: 0.6, count: count - 1)] {
            for method in [EstimationMethod.ml, .reml] {
                let expected = dense.objective(theta: theta, method: method)
                let byCliques = cliques.objective(theta: theta, method: method)
                let actual = automatic.objective(theta: theta, method: method)
                #expect(expected.isFinite)
                #expect(FixtureSupport.relativeError(byCliques, expected) < 1e-10, "\(formula) θ = \(theta)")
                #expect(FixtureSupport.relativeError(actual, expected) < 1e-10,
                        "\(formula) θ = \(theta): grouped \(actual), dense \(expected)")
            }
        }
    }

    @Test("the grouped fit equals the cliques' fit: θ, β, their standard errors and the conditional modes")
    func sameFit() throws {
        let data = try Self.table(groups: 3000, counts: Self.fourToSeven, hLevels: 300, cluster: 5, seed: 12)
        let (automatic, cliques, _) = try Self.models("y ~ 1 + x + (1 | g) + (1 | h) + (1 | c)", data: data)
        let applies = automatic.factorPlan.sparseTrailing?.grouped != nil
        #expect(applies)
        let start = automatic.initialTheta
        let a = try automatic.fit(method: .reml, start: start)
        let b = try cliques.fit(method: .reml, start: start)
        #expect(FixtureSupport.relativeError(a.objective, b.objective) < 1e-10)
        // At the cliques' optimum the grouped factor gives the same solution.
        let atOptimum = try automatic.fit(method: .reml, start: b.theta)
        let reference = try cliques.fit(method: .reml, start: b.theta)
        for (x, y) in zip(atOptimum.theta, reference.theta) { #expect(abs(x - y) < 1e-6) }
        for (x, y) in zip(atOptimum.beta, reference.beta) { #expect(abs(x - y) < 1e-6 * max(1, abs(y))) }
        for (x, y) in zip(atOptimum.standardErrors, reference.standardErrors) { #expect(abs(x - y) < 1e-6 * y) }
        let modes = atOptimum.randomEffectsModes.flatMap { $0 }
        let expectedModes = reference.randomEffectsModes.flatMap { $0 }
        #expect(modes.count == expectedModes.count)
        #expect(zip(modes, expectedModes).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test("a refit to a new response (the bootstrap's path) uses its own [X y] sums")
    func newResponse() throws {
        let data = try Self.table(groups: 2400, counts: Self.fiveEach, hLevels: 300, cluster: 5, seed: 13)
        let (automatic, _, dense) = try Self.models("y ~ 1 + x + (1 | g) + (1 | h)", data: data)
        let applies = automatic.factorPlan.sparseTrailing?.grouped != nil
        #expect(applies)
        var generator = SeededGenerator(seed: 14)
        let response = (0..<automatic.design.observationCount).map { _ in 3 * generator.nextNormal() + 1 }
        let grouped = automatic.crossProducts.replacingResponse(response, design: automatic.design)
        let reference = dense.crossProducts.replacingResponse(response, design: dense.design)
        for theta in [[1.0, 1.0], [0.3, 1.8]] {
            var a = automatic.makeDeviance(method: .reml, crossProducts: grouped)
            var b = dense.makeDeviance(method: .reml, crossProducts: reference)
            let x = a.evaluate(automatic.workingTheta(fromUser: theta))
            let y = b.evaluate(dense.workingTheta(fromUser: theta))
            #expect(FixtureSupport.relativeError(x, y) < 1e-10, "θ = \(theta): \(x) vs \(y)")
            #expect(FixtureSupport.relativeError(x, automatic.objective(theta: theta, method: .reml)) > 1e-6)
        }
    }

    @Test("the cliques where the grouped sums do not apply: a vector term, weights with many distinct sums")
    func notApplied() throws {
        let data = try Self.table(groups: 3000, counts: Self.fiveEach, hLevels: 300, cluster: 5, seed: 15)
        let vector = try LinearMixedModel(formula: "y ~ 1 + x + (1 | g) + (1 + x | h)", data: data,
                                          options: ModelOptions(trailingStorage: .sparse))
        let vectorSparse = vector.factorPlan.sparseTrailing != nil
        let vectorGrouped = vector.factorPlan.sparseTrailing?.grouped != nil
        #expect(vectorSparse && !vectorGrouped)
        let (weighted, _, dense) = try Self.models("y ~ 1 + x + (1 | g) + (1 | h)", data: data, weights: "w")
        let weightedSparse = weighted.factorPlan.sparseTrailing != nil
        let weightedGrouped = weighted.factorPlan.sparseTrailing?.grouped != nil
        #expect(weightedSparse && !weightedGrouped)
        let theta = [0.7, 1.3]
        #expect(FixtureSupport.relativeError(weighted.objective(theta: theta, method: .ml),
                                             dense.objective(theta: theta, method: .ml)) < 1e-10)
    }

    @Test("distinct diagonal values: one group per value, in order of first appearance, none past the limit")
    func groups() throws {
        let grouping = try #require(GroupedDowndate.groups(of: [5, 5, 3, 5, 3, 1]))
        #expect(grouping.values == [5, 3, 1])
        #expect(grouping.ofLevel == [0, 0, 1, 0, 1, 2])
        let many = (0...GroupedDowndate.largestGroupCount).map(Double.init)
        #expect(GroupedDowndate.groups(of: many) == nil)
        #expect(GroupedDowndate.groups(of: Array(many.dropLast())) != nil)
    }
}
