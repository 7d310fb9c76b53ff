import Foundation
import Testing
@testable import MixedModels

/// `lmm ranef`, `lmm residuals`, `lmm fit --ci-method`, `lmm coeftest` and `--save`/`--from`,
/// run end to end against lme4, lmerTest and car at lme4's polished optimum
/// (Fixtures/afterfit/afterfit.json from Fixtures/scripts/afterfit_fixtures.R).
@Suite("lmm ranef, residuals, coeftest, interval methods and saved fits")
struct AfterFitCommandTests {
    static let formula = "Reaction ~ 1 + Days + (1 + Days | Subject)"

    /// sleepstudy with three cells blanked (rows 7, 100 and 151 are dropped).
    static var missingCSV: String { FixtureSupport.directory.appendingPathComponent("afterfit/sleepstudy_missing.csv").path }

    static func fixture() throws -> [String: Any] { try FixtureSupport.json("afterfit/afterfit.json") }

    static func sleep() throws -> [String: Any] { try reference("sleepstudy_missing") }

    static func reference(_ key: String) throws -> [String: Any] {
        try #require(try fixture()[key] as? [String: Any])
    }

    /// The two data files of the fixtures: with missing cells (ML), and with prior weights (REML).
    struct Case: Sendable, CustomStringConvertible {
        let key: String
        let file: String
        let method: EstimationMethod
        let options: [String]
        var description: String { key }
        var path: String { FixtureSupport.directory.appendingPathComponent("afterfit/\(file)").path }
        var weights: String? { options.contains("--weights") ? "w" : nil }
    }

    static let cases = [
        Case(key: "sleepstudy_missing", file: "sleepstudy_missing.csv", method: .ml, options: ["--categorical", "Subject"]),
        Case(key: "sleepstudy_weighted", file: "sleepstudy_weighted.csv", method: .reml,
             options: ["--categorical", "Subject", "--weights", "w", "--method", "reml"]),
    ]

    static func run(_ command: String, _ fixture: Case, _ extra: [String] = []) throws -> CommandLineTests.Run {
        try CommandLineTests.run([command, fixture.path, formula] + fixture.options + extra)
    }

