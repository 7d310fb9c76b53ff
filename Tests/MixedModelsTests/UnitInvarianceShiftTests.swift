import Foundation
import Testing
@testable import MixedModels

/// Issue 11, item 1, the shifted random-effects predictor: a predictor x replaced by x · a + d in
/// a model with the term (1 + x | g) (sleepstudy's Days, Orthodont's age), against the values
/// invariance implies (the polished lme4 fit of the unshifted data, transformed: b' = M b,
/// Σ' = M Σ Mᵀ with M = [[1, −d/a], [0, 1/a]]) and lme4's own fits of the shifted copies
/// (Fixtures/robustness/reshift.json from Fixtures/scripts/reshift_fixtures.R).
extension UnitInvarianceTests {
    static var shiftFixture: [String: Any] { (try? FixtureSupport.json("robustness/reshift.json")) ?? [:] }
    static var shiftCases: [String] { ((shiftFixture["cases"] as? [String: Any]) ?? [:]).keys.sorted() }
    static let shiftFormula = "Reaction ~ 1 + Days + (1 + Days | Subject)"

    static func formula(_ entry: [String: Any]) -> String { entry["formula"] as? String ?? "" }

    static func shiftEntry(_ id: String) -> [String: Any] {
        ((shiftFixture["cases"] as? [String: Any])?[id] as? [String: Any]) ?? [:]
    }

    /// The case's data set with its column x → x · scale + shift (sleepstudy's Days by default).
    static func shiftedTable(_ entry: [String: Any]) throws -> DataTable {
        try apply(["op": "affine", "column": entry["column"] ?? "Days", "scale": entry["scale"] ?? 1,
                   "shift": entry["shift"] ?? 0],
                  to: DataTable.builtIn(entry["dataset"] as? String ?? "sleepstudy"))
    }

    /// A table from a JSON object of columns: numbers become numeric columns, text categorical.
    static func table(columns object: [String: Any]) throws -> DataTable {
        let names = object.keys.sorted()
        let columns: [Column] = names.map { name in
            if let labels = object[name] as? [String] {
                let levels = Array(Set(labels)).sorted()
                return .categorical(CategoricalColumn(codes: labels.map { Int32(levels.firstIndex(of: $0) ?? 0) }, levels: levels))
            }
            return .numeric(NumericColumn(values: FixtureSupport.doubles(object[name])))
        }
        return try DataTable(columnNames: names, columns: columns, source: "new data")
    }

    /// |actual − expected| within `tolerance` relative to max(|expected|, `floor`).
    static func close(_ actual: Double, _ expected: Double, _ tolerance: Double, floor: Double = 0) -> Bool {
        abs(actual - expected) <= tolerance * max(abs(expected), floor)
    }

    @Test("a shifted random-effects predictor: the fit is the transformed fit", arguments: shiftCases)
    func shiftedRandomEffectsPredictor(id: String) throws {
        let entry = Self.shiftEntry(id)
        let table = try Self.shiftedTable(entry)
        let method: EstimationMethod = entry["REML"] as? Bool == true ? .reml : .ml
        let model = try LinearMixedModel(formula: Self.formula(entry), data: table)
        let term = try #require(model.design.randomEffectsTerms.first)
        #expect(term.isCentred && term.columnCentres[0] == 0)
        let fit = try model.fit(method: method)
        let implied = entry["implied"] as? [String: Any] ?? [:]

        // The log-likelihood: the implied optimum, never below lme4's.
        let impliedLogLik = FixtureSupport.double(implied["logLik"])
        #expect(abs(fit.logLikelihood - impliedLogLik) <= 1e-6 * abs(impliedLogLik),
                "\(id): logLik \(fit.logLikelihood) vs implied \(impliedLogLik)")
        for key in ["lme4_default", "lme4_polished"] {
            let lme4 = FixtureSupport.double((entry[key] as? [String: Any])?["logLik"])
            #expect(fit.logLikelihood >= lme4 - 1e-6 * abs(lme4), "\(id): logLik \(fit.logLikelihood) vs \(key) \(lme4)")
        }
        #expect(fit.optimization.converged)
        #expect(!fit.isSingular, "\(id): the unshifted fit is not singular")

