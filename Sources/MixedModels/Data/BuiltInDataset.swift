import Foundation

/// The classic mixed-model data sets that ship with the package (from the R packages lme4 and
/// nlme), loadable by name: `sleepstudy`, `Dyestuff`, `Dyestuff2`, `Penicillin`, `Pastes`,
/// `cake`, `InstEval`, `Orthodont`, `Oats`, `Machines`, `ergoStool`, `Rail`, `cbpp`,
/// `grouseticks`, `sleepstudy_unbalanced`.
///
/// Factor columns are categorical with the packages' own level order (for example
/// `Orthodont.Sex` is Male, Female), so that reference coding matches lme4's.
public enum BuiltInDataset {
    /// The names of the built-in data sets.
    public static var names: [String] {
        (try? manifest().keys.sorted { $0.lowercased() < $1.lowercased() }) ?? []
    }

    /// The canonical name of a built-in data set, matching `name` without regard to case.
    public static func canonicalName(_ name: String) -> String? {
        names.first { $0.lowercased() == name.lowercased() }
    }

    /// Loads a built-in data set.
    /// - Parameter options: extra reading options (declared categorical columns, level orders);
    ///   the data set's own factor levels are used unless `options` gives an order.
    /// - Throws: ``CSVError/unreadableFile(path:reason:)`` naming the available data sets when there is
    ///   no data set called `name`.
    public static func load(_ name: String, options: CSVReadOptions = CSVReadOptions()) throws(CSVError) -> DataTable {
        let entries: [String: ManifestEntry]
        do { entries = try manifest() } catch { throw .unreadableFile(path: "manifest.json", reason: "\(error)") }
        guard let canonical = canonicalName(name), let entry = entries[canonical],
              let url = resourceURL(entry.file) else {
            throw .unreadableFile(path: name, reason: "there is no such file and no built-in data set of that name; built-in data sets: \(names.joined(separator: ", "))")
        }
        var readOptions = options
        for column in entry.columns where column.type == "factor" {
            readOptions.categoricalColumns.insert(column.name)
            if readOptions.levelOrders[column.name] == nil, let levels = column.levels {
                readOptions.levelOrders[column.name] = levels
            }
        }
        let table = try DataTable(contentsOf: url, options: readOptions)
        return try DataTable(renaming: table, source: canonical)
    }

    struct ManifestEntry: Decodable {
        struct ColumnEntry: Decodable {
            let name: String
            let type: String
            let levels: [String]?
        }
        let file: String
        let rows: Int
        let columns: [ColumnEntry]
    }

    private struct Manifest: Decodable {
        let datasets: [String: ManifestEntry]
    }

    static func manifest() throws -> [String: ManifestEntry] {
        guard let url = resourceURL("manifest.json") else { return [:] }
        return try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url)).datasets
    }

    private static func resourceURL(_ file: String) -> URL? {
        guard let directory = Bundle.module.url(forResource: "Datasets", withExtension: nil) else { return nil }
        let url = directory.appendingPathComponent(file)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

extension DataTable {
    /// Loads a built-in data set by name (see ``BuiltInDataset``).
    public static func builtIn(_ name: String, options: CSVReadOptions = CSVReadOptions()) throws(CSVError) -> DataTable {
        try BuiltInDataset.load(name, options: options)
    }

    /// The same table under another source name.
    init(renaming table: DataTable, source: String) throws(CSVError) {
        do {
            try self.init(columnNames: table.columnNames, columns: table.columns, source: source,
                          sourceLines: table.sourceLines)
        } catch {
            throw .unreadableFile(path: source, reason: error.description)
        }
    }
}
