import Foundation

/// The hypothesis matrices L (one per fixed-effects term) behind the F tests of ``FittedModel/anova(type:dfMethod:)``,
/// built as lmerTest 3.1 builds them (Kuznetsova, Brockhoff & Christensen 2017, §4; the
/// functions `get_contrasts_type1`, `get_contrasts_type3`, `get_contrasts_marginal`).
struct ANOVAContrasts {
    /// A term's name and the rows of its hypothesis Lβ = 0 (each of length p).
    struct Term {
        let name: String
        let rows: [[Double]]
    }

    let design: ModelDesign

    /// The fixed-effects terms other than the intercept that kept at least one column.
    var modelTerms: [FixedEffectsMatrix.TermColumnRange] {
        design.fixedEffects.terms.filter { $0.term != nil }
    }

    func contrasts(for type: ANOVAType) -> [Term] {
        switch type {
        case .typeI: return typeI()
        case .typeIII: return typeIII()
        case .typeII: return typeII()
        case .marginal: return marginal()
        }
    }

    // MARK: - Marginal (MATLAB's anova)

    /// All coefficients of each term (the intercept included) equal zero.
    func marginal() -> [Term] {
        let p = design.fixedEffects.columnCount
        return design.fixedEffects.terms.map { range in
            Term(name: range.name, rows: range.columns.map { Self.unit($0, size: p) })
        }
    }

    // MARK: - Type I (sequential)

    /// Rows of Uᵀ from the Doolittle LDU decomposition of XᵀX (lmerTest's `get_contrasts_type1`):
    /// the hypothesis of each term adjusted for the terms before it.
    func typeI() -> [Term] {
        let x = design.fixedEffects
        let p = x.columnCount
        guard p > 0, !(p == 1 && design.formula.hasIntercept) else { return [] }
        var lower = [Double](repeating: 0, count: p * p)
        if p == 1 {
            lower[0] = 1
        } else {
            var crossProduct = [Double](repeating: 0, count: p * p)
            for a in 0..<p {
                for b in 0...a {
                    var sum = 0.0
                    for row in 0..<x.rowCount { sum += x.values[a * x.rowCount + row] * x.values[b * x.rowCount + row] }
                    crossProduct[a * p + b] = sum
                    crossProduct[b * p + a] = sum
                }
            }
            lower = Self.doolittleLower(crossProduct, size: p)
        }
        // Row i of t(L) is column i of the unit lower-triangular L.
        return modelTerms.map { range in
            Term(name: range.name, rows: range.columns.map { i in (0..<p).map { j in lower[j * p + i] } })
        }
    }

    /// The unit lower-triangular factor of the Doolittle decomposition x = L U, with lmerTest's
    /// thresholds (entries below 1e-6 in absolute value set to 0; a pivot below 1e-6 zeroes
    /// its column). Row-major.
    static func doolittleLower(_ x: [Double], size n: Int, eps: Double = 1e-6) -> [Double] {
        var l = [Double](repeating: 0, count: n * n)
        var u = [Double](repeating: 0, count: n * n)
        for i in 0..<n { l[i * n + i] = 1 }
        for i in 0..<n {
            for j in 0..<n {
                var value = x[i * n + j]
                for k in 0..<i { value -= l[i * n + k] * u[k * n + j] }
                u[i * n + j] = value
            }
            for j in (i + 1)..<max(n, i + 1) {
                var value = x[j * n + i]
                for k in 0..<i { value -= l[j * n + k] * u[k * n + i] }
                l[j * n + i] = abs(u[i * n + i]) < eps ? 0 : value / u[i * n + i]
            }
        }
        return l.map { abs($0) < eps ? 0 : $0 }
    }

    // MARK: - Type III

