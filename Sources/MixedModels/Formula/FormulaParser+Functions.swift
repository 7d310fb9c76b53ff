/// Function calls in formulas: `log(x)`, `I(x^2)`, `scale(x)`, `poly(x, 2, raw = TRUE)`,
/// `factor(x)`, `offset(log(n))`.
///
/// Arguments are arithmetic, as in R (R's precedence, `^` right-associative and binding tighter
/// than unary minus):
///
///     argument   := (name '=')? arithmetic
///     arithmetic := product (('+' | '-') product)*
///     product    := signed (('*' | '/') signed)*
///     signed     := '-' signed | power
///     power      := atom ('^' signed)?
///     atom       := number | name | name '(' arguments ')' | '(' arithmetic ')'
extension FormulaParser {
    /// What a function call in a formula makes.
    enum ParsedCall {
        /// A variable of the model (a term on its own, or part of an interaction).
        case variable(FormulaVariable)
        /// `offset(expression)`.
        case offset(TransformExpression)
    }

    /// The functions a formula may call, for error messages.
    static let supportedFunctions = "log, log10, log2, exp, sqrt, abs, I, scale, center, poly, factor and offset"

    private struct Argument {
        let label: String?
        let value: TransformExpression
        let position: Int

        var text: String { (label.map { "\($0) = " } ?? "") + value.description }
    }

    /// Parses the call of `name` (at token `nameToken`); the current token is its `(`.
    mutating func parseFunction(_ name: String, at nameToken: FormulaToken) throws(FormulaError) -> ParsedCall {
        let open = current
        try enterNesting(at: open)
        advance()
        var arguments: [Argument] = []
        if current.kind != .rightParen {
            while true {
                var label: String?
                let start = current
                if case .identifier(let argumentName) = current.kind, next.kind == .equals {
                    label = argumentName
                    advance()
                    advance()
                }
                let value = try parseArithmetic()
                arguments.append(Argument(label: label, value: value, position: start.position))
                guard current.kind == .comma else { break }
                advance()
            }
        }
        guard current.kind == .rightParen else {
            if current.kind == .end {
                throw error(at: open, "this '(' of \(name)() is never closed: expected ')'")
            }
            throw error(at: current, "expected ',' or ')' in the arguments of \(name)(), found \(current.display)")
        }
        advance()
        nesting -= 1
        let callText = "\(name)(\(arguments.map(\.text).joined(separator: ", ")))"
        return try resolve(name, arguments: arguments, text: callText, at: nameToken)
    }

    private func resolve(_ name: String, arguments: [Argument], text: String,
                         at nameToken: FormulaToken) throws(FormulaError) -> ParsedCall {
        if let function = TransformExpression.ElementwiseFunction(rawValue: name) {
            let x = try single(arguments, of: name, at: nameToken)
            return .variable(FormulaVariable(name: text, kind: .numeric(.function(function, x))))
        }
        switch name {
        case "I":
            let x = try single(arguments, of: name, at: nameToken)
            return .variable(FormulaVariable(name: text, kind: .numeric(.asIs(x))))
        case "scale", "center":
            let x = try single(arguments, of: name, at: nameToken)
            return .variable(FormulaVariable(name: text, kind: .numeric(.standardized(x, dividesBySD: name == "scale"))))
        case "factor":
            let x = try single(arguments, of: name, at: nameToken)
            guard let column = x.columnName else {
                throw FormulaError(formula: formula, position: arguments[0].position,
                                   message: "factor() takes a column name, such as factor(Days)")
            }
            return .variable(FormulaVariable(name: text, kind: .factor(column: column)))
        case "offset":
            return .offset(try single(arguments, of: name, at: nameToken))
        case "poly":
            return .variable(try polynomial(arguments, text: text, at: nameToken))
        default:
            throw error(at: nameToken, "unknown function '\(name)': the functions a formula may use are \(Self.supportedFunctions)")
        }
    }

    /// The one unnamed argument of a one-argument function.
    private func single(_ arguments: [Argument], of name: String, at nameToken: FormulaToken) throws(FormulaError) -> TransformExpression {
        if let labelled = arguments.first(where: { $0.label != nil }), let label = labelled.label {
            throw FormulaError(formula: formula, position: labelled.position,
                               message: "\(name)() has no argument '\(label)': it takes one unnamed argument")
        }
        guard arguments.count == 1 else {
            let position = arguments.count > 1 ? arguments[1].position : nameToken.position
            throw FormulaError(formula: formula, position: position,
                               message: "\(name)() takes exactly one argument, found \(arguments.count)")
        }
        return arguments[0].value
    }

