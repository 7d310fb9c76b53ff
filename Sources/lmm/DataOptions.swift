import ArgumentParser
import Foundation
import MixedModels

/// The data and formula every model subcommand reads, with the reading options.
struct DataOptions: ParsableArguments {
    @Argument(help: "A CSV/TSV file, - for standard input, or the name of a built-in data set (see `lmm datasets`).")
    var data: String

    @Argument(help: "The model formula, e.g. 'Reaction ~ 1 + Days + (1 + Days | Subject)'.")
    var formula: String

    @Option(name: .long, help: ArgumentHelp("Columns to treat as categorical, comma-separated (repeatable).", valueName: "COLS"))
    var categorical: [String] = []

    @Option(name: .long, help: ArgumentHelp("The level order of a categorical column; the first level is the reference (repeatable).", valueName: "COL=L1,L2,..."))
    var levels: [String] = []

    @Option(name: .long, help: ArgumentHelp("Extra missing-value codes, comma-separated (repeatable); NA, NaN and empty fields are always missing. Example: --na .,-999", valueName: "TOKENS"))
    var na: [String] = []

    @Option(name: .long, help: ArgumentHelp("The decimal separator: . (default) or , (decimal commas; the fields are then separated by ; or tab).", valueName: "CHAR"))
    var decimal: String = "."

    /// The reading options from `--categorical`, `--levels`, `--na` and `--decimal`.
    func readOptions() throws -> CSVReadOptions {
        var options = CSVReadOptions()
        for list in na {
            for token in list.split(separator: ",", omittingEmptySubsequences: true) {
                options.missingTokens.insert(token.trimmingCharacters(in: .whitespaces))
            }
        }
        switch decimal {
        case ".": options.decimalSeparator = UInt8(ascii: ".")
        case ",": options.decimalSeparator = UInt8(ascii: ",")
        default: throw ValidationError("--decimal must be . or , but got '\(decimal)'")
        }
        for list in categorical {
            for name in list.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                if !trimmed.isEmpty { options.categoricalColumns.insert(trimmed) }
            }
        }
        for specification in levels {
            guard let equals = specification.firstIndex(of: "="), equals != specification.startIndex else {
                throw ValidationError("--levels expects COL=L1,L2,... but got '\(specification)'")
            }
            let column = String(specification[..<equals])
            let order = specification[specification.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if order.isEmpty || order.contains("") {
                throw ValidationError("--levels for '\(column)' has an empty level name in '\(specification)'")
            }
            options.levelOrders[column] = order
        }
        return options
    }

    /// Reads DATA: standard input for `-`, a file when one exists at that path, else a built-in
    /// data set.
    func loadTable() throws -> DataTable {
        let options = try readOptions()
        if data == "-" {
            let bytes = FileHandle.standardInput.readDataToEndOfFile()
            return try DataTable(csvData: bytes, source: "standard input", options: options)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), !isDirectory.boolValue {
            let url = URL(fileURLWithPath: data)
            InputFiles.shared.record(url)
            return try DataTable(contentsOf: url, options: options)
        }
        if BuiltInDataset.canonicalName(data) != nil {
            return try DataTable.builtIn(data, options: options)
        }
        throw CommandError("there is no file '\(data)' and no built-in data set of that name; built-in data sets: \(BuiltInDataset.names.joined(separator: ", "))")
    }
}

/// An error with a message for the user.
struct CommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Output formats.
enum OutputFormat: String, CaseInsensitiveArgument, CaseIterable {
    case text, json
}
