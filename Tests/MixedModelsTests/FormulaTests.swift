import Testing
@testable import MixedModels

@Suite("Formula parsing and term expansion")
struct FormulaTests {
    struct Expansion: Sendable, CustomTestStringConvertible {
        let formula: String
        let intercept: Bool
        let fixed: [String]
        let random: [String]
        var testDescription: String { formula }
    }

    static let expansions: [Expansion] = [
        .init(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", intercept: true, fixed: ["Days"],
              random: ["(1 + Days | Subject)"]),
        .init(formula: "y ~ a * b", intercept: true, fixed: ["a", "b", "a:b"], random: []),
        .init(formula: "y ~ a:b + a", intercept: true, fixed: ["a", "a:b"], random: []),
        .init(formula: "y ~ (a + b + c)^2", intercept: true, fixed: ["a", "b", "c", "a:b", "a:c", "b:c"], random: []),
        .init(formula: "y ~ a*b*c - a:b:c", intercept: true, fixed: ["a", "b", "c", "a:b", "a:c", "b:c"], random: []),
        .init(formula: "y ~ a/b", intercept: true, fixed: ["a", "a:b"], random: []),
        .init(formula: "y ~ (a + b)/c", intercept: true, fixed: ["a", "b", "a:b:c"], random: []),
        .init(formula: "y ~ 0 + a", intercept: false, fixed: ["a"], random: []),
        .init(formula: "y ~ a - 1", intercept: false, fixed: ["a"], random: []),
        .init(formula: "y ~ -1 + a + (1|g)", intercept: false, fixed: ["a"], random: ["(1 | g)"]),
        .init(formula: "y ~ a*(b + c)", intercept: true, fixed: ["a", "b", "c", "a:b", "a:c"], random: []),
        .init(formula: "y ~ x + (1|a/b)", intercept: true, fixed: ["x"], random: ["(1 | a)", "(1 | b:a)"]),
        .init(formula: "y ~ x + (1|a:b)", intercept: true, fixed: ["x"], random: ["(1 | a:b)"]),
        .init(formula: "y ~ x + (1 + x || g)", intercept: true, fixed: ["x"], random: ["(1 | g)", "(0 + x | g)"]),
        .init(formula: "y ~ x + (0 + x | g) + (1 | g)", intercept: true, fixed: ["x"], random: ["(0 + x | g)", "(1 | g)"]),
        .init(formula: "y ~ 1 + (x | g)", intercept: true, fixed: [], random: ["(1 + x | g)"]),
        .init(formula: "y ~ `odd name` + b", intercept: true, fixed: ["odd name", "b"], random: []),
        .init(formula: "y ~ a + a", intercept: true, fixed: ["a"], random: []),
        .init(formula: "y~a*b+(a|g)", intercept: true, fixed: ["a", "b", "a:b"], random: ["(1 + a | g)"]),
        // MATLAB's power rule on one variable; crossing on a sum (R and MATLAB).
        .init(formula: "y ~ x^2", intercept: true, fixed: ["x", "x^2"], random: []),
        .init(formula: "y ~ x^3", intercept: true, fixed: ["x", "x^2", "x^3"], random: []),
        .init(formula: "y ~ x^2 - x", intercept: true, fixed: ["x^2"], random: []),
        .init(formula: "y ~ (x)^2 + z", intercept: true, fixed: ["x", "x^2", "z"], random: []),
        .init(formula: "y ~ (a + b)^2", intercept: true, fixed: ["a", "b", "a:b"], random: []),
        .init(formula: "y ~ (a + b + c)^3", intercept: true, fixed: ["a", "b", "c", "a:b", "a:c", "b:c", "a:b:c"], random: []),
        .init(formula: "y ~ (a:b)^2", intercept: true, fixed: ["a:b"], random: []),
        .init(formula: "y ~ log(x)^2", intercept: true, fixed: ["log(x)", "log(x)^2"], random: []),
        .init(formula: "y ~ x^2 + (1 + x^2 | g)", intercept: true, fixed: ["x", "x^2"], random: ["(1 + x + x^2 | g)"]),
        // Functions: names print as R's deparse; interactions and random terms take them too.
        .init(formula: "log(y) ~ log(x) + I(x^2) + I(2*x) + I(x/2 - 1)", intercept: true,
              fixed: ["log(x)", "I(x^2)", "I(2 * x)", "I(x/2 - 1)"], random: []),
        .init(formula: "y ~ poly(x,2) + poly(z, 3, raw=TRUE) + scale(w) + center(v)", intercept: true,
              fixed: ["poly(x, 2)", "poly(z, 3, raw = TRUE)", "scale(w)", "center(v)"], random: []),
        .init(formula: "y ~ log(x):g + factor(d)*a", intercept: true,
              fixed: ["factor(d)", "a", "log(x):g", "factor(d):a"], random: []),
        .init(formula: "y ~ x + offset(log(n)) + (1 + log(x) | g)", intercept: true, fixed: ["x"],
              random: ["(1 + log(x) | g)"]),
        .init(formula: "y ~ sqrt(abs(x - 3)) + exp(-x) + log10(x) + log2((x + 1)^2)", intercept: true,
              fixed: ["sqrt(abs(x - 3))", "exp(-x)", "log10(x)", "log2((x + 1)^2)"], random: []),
    ]

