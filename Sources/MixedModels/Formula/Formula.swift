import Foundation

/// A linear mixed-model formula in Wilkinson / lme4 notation, parsed and expanded.
///
///     let formula = try Formula("Reaction ~ 1 + Days + (1 + Days | Subject)")
///
/// Supports `+ - * / : ^`, `0`, `1`, `-1`, parentheses, and random-effects terms `(1|g)`,
/// `(x|g)`, `(1 + x|g)`, `(0 + x|g)`, `(1|g1:g2)`, `(1|g1/g2)` and `(1 + x||g)`; functions
/// (`log`, `log10`, `log2`, `exp`, `sqrt`, `abs`, `I`, `scale`, `center`, `poly`, `factor`,
/// `offset`) on either side, also inside random-effects terms; and MATLAB's power rule
/// (`x^2` on one numeric variable is `x + x^2`).
public struct Formula: Sendable, Equatable, CustomStringConvertible {
    /// The formula as written.
    public let text: String
    /// The response as written: a column name, or an expression such as `log(Reaction)`.
    public let response: String
    /// How the response is computed from the data (a bare column for `y ~ ...`).
    public let responseExpression: TransformExpression
    /// The computed variables the terms name (`log(Days)`, `I(Days^2)`, `Days^2`, `poly(x, 2)`,
    /// `factor(x)`), by name; any other variable of a term is a data column.
    public let computedVariables: [String: FormulaVariable]
    /// The `offset(...)` terms: known terms with coefficient 1, summed.
    public let offsets: [TransformExpression]
    /// Whether the fixed effects include an intercept (the default unless `0` or `-1` is given).
    public let hasIntercept: Bool
    /// The fixed-effects terms other than the intercept, in R's order (by order of interaction).
    public let fixedTerms: [FormulaTerm]
    /// The random-effects terms after expanding `/` and `||`.
    public let randomTerms: [RandomEffectsSpecification]

    /// Parses and expands `text`.
    /// - Throws: ``FormulaError`` showing the position of the problem and what was expected.
    public init(_ text: String) throws(FormulaError) {
        var parser = try FormulaParser(text)
        let parsed = try parser.parse()
        let expansion = TermExpansion(formula: text)
        let (fixedExpression, randomExpressions) = try expansion.splitRandomEffects(parsed.rightHandSide)

        var fixed = TermExpansion.TermList()
        if let fixedExpression {
            fixed = try expansion.expand(fixedExpression)
        }
        self.text = text
        self.response = parsed.response
        self.responseExpression = parsed.responseExpression
        self.hasIntercept = fixed.intercept ?? true
        self.fixedTerms = fixed.terms.sortedByOrder()
        self.offsets = fixed.offsets

        var definitions = fixed.definitions
        var random: [RandomEffectsSpecification] = []
        for expression in randomExpressions {
            let (specifications, randomDefinitions) = try Self.expandRandom(expression, expansion: expansion, text: text)
            random += specifications
            definitions.merge(randomDefinitions) { first, _ in first }
        }
        self.randomTerms = random
        self.computedVariables = definitions

        // A response expression may use a predictor's column (`I(post - pre) ~ pre`, as in R);
        // the response itself may not be a predictor.
        let predictorNames = fixedTerms.flatMap(\.variables) + random.flatMap { $0.terms.flatMap(\.variables) + $0.grouping }
        if predictorNames.contains(response) {
            throw FormulaError(formula: text, position: parsed.responsePosition,
                               message: "the response '\(response)' also appears on the right-hand side")
        }
    }

    private static func expandRandom(_ expression: FormulaExpression, expansion: TermExpansion,
                                     text: String) throws(FormulaError) -> ([RandomEffectsSpecification], [String: FormulaVariable]) {
        guard case .randomEffects(let inner, let groupExpression, let uncorrelated, let position) = expression else {
            return ([], [:])
        }
        let columns = try expansion.expand(inner)
        if !columns.offsets.isEmpty {
            throw FormulaError(formula: text, position: position,
                               message: "offset() belongs to the fixed effects, not inside a random-effects term")
        }
        let groupings = try expansion.expandGrouping(groupExpression)
        let hasIntercept = columns.intercept ?? true
        let terms = columns.terms.sortedByOrder()
        if !hasIntercept && terms.isEmpty {
            throw FormulaError(formula: text, position: position,
                               message: "this random-effects term has no columns: expected an intercept or a variable before '|'")
        }
        var result: [RandomEffectsSpecification] = []
        for grouping in groupings {
            if uncorrelated {
                if hasIntercept {
                    result.append(RandomEffectsSpecification(hasIntercept: true, terms: [], grouping: grouping))
                }
                for term in terms {
                    result.append(RandomEffectsSpecification(hasIntercept: false, terms: [term], grouping: grouping))
                }
            } else {
                result.append(RandomEffectsSpecification(hasIntercept: hasIntercept, terms: terms, grouping: grouping))
            }
        }
        return (result, columns.definitions)
    }

    /// Parses one random-effects term on its own, as written in a formula, e.g.
    /// `(1 + Days | Subject)`; `||` and `/` give several specifications, as in a formula.
    /// - Throws: ``FormulaError`` (positions refer to `text`) when `text` is not a random-effects term.
    public static func randomEffectsTerm(_ text: String) throws(FormulaError) -> [RandomEffectsSpecification] {
        let prefix = "`.` ~ 0 + "
        let formula: Formula
        do {
            formula = try Formula(prefix + text)
        } catch {
            throw FormulaError(formula: text, position: error.position - prefix.count, message: error.message)
        }
        guard formula.fixedTerms.isEmpty, formula.offsets.isEmpty, !formula.randomTerms.isEmpty,
              text.trimmingCharacters(in: .whitespaces).hasPrefix("(") else {
            throw FormulaError(formula: text, position: 0,
                               message: "expected a random-effects term such as (1 + Days | Subject)")
        }
        return formula.randomTerms
    }

    /// Every data column the model uses: those of the response, the fixed-effects and
    /// random-effects variables (the columns inside `log(x)`, `poly(x, 2)`, ...), the offsets and
    /// the grouping factors, each once, in order of first use.
    public var variables: [String] {
        var seen = Set<String>()
        var names = responseExpression.columns + dataColumns(of: fixedTerms.flatMap(\.variables))
        names += offsets.flatMap(\.columns)
        for term in randomTerms {
            names += dataColumns(of: term.terms.flatMap(\.variables)) + term.grouping
        }
        return names.filter { seen.insert($0).inserted }
    }

    /// The data columns behind model variables (computed variables read one or more columns).
    private func dataColumns(of names: [String]) -> [String] {
        names.flatMap { computedVariables[$0]?.columns ?? [$0] }
    }

    public var description: String { text }
}
