import ArgumentParser
import Foundation
import MixedModels

/// `--from FIT.json`, accepted by every subcommand that fits: start at the optimum that
/// `lmm fit --save` stored instead of optimising again.
struct SavedFitOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Start at the optimum saved by `lmm fit --save FIT.json`: one evaluation instead of an optimisation. Refused when the data, formula or model options differ.", valueName: "FIT.json"))
    var from: String?

    /// The fit of `model`: at the saved optimum with `--from`, else optimised with the model
    /// options (`--method`, `--optimizer`, `--start`, ...). With `--from` and no `--method`, the
    /// saved fit's method is used.
    func fit(_ model: LinearMixedModel, options: ModelOptionsGroup) throws -> FittedModel {
        guard let from else { return try options.fit(model) }
        if try options.startTheta() != nil {
            throw ValidationError("--start and --from both give the starting θ: use one of them")
        }
        let saved = try Self.read(from)
        do {
            return try saved.restore(model: model, method: options.method)
        } catch {
            throw CommandError("cannot use --from '\(from)': \(error)")
        }
    }

    /// Reads and decodes a saved fit.
    static func read(_ path: String) throws -> SavedFit {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CommandError("cannot read --from '\(path)': \(FileManager.default.fileExists(atPath: path) ? error.localizedDescription : "there is no such file; write one with lmm fit --save")")
        }
        InputFiles.shared.record(url)
        do {
            return try SavedFit(json: data)
        } catch {
            throw CommandError("cannot use --from '\(path)': \(error)")
        }
    }
}
