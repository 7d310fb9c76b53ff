import Foundation
import SparseCholesky

/// The storage of every block of L, chosen once per model from a symbolic analysis of the
/// cross products (the pattern does not depend on θ), and the memory it is predicted to take.
///
/// The first term's block is (block-)diagonal and has no fill. For the later ("trailing")
/// terms the plan compares the dense blocks (q'² storage, q'³/3 flops) with a supernodal
/// factor under an approximate-minimum-degree ordering of the trailing levels, whose nonzeros
/// follow from the elimination tree; nearly nested designs (students × teachers within schools,
/// workers × firms linked by few moves) come out sparse, randomly crossed ones dense
/// (measured with CHOLMOD's orderings on generated designs: no ordering helps there).
struct FactorPlan: Sendable {
    /// The sparse trailing factor, ready to refactor, when the trailing terms are sparse.
    let sparseTrailing: SparseTrailingFactor?
    /// The grouped [X y] sums of the cross products the plan was made from, when the sparse
    /// factor takes its downdate grouped (each deviance over those cross products shares them).
    let groupedRows: GroupedFixedRows?
    /// One entry per term, in the factor's order.
    let blocks: [FactorBlockDescription]

    /// Sparse storage pays when its predicted entries are at most this share of the dense
    /// triangle's (the sparse kernels are slower per entry than the dense ones).
    static let sparseShare = 0.25
    /// Sparse storage also pays when its predicted Cholesky flops are at most this share of the
    /// dense block's q'³/3, whatever its entries: the supernodes are factored by the dense
    /// kernels, and the dense block costs a q'² clearing and a downdate scattered over q'² entries
    /// besides. Measured per evaluation on the target machine (sparse / dense time, at that flop
    /// share): InstEval 0.54 (0.22, with 51% of the dense entries), workers × 3,000 firms moving
    /// yearly 0.67 (0.44, 61% of the entries), 20,000 × 1,500 crossed 1.22 (0.74), 10,000 × 1,000
    /// crossed 0.95 (1.0, one supernode).
    static let sparseFlopShare = 0.5
    /// Trailing dimensions below this are always dense: their dense factor costs microseconds.
    static let smallestSparseDimension = 128
    /// The pattern is not formed when one downdate would cost more than this many scattered
    /// updates per dense entry: such designs are randomly crossed and dense.
    static let densePatternWork = 16

    /// - Parameter downdate: how a sparse trailing factor takes its downdate (tests force the
    ///   cliques to compare them with the grouped sums).
    init(crossProducts a: CrossProducts, design: ModelDesign, choice: TrailingStorageChoice,
         memoryLimit: Int, downdate: SparseTrailingFactor.DowndateChoice = .automatic) throws(MixedModelError) {
        let terms = design.randomEffectsTerms
        let sizes = terms.map(\.columnCount)
        let p = design.fixedEffects.columnCount
        var blocks: [FactorBlockDescription] = []
        guard let first = terms.first else {
            self.sparseTrailing = nil
            self.groupedRows = nil
            self.blocks = []
            return
        }
        let s0 = first.columnCount
        let firstTiles = a.firstColumn.reduce(0) { $0 + $1.values.count }
        blocks.append(FactorBlockDescription(
            group: first.groupName, storage: s0 == 1 ? .diagonal : .blockDiagonal,
            nonzeros: first.levelCount * s0 * (s0 + 1) / 2 + firstTiles,
            bytes: 8 * (first.levelCount * s0 * s0 + firstTiles + (p + 1) * first.randomEffectCount)))
        let trailingDimension = terms.dropFirst().reduce(0) { $0 + $1.randomEffectCount }

        var sparse: SparseTrailingFactor?
        if terms.count > 1, choice != .dense,
           choice == .sparse || trailingDimension >= Self.smallestSparseDimension {
            let pattern = TrailingPattern(crossProducts: a, sizes: sizes)
            let denseEntries = Double(trailingDimension) * Double(trailingDimension + 1) / 2
            if choice == .sparse || Double(pattern.cliqueWork) <= Double(Self.densePatternWork) * denseEntries,
               let nodes = pattern.nodePattern(), let scalar = pattern.scalarPattern(from: nodes) {
                let nodeOrder = MinimumDegreeOrdering.order(nodes)
                let ordering = pattern.scalarOrdering(fromNodeOrdering: nodeOrder)
                if let structure = try? SupernodalStructure.analyze(scalar, ordering: ordering),
                   choice == .sparse || Self.sparsePays(structure, dimension: trailingDimension) {
                    let bytes = Self.sparseBytes(structure: structure, pattern: pattern)
                    if structure.valueCount > CliqueDowndate.largestValueCount {
                        throw .modelTooLarge("the sparse factor of the later terms (from '\(terms[1].groupName)') would hold "
                            + "\(structure.valueCount) entries, more than the \(CliqueDowndate.largestValueCount) this "
                            + "implementation addresses. What would help: fewer levels in the later terms.")
                    }
                    if bytes > memoryLimit {
                        throw .modelTooLarge(Self.advice(term: terms[1].groupName, storage: "sparse factor of the later terms",
                                                         bytes: bytes, limit: memoryLimit,
                                                         help: "fewer levels in the later terms, or a machine with more memory"))
                    }
                    sparse = SparseTrailingFactor(pattern: pattern, crossProducts: a, sizes: sizes, structure: structure,
                                                  downdate: downdate)
                }
            }
        }
        if let sparse {
            for k in 1..<terms.count {
                let nonzeros = sparse.nonzeros(ofTerm: k)
                blocks.append(FactorBlockDescription(group: terms[k].groupName, storage: .sparse, nonzeros: nonzeros,
                                                     bytes: 8 * nonzeros + 8 * (p + 1) * terms[k].randomEffectCount))
            }
        } else {
            var total = blocks[0].bytes
            for k in 1..<terms.count {
                let rows = terms[k].randomEffectCount
                let earlier = terms[1..<k].reduce(0) { $0 + $1.randomEffectCount }
                let entries = rows * rows + rows * earlier
                let bytes = 8 * (entries + (p + 1) * rows)
                blocks.append(FactorBlockDescription(group: terms[k].groupName, storage: .dense, nonzeros: entries, bytes: bytes))
                total += bytes
                if bytes > memoryLimit || total > memoryLimit {
                    let why = choice == .dense ? "dense storage was requested"
                        : "its levels are crossed with the first term's, so a sparse ordering does not help"
                    throw .modelTooLarge(Self.advice(
                        term: terms[k].groupName, storage: "dense block of \(rows) × \(rows) (\(why))",
                        bytes: total, limit: memoryLimit,
                        help: "fewer levels of '\(terms[k].groupName)' (e.g. pooling rare levels), fitting a subset of the data, or a machine with more memory"))
                }
            }
        }
        self.sparseTrailing = sparse
        self.groupedRows = sparse?.grouped.map { GroupedFixedRows(grouping: $0, crossProducts: a) }
        self.blocks = blocks
    }

