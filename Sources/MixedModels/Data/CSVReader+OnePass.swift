/// The one-pass path of ``CSVReader``: each field goes straight into its column's
/// ``ColumnBuilder`` as it is tokenized, with no span stored per field and no second pass per
/// column. Large inputs are read in two parts on two threads, split at a line feed near the middle.
///
/// The path gives up (returns `nil`) whenever it cannot be sure to give the general path's
/// result: on any syntax problem or ragged record, a column whose type rule needs fields already
/// passed, an infinity, an unusable level order, or a split that falls inside a quoted field.
/// The caller then reads the input the general way, which gives the exact table or error.
extension CSVReader {
    /// The table, or `nil` when the general path must read the records that `tokenizer` is at.
    func readInOnePass(
        from tokenizer: CSVTokenizer, input: UnsafeBufferPointer<UInt8>, delimiter: UInt8, names: [String]
    ) -> DataTable? {
        let start = tokenizer.position
        let recordBytes = input.count - start
        let plan = PartPlan(options: options, names: names)
        let threshold = splitThreshold ?? (DenseKernels.processorCount > 1 ? Self.parallelByteThreshold : Int.max)
        if recordBytes >= threshold, recordBytes > 0,
           let split = ByteScan.firstIndex(of: UInt8(ascii: "\n"), in: input, from: start + recordBytes / 2) {
            let parts = TokenizerPair(
                first: tokenizer.ending(at: split + 1),
                second: CSVTokenizer(bytes: input, start: split + 1, delimiter: delimiter))
            let shared = SharedInput(bytes: input)
            let firstRows = Self.estimatedRows(in: input, from: start, to: input.count)
            let secondRows = Self.estimatedRows(in: input, from: split + 1, to: input.count)
            var results = ParallelReplicates.run(count: 2, threads: 2) { half -> RecordPart? in
                var part = half == 0 ? parts.first : parts.second
                return Self.readPart(&part, input: shared.bytes, plan: plan, expectedRows: half == 0 ? firstRows : secondRows,
                                     sortingLabels: true)
            }
            // Moved out of the array, so that the parts' buffers are uniquely referenced.
            guard results.count == 2, let second = results.removeLast(), let first = results.removeLast() else {
                return nil
            }
            return table(from: first, then: second, names: names)
        }
        var part = tokenizer
        let rows = Self.estimatedRows(in: input, from: start, to: input.count)
        guard let single = Self.readPart(&part, input: input, plan: plan, expectedRows: rows, sortingLabels: false) else {
            return nil
        }
        return table(from: single, then: nil, names: names)
    }

    /// The parts joined and the columns finished (on both cores when the file is large), and the
    /// table. `second`, when given, follows `first`, with its lines counted from 1 at its start.
    private func table(from first: consuming RecordPart, then second: consuming RecordPart?, names: [String]) -> DataTable? {
        let firstRows = first.rowLines.count
        let rowCount = firstRows + (second?.rowLines.count ?? 0)
        guard rowCount > 0, first.builders.count == names.count,
              second.map({ $0.builders.count == names.count }) ?? true else { return nil }
        let lineOffset = first.endLine - 1
        let slots = ColumnSlots(first: first.builders, second: second?.builders)
        first.builders = []
        second?.builders = []
        let lines = LineSlot(first: first.rowLines, second: second?.rowLines)
        first.rowLines = []
        second?.rowLines = []
        let options = self.options
        let threads = rowCount >= Self.parallelRowThreshold ? 2 : 1
        // One task per column and one for the row lines.
        let results = ParallelReplicates.run(count: names.count + 1, threads: threads) { index -> FinishedPart in
            guard index < names.count else { return .rowLines(lines.joined(offsettingSecondBy: lineOffset)) }
            guard let builder = slots.takeFirst(index) else { return .column(nil) }
            let requestedOrder = options.levelOrders[names[index]]
            guard let following = slots.takeSecond(index) else {
                return .column(builder.column(requestedOrder: requestedOrder))
            }
            return .column(ColumnBuilder.joinedColumn(builder, following, requestedOrder: requestedOrder))
        }
        var columns = [Column]()
        columns.reserveCapacity(names.count)
        var rowLines: [Int]?
        for result in results {
            switch result {
            case .column(let column?): columns.append(column)
            case .column(nil): return nil
            case .rowLines(let joined): rowLines = joined
            }
        }
        guard let rowLines, columns.count == names.count else { return nil }
        return try? DataTable(columnNames: names, columns: columns, source: source, sourceLines: rowLines,
                              levelLabelsKnownDistinct: true)
    }

