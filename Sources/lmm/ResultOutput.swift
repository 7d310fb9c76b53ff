import Foundation

/// Where a command's result goes: standard output without `--output` or with `--output -`,
/// else a file written whole or not at all.
enum ResultOutput {
    static func emit(_ text: String, to output: String?) throws {
        let body = text.hasSuffix("\n") ? text : text + "\n"
        guard let output, output != "-" else {
            FileHandle.standardOutput.write(Data(body.utf8))
            return
        }
        try OutputFile.write(body, to: output)
    }

    /// A CSV field: quoted when it holds a comma, quote or line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
