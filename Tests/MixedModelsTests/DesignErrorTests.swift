import Foundation
import Testing
@testable import MixedModels

/// Bad model inputs give a DesignError that names the culprit; random formulas never trap.
@Suite("Design errors")
struct DesignErrorTests {
    static let csv = """
    y,x,g,h,label,w,one
    1.5,1,a,p,u,1,k
    2.5,2,a,q,u,2,k
    3.1,3,b,p,v,-1,k
    4.7,4,b,q,v,1,k
    5.2,5,c,p,w,1,k
    6.9,6,c,q,w,1,k
    7.4,7,d,p,u,1,k
    8.8,8,d,q,v,NA,k
    """

    struct Case: Sendable, CustomTestStringConvertible {
        let formula: String
        let weights: String?
        let fragments: [String]
        var testDescription: String { formula }
    }

    static let cases: [Case] = [
        .init(formula: "y ~ x + (1 | nosuch)", weights: nil, fragments: ["nosuch", "not in", "columns are"]),
        .init(formula: "y ~ z + (1 | g)", weights: nil, fragments: ["z", "not in"]),
        .init(formula: "label ~ x + (1 | g)", weights: nil, fragments: ["response 'label'", "numeric", "'u'"]),
        .init(formula: "y ~ x + (1 | g)", weights: "label", fragments: ["weights", "'label'", "numeric"]),
        .init(formula: "y ~ x + (1 | g)", weights: "w", fragments: ["weights must be zero or positive", "'w'", "row 3"]),
        .init(formula: "y ~ x + (1 | x)", weights: nil, fragments: ["'x'", "8 levels", "8 observations"]),
        .init(formula: "y ~ x + (1 + x | g)", weights: nil, fragments: ["(1 + x | g)", "8 random effects", "8 observations"]),
        .init(formula: "y ~ x + (1 | one)", weights: nil, fragments: ["'one'", "single level"]),
        .init(formula: "y ~ 0 + (0 + x | g:h:label)", weights: nil, fragments: ["g:h:label", "levels"]),
        // Formula functions: the data row of a value a function cannot take, the poly degree.
        .init(formula: "y ~ log(abs(x - 3)) + (1 | g)", weights: nil,
              fragments: ["log(abs(x - 3)) cannot be computed", "log of the non-positive value 0", "data row 3"]),
        .init(formula: "log(y - 2) ~ x + (1 | g)", weights: nil, fragments: ["log(y - 2)", "non-positive value -0.5", "data row 1"]),
        .init(formula: "y ~ x + (1 + log10(x - 2) | g)", weights: nil, fragments: ["log10", "non-positive value -1", "data row 1"]),
        .init(formula: "y ~ sqrt(x - 5) + (1 | g)", weights: nil, fragments: ["sqrt of the negative value -4", "data row 1"]),
        .init(formula: "y ~ I(1/(x - 2)) + (1 | g)", weights: nil, fragments: ["1/(x - 2)", "inf", "data row 2"]),
        .init(formula: "y ~ offset(log(x - 1)) + (1 | g)", weights: nil, fragments: ["log(x - 1)", "data row 1"]),
        .init(formula: "y ~ poly(x, 8) + (1 | g)", weights: nil,
              fragments: ["poly(x, 8)", "degree 8 must be less than the number of distinct values of x", "(8)"]),
        .init(formula: "y ~ poly(x, 3) + (1 | h)", weights: "w", fragments: ["weights must be zero or positive", "line 4 (data row 3)"]),
        .init(formula: "y ~ scale(one) + (1 | g)", weights: nil, fragments: ["'one'", "numeric"]),
        .init(formula: "y ~ scale(x - x) + (1 | g)", weights: nil, fragments: ["scale(x - x)", "does not vary"]),
        .init(formula: "y ~ log(g) + (1 | h)", weights: nil, fragments: ["'g'", "must be numeric"]),
        .init(formula: "y ~ g^2 + (1 | h)", weights: nil, fragments: ["'g'", "must be numeric"]),
        .init(formula: "y ~ foo(x) + (1 | g)", weights: nil, fragments: ["unknown function 'foo'", "log, log10"]),
        .init(formula: "y ~ exp(x, 2) + (1 | g)", weights: nil, fragments: ["exp() takes exactly one argument, found 2"]),
        .init(formula: "y ~ factor(nosuch) + (1 | g)", weights: nil, fragments: ["nosuch", "not in"]),
    ]

