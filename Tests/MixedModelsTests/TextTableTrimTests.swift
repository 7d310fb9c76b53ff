import Foundation
import Testing
@testable import MixedModels

/// ``TextTable/trimmingTrailingWhitespace(_:)`` (spaces removed directly when the text before
/// them ends in printable ASCII) gives what the regular expression `\s+$` it stands for gives.
@Suite("text table trailing white space")
struct TextTableTrimTests {
    static func byExpression(_ line: String) -> String {
        line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }

    static let pieces: [String] = [
        "", " ", "  ", "a", "Z", "~", "!", "0", "(Intercept)", "\t", "\n", "\r", "\r\n", "\u{B}", "\u{C}",
        "\u{85}", "\u{A0}", "\u{2028}", "\u{2029}", "\u{3000}", "\u{200B}", "\u{FEFF}", "é", "e\u{301}", " \u{301}",
        "日本", "🧪", "\u{0}", "\u{7F}", "x y",
    ]

    @Test("lines of spaces, tabs, line breaks, Unicode spaces and other characters trim as the expression does")
    func matchesExpression() {
        var lines = Self.pieces
        for first in Self.pieces {
            for second in Self.pieces { lines.append(first + second) }
            for second in Self.pieces { lines.append("    " + first + "    " + second + "   ") }
        }
        for line in lines {
            let trimmed = TextTable.trimmingTrailingWhitespace(line)
            let expected = Self.byExpression(line)
            #expect(trimmed.utf8.elementsEqual(expected.utf8), "\(line.debugDescription): \(trimmed.debugDescription) != \(expected.debugDescription)")
        }
    }

    @Test("a table with a left-aligned last column and odd cells renders without trailing spaces, as before")
    func tableLines() {
        var table = TextTable(headers: ["Name", "Value", "Note"], alignments: [.left, .right, .left])
        for row in [["a", "1", "short"], ["long name", "-1.5e+10", ""], ["x\u{A0}", "NaN", "tab\t"], ["日本", "2", "é"]] {
            table.append(row)
        }
        let lines = table.rendered().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0] == "    Name            Value    Note")
        #expect(lines[1] == "    a                   1    short")
        #expect(lines[2] == "    long name    -1.5e+10")
        for line in lines { #expect(line.utf8.elementsEqual(Self.byExpression(line).utf8)) }
    }
}
