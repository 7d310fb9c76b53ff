import SparseCholesky

/// The θ-independent pattern of the later ("trailing") terms' part of L, read off the cross
/// products: after the first term is eliminated, the trailing block is
///
///     M(θ) = Λ_Tᵀ A_TT Λ_T + I − L_T0 L_T0ᵀ
///
/// whose pattern is the union of A_TT's (each level's own s×s block, and the tiles of pairs of
/// levels of two trailing terms that share an observation) and, for every level of the first
/// term, the clique of trailing levels it meets (the tiles of its column of L_T0).
///
/// Trailing levels are the *nodes* of this pattern (s_k scalar rows each); nodes and scalars are
/// numbered term by term, level by level, as the trailing columns of Z are.
struct TrailingPattern: Sendable {
    /// Per term, the offset of its first scalar in the trailing dimension (index 0, the first
    /// term, is unused and 0).
    let scalarOffsets: [Int]
    /// Per term, the offset of its first node (index 0 unused and 0).
    let nodeOffsets: [Int]
    /// q' = Σ_{k ≥ 1} ℓ_k s_k.
    let dimension: Int
    /// Σ_{k ≥ 1} ℓ_k.
    let nodeCount: Int
    /// s_k of the term that owns each node.
    let nodeSizes: [Int32]
    /// The term (k ≥ 1) that owns each node.
    let nodeTerms: [Int32]
    /// Per level of the first term, its clique: members `cliqueStarts[c] ..< cliqueStarts[c + 1]`.
    let cliqueStarts: [Int]
    /// Each clique member's term (k ≥ 1).
    let memberTerms: [Int32]
    /// Each clique member's tile in the term's block of L_T0 (`firstColumn[k − 1]`).
    let memberTiles: [Int32]
    /// Each clique member's node.
    let memberNodes: [Int32]
    /// Tiles of A_TT between two different trailing terms i > k that are not structurally zero.
    let pairTiles: [PairTile]
    /// Σ over cliques of (scalar size)²: the work of forming the pattern, and of one downdate.
    let cliqueWork: Int

    /// A structurally non-zero tile of A[i, k] between trailing terms i > k ≥ 1.
    struct PairTile: Sendable {
        let rowTerm: Int32
        let columnTerm: Int32
        let rowLevel: Int32
        let columnLevel: Int32
        /// The tile's position in `trailingPairs[rowTerm][columnTerm]`.
        let tile: Int32
    }

    init(crossProducts a: CrossProducts, sizes: [Int]) {
        let termCount = sizes.count
        var scalarOffsets = [Int](repeating: 0, count: max(termCount, 1))
        var nodeOffsets = [Int](repeating: 0, count: max(termCount, 1))
        var dimension = 0
        var nodes = 0
        var nodeSizes: [Int32] = []
        var nodeTerms: [Int32] = []
        for k in 1..<max(termCount, 1) {
            scalarOffsets[k] = dimension
            nodeOffsets[k] = nodes
            let levels = a.diagonal[k].blockCount
            dimension += levels * sizes[k]
            nodes += levels
            nodeSizes.append(contentsOf: repeatElement(Int32(sizes[k]), count: levels))
            nodeTerms.append(contentsOf: repeatElement(Int32(k), count: levels))
        }
        self.scalarOffsets = scalarOffsets
        self.nodeOffsets = nodeOffsets
        self.dimension = dimension
        self.nodeCount = nodes
        self.nodeSizes = nodeSizes
        self.nodeTerms = nodeTerms

        let firstLevels = termCount > 0 ? a.diagonal[0].blockCount : 0
        var starts = [Int](repeating: 0, count: firstLevels + 1)
        var terms: [Int32] = []
        var tiles: [Int32] = []
        var memberNodes: [Int32] = []
        var work = 0
        for column in 0..<firstLevels {
            var scalars = 0
            for k in 1..<max(termCount, 1) {
                let block = a.firstColumn[k - 1]
                for tile in block.columnStarts[column]..<block.columnStarts[column + 1] {
                    terms.append(Int32(k))
                    tiles.append(Int32(tile))
                    memberNodes.append(Int32(nodeOffsets[k]) + block.tileRowIndices[tile])
                    scalars += sizes[k]
                }
            }
            work += scalars * scalars
            starts[column + 1] = terms.count
        }
        self.cliqueStarts = starts
        self.memberTerms = terms
        self.memberTiles = tiles
        self.memberNodes = memberNodes
        self.cliqueWork = work

        var pairs: [PairTile] = []
        for i in 1..<max(termCount, 1) {
            for k in 1..<i {
                let block = a.trailingPairs[i][k]
                for columnLevel in 0..<block.tileColumnCount {
                    for tile in block.columnStarts[columnLevel]..<block.columnStarts[columnLevel + 1] {
                        pairs.append(PairTile(rowTerm: Int32(i), columnTerm: Int32(k), rowLevel: block.tileRowIndices[tile],
                                              columnLevel: Int32(columnLevel), tile: Int32(tile)))
                    }
                }
            }
        }
        self.pairTiles = pairs
    }

