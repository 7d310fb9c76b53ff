/// The matrix interface, as MATLAB's `fitlmematrix(X, y, Z, G)`: the model is given by its
/// matrices instead of a formula and a table.
///
/// As MATLAB does, the matrices become a table with columns `x1…xp`, `y`, `z11…` and `g1…`
/// (or the names given) and the formula `y ~ -1 + x1 + … + (-1 + z11 + … | g1) + …`; X is
/// used as given (include a column of ones for an intercept).
extension LinearMixedModel {
    /// - Parameters:
    ///   - X: the fixed-effects matrix, one row per observation.
    ///   - y: the response.
    ///   - Z: per random-effects term, its model matrix (one row per observation).
    ///   - G: per term, the grouping labels (one per observation), or `nil` for a single group.
    ///   - covariancePatterns: per term (default `FullCholesky`).
    ///   - weights: prior weights.
    ///   - fixedEffectNames, randomEffectNames, groupNames, responseName: names (MATLAB's
    ///     `FixedEffectPredictors`, `RandomEffectPredictors`, `RandomEffectGroups`, `ResponseVarName`).
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` when the dimensions disagree.
    public init(X: [[Double]], y: [Double], Z: [[[Double]]], G: [[String]?],
                covariancePatterns: [CovariancePattern]? = nil, weights: [Double]? = nil,
                fixedEffectNames: [String]? = nil, randomEffectNames: [[String]]? = nil,
                groupNames: [String]? = nil, responseName: String = "y") throws(MixedModelError) {
        let n = y.count
        let p = X.first?.count ?? 0
        guard X.count == n else { throw .invalidArgument("X has \(X.count) rows but y has \(n) values") }
        if let row = X.firstIndex(where: { $0.count != p }) {
            throw .invalidArgument("X row \(row + 1) has \(X[row].count) values where row 1 has \(p)")
        }
        guard Z.count == G.count else { throw .invalidArgument("Z has \(Z.count) terms but G has \(G.count)") }
        if let patterns = covariancePatterns, patterns.count != Z.count {
            throw .invalidArgument("\(patterns.count) covariance patterns were given for \(Z.count) random-effects terms")
        }
        let xNames = fixedEffectNames ?? (0..<p).map { "x\($0 + 1)" }
        guard xNames.count == p else { throw .invalidArgument("\(xNames.count) fixed-effect names for \(p) columns of X") }
        let gNames = groupNames ?? (0..<Z.count).map { "g\($0 + 1)" }
        guard gNames.count == Z.count else { throw .invalidArgument("\(gNames.count) group names for \(Z.count) terms") }

        var names = [responseName] + xNames
        var columns: [Column] = [.numeric(NumericColumn(values: y))]
        for column in 0..<p { columns.append(.numeric(NumericColumn(values: X.map { $0[column] }))) }
        var randomParts: [String] = []
        for (k, matrix) in Z.enumerated() {
            guard matrix.count == n else { throw .invalidArgument("Z[\(k + 1)] has \(matrix.count) rows but y has \(n) values") }
            let width = matrix.first?.count ?? 0
            guard width > 0, matrix.allSatisfy({ $0.count == width }) else {
                throw .invalidArgument("Z[\(k + 1)] must have the same positive number of columns in every row")
            }
            let zNames = randomEffectNames?[safe: k] ?? (0..<width).map { "z\(k + 1)\($0 + 1)" }
            guard zNames.count == width else { throw .invalidArgument("\(zNames.count) names for the \(width) columns of Z[\(k + 1)]") }
            for column in 0..<width {
                names.append(zNames[column])
                columns.append(.numeric(NumericColumn(values: matrix.map { $0[column] })))
            }
            let labels = G[k] ?? [String](repeating: "1", count: n)
            guard labels.count == n else { throw .invalidArgument("G[\(k + 1)] has \(labels.count) labels but y has \(n) values") }
            let levels = Array(Set(labels)).sorted()
            let index = Dictionary(uniqueKeysWithValues: levels.enumerated().map { ($1, Int32($0)) })
            names.append(gNames[k])
            columns.append(.categorical(CategoricalColumn(codes: labels.map { index[$0] ?? 0 }, levels: levels)))
            randomParts.append("(0 + " + zNames.map(Self.quoted).joined(separator: " + ") + " | " + Self.quoted(gNames[k]) + ")")
        }
        if let weights {
            guard weights.count == n else { throw .invalidArgument("\(weights.count) weights for \(n) observations") }
            names.append("(weights)")
            columns.append(.numeric(NumericColumn(values: weights)))
        }
        let fixedPart = (["0"] + xNames.map(Self.quoted)).joined(separator: " + ")
        let formulaText = "\(Self.quoted(responseName)) ~ " + ([fixedPart] + randomParts).joined(separator: " + ")
        let table: DataTable
        do { table = try DataTable(columnNames: names, columns: columns, source: "matrices") } catch { throw .data(error) }
        var patterns: [String: CovariancePattern] = [:]
        for (k, pattern) in (covariancePatterns ?? []).enumerated() { patterns[gNames[k]] = pattern }
        let formula: Formula
        do { formula = try Formula(formulaText) } catch { throw .formula(error) }
        let design: ModelDesign
        do {
            design = try ModelDesign(formula: formula, data: table,
                                     options: ModelOptions(weightsColumn: weights == nil ? nil : "(weights)", covariancePatterns: patterns),
                                     checksGroupingFactors: false)
        } catch { throw .design(error) }
        try self.init(design: design)
    }

    private static func quoted(_ name: String) -> String {
        let plain = name.first.map { $0.isLetter || $0 == "." || $0 == "_" } == true
            && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }
        return plain ? name : "`\(name)`"
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
