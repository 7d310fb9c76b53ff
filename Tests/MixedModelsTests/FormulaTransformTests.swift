import Foundation
import Testing
@testable import MixedModels

/// Formulas with functions (log, I(), poly, scale, center, factor, offset, sqrt, exp, abs, log10,
/// log2) and MATLAB's power rule, against lme4 fits at lme4's polished optimum and R's predict on
/// new data (Fixtures/formula/transforms.json from Fixtures/scripts/formula_fixtures.R).
/// Tolerances as FitTests: −2 log L 1e-6 relative, β 1e-5, SE 1e-4, σ 1e-5, θ 1e-3; predictions
/// 1e-5 relative.
@Suite("Formula functions against lme4")
struct FormulaTransformTests {
    struct Reference: Sendable, CustomTestStringConvertible {
        let index: Int
        let id: String
        var testDescription: String { id }
    }

    static let fixturePath = "formula/transforms.json"

    static var references: [Reference] {
        let fits = ((try? FixtureSupport.json(fixturePath))?["fits"] as? [[String: Any]]) ?? []
        return fits.enumerated().map { Reference(index: $0.offset, id: $0.element["id"] as? String ?? "?") }
    }

    static func fixture(_ reference: Reference) throws -> [String: Any] {
        let fits = try FixtureSupport.json(fixturePath)["fits"] as? [[String: Any]] ?? []
        return fits[reference.index]
    }

    /// R's column names as this project prints them: `factor(Days)1` is `factor(Days)_1`, the
    /// MATLAB power fits print `Days^2` where the R formula wrote `I(Days^2)`, and `center(Days)`
    /// is R's `scale(Days, scale = FALSE)`.
    static func expectedName(_ rName: String, id: String) -> String? {
        if id.hasPrefix("matlab_power"), rName.hasPrefix("I("), rName.hasSuffix(")") {
            return String(rName.dropFirst(2).dropLast())
        }
        if rName.hasPrefix("factor(Days)") {
            return "factor(Days)_" + rName.dropFirst("factor(Days)".count)
        }
        if id == "center" { return rName.replacingOccurrences(of: "scale(Days, scale = FALSE)", with: "center(Days)") }
        if rName.contains("Sex") { return nil }   // R orders the interaction's variables differently
        return rName
    }

    static func newData(_ fixture: [String: Any]) throws -> DataTable {
        let columns = fixture["newdata"] as? [String: Any] ?? [:]
        let names = columns.keys.sorted()
        var lines = [names.joined(separator: ",")]
        let values = names.map { name -> [String] in
            let column = columns[name] as? [Any] ?? []
            return column.map { value in
                if let text = value as? String { return "\"\(text)\"" }
                return "\(FixtureSupport.double(value))"
            }
        }
        for row in 0..<(values.first?.count ?? 0) { lines.append(values.map { $0[row] }.joined(separator: ",")) }
        return try DataTable(csv: lines.joined(separator: "\n") + "\n", source: "newdata")
    }