        // β, σ; θ and Σ in the units of the data.
        let beta = FixtureSupport.doubles(implied["beta"])
        #expect(fit.beta.count == beta.count)
        for (ours, theirs) in zip(fit.beta, beta) { #expect(Self.close(ours, theirs, 1e-5), "\(id): beta \(ours) vs \(theirs)") }
        let sigma = FixtureSupport.double(implied["sigma"])
        #expect(Self.close(fit.sigma, sigma, 1e-5), "\(id): sigma \(fit.sigma) vs \(sigma)")
        let theta = FixtureSupport.doubles(implied["theta"])
        #expect(fit.theta.count == theta.count)
        for (ours, theirs) in zip(fit.theta, theta) { #expect(Self.close(ours, theirs, 1e-3), "\(id): theta \(ours) vs \(theirs)") }
        let lambda = try #require(fit.lambdas.first)
        let variance = fit.sigma * fit.sigma
        let covariance = [lambda[0] * lambda[0], lambda[0] * lambda[1], lambda[1] * lambda[1] + lambda[3] * lambda[3]]
            .map { $0 * variance }
        let expectedCovariance = FixtureSupport.doubles(implied["covariance"])
        #expect(covariance.count == expectedCovariance.count)
        for (ours, theirs) in zip(covariance, expectedCovariance) {
            #expect(Self.close(ours, theirs, 1e-3), "\(id): Σ entry \(ours) vs \(theirs)")
        }
        let rows = fit.covarianceParameterEstimates()
        let deviations = FixtureSupport.doubles(implied["standard_deviations"])
        let stdRows = rows.filter { $0.group == term.groupName && $0.type == "std" }
        #expect(stdRows.count == 2)
        for (row, expected) in zip(stdRows, deviations) {
            #expect(Self.close(row.estimate, expected, 1e-3), "\(id): SD \(row.name1) \(row.estimate) vs \(expected)")
        }
        let correlation = try #require(rows.first { $0.type == "corr" })
        let expectedCorrelation = FixtureSupport.double(implied["correlation"])
        #expect(Self.close(correlation.estimate, expectedCorrelation, 1e-6), "\(id): corr \(correlation.estimate) vs \(expectedCorrelation)")

        // The conditional modes and conditional variances, mapped back.
        let ranef = try fit.randomEffects()
        let modes = (implied["modes"] as? [Any] ?? []).map(FixtureSupport.doubles)
        let levels = implied["levels"] as? [String] ?? []
        let conditionalVariances = (implied["conditional_variances"] as? [Any] ?? []).map(FixtureSupport.doubles)
        #expect(ranef.count == 2 * modes.count && modes.count == term.levelCount && levels == term.levels)
        for (level, expected) in modes.enumerated() where expected.count == 2 && 2 * level + 1 < ranef.count {
            let scale = [0, 1].map { column in (modes.map { $0[column] * $0[column] }.reduce(0, +) / Double(modes.count)).squareRoot() }
            for column in 0..<2 {
                let row = ranef[2 * level + column]
                #expect(Self.close(row.estimate, expected[column], 1e-3, floor: scale[column]),
                        "\(id): mode \(levels[level]) \(row.name) \(row.estimate) vs \(expected[column])")
                let expectedSD = conditionalVariances[level][column == 0 ? 0 : 2].squareRoot()
                #expect(Self.close(row.conditionalSD, expectedSD, 1e-3), "\(id): condSD \(row.conditionalSD) vs \(expectedSD)")
            }
        }

        // Fitted values (invariant) and predictions on new data, coded with the fitted centres.
        let fitted = try fit.predict()
        for (ours, theirs) in zip(fitted.prefix(5), FixtureSupport.doubles(implied["fitted_first"])) {
            #expect(Self.close(ours.prediction, theirs, 1e-6), "\(id): fitted \(ours.prediction) vs \(theirs)")
        }
        let prediction = implied["prediction"] as? [String: Any] ?? [:]
        let newData = try Self.table(columns: prediction["new_data"] as? [String: Any] ?? [:])
        let conditional = try fit.predict(on: newData, conditional: true)
        let population = try fit.predict(on: newData, conditional: false)
        for (ours, theirs) in zip(conditional, FixtureSupport.doubles(prediction["conditional"])) {
            #expect(Self.close(ours.prediction, theirs, 1e-6), "\(id): prediction \(ours.prediction) vs \(theirs)")
        }
        for (ours, theirs) in zip(population, FixtureSupport.doubles(prediction["population"])) {
            #expect(Self.close(ours.prediction, theirs, 1e-6), "\(id): population prediction \(ours.prediction) vs \(theirs)")
        }
        #expect(conditional.count == newData.rowCount && population.count == newData.rowCount && newData.rowCount == 4)

        // The caterpillar plot's series are the reported modes and conditional SDs.
        let series = RandomEffectsSeries.all(of: fit)
        #expect(series.count == 2)
        for (column, line) in series.enumerated() {
            for level in 0..<line.estimates.count where 2 * level + column < ranef.count {
                #expect(line.estimates[level] == ranef[2 * level + column].estimate)
                #expect(Self.close(line.conditionalSDs[level], ranef[2 * level + column].conditionalSD, 1e-12))
            }
        }
    }

