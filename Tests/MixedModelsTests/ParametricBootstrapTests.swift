import Foundation
import Testing
@testable import MixedModels

@Suite("Parametric bootstrap")
struct ParametricBootstrapTests {
    static func sleepstudy(_ method: EstimationMethod = .ml) throws -> FittedModel {
        try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: DataTable.builtIn("sleepstudy"))
            .fit(method: method)
    }

    @Test("reproducible for a seed and identical with 1 and 2 threads")
    func reproducible() throws {
        let fit = try Self.sleepstudy()
        let a = try fit.parametricBootstrap(replicates: 40, seed: 123, threads: 1)
        let b = try fit.parametricBootstrap(replicates: 40, seed: 123, threads: 2)
        let c = try fit.parametricBootstrap(replicates: 40, seed: 124, threads: 2)
        #expect(a == b)
        #expect(a.replicates.count == 40)
        #expect(a.replicates != c.replicates)
        #expect(a.replicates.allSatisfy { $0.objective.isFinite && $0.sigma > 0 && $0.theta.count == 3 && $0.beta.count == 2 })
    }

    @Test("refitting through replaced cross products equals fitting the simulated data from scratch")
    func refitMatchesFreshFit() throws {
        let fit = try Self.sleepstudy(.reml)
        var generator = SeededGenerator(seed: 5, stream: 3)
        let y = fit.simulate(rows: try fit.rowDesign(for: nil), weights: nil, generator: &generator)
        // A data table with the simulated response.
        let base = try DataTable.builtIn("sleepstudy")
        let names = base.columnNames
        let columns = names.map { name -> Column in
            if name == "Reaction" { return .numeric(NumericColumn(values: y)) }
            return base.column(named: name) ?? .numeric(NumericColumn(values: y))
        }
        let table = try DataTable(columnNames: names, columns: columns, source: "simulated")
        let fresh = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: table).fit(method: .reml)
        let refit = ResponseRefitter(model: fit.model, method: .reml).refit(response: y, start: fit.model.initialTheta)
        // Same optimiser, same start, same cross products up to rounding: same optimum.
        #expect(abs(refit.objective - fresh.objective) < 1e-8 * abs(fresh.objective))
        for (a, b) in zip(refit.beta, fresh.beta) { #expect(abs(a - b) < 1e-6 * max(1, abs(b))) }
        #expect(abs(refit.sigma - fresh.sigma) < 1e-6 * fresh.sigma)
    }

    @Test("simulated responses have the fitted moments (10,000 draws of Dyestuff)")
    func simulationMoments() throws {
        let fit = try LinearMixedModel(formula: "Yield ~ 1 + (1 | Batch)", data: DataTable.builtIn("Dyestuff")).fit(method: .reml)
        let rows = try fit.rowDesign(for: nil)
        var sum = 0.0
        var squares = 0.0
        let draws = 10_000
        for index in 0..<draws {
            var generator = SeededGenerator(seed: 1, stream: UInt64(index))
            let y = fit.simulate(rows: rows, weights: nil, generator: &generator)
            sum += y[0]
            squares += y[0] * y[0]
        }
        let average = sum / Double(draws)
        let variance = squares / Double(draws) - average * average
        let expectedVariance = fit.sigma * fit.sigma * (1 + fit.theta[0] * fit.theta[0])
        // Monte Carlo error: SE of the mean ≈ 0.0100 sd, of the variance ≈ 0.0141 var; 5 SE.
        #expect(abs(average - fit.beta[0]) < 5 * (expectedVariance / Double(draws)).squareRoot())
        #expect(abs(variance / expectedVariance - 1) < 5 * (2 / Double(draws)).squareRoot())
    }

    @Test("bad arguments are refused")
    func badArguments() throws {
        let fit = try Self.sleepstudy()
        #expect(throws: MixedModelError.self) { try fit.parametricBootstrap(replicates: -1) }
        #expect(throws: MixedModelError.self) { try fit.parametricBootstrap(replicates: 5, threads: 0) }
        #expect(try fit.parametricBootstrap(replicates: 0).replicates.isEmpty)
    }

    @Test("speed: replicates per second for sleepstudy on 1 and 2 threads")
    func speed() throws {
        let fit = try Self.sleepstudy()
        let clock = ContinuousClock()
        var rates: [Int: Double] = [:]
        for threads in [1, 2, 1, 2] {
            let start = clock.now
            let result = try fit.parametricBootstrap(replicates: 400, seed: 99, threads: threads)
            let seconds = (clock.now - start).seconds
            #expect(result.replicates.count == 400)
            rates[threads] = max(rates[threads] ?? 0, 400 / seconds)
        }
        print("bootstrap sleepstudy ML: \(Int(rates[1] ?? 0)) replicates/s on 1 thread, \(Int(rates[2] ?? 0)) on 2 threads")
        #expect((rates[1] ?? 0) > 0)
    }
}