    /// `poly(x, degree = 1, raw = FALSE)`, with the arguments by position or by name.
    private func polynomial(_ arguments: [Argument], text: String, at nameToken: FormulaToken) throws(FormulaError) -> FormulaVariable {
        let parameterNames = ["x", "degree", "raw"]
        var values: [String: Argument] = [:]
        var positional = 0
        for argument in arguments {
            let parameter: String
            if let label = argument.label {
                guard parameterNames.contains(label) else {
                    throw FormulaError(formula: formula, position: argument.position,
                                       message: "poly() has no argument '\(label)': it takes x, degree and raw (one variable: poly(x, degree) or poly(x, degree, raw = TRUE))")
                }
                parameter = label
            } else {
                while positional < parameterNames.count, values[parameterNames[positional]] != nil { positional += 1 }
                guard positional < parameterNames.count else {
                    throw FormulaError(formula: formula, position: argument.position,
                                       message: "poly() takes at most three arguments (x, degree, raw): one variable only")
                }
                parameter = parameterNames[positional]
            }
            if values[parameter] != nil {
                throw FormulaError(formula: formula, position: argument.position,
                                   message: "poly() has the argument '\(parameter)' twice")
            }
            values[parameter] = argument
        }
        guard let x = values["x"]?.value else {
            throw error(at: nameToken, "poly() needs the variable: poly(x, degree)")
        }
        var degree = 1
        if let argument = values["degree"] {
            guard case .constant(let value, _) = argument.value, value == value.rounded(), value >= 1, value <= 100 else {
                throw FormulaError(formula: formula, position: argument.position,
                                   message: "the degree of poly() must be a whole number from 1 to 100, found '\(argument.value.description)'")
            }
            degree = Int(value)
        }
        var raw = false
        if let argument = values["raw"] {
            switch argument.value.columnName {
            case "TRUE"?, "T"?: raw = true
            case "FALSE"?, "F"?: raw = false
            default:
                throw FormulaError(formula: formula, position: argument.position,
                                   message: "the raw argument of poly() must be TRUE or FALSE, found '\(argument.value.description)'")
            }
        }
        return FormulaVariable(name: text, kind: .polynomial(x, degree: degree, raw: raw))
    }

    // MARK: - Arithmetic

    private mutating func parseArithmetic() throws(FormulaError) -> TransformExpression {
        var left = try parseArithmeticProduct()
        while current.kind == .plus || current.kind == .minus {
            let op: TransformExpression.ArithmeticOperator = current.kind == .plus ? .plus : .minus
            advance()
            left = .arithmetic(op, left, try parseArithmeticProduct())
        }
        return left
    }

    private mutating func parseArithmeticProduct() throws(FormulaError) -> TransformExpression {
        var left = try parseSigned()
        while current.kind == .star || current.kind == .slash {
            let op: TransformExpression.ArithmeticOperator = current.kind == .star ? .times : .divide
            advance()
            left = .arithmetic(op, left, try parseSigned())
        }
        return left
    }

    private mutating func parseSigned() throws(FormulaError) -> TransformExpression {
        if current.kind == .minus {
            try enterNesting(at: current)
            advance()
            let operand = try parseSigned()
            nesting -= 1
            return .negation(operand)
        }
        let base = try parseAtom()
        guard current.kind == .caret else { return base }
        advance()
        try enterNesting(at: current)
        let exponent = try parseSigned()
        nesting -= 1
        return .arithmetic(.power, base, exponent)
    }

    private mutating func parseAtom() throws(FormulaError) -> TransformExpression {
        let token = current
        switch token.kind {
        case .number(let text):
            advance()
            guard let value = Double(text) else {
                throw error(at: token, "\(token.display) is not a number")
            }
            return .constant(value, text: text)
        case .identifier(let name):
            advance()
            guard current.kind == .leftParen else { return .column(name) }
            switch try parseFunction(name, at: token) {
            case .variable(let variable):
                guard case .numeric(let expression) = variable.kind else {
                    throw error(at: token, "\(name)() makes several columns or a factor, so it must be a term of its own, not part of an expression")
                }
                return expression
            case .offset:
                throw error(at: token, "offset() must be a term of the formula, added with '+'")
            }
        case .leftParen:
            try enterNesting(at: token)
            advance()
            let inner = try parseArithmetic()
            guard current.kind == .rightParen else {
                if current.kind == .end { throw error(at: token, "this '(' is never closed: expected ')'") }
                throw error(at: current, "expected ')' to close the '(' at position \(token.position + 1), found \(current.display)")
            }
            advance()
            nesting -= 1
            return .parenthesized(inner)
        default:
            throw error(at: token, "expected a number, a variable or '(' in a function argument, found \(token.display)")
        }
    }
}
