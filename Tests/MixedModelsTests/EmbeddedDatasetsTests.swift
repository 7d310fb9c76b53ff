import Foundation
import Testing
@testable import MixedModels

/// The built-in data sets are embedded in the binary: the generated source matches the data
/// files, and a copied `lmm` still loads them.
@Suite("Embedded data sets")
struct EmbeddedDatasetsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/MixedModels/Datasets")

    @Test("every CSV file and the manifest are embedded, byte for byte (regenerate: swift Scripts/embed-datasets.swift)")
    func generatedSourceMatchesTheFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".csv") || $0 == "manifest.json" }.sorted()
        #expect(EmbeddedDatasets.fileNames == files)
        for file in files {
            let onDisk = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
            #expect(EmbeddedDatasets.text(of: file) == onDisk, "\(file) differs from its embedded copy")
        }
        #expect(EmbeddedDatasets.text(of: "nothing.csv") == nil)
    }

    @Test("every manifest entry loads with its row count")
    func everyDatasetLoads() throws {
        let manifest = try BuiltInDataset.manifest()
        #expect(manifest.count == 15)
        for (name, entry) in manifest {
            let table = try DataTable.builtIn(name)
            #expect(table.rowCount == entry.rows, "\(name)")
            #expect(table.source == name)
        }
    }

    @Test("a copy of the lmm binary in another folder fits a built-in data set")
    func copiedBinaryKeepsWorking() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-copy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = folder.appendingPathComponent("lmm")
        try FileManager.default.copyItem(at: try CommandLineTests.executable(), to: copy)
        let process = Process()
        process.executableURL = copy
        process.arguments = ["fit", "Penicillin", "diameter ~ 1 + (1 | plate) + (1 | sample)", "--format", "json"]
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect(object?["numObservations"] as? Int == 144)
    }
}
