import Foundation
import Testing
@testable import MixedModels

/// The blocked factor against dense reference computations: L Lᵀ must rebuild
/// [Λᵀ Zᵀ W Z Λ + I, Λᵀ Zᵀ W X, Λᵀ Zᵀ W y; …] formed densely from the design.
@Suite("Blocked Cholesky factor against dense products")
struct BlockedCholeskyTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let data: String
        let formula: String
        let weights: Bool
        var testDescription: String { "\(data): \(formula)" }
    }

    static let cases: [Case] = [
        .init(data: "Penicillin", formula: "diameter ~ 1 + (1 | plate) + (1 | sample)", weights: false),
        .init(data: "Pastes", formula: "strength ~ 1 + (1 | batch/cask)", weights: false),
        .init(data: "sleepstudy", formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", weights: true),
        // A vector first term with a scalar term crossed with it (the row-tile kernels).
        .init(data: "sleepstudy", formula: "Reaction ~ 1 + Days + (1 + Days | Subject) + (1 | Days)", weights: true),
        .init(data: "Machines", formula: "score ~ Machine + (Machine | Worker) + (1 | Worker:Machine)", weights: false),
        .init(data: "Oats", formula: "yield ~ nitro * Variety + (1 + nitro | Block) + (1 | Variety) + (1 | Block:Variety)", weights: true),
    ]

    /// The dense n × q matrix Z Λ for the design at λ.
    static func denseZLambda(_ design: ModelDesign, lambdas: [[Double]]) -> [[Double]] {
        let n = design.observationCount
        let q = design.randomEffectsTerms.reduce(0) { $0 + $1.randomEffectCount }
        var result = [[Double]](repeating: [Double](repeating: 0, count: q), count: n)
        var offset = 0
        for (k, term) in design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            for row in 0..<n {
                let level = Int(term.levelIndices[row])
                for b in 0..<s {
                    var value = 0.0
                    for a in b..<s { value += term.z[row * s + a] * lambdas[k][b * s + a] }
                    result[row][offset + level * s + b] = value
                }
            }
            offset += term.randomEffectCount
        }
        return result
    }

    /// The dense lower factor assembled from the blocks.
    static func denseFactor(_ factor: BlockedCholeskyFactor, design: ModelDesign) -> [[Double]] {
        let sizes = design.randomEffectsTerms.map(\.randomEffectCount)
        let p = design.fixedEffects.columnCount
        let q = sizes.reduce(0, +)
        let dimension = q + p + 1
        var offsets: [Int] = []
        var running = 0
        for size in sizes { offsets.append(running); running += size }
        var dense = [[Double]](repeating: [Double](repeating: 0, count: dimension), count: dimension)
        let first = factor.first
        for level in 0..<first.blockCount {
            for a in 0..<first.blockSize {
                for b in 0..<first.blockSize { dense[level * first.blockSize + a][level * first.blockSize + b] = first[level, a, b] }
            }
        }
        for i in 1..<max(sizes.count, 1) {
            let sparse = factor.firstColumn[i - 1]
            for column in 0..<sparse.tileColumnCount {
                for tile in sparse.columnStarts[column]..<sparse.columnStarts[column + 1] {
                    let rowLevel = Int(sparse.tileRowIndices[tile])
                    for b in 0..<sparse.tileColumns {
                        for a in 0..<sparse.tileRows {
                            dense[offsets[i] + rowLevel * sparse.tileRows + a][column * sparse.tileColumns + b] =
                                sparse.values[tile * sparse.tileSize + b * sparse.tileRows + a]
                        }
                    }
                }
            }
            for k in 1...i {
                let block = k == i ? factor.diagonal[i] : factor.dense[i][k]
                for row in 0..<block.rowCount {
                    for column in 0..<block.columnCount { dense[offsets[i] + row][offsets[k] + column] = block[row, column] }
                }
            }
        }
        for k in sizes.indices {
            let block = factor.xyZ[k]
            for row in 0...p { for column in 0..<block.columnCount { dense[q + row][offsets[k] + column] = block[row, column] } }
        }
        for row in 0...p { for column in 0...row { dense[q + row][q + column] = factor.xyXy[row, column] } }
        return dense
    }

    @Test("L Lᵀ rebuilds the scaled, inflated cross-product matrix", arguments: cases)
    func rebuildsCrossProducts(_ case_: Case) throws {
        var table = try DataTable.builtIn(case_.data)
        if case_.weights {
            let weights = (0..<table.rowCount).map { 0.5 + Double($0 % 4) * 0.25 }
            table = try DataTable(columnNames: table.columnNames + ["w"],
                                  columns: table.columns + [.numeric(NumericColumn(values: weights))], source: case_.data)
        }
        let model = try LinearMixedModel(formula: case_.formula, data: table,
                                         options: ModelOptions(weightsColumn: case_.weights ? "w" : nil))
        let design = model.design
        // A θ away from the start, with non-zero off-diagonals.
        let theta = model.initialTheta.enumerated().map { index, value in value == 0 ? 0.3 - 0.1 * Double(index % 3) : 0.5 + 0.37 * Double(index) }
        var deviance = model.makeDeviance(method: .ml)
        #expect(deviance.evaluate(theta).isFinite)
        let factor = deviance.factor
        let lower = Self.denseFactor(factor, design: design)
        let n = design.observationCount
        let p = design.fixedEffects.columnCount
        let zLambda = Self.denseZLambda(design, lambdas: factor.lambdas)
        let q = zLambda.first?.count ?? 0
        let weights = design.weights ?? [Double](repeating: 1, count: n)
        // Rows of [ZΛ X y].
        let rows: [[Double]] = (0..<n).map { row in zLambda[row] + (0..<p).map { design.fixedEffects[row, $0] } + [design.response[row]] }
        let dimension = q + p + 1
        var maxError = 0.0
        var scale = 0.0
        for a in 0..<dimension {
            for b in 0...a {
                var expected = 0.0
                for row in 0..<n { expected += weights[row] * rows[row][a] * rows[row][b] }
                if a == b && a < q { expected += 1 }
                var actual = 0.0
                for m in 0...b { actual += lower[a][m] * lower[b][m] }
                maxError = max(maxError, abs(actual - expected))
                scale = max(scale, abs(expected))
            }
        }
        #expect(maxError <= 1e-10 * scale, "max |LLᵀ − M| = \(maxError) at scale \(scale)")
        // Structurally upper entries are zero.
        for a in 0..<dimension { for b in (a + 1)..<max(dimension, a + 1) { #expect(lower[a][b] == 0) } }
    }
}
