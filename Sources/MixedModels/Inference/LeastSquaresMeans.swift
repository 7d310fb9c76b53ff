import Foundation

/// Least-squares means of a factor and their pairwise differences (lmerTest's `ls_means`, with
/// `pairwise = TRUE`; the estimated marginal means of emmeans).
public struct LeastSquaresMeans: Sendable, Equatable, Codable {
    /// The factor whose levels are averaged (or the interaction term whose cells are), as the
    /// model names it.
    public let factor: String
    /// One row per level (``FixedEffectRow/name`` is the level), in level order.
    public let means: [FixedEffectRow]
    /// One row per pair of levels `A - B` (A before B in level order), when asked for.
    public let pairwise: [FixedEffectRow]
    /// How the degrees of freedom were found.
    public let dfMethod: DegreesOfFreedomMethod
    /// The confidence intervals are at level 1 − alpha.
    public let alpha: Double
}

extension FittedModel {
    /// The least-squares mean of each level of `factor` (lmerTest's `ls_means(m, which = factor)`):
    /// the fitted marginal mean at that level, averaged with equal weights over the combinations
    /// of the levels of the model's other factors, with numeric covariates at their means over
    /// the fitted rows. Each mean is lᵀβ̂ for the average l of the rows of the model matrix on that
    /// grid, with a t test and interval as for a coefficient; a mean that is not estimable (rank-
    /// deficient X: l not orthogonal to X's null space) has NaN values, as lmerTest's NA.
    /// - Parameters:
    ///   - factor: a categorical variable that is a fixed-effects term of its own, or an
    ///     interaction of categorical variables that is a term (`recipe:temperature`: the means of
    ///     its cells, named `A:175`, the first variable varying fastest, as lmerTest).
    ///   - pairwise: also the differences of every pair of levels (`A - B`).
    ///   - dfMethod: Satterthwaite (default, as lmerTest), Kenward–Roger, residual or none.
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` when `factor` is not a categorical
    ///   fixed-effects term, or Kenward–Roger is not available.
    public func leastSquaresMeans(of factor: String, pairwise: Bool = false,
                                  dfMethod: DegreesOfFreedomMethod = .satterthwaite,
                                  alpha: Double = 0.05) throws(MixedModelError) -> LeastSquaresMeans {
        let design = model.design
        guard alpha > 0, alpha < 1 else { throw .invalidArgument("least-squares means: alpha must be between 0 and 1") }
        let factorTerms = design.formula.fixedTerms.filter { term in
            term.variables.allSatisfy { if case .categorical? = design.predictors[$0] { return true } else { return false } }
        }
        let requested = FormulaTerm(factor.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) })
        guard let term = factorTerms.first(where: { $0 == requested }) else {
            let known = factorTerms.isEmpty ? "the model has none"
                : "they are: \(factorTerms.map(\.description).joined(separator: ", "))"
            throw .invalidArgument("least-squares means need a categorical fixed-effects term, and '\(factor)' is not one; \(known)")
        }
        let (levels, contrasts) = leastSquaresContrasts(term: term)
        var named = zip(levels, contrasts).map { (name: $0, row: $1) }
        if pairwise {
            var differences: [(name: String, row: [Double]?)] = []
            for first in levels.indices {
                for second in (first + 1)..<max(levels.count, first + 1) {
                    let row: [Double]? = contrasts[first].flatMap { a in contrasts[second].map { b in zip(a, b).map { $0 - $1 } } }
                    differences.append(("\(levels[first]) - \(levels[second])", row))
                }
            }
            named += differences
        }
        let rows = try contrastRows(named, dfMethod: dfMethod, alpha: alpha)
        return LeastSquaresMeans(factor: term.description, means: Array(rows.prefix(levels.count)),
                                 pairwise: Array(rows.dropFirst(levels.count)), dfMethod: dfMethod, alpha: alpha)
    }

    /// t rows for the contrasts (a `nil` contrast, not estimable, gives NaN), with the
    /// degrees-of-freedom approximation computed once.
    private func contrastRows(_ contrasts: [(name: String, row: [Double]?)], dfMethod: DegreesOfFreedomMethod,
                              alpha: Double) throws(MixedModelError) -> [FixedEffectRow] {
        let satterthwaite = dfMethod == .satterthwaite ? satterthwaiteApproximation() : nil
        let kenwardRoger = dfMethod == .kenwardRoger ? try kenwardRogerApproximation() : nil
        return contrasts.map { name, contrast in
            guard let l = contrast else {
                return FixedEffectRow(name: name, estimate: .nan, standardError: .nan, tStat: .nan, df: .nan,
                                      pValue: .nan, lower: .nan, upper: .nan)
            }
            let estimate = SatterthwaiteApproximation.dot(l, beta)
            var standardError = SatterthwaiteApproximation.quadraticForm(l, fixedEffectsCovariance).squareRoot()
            let df: Double
            if let kenwardRoger {
                standardError = kenwardRoger.standardError(contrast: l)
                df = kenwardRoger.degreesOfFreedom(contrast: l)
            } else if let satterthwaite {
                df = satterthwaite.degreesOfFreedom(contrast: l)
            } else {
                df = plainDegreesOfFreedom(dfMethod)
            }
            return Self.tRow(name: name, estimate: estimate, standardError: standardError, df: df, alpha: alpha)
        }
    }

    /// lmerTest's `lsmeans_contrasts`: per cell of `term` (a level of a factor, or a combination
    /// of levels, the first variable varying fastest), the average of the rows of the model
    /// matrix over the grid of all factor-level combinations (covariates at their means) in that
    /// cell; `nil` for a cell whose mean is not estimable.
    private func leastSquaresContrasts(term: FormulaTerm) -> (names: [String], contrasts: [[Double]?]) {
        let design = model.design
        let formula = design.formula
        let fixedVariables = Set(formula.fixedTerms.flatMap(\.variables))
        let names = design.predictors.keys.filter { fixedVariables.contains($0) }.sorted()
        // The grid: every combination of the factors' levels (the first factor varying fastest).
        var factors: [(name: String, levels: [String])] = []
        var means: [String: Double] = [:]
        var multiColumnMeans: [String: (names: [String], means: [Double])] = [:]
        for name in names {
            switch design.predictors[name] {
            case .categorical(_, let levels)?: factors.append((name, levels))
            case .numeric(let values)?: means[name] = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
            case .numericColumns(let columnNames, let values)?:
                // Several columns from one variable (poly): each column at its mean.
                let width = max(columnNames.count, 1)
                let rows = values.count / width
                var columnMeans = [Double](repeating: 0, count: columnNames.count)
                for row in 0..<rows {
                    for column in 0..<columnNames.count { columnMeans[column] += values[row * width + column] }
                }
                if rows > 0 { columnMeans = columnMeans.map { $0 / Double(rows) } }
                multiColumnMeans[name] = (columnNames, columnMeans)
            case nil: break
            }
        }
        let gridSize = factors.reduce(1) { $0 * max($1.levels.count, 1) }
        var grid: [String: CodedVariable] = [:]
        var gridCodes: [String: [Int32]] = [:]
        var stride = 1
        for entry in factors {
            let count = max(entry.levels.count, 1)
            let codes = (0..<gridSize).map { Int32(($0 / stride) % count) }
            grid[entry.name] = .categorical(codes: codes, levels: entry.levels)
            gridCodes[entry.name] = codes
            stride *= count
        }
        for (name, mean) in means { grid[name] = .numeric([Double](repeating: mean, count: gridSize)) }
        for (name, entry) in multiColumnMeans {
            let values = (0..<gridSize).flatMap { _ in entry.means }
            grid[name] = .numericColumns(names: entry.names, values: values)
        }

        // The cells of the term, the first variable varying fastest; each grid row's cell.
        let cellFactors = term.variables.compactMap { name in factors.first { $0.name == name } }
        var cellNames = [""]
        for (index, entry) in cellFactors.enumerated() {
            cellNames = entry.levels.flatMap { level in cellNames.map { index == 0 ? level : "\($0):\(level)" } }
        }
        var cellOfRow = [Int](repeating: 0, count: gridSize)
        var cellStride = 1
        for entry in cellFactors {
            let codes = gridCodes[entry.name] ?? []
            for row in 0..<gridSize { cellOfRow[row] += Int(codes[row]) * cellStride }
            cellStride *= max(entry.levels.count, 1)
        }

        let candidates = candidateFixedColumns(variables: grid, rowCount: gridSize)
        let kept = design.fixedEffects.columnNames
        let keptIndex = Dictionary(kept.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let estimability = EstimabilityCheck(fit: self)
        let contrasts = cellNames.indices.map { cell -> [Double]? in
            let rows = (0..<gridSize).filter { cellOfRow[$0] == cell }
            guard !rows.isEmpty else { return nil }
            var full = [Double](repeating: 0, count: candidates.names.count)
            for (column, values) in candidates.columns.enumerated() {
                full[column] = rows.reduce(0) { $0 + values[$1] } / Double(rows.count)
            }
            guard estimability.isEstimable(full, names: candidates.names) else { return nil }
            var l = [Double](repeating: 0, count: kept.count)
            for (column, name) in candidates.names.enumerated() {
                if let index = keptIndex[name] { l[index] = full[column] }
            }
            return l
        }
        return (cellNames, contrasts)
    }

    /// Every column the fixed-effects part builds on these rows before aliased columns are
    /// dropped, by name (column-major values).
    func candidateFixedColumns(variables: [String: CodedVariable], rowCount: Int) -> (names: [String], columns: [[Double]]) {
        model.design.candidateFixedColumns(variables: variables, rowCount: rowCount)
    }
}

/// Whether a contrast on all the candidate fixed-effects columns (before aliased ones were
/// dropped) is estimable: orthogonal to the null space of the full X (lmerTest's `is_estimable`).
/// Each dropped column is a combination c of the kept ones, giving the null vector (c, −1).
struct EstimabilityCheck {
    private let dropped: [(name: String, combination: [String: Double])]

    init(fit: FittedModel) {
        let design = fit.model.design
        guard !design.fixedEffects.droppedColumnNames.isEmpty else {
            dropped = []
            return
        }
        let candidates = fit.candidateFixedColumns(variables: design.predictors, rowCount: design.observationCount)
        let kept = design.fixedEffects.columnNames
        let keptColumns = kept.compactMap { name in candidates.names.firstIndex(of: name).map { candidates.columns[$0] } }
        let basis = OrthonormalBasis(columns: keptColumns)
        dropped = design.fixedEffects.droppedColumnNames.compactMap { name in
            guard let index = candidates.names.firstIndex(of: name) else { return nil }
            let coefficients = basis.coefficients(candidates.columns[index])
            var combination: [String: Double] = [:]
            for (position, column) in basis.keptColumns.enumerated() { combination[kept[column]] = coefficients[position] }
            return (name, combination)
        }
    }

    func isEstimable(_ l: [Double], names: [String]) -> Bool {
        guard !dropped.isEmpty else { return true }
        var value: [String: Double] = [:]
        for (index, name) in names.enumerated() { value[name] = l[index] }
        let scale = max(l.reduce(0) { max($0, abs($1)) }, 1)
        return dropped.allSatisfy { entry in
            let product = entry.combination.reduce(0) { $0 + $1.value * (value[$1.key] ?? 0) } - (value[entry.name] ?? 0)
            return abs(product) <= 1e-8 * scale
        }
    }
}