    /// The command on the sleepstudy with missing cells (Subject read as categorical).
    static func runSleep(_ command: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> CommandLineTests.Run {
        try CommandLineTests.run([command, missingCSV, formula, "--categorical", "Subject"] + extra, environment: environment)
    }

    /// A saved fit (`--from`) of the sleepstudy with missing cells at lme4's polished optimum θ,
    /// so that the commands are compared with R at R's θ (README caveat 7), not at our own
    /// optimum; written to `folder`.
    static func savedAtLme4(in folder: URL, _ fixture: Case = cases[0]) throws -> String {
        var options = CSVReadOptions()
        options.categoricalColumns.insert("Subject")
        let table = try DataTable(contentsOf: URL(fileURLWithPath: fixture.path), options: options)
        let model = try LinearMixedModel(formula: formula, data: table, options: ModelOptions(weightsColumn: fixture.weights))
        let fit = try model.fit(method: fixture.method, atTheta: FixtureSupport.doubles(try reference(fixture.key)["theta"]))
        let path = folder.appendingPathComponent("lme4-optimum.json").path
        try SavedFit(fit: fit).encoded().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-afterfit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// CSV text as rows of fields (no quoted fields in these outputs).
    static func csv(_ text: String) -> [[String]] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// |a − b| relative to max(|b|, floor).
    static func error(_ actual: Double, _ expected: Double, floor: Double) -> Double {
        abs(actual - expected) / max(abs(expected), floor)
    }

    /// At lme4's θ, values agree with R's to 1e-6 relative (on a floor of 1e-3 of the largest
    /// magnitude, for values near 0).
    static let tolerance = 1e-6

    // MARK: - ranef

    @Test("ranef: conditional modes, condSD and MATLAB's intervals match lme4 / dense R", arguments: cases)
    func ranefValues(fixture: Case) throws {
        let reference = try Self.reference(fixture.key)["ranef"] as? [[String: Any]] ?? []
        #expect(reference.count == 36)
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = try Self.savedAtLme4(in: folder, fixture)
        let run = try Self.run("ranef", fixture, ["--format", "csv", "--from", saved])
        #expect(run.status == 0, "\(run.error)")
        let rows = Self.csv(run.output)
        #expect(rows.first == ["group", "level", "name", "estimate", "condSD", "lower", "upper"])
        let body = Array(rows.dropFirst())
        #expect(body.count == reference.count)
        var byKey: [String: [String]] = [:]
        for row in body where row.count == 7 { byKey[row[0] + "|" + row[1] + "|" + row[2]] = row }
        let scale = reference.map { abs(FixtureSupport.double($0["estimate"])) }.max() ?? 1
        for expected in reference {
            let key = "\(expected["group"] as? String ?? "")|\(expected["level"] as? String ?? "")|\(expected["name"] as? String ?? "")"
            let row = try #require(byKey[key], "no row \(key)")
            for (column, name) in [(3, "estimate"), (4, "condSD"), (5, "lower"), (6, "upper")] {
                let actual = Double(row[column]) ?? .nan
                let value = FixtureSupport.double(expected[name])
                #expect(Self.error(actual, value, floor: 1e-3 * scale) < Self.tolerance, "\(fixture) \(key) \(name): \(actual) vs \(value)")
            }
        }
    }

    @Test("ranef: json and text layouts, alpha, and the DF methods it has")
    func ranefLayouts() throws {
        let body = Array(Self.csv(try Self.runSleep("ranef", ["--format", "csv"]).output).dropFirst())
        // JSON: the same rows, with the contract keys.
        let json = try Self.runSleep("ranef", ["--format", "JSON", "--alpha", "0.05"])
        #expect(json.status == 0, "\(json.error)")
        let object = try CommandLineTests.json(json)
        let jsonRows = object["randomEffects"] as? [[String: Any]] ?? []
        #expect(jsonRows.count == 36)
        #expect(Set(jsonRows.first?.keys.map { $0 } ?? []) == ["group", "level", "name", "estimate", "condSD", "lower", "upper"])
        // Text: grouped by factor.
        let text = try Self.runSleep("ranef")
        #expect(text.status == 0)
        #expect(text.output.contains("Group: Subject (18 levels)"))
        #expect(text.output.contains("condSD"))
        // A narrower confidence gives a narrower interval; df none uses z.
        let narrow = Self.csv(try Self.runSleep("ranef", ["--format", "csv", "--alpha", "0.5"]).output)
        let wideWidth = (Double(body[0][6]) ?? 0) - (Double(body[0][5]) ?? 0)
        let narrowWidth = (Double(narrow[1][6]) ?? 0) - (Double(narrow[1][5]) ?? 0)
        #expect(narrowWidth > 0 && narrowWidth < wideWidth)
        let normal = Self.csv(try Self.runSleep("ranef", ["--format", "csv", "--df-method", "none"]).output)
        let normalWidth = (Double(normal[1][6]) ?? 0) - (Double(normal[1][5]) ?? 0)
        #expect(normalWidth < wideWidth && normalWidth > 0.99 * wideWidth)
        // The same number in both layouts, compared as text: Foundation's JSON parser can be
        // one unit in the last place off (it read -22.844632120737046 as ...053).
        #expect(json.output.contains("\"lower\": \(body[0][5])"), "\(body[0][5]) not in the JSON")
        let refused = try Self.runSleep("ranef", ["--df-method", "satterthwaite"])
        #expect(refused.status != 0)
        #expect(refused.error.contains("--df-method"))
    }

    // MARK: - residuals

    @Test("residuals: every type, conditional and marginal, with lme4's hatvalues, in file row order with dropped rows empty",
          arguments: cases, ["raw", "pearson", "standardized"])
    func residuals(fixture: Case, type: String) throws {
        let sleep = try Self.reference(fixture.key)
        let kept = FixtureSupport.doubles(sleep["rows"]).map { Int($0) }
        let expected = sleep["residuals"] as? [String: Any] ?? [:]
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = try Self.savedAtLme4(in: folder, fixture)
        for marginal in [false, true] {
            let run = try Self.run("residuals", fixture, ["--type", type, "--keep", "Subject,Days", "--from", saved]
                                   + (marginal ? ["--marginal"] : []))
            #expect(run.status == 0, "\(run.error)")
            let rows = Self.csv(run.output)
            #expect(rows.first == ["row", "fitted", "residual", "leverage", "Subject", "Days"])
            let body = Array(rows.dropFirst())
            #expect(body.count == 180)
            #expect(body.map { $0.first ?? "" } == (1...180).map(String.init))
            let mode = marginal ? "marginal" : "conditional"
            let fitted = FixtureSupport.doubles(expected["fitted_" + mode])
            let residuals = FixtureSupport.doubles(expected[type + "_" + mode])
            let leverages = FixtureSupport.doubles(expected["hatvalues"])
            #expect(fitted.count == kept.count && residuals.count == kept.count && leverages.count == kept.count)
            let residualScale = residuals.map(abs).max() ?? 1
            for (index, row) in kept.enumerated() {
                let fields = body[row - 1]
                #expect(Self.error(Double(fields[1]) ?? .nan, fitted[index], floor: 1) < Self.tolerance, "\(fixture) row \(row) fitted")
                #expect(Self.error(Double(fields[2]) ?? .nan, residuals[index], floor: 1e-3 * residualScale) < Self.tolerance,
                        "\(fixture) \(type) \(mode) row \(row): \(fields[2]) vs \(residuals[index])")
                #expect(Self.error(Double(fields[3]) ?? .nan, leverages[index], floor: 1e-3) < Self.tolerance,
                        "\(fixture) row \(row) leverage")
            }
            guard fixture.key == "sleepstudy_missing" else { continue }
            // The dropped rows keep their number, with empty fields; --keep still copies what is there.
            #expect(body[6] == ["7", "", "", "", "308", "6"])
            #expect(body[99] == ["100", "", "", "", "337", ""])
            #expect(body[150] == ["151", "", "", "", "", "0"])
        }
    }

