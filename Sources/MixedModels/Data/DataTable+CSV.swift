import Foundation

extension DataTable {
    /// Reads a CSV or TSV file.
    ///
    /// The file must be UTF-8 (a byte-order mark is allowed) with a header line of unique column
    /// names, then one record per data row. Fields follow RFC 4180: a field may be quoted with `"`,
    /// and a quoted field may contain delimiters, line breaks and doubled quotes (`""`). Lines end
    /// with LF, CRLF or CR; the last line may lack one; empty lines are skipped (so a one-column
    /// file must write a missing value as `NA`, not as an empty line). Blanks (space, tab) around
    /// unquoted fields are trimmed.
    ///
    /// A column is numeric when every non-missing field is a finite decimal number and not every one
    /// of them is quoted (R's `write.csv` quotes factor labels such as `"308"`); otherwise it is
    /// categorical. ``CSVReadOptions`` can declare columns categorical and give level orders.
    /// Default level order: numeric when every label is a number, otherwise by Unicode scalar values.
    ///
    /// - Parameters:
    ///   - url: A file URL. Files named `*.tsv` or `*.tab` are read with a tab delimiter unless
    ///     `options.delimiter` says otherwise.
    ///   - options: How to read the file.
    /// - Throws: ``CSVError`` naming the file, and the line and column where relevant.
    public init(contentsOf url: URL, options: CSVReadOptions = .init()) throws(CSVError) {
        let path = url.isFileURL ? url.path(percentEncoded: false) : url.absoluteString
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(path: path)
        }
        guard !isDirectory.boolValue else {
            throw .unreadableFile(path: path, reason: "it is a directory")
        }
        let reader = CSVReader(source: path, options: options, fileExtension: url.pathExtension)
        if url.isFileURL, let bytes = FileBytes.readLargeRegularFile(atPath: path) {
            let result: Result<DataTable, CSVError> = bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(CSVError) in try reader.read(buffer) }
            }
            self = try result.get()
            return
        }
        let data: Data
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        if let type, type != .typeRegular, type != .typeSymbolicLink || Self.linkTargetIsSpecial(path) {
            // A pipe or device (such as /dev/stdin): read it as a stream.
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw .unreadableFile(path: path, reason: "it cannot be opened for reading")
            }
            data = handle.readDataToEndOfFile()
        } else {
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw .unreadableFile(path: path, reason: error.localizedDescription)
            }
        }
        self = try Self.read(data, with: reader)
    }

    /// Reads CSV or TSV text (see ``init(contentsOf:options:)`` for the format).
    /// - Parameters:
    ///   - text: The whole file's text.
    ///   - source: The name used in messages and stored as ``source``.
    ///   - options: How to read the text.
    /// - Throws: ``CSVError`` naming `source`, and the line and column where relevant.
    public init(csv text: String, source: String = "input", options: CSVReadOptions = .init()) throws(CSVError) {
        let reader = CSVReader(source: source, options: options, fileExtension: nil)
        var text = text
        let result: Result<DataTable, CSVError> = text.withUTF8 { bytes in
            Result { () throws(CSVError) in try reader.read(bytes) }
        }
        self = try result.get()
    }

    /// Reads CSV or TSV bytes (UTF-8; see ``init(contentsOf:options:)`` for the format).
    /// - Parameters:
    ///   - data: The whole file's bytes.
    ///   - source: The name used in messages and stored as ``source``.
    ///   - options: How to read the bytes.
    /// - Throws: ``CSVError`` naming `source`, and the line and column where relevant.
    public init(csvData data: Data, source: String = "input", options: CSVReadOptions = .init()) throws(CSVError) {
        let reader = CSVReader(source: source, options: options, fileExtension: nil)
        self = try Self.read(data, with: reader)
    }

    /// Reads CSV or TSV bytes (UTF-8; see ``init(contentsOf:options:)`` for the format).
    /// - Parameters:
    ///   - bytes: The whole file's bytes.
    ///   - source: The name used in messages and stored as ``source``.
    ///   - options: How to read the bytes.
    /// - Throws: ``CSVError`` naming `source`, and the line and column where relevant.
    public init(csvBytes bytes: [UInt8], source: String = "input", options: CSVReadOptions = .init()) throws(CSVError) {
        let reader = CSVReader(source: source, options: options, fileExtension: nil)
        let result: Result<DataTable, CSVError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(CSVError) in try reader.read(buffer) }
        }
        self = try result.get()
    }

    /// Whether the symbolic link at `path` leads to something other than a regular file.
    private static func linkTargetIsSpecial(_ path: String) -> Bool {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let type = (try? FileManager.default.attributesOfItem(atPath: resolved))?[.type] as? FileAttributeType
        return type != .typeRegular
    }

    private static func read(_ data: Data, with reader: CSVReader) throws(CSVError) -> DataTable {
        let result: Result<DataTable, CSVError> = data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            return Result { () throws(CSVError) in try reader.read(bytes) }
        }
        return try result.get()
    }
}
