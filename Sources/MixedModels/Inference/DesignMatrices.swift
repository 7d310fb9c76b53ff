/// Which design matrix to extract (MATLAB's `designMatrix(lme, 'Fixed' | 'Random')`).
public enum DesignMatrixType: String, Sendable, Codable, CaseIterable {
    /// X, n × p.
    case fixed
    /// Z (or the columns of selected grouping terms), n × Σ ℓ_k s_k.
    case random
}

/// A dense design matrix with named columns (a value; row-major).
public struct DesignMatrix: Sendable, Equatable, Codable {
    /// The number of rows (observations).
    public let rowCount: Int
    /// The number of columns.
    public let columnCount: Int
    /// Column names: X's coefficient names, or `group level name` triples joined as
    /// `Subject:308:(Intercept)` for Z.
    public let columnNames: [String]
    /// The values, row-major.
    public let values: [Double]

    /// Entry (row, column).
    public subscript(row: Int, column: Int) -> Double { values[row * columnCount + column] }
}

extension FittedModel {
    /// A dense design matrix, as MATLAB's `designMatrix`.
    ///
    /// - `.fixed`: X with the kept columns (`terms` is ignored).
    /// - `.random`: the columns of Z for the random-effects terms at `terms` (indices into
    ///   ``ModelDesign/randomEffectsTerms``; `nil` for all), ordered as ``randomEffects(alpha:dfMethod:)``
    ///   lists the random effects: term by term, level by level, then the term's columns.
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for a term index out of range.
    public func designMatrix(_ type: DesignMatrixType = .fixed, terms: [Int]? = nil) throws(MixedModelError) -> DesignMatrix {
        let design = model.design
        let n = design.observationCount
        switch type {
        case .fixed:
            let fixed = design.fixedEffects
            let p = fixed.columnCount
            var values = [Double](repeating: 0, count: n * p)
            for row in 0..<n {
                for column in 0..<p { values[row * p + column] = fixed[row, column] }
            }
            return DesignMatrix(rowCount: n, columnCount: p, columnNames: fixed.columnNames, values: values)
        case .random:
            let all = design.randomEffectsTerms
            let selected = terms ?? Array(all.indices)
            if let bad = selected.first(where: { !all.indices.contains($0) }) {
                throw .invalidArgument("random-effects term \(bad) does not exist; the model has \(all.count) terms (0-based)")
            }
            var names: [String] = []
            var offsets: [Int] = []
            for k in selected {
                offsets.append(names.count)
                let term = all[k]
                for level in term.levels {
                    for name in term.columnNames { names.append("\(term.groupName):\(level):\(name)") }
                }
            }
            let width = names.count
            var values = [Double](repeating: 0, count: n * width)
            for (position, k) in selected.enumerated() {
                let term = all[k]
                let s = term.columnCount
                for row in 0..<n {
                    let base = offsets[position] + Int(term.levelIndices[row]) * s
                    for column in 0..<s { values[row * width + base + column] = term.z[row * s + column] }
                }
            }
            return DesignMatrix(rowCount: n, columnCount: width, columnNames: names, values: values)
        }
    }
}
