import Foundation
import Testing
@testable import MixedModels

/// The sparse storage of the later terms' part of L (issue "Sparse trailing blocks"): forced on,
/// it must give the same deviance, estimates and conditional modes as the dense blocks on every
/// reference model; chosen automatically, it must be picked for nested and nearly nested
/// designs and not for crossed ones.
@Suite("Sparse trailing blocks")
struct SparseTrailingTests {
    static let fixtures = ObjectiveTests.fixtures

    static func model(for fixture: [String: Any], storage: TrailingStorageChoice) throws -> LinearMixedModel {
        let table = try FixtureSupport.table(for: fixture)
        let weights = (fixture["weights"] as? [String: Any])?["column"] as? String
        return try LinearMixedModel(formula: fixture["formula"] as? String ?? "", data: table,
                                    options: ModelOptions(weightsColumn: weights, trailingStorage: storage))
    }

    @Test("forced sparse storage gives the dense deviance to 1e-10 at lme4's θ values and at random θ", arguments: fixtures)
    func sameDeviance(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let dense = try Self.model(for: fixture, storage: .dense)
        let sparse = try Self.model(for: fixture, storage: .sparse)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        var thetas: [[Double]] = [dense.initialTheta]
        if let points = fixture["objective_at_theta"] as? [String: Any] {
            for value in points.values {
                if let point = value as? [String: Any] { thetas.append(FixtureSupport.doubles(point["theta"])) }
            }
        }
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<3 {
            thetas.append(dense.lowerBounds.map { lower in
                let draw = 0.05 + 2 * generator.nextUniform()
                return lower == 0 ? draw : draw - 1
            })
        }
        let trailing = dense.design.randomEffectsTerms.count > 1
        #expect(sparse.factorPlan.sparseTrailing != nil || !trailing, "\(file): sparse storage was not used")
        for theta in thetas {
            let expected = dense.objective(theta: theta, method: method)
            let actual = sparse.objective(theta: theta, method: method)
            #expect(FixtureSupport.relativeError(actual, expected) < 1e-10, "\(file) θ = \(theta): \(actual) vs \(expected)")
        }
    }

