import ArgumentParser

/// Output formats of table-like results.
enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case text, csv, json

    init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}
