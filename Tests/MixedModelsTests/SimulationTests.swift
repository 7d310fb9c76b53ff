import Foundation
import Testing
@testable import MixedModels

/// The seeded generator (against an independent Python implementation of xoshiro256**,
/// Fixtures/scripts/xoshiro_reference.py) and simulate(): reproducibility and moments.
/// Every test uses fixed seeds, so results are deterministic and cannot flake; statistical
/// tolerances are 5 standard errors of the estimated moment (a wrong implementation with a
/// bias of that size fails; a correct one passes with probability > 1 − 1e-6 for ANY seed).
@Suite("Simulation and the seeded generator")
struct SimulationTests {
    @Test("xoshiro256** streams equal the Python reference bit for bit")
    func generatorMatchesReference() throws {
        let reference = try FixtureSupport.json("prediction/xoshiro_reference.json")
        let streams = reference["streams"] as? [[String: Any]] ?? []
        #expect(streams.count == 4)
        for stream in streams {
            let seed = try #require(UInt64(stream["seed"] as? String ?? ""))
            var generator = SeededGenerator(seed: seed)
            let expected = (stream["next"] as? [String] ?? []).compactMap { UInt64($0) }
            #expect(expected.count == 10)
            for value in expected { #expect(generator.next() == value) }
            var uniforms = SeededGenerator(seed: seed)
            let hex = stream["uniform_hex"] as? [String] ?? []
            #expect(hex.count == 10)
            for text in hex { #expect(uniforms.nextUniform() == Double(text)) }
        }
    }

    @Test("portableLog agrees with the platform log to 4 ulps")
    func portableLog() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<100_000 {
            let x = generator.nextUniform() * 2 + 1e-300
            let ours = SeededGenerator.portableLog(x)
            let platform = Foundation.log(x)
            #expect(abs(ours - platform) <= 4 * platform.ulp, "\(x)")
        }
        #expect(SeededGenerator.portableLog(1) == 0)
        #expect(SeededGenerator.portableLog(0) == -.infinity)
    }

    @Test("normal variates have mean 0 and variance 1 (5 standard errors, N = 400000)")
    func normalMoments() {
        var generator = SeededGenerator(seed: 2024)
        let count = 400_000
        var sum = 0.0, squares = 0.0, fourth = 0.0
        for _ in 0..<count {
            let z = generator.nextNormal()
            sum += z; squares += z * z; fourth += z * z * z * z
        }
        let n = Double(count)
        #expect(abs(sum / n) < 5 / n.squareRoot())
        #expect(abs(squares / n - 1) < 5 * (2 / n).squareRoot())
        #expect(abs(fourth / n - 3) < 5 * (96 / n).squareRoot())  // Var(z^4) = 105 - 9 = 96
    }

    @Test("simulate is reproducible for a seed and differs between seeds")
    func reproducible() throws {
        let (_, _, fit) = try PredictionSupport.load("prediction/sleepstudy_weighted_reml.json")
        let first = try fit.simulate(seed: 11)
        #expect(first == (try fit.simulate(seed: 11)))
        #expect(first != (try fit.simulate(seed: 12)))
        #expect(first.count == fit.observationCount && first.allSatisfy(\.isFinite))
        let newData = try DataTable(csv: "Days,Subject\n1,308\n2,NEW\n3,NEW\n,308\n")
        let simulated = try fit.simulate(seed: 3, newData: newData)
        #expect(simulated.count == 4 && simulated[0].isFinite && simulated[2].isFinite && simulated[3].isNaN)
        #expect(simulated.map(\.bitPattern) == (try fit.simulate(seed: 3, newData: newData)).map(\.bitPattern))
    }

    @Test("simulated responses have mean X beta and covariance Z Psi Z' + sigma^2/w (5 standard errors)")
    func moments() throws {
        let (_, _, fit) = try PredictionSupport.load("prediction/sleepstudy_weighted_reml.json")
        let rows = NewDataDesign(fitted: fit.model.design)
        let weights = fit.model.design.weights
        var generator = SeededGenerator(seed: 99)
        let replicates = 4000
        let watched = [0, 1, 9, 10]  // rows 0, 1, 9 share Subject 308; row 10 is Subject 309
        var sums = [Double](repeating: 0, count: watched.count)
        var products = [[Double]](repeating: [Double](repeating: 0, count: watched.count), count: watched.count)
        for _ in 0..<replicates {
            let y = fit.simulate(rows: rows, weights: weights, generator: &generator)
            for (a, i) in watched.enumerated() {
                sums[a] += y[i]
                for (b, j) in watched.enumerated() { products[a][b] += y[i] * y[j] }
            }
        }
        let n = Double(replicates)
        let means = fit.fitted(conditional: false)
        let variance = fit.sigma * fit.sigma
        func covariance(_ i: Int, _ j: Int) -> Double {
            let zi = fit.sphericalRow(rows, row: i, knownLevelsOnly: true)
            let zj = fit.sphericalRow(rows, row: j, knownLevelsOnly: true)
            var value = 0.0
            for (a, b) in zip(zi, zj) where a.level == b.level {
                for index in a.values.indices { value += a.values[index] * b.values[index] }
            }
            value *= variance
            if i == j { value += variance / (weights?[i] ?? 1) }
            return value
        }
        for (a, i) in watched.enumerated() {
            let mean = sums[a] / n
            let sd = covariance(i, i).squareRoot()
            #expect(abs(mean - means[i]) < 5 * sd / n.squareRoot(), "mean of row \(i)")
            for (b, j) in watched.enumerated() where b >= a {
                let sample = products[a][b] / n - mean * sums[b] / n
                let expected = covariance(i, j)
                // SE of a sample covariance: sqrt((s_ii s_jj + s_ij^2) / n) for normal data.
                let standardError = ((covariance(i, i) * covariance(j, j) + expected * expected) / n).squareRoot()
                #expect(abs(sample - expected) < 5 * standardError, "cov(\(i), \(j)): \(sample) vs \(expected)")
            }
        }
        #expect(covariance(0, 10) == 0)
    }
}