    @Test("residuals: leverages lie in (0, 1) on a built-in data set; an unknown --keep column or --type is refused with the choices")
    func residualsChecks() throws {
        let run = try CommandLineTests.run(["residuals", "sleepstudy", Self.formula])
        #expect(run.status == 0, "\(run.error)")
        let leverages = Self.csv(run.output).dropFirst().compactMap { Double($0[3]) }
        #expect(leverages.count == 180)
        #expect(leverages.allSatisfy { $0 > 0 && $0 < 1 })
        let bad = try CommandLineTests.run(["residuals", "sleepstudy", Self.formula, "--keep", "Subjet"])
        #expect(bad.status != 0)
        #expect(bad.error.contains("Subjet") && bad.error.contains("Reaction, Days, Subject"))
        let badType = try CommandLineTests.run(["residuals", "sleepstudy", Self.formula, "--type", "studentized"])
        #expect(badType.status != 0)
    }

    // MARK: - interval methods

    @Test("fit --ci-method profile matches lme4's confint(method = \"profile\") at its polished optimum; fixedEffectsCovariance is vcov")
    func profileIntervals() throws {
        let sleep = try Self.sleep()
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = try Self.savedAtLme4(in: folder)
        let run = try Self.runSleep("fit", ["--ci-method", "profile", "--format", "json", "--from", saved])
        #expect(run.status == 0, "\(run.error)")
        let object = try CommandLineTests.json(run)
        #expect(object["ciMethod"] as? String == "profile")
        let profile = try #require(sleep["confint_profile"] as? [String: Any])
        let names = profile["rownames"] as? [String] ?? []
        let values = profile["values"] as? [[Any]] ?? []
        #expect(names == ["sd_(Intercept)|Subject", "cor_Days.(Intercept)|Subject", "sd_Days|Subject", "sigma", "(Intercept)", "Days"])
        let covariance = object["covarianceParameters"] as? [[String: Any]] ?? []
        let fixed = object["fixedEffects"] as? [[String: Any]] ?? []
        let ours = covariance + fixed
        #expect(ours.count == names.count)
        for (index, name) in names.enumerated() where index < ours.count {
            for (side, key) in [(0, "lower"), (1, "upper")] {
                let actual = FixtureSupport.double(ours[index][key])
                let expected = FixtureSupport.double(values[index][side])
                // README caveat 1: lme4's spline limits are accurate to about 1e-4 relative.
                #expect(Self.error(actual, expected, floor: 1e-3) < 1e-4, "\(name) \(key): \(actual) vs \(expected)")
            }
        }
        let matrix = try #require(object["fixedEffectsCovariance"] as? [String: Any])
        let vcov = try #require(sleep["vcov"] as? [String: Any])
        #expect(matrix["names"] as? [String] == vcov["names"] as? [String])
        let oursValues = (matrix["values"] as? [[Any]] ?? []).map(FixtureSupport.doubles)
        let theirs = (vcov["values"] as? [[Any]] ?? []).map(FixtureSupport.doubles)
        #expect(oursValues.count == 2 && theirs.count == 2)
        for row in 0..<min(oursValues.count, theirs.count) {
            for column in 0..<min(oursValues[row].count, theirs[row].count) {
                #expect(Self.error(oursValues[row][column], theirs[row][column], floor: 1e-3) < Self.tolerance)
            }
        }
        // The default stays Wald, and says so.
        let wald = try CommandLineTests.json(try Self.runSleep("fit", ["--format", "json"]))
        #expect(wald["ciMethod"] as? String == "wald")
        let text = try Self.runSleep("fit", ["--ci-method", "profile", "--method", "reml"])
        #expect(text.status == 0)
        #expect(text.output.contains("95% profile CIs (of the ML fit, as lme4)"))
    }

