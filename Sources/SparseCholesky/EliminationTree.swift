/// The elimination tree of a symmetric pattern and the quantities derived from it: a
/// postorder and the column counts of the Cholesky factor L (diagonal included).
///
/// `parent[j]` is the row of the first off-diagonal nonzero of column j of L, or -1 for a root.
public struct EliminationTree: Sendable {
    /// Parent of each column, -1 for roots.
    public let parent: [Int32]

    /// The elimination tree of `pattern` (Liu's algorithm with path compression; O(nnz·α)).
    public init(_ pattern: SymmetricPattern) {
        let n = pattern.dimension
        let rows = RowLists(pattern)
        var parent = [Int32](repeating: -1, count: n)
        var ancestor = [Int32](repeating: -1, count: n)
        for k in 0..<n {
            for position in rows.starts[k]..<rows.starts[k + 1] {
                var i = Int(rows.columns[position])
                // Walk from i to the root of its current subtree, compressing the path to k.
                while i != -1 && i < k {
                    let next = Int(ancestor[i])
                    ancestor[i] = Int32(k)
                    if next == -1 {
                        parent[i] = Int32(k)
                        break
                    }
                    i = next
                }
            }
        }
        self.parent = parent
    }

    /// A postorder of the tree: `result[k]` is the k-th node visited, children in ascending
    /// order before their parent (so every subtree is a contiguous range ending at its root).
    public func postorder() -> [Int32] {
        let n = parent.count
        var firstChild = [Int32](repeating: -1, count: n)
        var nextSibling = [Int32](repeating: -1, count: n)
        // Insert children in descending order so each child list comes out ascending.
        for j in stride(from: n - 1, through: 0, by: -1) where parent[j] >= 0 {
            let p = Int(parent[j])
            nextSibling[j] = firstChild[p]
            firstChild[p] = Int32(j)
        }
        var order = [Int32]()
        order.reserveCapacity(n)
        var stack = [Int32]()
        for root in 0..<n where parent[root] < 0 {
            stack.append(Int32(root))
            while let top = stack.last {
                let child = firstChild[Int(top)]
                if child >= 0 {
                    // Detach the child so the node is finished once its list is empty.
                    firstChild[Int(top)] = nextSibling[Int(child)]
                    stack.append(child)
                } else {
                    order.append(top)
                    stack.removeLast()
                }
            }
        }
        return order
    }

    /// The number of nonzeros in each column of L, diagonal included, found by traversing the
    /// row subtrees (O(nnz(L))). `pattern` must be the pattern the tree was built from; an empty
    /// array is returned when its dimension differs.
    public func columnCounts(_ pattern: SymmetricPattern) -> [Int] {
        let n = pattern.dimension
        guard n == parent.count else { return [] }
        let rows = RowLists(pattern)
        var counts = [Int](repeating: 1, count: n)
        var mark = [Int32](repeating: -1, count: n)
        parent.withUnsafeBufferPointer { parent in
            counts.withUnsafeMutableBufferPointer { counts in
                mark.withUnsafeMutableBufferPointer { mark in
                    for k in 0..<n {
                        mark[k] = Int32(k)
                        for position in rows.starts[k]..<rows.starts[k + 1] {
                            var i = Int(rows.columns[position])
                            while i >= 0 && mark[i] != Int32(k) {
                                mark[i] = Int32(k)
                                counts[i] += 1
                                i = Int(parent[i])
                            }
                        }
                    }
                }
            }
        }
        return counts
    }
}

/// The strictly lower part of a pattern stored by rows: row k lists the columns j < k.
struct RowLists {
    var starts: [Int]
    var columns: [Int32]

    init(_ pattern: SymmetricPattern) {
        let n = pattern.dimension
        var starts = [Int](repeating: 0, count: n + 1)
        for column in 0..<n {
            for position in (pattern.columnStarts[column] + 1)..<pattern.columnStarts[column + 1] {
                starts[Int(pattern.rowIndices[position]) + 1] += 1
            }
        }
        for i in 0..<n { starts[i + 1] += starts[i] }
        var columns = [Int32](repeating: 0, count: starts[n])
        var fill = starts
        for column in 0..<n {
            for position in (pattern.columnStarts[column] + 1)..<pattern.columnStarts[column + 1] {
                let row = Int(pattern.rowIndices[position])
                columns[fill[row]] = Int32(column)
                fill[row] += 1
            }
        }
        self.starts = starts
        self.columns = columns
    }
}
