import Foundation
import Testing
@testable import MixedModels

/// Likelihood-profile intervals against
/// - Fixtures/inference/profile_exact.json: the same limits solved to full precision in R
///   (lme4's own profiling deviance devfun2 + bobyqa + uniroot; script profile_exact.R);
/// - lme4's `confint(method = "profile")` (fixture key `confint.profile`), which interpolates a
///   spline and is less accurate;
/// and β Wald intervals against `confint.wald`.
@Suite("Profile likelihood intervals")
struct ProfileLikelihoodTests {
    /// Fixtures with trusted profile intervals (the weighted fits' are wrong in lme4 — README
    /// caveat 2 — and InstEval has none).
    static let fixtures = ObjectiveTests.fixtures.filter { !$0.contains("weighted") && !$0.contains("insteval") }

    static func exactEntry(id: String) throws -> [String: Any]? {
        let exact = try FixtureSupport.json("inference/profile_exact.json")
        let entries = exact["entries"] as? [[String: Any]] ?? []
        return entries.first { $0["id"] as? String == id }
    }

    static func profile(_ file: String) throws -> (fit: FittedModel, intervals: [ProfileInterval]) {
        let fixture = try FixtureSupport.json(file)
        let model = try ObjectiveTests.model(for: fixture)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        let fit = try model.fit(method: method)
        return (fit, try fit.profileConfidenceIntervals(level: 0.95))
    }

    /// The error measure: relative, or absolute for limits below 1 in size (correlations, SD
    /// limits at or near 0).
    static func error(_ actual: Double, _ expected: Double) -> Double {
        abs(actual - expected) / max(abs(expected), 1)
    }

