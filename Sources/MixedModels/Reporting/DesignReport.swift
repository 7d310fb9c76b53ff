import Foundation

/// What was built from a table and a formula (the `lmm design` output) as text and JSON:
/// `numObservations`, `droppedRows`, `zeroWeightRows`, `fixedEffectsColumns`, `droppedColumns`,
/// `randomEffectsTerms` (`{group, levels, columns}`) and, when the model was built,
/// `factorBlocks` (`{group, storage, nonzeros, bytes}`: the storage chosen for each term's block
/// column of the Cholesky factor).
public struct DesignReport: Sendable {
    public let design: ModelDesign
    /// The factor's storage per term (empty when only the design was built).
    public let factorBlocks: [FactorBlockDescription]

    public init(design: ModelDesign, factorBlocks: [FactorBlockDescription] = []) {
        self.design = design
        self.factorBlocks = factorBlocks
    }

    /// The model's design and its factor's storage.
    public init(model: LinearMixedModel) {
        self.init(design: model.design, factorBlocks: model.factorBlocks)
    }

    var factorBlocksJSON: JSONValue {
        .array(factorBlocks.map { block in
            .object([("group", .string(block.group)), ("storage", .string(block.storage.rawValue)),
                     ("nonzeros", .integer(block.nonzeros)), ("bytes", .integer(block.bytes))])
        })
    }

    /// The random-effects terms as a JSON array of `{group, levels, columns}` (plus the level
    /// names, and `columnCentres` for a term whose columns the fit centres).
    var randomTermsJSON: JSONValue {
        .array(design.randomEffectsTerms.map { term in
            .object([("group", .string(term.groupName)), ("levels", .integer(term.levelCount)),
                     ("columns", .array(term.columnNames.map { .string($0) })),
                     ("covariancePattern", .string(term.covariancePattern.rawValue)),
                     ("levelNames", .array(term.levels.map { .string($0) }))]
                    + (term.isCentred ? [("columnCentres", .array(term.columnCentres.map { .number($0) }))] : []))
        })
    }

    /// The JSON object.
    public var json: JSONValue {
        .object([
            ("formula", .string(design.formula.text)),
            ("numObservations", .integer(design.observationCount)),
            ("droppedRows", .integer(design.droppedRowCount)),
            ("excludedRows", .integer(design.excludedRowCount)),
            ("droppedMissingRows", .integer(design.droppedRowCount)),
            ("zeroWeightRows", .integer(design.zeroWeightRowCount)),
            ("response", .string(design.formula.response)),
            ("fixedEffectsColumns", .array(design.fixedEffects.columnNames.map { .string($0) })),
            ("droppedColumns", .array(design.fixedEffects.droppedColumnNames.map { .string($0) })),
            ("randomEffectsTerms", randomTermsJSON),
        ] + (factorBlocks.isEmpty ? [] : [("factorBlocks", factorBlocksJSON)]))
    }

    /// The text summary.
    public var text: String {
        var lines = ["Formula:", "    \(design.formula.text)", ""]
        lines.append("Observations used: \(design.observationCount)")
        lines.append("Rows dropped for missing values: \(design.droppedRowCount)")
        if design.excludedRowCount > 0 { lines.append("Rows excluded: \(design.excludedRowCount)") }
        if design.zeroWeightRowCount > 0 { lines.append("Rows excluded for zero weight: \(design.zeroWeightRowCount)") }
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
        let centred = design.randomEffectsTerms.filter(\.isCentred)
        if !centred.isEmpty {
            lines.append("Random-effects columns centred inside the fit (far from zero; results are in the data's units):")
            for term in centred {
                let columns = term.columnNames.indices.filter { term.columnCentres[$0] != 0 }
                    .map { "\(term.columnNames[$0]) − \(term.columnCentres[$0])" }
                lines.append("    \(term.groupName): \(columns.joined(separator: ", "))")
            }
        }
        if !factorBlocks.isEmpty {
            lines.append("")
            lines.append("Cholesky factor blocks:")
            var blocks = TextTable(headers: ["Group", "Storage", "Nonzeros", "Memory"],
                                   alignments: [.left, .left, .right, .right])
            for block in factorBlocks {
                blocks.append([block.group, block.storage.rawValue, String(block.nonzeros), Self.memory(block.bytes)])
            }
            lines.append(blocks.rendered())
        }
        return lines.joined(separator: "\n")
    }

    /// Bytes as B, KB, MB or GB (powers of 1000).
    static func memory(_ bytes: Int) -> String {
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.2f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.1f MB", value / 1e6) }
        if value >= 1e3 { return String(format: "%.1f KB", value / 1e3) }
        return "\(bytes) B"
    }
}
