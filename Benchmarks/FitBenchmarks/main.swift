// Fit benchmarks: median in-process build-and-fit time and objective evaluations for the
// reference models, next to lme4 on the same machine.
//
//   swift run -c release lmm-bench [--reps N] [--no-insteval] [--with-r]
//
// --rhobeg/--rhoend/--ftol override the optimiser settings; --print-objective adds our objective.
// --with-r runs Benchmarks/lme4_timings.R (needs Rscript with lme4) in the same run; otherwise the
// lme4 figures come from Tests/MixedModelsTests/Fixtures/fits/lme4_timings.csv (same machine kind).
import Foundation
import MixedModels

struct BenchmarkModel {
    let id: String
    let dataset: String
    let formula: String
    let weights: String
}

func readModels() throws -> [BenchmarkModel] {
    let text = try String(contentsOfFile: "Benchmarks/models.csv", encoding: .utf8)
    return text.split(separator: "\n").dropFirst().compactMap { line in
        let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 4 else { return nil }
        return BenchmarkModel(id: fields[0], dataset: fields[1], formula: fields[2], weights: fields[3])
    }
}

func table(for model: BenchmarkModel) throws -> DataTable {
    let table = try DataTable.builtIn(model.dataset)
    guard model.weights == "days_mod_3", case .numeric(let days)? = table.column(named: "Days") else { return table }
    let weights = days.values.map { 1 + $0.truncatingRemainder(dividingBy: 3) }
    return try DataTable(columnNames: table.columnNames + ["w"],
                         columns: table.columns + [.numeric(NumericColumn(values: weights))], source: model.dataset)
}

/// lme4 figures keyed by "id/method": (seconds, evaluations).
func lme4Figures(runR: Bool, reps: Int, includeInstEval: Bool) -> [String: (Double, Int)] {
    var text = ""
    if runR {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["Rscript", "Benchmarks/lme4_timings.R", String(reps), includeInstEval ? "yes" : "no"]
        let pipe = Pipe()
        process.standardOutput = pipe
        if (try? process.run()) != nil {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            text = String(decoding: data, as: UTF8.self)
        }
        var figures: [String: (Double, Int)] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            if fields.count == 4, let seconds = Double(fields[2]), let feval = Int(fields[3]) {
                figures["\(fields[0])/\(fields[1])"] = (seconds, feval)
            }
        }
        return figures
    }
    text = (try? String(contentsOfFile: "Tests/MixedModelsTests/Fixtures/fits/lme4_timings.csv", encoding: .utf8)) ?? ""
    var figures: [String: (Double, Int)] = [:]
    for line in text.split(separator: "\n").dropFirst() {
        // "id","dataset","formula","weights","method",seconds,feval — the formula holds no commas
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        guard fields.count >= 7, let seconds = Double(fields[fields.count - 2]), let feval = Int(fields[fields.count - 1]) else { continue }
        let id = fields[0].replacingOccurrences(of: "_ml", with: "").replacingOccurrences(of: "_reml", with: "")
        figures["\(id)/\(fields[fields.count - 3])"] = (seconds, feval)
    }
    return figures
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let arguments = CommandLine.arguments
let reps = arguments.firstIndex(of: "--reps").flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil } ?? 9
let includeInstEval = !arguments.contains("--no-insteval")
func value(after flag: String) -> Double? {
    arguments.firstIndex(of: flag).flatMap { arguments.indices.contains($0 + 1) ? Double(arguments[$0 + 1]) : nil }
}
var settings = OptimizerSettings.default
if let rhobeg = value(after: "--rhobeg") { settings.initialTrustRadius = rhobeg }
if let rhoend = value(after: "--rhoend") { settings.finalTrustRadius = rhoend }
if let ftol = value(after: "--ftol") { settings.functionTolerance = ftol }
// `--npt M` sets BOBYQA's interpolation points; `--npt 2n1` and `--npt full` force 2n + 1 or
// (n + 1)(n + 2)/2 for every model (the default chooses by n, OptimizerSettings.interpolationPoints).
let pointRule = arguments.firstIndex(of: "--npt").flatMap { arguments.indices.contains($0 + 1) ? arguments[$0 + 1] : nil }
@MainActor func settingsFor(parameters n: Int) -> OptimizerSettings {
    var adjusted = settings
    switch pointRule {
    case "2n1"?: adjusted.interpolationPointCount = 2 * n + 1
    case "full"?: adjusted.interpolationPointCount = (n + 1) * (n + 2) / 2
    case let value?: adjusted.interpolationPointCount = Int(value)
    case nil: break
    }
    return adjusted
}
// `--data FILE.csv --formula F [--method ML|REML]` fits one model from a CSV file instead
// (evaluations, objective and θ), for the large cases.
if let dataIndex = arguments.firstIndex(of: "--data"), arguments.indices.contains(dataIndex + 1),
   let formulaIndex = arguments.firstIndex(of: "--formula"), arguments.indices.contains(formulaIndex + 1) {
    let data = try DataTable(contentsOf: URL(fileURLWithPath: arguments[dataIndex + 1]))
    let method: EstimationMethod = arguments.contains("REML") ? .reml : .ml
    let model = try LinearMixedModel(formula: arguments[formulaIndex + 1], data: data)
    // `--repeat N` fits it N times (for profiling a small model); the last fit is printed.
    let repeats = max(Int(value(after: "--repeat") ?? 1), 1)
    var fit = try model.fit(method: method, optimizer: settingsFor(parameters: model.lowerBounds.count))
    for _ in 1..<repeats { fit = try model.fit(method: method, optimizer: settingsFor(parameters: model.lowerBounds.count)) }
    print("evaluations \(fit.optimization.evaluations) objective \(String(format: "%.10f", fit.objective)) theta \(fit.theta) seconds \(String(format: "%.5f", fit.optimization.seconds))")
    exit(0)
}
/// `--print-objective` appends our objective at full precision (to compare optimiser settings).
let printObjective = arguments.contains("--print-objective")
let lme4 = lme4Figures(runR: arguments.contains("--with-r"), reps: 5, includeInstEval: includeInstEval)