    @Test("Wald intervals of the covariance parameters in the data's units: the delta method from nlme's unshifted fit",
          arguments: shiftCases)
    func shiftedRandomEffectsPredictorWaldIntervals(id: String) throws {
        let entry = Self.shiftEntry(id)
        let method: EstimationMethod = entry["REML"] as? Bool == true ? .reml : .ml
        let fit = try LinearMixedModel(formula: Self.formula(entry), data: Self.shiftedTable(entry)).fit(method: method)
        guard let reference = (entry["implied"] as? [String: Any])?["wald_nlme"] as? [String: Any] else {
            // No nlme reference for this case (the script says why): the intervals that the shift
            // leaves alone, σ's and the slope SD's (÷ scale), must be those of the unshifted fit
            // (to 1e-4, a tenth of the tolerance against nlme above: the two fits' finite-difference
            // Hessians are taken in different coordinates; measured 5e-5 on the slope SD).
            let unshifted = try LinearMixedModel(formula: Self.formula(entry),
                                                 data: DataTable.builtIn(entry["dataset"] as? String ?? "")).fit(method: method)
            let scale = FixtureSupport.double(entry["scale"])
            let rows = fit.covarianceParameters()
            let expected = unshifted.covarianceParameters()
            #expect(rows.count == 4 && expected.count == 4)
            for index in [2, 3] where index < rows.count && index < expected.count {
                let factor = index == 2 ? 1 / scale : 1
                #expect(Self.close(rows[index].lower, expected[index].lower * factor, 1e-4), "\(id): \(rows[index].name1) lower")
                #expect(Self.close(rows[index].upper, expected[index].upper * factor, 1e-4), "\(id): \(rows[index].name1) upper")
            }
            return
        }
        let lower = FixtureSupport.doubles(reference["lower"])
        let estimate = FixtureSupport.doubles(reference["estimate"])
        let upper = FixtureSupport.doubles(reference["upper"])
        let rows = fit.covarianceParameters()
        #expect(rows.count == 4 && lower.count == 4 && upper.count == 4 && estimate.count == 4)
        // nlme's optimum and Hessian differ from ours by ~1e-6 and its Hessian is a finite-difference
        // one: the tolerance of CovarianceParametersTests. A correlation within 1e-11 of −1 is
        // compared on the atanh scale (its distance from the estimate there).
        for (index, row) in rows.enumerated() where index < 4 && index < lower.count && index < upper.count {
            if row.type == "corr" {
                for (ours, theirs) in [(row.lower, lower[index]), (row.upper, upper[index])] {
                    let width = atanh(ours) - atanh(row.estimate)
                    let expectedWidth = atanh(theirs) - atanh(estimate[index])
                    #expect(Self.close(width, expectedWidth, CovarianceParametersTests.tolerance),
                            "\(id): corr limit \(ours) vs \(theirs) (atanh widths \(width), \(expectedWidth))")
                }
            } else {
                #expect(Self.close(row.lower, lower[index], CovarianceParametersTests.tolerance), "\(id): \(row.name1) lower \(row.lower) vs \(lower[index])")
                #expect(Self.close(row.upper, upper[index], CovarianceParametersTests.tolerance), "\(id): \(row.name1) upper \(row.upper) vs \(upper[index])")
            }
        }
    }

    @Test("degrees of freedom do not depend on the shift: lmerTest on the unshifted fit", arguments: shiftCases)
    func shiftedRandomEffectsPredictorDegreesOfFreedom(id: String) throws {
        let entry = Self.shiftEntry(id)
        let method: EstimationMethod = entry["REML"] as? Bool == true ? .reml : .ml
        let fit = try LinearMixedModel(formula: Self.formula(entry), data: Self.shiftedTable(entry)).fit(method: method)
        let df = (entry["implied"] as? [String: Any])?["df"] as? [[String: Any]] ?? []
        let satterthwaite = fit.fixedEffects(using: fit.satterthwaiteApproximation())
        let kenwardRoger: [FixedEffectRow]? = method == .reml ? fit.fixedEffects(using: try fit.kenwardRogerApproximation()) : nil
        #expect(df.count == satterthwaite.count && df.count == fit.fixedEffectCount)
        for (index, expected) in df.enumerated() where index < satterthwaite.count {
            let name = expected["name"] as? String ?? ""
            let row = satterthwaite[index]
            let expectedDF = FixtureSupport.double(expected["satterthwaite"])
            #expect(Self.close(row.df, expectedDF, 1e-4), "\(id) \(name): Satterthwaite df \(row.df) vs \(expectedDF)")
            let expectedSE = FixtureSupport.double(expected["std_error"])
            #expect(Self.close(row.standardError, expectedSE, 1e-4), "\(id) \(name): SE \(row.standardError) vs \(expectedSE)")
            let expectedEstimate = FixtureSupport.double(expected["estimate"])
            #expect(Self.close(row.estimate, expectedEstimate, 1e-5), "\(id) \(name): estimate \(row.estimate) vs \(expectedEstimate)")
            if let kenwardRoger, index < kenwardRoger.count {
                let expectedKR = FixtureSupport.double(expected["kenward_roger"])
                #expect(Self.close(kenwardRoger[index].df, expectedKR, 1e-4), "\(id) \(name): KR df \(kenwardRoger[index].df) vs \(expectedKR)")
            }
        }
    }

    @Test("the Full (log-Cholesky) pattern is centred too: the same optimum, λ in the data's units")
    func shiftedFullPattern() throws {
        let entry = Self.shiftEntry("days_shift_1e6_reml")
        var options = ModelOptions()
        options.covariancePatterns = ["Subject": .full]
        let model = try LinearMixedModel(formula: Self.shiftFormula, data: Self.shiftedTable(entry), options: options)
        #expect(model.hasCentredTerms)
        let fit = try model.fit(method: .reml)
        let implied = entry["implied"] as? [String: Any] ?? [:]
        let impliedLogLik = FixtureSupport.double(implied["logLik"])
        #expect(abs(fit.logLikelihood - impliedLogLik) <= 1e-6 * abs(impliedLogLik), "logLik \(fit.logLikelihood) vs \(impliedLogLik)")
        let theta = FixtureSupport.doubles(implied["theta"])
        let lambda = try #require(fit.lambdas.first)
        #expect(theta.count == 3 && lambda.count == 4)
        for (ours, theirs) in zip([lambda[0], lambda[1], lambda[3]], theta) {
            #expect(Self.close(ours, theirs, 1e-3), "λ \(ours) vs \(theirs)")
        }
        // θ of Full holds log λ_jj.
        #expect(Self.close(fit.theta[0], log(lambda[0]), 1e-12) && Self.close(fit.theta[2], log(lambda[3]), 1e-12))
        #expect(Self.close(model.objective(theta: fit.theta, method: .reml), fit.objective, 1e-9))
    }

    @Test("ordinary random-effects columns, and diagonal terms, are not centred")
    func ordinaryColumnsAreNotCentred() throws {
        let sleepstudy = try DataTable.builtIn("sleepstudy")
        for formula in [Self.shiftFormula, "Reaction ~ 1 + Days + (1 + Days || Subject)"] {
            let model = try LinearMixedModel(formula: formula, data: sleepstudy)
            #expect(!model.hasCentredTerms, "\(formula)")
        }
        let orthodont = try LinearMixedModel(formula: "distance ~ age * Sex + (1 + age | Subject)",
                                             data: DataTable.builtIn("Orthodont"))
        #expect(!orthodont.hasCentredTerms)
        // A diagonal term is a different model after a shift: left as it is.
        let shifted = try Self.shiftedTable(["scale": 1.0, "shift": 1e6])
        let diagonal = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days || Subject)", data: shifted)
        #expect(!diagonal.hasCentredTerms)
        let unstructured = try LinearMixedModel(formula: Self.shiftFormula, data: shifted)
        let term = try #require(unstructured.design.randomEffectsTerms.first)
        #expect(term.columnCentres == [0, 1e6 + 4.5])
        // The design matrix a user sees is the data's Z.
        let z = try unstructured.fit(method: .ml).designMatrix(.random)
        #expect(z.values[1] == 1e6 && z.values[z.columnCount + 1] == 1e6 + 1)
    }

    @Test("a shifted fit restarts, restores and refits in the units of the data")
    func shiftedFitRoundTrips() throws {
        let entry = Self.shiftEntry("days_shift_1e6_reml")
        let model = try LinearMixedModel(formula: Self.shiftFormula, data: Self.shiftedTable(entry))
        let fit = try model.fit(method: .reml)
        // θ as reported evaluates to the optimum; a start there needs few evaluations.
        #expect(Self.close(model.objective(theta: fit.theta, method: .reml), fit.objective, 1e-9))
        let restarted = try model.fit(method: .reml, start: fit.theta)
        #expect(Self.close(restarted.objective, fit.objective, 1e-9))
        #expect(Self.close(restarted.optimization.initialObjective, fit.objective, 1e-9), "the start is the optimum")
        for (a, b) in zip(restarted.theta, fit.theta) { #expect(Self.close(a, b, 1e-4), "θ \(a) vs \(b)") }
        let atTheta = try model.fit(method: .reml, atTheta: fit.theta)
        #expect(Self.close(atTheta.objective, fit.objective, 1e-9))
        // A saved fit keeps the user's θ and restores the fit's own exactly.
        let saved = SavedFit(fit: fit)
        #expect(saved.theta == fit.theta && saved.workingTheta == fit.workingTheta)
        let decoded = try SavedFit(json: Data(saved.encoded().utf8))
        let restored = try decoded.restore(model: model)
        #expect(restored.objective == fit.objective && restored.theta == fit.theta)
        // Bootstrap replicates report θ in the units of the data.
        let bootstrap = try fit.parametricBootstrap(replicates: 4, seed: 1, threads: 1)
        for replicate in bootstrap.replicates {
            #expect(replicate.theta.count == 3 && replicate.theta[0] > 1e4, "θ[0] \(replicate.theta[0]) in days + 10⁶ units")
        }
        // Profiles of that term are refused with the reason.
        #expect(throws: MixedModelError.self) { try fit.profileConfidenceIntervals() }
        // A random-effects contrast in the data's units: the intercept of subject 1 is
        // b₀ − c b₁ in the fit's coordinates, so K b̂ matches the reported mode.
        var k = [Double](repeating: 0, count: fit.randomEffectCount)
        k[0] = 1
        let test = try fit.coefficientTest([[0, 0]], randomEffectsContrast: [k], dfMethod: .none)
        let mode = fit.randomEffectsModes[0][0]
        let se = try fit.randomEffects(dfMethod: .none)[0].standardErrorOfPrediction
        #expect(Self.close(test.fStat, (mode / se) * (mode / se), 1e-6), "F \(test.fStat) vs \((mode / se) * (mode / se))")
    }

    @Test("reference fits keep their evaluation counts (no column is centred)")
    func referenceFitsUnchanged() throws {
        // Every random-slope formula among the reference fixtures: none is centred.
        let cases: [(String, String)] = [
            ("sleepstudy", "Reaction ~ Days + I(Days^2) + (1 + Days | Subject) + (0 + I(Days^2) | Subject)"),
            ("Machines", "score ~ Machine + (1 + Machine | Worker)"),
            ("Orthodont", "distance ~ age * Sex + (1 + age | Subject)"),
        ]
        for (dataset, formula) in cases {
            let model = try LinearMixedModel(formula: formula, data: DataTable.builtIn(dataset))
            #expect(!model.hasCentredTerms, "\(dataset): \(formula)")
        }
    }
}

