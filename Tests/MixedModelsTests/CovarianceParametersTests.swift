import Foundation
import Testing
@testable import MixedModels

/// Covariance parameters with Wald intervals on the natural scale, against nlme's
/// `intervals(lme, which = "var-cov")` (Fixtures/inference/covariance_wald_nlme.json, made by
/// Fixtures/scripts/inference_fixtures.R), which uses the method MATLAB's covarianceParameters uses.
@Suite("Covariance parameters")
struct CovarianceParametersTests {
    static func entries() -> [[String: Any]] {
        guard let fixture = try? FixtureSupport.json("inference/covariance_wald_nlme.json") else { return [] }
        return fixture["entries"] as? [[String: Any]] ?? []
    }
    static let labels = entries().map { "\($0["id"] as? String ?? "?")_\($0["method"] as? String ?? "?")" }

    static func fit(_ entry: [String: Any]) throws -> FittedModel {
        let table = try DataTable.builtIn(entry["dataset"] as? String ?? "")
        let model = try LinearMixedModel(formula: entry["formula"] as? String ?? "", data: table)
        return try model.fit(method: entry["method"] as? String == "REML" ? .reml : .ml)
    }

    /// The relative error of our limits against nlme's. nlme's optimum differs from ours by
    /// ~1e-6 relative and its Hessian (fdHess) is a finite-difference one, so the limits are
    /// compared at 1e-3 relative (measured max: 5.2e-4, Pastes ML; sleepstudy correlations 2.7e-4).
    static let tolerance = 1e-3

    @Test("Wald intervals match nlme's intervals()", arguments: labels)
    func matchesNlme(label: String) throws {
        let entry = try #require(Self.entries().first { "\($0["id"] as? String ?? "?")_\($0["method"] as? String ?? "?")" == label })
        let fit = try Self.fit(entry)
        let rows = fit.covarianceParameters(alpha: 0.05)
        var compared = 0
        for group in entry["groups"] as? [[String: Any]] ?? [] {
            let name = group["group"] as? String ?? ""
            // nlme names nested groups by their innermost factor (`cask` for lme4's `cask:batch`).
            let exact = rows.filter { $0.group == name }
            let candidates = exact.isEmpty ? rows.filter { $0.group.split(separator: ":").contains { String($0) == name } } : exact
            let names = group["rownames"] as? [String] ?? []
            let lower = FixtureSupport.doubles(group["lower"])
            let estimate = FixtureSupport.doubles(group["estimate"])
            let upper = FixtureSupport.doubles(group["upper"])
            for (index, rowName) in names.enumerated() {
                let row = try #require(Self.row(named: rowName, in: candidates), "\(label): no row for \(name) \(rowName)")
                let expected = (estimate[index], lower[index], upper[index])
                let actual = (row.estimate, row.lower, row.upper)
                #expect(FixtureSupport.relativeError(actual.0, expected.0) < 1e-4, "\(label) \(rowName) estimate \(actual.0) vs \(expected.0)")
                #expect(FixtureSupport.relativeError(actual.1, expected.1) < Self.tolerance, "\(label) \(rowName) lower \(actual.1) vs \(expected.1)")
                #expect(FixtureSupport.relativeError(actual.2, expected.2) < Self.tolerance, "\(label) \(rowName) upper \(actual.2) vs \(expected.2)")
                compared += 1
            }
        }
        let sigma = try #require(entry["sigma"] as? [String: Any])
        let residual = try #require(rows.last)
        #expect(residual.group == "Error" && residual.name1 == "Res Std" && residual.type == "std")
        #expect(FixtureSupport.relativeError(residual.lower, FixtureSupport.double(sigma["lower"])) < Self.tolerance,
                "\(label) sigma lower \(residual.lower) vs \(FixtureSupport.double(sigma["lower"]))")
        #expect(FixtureSupport.relativeError(residual.upper, FixtureSupport.double(sigma["upper"])) < Self.tolerance,
                "\(label) sigma upper \(residual.upper) vs \(FixtureSupport.double(sigma["upper"]))")
        #expect(compared + 1 == rows.count, "\(label): every row is compared")
    }

    /// nlme's row names: `sd((Intercept))`, `cor((Intercept),Days)`.
    static func row(named name: String, in rows: [CovarianceParameterRow]) -> CovarianceParameterRow? {
        if name.hasPrefix("sd(") {
            let inner = String(name.dropFirst(3).dropLast())
            return rows.first { $0.type == "std" && $0.name1 == inner }
        }
        guard name.hasPrefix("cor(") else { return nil }
        let inner = String(name.dropFirst(4).dropLast())
        // Split at the comma that is outside parentheses.
        var depth = 0
        var split: String.Index?
        for index in inner.indices {
            switch inner[index] {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0: split = index
            default: break
            }
        }
        guard let comma = split else { return nil }
        let pair: Set = [String(inner[..<comma]), String(inner[inner.index(after: comma)...])]
        return rows.first { $0.type == "corr" && Set([$0.name1, $0.name2]) == pair }
    }

    @Test("rows are listed as MATLAB lists them: lower triangle column by column")
    func rowOrder() throws {
        let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: DataTable.builtIn("sleepstudy"))
        let fit = try model.fit(method: .reml)
        let rows = fit.covarianceParameters()
        #expect(rows.map(\.type) == ["std", "corr", "std", "std"])
        #expect(rows.map(\.name1) == ["(Intercept)", "Days", "Days", "Res Std"])
        #expect(rows.map(\.name2) == ["(Intercept)", "(Intercept)", "Days", ""])
        #expect(rows.map(\.group) == ["Subject", "Subject", "Subject", "Error"])
        for row in rows {
            #expect(row.lower < row.estimate && row.estimate < row.upper, "\(row)")
        }
        let estimates = fit.covarianceParameterEstimates()
        #expect(zip(rows, estimates).allSatisfy { $0.estimate == $1.estimate && $1.lower.isNaN && $1.upper.isNaN })
    }

    @Test("a singular fit (Dyestuff2) gives NaN limits for the zero SD and finite ones for sigma")
    func singularFit() throws {
        let model = try LinearMixedModel(formula: "Yield ~ 1 + (1 | Batch)", data: DataTable.builtIn("Dyestuff2"))
        let fit = try model.fit(method: .reml)
        let rows = fit.covarianceParameters()
        #expect(rows.count == 2)
        #expect(rows[0].estimate == 0)
        #expect(rows[0].lower.isNaN && rows[0].upper.isNaN)
        #expect(rows[1].lower.isFinite && rows[1].lower < rows[1].estimate && rows[1].estimate < rows[1].upper)
    }
}
