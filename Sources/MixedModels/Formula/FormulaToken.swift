/// A lexical token of a model formula.
struct FormulaToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case number(String)
        case tilde, plus, minus, star, slash, colon, caret
        case bar, doubleBar
        case leftParen, rightParen
        case comma, equals
        case end
    }

    let kind: Kind
    /// 0-based character offset of the token's first character.
    let position: Int

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .identifier(let name): return "'\(name)'"
        case .number(let text): return "'\(text)'"
        case .tilde: return "'~'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .colon: return "':'"
        case .caret: return "'^'"
        case .bar: return "'|'"
        case .doubleBar: return "'||'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .comma: return "','"
        case .equals: return "'='"
        case .end: return "the end of the formula"
        }
    }
}

/// Splits a formula into tokens. Identifiers follow R's rules (letters, digits, `.` and `_`,
/// not starting with a digit) or are quoted in backticks to hold any other characters.
struct FormulaLexer {
    let formula: String

    func tokens() throws(FormulaError) -> [FormulaToken] {
        let characters = Array(formula)
        var tokens: [FormulaToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
                continue
            }
            let start = index
            if let kind = Self.punctuation(character) {
                if character == "|", index + 1 < characters.count, characters[index + 1] == "|" {
                    tokens.append(FormulaToken(kind: .doubleBar, position: start))
                    index += 2
                } else {
                    tokens.append(FormulaToken(kind: kind, position: start))
                    index += 1
                }
            } else if character == "`" {
                guard let close = characters[(index + 1)...].firstIndex(of: "`") else {
                    throw FormulaError(formula: formula, position: start,
                                       message: "this backquoted name is not closed: expected a closing '`'")
                }
                let name = String(characters[(index + 1)..<close])
                if name.isEmpty {
                    throw FormulaError(formula: formula, position: start, message: "empty backquoted name")
                }
                tokens.append(FormulaToken(kind: .identifier(name), position: start))
                index = close + 1
            } else if character.isNumber || (character == "." && index + 1 < characters.count && characters[index + 1].isNumber) {
                while index < characters.count, characters[index].isNumber || characters[index] == "." {
                    index += 1
                }
                tokens.append(FormulaToken(kind: .number(String(characters[start..<index])), position: start))
            } else if Self.startsIdentifier(character) {
                while index < characters.count, Self.continuesIdentifier(characters[index]) {
                    index += 1
                }
                tokens.append(FormulaToken(kind: .identifier(String(characters[start..<index])), position: start))
            } else {
                throw FormulaError(formula: formula, position: start,
                                   message: "unexpected character '\(character)': expected a variable name, a number, an operator (~ + - * / : ^ |), a parenthesis, or ',' and '=' in a function call")
            }
        }
        tokens.append(FormulaToken(kind: .end, position: characters.count))
        return tokens
    }

    private static func punctuation(_ character: Character) -> FormulaToken.Kind? {
        switch character {
        case "~": return .tilde
        case "+": return .plus
        case "-": return .minus
        case "*": return .star
        case "/": return .slash
        case ":": return .colon
        case "^": return .caret
        case "|": return .bar
        case "(": return .leftParen
        case ")": return .rightParen
        case ",": return .comma
        case "=": return .equals
        default: return nil
        }
    }

    private static func startsIdentifier(_ character: Character) -> Bool {
        character.isLetter || character == "." || character == "_"
    }

    private static func continuesIdentifier(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "." || character == "_"
    }
}
