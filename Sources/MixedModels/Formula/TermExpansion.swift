/// Expands a formula's syntax tree into terms, following R's `terms.formula` rules.
///
/// - `a + b` is the union of terms, `a - b` removes b's terms, `-1` / `0` remove the intercept;
/// - `a:b` is the interaction of every term of a with every term of b;
/// - `a * b` is `a + b + a:b`; `a / b` is `a + a:b` where the second `a` is all of a's
///   variables together; `(a + b + c)^2` is `(a + b + c) * (a + b + c)`: all interactions
///   up to order 2;
/// - `x^k` on a single numeric variable is MATLAB's power series `x + x^2 + ... + x^k`.
struct TermExpansion {
    /// Terms plus an explicit intercept setting (`nil` where the formula said nothing).
    struct TermList {
        var terms: [FormulaTerm] = []
        var intercept: Bool?
        /// The computed variables the terms name (`log(x)`, `x^2`, ...), by name.
        var definitions: [String: FormulaVariable] = [:]
        /// `offset(...)` expressions, in the order written.
        var offsets: [TransformExpression] = []

        mutating func add(_ other: TermList) {
            var present = Set(terms)
            for term in other.terms where present.insert(term).inserted {
                terms.append(term)
            }
            if let setting = other.intercept { intercept = setting }
            definitions.merge(other.definitions) { first, _ in first }
            offsets += other.offsets
        }
    }

    let formula: String

    /// The most terms an expansion may produce (`(a + ... + l)^12` has 4095).
    static let maximumTerms = 10_000
    /// The highest degree of MATLAB's power series `x^k` (one column per power; a raw polynomial
    /// of higher degree cannot be estimated in double precision anyway).
    static let maximumPowerDegree = 32

    /// Splits the top-level sum into fixed-effects parts and random-effects terms.
    func splitRandomEffects(_ expression: FormulaExpression) throws(FormulaError) -> (fixed: FormulaExpression?, random: [FormulaExpression]) {
        switch expression {
        case .randomEffects:
            return (nil, [expression])
        case .binary(.plus, let left, let right, let position):
            let (leftFixed, leftRandom) = try splitRandomEffects(left)
            let (rightFixed, rightRandom) = try splitRandomEffects(right)
            let fixed: FormulaExpression?
            switch (leftFixed, rightFixed) {
            case (nil, nil): fixed = nil
            case (let one?, nil), (nil, let one?): fixed = one
            case (let one?, let two?): fixed = .binary(.plus, one, two, position: position)
            }
            return (fixed, leftRandom + rightRandom)
        default:
            if let nested = firstRandomEffects(in: expression) {
                throw FormulaError(formula: formula, position: nested.position,
                                   message: "a random-effects term '( | )' must be added to the model with '+', not combined with other operators")
            }
            return (expression, [])
        }
    }

    /// Expands a fixed-effects expression into terms.
    func expand(_ expression: FormulaExpression) throws(FormulaError) -> TermList {
        switch expression {
        case .variable(let name, _):
            return TermList(terms: [FormulaTerm([name])])
        case .intercept(let present, _):
            return TermList(terms: [], intercept: present)
        case .integer(let value, let position):
            throw FormulaError(formula: formula, position: position,
                               message: "unexpected number '\(value)': only 0 and 1 (the intercept) may appear as terms")
        case .negation(let operand, let position):
            return try subtract(TermList(), operand, position: position)
        case .randomEffects(_, _, _, let position):
            throw FormulaError(formula: formula, position: position,
                               message: "a random-effects term '( | )' must be added to the model with '+', not combined with other operators")
        case .binary(let op, let left, let right, let position):
            return try expandBinary(op, left, right, position: position)
        case .call(let variable, _):
            return TermList(terms: [FormulaTerm([variable.name])], definitions: [variable.name: variable])
        case .offset(let expression, _):
            return TermList(offsets: [expression])
        }
    }

    /// MATLAB's power rule: `x^k` on a single numeric variable is `x + x^2 + ... + x^k`; `nil`
    /// when `base` is not a single variable (then `^` crosses terms, as in R and MATLAB).
    private func powerSeries(_ base: TermList, exponent: Int, at position: Int) throws(FormulaError) -> TermList? {
        guard base.terms.count == 1, base.intercept == nil, base.offsets.isEmpty,
              let term = base.terms.first, term.variables.count == 1, let name = term.variables.first else {
            return nil
        }
        let expression: TransformExpression
        switch base.definitions[name]?.kind {
        case nil:
            expression = .column(name)
        case .numeric(let computed)?:
            expression = computed
        case .factor?, .polynomial?:
            throw FormulaError(formula: formula, position: position,
                               message: "'^' on \(name) is not defined: powers apply to one numeric variable (x^2 is x + x^2) or cross a sum of terms ((a + b)^2)")
        }
        guard exponent <= Self.maximumPowerDegree else {
            throw FormulaError(formula: formula, position: position,
                               message: "\(name)^\(exponent) would add \(exponent) powers of \(name); at most \(Self.maximumPowerDegree) are supported (poly(\(name), k) gives orthogonal polynomials)")
        }
        var result = base
        if exponent >= 2 {
            for power in 2...exponent {
                let printed = base.definitions[name] == nil ? TransformExpression.quotedName(name) : name
                let text = "\(printed)^\(power)"
                let exponentText = String(power)
                let base: TransformExpression = expression.columnName == nil ? .parenthesized(expression) : expression
                let variable = FormulaVariable(name: text, kind: .numeric(.arithmetic(.power, base, .constant(Double(power), text: exponentText))))
                result.terms.append(FormulaTerm([text]))
                result.definitions[text] = variable
            }
        }
        return result
    }

