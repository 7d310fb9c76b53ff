import Foundation

/// The downdate −L_T0 L_T0ᵀ of the sparse trailing factor's values, one clique (a level of the
/// first term, with the trailing levels it meets) at a time: each clique's rows of L_T0 are
/// gathered and the lower triangle of their outer product is subtracted at offsets into the
/// factor's values computed once (the pattern does not depend on θ).
///
/// It is memory-bound: one offset read and one scattered update per entry of a clique's
/// triangle (1.8 million per evaluation for InstEval, 2.1 million for 1M students × teachers).
/// So the offsets are 32-bit (half the bytes streamed per evaluation) and, when the factor's
/// values are few against the cliques' entries, the cliques are taken in two halves of about
/// equal work: the first subtracted from the values, the second accumulated into a zeroed buffer
/// of the values' size that is then added to them. The halves run on two threads when there
/// are two; the split is fixed at setup from the pattern alone, so the result is the same for
/// any number of threads. Measured on InstEval (milliseconds per evaluation, three runs):
/// 10.8 / 12.4 / 12.6 before, 10.6 / 10.8 / 11.2 after; on the students × teachers design the
/// change was within the machine's noise (there the gathers of L_T0's tiles dominate).
struct CliqueDowndate: Sendable {
    /// Per clique, the value offsets of the lower triangle of its scalar outer product (row by
    /// row of the clique's scalar members, columns up to the diagonal).
    private let offsets: [UInt32]
    /// Per clique, where its offsets start; one more entry than cliques.
    private let starts: [Int]
    /// The first clique of the second half, when the cliques are taken in two halves.
    let split: Int?
    /// The second half's sums (the values' size), when split.
    private var partial: [Double]
    /// Two cliques' gathered rows of L_T0 (scalar members × s₀), one per half.
    private var rows: [Double]
    /// Entries of one half's gather buffer.
    private let rowCapacity: Int

    /// Below this many clique entries the downdate stays in one piece: a second thread and the
    /// buffer's pass cost more than they save.
    static let smallestSplit = 1 << 18
    /// The cliques are split only when they have at least this many entries per factor value
    /// (the buffer costs a clearing and an addition pass over the values).
    static let entriesPerValueToSplit = 2

    /// The values' offsets fit in 32 bits (``FactorPlan`` refuses larger sparse factors).
    static let largestValueCount = Int(UInt32.max)

    /// - Parameters:
    ///   - pattern: the cliques and their member nodes.
    ///   - nodeStarts: per node, its first trailing scalar index (old order).
    ///   - valueCount: the factor's values.
    ///   - firstSize: s₀.
    ///   - offset: the value offset of the entry (old row, old column) of the lower triangle.
    init(pattern: TrailingPattern, nodeStarts: [Int], valueCount: Int, firstSize: Int,
         offset: (Int, Int) -> Int) {
        let cliqueCount = pattern.cliqueStarts.count - 1
        var offsets: [UInt32] = []
        offsets.reserveCapacity(pattern.cliqueWork / 2 + pattern.memberNodes.count)
        var starts = [0]
        starts.reserveCapacity(cliqueCount + 1)
        var largest = 0
        var scalars: [Int] = []
        for clique in 0..<cliqueCount {
            scalars.removeAll(keepingCapacity: true)
            for member in pattern.cliqueStarts[clique]..<pattern.cliqueStarts[clique + 1] {
                let node = Int(pattern.memberNodes[member])
                for r in 0..<Int(pattern.nodeSizes[node]) { scalars.append(nodeStarts[node] + r) }
            }
            largest = max(largest, scalars.count)
            for x in scalars.indices {
                for y in 0...x { offsets.append(UInt32(clamping: offset(scalars[x], scalars[y]))) }
            }
            starts.append(offsets.count)
        }
        let total = offsets.count
        var split: Int?
        if total >= Self.smallestSplit, total >= Self.entriesPerValueToSplit * valueCount {
            // The first clique whose offsets start at or past half of them.
            let halves = EqualWorkSplit.bounds(count: cliqueCount, parts: 2) { starts[$0] }
            if halves.count == 3 { split = halves[1] }
        }
        self.offsets = offsets
        self.starts = starts
        self.split = split
        self.partial = [Double](repeating: 0, count: split == nil ? 0 : valueCount)
        self.rowCapacity = max(largest * firstSize, 1)
        self.rows = [Double](repeating: 0, count: 2 * max(largest * firstSize, 1))
    }

    /// A placeholder without cliques, for moving the downdate out of its owner during an update
    /// (the idiom of ``BlockedCholeskyFactor``).
    static let empty = CliqueDowndate()

    private init() {
        offsets = []
        starts = [0]
        split = nil
        partial = []
        rows = []
        rowCapacity = 1
    }

    /// Bytes held per clique entry and per factor value (offsets, and the second half's buffer).
    static func bytes(entries: Int, valueCount: Int) -> Int {
        let splits = entries >= smallestSplit && entries >= entriesPerValueToSplit * valueCount
        return 4 * entries + (splits ? 8 * valueCount : 0)
    }