    @Test("fit --ci-method bootstrap: reproducible for a seed, changes with it, percentile limits near the Wald limits")
    func bootstrapIntervals() throws {
        let arguments = ["--ci-method", "bootstrap", "--nboot", "200", "--format", "json"]
        let first = try CommandLineTests.json(try Self.runSleep("fit", arguments + ["--seed", "7"]))
        let again = try CommandLineTests.json(try Self.runSleep("fit", arguments + ["--seed", "7"]))
        let other = try CommandLineTests.json(try Self.runSleep("fit", arguments + ["--seed", "8"]))
        let wald = try CommandLineTests.json(try Self.runSleep("fit", ["--format", "json"]))
        #expect(first["ciMethod"] as? String == "bootstrap")
        let record = first["ciBootstrap"] as? [String: Any] ?? [:]
        #expect(record["replicates"] as? Int == 200 && record["usableReplicates"] as? Int == 200 && record["seed"] as? String == "7")
        func limits(_ object: [String: Any]) -> [[Double]] {
            let rows = (object["fixedEffects"] as? [[String: Any]] ?? []) + (object["covarianceParameters"] as? [[String: Any]] ?? [])
            return rows.map { [FixtureSupport.double($0["estimate"]), FixtureSupport.double($0["lower"]), FixtureSupport.double($0["upper"])] }
        }
        let boot = limits(first)
        #expect(boot.count == 6)
        #expect(boot == limits(again))
        #expect(boot != limits(other))
        let waldLimits = limits(wald)
        for (index, row) in boot.enumerated() where index < waldLimits.count {
            let (estimate, lower, upper) = (row[0], row[1], row[2])
            #expect(lower < estimate && estimate < upper, "row \(index): \(row)")
            // Within a third of the Wald interval's width of the Wald limits (200 replicates;
            // the correlation's interval is skewed, so it gets the whole width).
            let width = waldLimits[index][2] - waldLimits[index][1]
            let allowed = index == 3 ? width : width / 3
            #expect(abs(lower - waldLimits[index][1]) < allowed, "row \(index) lower: \(lower) vs Wald \(waldLimits[index][1])")
            #expect(abs(upper - waldLimits[index][2]) < allowed, "row \(index) upper: \(upper) vs Wald \(waldLimits[index][2])")
        }
        let refused = try Self.runSleep("fit", ["--ci-method", "bootstrap", "--nboot", "0"])
        #expect(refused.status != 0)
        #expect(refused.error.contains("--nboot"))
    }

