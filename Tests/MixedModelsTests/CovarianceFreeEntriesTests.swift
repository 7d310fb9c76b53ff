import Foundation
import Testing
@testable import MixedModels

/// Covariance patterns per term and as MATLAB's logical matrix of free covariance entries, against
/// the lme4 fit of the equivalent split formula (Fixtures/covariance/free_entries.json from
/// Fixtures/scripts/covariance_free_entries_fixtures.R), through `lmm fit --covariance` and the
/// library options. Tolerances as FitTests: −2 log L 1e-6 relative, β 1e-5, SE 1e-4, σ 1e-5;
/// predictions 1e-5 relative.
@Suite("Custom covariance patterns")
struct CovarianceFreeEntriesTests {
    struct Reference: Sendable, CustomTestStringConvertible {
        let index: Int
        let id: String
        var testDescription: String { id }
    }

    static let fixturePath = "covariance/free_entries.json"

    static var references: [Reference] {
        let fits = ((try? FixtureSupport.json(fixturePath))?["fits"] as? [[String: Any]]) ?? []
        return fits.enumerated().map { Reference(index: $0.offset, id: $0.element["id"] as? String ?? "?") }
    }

    static func fixture(_ reference: Reference) throws -> [String: Any] {
        (try FixtureSupport.json(fixturePath)["fits"] as? [[String: Any]] ?? [])[reference.index]
    }

    /// The library options for `--covariance KEY=VALUE` arguments.
    static func options(_ arguments: [String]) throws -> ModelOptions {
        var options = ModelOptions()
        for argument in arguments {
            guard let equals = argument.lastIndex(of: "=") else { continue }
            let key = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            if value.hasPrefix("[") {
                options.covarianceFreeEntries[key] = try CovarianceFreeEntries(parsing: value)
            } else {
                options.covariancePatterns[key] = CovariancePattern(name: value)
            }
        }
        return options
    }

    @Test("the fit equals lme4's equivalent split formula", arguments: references)
    func matchesLme4(reference: Reference) throws {
        let fixture = try Self.fixture(reference)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        let covariance = fixture["covariance"] as? [String] ?? []
        let data = try DataTable.builtIn(fixture["dataset"] as? String ?? "")
        let fit = try LinearMixedModel(formula: fixture["formula"] as? String ?? "", data: data,
                                       options: Self.options(covariance)).fit(method: method)
        let objective = -2 * FixtureSupport.double(fixture["logLik"])
        #expect(abs(fit.objective - objective) <= 1e-6 * abs(objective), "objective \(fit.objective) vs lme4 \(objective)")
        let beta = FixtureSupport.doubles(fixture["beta"])
        let se = FixtureSupport.doubles(fixture["se_beta"])
        #expect(fit.beta.count == beta.count)
        for index in 0..<min(beta.count, fit.beta.count) {
            #expect(abs(fit.beta[index] - beta[index]) <= 1e-5 * max(abs(beta[index]), 1e-2))
            #expect(FixtureSupport.relativeError(fit.standardErrors[index], se[index]) <= 1e-4)
        }
        #expect(FixtureSupport.relativeError(fit.sigma, FixtureSupport.double(fixture["sigma"])) <= 1e-5)
        #expect(fit.theta.count == fixture["theta_count"] as? Int)

        let table = try FormulaTransformTests.newData(fixture)
        let marginal = try fit.predict(on: table, conditional: false).map(\.prediction)
        let conditional = try fit.predict(on: table).map(\.prediction)
        for (ours, theirs) in zip(marginal, FixtureSupport.doubles(fixture["marginal"])) {
            #expect(FixtureSupport.relativeError(ours, theirs) <= 1e-5, "marginal \(ours) vs \(theirs)")
        }
        for (ours, theirs) in zip(conditional, FixtureSupport.doubles(fixture["conditional"])) {
            #expect(FixtureSupport.relativeError(ours, theirs) <= 1e-5, "conditional \(ours) vs \(theirs)")
        }
    }

