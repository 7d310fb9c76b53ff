@testable import MixedModels

/// The rendering of ``JSONValue`` as it was before ``JSONWriter`` (String concatenation, a quoted
/// copy per string, scalar by scalar): the reference the faster writer must match byte for byte.
enum ReferenceJSONRendering {
    static func rendered(_ value: JSONValue, pretty: Bool = true) -> String {
        var output = ""
        write(value, to: &output, indent: pretty ? 0 : nil)
        return output
    }

    private static func write(_ value: JSONValue, to output: inout String, indent: Int?) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let integer): output += String(integer)
        case .number(let number):
            if !number.isFinite {
                output += "null"
            } else if number == number.rounded(), abs(number) < 1e15 {
                output += String(Int64(number))
            } else {
                output += "\(number)"
            }
        case .string(let text): output += quoted(text)
        case .array(let values):
            writeContainer(values.map { (nil, $0) }, open: "[", close: "]", to: &output, indent: indent)
        case .object(let members):
            writeContainer(members.map { ($0.0, $0.1) }, open: "{", close: "}", to: &output, indent: indent)
        }
    }

    private static func writeContainer(_ members: [(String?, JSONValue)], open: String, close: String,
                                       to output: inout String, indent: Int?) {
        guard !members.isEmpty else {
            output += open + close
            return
        }
        output += open
        let inner = indent.map { $0 + 2 }
        for (index, member) in members.enumerated() {
            if index > 0 { output += "," }
            if let inner { output += "\n" + String(repeating: " ", count: inner) }
            if let key = member.0 { output += quoted(key) + (indent == nil ? ":" : ": ") }
            write(member.1, to: &output, indent: inner)
        }
        if let indent { output += "\n" + String(repeating: " ", count: indent) }
        output += close
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
