import Foundation
import Testing
@testable import MixedModels

/// Runs the built `lmm` executable end to end.
@Suite("lmm command line")
struct CommandLineTests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    static func executable() throws -> URL {
        let start = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var directory = start.deletingLastPathComponent()
        for _ in 0..<5 {
            let candidate = directory.appendingPathComponent("lmm")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw FixtureError.malformed("lmm executable not found near \(start.path)")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                   error: String(decoding: errorData, as: UTF8.self))
    }

    static func json(_ run: Run) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] else {
            throw FixtureError.malformed(run.output)
        }
        return object
    }

    @Test("fit --format json has every contract key and lme4's numbers")
    func fitJSON() throws {
        let run = try Self.run(["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)", "--method", "reml", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try Self.json(run)
        for key in ["formula", "method", "numObservations", "logLikelihood", "deviance", "aic", "bic", "sigma", "theta",
                    "isSingular", "fixedEffects", "covarianceParameters", "optimizer", "warnings"] {
            #expect(object[key] != nil, "missing key \(key)")
        }
        #expect(object["method"] as? String == "REML")
        #expect(object["numObservations"] as? Int == 180)
        let reference = try FixtureSupport.json("lme4/sleepstudy_corr_reml.json")
        let logLik = FixtureSupport.double(object["logLikelihood"])
        #expect(abs(logLik - FixtureSupport.double(reference["logLik"])) <= 1e-6 * abs(logLik))
        let fixed = object["fixedEffects"] as? [[String: Any]] ?? []
        #expect(fixed.map { $0["name"] as? String ?? "" } == ["(Intercept)", "Days"])
        for row in fixed {
            for key in ["name", "estimate", "standardError", "tStat", "df", "pValue", "lower", "upper"] {
                #expect(row[key] != nil, "fixedEffects row lacks \(key)")
            }
        }
        let covariance = object["covarianceParameters"] as? [[String: Any]] ?? []
        #expect(covariance.last?["group"] as? String == "Error")
        #expect(covariance.last?["name1"] as? String == "Res Std")
        #expect(covariance.map { $0["type"] as? String ?? "" } == ["std", "corr", "std", "std"])
        let optimizer = object["optimizer"] as? [String: Any] ?? [:]
        #expect((optimizer["evaluations"] as? Int ?? 0) > 0)
        #expect(optimizer["converged"] as? Bool == true)
        #expect(optimizer["seconds"] != nil)
    }

    @Test("fit --df-method satterthwaite adds lmerTest's type III ANOVA (cake, REML)")
    func fitANOVA() throws {
        let run = try Self.run(["fit", "cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", "--method", "reml",
                                "--df-method", "satterthwaite", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let rows = try Self.json(run)["anova"] as? [[String: Any]] ?? []
        let reference = (try FixtureSupport.json("fits/cake_reml.json")["lmerTest"] as? [String: Any])?["anova_type3_satterthwaite"] as? [String: Any] ?? [:]
        #expect(rows.count == reference.count)
        #expect(rows.count == 3)
        for row in rows {
            let expected = reference[row["term"] as? String ?? ""] as? [String: Any] ?? [:]
            #expect(FixtureSupport.relativeError(FixtureSupport.double(row["fStat"]), FixtureSupport.double(expected["F value"])) <= 1e-4)
            #expect(FixtureSupport.relativeError(FixtureSupport.double(row["df2"]), FixtureSupport.double(expected["DenDF"])) <= 1e-3)
            #expect(FixtureSupport.double(row["df1"]) == FixtureSupport.double(expected["NumDF"]))
        }
        let text = try Self.run(["fit", "cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", "--df-method", "satterthwaite"])
        #expect(text.output.contains("ANOVA (type III F tests per term, DF method: satterthwaite)"))
    }

    @Test("fit text output follows MATLAB's layout and says ML is the default")
    func fitText() throws {
        let run = try Self.run(["fit", "Dyestuff", "Yield ~ 1 + (1 | Batch)"])
        #expect(run.status == 0)
        for fragment in ["Linear mixed-effects model fit by ML (the default", "Model information:", "Formula:",
                         "Model fit statistics:", "Fixed effects coefficients (95% CIs", "Group: Batch (6 Levels)",
                         "Group: Error", "Res Std"] {
            #expect(run.output.contains(fragment), "missing '\(fragment)'")
        }
    }

    @Test("design --format json reports observations, columns and terms")
    func designJSON() throws {
        let run = try Self.run(["design", "cake", "angle ~ recipe * temperature + (1 | recipe:replicate)", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try Self.json(run)
        #expect(object["numObservations"] as? Int == 270)
        #expect(object["droppedRows"] as? Int == 0)
        let columns = object["fixedEffectsColumns"] as? [String] ?? []
        #expect(columns.count == 18)
        #expect(columns.contains("recipe_B:temperature_185"))
        #expect((object["droppedColumns"] as? [String]) == [])
        let terms = object["randomEffectsTerms"] as? [[String: Any]] ?? []
        #expect(terms.first?["group"] as? String == "recipe:replicate")
        #expect(terms.first?["levels"] as? Int == 45)
        #expect(terms.first?["columns"] as? [String] == ["(Intercept)"])
    }

    @Test("--levels sets the reference level, --categorical makes a numeric column a factor")
    func levelsAndCategorical() throws {
        let levels = try Self.run(["design", "Orthodont", "distance ~ age * Sex + (1 | Subject)", "--levels", "Sex=Female,Male", "--format", "json"])
        #expect(levels.status == 0, "\(levels.error)")
        #expect((try Self.json(levels)["fixedEffectsColumns"] as? [String]) == ["(Intercept)", "age", "Sex_Male", "age:Sex_Male"])

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("data.csv")
        var text = "y,dose,unit\n"
        for row in 0..<40 { text += "\(Double(row % 7) * 1.5 + Double(row % 3)),\(row % 4),\(row % 5)\n" }
        text += "NA,1,2\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        let run = try Self.run(["design", file.path, "y ~ dose + (1 | unit)", "--categorical", "dose", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try Self.json(run)
        #expect(object["fixedEffectsColumns"] as? [String] == ["(Intercept)", "dose_1", "dose_2", "dose_3"])
        #expect(object["droppedRows"] as? Int == 1)
        #expect(object["numObservations"] as? Int == 40)
    }

    @Test("bad input gives a message naming the problem and a non-zero exit", arguments: [
        (["fit", "no-such-data", "y ~ x"], "no file 'no-such-data'"),
        (["fit", "sleepstudy", "Reaction ~ Days + (1 | Subjekt)"], "Subjekt"),
        (["fit", "sleepstudy", "Reaction ~ Days + + (1 | Subject)"], "position"),
        (["fit", "sleepstudy", "Reaction ~ Days + (1 | Subject)", "--covariance", "Subject=Banana"], "unknown covariance pattern"),
        (["fit", "sleepstudy", "Reaction ~ Days + (1 | Subject)", "--covariance", "Patient=Diagonal"], "Patient"),
        (["fit", "sleepstudy", "Reaction ~ Days + (1 | Subject)", "--weights", "Subject"], "weights"),
        (["design", "Orthodont", "distance ~ Sex + (1 | Subject)", "--levels", "Sex=Male"], "Female"),
        (["fit", "sleepstudy", "Subject ~ Days + (1 | Days)"], "must be numeric"),
    ])
    func badInput(arguments: [String], fragment: String) throws {
        let run = try Self.run(arguments)
        #expect(run.status != 0)
        #expect(run.error.contains(fragment), "stderr: \(run.error)")
        #expect(run.output.isEmpty)
    }
}
