import Foundation
import Testing
@testable import MixedModels

/// Large regular files are read in two halves on two threads (`FileBytes`); everything else the
/// ordinary way.
@Suite("CSV file reading")
struct FileBytesTests {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("file-bytes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func largeFileReadsExactlyItsBytesAndTheSameTable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var generator = SplitMix64(seed: 4)
        var text = "y,g\n"
        while text.utf8.count < FileBytes.parallelSize + 12_345 {
            text += "\(Double(generator.next() % 100_000) / 100),g\(generator.next() % 50)\n"
        }
        let bytes = Array(text.utf8)
        let url = directory.appendingPathComponent("large.csv")
        try Data(bytes).write(to: url)
        let path = url.path(percentEncoded: false)
        if DenseKernels.processorCount > 1 {
            #expect(FileBytes.readLargeRegularFile(atPath: path) == bytes)
        }
        let fromFile = try DataTable(contentsOf: url)
        let fromBytes = try DataTable(csvBytes: bytes, source: path)
        #expect(fromFile == fromBytes)
        #expect(fromFile.sourceLines == fromBytes.sourceLines)
    }

    @Test func smallFilesDirectoriesAndPipesAreLeftToTheOrdinaryRead() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let small = directory.appendingPathComponent("small.csv")
        try Data("a\n1\n".utf8).write(to: small)
        #expect(FileBytes.readLargeRegularFile(atPath: small.path(percentEncoded: false)) == nil)
        #expect(FileBytes.readLargeRegularFile(atPath: directory.path(percentEncoded: false)) == nil)
        #expect(FileBytes.readLargeRegularFile(atPath: directory.appendingPathComponent("absent").path) == nil)
        // A pipe is not opened (opening it for reading would wait for a writer).
        let pipe = directory.appendingPathComponent("pipe")
        guard mkfifo(pipe.path(percentEncoded: false), 0o600) == 0 else { return }
        #expect(FileBytes.readLargeRegularFile(atPath: pipe.path(percentEncoded: false)) == nil)
    }
}