    @Test("lmm fit --covariance takes a term or a matrix and gives lme4's log-likelihood", arguments: references)
    func commandLine(reference: Reference) throws {
        let fixture = try Self.fixture(reference)
        var arguments = ["fit", fixture["dataset"] as? String ?? "", fixture["formula"] as? String ?? "", "--format", "json"]
        if fixture["REML"] as? Bool ?? false { arguments += ["--method", "reml"] }
        for covariance in fixture["covariance"] as? [String] ?? [] { arguments += ["--covariance", covariance] }
        let run = try CommandLineTests.run(arguments)
        #expect(run.status == 0, "\(run.error)")
        let object = try CommandLineTests.json(run)
        let logLikelihood = FixtureSupport.double(object["logLikelihood"])
        let reference = FixtureSupport.double(fixture["logLik"])
        #expect(abs(logLikelihood - reference) <= 1e-6 * abs(reference), "\(logLikelihood) vs lme4 \(reference)")
    }

    struct BadMatrix: Sendable, CustomTestStringConvertible {
        let text: String
        let fragment: String
        var testDescription: String { text }
    }

    @Test("malformed matrices are refused with the reason", arguments: [
        BadMatrix(text: "1 0; 0 1", fragment: "in brackets"),
        BadMatrix(text: "[]", fragment: "empty"),
        BadMatrix(text: "[1 0; 0]", fragment: "square: row 2 has 1 entry, not 2"),
        BadMatrix(text: "[1 0 1; 0 1 0]", fragment: "square"),
        BadMatrix(text: "[1 2; 2 1]", fragment: "entry '2' in row 1 must be 0 or 1"),
        BadMatrix(text: "[1 1; 0 1]", fragment: "symmetric"),
        BadMatrix(text: "[0 0; 0 1]", fragment: "diagonal must be all 1s"),
        BadMatrix(text: "[1 1 0; 1 1 1; 0 1 1]", fragment: "must form blocks: random effects 1 and 3 are both correlated with 2"),
        BadMatrix(text: "[1 0;; 0 1]", fragment: "row 2"),
    ])
    func malformed(_ case_: BadMatrix) {
        do {
            let parsed = try CovarianceFreeEntries(parsing: case_.text)
            Issue.record("accepted \(parsed)")
        } catch {
            #expect(error.description.contains(case_.fragment), "\(error)")
        }
    }

    @Test("a matrix of the wrong size, an unknown term and a key with two patterns are design errors")
    func designErrors() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let formula = "Reaction ~ Days + (1 + Days | Subject)"
        let cases: [(ModelOptions, [String])] = [
            (try Self.options(["Subject=[1 0 0; 0 1 0; 0 0 1]"]), ["3×3", "2 random effects per level", "(Intercept), Days"]),
            (try Self.options(["(1 + Day | Subject)=Diagonal"]), ["no random-effects term (1 + Day | Subject)", "(1 + Days | Subject)"]),
            (try Self.options(["(1 + Days | Subject=Diagonal"]), ["never closed"]),
            (try Self.options(["(1 + Days | Subject)=[1 0; 0 1]", "(1 + Days | Subject)=Diagonal"]), ["both a named pattern and a matrix"]),
            (try Self.options(["Patient=[1 0; 0 1]"]), ["Patient", "Subject"]),
        ]
        for (options, fragments) in cases {
            do {
                _ = try LinearMixedModel(formula: formula, data: data, options: options)
                Issue.record("no error for \(options)")
            } catch {
                for fragment in fragments { #expect(error.description.contains(fragment), "'\(fragment)' not in \(error)") }
            }
        }
    }

    @Test("a term key wins over its group's pattern")
    func termOverridesGroup() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let options = try Self.options(["Subject=Isotropic", "(0 + Days | Subject)=FullCholesky"])
        let design = try ModelDesign(formula: Formula("Reaction ~ Days + (1 | Subject) + (0 + Days | Subject)"), data: data, options: options)
        #expect(design.randomEffectsTerms.map(\.covariancePattern) == [.isotropic, .fullCholesky])
    }
}
