import Foundation

/// θ between the user's coordinates and the fit's, for terms whose columns the fit centres
/// (``RandomEffectsTerm/columnCentres``, ``RandomEffectsCentring``). For every other term the two
/// are the same numbers.
extension LinearMixedModel {
    /// Whether some random-effects term has centred columns.
    public var hasCentredTerms: Bool { design.randomEffectsTerms.contains(where: \.isCentred) }

    /// θ in the user's coordinates from θ in the fit's (``FittedModel/theta`` from
    /// ``FittedModel/workingTheta``).
    func userTheta(_ working: [Double]) -> [Double] { transformedTheta(working, inverse: false) }

    /// θ in the fit's coordinates from θ in the user's (a start given by the user, a saved θ).
    func workingTheta(fromUser user: [Double]) -> [Double] { transformedTheta(user, inverse: true) }

    /// Per term, λ in the user's coordinates from λ in the fit's.
    func userLambdas(_ working: [[Double]]) -> [[Double]] {
        guard hasCentredTerms else { return working }
        return zip(design.randomEffectsTerms, working).map { term, lambda in
            RandomEffectsCentring.transformedLambda(lambda, size: term.columnCount, centres: term.columnCentres).lambda
        }
    }

    /// A row k of coefficients of the random effects in the user's coordinates (q values, terms
    /// in design order, level by level) as coefficients of the fit's: k b = (k T) b̃.
    func workingRandomEffectsContrast(_ row: [Double]) -> [Double] {
        guard hasCentredTerms else { return row }
        var result = row
        var offset = 0
        for term in design.randomEffectsTerms {
            let s = term.columnCount
            defer { offset += term.randomEffectCount }
            guard term.isCentred, offset + term.randomEffectCount <= row.count else { continue }
            for level in 0..<term.levelCount {
                let base = offset + level * s
                for column in 1..<s { result[base + column] -= term.columnCentres[column] * row[base] }
            }
        }
        return result
    }

    private func transformedTheta(_ theta: [Double], inverse: Bool) -> [Double] {
        guard hasCentredTerms, theta.count == parameterCount else { return theta }
        var result = theta
        var offset = 0
        for (term, parametrization) in zip(design.randomEffectsTerms, parametrizations) {
            let count = parametrization.parameterCount
            defer { offset += count }
            guard term.isCentred, parametrization.pattern == .fullCholesky || parametrization.pattern == .full else { continue }
            let size = parametrization.size
            var lambda = [Double](repeating: 0, count: size * size)
            parametrization.fillLambda(theta[offset..<(offset + count)], into: &lambda)
            let mapped = RandomEffectsCentring.transformedLambda(lambda, size: size, centres: term.columnCentres,
                                                                 inverse: inverse).lambda
            // Full keeps log λ_jj on the diagonal (λ_jj > 0 there: the map keeps it positive).
            for (position, entry) in parametrization.lowerTrianglePositions.enumerated() {
                let value = mapped[entry.column * size + entry.row]
                result[offset + position] = parametrization.pattern == .full && entry.row == entry.column ? log(value) : value
            }
        }
        return result
    }
}