    // MARK: - coeftest

    @Test("coeftest: F, DF and p match lmerTest's contest and car's linearHypothesis for every DF method")
    func coefficientTests() throws {
        let ergo = try #require(try Self.fixture()["ergostool"] as? [String: Any])
        let tests = ergo["tests"] as? [[String: Any]] ?? []
        #expect(tests.count == 4)
        for test in tests {
            let id = test["id"] as? String ?? ""
            let hypotheses = (test["text"] as? [String] ?? []).flatMap { ["--hypothesis", $0] }
            let cases: [(String, String)] = [("residual", "residual"), ("satterthwaite", "satterthwaite"),
                                             ("kenward-roger", "kenward_roger")]
            for (method, key) in cases {
                let run = try CommandLineTests.run(["coeftest", "ergoStool", "effort ~ Type + (1 | Subject)", "--method", "reml",
                                                    "--df-method", method, "--format", "json"] + hypotheses)
                #expect(run.status == 0, "\(id) \(method): \(run.error)")
                let object = try CommandLineTests.json(run)
                let expected = test[key] as? [String: Any] ?? [:]
                // lmerTest's Satterthwaite df come from numerical derivatives (README caveat 5).
                let tolerance = method == "satterthwaite" ? 1e-5 : 1e-6
                for (ours, theirs) in [("fStat", "F"), ("df1", "df1"), ("df2", "df2"), ("pValue", "p")] {
                    let actual = FixtureSupport.double(object[ours])
                    let value = FixtureSupport.double(expected[theirs])
                    #expect(Self.error(actual, value, floor: 1e-12) < tolerance, "\(id) \(method) \(ours): \(actual) vs \(value)")
                }
                // car's F test is Kenward–Roger's (pbkrtest); recorded for c = 0 only (it ignores c).
                if method == "kenward-roger", let car = test["car_f"] as? [String: Any] {
                    #expect(Self.error(FixtureSupport.double(object["fStat"]), FixtureSupport.double(car["F"]), floor: 1e-12) < 1e-6)
                    #expect(Self.error(FixtureSupport.double(object["df2"]), FixtureSupport.double(car["df2"]), floor: 1e-12) < 1e-6)
                }
            }
            // df none: F = car's chi-square / DF1.
            if let car = test["car_chisq"] as? [String: Any] {
                let run = try CommandLineTests.run(["coeftest", "ergoStool", "effort ~ Type + (1 | Subject)", "--method", "reml",
                                                    "--df-method", "none", "--format", "json"] + hypotheses)
                let object = try CommandLineTests.json(run)
                let chisq = FixtureSupport.double(car["chisq"])
                let df = FixtureSupport.double(car["df"])
                #expect(Self.error(FixtureSupport.double(object["fStat"]) * df, chisq, floor: 1e-12) < 1e-6, "\(id) none")
                #expect(Self.error(FixtureSupport.double(object["pValue"]), FixtureSupport.double(car["p"]), floor: 1e-300) < 1e-6)
            }
        }
    }

