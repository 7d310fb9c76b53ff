import Foundation
import Optimization
import Testing
@testable import MixedModels

/// Issue 11, item 3 (convergence diagnostics and optimiser control) and issue 8, item 6
/// (progress): the gradient and Hessian of the profiled deviance against lme4's own
/// (Fixtures/scripts/convergence_fixtures.R), lme4's warnings when the optimiser is stopped
/// early, the Nelder–Mead optimiser, `--start`, `--max-evaluations`, `--verbose`.
@Suite("Convergence diagnostics and optimiser control")
struct ConvergenceTests {
    static var fixture: [String: Any] { (try? FixtureSupport.json("robustness/convergence.json")) ?? [:] }
    static var cases: [String] { ((fixture["cases"] as? [String: Any]) ?? [:]).keys.sorted() }

    @Test("the profiled deviance's Hessian and gradient at the optimum match lme4's checkConv derivatives", arguments: cases)
    func derivativesMatchLme4(id: String) throws {
        let entry = ((Self.fixture["cases"] as? [String: Any])?[id] as? [String: Any]) ?? [:]
        let model = try LinearMixedModel(formula: entry["formula"] as? String ?? "",
                                         data: DataTable.builtIn(entry["dataset"] as? String ?? ""))
        let fit = try model.fit(method: entry["REML"] as? Bool == true ? .reml : .ml)
        let diagnostics = fit.convergenceDiagnostics()
        let reference = FixtureSupport.doubles(entry["hessian_eigenvalues"])
        #expect(diagnostics.hessianEigenvalues.count == reference.count)
        for (ours, theirs) in zip(diagnostics.hessianEigenvalues, reference) {
            #expect(FixtureSupport.relativeError(ours, theirs) <= 1e-3, "\(id): eigenvalue \(ours) vs lme4 \(theirs)")
        }
        // lme4's check passes at its polished optimum; ours passes at our optimum.
        #expect((entry["checkConv_messages"] as? [Any] ?? []).isEmpty)
        #expect(diagnostics.checked)
        #expect(diagnostics.messages.isEmpty, "\(id): \(diagnostics.messages)")
        #expect(diagnostics.maxScaledGradient < ConvergenceDiagnostics.gradientTolerance)
        #expect(diagnostics.hessianPositiveDefinite)
        #expect(diagnostics.gradient.allSatisfy { abs($0) < 1e-3 })
    }

