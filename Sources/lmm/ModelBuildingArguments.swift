import ArgumentParser
import Foundation
import MixedModels

/// `--contrasts COL=CODING`: per-variable contrasts.
enum ContrastsArgument {
    static func parse(_ specifications: [String]) throws -> [String: ContrastCoding] {
        var result: [String: ContrastCoding] = [:]
        for specification in specifications {
            guard let equals = specification.lastIndex(of: "="), equals != specification.startIndex else {
                throw ValidationError("--contrasts expects COL=CODING (e.g. Type=sum) but got '\(specification)'")
            }
            let column = String(specification[..<equals])
            let name = specification[specification.index(after: equals)...].lowercased()
            guard let coding = ContrastCoding(rawValue: name) else {
                let known = ContrastCoding.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown contrasts '\(name)' for '\(column)' in --contrasts; use one of: \(known)")
            }
            if let previous = result[column], previous != coding {
                throw ValidationError("--contrasts gives '\(column)' two codings: \(previous.rawValue) and \(coding.rawValue)")
            }
            result[column] = coding
        }
        return result
    }
}

/// `--exclude ROWS`: 1-based data row numbers and ranges (`3,17,40-45`), as MATLAB's `'Exclude'`;
/// returned as the library's 0-based row indices.
enum ExcludeArgument {
    static func parse(_ lists: [String], rowCount: Int?) throws -> Set<Int> {
        var rows = Set<Int>()
        for list in lists {
            for item in list.split(separator: ",", omittingEmptySubsequences: false) {
                let text = item.trimmingCharacters(in: .whitespaces)
                let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
                guard !text.isEmpty, bounds.count <= 2,
                      let first = Int(bounds[0]), let last = Int(bounds[bounds.count - 1]) else {
                    throw ValidationError("--exclude expects 1-based row numbers and ranges such as 3,17,40-45, but '\(text)' in '\(list)' is not one")
                }
                guard first >= 1 else {
                    throw ValidationError("--exclude: row numbers start at 1 (the first data row), but '\(text)' in '\(list)' does not")
                }
                guard first <= last else {
                    throw ValidationError("--exclude: the range '\(text)' in '\(list)' is empty; write the smaller row number first")
                }
                if let rowCount, last > rowCount {
                    throw ValidationError("--exclude: data row \(last) ('\(text)' in '\(list)') does not exist: the data have \(rowCount) rows")
                }
                rows.formUnion((first - 1)...(last - 1))
            }
        }
        return rows
    }
}