print("model                   method   ours (ms)   evals   lme4 (ms)   evals   lme4/ours   -2logL difference")
for model in try readModels() where includeInstEval || model.id != "insteval" {
    let data = try table(for: model)
    for method in EstimationMethod.allCases {
        if model.id == "insteval" && method == .reml { continue }
        var seconds: [Double] = []
        var evaluations = 0
        var objective = Double.nan
        for _ in 0..<(model.id == "insteval" ? 3 : reps) {
            let mixedModel = try LinearMixedModel(formula: model.formula, data: data,
                                                  options: ModelOptions(weightsColumn: model.weights.isEmpty ? nil : "w"))
            let fit = try mixedModel.fit(method: method, optimizer: settingsFor(parameters: mixedModel.lowerBounds.count))
            seconds.append(fit.optimization.seconds)
            evaluations = fit.optimization.evaluations
            objective = fit.objective
        }
        let ours = median(seconds)
        let reference = lme4["\(model.id)/\(method.rawValue)"]
        let referenceFile = "Tests/MixedModelsTests/Fixtures/\(FileManager.default.fileExists(atPath: "Tests/MixedModelsTests/Fixtures/lme4/\(model.id)_\(method.rawValue.lowercased()).json") ? "lme4" : "fits")/\(model.id)_\(method.rawValue.lowercased()).json"
        var difference = "n/a"
        if let data = FileManager.default.contents(atPath: referenceFile),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let logLik = (json["logLik"] as? NSNumber)?.doubleValue {
            difference = String(format: "%+.2e", objective + 2 * logLik)
        }
        let line = [model.id.padding(toLength: 22, withPad: " ", startingAt: 0), method.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0),
                    String(format: "%10.2f", ours * 1000), String(format: "%7d", evaluations),
                    reference.map { String(format: "%10.1f", $0.0 * 1000) } ?? "       n/a",
                    reference.map { String(format: "%7d", $0.1) } ?? "    n/a",
                    reference.map { String(format: "%10.1fx", $0.0 / ours) } ?? "        n/a",
                    "  " + difference] + (printObjective ? [String(format: "  %.12g", objective)] : [])
        print(line.joined(separator: "  "))
    }
}