    @Test("errors name the problem", arguments: cases)
    func reportsError(_ case_: Case) throws {
        let table = try DataTable(csv: Self.csv, source: "test.csv")
        do {
            _ = try LinearMixedModel(formula: case_.formula, data: table, options: ModelOptions(weightsColumn: case_.weights))
            Issue.record("no error for \(case_.formula)")
        } catch {
            for fragment in case_.fragments {
                #expect(error.description.contains(fragment), "'\(fragment)' not in: \(error)")
            }
        }
    }

    @Test("a response with no variation is reported, not fitted to NaN")
    func constantResponse() throws {
        let table = try DataTable(csv: "y,g\n1,a\n1,a\n1,b\n1,b\n1,c\n1,c\n", source: "flat.csv")
        let model = try LinearMixedModel(formula: "y ~ 1 + (1 | g)", data: table)
        #expect(throws: MixedModelError.self) { try model.fit() }
    }

    @Test("missing values drop rows and are counted; unused levels are dropped")
    func missingValues() throws {
        let table = try DataTable(csv: "y,x,g\n1,1,a\n2,NA,a\n3,3,b\n4,4,b\n5,5,c\nNA,6,d\n7,7,c\n", source: "na.csv")
        let design = try ModelDesign(formula: Formula("y ~ x + (1 | g)"), data: table)
        #expect(design.observationCount == 5)
        #expect(design.droppedRowCount == 2)
        #expect(design.randomEffectsTerms.first?.levels == ["a", "b", "c"])
        #expect(design.rowIndices == [0, 2, 3, 4, 6])
    }

    @Test("random formulas and tables never trap")
    func randomInputs() throws {
        let table = try DataTable(csv: Self.csv, source: "test.csv")
        let pieces = ["y", "x", "g", "h", "~", "+", "-", "*", "/", ":", "^", "(", ")", "|", "||", "0", "1", "2", " ", "label", "`", "w"]
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(pieces.count))
        }
        var parsed = 0
        for _ in 0..<3000 {
            let length = 1 + next() % 12
            let text = (0..<length).map { _ in pieces[next()] }.joined()
            if let formula = try? Formula(text) {
                parsed += 1
                if let model = try? LinearMixedModel(formula: formula.text, data: table) {
                    _ = try? model.fit()
                }
            }
        }
        #expect(parsed > 0)
    }

    @Test("random formulas with function calls never trap")
    func randomFunctionCalls() throws {
        let table = try DataTable(csv: Self.csv, source: "test.csv")
        let pieces = ["x", "g", "y", "+", "-", "*", "/", ":", "^", ")", "2", "0.5", "log(", "I(", "poly(", "scale(",
                      "factor(", "offset(", "sqrt(", "exp(", ", ", "raw = TRUE", "(1 | g)", "(1 + log(x) | g)"]
        var state: UInt64 = 0x2545F4914F6CDD1D
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % UInt64(pieces.count))
        }
        var parsed = 0
        for _ in 0..<3000 {
            let length = 1 + next() % 8
            let text = "y ~ " + (0..<length).map { _ in pieces[next()] }.joined()
            if let formula = try? Formula(text) {
                parsed += 1
                if let model = try? LinearMixedModel(formula: formula.text, data: table) {
                    _ = try? model.fit()
                }
            }
        }
        #expect(parsed > 0)
    }
}
