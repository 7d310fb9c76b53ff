/// One column's values collected field by field in a single pass over the records, before its
/// type is final: the reader's one-pass path (``CSVReader``) keeps one per column instead of
/// storing every field's span and typing the columns afterwards.
///
/// The first non-missing field decides how values are kept. An unquoted number starts numbers
/// (`Double`s); anything else starts labels (codes from a ``LabelInterner``), noting whether every
/// label so far is a number and whether some field was unquoted, so that a column of quoted
/// numbers with one unquoted number still becomes numeric at the end. A column declared
/// categorical keeps labels from the start. When the rule of the general path (see
/// ``CSVReader``) cannot be followed without the fields already passed — a text in a column kept
/// as numbers, or an infinity that may turn into an error — ``add(_:in:)`` returns `false` and
/// the caller reads the file the general way, which then gives the exact table or error.
struct ColumnBuilder: Sendable {
    /// How values are kept so far.
    enum Mode: Sendable {
        /// Every field so far is missing.
        case undecided
        case numbers
        case labels
    }

    private(set) var mode: Mode
    /// Whether the column was declared categorical (by name or by a level order).
    let declaredCategorical: Bool
    private let decimalSeparator: UInt8
    private let missing: MissingTokens

    /// The number of fields added.
    private(set) var rowCount = 0
    /// In `numbers` mode, per row; NaN where missing.
    private(set) var values: [Double] = []
    /// In `labels` mode, per row; ``CategoricalColumn/missingCode`` where missing.
    private(set) var codes: [Int32] = []
    private(set) var interner = LabelInterner()
    /// In `labels` mode: no label is known to be text (each reads as a number, no field had an
    /// escaped quote), so the column may still be numeric.
    private(set) var labelsMayBeNumbers = true
    /// In `labels` mode: some non-missing field was not quoted.
    private(set) var sawUnquotedValue = false
    /// The capacity to reserve once the mode is known.
    private let expectedRows: Int
    /// The default order of the labels, sorted ahead by ``sortLabels()``, and whether it is numeric.
    private var sortedLabels: (order: [Int], numerically: Bool)?

    init(declaredCategorical: Bool, decimalSeparator: UInt8, missing: MissingTokens, expectedRows: Int) {
        self.declaredCategorical = declaredCategorical
        self.decimalSeparator = decimalSeparator
        self.missing = missing
        self.expectedRows = expectedRows
        mode = .undecided
        if declaredCategorical {
            mode = .labels
            labelsMayBeNumbers = false
            codes.reserveCapacity(expectedRows)
        }
    }

    /// Adds the next row's field; `false` when the general path must read the file.
    @inline(__always)
    mutating func add(_ span: FieldSpan, in input: UnsafeBufferPointer<UInt8>) -> Bool {
        rowCount += 1
        if missing.matches(span, in: input) {
            switch mode {
            case .undecided: break
            case .numbers: values.append(.nan)
            case .labels: codes.append(CategoricalColumn.missingCode)
            }
            return true
        }
        switch mode {
        case .numbers:
            return addNumber(span, in: input)
        case .labels:
            addLabel(span, in: input)
            return true
        case .undecided:
            return decide(span, in: input)
        }
    }

    @inline(__always)
    private mutating func addNumber(_ span: FieldSpan, in input: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !span.hasEscapedQuote else { return false }
        let text = UnsafeBufferPointer(rebasing: input[span.start..<span.end])
        switch NumberParsing.parse(text, decimalSeparator: decimalSeparator) {
        case .finite(let value):
            values.append(value)
            return true
        case .nonFinite:
            // NaN is missing; an infinity is an error if the column stays numeric.
            guard NumberParsing.isNaNWord(text) else { return false }
            values.append(.nan)
            return true
        case .notANumber:
            return false
        }
    }

    @inline(__always)
    private mutating func addLabel(_ span: FieldSpan, in input: UnsafeBufferPointer<UInt8>) {
        let labelsBefore = interner.count
        if span.hasEscapedQuote {
            labelsMayBeNumbers = false
            let text = span.unescapedBytes(in: input)
            codes.append(text.withUnsafeBufferPointer { interner.code(for: $0) })
            return
        }
        codes.append(interner.code(forBytesIn: input, from: span.start, to: span.end))
        guard labelsMayBeNumbers else { return }
        let text = UnsafeBufferPointer(rebasing: input[span.start..<span.end])
        if !span.isQuoted { sawUnquotedValue = true }
        if interner.count != labelsBefore,
           NumberParsing.parse(text, decimalSeparator: decimalSeparator) == .notANumber {
            labelsMayBeNumbers = false
        }
    }

