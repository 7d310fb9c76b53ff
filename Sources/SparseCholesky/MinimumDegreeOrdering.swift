/// A fill-reducing ordering for sparse symmetric factorisation: approximate minimum degree.
///
/// The elimination is simulated on a quotient graph (Amestoy, Davis & Duff, "An approximate
/// minimum degree ordering algorithm", SIAM J. Matrix Anal. Appl. 17, 1996): eliminated nodes
/// become *elements* that stand for the cliques they create, so the graph never grows beyond
/// its original storage plus one list per pivot. At each step the pivot is a node of least
/// *approximate external degree* (the upper bound of that paper, cheap to update); nodes whose
/// only neighbour is the new element are eliminated with the pivot (mass elimination); nodes
/// with identical adjacency are merged into supervariables (found by hashing their lists);
/// elements whose node set is covered by the new element are absorbed (aggressive absorption).
/// Nodes of degree above max(16, 10·√n) are set aside at the start and ordered last.
public enum MinimumDegreeOrdering {
    /// The elimination order of `pattern`: `result[k]` is the original index eliminated k-th.
    public static func order(_ pattern: SymmetricPattern) -> [Int32] {
        let adjacency = pattern.fullAdjacency()
        var graph = QuotientGraph(dimension: pattern.dimension, starts: adjacency.starts,
                                  neighbours: adjacency.neighbours)
        defer { graph.deallocate() }
        return graph.eliminateAll()
    }
}

extension UnsafeMutableBufferPointer {
    /// A newly allocated buffer with every element set to `value` (freed by the owner).
    static func filled(_ value: Element, count: Int) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: count)
        buffer.initialize(repeating: value)
        return buffer
    }
}

/// Working state of the approximate minimum degree elimination (unsafe buffers: the indices
/// are all node ids or list positions produced by the algorithm itself, and the buffers are
/// freed when `order` returns). All lists live in one array
/// `storage`; a node's list starts at `listStart[i]` and has `listLength[i]` entries, of which
/// the first `elementCount[i]` are elements (for a variable) — an element's list holds variables.
private struct QuotientGraph {
    let n: Int
    var storage: UnsafeMutableBufferPointer<Int32>
    var freePosition: Int
    var listStart: UnsafeMutableBufferPointer<Int>
    var listLength: UnsafeMutableBufferPointer<Int32>
    var elementCount: UnsafeMutableBufferPointer<Int32>
    /// Supervariable weight (number of original nodes it stands for); 0 once merged or eliminated.
    var weight: UnsafeMutableBufferPointer<Int32>
    /// Approximate external degree of a variable; weighted size |Le| of an element.
    var degree: UnsafeMutableBufferPointer<Int32>
    var state: UnsafeMutableBufferPointer<NodeState>
    /// Scratch for |Le \ Lp|; values ≥ `stamp` belong to the current pivot step.
    var scratch: UnsafeMutableBufferPointer<Int>
    var stamp: Int
    /// Marks the variables of the current pivot element (value = pivot step + 1).
    var inPivotElement: UnsafeMutableBufferPointer<Int32>
    // Degree buckets (doubly linked).
    var bucketHead: UnsafeMutableBufferPointer<Int32>
    var bucketNext: UnsafeMutableBufferPointer<Int32>
    var bucketPrevious: UnsafeMutableBufferPointer<Int32>
    // Hash buckets for supervariable detection.
    var hashHead: UnsafeMutableBufferPointer<Int32>
    var hashNext: UnsafeMutableBufferPointer<Int32>
    var hashValue: UnsafeMutableBufferPointer<Int>
    // Members merged into each supervariable (singly linked chain, ending at -1).
    var chainNext: UnsafeMutableBufferPointer<Int32>
    var chainLast: UnsafeMutableBufferPointer<Int32>

    enum NodeState: UInt8 {
        case variable, element, absorbed, merged, dense
    }