/// `lmm` end to end on a CSV file with Days + 10⁶: fit (JSON, --save), ranef and predict from
/// the saved fit, against the values invariance implies (Fixtures/robustness/reshift.json).
@Suite("lmm with a shifted random-effects predictor")
struct ShiftedPredictorCommandLineTests {
    @Test("lmm fit, ranef --from and predict --from on days + 1e6 report the data's units")
    func fitRanefPredict() throws {
        let entry = UnitInvarianceTests.shiftEntry("days_shift_1e6_reml")
        let implied = entry["implied"] as? [String: Any] ?? [:]
        let table = try UnitInvarianceTests.shiftedTable(entry)
        var csv = table.columnNames.joined(separator: ",") + "\n"
        for row in 0..<table.rowCount {
            csv += table.columns.map { column -> String in
                switch column {
                case .numeric(let values): return "\(values.values[row])"
                case .categorical(let values): return values.levels[Int(values.codes[row])]
                }
            }.joined(separator: ",") + "\n"
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-reshift-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("shifted.csv").path
        try csv.write(toFile: data, atomically: true, encoding: .utf8)
        let saved = folder.appendingPathComponent("fit.json").path
        let formula = UnitInvarianceTests.shiftFormula

        let fit = try CommandLineTests.run(["fit", data, formula, "--method", "reml", "--format", "json", "--save", saved])
        #expect(fit.status == 0, "\(fit.error)")
        let object = try CommandLineTests.json(fit)
        let logLik = FixtureSupport.double(object["logLikelihood"])
        let impliedLogLik = FixtureSupport.double(implied["logLik"])
        #expect(abs(logLik - impliedLogLik) <= 1e-6 * abs(impliedLogLik), "logLik \(logLik) vs \(impliedLogLik)")
        #expect(object["isSingular"] as? Bool == false)
        let theta = FixtureSupport.doubles(object["theta"])
        let impliedTheta = FixtureSupport.doubles(implied["theta"])
        #expect(theta.count == 3)
        for (ours, theirs) in zip(theta, impliedTheta) { #expect(UnitInvarianceTests.close(ours, theirs, 1e-3), "θ \(ours) vs \(theirs)") }
        let rows = object["covarianceParameters"] as? [[String: Any]] ?? []
        let deviations = FixtureSupport.doubles(implied["standard_deviations"])
        let stds = rows.filter { $0["group"] as? String == "Subject" && $0["type"] as? String == "std" }
        #expect(stds.count == 2)
        for (row, expected) in zip(stds, deviations) {
            let estimate = FixtureSupport.double(row["estimate"])
            #expect(UnitInvarianceTests.close(estimate, expected, 1e-3), "SD \(estimate) vs \(expected)")
        }

        let ranef = try CommandLineTests.run(["ranef", data, formula, "--from", saved, "--format", "json"])
        #expect(ranef.status == 0, "\(ranef.error)")
        let effects = try CommandLineTests.json(ranef)["randomEffects"] as? [[String: Any]] ?? []
        let modes = (implied["modes"] as? [Any] ?? []).map(FixtureSupport.doubles)
        #expect(effects.count == 36 && modes.count == 18)
        if let first = effects.first, let expected = modes.first, expected.count == 2 {
            #expect(first["level"] as? String == "308" && first["name"] as? String == "(Intercept)")
            let estimate = FixtureSupport.double(first["estimate"])
            #expect(UnitInvarianceTests.close(estimate, expected[0], 1e-3), "308 intercept \(estimate) vs \(expected[0])")
        }

        let prediction = implied["prediction"] as? [String: Any] ?? [:]
        let newColumns = prediction["new_data"] as? [String: Any] ?? [:]
        let subjects = newColumns["Subject"] as? [String] ?? []
        let newDays = FixtureSupport.doubles(newColumns["Days"])
        var newCSV = "Subject,Days\n"
        for (name, value) in zip(subjects, newDays) { newCSV += "\(name),\(value)\n" }
        let newData = folder.appendingPathComponent("new.csv").path
        try newCSV.write(toFile: newData, atomically: true, encoding: .utf8)
        let output = folder.appendingPathComponent("predictions.csv").path
        let predict = try CommandLineTests.run(["predict", data, formula, "--from", saved, "--new", newData, "--output", output])
        #expect(predict.status == 0, "\(predict.error)")
        let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").dropFirst()
        let predicted = lines.compactMap { Double($0.split(separator: ",").first ?? "") }
        let expected = FixtureSupport.doubles(prediction["conditional"])
        #expect(predicted.count == expected.count)
        for (ours, theirs) in zip(predicted, expected) {
            #expect(UnitInvarianceTests.close(ours, theirs, 1e-6), "prediction \(ours) vs \(theirs)")
        }

        // lmm design says which column the fit centres, and by how much.
        let design = try CommandLineTests.run(["design", data, formula, "--format", "json"])
        #expect(design.status == 0, "\(design.error)")
        let terms = try CommandLineTests.json(design)["randomEffectsTerms"] as? [[String: Any]] ?? []
        #expect(FixtureSupport.doubles(terms.first?["columnCentres"]) == [0, 1e6 + 4.5])
        let designText = try CommandLineTests.run(["design", data, formula])
        #expect(designText.output.contains("Subject: Days − 1000004.5"), "\(designText.output)")

        // Profiles are refused with the reason, not computed in the wrong units.
        let profile = try CommandLineTests.run(["fit", data, formula, "--method", "reml", "--ci-method", "profile"])
        #expect(profile.status != 0 && profile.error.contains("profile intervals are not available"), "\(profile.error)")
    }
}