    private func expandBinary(_ op: FormulaOperator, _ left: FormulaExpression, _ right: FormulaExpression,
                              position: Int) throws(FormulaError) -> TermList {
        if op == .power {
            guard case .integer(let exponent, _) = right else {
                throw FormulaError(formula: formula, position: right.position,
                                   message: "expected a whole number after '^'")
            }
            let base = try expand(left)
            if let series = try powerSeries(base, exponent: exponent, at: position) { return series }
            var result = base
            var power = 1
            while power < exponent {
                let next = try cross(result, base, position: position)
                // Once a power adds no new interaction, higher ones add none either.
                if next.terms.count == result.terms.count { break }
                result = next
                power += 1
            }
            return result
        }
        let lhs = try expand(left)
        switch op {
        case .plus:
            var result = lhs
            result.add(try expand(right))
            return result
        case .minus:
            return try subtract(lhs, right, position: position)
        case .interaction:
            return try interact(lhs, try expand(right), position: position)
        case .cross:
            return try cross(lhs, try expand(right), position: position)
        case .nest:
            let rhs = try expand(right)
            try requireNoInterceptSetting(lhs, position: position, operatorName: "/")
            let outer = FormulaTerm(lhs.terms.flatMap(\.variables))
            var result = lhs
            result.add(try interact(TermList(terms: [outer], definitions: lhs.definitions), rhs, position: position))
            return result
        case .power:
            return lhs
        }
    }

    private func subtract(_ lhs: TermList, _ right: FormulaExpression, position: Int) throws(FormulaError) -> TermList {
        let removed = try expand(right)
        if !removed.offsets.isEmpty {
            throw FormulaError(formula: formula, position: position,
                               message: "offset() must be added to the model with '+', not subtracted")
        }
        var result = lhs
        result.terms.removeAll { removed.terms.contains($0) }
        if let setting = removed.intercept {
            result.intercept = !setting
        }
        return result
    }

    private func interact(_ lhs: TermList, _ rhs: TermList, position: Int) throws(FormulaError) -> TermList {
        try requireNoInterceptSetting(lhs, position: position, operatorName: ":")
        try requireNoInterceptSetting(rhs, position: position, operatorName: ":")
        guard lhs.terms.count * rhs.terms.count <= Self.maximumTerms * 10 else {
            throw tooManyTerms(position: position)
        }
        var result = TermList(definitions: lhs.definitions.merging(rhs.definitions) { first, _ in first })
        if !lhs.offsets.isEmpty || !rhs.offsets.isEmpty {
            throw FormulaError(formula: formula, position: position,
                               message: "offset() must be added to the model with '+', not used in an interaction")
        }
        var present = Set<FormulaTerm>()
        for left in lhs.terms {
            for right in rhs.terms {
                let term = left.interacting(with: right)
                if present.insert(term).inserted { result.terms.append(term) }
            }
        }
        if result.terms.count > Self.maximumTerms { throw tooManyTerms(position: position) }
        return result
    }

    private func tooManyTerms(position: Int) -> FormulaError {
        FormulaError(formula: formula, position: position,
                     message: "this interaction expands to more than \(Self.maximumTerms) terms, the most a model may have")
    }

    private func cross(_ lhs: TermList, _ rhs: TermList, position: Int) throws(FormulaError) -> TermList {
        var result = lhs
        result.add(rhs)
        result.add(try interact(TermList(terms: lhs.terms, definitions: lhs.definitions),
                                TermList(terms: rhs.terms, definitions: rhs.definitions), position: position))
        if result.terms.count > Self.maximumTerms { throw tooManyTerms(position: position) }
        return result
    }

    private func requireNoInterceptSetting(_ list: TermList, position: Int, operatorName: String) throws(FormulaError) {
        if list.intercept != nil {
            throw FormulaError(formula: formula, position: position,
                               message: "'0' and '1' (the intercept) cannot be used inside an interaction '\(operatorName)'")
        }
    }

    /// Expands a grouping-factor expression: `g`, `g1:g2` or `g1/g2` (which gives `g1` and `g2:g1`).
    func expandGrouping(_ expression: FormulaExpression) throws(FormulaError) -> [[String]] {
        switch expression {
        case .variable(let name, _):
            return [[name]]
        case .binary(.interaction, let left, let right, let position):
            let lhs = try expandGrouping(left)
            let rhs = try expandGrouping(right)
            guard lhs.count == 1, rhs.count == 1 else {
                throw FormulaError(formula: formula, position: position,
                                   message: "expected a grouping factor such as g, g1:g2 or g1/g2")
            }
            return [lhs[0] + rhs[0]]
        case .binary(.nest, let left, let right, _):
            let outer = try expandGrouping(left)
            let inner = try expandGrouping(right)
            let outerVariables = outer.last ?? []
            return outer + inner.map { $0 + outerVariables }
        default:
            throw FormulaError(formula: formula, position: expression.position,
                               message: "expected a grouping factor after '|': a variable, g1:g2 or g1/g2")
        }
    }

    private func firstRandomEffects(in expression: FormulaExpression) -> FormulaExpression? {
        switch expression {
        case .randomEffects: return expression
        case .binary(_, let left, let right, _):
            return firstRandomEffects(in: left) ?? firstRandomEffects(in: right)
        case .negation(let operand, _): return firstRandomEffects(in: operand)
        default: return nil
        }
    }
}

extension Array where Element == FormulaTerm {
    /// Terms ordered as R's `terms.formula` orders them: by order (main effects, then two-way
    /// interactions, ...), keeping the written order within each order.
    func sortedByOrder() -> [FormulaTerm] {
        enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }.map(\.element)
    }
}
