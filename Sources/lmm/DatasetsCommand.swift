import ArgumentParser
import MixedModels

/// `lmm datasets`: lists the built-in data sets.
struct DatasetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datasets",
        abstract: "List the built-in data sets (usable as DATA in every subcommand)."
    )

    func run() throws {
        for name in BuiltInDataset.names {
            if let table = try? DataTable.builtIn(name) {
                print("\(name) (\(table.rowCount) rows): \(table.columnNames.joined(separator: ", "))")
            } else {
                print(name)
            }
        }
    }
}
