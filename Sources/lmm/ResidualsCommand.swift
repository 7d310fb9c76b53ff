import ArgumentParser
import MixedModels

extension ResidualType: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// `lmm residuals`: fitted values, residuals and leverages, one row per row of the data file.
struct ResidualsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residuals",
        abstract: "Fit the model, then write fitted values, residuals and leverages (CSV), one row per data row in input order.",
        discussion: """
        Columns row (the 1-based data row of the file), fitted, residual, leverage, then the --keep columns. Rows \
        dropped for missing values keep their row number, with empty fitted, residual and leverage. \
        fitted is X·beta + Z·b (conditional, the default; MATLAB's fitted, lme4's fitted) or X·beta with --marginal \
        (MATLAB's 'Conditional', false; lme4's predict(re.form = NA)). The residual is y − fitted, of --type: \
        raw; pearson, divided by the estimated SD of the response (conditional sigma/sqrt(w), marginal \
        sqrt(z'Psi z + sigma^2/w)), MATLAB's 'Pearson' (lme4's type = "pearson" is sqrt(w)·raw, not divided by sigma); \
        standardized, divided by the estimated SD of the residual itself, MATLAB's 'Standardized' (conditional: \
        sigma·sqrt((1 − h)/w) with h the leverage, without weights residuals(m)/(sigma(m)·sqrt(1 − hatvalues(m))) \
        in lme4; marginal: the diagonal of V − X(X'V⁻¹X)⁻¹X'). \
        leverage is the diagonal of the hat matrix of the conditional fitted values, lme4's hatvalues (also with --marginal).
        """
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup
    @OptionGroup var saved: SavedFitOptions

    @Option(name: .long, help: "Residual type: raw (default), pearson or standardized (MATLAB's ResidualType).")
    var type: ResidualType = .raw

    @Flag(name: .long, help: "Fitted values and residuals from the fixed effects only (X·beta), MATLAB's 'Conditional', false.")
    var marginal = false

    @Option(name: .long, help: ArgumentHelp("Data columns to copy into the output (identifiers), comma-separated (repeatable).", valueName: "COLS"))
    var keep: [String] = []

    @Option(name: .long, help: ArgumentHelp("Write to this file (whole or not at all) instead of standard output; '-' is standard output.", valueName: "FILE"))
    var output: String?

    func run() throws {
        let table = try input.loadTable()
        let keptNames = keep.flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var kept: [Column] = []
        for name in keptNames {
            guard let column = table.column(named: name) else {
                throw CommandError("--keep: there is no column '\(name)' in '\(table.source)'; its columns are: \(table.columnNames.joined(separator: ", "))")
            }
            kept.append(column)
        }
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions(rowCount: table.rowCount))
        let fit = try saved.fit(model, options: modelOptions)
        let fitted = fit.fitted(conditional: !marginal)
        let residuals = fit.residuals(type, conditional: !marginal)
        let leverages = fit.leverages()
        var position = [Int](repeating: -1, count: table.rowCount)
        for (index, row) in model.design.rowIndices.enumerated() where row < position.count { position[row] = index }
        var lines = [(["row", "fitted", "residual", "leverage"] + keptNames.map(ResultOutput.csvField)).joined(separator: ",")]
        lines.reserveCapacity(table.rowCount + 1)
        for row in 0..<table.rowCount {
            var fields = [String(row + 1)]
            let index = position[row]
            if index >= 0 {
                fields += [fitted[index], residuals[index], leverages[index]].map(OutputFile.csvNumber)
            } else {
                fields += ["", "", ""]
            }
            fields += kept.map { Self.field($0, row: row) }
            lines.append(fields.joined(separator: ","))
        }
        try ResultOutput.emit(lines.joined(separator: "\n"), to: output)
    }

    /// A data value as CSV text: empty when missing, whole numbers without a decimal point.
    static func field(_ column: Column, row: Int) -> String {
        switch column {
        case .numeric(let numbers):
            let value = numbers.values[row]
            guard !value.isNaN else { return "" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return "\(value)"
        case .categorical(let categories):
            return categories.label(at: row).map(ResultOutput.csvField) ?? ""
        }
    }
}
