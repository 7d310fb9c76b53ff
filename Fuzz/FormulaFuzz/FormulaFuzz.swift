import MixedModels

/// libFuzzer entry point: parses the input bytes (as UTF-8, invalid sequences replaced) as a
/// model formula and, when it parses, reads back its terms and variables. A thrown
/// `FormulaError` is a correct answer; a trap is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func formulaFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let formula = try Formula(text)
        _ = formula.variables
        _ = formula.description
        _ = formula.fixedTerms.count + formula.randomTerms.count
    } catch {
        _ = error.description
    }
    return 0
}
