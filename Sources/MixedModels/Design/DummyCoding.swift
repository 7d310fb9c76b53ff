/// How a categorical predictor becomes columns of a model matrix (MATLAB's `'DummyVarCoding'`).
public enum DummyCoding: String, Sendable, CaseIterable, Codable {
    /// One column per level except the first, which is the baseline (R's `contr.treatment`,
    /// MATLAB's `'reference'`). The default.
    case reference
    /// One column per level except the last; the last level is coded -1 in every column, so the
    /// effects sum to zero (R's `contr.sum`, MATLAB's `'effects'`).
    case effects
    /// One column per level (MATLAB's `'full'`).
    case full

    /// The contrast matrix for `levelCount` levels, row-major (`levelCount` rows) and the
    /// indices of the levels that name its columns.
    func contrasts(levelCount: Int) -> (matrix: [Double], columnCount: Int, columnLevels: [Int]) {
        switch self {
        case .full:
            return (Self.identity(levelCount), levelCount, Array(0..<levelCount))
        case .reference:
            let columns = max(levelCount - 1, 0)
            var matrix = [Double](repeating: 0, count: levelCount * columns)
            for level in 1..<max(levelCount, 1) { matrix[level * columns + level - 1] = 1 }
            return (matrix, columns, Array(1..<max(levelCount, 1)))
        case .effects:
            let columns = max(levelCount - 1, 0)
            var matrix = [Double](repeating: 0, count: levelCount * columns)
            for level in 0..<columns { matrix[level * columns + level] = 1 }
            if columns > 0 {
                for column in 0..<columns { matrix[(levelCount - 1) * columns + column] = -1 }
            }
            return (matrix, columns, Array(0..<columns))
        }
    }

    private static func identity(_ size: Int) -> [Double] {
        var matrix = [Double](repeating: 0, count: size * size)
        for index in 0..<size { matrix[index * size + index] = 1 }
        return matrix
    }
}