    @Test("profile intervals match the full-precision R solution", arguments: fixtures.filter { $0.hasSuffix("_ml.json") })
    func matchesExactSolution(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let id = fixture["id"] as? String ?? ""
        let entry = try #require(try Self.exactEntry(id: id), "\(id) missing from profile_exact.json")
        let limits = try #require(entry["limits"] as? [[String: Any]])
        let flagged = ((fixture["confint"] as? [String: Any])?["profile_flagged_parameters"] as? [String]) ?? []
        let (fit, intervals) = try Self.profile(file)
        #expect(intervals.count == limits.count)
        var profiler = LikelihoodProfiler(fit: fit)
        let critical = 1.959963984540054
        for (index, (ours, reference)) in zip(intervals, limits).enumerated() {
            let name = reference["parameter"] as? String ?? ""
            // The estimates come from the fit, whose default optimiser stops ~1e-5 short of the
            // polished optimum R uses here (README caveat 7: Machines θ moves by ~2e-4).
            #expect(Self.error(ours.estimate, FixtureSupport.double(reference["estimate"])) < 1e-4, "\(id) \(name) estimate")
            for (actual, key, sign) in [(ours.lower, "lower", -1.0), (ours.upper, "upper", 1.0)] {
                let expected = FixtureSupport.double(reference[key])
                // Both solve ζ = ±z to ~1e-10; the inner optimisations agree to ~1e-8 in the deviance.
                if Self.error(actual, expected) < 1e-6 { continue }
                // Where they differ, the inner problem has several local minima (correlations of
                // 3×3 terms): R's limit is then wrong if our profile at R's limit is below the
                // critical value, i.e. we found a lower deviance there than R did.
                if index < profiler.map.count {
                    let zeta = profiler.zeta(parameter: index, at: expected)
                    let check = {
                        #expect(abs(zeta) < critical - 1e-4 && zeta * sign > 0,
                                "\(id) \(name) \(key): \(actual) vs R \(expected); our ζ at R's limit \(zeta)")
                    }
                    if flagged.isEmpty {
                        check()
                    } else {
                        // lme4 reported a non-monotonic profile for this model: its inner problems
                        // have several local minima and neither solver is certain to find the
                        // global one (Orthodont's sigma upper limit: ours 1.588388, R 1.588130).
                        withKnownIssue("multi-modal profile (lme4 flagged \(flagged.sorted()))", isIntermittent: true) { check() }
                    }
                } else {
                    Issue.record("\(id) \(name) \(key): \(actual) vs \(expected), error \(Self.error(actual, expected))")
                }
            }
        }
    }

    @Test("profile intervals match lme4's confint.profile where lme4's spline is accurate", arguments: fixtures)
    func matchesLme4(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let confint = try #require(fixture["confint"] as? [String: Any])
        let profile = try #require(confint["profile"] as? [String: Any], "\(file) has no trusted profile")
        let flagged = Set(confint["profile_flagged_parameters"] as? [String] ?? [])
        let names = profile["rownames"] as? [String] ?? []
        let values = profile["values"] as? [[Any]] ?? []
        let id = (fixture["id"] as? String ?? "").replacingOccurrences(of: "_reml", with: "_ml")
        let exact = try #require(try Self.exactEntry(id: id))["limits"] as? [[String: Any]] ?? []
        let (_, intervals) = try Self.profile(file)
        #expect(intervals.count == names.count, "\(file): \(intervals.map(\.parameter)) vs \(names)")
        var skipped: [String] = []
        for (index, name) in names.enumerated() where index < intervals.count && index < exact.count && !flagged.contains(name) {
            let ours = intervals[index]
            for (side, actual) in [(0, ours.lower), (1, ours.upper)] {
                let lme4 = FixtureSupport.double(values[index][side])
                let solved = FixtureSupport.double(exact[index][side == 0 ? "lower" : "upper"])
                // lme4's spline error, measured against the full-precision R solution.
                guard Self.error(lme4, solved) < 1e-4 else {
                    skipped.append("\(name) \(side == 0 ? "lower" : "upper")")
                    continue
                }
                // README caveat 1: lme4's limits are accurate to ~1e-4 relative.
                #expect(Self.error(actual, lme4) < 1e-4, "\(file) \(name): \(actual) vs \(lme4)")
            }
        }
        #expect(skipped.count <= 4, "\(file): lme4 limits off by more than 1e-4 from the exact solution: \(skipped)")
    }

    @Test("Wald intervals of β match lme4's confint.wald at lme4's θ", arguments: ObjectiveTests.fixtures.filter { !$0.contains("insteval") })
    func waldMatchesLme4(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let confint = try #require(fixture["confint"] as? [String: Any])
        let wald = try #require(confint["wald"] as? [String: Any])
        let values = wald["values"] as? [[Any]] ?? []
        let model = try ObjectiveTests.model(for: fixture)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        // Evaluate at lme4's own θ (its default optimum is not exact, README caveat 7), so that
        // the interval arithmetic is compared, not the optimisers.
        let theta = FixtureSupport.doubles(fixture["optimizer_theta"])
        var deviance = model.makeDeviance(method: method)
        let objective = deviance.evaluate(theta)
        let summary = OptimizationSummary(optimizer: "fixed", initialTheta: theta, initialObjective: objective,
                                          finalTheta: theta, finalObjective: objective, evaluations: 1, converged: true,
                                          status: "fixed", finalTrustRadius: 0, seconds: 0)
        let fit = FittedModel(model: model, method: method, theta: theta, factor: deviance.factor,
                              objective: objective, optimization: summary)
        let rows = fit.fixedEffects(dfMethod: .none, alpha: 0.05)
        // The β rows are the last p rows of lme4's table (lme4 and we order X's columns alike).
        let betaRows = values.suffix(rows.count)
        #expect(betaRows.count == rows.count)
        for (row, expected) in zip(rows, betaRows) {
            let lower = FixtureSupport.double(expected[0])
            let upper = FixtureSupport.double(expected[1])
            #expect(FixtureSupport.relativeError(row.lower, lower) < 1e-6 || abs(row.lower - lower) < 1e-6 * (upper - lower),
                    "\(file) \(row.name) lower \(row.lower) vs \(lower)")
            #expect(FixtureSupport.relativeError(row.upper, upper) < 1e-6 || abs(row.upper - upper) < 1e-6 * (upper - lower),
                    "\(file) \(row.name) upper \(row.upper) vs \(upper)")
        }
    }
}
