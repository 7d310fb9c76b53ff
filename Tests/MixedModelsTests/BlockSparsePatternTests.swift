import Testing
@testable import MixedModels

/// The tile pattern of a ``BlockSparseMatrix`` built from level pairs by a counting sort, against
/// the pattern written out directly: per tile column, the distinct tile rows in increasing order,
/// and each observation's tile.
@Suite("Block-sparse pattern from observations")
struct BlockSparsePatternTests {
    @Test("small and large buckets (insertion sort and sort), repeated pairs, empty columns",
          arguments: [(200, 40, 3), (50, 400, 90), (7, 3, 1)])
    func matchesDirectPattern(columns: Int, rows: Int, perColumn: Int) throws {
        var generator = SeededGenerator(seed: UInt64(columns * 31 + rows))
        var rowLevels: [Int32] = []
        var columnLevels: [Int32] = []
        for column in 0..<columns where column % 5 != 3 {
            // Some columns with many observations (past the insertion-sort bound of 32).
            let count = column % 7 == 0 ? perColumn * 20 : perColumn
            for _ in 0..<count {
                rowLevels.append(Int32(Int(generator.nextUniform() * Double(rows)) % rows))
                columnLevels.append(Int32(column))
            }
        }
        // Shuffle the observations so that buckets are filled out of order.
        for index in stride(from: rowLevels.count - 1, to: 0, by: -1) {
            let other = Int(generator.nextUniform() * Double(index + 1)) % (index + 1)
            rowLevels.swapAt(index, other)
            columnLevels.swapAt(index, other)
        }
        let built = BlockSparseMatrix.fromObservations(tileRows: 2, tileColumns: 1, tileRowCount: rows,
                                                       tileColumnCount: columns, rowLevels: rowLevels,
                                                       columnLevels: columnLevels)
        var expectedStarts = [0]
        var expectedRows: [Int32] = []
        for column in 0..<columns {
            let present = Set(zip(rowLevels, columnLevels).filter { $0.1 == Int32(column) }.map(\.0))
            expectedRows.append(contentsOf: present.sorted())
            expectedStarts.append(expectedRows.count)
        }
        #expect(built.matrix.columnStarts == expectedStarts)
        #expect(built.matrix.tileRowIndices == expectedRows)
        #expect(built.matrix.values.count == expectedRows.count * 2)
        var tilesMatch = built.observationTiles.count == rowLevels.count
        for (observation, tile) in built.observationTiles.enumerated() where tilesMatch {
            let lookedUp = built.matrix.tileIndex(row: rowLevels[observation], column: Int(columnLevels[observation]))
            tilesMatch = lookedUp == Int(tile)
        }
        #expect(tilesMatch)
    }
}