    /// Whether the sparse trailing factor is predicted to be cheaper than the dense block of
    /// dimension q': few entries (``sparseShare``) or few flops (``sparseFlopShare``).
    static func sparsePays(_ structure: SupernodalStructure, dimension: Int) -> Bool {
        let q = Double(dimension)
        let denseEntries = q * (q + 1) / 2
        let denseFlops = q * q * q / 3
        return Double(structure.nonzeroCount) <= sparseShare * denseEntries
            || structure.flopCount <= sparseFlopShare * denseFlops
    }

    /// Bytes of the sparse trailing factor: its values, and the offsets that assemble it.
    static func sparseBytes(structure: SupernodalStructure, pattern: TrailingPattern) -> Int {
        let cliqueEntries = pattern.cliqueWork / 2 + pattern.memberNodes.count
        return 8 * structure.valueCount + CliqueDowndate.bytes(entries: cliqueEntries, valueCount: structure.valueCount)
            + 16 * pattern.dimension
    }

    static func advice(term: String, storage: String, bytes: Int, limit: Int, help: String) -> String {
        "the model is too large for this machine: the factor for term '\(term)' needs \(gigabytes(bytes)) (\(storage)), "
            + "more than the \(gigabytes(limit)) of memory available. What would help: \(help)."
    }

    static func gigabytes(_ bytes: Int) -> String {
        String(format: "%.2f GB", Double(bytes) / 1e9)
    }

    /// The memory a model may use: `MemAvailable` from /proc/meminfo (Linux), else the
    /// physical memory, less a tenth for everything else. Read again only when a model is
    /// large enough for it to matter (small models use the first reading).
    static func availableMemory(forBytes estimate: Int = .max) -> Int {
        if estimate < Self.smallModelBytes { return firstAvailableMemory }
        return readAvailableMemory()
    }

    /// Models predicted below this size never re-read the available memory.
    static let smallModelBytes = 64 << 20

    /// The first reading of the available memory in this process.
    static let firstAvailableMemory = readAvailableMemory()

    private static func readAvailableMemory() -> Int {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 / 10 * 9 }
            }
        }
        return Int(ProcessInfo.processInfo.physicalMemory / 10 * 9)
    }

    /// Refuses, before they are allocated, cross products that do not fit: the [X y] rows, the
    /// diagonal blocks and, at most, one tile per observation for every pair of terms.
    static func checkCrossProducts(design: ModelDesign, memoryLimit: Int) throws(MixedModelError) {
        let terms = design.randomEffectsTerms
        let p = design.fixedEffects.columnCount
        var bytes = 8 * (p + 1) * terms.reduce(0) { $0 + $1.randomEffectCount }
        bytes += 8 * terms.reduce(0) { $0 + $1.levelCount * $1.columnCount * $1.columnCount }
        let n = design.observationCount
        for i in terms.indices.dropFirst() {
            for k in 0..<i {
                bytes += (8 * terms[i].columnCount * terms[k].columnCount + 4) * min(n, terms[i].levelCount * terms[k].levelCount)
                if bytes > memoryLimit {
                    throw .modelTooLarge(advice(
                        term: terms[i].groupName,
                        storage: "cross products with '\(terms[k].groupName)'",
                        bytes: bytes, limit: memoryLimit,
                        help: "fewer observations or levels, or a machine with more memory"))
                }
            }
        }
    }
}