    /// Reads the records of `tokenizer` to its end into one builder per column; `nil` on anything
    /// the general path must handle. With `sortingLabels`, the labels of categorical columns in the
    /// default order are sorted ahead, on this thread (for ``ColumnBuilder/joinedColumn(_:_:requestedOrder:)``).
    private static func readPart(
        _ tokenizer: inout CSVTokenizer, input: UnsafeBufferPointer<UInt8>, plan: PartPlan, expectedRows: Int,
        sortingLabels: Bool
    ) -> RecordPart? {
        var builders = plan.declaredCategorical.map { declared in
            ColumnBuilder(declaredCategorical: declared, decimalSeparator: plan.decimalSeparator,
                          missing: plan.missing, expectedRows: expectedRows)
        }
        var rowLines = [Int]()
        rowLines.reserveCapacity(expectedRows)
        let columnCount = builders.count
        let complete = builders.withUnsafeMutableBufferPointer { columns -> Bool in
            while tokenizer.skipEmptyLines() {
                let line = tokenizer.line
                var fieldIndex = 0
                var endsRecord = false
                while !endsRecord {
                    let field: (span: FieldSpan, endsRecord: Bool)
                    do {
                        field = try tokenizer.nextField(index: fieldIndex)
                    } catch {
                        return false
                    }
                    guard fieldIndex < columnCount, columns[fieldIndex].add(field.span, in: input) else { return false }
                    endsRecord = field.endsRecord
                    fieldIndex += 1
                }
                guard fieldIndex == columnCount else { return false }
                rowLines.append(line)
            }
            return true
        }
        guard complete else { return nil }
        if sortingLabels {
            for index in builders.indices where !plan.hasLevelOrder[index] { builders[index].sortLabels() }
        }
        return RecordPart(builders: builders, rowLines: rowLines, endLine: tokenizer.line)
    }

    /// A generous guess of the number of records from `start` to `end`, from the line length of
    /// the first 64 KiB; only a capacity to reserve.
    private static func estimatedRows(in input: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int) -> Int {
        let bytes = end - start
        let sampleEnd = min(end, start + (64 << 10))
        let sample = UnsafeBufferPointer(rebasing: input[start..<sampleEnd])
        let lines = ByteScan.count(of: UInt8(ascii: "\n"), in: sample, from: 0)
        guard lines > 0 else { return 16 }
        let perLine = Double(sample.count) / Double(lines)
        return min(bytes + 1, Int(Double(bytes) / perLine * 1.1) + 16)
    }
}

/// What every part of a file needs to start its columns.
private struct PartPlan: Sendable {
    let declaredCategorical: [Bool]
    /// Per column, whether the options give it a level order.
    let hasLevelOrder: [Bool]
    let decimalSeparator: UInt8
    let missing: MissingTokens

    init(options: CSVReadOptions, names: [String]) {
        declaredCategorical = names.map { options.categoricalColumns.contains($0) || options.levelOrders[$0] != nil }
        hasLevelOrder = names.map { options.levelOrders[$0] != nil }
        decimalSeparator = options.decimalSeparator
        missing = MissingTokens(options.missingTokens)
    }
}

/// The columns and row lines of a run of records.
private struct RecordPart: Sendable {
    var builders: [ColumnBuilder]
    /// The physical line (1-based, counted from the part's start) where each record starts.
    var rowLines: [Int]
    /// The line the part's tokenizer ended on.
    let endLine: Int
}

/// What one finishing task gives: a column (`nil` when the general path must read the file) or
/// the joined row lines.
private enum FinishedPart: Sendable {
    case column(Column?)
    case rowLines([Int])
}

/// The columns' builders of one or two parts, each taken by the one thread that finishes the
/// column. Each builder has its own lock-free box, so the threads share nothing mutable.
private final class ColumnSlots: @unchecked Sendable {
    private let first: [Box]
    private let second: [Box]?

    init(first: [ColumnBuilder], second: [ColumnBuilder]?) {
        self.first = first.map(Box.init)
        self.second = second?.map(Box.init)
    }

    /// The first part's builder of column `index`, leaving its box empty.
    func takeFirst(_ index: Int) -> ColumnBuilder? {
        first.indices.contains(index) ? first[index].builder.take() : nil
    }

    /// The second part's builder of column `index`, leaving its box empty; `nil` with one part.
    func takeSecond(_ index: Int) -> ColumnBuilder? {
        guard let second, second.indices.contains(index) else { return nil }
        return second[index].builder.take()
    }

    private final class Box {
        var builder: ColumnBuilder?
        init(_ builder: ColumnBuilder) { self.builder = builder }
    }
}

/// The row lines of one or two parts, joined by the one thread that takes them.
private final class LineSlot: @unchecked Sendable {
    private var first: [Int]
    private var second: [Int]?

    init(first: [Int], second: [Int]?) {
        self.first = first
        self.second = second
    }

    /// The first part's lines, then the second's plus `offset`.
    func joined(offsettingSecondBy offset: Int) -> [Int] {
        var lines = first
        first = []
        guard let following = second else { return lines }
        second = nil
        lines.reserveCapacity(lines.count + following.count)
        for line in following { lines.append(line + offset) }
        return lines
    }
}