    init(dimension: Int, starts: [Int], neighbours: [Int32]) {
        n = dimension
        let entryCount = neighbours.count
        let capacity = entryCount + entryCount / 5 + 2 * dimension + 16
        storage = .filled(0 as Int32, count: capacity)
        listStart = .filled(0 as Int, count: n)
        listLength = .filled(0 as Int32, count: n)
        elementCount = .filled(0 as Int32, count: n)
        weight = .filled(1 as Int32, count: n)
        degree = .filled(0 as Int32, count: n)
        state = .filled(.variable as NodeState, count: n)
        scratch = .filled(0 as Int, count: n)
        stamp = 1
        inPivotElement = .filled(0 as Int32, count: n)
        bucketHead = .filled(-1 as Int32, count: n + 1)
        bucketNext = .filled(-1 as Int32, count: n)
        bucketPrevious = .filled(-1 as Int32, count: n)
        hashHead = .filled(-1 as Int32, count: n)
        hashNext = .filled(-1 as Int32, count: n)
        hashValue = .filled(0 as Int, count: n)
        chainNext = .filled(-1 as Int32, count: n)
        chainLast = .filled(0 as Int32, count: dimension)
        for i in 0..<dimension { chainLast[i] = Int32(i) }
        // Dense nodes are set aside: they are removed from every list and ordered last.
        let denseThreshold = max(16, Int(10 * Double(dimension).squareRoot()))
        for i in 0..<n where starts[i + 1] - starts[i] > denseThreshold && n > denseThreshold {
            state[i] = .dense
        }
        var position = 0
        for i in 0..<n {
            listStart[i] = position
            guard state[i] != .dense else { continue }
            for p in starts[i]..<starts[i + 1] where state[Int(neighbours[p])] != .dense {
                storage[position] = neighbours[p]
                position += 1
            }
            listLength[i] = Int32(position - listStart[i])
            degree[i] = listLength[i]
        }
        freePosition = position
    }

    // MARK: Degree buckets

    mutating func insertInBucket(_ i: Int, degree d: Int) {
        let head = bucketHead[d]
        bucketNext[i] = head
        bucketPrevious[i] = -1
        if head >= 0 { bucketPrevious[Int(head)] = Int32(i) }
        bucketHead[d] = Int32(i)
    }

    mutating func removeFromBucket(_ i: Int) {
        let next = bucketNext[i], previous = bucketPrevious[i]
        if next >= 0 { bucketPrevious[Int(next)] = previous }
        if previous >= 0 {
            bucketNext[Int(previous)] = next
        } else {
            bucketHead[Int(degree[i])] = next
        }
    }

    // MARK: Storage

    /// Moves every live list to the front of `storage`, discarding the lists of absorbed
    /// elements and of eliminated or merged variables.
    mutating func compact() {
        var firstEntry = [Int32](repeating: 0, count: n)  // rare (compaction only)
        for i in 0..<n where listLength[i] > 0 && (state[i] == .variable || state[i] == .element) {
            firstEntry[i] = storage[listStart[i]]
            storage[listStart[i]] = -Int32(i) - 1
        }
        var read = 0, write = 0
        while read < freePosition {
            let value = storage[read]
            if value < 0 {
                let i = Int(-value - 1)
                let length = Int(listLength[i])
                listStart[i] = write
                storage[write] = firstEntry[i]
                for k in 1..<max(length, 1) { storage[write + k] = storage[read + k] }
                write += length
                read += length
            } else {
                read += 1
            }
        }
        freePosition = write
    }

    // MARK: Elimination

