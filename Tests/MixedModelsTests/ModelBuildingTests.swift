import Foundation
import Testing
@testable import MixedModels

/// Model building as lme4 / lmerTest users do it (issue 9), against real R runs
/// (Fixtures/building/model_building.json from scripts/model_building_fixtures.R, every fit at
/// lme4's polished optimum): per-factor contrasts, excluded rows, type II F tests, ranova,
/// least-squares means and a comparison of three nested models.
///
/// Tolerances: estimates and log-likelihoods at the polished optimum agree to ~1e-7 relative;
/// lmerTest's Satterthwaite df come from numerical derivatives (~1e-6 relative, README caveat 5),
/// so df and the p-values that depend on them are compared at 1e-5 / 1e-4 relative.
@Suite("Model building against lme4 / lmerTest")
struct ModelBuildingTests {
    static var fixture: [String: Any] { (try? FixtureSupport.json("building/model_building.json")) ?? [:] }

    static func section(_ name: String) -> [[String: Any]] { fixture[name] as? [[String: Any]] ?? [] }
    static func ids(_ name: String) -> [String] { section(name).compactMap { $0["id"] as? String } }
    static func entry(_ name: String, _ id: String) throws -> [String: Any] {
        try #require(section(name).first { $0["id"] as? String == id }, "no fixture \(name)/\(id)")
    }