    /// The first non-missing field: chooses the mode and keeps the missing rows before it.
    private mutating func decide(_ span: FieldSpan, in input: UnsafeBufferPointer<UInt8>) -> Bool {
        let missingRows = rowCount - 1
        let text = UnsafeBufferPointer(rebasing: input[span.start..<span.end])
        if !span.isQuoted, NumberParsing.parse(text, decimalSeparator: decimalSeparator) != .notANumber {
            mode = .numbers
            values.reserveCapacity(max(expectedRows, missingRows + 1))
            values.append(contentsOf: repeatElement(.nan, count: missingRows))
            return addNumber(span, in: input)
        }
        mode = .labels
        codes.reserveCapacity(max(expectedRows, missingRows + 1))
        codes.append(contentsOf: repeatElement(CategoricalColumn.missingCode, count: missingRows))
        addLabel(span, in: input)
        return true
    }

    /// Whether the column is kept as labels and will stay categorical whatever follows.
    private var staysCategorical: Bool {
        mode == .labels && (declaredCategorical || !labelsMayBeNumbers || !sawUnquotedValue)
    }

    /// Sorts the labels ahead (on the thread that read them) when the column is categorical
    /// unless the following part makes it numeric (every label so far is quoted).
    mutating func sortLabels() {
        guard staysCategorical else { return }
        sortedLabels = interner.withLabelBytes { labels in
            let numerically = LevelOrdering.allNumbers(labels)
            return (LevelOrdering.sortedOrder(of: labels, numerically: numerically), numerically)
        }
    }

    // MARK: - Joining parts

    /// The column of `first` followed by `second`, as ``append(_:)`` and then
    /// ``column(requestedOrder:)`` give it. Two parts of a categorical column in the default
    /// order are joined by merging their sorted labels, without looking up the second part's
    /// labels in the first's.
    static func joinedColumn(
        _ first: consuming ColumnBuilder, _ second: consuming ColumnBuilder, requestedOrder: [String]?
    ) -> Column? {
        guard requestedOrder == nil, first.mode == .labels, second.mode == .labels,
              first.declaredCategorical || !(first.labelsMayBeNumbers && second.labelsMayBeNumbers)
                || !(first.sawUnquotedValue || second.sawUnquotedValue) else {
            guard first.append(second) else { return nil }
            return first.column(requestedOrder: requestedOrder)
        }
        return mergedCategorical(first, second)
    }

    private static func mergedCategorical(_ first: consuming ColumnBuilder, _ second: consuming ColumnBuilder) -> Column {
        let numerically = first.interner.withLabelBytes { LevelOrdering.allNumbers($0) }
            && second.interner.withLabelBytes { LevelOrdering.allNumbers($0) }
        let firstOrder = first.labelOrder(numerically: numerically)
        let secondOrder = second.labelOrder(numerically: numerically)
        var firstPosition = [Int32](repeating: CategoricalColumn.missingCode, count: first.interner.count)
        var secondPosition = [Int32](repeating: CategoricalColumn.missingCode, count: second.interner.count)
        let levels: [String] = first.interner.withLabelBytes { firstLabels in
            second.interner.withLabelBytes { secondLabels in
                let merged = LevelOrdering.mergedOrder(first: firstLabels, firstOrder: firstOrder, second: secondLabels,
                                                       secondOrder: secondOrder, numerically: numerically)
                var levels = [String]()
                levels.reserveCapacity(merged.count)
                for (position, level) in merged.enumerated() {
                    let code = Int32(truncatingIfNeeded: position)
                    if level.first >= 0 {
                        firstPosition[Int(level.first)] = code
                        levels.append(String(decoding: firstLabels[Int(level.first)], as: UTF8.self))
                    } else {
                        levels.append(String(decoding: secondLabels[Int(level.second)], as: UTF8.self))
                    }
                    if level.second >= 0 { secondPosition[Int(level.second)] = code }
                }
                return levels
            }
        }
        var codes = first.codes
        first.codes = []
        codes.withUnsafeMutableBufferPointer { buffer in
            for row in buffer.indices where buffer[row] != CategoricalColumn.missingCode {
                buffer[row] = firstPosition[Int(buffer[row])]
            }
        }
        codes.reserveCapacity(codes.count + second.codes.count)
        for code in second.codes {
            codes.append(code == CategoricalColumn.missingCode ? code : secondPosition[Int(code)])
        }
        return .categorical(CategoricalColumn(codes: codes, levels: levels))
    }

    /// The default order of the labels, sorted numerically or bytewise.
    private func labelOrder(numerically: Bool) -> [Int] {
        if let sortedLabels, sortedLabels.numerically == numerically { return sortedLabels.order }
        return interner.withLabelBytes { LevelOrdering.sortedOrder(of: $0, numerically: numerically) }
    }

