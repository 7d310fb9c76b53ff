// TEMPORARY: stand-ins until the inference helpers' files land (ANOVA, covariance parameters).
/// One covariance parameter.
public struct CovarianceParameterRow: Sendable, Equatable, Codable {
    public let group: String
    public let name1: String
    public let name2: String
    public let type: String
    public let estimate: Double
    public let lower: Double
    public let upper: Double
}

extension FittedModel {
    public func covarianceParameters(alpha: Double = 0.05) -> [CovarianceParameterRow] {
        var rows: [CovarianceParameterRow] = []
        for (k, term) in model.design.randomEffectsTerms.enumerated() {
            let s = term.columnCount
            let lambda = lambdas[k]
            var cov = [Double](repeating: 0, count: s * s)
            for a in 0..<s { for b in 0..<s { var sum = 0.0; for m in 0..<s { sum += lambda[m * s + a] * lambda[m * s + b] }; cov[b * s + a] = sigma * sigma * sum } }
            let diagonalOnly = term.covariancePattern == .diagonal || term.covariancePattern == .isotropic
            for column in 0..<s {
                for row in column..<s where row == column || !diagonalOnly {
                    if row == column {
                        rows.append(.init(group: term.groupName, name1: term.columnNames[row], name2: term.columnNames[row], type: "std", estimate: cov[column * s + row].squareRoot(), lower: .nan, upper: .nan))
                    } else {
                        let corr = cov[column * s + row] / (cov[row * s + row] * cov[column * s + column]).squareRoot()
                        rows.append(.init(group: term.groupName, name1: term.columnNames[row], name2: term.columnNames[column], type: "corr", estimate: corr, lower: .nan, upper: .nan))
                    }
                }
            }
        }
        rows.append(.init(group: "Error", name1: "Res Std", name2: "", type: "std", estimate: sigma, lower: .nan, upper: .nan))
        return rows
    }
}
