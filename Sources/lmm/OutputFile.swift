import Foundation
import MixedModels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes command output: `-` is standard output; a new or regular file is written whole or not at
/// all (a temporary file renamed into place); a symbolic link, device, FIFO or socket (such as
/// `/dev/stdout`) is written through and never replaced. Never over a file the command has read
/// (see ``InputFiles``).
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        if path == "-" {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        if let kind = Self.kind(of: path, followingLinks: false), kind != S_IFREG, kind != S_IFDIR {
            guard Self.kind(of: path, followingLinks: true) != S_IFDIR else {
                throw CommandError("cannot write '\(path)': it is a folder; give a file name")
            }
            try writeThrough(text, to: path)
            return
        }
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

    /// The file type bits (`S_IFREG`, `S_IFLNK`, …) of `path`, or `nil` when nothing is there.
    private static func kind(of path: String, followingLinks: Bool) -> mode_t? {
        var info = stat()
        let status = followingLinks ? stat(path, &info) : lstat(path, &info)
        return status == 0 ? info.st_mode & S_IFMT : nil
    }

    /// Writes into an existing link, device, FIFO or socket, without replacing it (a dangling
    /// link's target is created).
    private static func writeThrough(_ text: String, to path: String) throws {
        if let input = InputFiles.shared.input(sameAs: URL(fileURLWithPath: path)) {
            throw CommandError("cannot write '\(path)': it is the input file '\(input)', which is never overwritten; choose another output file")
        }
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0o666)
        guard descriptor >= 0 else {
            throw CommandError("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { posixWrite(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandError("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            written += count
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
    /// Reads a second table (new data; `-` is standard input) with the same missing-value codes
    /// and decimal separator; columns that are categorical in the fitted table become
    /// categorical here too, so that codes such as subject numbers match the fitted levels.
    func loadNewTable(_ path: String, like fitted: DataTable) throws -> DataTable {
        var options = CSVReadOptions()
        let given = try readOptions()
        options.missingTokens = given.missingTokens
        options.decimalSeparator = given.decimalSeparator
        var table: DataTable
        if path == "-" {
            guard data != "-" else { throw CommandError("DATA and --new cannot both be standard input (-)") }
            table = try DataTable(csvData: FileHandle.standardInput.readDataToEndOfFile(), source: "standard input", options: options)
        } else {
            let url = URL(fileURLWithPath: path)
            InputFiles.shared.record(url)
            table = try DataTable(contentsOf: url, options: options)
        }
        for (name, column) in zip(fitted.columnNames, fitted.columns) where column.isCategorical {
            if let existing = table.column(named: name), !existing.isCategorical {
                table = try table.makingCategorical(name)
            }
        }
        return table
    }
}

/// The C library's `write(2)` (the name `write` is taken by ``OutputFile/write(_:to:)`` inside the enum).
private func posixWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