    @Test("coeftest: a bad hypothesis is refused with its position and the known coefficients")
    func badHypotheses() throws {
        let base = ["coeftest", "ergoStool", "effort ~ Type + (1 | Subject)"]
        let unknown = try CommandLineTests.run(base + ["--hypothesis", "Type_T2 = 0", "--hypothesis", "Type_T2 - TypeT3 = 0"])
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("--hypothesis 2"))
        #expect(unknown.error.contains("unknown coefficient 'TypeT3'"))
        #expect(unknown.error.contains("(Intercept), Type_T2, Type_T3, Type_T4"))
        #expect(unknown.error.contains("character 11"))
        #expect(unknown.error.contains("\n              ^"))
        for (hypothesis, message) in [("Type_T2 * Type_T3 = 0", "linear"), ("Type_T2 = 0 = 1", "one '='"),
                                      ("Type_T2 - Type_T2 = 0", "cancel"), ("1 = 2", "names no coefficient"),
                                      ("(Type_T2 = 0", "')'"), ("2Type_T2 = 0", "'*'"), ("Type_T2 / 0 = 1", "division by zero"),
                                      ("", "empty")] {
            let run = try CommandLineTests.run(base + ["--hypothesis", hypothesis])
            #expect(run.status != 0, "\(hypothesis)")
            #expect(run.error.contains(message), "\(hypothesis): \(run.error)")
        }
        // Names in backticks, (Intercept), and MATLAB's default test.
        let quoted = try CommandLineTests.run(base + ["--hypothesis", "`Type_T2` + (Intercept) = 12", "--format", "json"])
        #expect(quoted.status == 0, "\(quoted.error)")
        let matlabDefault = try CommandLineTests.json(try CommandLineTests.run(base + ["--format", "json"]))
        #expect(FixtureSupport.double(matlabDefault["df1"]) == 3)
        let kenwardRogerML = try CommandLineTests.run(base + ["--hypothesis", "Type_T2 = 0", "--df-method", "kenward-roger"])
        #expect(kenwardRogerML.status != 0)
        #expect(kenwardRogerML.error.contains("--method reml"))
    }

    // MARK: - --save / --from

    @Test("SavedFit round-trips θ bit for bit; restoring reproduces the fit from one evaluation")
    func savedFitRoundTrip() throws {
        let model = try LinearMixedModel(formula: Self.formula, data: try DataTable.builtIn("sleepstudy"))
        let fit = try model.fit(method: .reml)
        let decoded = try SavedFit(json: Data(try SavedFit(fit: fit).encoded().utf8))
        #expect(decoded == SavedFit(fit: fit))
        #expect(decoded.theta.map(\.bitPattern) == fit.theta.map(\.bitPattern))
        let restored = try decoded.restore(model: model)
        #expect(restored.method == .reml)
        #expect(restored.beta == fit.beta && restored.sigma == fit.sigma && restored.objective == fit.objective)
        #expect(restored.optimization.evaluations == 1)
        #expect(throws: SavedFitError.self) { try decoded.restore(model: model, method: .ml) }
    }

    @Test("fit --save, then --from on fit, ranef, residuals, coeftest, predict and simulate: one evaluation, the same results")
    func saveAndRestore() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-afterfit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = folder.appendingPathComponent("fit.json").path
        let first = try Self.runSleep("fit", ["--save", saved, "--format", "json"])
        #expect(first.status == 0, "\(first.error)")
        let record = try SavedFit(json: try Data(contentsOf: URL(fileURLWithPath: saved)))
        let original = try CommandLineTests.json(first)
        let theta = FixtureSupport.doubles(original["theta"])
        #expect(record.theta.count == 3 && theta.count == 3)
        for (saved, printed) in zip(record.theta, theta) { #expect(abs(saved - printed) <= 1e-15 * abs(printed)) }
        #expect(record.method == .ml)
        #expect(record.observationCount == 177)

        let restored = try Self.runSleep("fit", ["--from", saved, "--format", "json"], environment: ["LMM_COUNT_EVALUATIONS": "1"])
        #expect(restored.status == 0, "\(restored.error)")
        #expect(restored.error.contains("objective evaluations: fit 1,"), "\(restored.error)")
        let again = try CommandLineTests.json(restored)
        for key in ["theta", "logLikelihood", "sigma", "fixedEffects", "covarianceParameters", "warnings"] {
            #expect(JSONSerialization.isValidJSONObject([key: again[key] as Any]))
            let a = try JSONSerialization.data(withJSONObject: [key: original[key] as Any], options: .sortedKeys)
            let b = try JSONSerialization.data(withJSONObject: [key: again[key] as Any], options: .sortedKeys)
            #expect(a == b, "\(key) differs after --from")
        }
        for command in [["ranef", "--format", "csv"], ["residuals", "--type", "standardized"],
                        ["coeftest", "--hypothesis", "Days = 10"]] {
            let plain = try Self.runSleep(command[0], Array(command.dropFirst()))
            let fromSaved = try Self.runSleep(command[0], Array(command.dropFirst()) + ["--from", saved])
            #expect(plain.status == 0 && fromSaved.status == 0, "\(command): \(fromSaved.error)")
            #expect(plain.output == fromSaved.output, "\(command[0]) differs with --from")
        }
        let predicted = folder.appendingPathComponent("predicted.csv").path
        let predict = try Self.runSleep("predict", ["--new", Self.missingCSV, "--output", predicted, "--from", saved])
        #expect(predict.status == 0, "\(predict.error)")
        let simulated = folder.appendingPathComponent("simulated.csv").path
        let simulate = try Self.runSleep("simulate", ["--output", simulated, "--from", saved])
        #expect(simulate.status == 0, "\(simulate.error)")
    }

    @Test("--from refuses changed data, another formula, method or options, and a file that is not a saved fit")
    func restoreRefusals() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-afterfit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let saved = folder.appendingPathComponent("fit.json").path
        #expect(try Self.runSleep("fit", ["--save", saved]).status == 0)

        // One response value changed.
        let original = try String(contentsOfFile: Self.missingCSV, encoding: .utf8)
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = "258.7048,1,308"
        #expect(lines[2] != original.split(separator: "\n")[2])
        let changed = folder.appendingPathComponent("changed.csv").path
        try lines.joined(separator: "\n").write(toFile: changed, atomically: true, encoding: .utf8)
        let data = try CommandLineTests.run(["ranef", changed, Self.formula, "--categorical", "Subject", "--from", saved])
        #expect(data.status != 0)
        #expect(data.error.contains("the data differ from those of the saved fit"), "\(data.error)")

        let formula = try CommandLineTests.run(["ranef", Self.missingCSV, "Reaction ~ 1 + Days + (1 | Subject)", "--categorical", "Subject", "--from", saved])
        #expect(formula.status != 0)
        #expect(formula.error.contains("another model"))
        let method = try Self.runSleep("residuals", ["--method", "reml", "--from", saved])
        #expect(method.status != 0)
        #expect(method.error.contains("REML"))
        let options = try Self.runSleep("coeftest", ["--covariance", "Subject=Diagonal", "--hypothesis", "Days = 0", "--from", saved])
        #expect(options.status != 0)
        #expect(options.error.contains("covariance patterns"))
        // Not a saved fit, and no file at all.
        let notSaved = try CommandLineTests.run(["fit", "sleepstudy", Self.formula, "--from", Self.missingCSV])
        #expect(notSaved.status != 0)
        #expect(notSaved.error.contains("not a saved fit"))
        let missing = try CommandLineTests.run(["fit", "sleepstudy", Self.formula, "--from", folder.appendingPathComponent("none.json").path])
        #expect(missing.status != 0)
        #expect(missing.error.contains("no such file"))
        // --save into a folder that does not exist writes nothing.
        let nowhere = folder.appendingPathComponent("absent/fit.json").path
        let unsaved = try Self.runSleep("fit", ["--save", nowhere])
        #expect(unsaved.status != 0)
        #expect(!FileManager.default.fileExists(atPath: nowhere))
    }
}
