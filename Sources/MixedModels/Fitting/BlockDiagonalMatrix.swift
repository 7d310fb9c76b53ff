/// A block-diagonal matrix of ℓ dense s×s blocks: the diagonal block of A (and of L) for a
/// random-effects term, since each observation belongs to exactly one level of the term.
/// With s = 1 it is a diagonal matrix.
struct BlockDiagonalMatrix: Sendable, Equatable {
    /// s, the size of each block.
    let blockSize: Int
    /// ℓ, the number of blocks.
    let blockCount: Int
    /// Blocks one after another, each column-major s×s.
    var values: [Double]

    init(blockSize: Int, blockCount: Int) {
        self.blockSize = blockSize
        self.blockCount = blockCount
        self.values = [Double](repeating: 0, count: blockSize * blockSize * blockCount)
    }

    /// The dimension ℓ s.
    var dimension: Int { blockSize * blockCount }

    /// Entry (row, column) of block `block`.
    subscript(block: Int, row: Int, column: Int) -> Double {
        get { values[block * blockSize * blockSize + column * blockSize + row] }
        set { values[block * blockSize * blockSize + column * blockSize + row] = newValue }
    }
}