    mutating func eliminateAll() -> [Int32] {
        var order = [Int32]()
        order.reserveCapacity(n)
        var eliminatedWeight = 0
        var activeCount = 0
        for i in 0..<n where state[i] == .variable {
            insertInBucket(i, degree: Int(degree[i]))
            activeCount += 1
        }
        let liveTotal = activeCount
        var minimumDegree = 0
        var step: Int32 = 0
        var massEliminated = [Int32]()
        while eliminatedWeight < liveTotal {
            while minimumDegree < n && bucketHead[minimumDegree] < 0 { minimumDegree += 1 }
            guard minimumDegree < n || bucketHead[n] >= 0 else { break }
            let pivot = Int(bucketHead[min(minimumDegree, n)])
            removeFromBucket(pivot)
            step += 1
            let pivotWeight = Int(weight[pivot])
            eliminatedWeight += pivotWeight

            // 1. Form the new element Lp: the pivot's variables and those of its elements.
            var bound = Int(listLength[pivot])
            do {
                let start = listStart[pivot]
                for k in 0..<Int(elementCount[pivot]) {
                    bound += Int(listLength[Int(storage[start + k])])
                }
            }
            if freePosition + bound > storage.count {
                compact()
                // Grow geometrically when compaction reclaimed little, so compactions stay rare.
                let slack = storage.count - freePosition
                if slack < bound || slack < storage.count / 5 {
                    let target = max(freePosition + bound, storage.count + storage.count / 2)
                    let grown = UnsafeMutableBufferPointer<Int32>.filled(0, count: target)
                    for k in 0..<freePosition { grown[k] = storage[k] }
                    storage.deallocate()
                    storage = grown
                }
            }
            let elementStart = freePosition
            var pivotDegree = 0  // weighted |Lp|
            inPivotElement[pivot] = step
            let pivotStart = listStart[pivot]
            let pivotElements = Int(elementCount[pivot])
            let pivotLength = Int(listLength[pivot])
            for k in 0..<pivotLength {
                let node = Int(storage[pivotStart + k])
                if k < pivotElements {
                    guard state[node] == .element else { continue }
                    let s = listStart[node]
                    for q in 0..<Int(listLength[node]) {
                        let j = Int(storage[s + q])
                        if weight[j] > 0 && state[j] == .variable && inPivotElement[j] != step {
                            inPivotElement[j] = step
                            storage[freePosition] = Int32(j)
                            freePosition += 1
                            pivotDegree += Int(weight[j])
                            removeFromBucket(j)
                        }
                    }
                    state[node] = .absorbed
                    listLength[node] = 0
                } else {
                    let j = node
                    if weight[j] > 0 && state[j] == .variable && inPivotElement[j] != step {
                        inPivotElement[j] = step
                        storage[freePosition] = Int32(j)
                        freePosition += 1
                        pivotDegree += Int(weight[j])
                        removeFromBucket(j)
                    }
                }
            }
            state[pivot] = .element
            listStart[pivot] = elementStart
            var elementLength = freePosition - elementStart
            listLength[pivot] = Int32(elementLength)
            elementCount[pivot] = 0

            // 2. |Le \ Lp| for every element e adjacent to a variable of Lp.
            for k in 0..<elementLength {
                let i = Int(storage[elementStart + k])
                let s = listStart[i]
                let wi = Int(weight[i])
                for q in 0..<Int(elementCount[i]) {
                    let e = Int(storage[s + q])
                    guard state[e] == .element else { continue }
                    if scratch[e] >= stamp {
                        scratch[e] -= wi
                    } else {
                        scratch[e] = Int(degree[e]) + stamp - wi
                    }
                }
            }

            // 3. Update the lists and approximate degrees of the variables of Lp.
            massEliminated.removeAll(keepingCapacity: true)
            for k in 0..<elementLength {
                let i = Int(storage[elementStart + k])
                let s = listStart[i]
                let oldElements = Int(elementCount[i])
                let oldLength = Int(listLength[i])
                var write = s
                var external = 0
                var hash = 0
                for q in 0..<oldElements {
                    let e = Int(storage[s + q])
                    guard state[e] == .element, e != pivot else { continue }
                    let outside = scratch[e] - stamp
                    if outside <= 0 {
                        // Aggressive absorption: Le ⊆ Lp.
                        state[e] = .absorbed
                        listLength[e] = 0
                        continue
                    }
                    external += outside
                    hash &+= e
                    storage[write] = Int32(e)
                    write += 1
                }
                let keptElements = write - s
                for q in oldElements..<oldLength {
                    let j = Int(storage[s + q])
                    guard weight[j] > 0, state[j] == .variable, inPivotElement[j] != step else { continue }
                    external += Int(weight[j])
                    hash &+= j
                    storage[write] = Int32(j)
                    write += 1
                }
                let keptVariables = write - s - keptElements
                if keptElements == 0 && keptVariables == 0 {
                    // Mass elimination: i is adjacent to nothing but the pivot element.
                    massEliminated.append(Int32(i))
                    continue
                }
                // Put the pivot element first (at least one entry was removed, so there is room).
                let end = s + keptElements + keptVariables
                if keptVariables > 0 { storage[end] = storage[s + keptElements] }
                if keptElements > 0 { storage[s + keptElements] = storage[s] }
                storage[s] = Int32(pivot)
                elementCount[i] = Int32(keptElements + 1)
                listLength[i] = Int32(keptElements + keptVariables + 1)
                hash &+= pivot
                degree[i] = Int32(min(Int(degree[i]), external))
                hashValue[i] = hash
                let bucket = hash % n
                hashNext[i] = hashHead[bucket]
                hashHead[bucket] = Int32(i)
            }
            for i32 in massEliminated {
                let i = Int(i32)
                let wi = Int(weight[i])
                eliminatedWeight += wi
                pivotDegree -= wi
                weight[pivot] += Int32(wi)
                weight[i] = 0
                state[i] = .merged
                listLength[i] = 0
                appendChain(of: i, to: pivot)
            }

            // 4. Supervariables: merge variables of Lp with identical lists.
            for k in 0..<elementLength {
                let i = Int(storage[elementStart + k])
                guard weight[i] > 0 else { continue }
                let bucket = hashValue[i] % n
                guard hashHead[bucket] >= 0 else { continue }
                var candidate = Int(hashHead[bucket])
                hashHead[bucket] = -1
                // Compare every pair of the bucket.
                while candidate >= 0 {
                    let a = candidate
                    let nextCandidate = Int(hashNext[a])
                    if weight[a] > 0 {
                        var previous = a
                        var other = nextCandidate
                        var marked = false
                        while other >= 0 {
                            let b = other
                            let followBucket = Int(hashNext[b])
                            if weight[b] > 0 && hashValue[b] == hashValue[a]
                                && listLength[b] == listLength[a] && elementCount[b] == elementCount[a]
                            {
                                if !marked {
                                    stamp += n + 1
                                    let s = listStart[a]
                                    for q in 0..<Int(listLength[a]) { scratch[Int(storage[s + q])] = stamp }
                                    marked = true
                                }
                                var same = true
                                let s = listStart[b]
                                for q in 0..<Int(listLength[b]) where scratch[Int(storage[s + q])] != stamp {
                                    same = false
                                    break
                                }
                                if same {
                                    weight[a] += weight[b]
                                    weight[b] = 0
                                    state[b] = .merged
                                    listLength[b] = 0
                                    appendChain(of: b, to: a)
                                    hashNext[previous] = Int32(followBucket)
                                    other = followBucket
                                    continue
                                }
                            }
                            previous = b
                            other = followBucket
                        }
                    }
                    candidate = nextCandidate
                }
            }

            // 5. Finalise degrees, compact Lp to its principal variables, refill the buckets.
            var write = elementStart
            let remainingWeight = liveTotal - eliminatedWeight
            for k in 0..<elementLength {
                let i = Int(storage[elementStart + k])
                guard weight[i] > 0 else { continue }
                storage[write] = Int32(i)
                write += 1
                let wi = Int(weight[i])
                let d = min(Int(degree[i]) + pivotDegree - wi, remainingWeight - wi)
                let clamped = max(d, 0)
                degree[i] = Int32(clamped)
                insertInBucket(i, degree: clamped)
                if clamped < minimumDegree { minimumDegree = clamped }
            }
            elementLength = write - elementStart
            listLength[pivot] = Int32(elementLength)
            degree[pivot] = Int32(pivotDegree)
            freePosition = elementStart + elementLength
            stamp += n + 1

            // Record the pivot, its merged members, and the mass-eliminated variables.
            var member = pivot
            while member >= 0 {
                order.append(Int32(member))
                member = Int(chainNext[member])
            }
        }
        for i in 0..<n where state[i] == .dense { order.append(Int32(i)) }
        return order
    }

    /// Frees the working arrays (the graph must not be used afterwards).
    func deallocate() {
        for buffer in [storage, listLength, elementCount, weight, degree, inPivotElement, bucketHead,
                       bucketNext, bucketPrevious, hashHead, hashNext, chainNext, chainLast] {
            buffer.deallocate()
        }
        listStart.deallocate()
        scratch.deallocate()
        hashValue.deallocate()
        state.deallocate()
    }

    /// Appends the member chain of `node` to the chain of `principal`.
    mutating func appendChain(of node: Int, to principal: Int) {
        chainNext[Int(chainLast[principal])] = Int32(node)
        chainLast[principal] = chainLast[node]
    }
}
