/// A recursive-descent parser for Wilkinson / lme4 formulas.
///
/// Grammar (R's operator precedence, lowest first):
///
///     formula     := response '~' sum
///     sum         := product (('+' | '-') product)*
///     product     := interaction (('*' | '/') interaction)*
///     interaction := unary (':' unary)*
///     unary       := '-' unary | power
///     power       := primary ('^' integer)?
///     primary     := name | name '(' arguments ')' | '0' | '1' | '(' sum (('|' | '||') sum)? ')'
///
/// Function arguments are arithmetic (``FormulaParser/parseFunction(_:at:)``).
///
/// Limits keep the recursive parser and the term expansion within a thread's stack and a sensible
/// time: at most ``maximumNesting`` nested parentheses or unary minuses, and at most
/// ``maximumOperators`` operators (each one deepens the syntax tree).
struct FormulaParser {
    /// The deepest nesting of parentheses and unary minus accepted.
    static let maximumNesting = 64
    /// The most operators (`+ - * / : ^ | ||`) a formula may have.
    static let maximumOperators = 1000

    let formula: String
    private let tokens: [FormulaToken]
    private var index = 0
    var nesting = 0

    init(_ formula: String) throws(FormulaError) {
        self.formula = formula
        self.tokens = try FormulaLexer(formula: formula).tokens()
        var operators = 0
        for token in tokens {
            switch token.kind {
            case .plus, .minus, .star, .slash, .colon, .caret, .bar, .doubleBar, .comma:
                operators += 1
                if operators > Self.maximumOperators {
                    throw FormulaError(formula: formula, position: token.position,
                                       message: "the formula has more than \(Self.maximumOperators) operators, the most this parser accepts")
                }
            default:
                break
            }
        }
    }

    /// Enters one more level of nesting at `token`, or throws when it is too deep.
    mutating func enterNesting(at token: FormulaToken) throws(FormulaError) {
        nesting += 1
        if nesting > Self.maximumNesting {
            throw error(at: token, "parentheses and '-' are nested more than \(Self.maximumNesting) deep, the most this parser accepts")
        }
    }

    /// Parses `response ~ right-hand side`.
    mutating func parse() throws(FormulaError) -> (response: String, responseExpression: TransformExpression,
                                                   responsePosition: Int, rightHandSide: FormulaExpression) {
        let first = current
        guard case .identifier(let response) = first.kind else {
            if first.kind == .tilde {
                throw error(at: first, "the formula has no response: expected a column name before '~'")
            }
            if first.kind == .end {
                throw error(at: first, "the formula is empty: expected 'response ~ terms'")
            }
            throw error(at: first, "expected the response (a column name) at the start of the formula, found \(first.display)")
        }
        advance()
        var responseName = response
        var responseExpression = TransformExpression.column(response)
        if current.kind == .leftParen {
            guard case .variable(let variable) = try parseFunction(response, at: first),
                  case .numeric(let expression) = variable.kind else {
                throw error(at: first, "the response must be a numeric expression such as log(y), sqrt(y) or I(y/10); \(response)() does not give one")
            }
            responseName = variable.name
            responseExpression = expression
        }
        guard current.kind == .tilde else {
            throw error(at: current, "expected '~' after the response '\(responseName)', found \(current.display)")
        }
        advance()
        if current.kind == .end {
            throw error(at: current, "expected terms after '~'")
        }
        let rightHandSide = try parseSum()
        guard current.kind == .end else {
            if current.kind == .rightParen {
                throw error(at: current, "unbalanced ')': no '(' opens it")
            }
            if current.kind == .tilde {
                throw error(at: current, "a formula has exactly one '~'")
            }
            throw error(at: current, "expected an operator (+ - * / : ^) or the end of the formula, found \(current.display)")
        }
        return (responseName, responseExpression, first.position, rightHandSide)
    }

    // MARK: - Grammar rules

    private mutating func parseSum() throws(FormulaError) -> FormulaExpression {
        var left: FormulaExpression
        if current.kind == .minus {
            left = try parseUnary()
        } else {
            left = try parseProduct()
        }
        while current.kind == .plus || current.kind == .minus {
            let operatorToken = current
            advance()
            let right = try parseProduct(after: operatorToken)
            left = .binary(operatorToken.kind == .plus ? .plus : .minus, left, right, position: operatorToken.position)
        }
        return left
    }

