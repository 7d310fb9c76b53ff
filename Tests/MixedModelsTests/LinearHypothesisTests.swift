import Testing
@testable import MixedModels

/// Parsing linear hypotheses written with coefficient names into rows of H β = c.
@Suite("Linear hypotheses from coefficient names")
struct LinearHypothesisTests {
    static let names = ["(Intercept)", "Days", "Type_T2", "Type_T2:Days", "age 18-25"]

    static func parse(_ text: String) throws(LinearHypothesisError) -> LinearHypothesis {
        try LinearHypothesis(text, coefficientNames: names)
    }

    @Test("coefficients and values of linear expressions on both sides")
    func linearForms() throws {
        let simple = try Self.parse("Days = 0")
        #expect(simple.coefficients == [0, 1, 0, 0, 0] && simple.value == 0)
        let combined = try Self.parse("2*Days + Type_T2 = 1")
        #expect(combined.coefficients == [0, 2, 1, 0, 0] && combined.value == 1)
        let both = try Self.parse("(Intercept) - 1 = Days / 4 + 3")
        #expect(both.coefficients == [1, -0.25, 0, 0, 0] && both.value == 4)
        let grouped = try Self.parse("-(Days - Type_T2:Days) * 2 = -1e1")
        #expect(grouped.coefficients == [0, -2, 0, 2, 0] && grouped.value == -10)
        let implicit = try Self.parse("Type_T2:Days")
        #expect(implicit.coefficients == [0, 0, 0, 1, 0] && implicit.value == 0)
        let spaced = try Self.parse("`age 18-25` = age 18-25 * 0.5 + 2")
        #expect(spaced.coefficients == [0, 0, 0, 0, 0.5] && spaced.value == 2)
    }

    @Test("mistakes are reported with their position")
    func mistakes() throws {
        let cases: [(String, Int, String)] = [
            ("Days - Foo = 0", 7, "unknown coefficient 'Foo'"),
            ("Days * Type_T2 = 0", 5, "linear"),
            ("1 / Days = 0", 4, "divides by a coefficient"),
            ("Days = 0 = 1", 9, "one '='"),
            ("(Days = 0", 6, "expected ')'"),
            ("Days +", 6, "ends too early"),
            ("3Days = 0", 1, "'*'"),
            ("Days Days = 0", 5, "expected an operator"),
            ("Days - Days = 0", 0, "cancel"),
            ("Days # 2", 5, "unexpected character '#'"),
            ("`Day` = 0", 0, "unknown coefficient 'Day'"),
        ]
        for (text, position, message) in cases {
            do throws(LinearHypothesisError) {
                _ = try Self.parse(text)
                Issue.record("'\(text)' was accepted")
            } catch {
                #expect(error.position == position, "'\(text)': position \(error.position)")
                #expect(error.message.contains(message), "'\(text)': \(error.message)")
                #expect(error.description.contains("\n    \(text)\n"))
            }
        }
    }
}
