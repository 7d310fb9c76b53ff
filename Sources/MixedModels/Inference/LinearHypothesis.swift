import Foundation

/// One linear hypothesis on the fixed effects written with coefficient names, such as
/// `Days = 0`, `TypeT2 - TypeT3 = 0` or `2*Days + (Intercept) = 250` (the notation of car's
/// `linearHypothesis`): one row h of H and its value c in H β = c for
/// ``FittedModel/coefficientTest(_:_:randomEffectsContrast:dfMethod:)``.
///
/// Grammar: `expression [= expression]` (without `=`, the right side is 0), where an expression
/// is a sum of terms joined by `+` and `-`, a term a product of factors joined by `*` and `/`,
/// and a factor a number, a coefficient name, a name in backticks, a parenthesised expression or
/// a signed factor. Both sides must be linear in the coefficients: a product of two
/// coefficients, or a division by one, is refused. Coefficient names are matched literally and
/// longest first, so `(Intercept)` and names with spaces, `:` or `-` in them can be written as
/// they are listed; a name in backticks is always taken whole.
public struct LinearHypothesis: Sendable, Equatable {
    /// The hypothesis as written.
    public let text: String
    /// h, one entry per coefficient name.
    public let coefficients: [Double]
    /// c.
    public let value: Double

    /// Parses `text` against the model's coefficient names (``FixedEffectsMatrix/columnNames``).
    /// - Throws: ``LinearHypothesisError`` with the position of the problem.
    public init(_ text: String, coefficientNames names: [String]) throws(LinearHypothesisError) {
        var parser = HypothesisParser(text: text, names: names)
        let (coefficients, value) = try parser.parseHypothesis()
        self.text = text
        self.coefficients = coefficients
        self.value = value
    }
}

/// A hypothesis that cannot be read, with the (0-based, in characters) position of the problem.
public struct LinearHypothesisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The hypothesis as written.
    public let text: String
    /// The position of the problem in characters from the start (0-based).
    public let position: Int
    /// What is wrong.
    public let message: String

    /// The message, the hypothesis and a caret under the position.
    public var description: String {
        "character \(position + 1): \(message)\n    \(text)\n    \(String(repeating: " ", count: position))^"
    }
}

/// A recursive-descent parser evaluating each expression to a linear form Σ aⱼ βⱼ + b.
private struct HypothesisParser {
    struct Linear {
        var coefficients: [Double]
        var constant: Double
        var isConstant: Bool { coefficients.allSatisfy { $0 == 0 } && !mentionsCoefficient }
        var mentionsCoefficient: Bool
    }

    enum Token: Equatable {
        case number(Double)
        case name(Int)
        case symbol(Character)
        case end
    }

    let characters: [Character]
    let text: String
    let names: [String]
    /// The names as characters, longest first (for literal matching).
    let orderedNames: [(index: Int, characters: [Character])]
    var position = 0
    var token: Token = .end
    var tokenStart = 0

    init(text: String, names: [String]) {
        self.text = text
        self.characters = Array(text)
        self.names = names
        self.orderedNames = names.enumerated().map { ($0.offset, Array($0.element)) }
            .sorted { $0.characters.count > $1.characters.count }
    }

    mutating func parseHypothesis() throws(LinearHypothesisError) -> ([Double], Double) {
        try advance()
        if token == .end { throw error("the hypothesis is empty; write for example 'Days = 0'", at: 0) }
        let left = try expression()
        var right = Linear(coefficients: zeros, constant: 0, mentionsCoefficient: false)
        if token == .symbol("=") {
            try advance()
            if token == .end { throw error("nothing follows '='", at: tokenStart) }
            right = try expression()
        }
        guard token == .end else {
            if token == .symbol("=") { throw error("a hypothesis has one '='; give several --hypothesis for several rows", at: tokenStart) }
            throw error("expected an operator (+ - * / =) here", at: tokenStart)
        }
        let coefficients = zip(left.coefficients, right.coefficients).map { $0 - $1 }
        guard coefficients.contains(where: { $0 != 0 }) else {
            throw error(left.mentionsCoefficient || right.mentionsCoefficient
                        ? "the coefficients cancel: the hypothesis does not involve any coefficient"
                        : "the hypothesis names no coefficient; the coefficients are: \(names.joined(separator: ", "))", at: 0)
        }
        let value = right.constant - left.constant
        guard value.isFinite, coefficients.allSatisfy(\.isFinite) else {
            throw error("a number in the hypothesis is too large", at: 0)
        }
        return (coefficients, value)
    }

    private var zeros: [Double] { [Double](repeating: 0, count: names.count) }

    private func error(_ message: String, at position: Int) -> LinearHypothesisError {
        LinearHypothesisError(text: text, position: min(max(position, 0), characters.count), message: message)
    }

    // expression := term (('+' | '-') term)*
    private mutating func expression() throws(LinearHypothesisError) -> Linear {
        var result = try term()
        while case .symbol(let symbol) = token, symbol == "+" || symbol == "-" {
            try advance()
            let next = try term()
            let sign: Double = symbol == "+" ? 1 : -1
            result.coefficients = zip(result.coefficients, next.coefficients).map { $0 + sign * $1 }
            result.constant += sign * next.constant
            result.mentionsCoefficient = result.mentionsCoefficient || next.mentionsCoefficient
        }
        return result
    }