    @Test("forced sparse storage gives the same fit: θ, β, σ, conditional modes, conditional SDs, predictions",
          arguments: [("Penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)"),
                      ("Pastes", "strength ~ 1 + (1 | batch/cask)"),
                      ("Oats", "yield ~ nitro + (1 | Block/Variety)"),
                      ("sleepstudy", "Reaction ~ 1 + Days + (1 | Subject) + (0 + Days | Subject)"),
                      ("sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject) + (1 | Days)"),
                      ("Machines", "score ~ Machine + (1 | Worker) + (1 | Machine:Worker)")])
    func sameFit(dataset: String, formula: String) throws {
        let table = try DataTable.builtIn(dataset)
        let dense = try LinearMixedModel(formula: formula, data: table, options: ModelOptions(trailingStorage: .dense))
        let sparse = try LinearMixedModel(formula: formula, data: table, options: ModelOptions(trailingStorage: .sparse))
        let denseFit = try dense.fit(method: .reml)
        let sparseFit = try sparse.fit(method: .reml)
        // The optimiser may take a different path through rounding differences, but it must
        // reach the same optimum.
        #expect(FixtureSupport.relativeError(sparseFit.objective, denseFit.objective) < 1e-10)
        // Everything else at the same θ, so that only the storage differs.
        let sameTheta = try Self.refit(sparse, at: denseFit)
        for (a, b) in zip(sameTheta.beta, denseFit.beta) { #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(dataset) β") }
        #expect(FixtureSupport.relativeError(sameTheta.sigma, denseFit.sigma) < 1e-10)
        for (a, b) in zip(sameTheta.fixedEffectsCovariance, denseFit.fixedEffectsCovariance) {
            #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(dataset) Var(β)")
        }
        let modesA = sameTheta.sphericalModes.flatMap { $0 }
        let modesB = denseFit.sphericalModes.flatMap { $0 }
        #expect(modesA.count == modesB.count)
        for (a, b) in zip(modesA, modesB) { #expect(abs(a - b) <= 1e-8 * max(1, abs(b)), "\(dataset) modes") }
        let condA = try sameTheta.randomEffects()
        let condB = try denseFit.randomEffects()
        #expect(condA.count == condB.count)
        for (a, b) in zip(condA, condB) {
            #expect(abs(a.estimate - b.estimate) <= 1e-8 * max(1, abs(b.estimate)), "\(dataset) ranef")
            #expect(abs(a.conditionalSD - b.conditionalSD) <= 1e-8 * max(1, abs(b.conditionalSD)), "\(dataset) condSD")
        }
        // Satterthwaite and Kenward–Roger refactor L at perturbed θ: the same with either storage.
        for method in [DegreesOfFreedomMethod.satterthwaite, .kenwardRoger] {
            for (a, b) in zip(sameTheta.fixedEffects(dfMethod: method), denseFit.fixedEffects(dfMethod: method)) {
                #expect(abs(a.df - b.df) <= 1e-6 * max(1, abs(b.df)), "\(dataset) \(method) df: \(a.df) vs \(b.df)")
                #expect(abs(a.standardError - b.standardError) <= 1e-8 * max(1, b.standardError), "\(dataset) \(method) SE")
            }
        }
        let simulatedA = try sameTheta.simulate(seed: 5)
        let simulatedB = try denseFit.simulate(seed: 5)
        for (a, b) in zip(simulatedA, simulatedB) { #expect(abs(a - b) <= 1e-8 * max(1, abs(b)), "\(dataset) simulate") }
        let predictionsA = try sameTheta.predict(on: table, conditional: true, interval: .curve)
        let predictionsB = try denseFit.predict(on: table, conditional: true, interval: .curve)
        for (a, b) in zip(predictionsA, predictionsB) {
            #expect(abs(a.prediction - b.prediction) <= 1e-8 * max(1, abs(b.prediction)), "\(dataset) prediction")
            #expect(abs(a.upper - b.upper) <= 1e-8 * max(1, abs(b.upper)), "\(dataset) prediction interval")
        }
    }

    /// The fit of `model` at exactly the θ of `reference`.
    static func refit(_ model: LinearMixedModel, at reference: FittedModel) throws -> FittedModel {
        var deviance = model.makeDeviance(method: reference.method)
        let value = deviance.evaluate(reference.theta)
        return FittedModel(model: model, method: reference.method, theta: reference.theta, factor: deviance.factor,
                           objective: value, optimization: reference.optimization)
    }

    // MARK: - The automatic choice

    /// A generated table: `groups` levels of g (the first term) each observed `per` times; each
    /// observation also has a level of h: nested (h is a function of g's level), crossed (h
    /// uniformly random) or nearly nested (h random within g's cluster of `cluster` levels).
    static func table(design: String, groups: Int, per: Int, hLevels: Int, cluster: Int, seed: UInt64) throws -> DataTable {
        var generator = SeededGenerator(seed: seed)
        var y: [Double] = []
        var g: [Int32] = []
        var h: [Int32] = []
        let clusters = max(hLevels / cluster, 1)
        for level in 0..<groups {
            for _ in 0..<per {
                let other: Int
                switch design {
                case "nested": other = level % hLevels
                case "crossed": other = Int(generator.nextUniform() * Double(hLevels)) % hLevels
                default: other = (level % clusters) * cluster + Int(generator.nextUniform() * Double(cluster)) % cluster
                }
                g.append(Int32(level))
                h.append(Int32(other))
                y.append(generator.nextNormal() + Double(level % 7) * 0.3 + Double(other % 5) * 0.2)
            }
        }
        return try DataTable(columnNames: ["y", "g", "h"],
                             columns: [.numeric(NumericColumn(values: y)),
                                       .categorical(CategoricalColumn(codes: g, levels: (0..<groups).map { "g\($0)" })),
                                       .categorical(CategoricalColumn(codes: h, levels: (0..<hLevels).map { "h\($0)" }))],
                             source: design)
    }

    @Test("automatic storage: nested and nearly nested designs are sparse, a crossed one is dense",
          arguments: [("nested", FactorStorage.sparse), ("nearly nested", .sparse), ("crossed", .dense)])
    func automaticChoice(design: String, expected: FactorStorage) throws {
        let data = try Self.table(design: design, groups: 3000, per: 4, hLevels: 600, cluster: 6, seed: 3)
        let model = try LinearMixedModel(formula: "y ~ 1 + (1 | g) + (1 | h)", data: data)
        let blocks = model.factorBlocks
        #expect(blocks.count == 2)
        #expect(blocks.first?.group == "g")
        #expect(blocks.first?.storage == .diagonal)
        #expect(blocks.last?.group == "h")
        #expect(blocks.last?.storage == expected, "\(design): \(blocks)")
        if expected == .sparse {
            // Far fewer entries than the dense triangle of 600 × 600.
            #expect((blocks.last?.nonzeros ?? .max) < 600 * 601 / 8)
        }
        // Either storage fits the same model.
        let other = try LinearMixedModel(formula: "y ~ 1 + (1 | g) + (1 | h)", data: data,
                                         options: ModelOptions(trailingStorage: expected == .sparse ? .dense : .sparse))
        let a = try model.fit(method: .reml)
        let b = try other.fit(method: .reml)
        #expect(FixtureSupport.relativeError(a.objective, b.objective) < 1e-9, "\(design): \(a.objective) vs \(b.objective)")
    }

    @Test("InstEval's later terms are sparse by their flops: more than a quarter of the dense entries, at most half the flops")
    func sparseByFlops() throws {
        let model = try LinearMixedModel(formula: "y ~ 1 + service + (1 | s) + (1 | d) + (1 | dept:service)",
                                         data: DataTable.builtIn("InstEval"))
        let trailing = try #require(model.factorPlan.sparseTrailing)
        let blocks = model.factorBlocks
        #expect(blocks.map(\.storage) == [.diagonal, .sparse, .sparse])
        let q = Double(trailing.dimension)
        let structure = trailing.factor.structure
        // The entries alone would have chosen dense storage; the flops choose sparse.
        #expect(Double(structure.nonzeroCount) > FactorPlan.sparseShare * q * (q + 1) / 2)
        #expect(structure.flopCount <= FactorPlan.sparseFlopShare * q * q * q / 3)
    }

    @Test("a model whose factor does not fit in memory is refused before allocating, naming the term and its size")
    func tooLarge() throws {
        let data = try DataTable.builtIn("InstEval")
        do {
            _ = try LinearMixedModel(formula: "y ~ 1 + service + (1 | s) + (1 | d) + (1 | dept:service)", data: data,
                                     options: ModelOptions(trailingStorage: .dense, memoryLimit: 5_000_000))
            Issue.record("expected modelTooLarge")
        } catch {
            guard case .modelTooLarge(let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(message.contains("'d'"), "\(message)")
            #expect(message.contains("GB"), "\(message)")
            #expect(message.contains("What would help"), "\(message)")
        }
    }
}

/// `lmm design` shows the storage chosen for each block of the factor.
@Suite("lmm design factorBlocks")
struct DesignFactorBlocksCommandTests {
    /// Writes a generated design to a temporary CSV file.
    static func csv(design: String) throws -> URL {
        let table = try SparseTrailingTests.table(design: design, groups: 3000, per: 4, hLevels: 600, cluster: 6, seed: 3)
        guard case .numeric(let y)? = table.column(named: "y"), case .categorical(let g)? = table.column(named: "g"),
              case .categorical(let h)? = table.column(named: "h") else { throw FixtureError.malformed("table") }
        var text = "y,g,h\n"
        for row in 0..<y.values.count {
            text += "\(y.values[row]),\(g.levels[Int(g.codes[row])]),\(h.levels[Int(h.codes[row])])\n"
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("factor-blocks-\(design.replacingOccurrences(of: " ", with: "-"))-\(UUID().uuidString).csv")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("JSON factorBlocks and the text table, for nested, nearly nested and crossed designs",
          arguments: [("nested", "sparse"), ("nearly nested", "sparse"), ("crossed", "dense")])
    func factorBlocks(design: String, storage: String) throws {
        let url = try Self.csv(design: design)
        defer { try? FileManager.default.removeItem(at: url) }
        let run = try CommandLineTests.run(["design", url.path, "y ~ 1 + (1 | g) + (1 | h)", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let json = try CommandLineTests.json(run)
        let blocks = json["factorBlocks"] as? [[String: Any]] ?? []
        #expect(blocks.count == 2)
        #expect(blocks.first?["group"] as? String == "g")
        #expect(blocks.first?["storage"] as? String == "diagonal")
        #expect(blocks.last?["group"] as? String == "h")
        #expect(blocks.last?["storage"] as? String == storage)
        #expect((blocks.last?["nonzeros"] as? Int ?? 0) > 0)
        #expect((blocks.last?["bytes"] as? Int ?? 0) > 0)
        let text = try CommandLineTests.run(["design", url.path, "y ~ 1 + (1 | g) + (1 | h)"])
        #expect(text.output.contains("Cholesky factor blocks:"))
        #expect(text.output.contains(storage))
        let forced = try CommandLineTests.run(["design", url.path, "y ~ 1 + (1 | g) + (1 | h)", "--format", "json",
                                               "--factor-storage", storage == "dense" ? "sparse" : "dense"])
        let forcedBlocks = try CommandLineTests.json(forced)["factorBlocks"] as? [[String: Any]] ?? []
        #expect(forcedBlocks.last?["storage"] as? String == (storage == "dense" ? "sparse" : "dense"))
    }
}
