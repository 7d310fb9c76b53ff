/// What was built from a table and a formula (the `lmm design` output) as text and JSON:
/// `numObservations`, `droppedRows`, `fixedEffectsColumns`, `droppedColumns`,
/// `randomEffectsTerms` (`{group, levels, columns}`).
public struct DesignReport: Sendable {
    public let design: ModelDesign

    public init(design: ModelDesign) {
        self.design = design
    }

    /// The random-effects terms as a JSON array of `{group, levels, columns}` (plus the level names).
    var randomTermsJSON: JSONValue {
        .array(design.randomEffectsTerms.map { term in
            .object([("group", .string(term.groupName)), ("levels", .integer(term.levelCount)),
                     ("columns", .array(term.columnNames.map { .string($0) })),
                     ("covariancePattern", .string(term.covariancePattern.rawValue)),
                     ("levelNames", .array(term.levels.map { .string($0) }))])
        })
    }

    /// The JSON object.
    public var json: JSONValue {
        .object([
            ("formula", .string(design.formula.text)),
            ("numObservations", .integer(design.observationCount)),
            ("droppedRows", .integer(design.droppedRowCount)),
            ("response", .string(design.formula.response)),
            ("fixedEffectsColumns", .array(design.fixedEffects.columnNames.map { .string($0) })),
            ("droppedColumns", .array(design.fixedEffects.droppedColumnNames.map { .string($0) })),
            ("randomEffectsTerms", randomTermsJSON),
        ])
    }

    /// The text summary.
    public var text: String {
        var lines = ["Formula:", "    \(design.formula.text)", ""]
        lines.append("Observations used: \(design.observationCount)")
        lines.append("Rows dropped for missing values: \(design.droppedRowCount)")
        lines.append("")
        lines.append("Fixed-effects columns (\(design.fixedEffects.columnCount)):")
        lines += design.fixedEffects.columnNames.map { "    \($0)" }
        if !design.fixedEffects.droppedColumnNames.isEmpty {
            lines.append("Dropped aliased columns (rank deficient X):")
            lines += design.fixedEffects.droppedColumnNames.map { "    \($0)" }
        }
        lines.append("")
        lines.append("Random-effects terms (\(design.randomEffectsTerms.count)):")
        var table = TextTable(headers: ["Group", "Levels", "Columns", "Pattern"], alignments: [.left, .right, .left, .left])
        for term in design.randomEffectsTerms {
            table.append([term.groupName, String(term.levelCount), term.columnNames.joined(separator: ", "),
                          term.covariancePattern.rawValue])
        }
        lines.append(table.rendered())
        return lines.joined(separator: "\n")
    }
}
