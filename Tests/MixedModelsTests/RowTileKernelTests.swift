@testable import MixedModels
import Testing

/// The 1 × 2 row-tile update of L_i0 (a scalar term after a first term with two columns):
/// the written-out kernel, on one thread and split across the cores, gives bit for bit the
/// general loop's tiles.
struct RowTileKernelTests {
    @Test("the 1 × 2 kernel equals the general loop, serial and split")
    func pairKernelMatchesGeneralLoop() {
        var generator = SeededGenerator(seed: 11)
        let levels = 400
        let rowLevels = (0..<6_000).map { _ in Int32(Int.random(in: 0..<90, using: &generator)) }
        let columnLevels = (0..<6_000).map { index in Int32(index % levels) }
        var source = BlockSparseMatrix(tileRows: 1, tileColumns: 2, tileRowCount: 90, tileColumnCount: levels,
                                       rowLevels: rowLevels, columnLevels: columnLevels)
        for index in source.values.indices { source.values[index] = Double.random(in: -3...3, using: &generator) }
        var factor = BlockDiagonalMatrix(blockSize: 2, blockCount: levels)
        for level in 0..<levels {
            factor[level, 0, 0] = Double.random(in: 0.5...2, using: &generator)
            factor[level, 1, 0] = Double.random(in: -1...1, using: &generator)
            factor[level, 1, 1] = Double.random(in: 0.5...2, using: &generator)
        }
        let firstLambda = [0.9, -0.3, 0, 0.45]
        var general = source
        BlockedCholeskyFactor.updateRowTiles(&general, source: source, lambda: 0.7, firstLambda: firstLambda,
                                             firstFactor: factor, general: true)
        var serial = source
        BlockedCholeskyFactor.updateRowTiles(&serial, source: source, lambda: 0.7, firstLambda: firstLambda,
                                             firstFactor: factor)
        var split = source
        BlockedCholeskyFactor.updateRowTiles(&split, source: source, lambda: 0.7, firstLambda: firstLambda,
                                             firstFactor: factor, tileThreshold: 0)
        #expect(general.values != source.values)
        #expect(serial.values == general.values)
        #expect(split.values == general.values)
    }
}
