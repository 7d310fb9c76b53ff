import MixedModels

/// libFuzzer entry point: builds a small table (at most 40 rows) and a model from the input
/// bytes, fits it and renders the whole report. Thrown errors are correct answers; a trap is a bug.
///
/// Layout: byte 0 picks the formula, byte 1 the row count, byte 2 the numbers of levels of the
/// grouping factors `g` and `h`, byte 3 the method, weights, covariance pattern and degrees of
/// freedom; then four bytes per row: `g`, `h` and `x` (a byte each, high values of the last are
/// missing or odd numbers) and `y`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fitFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 4 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let (csv, formula, options, method, dfMethod) = FitFuzzCase.make(bytes) else { return 0 }
    do {
        let table = try DataTable(csv: csv, source: "fuzz.csv")
        let model = try LinearMixedModel(formula: formula, data: table, options: options)
        let fit = try model.fit(method: method, optimizer: FitFuzzCase.optimizer)
        let report = try FitReport.computing(fit: fit, dfMethod: dfMethod)
        _ = report.text
        _ = report.json.rendered()
    } catch {
        _ = "\(error)"
    }
    return 0
}

enum FitFuzzCase {
    /// A fit that stops at the evaluation limit is a correct (reported) answer; the default 10⁵
    /// evaluations on a degenerate 21-parameter model take minutes in this build and would be
    /// reported as timeouts, so the fuzz fits stop sooner.
    static let optimizer = OptimizerSettings(maxEvaluations: 5_000)

    static let formulas = [
        "y ~ 1 + (1 | g)",
        "y ~ 1 + x + (1 | g)",
        "y ~ 1 + x + (1 + x | g)",
        "y ~ 1 + x + (1 | g) + (1 | h)",
        "y ~ 1 + x * h + (1 | g)",
        "y ~ 1 + (1 | g / h)",
        "y ~ 1 + x + (x || g)",
        "y ~ 0 + x + (1 | g:h)",
        "y ~ 1 + h + (1 + x | g) + (1 | h)",
        "y ~ 1 + x + (1 + h | g)",
        "y ~ 1 + x + I(x^2) + (1 | g)",
        "y ~ 1 + (1 | g) + (0 + x | h)",
    ]

    static func make(_ bytes: UnsafeBufferPointer<UInt8>)
        -> (String, String, ModelOptions, EstimationMethod, DegreesOfFreedomMethod)? {
        let formula = formulas[Int(bytes[0]) % formulas.count]
        let rows = 2 + Int(bytes[1]) % 39
        let gLevels = 1 + Int(bytes[2] & 0x0F) % 10
        let hLevels = 1 + Int(bytes[2] >> 4) % 6
        let flags = bytes[3]
        let method: EstimationMethod = flags & 1 == 0 ? .ml : .reml
        let weighted = flags & 2 != 0
        let patterns: [CovariancePattern] = [.fullCholesky, .diagonal, .isotropic, .compoundSymmetry]
        let pattern = patterns[Int(flags >> 2) & 3]
        let dfMethods: [DegreesOfFreedomMethod] = [.residual, .satterthwaite, .none,
                                                    method == .reml ? .kenwardRoger : .residual]
        let dfMethod = dfMethods[Int(flags >> 4) & 3]
        var csv = weighted ? "y,x,g,h,w\n" : "y,x,g,h\n"
        var offset = 4
        for row in 0..<rows {
            func next() -> UInt8 {
                guard offset < bytes.count else { return UInt8(truncatingIfNeeded: row &* 37 &+ 11) }
                defer { offset += 1 }
                return bytes[offset]
            }
            let g = Int(next()) % gLevels
            let h = Int(next()) % hLevels
            let xByte = next()
            let yByte = next()
            let x: String
            switch xByte {
            case 250: x = "NA"
            case 251: x = "1e300"
            case 252: x = "-1e-300"
            case 253: x = "NaN"
            default: x = String(Double(Int(xByte) - 128) / 16)
            }
            let y = yByte == 255 ? "NA" : String(Double(yByte) / 8 + Double(g))
            var line = "\(y),\(x),g\(g),h\(h)"
            if weighted { line += ",\(Int(yByte % 5))" }
            csv += line + "\n"
        }
        let options = ModelOptions(weightsColumn: weighted ? "w" : nil, covariancePatterns: ["g": pattern])
        return (csv, formula, options, method, dfMethod)
    }
}
