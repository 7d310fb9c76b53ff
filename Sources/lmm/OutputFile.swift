import Foundation
import MixedModels

/// Writes command output files whole or not at all (a temporary file renamed into place).
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError("cannot write '\(path)': the folder '\(directory.path)' does not exist")
        }
        do {
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw CommandError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// A number for a CSV file: shortest round-trip form, `NA` when not finite.
    static func csvNumber(_ value: Double) -> String {
        value.isFinite ? "\(value)" : "NA"
    }
}

extension DataOptions {
    /// Reads a second table (new data); columns that are categorical in the fitted table become
    /// categorical here too, so that codes such as subject numbers match the fitted levels.
    func loadNewTable(_ path: String, like fitted: DataTable) throws -> DataTable {
        var table = try DataTable(contentsOf: URL(fileURLWithPath: path))
        for (name, column) in zip(fitted.columnNames, fitted.columns) where column.isCategorical {
            if let existing = table.column(named: name), !existing.isCategorical {
                table = try table.makingCategorical(name)
            }
        }
        return table
    }
}