    /// Appends the rows of `other`, the same column read from the records that follow; `false`
    /// when the general path must read the file.
    mutating func append(_ other: consuming ColumnBuilder) -> Bool {
        switch (mode, other.mode) {
        case (_, .undecided):
            padMissing(other.rowCount)
            return true
        case (.undecided, _):
            var joined = other
            joined.prependMissing(rowCount)
            self = joined
            return true
        case (.numbers, .numbers):
            values.append(contentsOf: other.values)
        case (.labels, .labels):
            appendLabels(of: other)
        case (.numbers, .labels):
            guard let numbers = other.labelValues() else { return false }
            values.append(contentsOf: numbers)
        case (.labels, .numbers):
            guard let numbers = labelValues() else { return false }
            var joined = ColumnBuilder(declaredCategorical: false, decimalSeparator: decimalSeparator,
                                       missing: missing, expectedRows: 0)
            joined.mode = .numbers
            joined.values = numbers
            joined.values.append(contentsOf: other.values)
            joined.rowCount = rowCount
            self = joined
        }
        rowCount += other.rowCount
        return true
    }

    private mutating func appendLabels(of other: ColumnBuilder) {
        let newCode: [Int32] = other.interner.withLabelBytes { labels in
            (0..<labels.count).map { interner.code(for: labels[$0]) }
        }
        codes.reserveCapacity(codes.count + other.codes.count)
        for code in other.codes {
            codes.append(code == CategoricalColumn.missingCode ? code : newCode[Int(code)])
        }
        labelsMayBeNumbers = labelsMayBeNumbers && other.labelsMayBeNumbers
        sawUnquotedValue = sawUnquotedValue || other.sawUnquotedValue
    }

    /// Adds `count` missing rows at the end.
    private mutating func padMissing(_ count: Int) {
        switch mode {
        case .undecided: break
        case .numbers: values.append(contentsOf: repeatElement(.nan, count: count))
        case .labels: codes.append(contentsOf: repeatElement(CategoricalColumn.missingCode, count: count))
        }
        rowCount += count
    }

    /// Adds `count` missing rows at the start.
    private mutating func prependMissing(_ count: Int) {
        switch mode {
        case .undecided: break
        case .numbers: values.insert(contentsOf: repeatElement(.nan, count: count), at: 0)
        case .labels: codes.insert(contentsOf: repeatElement(CategoricalColumn.missingCode, count: count), at: 0)
        }
        rowCount += count
    }

    /// The rows as numbers when every label reads as a number (NaN where missing or `NaN`);
    /// `nil` when a label is text or an infinity.
    private func labelValues() -> [Double]? {
        guard mode == .labels, labelsMayBeNumbers else { return nil }
        let valueOfCode: [Double]? = interner.withLabelBytes { labels in
            var result = [Double]()
            result.reserveCapacity(labels.count)
            for index in 0..<labels.count {
                switch NumberParsing.parse(labels[index], decimalSeparator: decimalSeparator) {
                case .finite(let value): result.append(value)
                case .nonFinite where NumberParsing.isNaNWord(labels[index]): result.append(.nan)
                case .nonFinite, .notANumber: return nil
                }
            }
            return result
        }
        guard let valueOfCode else { return nil }
        return codes.map { $0 == CategoricalColumn.missingCode ? .nan : valueOfCode[Int($0)] }
    }

    // MARK: - The column

    /// The finished column, typed by the general path's rule, with levels in the default order or
    /// `requestedOrder`; `nil` when the general path must read the file (it then reports the
    /// infinity or the unusable level order).
    consuming func column(requestedOrder: [String]?) -> Column? {
        switch mode {
        case .undecided:
            return .numeric(NumericColumn(values: [Double](repeating: .nan, count: rowCount)))
        case .numbers:
            return .numeric(NumericColumn(values: values))
        case .labels:
            if !declaredCategorical, labelsMayBeNumbers, sawUnquotedValue {
                guard let numbers = labelValues() else { return nil }
                return .numeric(NumericColumn(values: numbers))
            }
        }
        let order: [Int]
        if let requestedOrder {
            guard case .success(let requested) = LevelOrdering.order(of: interner.labels, requested: requestedOrder) else {
                return nil
            }
            order = requested
        } else {
            order = interner.withLabelBytes { LevelOrdering.sortedOrder(of: $0) }
        }
        let labels = interner.labels
        var newCode = [Int32](repeating: CategoricalColumn.missingCode, count: labels.count)
        for (position, oldCode) in order.enumerated() {
            newCode[oldCode] = Int32(truncatingIfNeeded: position)
        }
        var recoded = codes
        codes = []
        recoded.withUnsafeMutableBufferPointer { buffer in
            for row in buffer.indices where buffer[row] != CategoricalColumn.missingCode {
                buffer[row] = newCode[Int(buffer[row])]
            }
        }
        return .categorical(CategoricalColumn(codes: recoded, levels: order.map { labels[$0] }))
    }
}