    @Test("estimates, standard errors, log-likelihood and predictions match lme4", arguments: references)
    func matchesLme4(reference: Reference) throws {
        let fixture = try Self.fixture(reference)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        let formula = fixture["formula"] as? String ?? ""
        let model = try LinearMixedModel(formula: formula, data: DataTable.builtIn(fixture["dataset"] as? String ?? ""))
        let fit = try model.fit(method: method)

        let referenceObjective = -2 * FixtureSupport.double(fixture["logLik"])
        #expect(abs(fit.objective - referenceObjective) <= 1e-6 * abs(referenceObjective),
                "objective \(fit.objective) vs lme4 \(referenceObjective)")
        let beta = FixtureSupport.doubles(fixture["beta"])
        let se = FixtureSupport.doubles(fixture["se_beta"])
        let names = fixture["beta_names"] as? [String] ?? []
        #expect(fit.beta.count == beta.count)
        let columnNames = model.design.fixedEffects.columnNames
        for index in 0..<min(fit.beta.count, beta.count) {
            #expect(abs(fit.beta[index] - beta[index]) <= 1e-5 * max(abs(beta[index]), 1e-2),
                    "beta \(names[index]): \(fit.beta[index]) vs \(beta[index])")
            #expect(FixtureSupport.relativeError(fit.standardErrors[index], se[index]) <= 1e-4,
                    "SE \(names[index]): \(fit.standardErrors[index]) vs \(se[index])")
            if let expected = Self.expectedName(names[index], id: reference.id) {
                #expect(columnNames[index] == expected)
            }
        }
        #expect(FixtureSupport.relativeError(fit.sigma, FixtureSupport.double(fixture["sigma"])) <= 1e-5)
        let theta = FixtureSupport.doubles(fixture["theta"])
        #expect(fit.theta.count == theta.count)
        for (ours, theirs) in zip(fit.theta, theta) {
            #expect(abs(ours - theirs) <= 1e-3 * max(1, abs(theirs)), "theta \(ours) vs \(theirs)")
        }

        let table = try Self.newData(fixture)
        let marginal = try fit.predict(on: table, conditional: false).map(\.prediction)
        let conditional = try fit.predict(on: table).map(\.prediction)
        let rMarginal = FixtureSupport.doubles(fixture["marginal"])
        let rConditional = FixtureSupport.doubles(fixture["conditional"])
        #expect(marginal.count == rMarginal.count && conditional.count == rConditional.count)
        for (index, (ours, theirs)) in zip(marginal, rMarginal).enumerated() {
            #expect(FixtureSupport.relativeError(ours, theirs) <= 1e-5, "marginal[\(index)] \(ours) vs \(theirs)")
        }
        for (index, (ours, theirs)) in zip(conditional, rConditional).enumerated() {
            #expect(FixtureSupport.relativeError(ours, theirs) <= 1e-5, "conditional[\(index)] \(ours) vs \(theirs)")
        }
    }

    @Test("column names print as written")
    func columnNames() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let design = try ModelDesign(formula: Formula("log(Reaction) ~ log(Days + 1) + I(Days^2) + poly(sqrt(Days), 2) + (1 + sqrt(Days) | Subject)"),
                                     data: data)
        #expect(design.fixedEffects.columnNames == ["(Intercept)", "log(Days + 1)", "I(Days^2)", "poly(sqrt(Days), 2)1", "poly(sqrt(Days), 2)2"])
        #expect(design.randomEffectsTerms.first?.columnNames == ["(Intercept)", "sqrt(Days)"])
        #expect(design.formula.response == "log(Reaction)")
        let power = try ModelDesign(formula: Formula("Reaction ~ Days^3 - Days + (1 | Subject)"), data: data)
        #expect(power.fixedEffects.columnNames == ["(Intercept)", "Days^2", "Days^3"])
    }

    @Test("the offset enters the fit: y ~ x + offset(z) is (y − z) ~ x")
    func offsetIsSubtracted() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let withOffset = try LinearMixedModel(formula: "Reaction ~ Days + offset(3 * Days) + (1 | Subject)", data: data).fit()
        let shifted = try LinearMixedModel(formula: "I(Reaction - 3 * Days) ~ Days + (1 | Subject)", data: data).fit()
        #expect(abs(withOffset.objective - shifted.objective) <= 1e-9 * abs(shifted.objective))
        #expect(abs(withOffset.beta[1] - shifted.beta[1]) <= 1e-8)
        let fitted = withOffset.fitted()
        let fittedShifted = shifted.fitted()
        guard case .numeric(let days)? = data.column(named: "Days") else { return }
        for row in 0..<5 {
            #expect(abs(fitted[row] - (fittedShifted[row] + 3 * days.values[row])) <= 1e-8 * abs(fitted[row]))
        }
        #expect(withOffset.residuals().prefix(5).elementsEqual(shifted.residuals().prefix(5)) { abs($0 - $1) <= 1e-8 })
    }

    @Test("simulate on new data uses the fitted scale() constants")
    func simulateUsesFittedConstants() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let fit = try LinearMixedModel(formula: "Reaction ~ scale(Days) + (1 | Subject)", data: data).fit()
        let unscaled = try LinearMixedModel(formula: "Reaction ~ Days + (1 | Subject)", data: data).fit()
        let newData = try DataTable(csv: "Days,Subject\n3,308\n20,NEW\n", source: "new")
        // The same model in another parametrisation: identical simulations from the same seed.
        let a = try fit.simulate(seed: 7, newData: newData)
        let b = try unscaled.simulate(seed: 7, newData: newData)
        for (x, y) in zip(a, b) { #expect(abs(x - y) <= 1e-6 * abs(y)) }
    }
}
