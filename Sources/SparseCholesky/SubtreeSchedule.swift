/// A split of the supernodal elimination tree for a factorisation on two threads: two groups of
/// disjoint subtrees with about equal work, factorised side by side, and the supernodes above
/// them, factorised after both.
///
/// A left-looking supernode reads only its descendants, so a subtree can be factorised as soon
/// as its own descendants are, whichever thread does it; each supernode's arithmetic is the same
/// in any schedule, so the factor is bit-identical to the one-thread factor.
public struct SubtreeSchedule: Sendable {
    /// The supernodes of each thread's subtrees, in increasing order (children before parents).
    public let parts: [[Int32]]
    /// The supernodes above the subtrees, in increasing order.
    public let top: [Int32]
    /// The estimated share of the work done in `parts`.
    public let parallelFraction: Double

    /// The schedule for `structure`, or `nil` when the tree does not split into two parts that
    /// each carry at least a fifth of the work.
    public init?(structure s: SupernodalStructure) {
        let count = s.supernodeCount
        guard count > 1 else { return nil }
        var work = [Double](repeating: 0, count: count)
        for target in 0..<count {
            let width = Double(s.supernodeStarts[target + 1] - s.supernodeStarts[target])
            let leading = Double(s.rowStarts[target + 1] - s.rowStarts[target])
            var cost = width * width * leading
            for update in s.updateStarts[target]..<s.updateStarts[target + 1] {
                let source = Int(s.updateSources[update])
                let sourceWidth = Double(s.supernodeStarts[source + 1] - s.supernodeStarts[source])
                let sourceLeading = s.rowStarts[source + 1] - s.rowStarts[source]
                let remaining = Double(sourceLeading - Int(s.updateRowPositions[update]))
                cost += 2 * Double(s.updateRowCounts[update]) * remaining * sourceWidth
            }
            work[target] = cost
        }
        var subtree = work
        var children = [[Int]](repeating: [], count: count)
        var candidates = [Int]()
        for node in 0..<count {
            let parent = Int(s.supernodeParent[node])
            if parent >= 0 {
                subtree[parent] += subtree[node]
                children[parent].append(node)
            } else {
                candidates.append(node)
            }
        }
        let total = work.reduce(0, +)
        guard total > 0 else { return nil }
        var isTop = [Bool](repeating: false, count: count)
        var bins = Self.assign(candidates, weights: subtree)
        // Open the heaviest subtree until the two groups balance (or nothing is left to open).
        for _ in 0..<256 {
            let heavier = max(bins.loads[0], bins.loads[1])
            if heavier <= 0.55 * (bins.loads[0] + bins.loads[1]) { break }
            guard let heaviest = candidates.indices.max(by: { subtree[candidates[$0]] < subtree[candidates[$1]] }),
                  !children[candidates[heaviest]].isEmpty else { break }
            let opened = candidates.remove(at: heaviest)
            isTop[opened] = true
            candidates.append(contentsOf: children[opened])
            bins = Self.assign(candidates, weights: subtree)
        }
        guard min(bins.loads[0], bins.loads[1]) >= 0.2 * total else { return nil }
        // Owner of each supernode: its subtree's group, or the top (-1). Parents come after
        // their children, so a descending pass meets every parent first.
        var owner = [Int](repeating: -1, count: count)
        for (index, root) in candidates.enumerated() { owner[root] = bins.groups[index] }
        for node in stride(from: count - 1, through: 0, by: -1) where !isTop[node] && owner[node] < 0 {
            let parent = Int(s.supernodeParent[node])
            if parent >= 0 { owner[node] = owner[parent] }
        }
        var parts: [[Int32]] = [[], []]
        var top = [Int32]()
        for node in 0..<count {
            if owner[node] >= 0 {
                parts[owner[node]].append(Int32(node))
            } else {
                top.append(Int32(node))
            }
        }
        self.parts = parts
        self.top = top
        parallelFraction = (bins.loads[0] + bins.loads[1]) / total
    }

    /// Largest first, each subtree to the lighter group.
    private static func assign(_ roots: [Int], weights: [Double]) -> (groups: [Int], loads: [Double]) {
        var loads = [0.0, 0.0]
        var groups = [Int](repeating: 0, count: roots.count)
        for index in roots.indices.sorted(by: { weights[roots[$0]] > weights[roots[$1]] }) {
            let group = loads[0] <= loads[1] ? 0 : 1
            groups[index] = group
            loads[group] += weights[roots[index]]
        }
        return (groups, loads)
    }
}
