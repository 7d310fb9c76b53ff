import Testing
@testable import MixedModels

/// The column-by-column (Gustavson) downdate of the trailing blocks against the straightforward
/// tile-pair loop it replaced, on random patterns: scalar, 1×2 and 2×2 tiles, symmetric and
/// not, serial and split across threads.
@Suite("Trailing-block downdate against the tile-pair loop")
struct TrailingDowndateTests {
    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in [0, bound).
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        /// Uniform in [0.5, 1.5) with a random sign: never zero.
        mutating func value() -> Double {
            let magnitude = 0.5 + Double(next() >> 11) / Double(1 << 53)
            return next() & 1 == 0 ? magnitude : -magnitude
        }
    }

    /// A random tile matrix: `perColumn` observations per tile column on random tile rows.
    static func randomMatrix(tileRows: Int, tileColumns: Int, tileRowCount: Int, tileColumnCount: Int,
                             perColumn: Int, random: inout Random) -> BlockSparseMatrix {
        var rows: [Int32] = []
        var columns: [Int32] = []
        for column in 0..<tileColumnCount {
            for _ in 0..<perColumn {
                rows.append(Int32(random.below(tileRowCount)))
                columns.append(Int32(column))
            }
        }
        var matrix = BlockSparseMatrix(tileRows: tileRows, tileColumns: tileColumns, tileRowCount: tileRowCount,
                                       tileColumnCount: tileColumnCount, rowLevels: rows, columnLevels: columns)
        for index in matrix.values.indices { matrix.values[index] = random.value() }
        return matrix
    }

    /// The loop the downdate replaced: for each tile column, each pair of its tiles.
    static func reference(_ target: inout [Double], stride: Int, left: BlockSparseMatrix, right: BlockSparseMatrix,
                          symmetric: Bool) {
        let leftSize = left.tileRows
        let rightSize = right.tileRows
        let inner = left.tileColumns
        for column in 0..<left.tileColumnCount {
            for leftIndex in left.columnStarts[column]..<left.columnStarts[column + 1] {
                let leftRow = Int(left.tileRowIndices[leftIndex])
                for rightIndex in right.columnStarts[column]..<right.columnStarts[column + 1] {
                    let rightRow = Int(right.tileRowIndices[rightIndex])
                    if symmetric && rightRow > leftRow { break }
                    for b in 0..<rightSize {
                        let first = symmetric && rightRow == leftRow ? b : 0
                        guard first < leftSize else { continue }
                        for m in 0..<inner {
                            let factor = right.values[rightIndex * right.tileSize + m * rightSize + b]
                            if factor == 0 { continue }
                            for a in first..<leftSize {
                                target[(rightRow * rightSize + b) * stride + leftRow * leftSize + a] -=
                                    left.values[leftIndex * left.tileSize + m * leftSize + a] * factor
                            }
                        }
                    }
                }
            }
        }
    }

    /// The new downdate on a copy of `start`.
    static func downdate(_ start: [Double], stride: Int, left: BlockSparseMatrix, right: BlockSparseMatrix,
                         symmetric: Bool, parallel: Bool, panelDoubles: Int = TrailingDowndate.panelDoubles) -> [Double] {
        var target = start
        target.withUnsafeMutableBufferPointer { t in
            left.values.withUnsafeBufferPointer { l in
                right.values.withUnsafeBufferPointer { r in
                    guard let tp = t.baseAddress, let lp = l.baseAddress, let rp = r.baseAddress else { return }
                    TrailingDowndate.subtractSparseProducts(tp, stride: stride, left: left, leftTiles: lp,
                                                            right: right, rightTiles: rp,
                                                            symmetric: symmetric, parallel: parallel, panelDoubles: panelDoubles)
                }
            }
        }
        return target
    }

    struct Shape: Sendable, CustomTestStringConvertible {
        let leftRows: Int
        let rightRows: Int
        let inner: Int
        let symmetric: Bool
        /// Tile columns and observations per column.
        let columns: Int
        let perColumn: Int
        /// Levels of the left and right terms (random when nil); over ~300 the target spans
        /// several panels.
        var levels: (left: Int, right: Int)? = nil
        var testDescription: String {
            "\(symmetric ? "symmetric" : "general") \(leftRows)×\(inner) by \(rightRows)×\(inner), \(columns) columns × \(perColumn)"
        }
    }

    static let shapes: [Shape] = [
        .init(leftRows: 1, rightRows: 1, inner: 1, symmetric: true, columns: 300, perColumn: 12),
        .init(leftRows: 1, rightRows: 1, inner: 2, symmetric: true, columns: 300, perColumn: 12),
        .init(leftRows: 2, rightRows: 2, inner: 2, symmetric: true, columns: 300, perColumn: 12),
        .init(leftRows: 2, rightRows: 2, inner: 1, symmetric: true, columns: 200, perColumn: 9),
        .init(leftRows: 1, rightRows: 1, inner: 1, symmetric: false, columns: 300, perColumn: 12),
        .init(leftRows: 1, rightRows: 1, inner: 2, symmetric: false, columns: 300, perColumn: 12),
        .init(leftRows: 2, rightRows: 1, inner: 2, symmetric: false, columns: 200, perColumn: 9),
        .init(leftRows: 1, rightRows: 2, inner: 2, symmetric: false, columns: 200, perColumn: 9),
        .init(leftRows: 3, rightRows: 2, inner: 2, symmetric: false, columns: 150, perColumn: 7),
        .init(leftRows: 1, rightRows: 1, inner: 1, symmetric: true, columns: 4000, perColumn: 20),
        .init(leftRows: 1, rightRows: 1, inner: 2, symmetric: true, columns: 4000, perColumn: 20),
        .init(leftRows: 1, rightRows: 1, inner: 2, symmetric: false, columns: 4000, perColumn: 20),
        .init(leftRows: 2, rightRows: 2, inner: 2, symmetric: true, columns: 3000, perColumn: 20),
        // Above TrailingDowndate.parallelThreshold (2 million tile pairs): split across threads.
        .init(leftRows: 1, rightRows: 1, inner: 2, symmetric: true, columns: 16000, perColumn: 25, levels: (1500, 1500)),
        .init(leftRows: 1, rightRows: 1, inner: 1, symmetric: false, columns: 8000, perColumn: 25, levels: (1200, 900)),
        .init(leftRows: 2, rightRows: 1, inner: 2, symmetric: false, columns: 1000, perColumn: 15, levels: (700, 800)),
    ]

    /// Equal, bit for bit, to the old loop (same terms in the same order; the values are never
    /// zero, so the old loop's skip of zero factors changes nothing), with and without threads.
    @Test(arguments: shapes)
    func matchesTheTilePairLoop(_ shape: Shape) {
        var random = Random(state: UInt64(shape.leftRows * 100 + shape.rightRows * 10 + shape.inner + shape.columns))
        let leftLevels = shape.levels?.left ?? 60 + random.below(40)
        let rightLevels = shape.symmetric ? leftLevels : shape.levels?.right ?? 50 + random.below(40)
        let left = Self.randomMatrix(tileRows: shape.leftRows, tileColumns: shape.inner, tileRowCount: leftLevels,
                                     tileColumnCount: shape.columns, perColumn: shape.perColumn, random: &random)
        let right = shape.symmetric
            ? left
            : Self.randomMatrix(tileRows: shape.rightRows, tileColumns: shape.inner, tileRowCount: rightLevels,
                                tileColumnCount: shape.columns, perColumn: shape.perColumn, random: &random)
        let stride = leftLevels * shape.leftRows
        let start = (0..<(stride * rightLevels * right.tileRows)).map { _ in random.value() }
        var expected = start
        Self.reference(&expected, stride: stride, left: left, right: right, symmetric: shape.symmetric)
        let serial = Self.downdate(start, stride: stride, left: left, right: right, symmetric: shape.symmetric, parallel: false)
        let threaded = Self.downdate(start, stride: stride, left: left, right: right, symmetric: shape.symmetric, parallel: true)
        #expect(serial == expected)
        #expect(threaded == expected)
        // Narrow panels (many per chunk), one column block per panel, one panel for all.
        for panelDoubles in [1, 4 * stride, 1 << 30] {
            let result = Self.downdate(start, stride: stride, left: left, right: right, symmetric: shape.symmetric,
                                       parallel: true, panelDoubles: panelDoubles)
            #expect(result == expected, "panels of \(panelDoubles) doubles")
        }
    }

    /// The work count per tile row is the number of tile pairs of the symmetric downdate.
    @Test func lowerWorkCountsTilePairs() {
        var random = Random(state: 7)
        let matrix = Self.randomMatrix(tileRows: 1, tileColumns: 2, tileRowCount: 40, tileColumnCount: 70,
                                       perColumn: 5, random: &random)
        var expected = [Int](repeating: 0, count: 41)
        for column in 0..<70 {
            for tile in matrix.columnStarts[column]..<matrix.columnStarts[column + 1] {
                let row = Int(matrix.tileRowIndices[tile])
                for other in tile..<matrix.columnStarts[column + 1] where matrix.tileRowIndices[other] >= row {
                    expected[row + 1] += 1
                }
            }
        }
        for row in 0..<40 { expected[row + 1] += expected[row] }
        #expect(matrix.rowPattern.lowerWork == expected)
    }
}