    private mutating func parseProduct(after previous: FormulaToken? = nil) throws(FormulaError) -> FormulaExpression {
        var left = try parseInteraction(after: previous)
        while current.kind == .star || current.kind == .slash {
            let operatorToken = current
            advance()
            let right = try parseInteraction(after: operatorToken)
            left = .binary(operatorToken.kind == .star ? .cross : .nest, left, right, position: operatorToken.position)
        }
        return left
    }

    private mutating func parseInteraction(after previous: FormulaToken?) throws(FormulaError) -> FormulaExpression {
        var left = try parseUnary(after: previous)
        while current.kind == .colon {
            let operatorToken = current
            advance()
            let right = try parseUnary(after: operatorToken)
            left = .binary(.interaction, left, right, position: operatorToken.position)
        }
        return left
    }

    private mutating func parseUnary(after previous: FormulaToken? = nil) throws(FormulaError) -> FormulaExpression {
        if current.kind == .minus {
            let operatorToken = current
            try enterNesting(at: operatorToken)
            advance()
            let operand = try parseUnary(after: operatorToken)
            nesting -= 1
            return .negation(operand, position: operatorToken.position)
        }
        return try parsePower(after: previous)
    }

    private mutating func parsePower(after previous: FormulaToken?) throws(FormulaError) -> FormulaExpression {
        let base = try parsePrimary(after: previous)
        guard current.kind == .caret else { return base }
        let caret = current
        advance()
        guard case .number(let text) = current.kind, let exponent = Int(text), exponent >= 1 else {
            throw error(at: current, "expected a positive whole number after '^', found \(current.display)")
        }
        let exponentPosition = current.position
        advance()
        return .binary(.power, base, .integer(exponent, position: exponentPosition), position: caret.position)
    }

    private mutating func parsePrimary(after previous: FormulaToken?) throws(FormulaError) -> FormulaExpression {
        let token = current
        switch token.kind {
        case .identifier(let name):
            advance()
            if current.kind == .leftParen {
                switch try parseFunction(name, at: token) {
                case .variable(let variable): return .call(variable, position: token.position)
                case .offset(let expression): return .offset(expression, position: token.position)
                }
            }
            return .variable(name, position: token.position)
        case .number(let text):
            advance()
            switch text {
            case "0": return .intercept(present: false, position: token.position)
            case "1": return .intercept(present: true, position: token.position)
            default:
                if let value = Int(text) { return .integer(value, position: token.position) }
                throw error(at: token, "unexpected number \(token.display): only 0 and 1 (the intercept) may appear as terms")
            }
        case .leftParen:
            return try parseParenthesized()
        default:
            let context = previous.map { " after \($0.display)" } ?? ""
            throw error(at: token, "expected a variable, '1', '0' or '('\(context), found \(token.display)")
        }
    }

    private mutating func parseParenthesized() throws(FormulaError) -> FormulaExpression {
        let open = current
        try enterNesting(at: open)
        defer { nesting -= 1 }
        advance()
        if current.kind == .rightParen {
            throw error(at: current, "empty parentheses: expected terms inside '( )'")
        }
        let inner = try parseSum()
        var result = inner
        if current.kind == .bar || current.kind == .doubleBar {
            let uncorrelated = current.kind == .doubleBar
            let bar = current
            advance()
            if current.kind == .rightParen || current.kind == .end {
                throw error(at: current, "expected a grouping factor after \(bar.display)")
            }
            let group = try parseSum()
            result = .randomEffects(inner, group: group, uncorrelated: uncorrelated, position: open.position)
        }
        guard current.kind == .rightParen else {
            if current.kind == .end {
                throw error(at: open, "this '(' is never closed: expected ')'")
            }
            throw error(at: current, "expected ')' to close the '(' at position \(open.position + 1), found \(current.display)")
        }
        advance()
        return result
    }

    // MARK: - Helpers

    var current: FormulaToken { tokens[min(index, tokens.count - 1)] }

    /// The token after the current one.
    var next: FormulaToken { tokens[min(index + 1, tokens.count - 1)] }

    mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    func error(at token: FormulaToken, _ message: String) -> FormulaError {
        FormulaError(formula: formula, position: token.position, message: message)
    }
}
