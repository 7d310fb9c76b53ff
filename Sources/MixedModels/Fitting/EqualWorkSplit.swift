/// Boundaries that cut a run of items into parts of about equal work, from the work's prefix
/// sums: used to split a kernel's items (tile columns, target column blocks, cliques) between
/// threads. The cut depends only on the prefix sums, never on timing.
enum EqualWorkSplit {
    /// `[0, b₁, …, count]`: bᵢ is the first item whose prefix reaches i/parts of the total work
    /// (`prefix(0)` = 0 … `prefix(count)` = total, non-decreasing). Empty parts are dropped, so
    /// the result has at most `parts + 1` entries and `[0, count]` means one part.
    static func bounds(count: Int, parts: Int, prefix: (Int) -> Int) -> [Int] {
        guard count > 1, parts > 1 else { return [0, max(count, 0)] }
        let base = prefix(0)
        let total = prefix(count) - base
        var bounds = [0]
        for part in 1..<parts {
            // i/parts of the total, without overflow.
            let goal = base + total / parts * part + total % parts * part / parts
            var low = bounds[bounds.count - 1]
            var high = count
            while low < high {
                let middle = (low + high) / 2
                if prefix(middle) < goal { low = middle + 1 } else { high = middle }
            }
            if low > bounds[bounds.count - 1] && low < count { bounds.append(low) }
        }
        bounds.append(count)
        return bounds
    }
}