    /// lmerTest's type III hypotheses (`get_contrasts_type3`): independent of the coding.
    ///
    /// With X in treatment (reference) coding and the over-parametrised cell design X̃ (an
    /// intercept and one indicator product per cell of every term), L₀ = (X⁺X̃)ᵀ expresses each
    /// column of X̃ in X's coefficients. Working from the highest-order terms down, the columns of
    /// L₀ belonging to a term are replaced by their residuals on the columns of the terms that
    /// contain it (same numeric variables, strictly more factors). The rows of L₀ of X̃'s columns
    /// that are also X's columns then give, per term, its hypothesis; rows that vanish are
    /// dropped. Other codings map the result through X_reference⁺ X. Models with at most one term
    /// or one column use type I, as lmerTest.
    func typeIII() -> [Term] {
        let x = design.fixedEffects
        let terms = modelTerms
        guard x.columnCount > 1, terms.count > 1 else { return typeI() }
        let n = x.rowCount
        let variables = design.predictors
        let treatment = design.options.categoricalCoding.isReference
            ? x
            : FixedEffectsMatrix(formula: design.formula, variables: variables, rowCount: n, coding: .reference)
        let pt = treatment.columnCount
        let treatmentColumns = (0..<pt).map { column in Array(treatment.values[(column * n)..<((column + 1) * n)]) }
        let basis = OrthonormalBasis(columns: treatmentColumns)
        guard basis.rank == pt else { return typeI() }

        // The cell design X̃ and, for each column of X (treatment), the matching column of X̃.
        var cellColumns: [[Double]] = []
        var cellIndex: [String: Int] = [:]
        if design.formula.hasIntercept {
            cellIndex["(Intercept)"] = 0
            cellColumns.append([Double](repeating: 1, count: n))
        }
        for term in design.formula.fixedTerms {
            let columns = TermColumns.build(term: term, variables: variables, rowCount: n, coding: .full, fullIndicators: [])
            for (position, name) in columns.names.enumerated() {
                cellIndex["\(term.description)\u{1}\(name)"] = cellColumns.count
                cellColumns.append((0..<n).map { columns.values[$0 * columns.columnCount + position] })
            }
        }
        var matching: [Int] = []
        for range in treatment.terms {
            for column in range.columns {
                let key = range.term == nil ? "(Intercept)" : "\(range.name)\u{1}\(treatment.columnNames[column])"
                guard let index = cellIndex[key] else { return typeI() }
                matching.append(index)
            }
        }

        // L₀: one row per cell column, one column per column of X (treatment).
        var l = Self.zapSmall(cellColumns.map { basis.coefficients($0) })
        let treatmentTerms = treatment.terms.filter { $0.term != nil }
        let numericNames = Set(variables.compactMap { name, variable in
            variable.isNumeric ? name : nil
        })
        let ordered = treatmentTerms.enumerated()
            .sorted { ($0.element.term?.order ?? 0, $1.offset) > ($1.element.term?.order ?? 0, $0.offset) }
            .map(\.element)
        for range in ordered {
            guard let term = range.term else { continue }
            let containers = treatmentTerms.filter { other in
                guard let candidate = other.term else { return false }
                return Self.contains(candidate, term, numeric: numericNames)
            }
            guard !containers.isEmpty else { continue }
            let regressors = containers.flatMap { container in container.columns.map { column in l.map { $0[column] } } }
            let projection = OrthonormalBasis(columns: regressors)
            var residuals = range.columns.map { column in projection.residual(l.map { $0[column] }) }
            residuals = Self.zapSmall(residuals)
            for (position, column) in range.columns.enumerated() {
                for row in l.indices { l[row][column] = residuals[position][row] }
            }
        }

        // The hypothesis of each term on the treatment coefficients.
        var result: [Term] = []
        let map: [[Double]]? = design.options.categoricalCoding.isReference ? nil : Self.zapSmall(
            (0..<x.columnCount).map { column in basis.coefficients(Array(x.values[(column * n)..<((column + 1) * n)])) })
        for range in treatmentTerms {
            var rows: [[Double]] = range.columns.map { j in matching.map { l[$0][j] } }
            rows = rows.filter { row in row.reduce(0) { $0 + abs($1) } > 1e-8 }
            if let map {
                // Lβ_reference with β_reference = X_reference⁺ X β: row · map (map[k] = coefficients of X column k).
                rows = rows.map { row in map.map { OrthonormalBasis.dot(row, $0) } }
            }
            if !rows.isEmpty { result.append(Term(name: range.name, rows: rows)) }
        }
        return result
    }

    /// Whether `outer` contains `inner` (lmerTest's `term_contain`): all of inner's variables are in
    /// outer, outer has more, and both have the same numeric variables.
    static func contains(_ outer: FormulaTerm, _ inner: FormulaTerm, numeric: Set<String>) -> Bool {
        let innerSet = Set(inner.variables)
        let outerSet = Set(outer.variables)
        return innerSet.isSubset(of: outerSet) && outerSet.count > innerSet.count
            && innerSet.intersection(numeric) == outerSet.intersection(numeric)
    }

    /// R's `zapsmall(x, digits = 7)` over a whole matrix: round to 7 significant digits of the
    /// largest absolute entry.
    static func zapSmall(_ matrix: [[Double]]) -> [[Double]] {
        let largest = matrix.reduce(0.0) { partial, row in row.reduce(partial) { max($0, abs($1)) } }
        guard largest > 0, largest.isFinite else { return matrix }
        let digits = max(0, 7 - Int(log10(largest).rounded(.up)))
        let scale = pow(10.0, Double(digits))
        return matrix.map { row in row.map { ($0 * scale).rounded() / scale } }
    }

    static func unit(_ index: Int, size: Int) -> [Double] {
        var vector = [Double](repeating: 0, count: size)
        vector[index] = 1
        return vector
    }
}