    // term := factor (('*' | '/') factor)*
    private mutating func term() throws(LinearHypothesisError) -> Linear {
        var result = try factor()
        while case .symbol(let symbol) = token, symbol == "*" || symbol == "/" {
            let operatorPosition = tokenStart
            try advance()
            let rightStart = tokenStart
            let next = try factor()
            if symbol == "*" {
                if result.isConstant {
                    result = Linear(coefficients: next.coefficients.map { $0 * result.constant },
                                    constant: next.constant * result.constant, mentionsCoefficient: next.mentionsCoefficient)
                } else if next.isConstant {
                    result.coefficients = result.coefficients.map { $0 * next.constant }
                    result.constant *= next.constant
                } else {
                    throw error("the hypothesis must be linear: this multiplies two coefficients", at: operatorPosition)
                }
            } else {
                guard next.isConstant else {
                    throw error("the hypothesis must be linear: this divides by a coefficient", at: rightStart)
                }
                guard next.constant != 0 else { throw error("division by zero", at: rightStart) }
                result.coefficients = result.coefficients.map { $0 / next.constant }
                result.constant /= next.constant
            }
        }
        return result
    }

    // factor := number | name | '(' expression ')' | ('+' | '-') factor
    private mutating func factor() throws(LinearHypothesisError) -> Linear {
        let start = tokenStart
        switch token {
        case .number(let value):
            try advance()
            return Linear(coefficients: zeros, constant: value, mentionsCoefficient: false)
        case .name(let index):
            try advance()
            var coefficients = zeros
            coefficients[index] = 1
            return Linear(coefficients: coefficients, constant: 0, mentionsCoefficient: true)
        case .symbol("("):
            try advance()
            let inner = try expression()
            guard token == .symbol(")") else { throw error("expected ')' to close the '(' at character \(start + 1)", at: tokenStart) }
            try advance()
            return inner
        case .symbol("-"), .symbol("+"):
            let negate = token == .symbol("-")
            try advance()
            var inner = try factor()
            if negate {
                inner.coefficients = inner.coefficients.map { -$0 }
                inner.constant = -inner.constant
            }
            return inner
        case .symbol("="):
            throw error("expected a coefficient name or a number before '='", at: start)
        case .symbol(let symbol):
            throw error("expected a coefficient name or a number, not '\(symbol)'", at: start)
        case .end:
            throw error("the hypothesis ends too early; expected a coefficient name or a number", at: start)
        }
    }

    // MARK: - Tokens

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "." || character == ":"
            || character == "[" || character == "]"
    }

    private mutating func advance() throws(LinearHypothesisError) {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
        tokenStart = position
        guard position < characters.count else {
            token = .end
            return
        }
        let character = characters[position]
        if character == "`" {
            guard let close = characters[(position + 1)...].firstIndex(of: "`") else {
                throw error("the name in backticks is not closed", at: position)
            }
            let name = String(characters[(position + 1)..<close])
            guard let index = names.firstIndex(of: name) else {
                throw error("unknown coefficient '\(name)'; the coefficients are: \(names.joined(separator: ", "))", at: position)
            }
            token = .name(index)
            position = close + 1
            return
        }
        // A known name, longest first, not followed by more of a name.
        for (index, name) in orderedNames where !name.isEmpty && position + name.count <= characters.count {
            guard Array(characters[position..<(position + name.count)]) == name else { continue }
            let end = position + name.count
            if let last = name.last, Self.isNameCharacter(last), end < characters.count, Self.isNameCharacter(characters[end]) {
                continue
            }
            token = .name(index)
            position = end
            return
        }
        if character.isNumber || (character == "." && position + 1 < characters.count && characters[position + 1].isNumber) {
            var end = position
            while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
            if end < characters.count, characters[end] == "e" || characters[end] == "E" {
                var exponentEnd = end + 1
                if exponentEnd < characters.count, characters[exponentEnd] == "+" || characters[exponentEnd] == "-" { exponentEnd += 1 }
                if exponentEnd < characters.count, characters[exponentEnd].isNumber {
                    while exponentEnd < characters.count, characters[exponentEnd].isNumber { exponentEnd += 1 }
                    end = exponentEnd
                }
            }
            let literal = String(characters[position..<end])
            guard let value = Double(literal) else { throw error("'\(literal)' is not a number", at: position) }
            if end < characters.count, Self.isNameCharacter(characters[end]) {
                throw error("write '*' between a number and a name", at: end)
            }
            token = .number(value)
            position = end
            return
        }
        if "+-*/()=".contains(character) {
            token = .symbol(character)
            position += 1
            return
        }
        var end = position
        if characters[end...].starts(with: Array("(Intercept)")) {
            end += "(Intercept)".count
        } else {
            while end < characters.count, Self.isNameCharacter(characters[end]) { end += 1 }
        }
        guard end > position else { throw error("unexpected character '\(character)'", at: position) }
        let word = String(characters[position..<end])
        throw error("unknown coefficient '\(word)'; the coefficients are: \(names.joined(separator: ", "))", at: position)
    }
}