    /// values −= L_T0 L_T0ᵀ at the cliques' offsets.
    /// - Parameters:
    ///   - values: the factor's values (at least the valueCount given at setup).
    ///   - tiles: every trailing term's L_T0 tiles side by side, term k's from `tileBases[k]`.
    ///   - threads: the threads the halves may use.
    mutating func subtract(from values: UnsafeMutablePointer<Double>, pattern: TrailingPattern, sizes: [Int],
                           tileBases: [Int], tiles: UnsafePointer<Double>, firstSize s0: Int, threads: Int) {
        let cliqueCount = starts.count - 1
        guard cliqueCount > 0 else { return }
        let split = self.split
        let capacity = rowCapacity
        offsets.withUnsafeBufferPointer { offsetBuffer in
        starts.withUnsafeBufferPointer { startBuffer in
        pattern.cliqueStarts.withUnsafeBufferPointer { cliqueBuffer in
        pattern.memberTerms.withUnsafeBufferPointer { termBuffer in
        pattern.memberTiles.withUnsafeBufferPointer { tileBuffer in
        sizes.withUnsafeBufferPointer { sizeBuffer in
        tileBases.withUnsafeBufferPointer { baseBuffer in
        rows.withUnsafeMutableBufferPointer { rowBuffer in
        partial.withUnsafeMutableBufferPointer { partialBuffer in
            guard let o = offsetBuffer.baseAddress, let st = startBuffer.baseAddress,
                  let cs = cliqueBuffer.baseAddress, let mt = termBuffer.baseAddress,
                  let mi = tileBuffer.baseAddress, let sz = sizeBuffer.baseAddress,
                  let tb = baseBuffer.baseAddress, let rb = rowBuffer.baseAddress else { return }
            let view = Cliques(offsets: o, starts: st, cliqueStarts: cs, memberTerms: mt, memberTiles: mi, sizes: sz,
                               tileBases: tb, tiles: tiles, firstSize: s0)
            guard let split, let second = partialBuffer.baseAddress else {
                view.subtract(0..<cliqueCount, from: values, rows: rb)
                return
            }
            let halves = Halves(values: values, partial: second, count: partialBuffer.count, rows: rb,
                                rowCapacity: capacity)
            let run: @Sendable (Int) -> Void = { half in
                if half == 0 {
                    view.subtract(0..<split, from: halves.values, rows: halves.rows)
                } else {
                    halves.partial.update(repeating: 0, count: halves.count)
                    view.subtract(split..<cliqueCount, from: halves.partial, rows: halves.rows + halves.rowCapacity)
                }
            }
            if threads > 1 {
                DispatchQueue.concurrentPerform(iterations: 2, execute: run)
            } else {
                run(0)
                run(1)
            }
            for index in 0..<halves.count { values[index] += second[index] }
        }
        }
        }
        }
        }
        }
        }
        }
        }
    }

    /// Raw views of the cliques' offsets and pattern and of L_T0's tiles, valid inside
    /// ``subtract(from:pattern:sizes:tileBases:tiles:firstSize:threads:)``.
    private struct Cliques: @unchecked Sendable {
        let offsets: UnsafePointer<UInt32>
        let starts: UnsafePointer<Int>
        let cliqueStarts: UnsafePointer<Int>
        let memberTerms: UnsafePointer<Int32>
        let memberTiles: UnsafePointer<Int32>
        let sizes: UnsafePointer<Int>
        let tileBases: UnsafePointer<Int>
        let tiles: UnsafePointer<Double>
        let firstSize: Int

        /// target −= the outer products of cliques `range`, gathering each into `rows`.
        func subtract(_ range: Range<Int>, from target: UnsafeMutablePointer<Double>,
                      rows: UnsafeMutablePointer<Double>) {
            let s0 = firstSize
            for clique in range {
                // Gather the clique's rows of L_T0 (row-major, s₀ per row).
                var count = 0
                for member in cliqueStarts[clique]..<cliqueStarts[clique + 1] {
                    let k = Int(memberTerms[member])
                    let size = sizes[k]
                    let base = tileBases[k] + Int(memberTiles[member]) * size * s0
                    for r in 0..<size {
                        for b in 0..<s0 { rows[count * s0 + b] = tiles[base + b * size + r] }
                        count += 1
                    }
                }
                var position = starts[clique]
                if s0 == 1 {
                    for x in 0..<count {
                        let rx = rows[x]
                        for y in 0...x {
                            target[Int(offsets[position])] -= rx * rows[y]
                            position += 1
                        }
                    }
                } else {
                    for x in 0..<count {
                        for y in 0...x {
                            var sum = 0.0
                            for b in 0..<s0 { sum += rows[x * s0 + b] * rows[y * s0 + b] }
                            target[Int(offsets[position])] -= sum
                            position += 1
                        }
                    }
                }
            }
        }
    }

    /// The two halves' targets and gather buffers.
    private struct Halves: @unchecked Sendable {
        let values: UnsafeMutablePointer<Double>
        let partial: UnsafeMutablePointer<Double>
        let count: Int
        let rows: UnsafeMutablePointer<Double>
        let rowCapacity: Int
    }
}