    /// 1-based data rows as the R script writes them (`3,17,40-45`), as 0-based indices.
    static func excludedRows(_ text: String?) -> Set<Int> {
        guard let text else { return [] }
        var rows = Set<Int>()
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            guard let first = bounds.first, let last = bounds.last else { continue }
            rows.formUnion((first - 1)...(last - 1))
        }
        return rows
    }

    static func fit(_ entry: [String: Any], formula: String? = nil, contrasts: [String: ContrastCoding] = [:]) throws -> FittedModel {
        let data = try DataTable.builtIn(entry["dataset"] as? String ?? "")
        var options = ModelOptions()
        options.contrasts = contrasts
        options.excludedRows = excludedRows(entry["exclude"] as? String)
        let method: EstimationMethod = entry["REML"] as? Bool == true ? .reml : .ml
        return try LinearMixedModel(formula: formula ?? entry["formula"] as? String ?? "", data: data, options: options)
            .fit(method: method, optimizer: polished)
    }

    /// Our fits polished as the R fits are (ρ_end 1e-10, no function tolerance): the Machines
    /// optimum is flat enough that the default settings leave the SEs ~1e-5 relative away.
    static let polished = OptimizerSettings(finalTrustRadius: 1e-10, functionTolerance: 0)

    /// A NaN reference (R's NA: not estimable) must be NaN here too.
    /// - Parameter scale: the error is relative to max(|expected|, scale) (for values that can be
    ///   zero up to rounding, such as the difference of two equal means).
    static func expectClose(_ actual: Double, _ expected: Double, relative: Double, _ label: String, scale: Double = 0) {
        if expected.isNaN {
            #expect(actual.isNaN, "\(label): \(actual) where R has NA")
            return
        }
        let error = actual == expected ? 0 : abs(actual - expected) / max(abs(expected), scale, 1e-300)
        #expect(error < relative, "\(label): \(actual) vs R \(expected)")
    }

    /// β, SEs, θ, σ and logLik against an R fit summary.
    /// - Parameter checksNames: compare the column names too (lme4 names treatment columns
    ///   `recipeB` where we write `recipe_B`; other contrasts are named as lme4 names them).
    static func expectSameFit(_ fit: FittedModel, _ entry: [String: Any], label: String, checksNames: Bool = false) {
        let names = entry["beta_names"] as? [String] ?? []
        if checksNames { #expect(fit.model.design.fixedEffects.columnNames == names, "\(label) column names") }
        let beta = FixtureSupport.doubles(entry["beta"])
        let errors = FixtureSupport.doubles(entry["se_beta"])
        #expect(fit.beta.count == beta.count)
        for index in beta.indices where index < fit.beta.count {
            #expect(abs(fit.beta[index] - beta[index]) < 1e-6 * max(1, abs(beta[index])), "\(label) β \(names[index]): \(fit.beta[index]) vs \(beta[index])")
            expectClose(fit.standardErrors[index], errors[index], relative: 1e-5, "\(label) SE \(names[index])")
        }
        let theta = FixtureSupport.doubles(entry["theta"])
        #expect(fit.theta.count == theta.count)
        for (ours, theirs) in zip(fit.theta, theta) { #expect(abs(ours - theirs) < 1e-4 * max(1, abs(theirs)), "\(label) θ \(ours) vs \(theirs)") }
        expectClose(fit.sigma, FixtureSupport.double(entry["sigma"]), relative: 1e-5, "\(label) σ")
        #expect(abs(fit.logLikelihood - FixtureSupport.double(entry["logLik"])) < 1e-6, "\(label) logLik \(fit.logLikelihood)")
        #expect(fit.observationCount == entry["n"] as? Int)
    }

    // MARK: - 3. Contrasts

    static var matrixCases: [Int] { Array(section("contrast_matrices").indices) }

    @Test("contrast matrices equal R's contr.poly, contr.helmert and contr.sum", arguments: matrixCases)
    func contrastMatrix(index: Int) throws {
        let entry = Self.section("contrast_matrices")[index]
        let k = try #require(entry["levels"] as? Int)
        let coding = try #require(ContrastCoding(rawValue: entry["coding"] as? String ?? ""))
        let levels = (1...k).map { "L\($0)" }
        let matrix = coding.contrasts(variable: "f", levels: levels)
        let expected = (entry["matrix"] as? [[Any]] ?? []).map(FixtureSupport.doubles)
        #expect(matrix.columnCount == k - 1 && expected.count == k)
        for (level, row) in expected.enumerated() {
            for (column, value) in row.enumerated() {
                #expect(abs(matrix.values[level * matrix.columnCount + column] - value) < 1e-14,
                        "\(coding) k=\(k) [\(level), \(column)]")
            }
        }
        if let suffixes = entry["colnames"] as? [String] {
            #expect(matrix.names == suffixes.map { "f" + $0 })
        } else {
            #expect(matrix.names == (1..<k).map { "f\($0)" })
        }
    }

    @Test("fits with sum, Helmert and polynomial contrasts match lme4 (names, β, SE, θ, logLik)", arguments: ids("contrasts"))
    func contrastFit(id: String) throws {
        let entry = try Self.entry("contrasts", id)
        let contrasts = (entry["contrasts"] as? [String: String] ?? [:]).compactMapValues(ContrastCoding.init(rawValue:))
        let fit = try Self.fit(entry, contrasts: contrasts)
        Self.expectSameFit(fit, entry, label: id, checksNames: true)
    }

    @Test("type III tests do not depend on the contrasts")
    func typeIIIInvariant() throws {
        let entry = try Self.entry("contrasts", "cake_sum_helmert")
        let coded = try Self.fit(entry, contrasts: ["recipe": .sum, "temperature": .helmert]).anova()
        let reference = try Self.fit(entry).anova()
        #expect(coded.map(\.term) == reference.map(\.term))
        for (a, b) in zip(coded, reference) { Self.expectClose(a.fStat, b.fStat, relative: 1e-6, "F \(a.term)") }
    }

    @Test("predictions on new data and least-squares means do not depend on the contrasts", arguments: ContrastCoding.allCases)
    func predictionsInvariant(coding: ContrastCoding) throws {
        let data = try DataTable.builtIn("Machines")
        let formula = "score ~ Machine + (Machine | Worker)"
        var options = ModelOptions()
        options.contrasts = ["Machine": coding]
        // ML: the REML criterion changes with the parametrisation of X (by log |det T|², T the change of coding).
        let coded = try LinearMixedModel(formula: formula, data: data, options: options).fit(method: .ml, optimizer: Self.polished)
        let reference = try LinearMixedModel(formula: formula, data: data).fit(method: .ml, optimizer: Self.polished)
        #expect(abs(coded.logLikelihood - reference.logLikelihood) < 1e-7)
        for conditional in [true, false] {
            let ours = try coded.predict(on: data, conditional: conditional, interval: conditional ? nil : .curve)
            let theirs = try reference.predict(on: data, conditional: conditional, interval: conditional ? nil : .curve)
            #expect(ours.count == theirs.count)
            for (a, b) in zip(ours, theirs) {
                #expect(abs(a.prediction - b.prediction) < 1e-5, "\(coding) conditional \(conditional)")
                if !conditional { #expect(FixtureSupport.relativeError(a.standardError, b.standardError) < 1e-4) }
            }
        }
        let means = try coded.leastSquaresMeans(of: "Machine", pairwise: true, dfMethod: .residual)
        let referenceMeans = try reference.leastSquaresMeans(of: "Machine", pairwise: true, dfMethod: .residual)
        for (a, b) in zip(means.means + means.pairwise, referenceMeans.means + referenceMeans.pairwise) {
            #expect(a.name == b.name)
            #expect(abs(a.estimate - b.estimate) < 1e-5 && FixtureSupport.relativeError(a.standardError, b.standardError) < 1e-4,
                    "\(coding) \(a.name)")
        }
    }

    @Test("contrasts for a numeric or absent variable are refused, naming the categorical ones")
    func contrastsForNonFactor() throws {
        let data = try DataTable.builtIn("sleepstudy")
        for (name, isNumeric) in [("Days", true), ("Nope", false)] {
            var options = ModelOptions()
            options.contrasts = [name: .sum]
            #expect(throws: DesignError.contrastsForNonCategorical(variable: name, isNumeric: isNumeric, categorical: [])) {
                try ModelDesign(formula: Formula("Reaction ~ Days + (1 | Subject)"), data: data, options: options)
            }
        }
    }

    // MARK: - 4. Excluded rows

    @Test("a fit with rows excluded equals lme4's fit on the remaining rows", arguments: ids("exclusion"))
    func exclusion(id: String) throws {
        let entry = try Self.entry("exclusion", id)
        let fit = try Self.fit(entry)
        Self.expectSameFit(fit, entry, label: id)
        #expect(fit.model.design.excludedRowCount == entry["excluded_count"] as? Int)
        #expect(fit.model.design.droppedRowCount == 0)
        let excluded = Self.excludedRows(entry["exclude"] as? String)
        #expect(fit.model.design.rowIndices.allSatisfy { !excluded.contains($0) })
    }

    @Test("excluded rows and rows with missing values are counted apart; out-of-range rows are refused")
    func exclusionCounts() throws {
        let sleep = try DataTable.builtIn("sleepstudy")
        guard case .numeric(let reaction)? = sleep.column(named: "Reaction") else { throw FixtureError.malformed("Reaction") }
        var values = reaction.values
        values[9] = .nan   // data row 10: missing and excluded, counted as excluded
        values[11] = .nan  // data row 12: missing only
        let columns = try sleep.columnNames.map { name -> Column in
            name == "Reaction" ? .numeric(NumericColumn(values: values)) : try #require(sleep.column(named: name))
        }
        let table = try DataTable(columnNames: sleep.columnNames, columns: columns, source: "test")
        var options = ModelOptions()
        options.excludedRows = [9, 10]
        let design = try ModelDesign(formula: Formula("Reaction ~ Days + (1 | Subject)"), data: table, options: options)
        #expect(design.excludedRowCount == 2)
        #expect(design.droppedRowCount == 1)
        #expect(design.observationCount == 177)
        options.excludedRows = [3, 180]
        #expect(throws: DesignError.excludedRowOutOfRange(index: 180, rowCount: 180)) {
            try ModelDesign(formula: Formula("Reaction ~ Days + (1 | Subject)"), data: table, options: options)
        }
    }

    // MARK: - 6. Type II

    static var typeIICases: [(String, DegreesOfFreedomMethod)] {
        section("type2").flatMap { entry -> [(String, DegreesOfFreedomMethod)] in
            let id = entry["id"] as? String ?? ""
            return entry["kenward_roger"] == nil ? [(id, .satterthwaite)] : [(id, .satterthwaite), (id, .kenwardRoger)]
        }
    }

    @Test("type II F tests match lmerTest's anova(type = 2)", arguments: typeIICases)
    func typeII(id: String, dfMethod: DegreesOfFreedomMethod) throws {
        let entry = try Self.entry("type2", id)
        let fit = try Self.fit(entry)
        Self.expectSameFit(fit, entry, label: id)
        let table = entry[dfMethod == .satterthwaite ? "satterthwaite" : "kenward_roger"] as? [[String: Any]] ?? []
        let rows = try fit.anova(type: .typeII, dfMethod: dfMethod)
        #expect(rows.map(\.term) == table.map { $0["row"] as? String ?? "" })
        for (row, expected) in zip(rows, table) {
            let label = "\(id) \(dfMethod) \(row.term)"
            #expect(row.df1 == FixtureSupport.double(expected["NumDF"]), "\(label) NumDF")
            Self.expectClose(row.fStat, FixtureSupport.double(expected["F value"]), relative: 1e-6, "\(label) F")
            Self.expectClose(row.sumOfSquares, FixtureSupport.double(expected["Sum Sq"]), relative: 1e-6, "\(label) Sum Sq")
            Self.expectClose(row.df2, FixtureSupport.double(expected["DenDF"]), relative: 1e-5, "\(label) DenDF")
            Self.expectClose(row.pValue, FixtureSupport.double(expected["Pr(>F)"]), relative: 1e-4, "\(label) p")
        }
    }

    @Test("the type II fixtures separate type II from type III (unbalanced data, a covariate)")
    func typeIIFixturesDiscriminate() throws {
        let separating = Self.section("type2").filter { entry in
            let typeII = entry["satterthwaite"] as? [[String: Any]] ?? []
            let typeIII = entry["type3_satterthwaite"] as? [[String: Any]] ?? []
            return zip(typeII, typeIII).contains { a, b in
                FixtureSupport.relativeError(FixtureSupport.double(a["F value"]), FixtureSupport.double(b["F value"])) > 1e-3
            }
        }
        #expect(separating.count >= 2, "\(separating.compactMap { $0["id"] as? String })")
    }

    // MARK: - 7. ranova

    @Test("ranova matches lmerTest (terms, logLik, AIC, LRT, df, p)", arguments: ids("ranova"))
    func ranova(id: String) throws {
        let entry = try Self.entry("ranova", id)
        let fit = try Self.fit(entry)
        let tests = try fit.randomEffectsTermTests()
        let table = entry["table"] as? [[String: Any]] ?? []
        let rows = [tests.full] + tests.terms
        #expect(rows.map(\.term) == table.map { $0["row"] as? String ?? "" }, "\(id) terms")
        for (row, expected) in zip(rows, table) {
            let label = "\(id) \(row.term)"
            #expect(row.parameters == expected["npar"] as? Int, "\(label) npar")
            #expect(abs(row.logLikelihood - FixtureSupport.double(expected["logLik"])) < 1e-6, "\(label) logLik \(row.logLikelihood)")
            #expect(abs(row.aic - FixtureSupport.double(expected["AIC"])) < 2e-6, "\(label) AIC")
            guard row.term != "<none>" else { continue }
            #expect(abs(row.lrStat - FixtureSupport.double(expected["LRT"])) < 2e-6, "\(label) LRT \(row.lrStat)")
            #expect(row.df == expected["Df"] as? Int, "\(label) Df")
            Self.expectClose(row.pValue, FixtureSupport.double(expected["Pr(>Chisq)"]), relative: 1e-5, "\(label) p")
        }
    }

    // MARK: - 8. Least-squares means

    static var meansCases: [(String, DegreesOfFreedomMethod)] {
        ids("means").flatMap { [($0, DegreesOfFreedomMethod.satterthwaite), ($0, .kenwardRoger)] }
    }

    @Test("least-squares means and pairwise differences match lmerTest's ls_means", arguments: meansCases)
    func means(id: String, dfMethod: DegreesOfFreedomMethod) throws {
        let entry = try Self.entry("means", id)
        let fit = try Self.fit(entry)
        let factor = entry["by"] as? String ?? ""
        let result = try fit.leastSquaresMeans(of: factor, pairwise: true, dfMethod: dfMethod)
        let key = dfMethod == .satterthwaite ? "satterthwaite" : "kenward_roger"
        let levels = entry["levels"] as? [String] ?? []
        for (rows, expected) in [(result.means, entry[key] as? [[String: Any]] ?? []),
                                 (result.pairwise, entry[key + "_pairwise"] as? [[String: Any]] ?? [])] {
            // lmerTest names rows by the model-matrix column (`TypeT1`, `TypeT1 - TypeT2`); we by the level.
            let names = expected.map { row in
                factor.split(separator: ":").reduce(row["row"] as? String ?? "") { $0.replacingOccurrences(of: String($1), with: "") }
            }
            #expect(rows.map(\.name) == names, "\(id) names")
            for (row, reference) in zip(rows, expected) {
                let label = "\(id) \(dfMethod) \(row.name)"
                let standardError = FixtureSupport.double(reference["Std. Error"])
                Self.expectClose(row.estimate, FixtureSupport.double(reference["Estimate"]), relative: 1e-6, "\(label) estimate",
                                 scale: standardError)
                Self.expectClose(row.standardError, FixtureSupport.double(reference["Std. Error"]), relative: 1e-5, "\(label) SE")
                Self.expectClose(row.df, FixtureSupport.double(reference["df"]), relative: 1e-5, "\(label) df")
                Self.expectClose(row.tStat, FixtureSupport.double(reference["t value"]), relative: 1e-5, "\(label) t", scale: 1)
                Self.expectClose(row.lower, FixtureSupport.double(reference["lower"]), relative: 1e-5, "\(label) lower")
                Self.expectClose(row.upper, FixtureSupport.double(reference["upper"]), relative: 1e-5, "\(label) upper")
                Self.expectClose(row.pValue, FixtureSupport.double(reference["Pr(>|t|)"]), relative: 1e-4, "\(label) p")
            }
        }
        let cells = levels.isEmpty ? (entry[key] as? [Any] ?? []).count : levels.count
        #expect(result.means.count == cells)
        #expect(result.pairwise.count == cells * (cells - 1) / 2)
    }

    @Test("least-squares means of a covariate or an unknown column are refused, naming the factor terms")
    func meansOfNonFactor() throws {
        let entry = try Self.entry("means", "orthodont")
        let fit = try Self.fit(entry)
        for name in ["age", "Nope"] {
            #expect {
                _ = try fit.leastSquaresMeans(of: name)
            } throws: { error in
                "\(error)".contains("'\(name)' is not one; they are: Sex")
            }
        }
    }

    // MARK: - 9. Several nested models

    @Test("three nested REML models compared as lme4's anova(m1, m2, m3) (refitted by ML)", arguments: ids("compare"))
    func compareThree(id: String) throws {
        let entry = try Self.entry("compare", id)
        let formulas = entry["formulas"] as? [String] ?? []
        let fits = try formulas.map { try Self.fit(entry, formula: $0) }
        let comparison = try LikelihoodRatioTest.compare(fits)
        let table = entry["table"] as? [[String: Any]] ?? []
        #expect(comparison.models.count == table.count && comparison.comparisons.count == table.count - 1)
        #expect(comparison.note.contains("refitting model(s) with ML"))
        for (index, (model, expected)) in zip(comparison.models, table).enumerated() {
            #expect(model.method == .ml)
            #expect(model.df == expected["npar"] as? Int)
            #expect(abs(model.logLikelihood - FixtureSupport.double(expected["logLik"])) < 1e-6, "model \(index + 1) logLik")
            #expect(abs(model.aic - FixtureSupport.double(expected["AIC"])) < 2e-6)
            guard index > 0 else { continue }
            let test = comparison.comparisons[index - 1]
            #expect(abs(test.lrStat - FixtureSupport.double(expected["Chisq"])) < 2e-6, "comparison \(index) χ² \(test.lrStat)")
            #expect(test.deltaDF == expected["Df"] as? Int)
            Self.expectClose(test.pValue, FixtureSupport.double(expected["Pr(>Chisq)"]), relative: 1e-5, "comparison \(index) p")
        }
    }

    @Test("a sequence of models fitted to different rows, or of one model, is refused")
    func compareRefusesDifferentData() throws {
        let data = try DataTable.builtIn("sleepstudy")
        let first = try LinearMixedModel(formula: "Reaction ~ 1 + (1 | Subject)", data: data).fit()
        var options = ModelOptions()
        options.excludedRows = [0]
        let second = try LinearMixedModel(formula: "Reaction ~ Days + (1 | Subject)", data: data, options: options).fit()
        let third = try LinearMixedModel(formula: "Reaction ~ Days + (Days | Subject)", data: data).fit()
        #expect {
            _ = try LikelihoodRatioTest.compare([first, third, second])
        } throws: { error in
            "\(error)".contains("same observations")
        }
        #expect {
            _ = try LikelihoodRatioTest.compare([first])
        } throws: { error in
            "\(error)".contains("at least two models")
        }
    }
}
