import Foundation
import MixedModels

/// Writes command output files whole or not at all (a temporary file renamed into place), and
/// never over a file the command has read (see ``InputFiles``).
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandError("cannot write '\(path)': the folder '\(directory.path)' does not exist")
        }
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw CommandError("cannot write '\(path)': it is a folder; give a file name")
        }
        if let input = InputFiles.shared.input(sameAs: url) {
            throw CommandError("cannot write '\(path)': it is the input file '\(input)', which is never overwritten; choose another output file")
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

/// The files this process has read as input, so that no output overwrites one (also through a
/// different path to the same file: a symbolic or hard link).
final class InputFiles: @unchecked Sendable {
    static let shared = InputFiles()

    private let lock = NSLock()
    private var paths: [String] = []

    /// Records `url` as an input.
    func record(_ url: URL) {
        lock.lock()
        defer { lock.unlock() }
        paths.append(url.path)
    }

    /// The recorded input that is the same file as `url`, if any.
    func input(sameAs url: URL) -> String? {
        lock.lock()
        let recorded = paths
        lock.unlock()
        let target = Self.identity(of: url)
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath().path
        return recorded.first { path in
            let input = URL(fileURLWithPath: path)
            if input.standardizedFileURL.resolvingSymlinksInPath().path == resolved { return true }
            guard let target, let other = Self.identity(of: input) else { return false }
            return target == other
        }
    }

    /// The device and inode of an existing file.
    private static func identity(of url: URL) -> [Int]? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              let device = (attributes[.systemNumber] as? NSNumber)?.intValue,
              let inode = (attributes[.systemFileNumber] as? NSNumber)?.intValue else { return nil }
        return [device, inode]
    }
}

extension DataOptions {
    /// Reads a second table (new data); columns that are categorical in the fitted table become
    /// categorical here too, so that codes such as subject numbers match the fitted levels.
    func loadNewTable(_ path: String, like fitted: DataTable) throws -> DataTable {
        let url = URL(fileURLWithPath: path)
        InputFiles.shared.record(url)
        var table = try DataTable(contentsOf: url)
        for (name, column) in zip(fitted.columnNames, fitted.columns) where column.isCategorical {
            if let existing = table.column(named: name), !existing.isCategorical {
                table = try table.makingCategorical(name)
            }
        }
        return table
    }
}
