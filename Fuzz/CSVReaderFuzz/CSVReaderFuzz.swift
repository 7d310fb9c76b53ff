import MixedModels

/// libFuzzer entry point: reads the input bytes as a CSV file with options chosen by the first
/// byte, and touches every column. A thrown `CSVError` is a correct answer; a trap is a bug.
///
/// The first byte selects the options: bit 0 a given `;` delimiter, bit 1 decimal commas,
/// bit 2 extra missing-value codes (`.` and `-999`), bit 3 the first column declared categorical.
@_cdecl("LLVMFuzzerTestOneInput")
public func csvReaderFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var options = CSVReadOptions()
    if selector & 1 != 0 { options.delimiter = UInt8(ascii: ";") }
    if selector & 2 != 0 { options.decimalSeparator = UInt8(ascii: ",") }
    if selector & 4 != 0 { options.missingTokens.formUnion([".", "-999"]) }
    if selector & 8 != 0, let newline = bytes.firstIndex(where: { $0 == 10 || $0 == 13 || $0 == 44 }) {
        options.categoricalColumns.insert(String(decoding: bytes[..<newline], as: UTF8.self))
    }
    do {
        let table = try DataTable(csvBytes: bytes, source: "fuzz.csv", options: options)
        var checksum = 0
        for column in table.columns {
            switch column {
            case .numeric(let numeric): checksum &+= numeric.values.count
            case .categorical(let categorical): checksum &+= categorical.levels.count
            }
        }
        if checksum < 0 { print(checksum) }
    } catch {
        _ = error.description
    }
    return 0
}