    @Test("an optimiser stopped early is reported with lme4's gradient warning and its stopping reason")
    func stoppedEarly() throws {
        let run = try CommandLineTests.run(["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                            "--max-evaluations", "10", "--format", "json"])
        #expect(run.status == 0, "\(run.error)")
        let object = try CommandLineTests.json(run)
        let warnings = object["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("Model failed to converge with max|grad| = ") && $0.contains("(tol = 0.002, component ") })
        #expect(warnings.contains { $0.contains("did not converge") })
        let convergence = object["convergence"] as? [String: Any] ?? [:]
        #expect(convergence["status"] as? String == "maxEvaluationsReached")
        #expect((convergence["stoppingReason"] as? String ?? "").contains("maximum number of evaluations"))
        #expect(FixtureSupport.double(convergence["maxScaledGradient"]) > 0.002)
        #expect(FixtureSupport.double(convergence["gradientTolerance"]) == 0.002)
        #expect(FixtureSupport.double(convergence["hessianTolerance"]) == 1e-6)
        let text = try CommandLineTests.run(["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                             "--max-evaluations", "10"])
        #expect(text.output.contains("Convergence:"))
        #expect(text.output.contains("max|scaled gradient|"))
        #expect(text.output.contains("Model failed to converge"))
    }

    @Test("a converged fit has no convergence warning and says why the optimiser stopped")
    func converged() throws {
        let run = try CommandLineTests.run(["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                            "--method", "reml", "--format", "json"])
        let object = try CommandLineTests.json(run)
        #expect((object["warnings"] as? [String] ?? []).isEmpty)
        let convergence = object["convergence"] as? [String: Any] ?? [:]
        #expect(convergence["checked"] as? Bool == true)
        #expect(convergence["hessianPositiveDefinite"] as? Bool == true)
        #expect((convergence["stoppingReason"] as? String ?? "").hasPrefix("converged"))
        #expect(FixtureSupport.doubles(convergence["hessianEigenvalues"]).count == 3)
    }

    @Test("Nelder–Mead reaches lme4's optimum", arguments: ["lme4/sleepstudy_corr_reml.json", "lme4/penicillin_ml.json", "lme4/pastes_reml.json"])
    func nelderMead(file: String) throws {
        let fixture = try FixtureSupport.json(file)
        let model = try ObjectiveTests.model(for: fixture)
        let method: EstimationMethod = (fixture["REML"] as? Bool ?? false) ? .reml : .ml
        let fit = try model.fit(method: method, optimizer: OptimizerSettings(algorithm: .nelderMead))
        let reference = -2 * FixtureSupport.double(fixture["logLik"])
        #expect(fit.objective - reference <= 1e-6 * abs(reference), "\(file): \(fit.objective) vs \(reference)")
        #expect(fit.optimization.optimizer == "NelderMead")
        #expect(fit.optimization.converged)
        let bobyqa = try model.fit(method: method)
        for (a, b) in zip(fit.theta, bobyqa.theta) { #expect(abs(a - b) <= 1e-3 * max(1, abs(b))) }
    }

    @Test("Nelder–Mead alone: bounds respected, a bound optimum found, Rosenbrock solved")
    func nelderMeadUnit() {
        var evaluatedOutside = false
        let bounded = NelderMead(lowerBounds: [1, -10], upperBounds: [10, 10], initialStep: 0.5)
            .minimize(from: [3, 3]) { x in
                if x[0] < 1 || x[0] > 10 || x[1] < -10 || x[1] > 10 { evaluatedOutside = true }
                return x[0] * x[0] + (x[1] - 2) * (x[1] - 2)
            }
        #expect(!evaluatedOutside)
        #expect(bounded.x[0] == 1)
        #expect(abs(bounded.x[1] - 2) < 1e-5)
        #expect(bounded.converged)
        let rosenbrock = NelderMead(lowerBounds: [-5, -5], upperBounds: [5, 5], pointTolerance: 1e-9, functionTolerance: 1e-14)
            .minimize(from: [-1.2, 1]) { x in 100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2) }
        #expect(abs(rosenbrock.x[0] - 1) < 1e-4 && abs(rosenbrock.x[1] - 1) < 1e-4, "\(rosenbrock.x)")
        let capped = NelderMead(lowerBounds: [-5, -5], upperBounds: [5, 5], maxEvaluations: 20)
            .minimize(from: [-1.2, 1]) { x in 100 * pow(x[1] - x[0] * x[0], 2) + pow(1 - x[0], 2) }
        #expect(capped.status == .maxEvaluationsReached)
        #expect(capped.evaluations <= 20)
        let invalid = NelderMead(lowerBounds: [1], upperBounds: [0]).minimize(from: [0.5]) { $0[0] }
        #expect(invalid.status == .failed && invalid.evaluations == 0)
    }

    @Test("--start is used, checked and reaches the same optimum")
    func startOption() throws {
        let arguments = ["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)", "--format", "json"]
        let plain = try CommandLineTests.json(try CommandLineTests.run(arguments))
        let started = try CommandLineTests.run(arguments + ["--start", "0.9,0.02,0.2"])
        #expect(started.status == 0, "\(started.error)")
        let object = try CommandLineTests.json(started)
        #expect(abs(FixtureSupport.double(object["logLikelihood"]) - FixtureSupport.double(plain["logLikelihood"])) < 1e-8)
        #expect(FixtureSupport.double((object["optimizer"] as? [String: Any])?["initialObjective"])
                != FixtureSupport.double((plain["optimizer"] as? [String: Any])?["initialObjective"]))
        let wrong = try CommandLineTests.run(arguments + ["--start", "1,0"])
        #expect(wrong.status != 0)
        #expect(wrong.error.contains("--start has 2 values but the model has 3 covariance parameters"))
        let text = try CommandLineTests.run(arguments + ["--start", "1,x,0"])
        #expect(text.status != 0)
        #expect(text.error.contains("value 2 is 'x'"))
    }

    @Test("--verbose traces every evaluation on stderr; without it a non-terminal stderr stays empty")
    func progressOutput() throws {
        let arguments = ["fit", "sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)", "--format", "json"]
        let quiet = try CommandLineTests.run(arguments)
        #expect(quiet.error.isEmpty, "\(quiet.error)")
        let verbose = try CommandLineTests.run(arguments + ["--verbose"])
        let lines = verbose.error.split(separator: "\n").filter { $0.hasPrefix("evaluation ") }
        let evaluations = ((try CommandLineTests.json(verbose))["optimizer"] as? [String: Any])?["evaluations"] as? Int ?? -1
        #expect(lines.count == evaluations)
        #expect(lines.first?.contains("objective") == true)
        #expect(verbose.status == 0)
    }

    @Test("on a terminal, a fit past the delay shows a live line with the evaluation count, objective and time")
    func liveLine() throws {
        let script = URL(fileURLWithPath: "/usr/bin/script")
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            print("skipped: no /usr/bin/script to give lmm a pseudo-terminal")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let transcript = directory.appendingPathComponent("typescript")
        let lmm = try CommandLineTests.executable().path
        let command = "LMM_PROGRESS_DELAY=0 '\(lmm)' fit sleepstudy 'Reaction ~ 1 + Days + (1 + Days | Subject)' --format json > /dev/null"
        let process = Process()
        process.executableURL = script
        process.arguments = ["-qec", command, transcript.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let text = try String(contentsOf: transcript, encoding: .utf8)
        #expect(text.contains("\rfitting: evaluation ") || text.contains("\u{1B}[Kfitting: evaluation "), "\(text.suffix(300))")
        #expect(text.contains("objective"))
        #expect(text.range(of: #"[0-9.]+ s"#, options: .regularExpression) != nil)
    }

    @Test("the library reports progress through its handler, once per evaluation, and prints nothing")
    func progressHandler() throws {
        let model = try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)",
                                         data: DataTable.builtIn("sleepstudy"))
        final class Recorder: @unchecked Sendable { var updates: [FitProgress] = [] }
        let recorder = Recorder()
        let fit = try model.fit(method: .reml, progress: { recorder.updates.append($0) })
        #expect(recorder.updates.count == fit.optimization.evaluations)
        #expect(recorder.updates.map(\.evaluations) == Array(1...fit.optimization.evaluations))
        #expect(recorder.updates.last?.bestObjective == fit.objective)
        #expect(recorder.updates.allSatisfy { $0.elapsedSeconds >= 0 })
    }
}