    @Test("expands terms as R's terms.formula", arguments: expansions)
    func expands(_ case_: Expansion) throws {
        let formula = try Formula(case_.formula)
        for name in formula.fixedTerms.flatMap(\.variables) where name.contains("(") || name.contains("^") {
            #expect(formula.computedVariables[name] != nil, "\(name) has no definition")
        }
        #expect(formula.hasIntercept == case_.intercept)
        #expect(formula.fixedTerms.map(\.description) == case_.fixed)
        #expect(formula.randomTerms.map(\.description) == case_.random)
    }

    struct BadFormula: Sendable, CustomTestStringConvertible {
        let formula: String
        let position: Int
        let fragment: String
        var testDescription: String { formula }
    }

    /// Each bad formula, the 0-based position the error must point at, and words its message must contain.
    static let badFormulas: [BadFormula] = [
        .init(formula: "", position: 0, fragment: "empty"),
        .init(formula: "   ", position: 3, fragment: "empty"),
        .init(formula: "~ x", position: 0, fragment: "no response"),
        .init(formula: "y x", position: 2, fragment: "expected '~'"),
        .init(formula: "y ~", position: 3, fragment: "expected terms"),
        .init(formula: "y ~ x +", position: 7, fragment: "expected a variable"),
        .init(formula: "y ~ + + x", position: 4, fragment: "expected a variable"),
        .init(formula: "y ~ x + + z", position: 8, fragment: "after '+'"),
        .init(formula: "y ~ x * * z", position: 8, fragment: "after '*'"),
        .init(formula: "y ~ x : : z", position: 8, fragment: "after ':'"),
        .init(formula: "y ~ (x + z", position: 4, fragment: "never closed"),
        .init(formula: "y ~ x + z)", position: 9, fragment: "unbalanced ')'"),
        .init(formula: "y ~ ()", position: 5, fragment: "empty parentheses"),
        .init(formula: "y ~ x + (1 | )", position: 13, fragment: "grouping factor"),
        .init(formula: "y ~ x + (1 |", position: 12, fragment: "grouping factor"),
        .init(formula: "y ~ x + (| g)", position: 9, fragment: "expected a variable"),
        .init(formula: "y ~ x + (1 | g", position: 8, fragment: "never closed"),
        .init(formula: "y ~ x + (0 | g)", position: 8, fragment: "no columns"),
        .init(formula: "y ~ x:(1 | g)", position: 6, fragment: "must be added"),
        .init(formula: "y ~ x * (1 | g)", position: 8, fragment: "must be added"),
        .init(formula: "y ~ x + (1 | g + h)", position: 15, fragment: "grouping factor"),
        .init(formula: "y ~ x + (1 | 2)", position: 13, fragment: "grouping factor"),
        .init(formula: "y ~ x ^ z", position: 8, fragment: "whole number"),
        .init(formula: "y ~ (a + b)^0", position: 12, fragment: "positive whole number"),
        .init(formula: "y ~ (a + b)^", position: 12, fragment: "positive whole number"),
        .init(formula: "y ~ foo(x)", position: 4, fragment: "unknown function 'foo': the functions a formula may use are log, log10, log2, exp, sqrt, abs, I, scale, center, poly, factor and offset"),
        .init(formula: "foo(y) ~ x", position: 0, fragment: "unknown function 'foo'"),
        .init(formula: "y ~ x + log(x, 10)", position: 15, fragment: "log() takes exactly one argument, found 2"),
        .init(formula: "y ~ log()", position: 4, fragment: "log() takes exactly one argument, found 0"),
        .init(formula: "y ~ log(x, base = 2)", position: 11, fragment: "log() has no argument 'base'"),
        .init(formula: "y ~ sqrt(x,)", position: 11, fragment: "expected a number, a variable or '(' in a function argument"),
        .init(formula: "y ~ I(x^2", position: 5, fragment: "never closed"),
        .init(formula: "y ~ I(x^2 x)", position: 10, fragment: "expected ',' or ')'"),
        .init(formula: "y ~ poly(x, 2, TRUE, 4)", position: 21, fragment: "at most three arguments"),
        .init(formula: "y ~ poly(x, 0)", position: 12, fragment: "whole number from 1 to 100"),
        .init(formula: "y ~ poly(x, 1.5)", position: 12, fragment: "whole number from 1 to 100"),
        .init(formula: "y ~ poly(x, 2, raw = yes)", position: 15, fragment: "TRUE or FALSE"),
        .init(formula: "y ~ poly(x, deg = 2)", position: 12, fragment: "no argument 'deg'"),
        .init(formula: "y ~ poly(x, 2, degree = 3)", position: 15, fragment: "'degree' twice"),
        .init(formula: "y ~ factor(x + 1)", position: 11, fragment: "column name"),
        .init(formula: "y ~ log(poly(x, 2))", position: 8, fragment: "term of its own"),
        .init(formula: "y ~ I(offset(x))", position: 6, fragment: "added with '+'"),
        .init(formula: "y ~ a:offset(x)", position: 5, fragment: "not used in an interaction"),
        .init(formula: "y ~ a - offset(x)", position: 6, fragment: "not subtracted"),
        .init(formula: "y ~ a + (1 + offset(x) | g)", position: 8, fragment: "not inside a random-effects term"),
        .init(formula: "factor(y) ~ x", position: 0, fragment: "the response must be a numeric expression"),
        .init(formula: "y ~ factor(x)^2", position: 13, fragment: "powers apply to one numeric variable"),
        // Found by the fuzzer: a power series of thousands of terms, nested in another, took 70 s.
        .init(formula: "y ~ x^3 + c^3920/e^3921 + (1 / k)", position: 11, fragment: "at most 32 are supported"),
        .init(formula: "y ~ x + (1 | factor(g))", position: 13, fragment: "grouping factor"),
        .init(formula: "y ~ x ~ z", position: 6, fragment: "exactly one '~'"),
        .init(formula: "y ~ x $ z", position: 6, fragment: "unexpected character '$'"),
        .init(formula: "y ~ x + 2", position: 8, fragment: "only 0 and 1"),
        .init(formula: "y ~ x z", position: 6, fragment: "expected an operator"),
        .init(formula: "y ~ `x", position: 4, fragment: "not closed"),
        .init(formula: "y ~ ``", position: 4, fragment: "empty backquoted"),
        .init(formula: "y ~ y + x", position: 0, fragment: "also appears"),
        .init(formula: "y ~ x + (1 | y)", position: 0, fragment: "also appears"),
        .init(formula: "log(y) ~ x + (1 + log(y) | g)", position: 0, fragment: "the response 'log(y)' also appears"),
        .init(formula: "y ~ 1:x", position: 5, fragment: "cannot be used inside an interaction"),
        .init(formula: "1 ~ x", position: 0, fragment: "expected the response"),
        .init(formula: "y ~ x + (1 || )", position: 14, fragment: "grouping factor after '||'"),
    ]

    @Test("bad formulas give an error with a caret at the position and what was expected", arguments: badFormulas)
    func rejects(_ case_: BadFormula) {
        do {
            let formula = try Formula(case_.formula)
            Issue.record("parsed \(formula) without error")
        } catch {
            #expect(error.position == case_.position, "\(error)")
            #expect(error.description.contains(case_.fragment), "\(error)")
            let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 3)
            if lines.count == 3 {
                #expect(lines[2].firstIndex(of: "^").map { lines[2].distance(from: lines[2].startIndex, to: $0) } == case_.position + 2)
            }
        }
    }
}