    /// The node-level pattern (lower triangle, diagonal included) of M (`nil` only if the
    /// cross products were inconsistent).
    /// - Complexity: O(``cliqueWork`` + nodes + pair tiles).
    func nodePattern() -> SymmetricPattern? {
        // Which cliques each node belongs to (the transposed incidence).
        var counts = [Int](repeating: 0, count: nodeCount + 1)
        for node in memberNodes { counts[Int(node) + 1] += 1 }
        for index in 0..<nodeCount { counts[index + 1] += counts[index] }
        var cliquesOfNode = [Int32](repeating: 0, count: memberNodes.count)
        var fill = counts
        let cliqueCount = cliqueStarts.count - 1
        for clique in 0..<max(cliqueCount, 0) {
            for member in cliqueStarts[clique]..<cliqueStarts[clique + 1] {
                let node = Int(memberNodes[member])
                cliquesOfNode[fill[node]] = Int32(clique)
                fill[node] += 1
            }
        }
        // Pair tiles as extra edges, listed at their lower node (rows > column).
        var extraCounts = [Int](repeating: 0, count: nodeCount + 1)
        var edges: [(Int32, Int32)] = pairTiles.map { tile in
            let row = Int32(nodeOffsets[Int(tile.rowTerm)]) + tile.rowLevel
            let column = Int32(nodeOffsets[Int(tile.columnTerm)]) + tile.columnLevel
            return row > column ? (column, row) : (row, column)
        }
        edges.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for edge in edges { extraCounts[Int(edge.0) + 1] += 1 }
        for index in 0..<nodeCount { extraCounts[index + 1] += extraCounts[index] }

        var marker = [Int32](repeating: -1, count: nodeCount)
        var columnStarts = [Int](repeating: 0, count: nodeCount + 1)
        var rows: [Int32] = []
        rows.reserveCapacity(nodeCount * 2)
        var scratch: [Int32] = []
        for node in 0..<nodeCount {
            scratch.removeAll(keepingCapacity: true)
            marker[node] = Int32(node)
            scratch.append(Int32(node))
            for position in counts[node]..<counts[node + 1] {
                let clique = Int(cliquesOfNode[position])
                for member in cliqueStarts[clique]..<cliqueStarts[clique + 1] {
                    let other = memberNodes[member]
                    if other > node && marker[Int(other)] != Int32(node) {
                        marker[Int(other)] = Int32(node)
                        scratch.append(other)
                    }
                }
            }
            for position in extraCounts[node]..<extraCounts[node + 1] {
                let other = edges[position].1
                if marker[Int(other)] != Int32(node) {
                    marker[Int(other)] = Int32(node)
                    scratch.append(other)
                }
            }
            scratch.sort()
            rows.append(contentsOf: scratch)
            columnStarts[node + 1] = rows.count
        }
        return try? SymmetricPattern(dimension: nodeCount, columnStarts: columnStarts, rowIndices: rows)
    }

    /// The first scalar (trailing index) of each node.
    func nodeScalarStarts() -> [Int] {
        var starts = [Int](repeating: 0, count: nodeCount + 1)
        for node in 0..<nodeCount { starts[node + 1] = starts[node] + Int(nodeSizes[node]) }
        return starts
    }

    /// The scalar pattern of M (lower triangle) from the node pattern: every node is a dense
    /// s×s block, every node edge a dense block.
    func scalarPattern(from nodes: SymmetricPattern) -> SymmetricPattern? {
        let starts = nodeScalarStarts()
        var columnStarts = [Int](repeating: 0, count: dimension + 1)
        var rows: [Int32] = []
        var column = 0
        for node in 0..<nodeCount {
            let size = Int(nodeSizes[node])
            let neighbours = nodes.columnStarts[node]..<nodes.columnStarts[node + 1]
            for a in 0..<size {
                for position in neighbours {
                    let other = Int(nodes.rowIndices[position])
                    if other == node {
                        for b in a..<size { rows.append(Int32(starts[node] + b)) }
                    } else {
                        for b in 0..<Int(nodeSizes[other]) { rows.append(Int32(starts[other] + b)) }
                    }
                }
                column += 1
                columnStarts[column] = rows.count
            }
        }
        return try? SymmetricPattern(dimension: dimension, columnStarts: columnStarts, rowIndices: rows)
    }

    /// The scalar ordering that keeps each node's scalars together, from a node ordering
    /// (`nodeOrder[k]` = the node eliminated k-th).
    func scalarOrdering(fromNodeOrdering nodeOrder: [Int32]) -> [Int32] {
        let starts = nodeScalarStarts()
        var order: [Int32] = []
        order.reserveCapacity(dimension)
        for node in nodeOrder {
            for scalar in starts[Int(node)]..<starts[Int(node) + 1] { order.append(Int32(scalar)) }
        }
        return order
    }
}
