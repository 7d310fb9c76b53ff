import Foundation

/// The classic mixed-model data sets that ship with the package (from the R packages lme4 and
/// nlme), loadable by name: `sleepstudy`, `Dyestuff`, `Dyestuff2`, `Penicillin`, `Pastes`,
/// `cake`, `InstEval`, `Orthodont`, `Oats`, `Machines`, `ergoStool`, `Rail`, `cbpp`,
/// `grouseticks`, `sleepstudy_unbalanced`.
///
/// Factor columns are categorical with the packages' own level order (for example
/// `Orthodont.Sex` is Male, Female), so that reference coding matches lme4's.
///
/// The data are embedded in the binary (``EmbeddedDatasets``, generated from the CSV files in
/// `Sources/MixedModels/Datasets`), so a copied `lmm` or a program linking the library needs no
/// resource folder.
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
              let text = EmbeddedDatasets.text(of: entry.file) else {
            throw .unreadableFile(path: name, reason: "there is no such file and no built-in data set of that name; built-in data sets: \(names.joined(separator: ", "))")
        }
        var readOptions = options
        for column in entry.columns where column.type == "factor" {
            readOptions.categoricalColumns.insert(column.name)
            if readOptions.levelOrders[column.name] == nil, let levels = column.levels {
                readOptions.levelOrders[column.name] = levels
            }
        }
        return try DataTable(csv: text, source: canonical, options: readOptions)
    }

    struct ManifestEntry: Decodable, Sendable {
        struct ColumnEntry: Decodable, Sendable {
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

    /// The data sets by name, decoded once from the embedded `manifest.json`.
    static func manifest() throws -> [String: ManifestEntry] {
        try decodedManifest.get()
    }

    private static let decodedManifest: Result<[String: ManifestEntry], any Error> = Result {
        guard let text = EmbeddedDatasets.text(of: "manifest.json") else { return [:] }
        return try JSONDecoder().decode(Manifest.self, from: Data(text.utf8)).datasets
    }
}

extension DataTable {
    /// Loads a built-in data set by name (see ``BuiltInDataset``).
    public static func builtIn(_ name: String, options: CSVReadOptions = CSVReadOptions()) throws(CSVError) -> DataTable {
        try BuiltInDataset.load(name, options: options)
    }
}
