/// lmerTest's type II hypotheses (`get_contrasts_type2_unfolded`, Kuznetsova, Brockhoff &
/// Christensen 2017, §4).
extension ANOVAContrasts {
    /// For a term that no other term contains, all its coefficients are zero (the marginal
    /// hypothesis). For a term contained in others (same numeric variables, more factors:
    /// ``contains(_:_:numeric:)``), the columns of X are reordered as [the other columns, the
    /// term's, the containing terms'], and the term's hypothesis is its rows of Uᵀ from the
    /// Doolittle decomposition of the reordered XᵀX, put back in X's column order: the term
    /// adjusted for everything except the terms that contain it. Models with at most one term or
    /// one column use type I, as lmerTest.
    func typeII() -> [Term] {
        let x = design.fixedEffects
        let terms = modelTerms
        guard x.columnCount > 1, terms.count > 1 else { return typeI() }
        let numericNames = Set(design.predictors.compactMap { name, variable in
            if case .numeric = variable { return name } else { return nil }
        })
        let p = x.columnCount
        return terms.compactMap { range -> Term? in
            guard let term = range.term else { return nil }
            let containers = terms.filter { other in
                guard let candidate = other.term else { return false }
                return Self.contains(candidate, term, numeric: numericNames)
            }
            if containers.isEmpty {
                return Term(name: range.name, rows: range.columns.map { Self.unit($0, size: p) })
            }
            let tested = Array(range.columns) + containers.flatMap { Array($0.columns) }
            let testedSet = Set(tested)
            let order = (0..<p).filter { !testedSet.contains($0) } + tested
            var position = [Int](repeating: 0, count: p)
            for (index, column) in order.enumerated() { position[column] = index }
            let lower = Self.doolittleLower(crossProduct(of: x, order: order), size: p)
            // Row i of Uᵀ (i the new position of one of the term's columns) is column i of L.
            let rows = range.columns.map { column in
                (0..<p).map { original in lower[position[original] * p + position[column]] }
            }
            return Term(name: range.name, rows: rows)
        }
    }

    /// XᵀX with X's columns in `order`, row-major.
    private func crossProduct(of x: FixedEffectsMatrix, order: [Int]) -> [Double] {
        let p = order.count
        let n = x.rowCount
        var result = [Double](repeating: 0, count: p * p)
        for a in 0..<p {
            for b in 0...a {
                var sum = 0.0
                let first = order[a] * n
                let second = order[b] * n
                for row in 0..<n { sum += x.values[first + row] * x.values[second + row] }
                result[a * p + b] = sum
                result[b * p + a] = sum
            }
        }
        return result
    }
}
