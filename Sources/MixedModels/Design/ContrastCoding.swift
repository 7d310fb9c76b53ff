import Foundation

/// The contrasts of one categorical variable, named as R names them (lme4's `contrasts =
/// list(f = "contr.sum")`); set per variable in ``ModelOptions/contrasts``, overriding
/// ``ModelOptions/dummyCoding`` for that variable.
public enum ContrastCoding: String, Sendable, CaseIterable, Codable {
    /// R's `contr.treatment`: one column per level except the first, the baseline. Columns are
    /// named `f_B` as under the default ``DummyCoding/reference``.
    case treatment
    /// R's `contr.sum`: one column per level except the last, which is −1 in every column.
    /// Columns are named `f1`, `f2`, ... as lme4 names them.
    case sum
    /// R's `contr.helmert`: column j contrasts level j + 1 with the mean of the levels before it
    /// (−1 for those levels, j for level j + 1). Columns named `f1`, `f2`, ...
    case helmert
    /// R's `contr.poly`: orthonormal polynomials in the level positions 1, ..., k (the levels
    /// taken as equally spaced and in their order). Columns named `f.L`, `f.Q`, `f.C`, `f^4`, ...
    case polynomial = "poly"
    /// One indicator column per level (MATLAB's `'full'`), named `f_A`, `f_B`, ...
    case full

    /// The contrast matrix for these levels and the names of its columns for variable `name`.
    func contrasts(variable name: String, levels: [String]) -> ContrastMatrix {
        let count = levels.count
        switch self {
        case .treatment:
            let coded = DummyCoding.reference.contrasts(levelCount: count)
            return ContrastMatrix(values: coded.matrix, columnCount: coded.columnCount,
                                  names: coded.columnLevels.map { "\(name)_\(levels[$0])" })
        case .full:
            let coded = DummyCoding.full.contrasts(levelCount: count)
            return ContrastMatrix(values: coded.matrix, columnCount: coded.columnCount,
                                  names: coded.columnLevels.map { "\(name)_\(levels[$0])" })
        case .sum:
            let coded = DummyCoding.effects.contrasts(levelCount: count)
            return ContrastMatrix(values: coded.matrix, columnCount: coded.columnCount, names: Self.numbered(name, count - 1))
        case .helmert:
            return ContrastMatrix(values: Self.helmert(levelCount: count), columnCount: max(count - 1, 0),
                                  names: Self.numbered(name, count - 1))
        case .polynomial:
            return ContrastMatrix(values: Self.orthogonalPolynomials(levelCount: count), columnCount: max(count - 1, 0),
                                  names: Self.polynomialSuffixes(count - 1).map { name + $0 })
        }
    }

    private static func numbered(_ name: String, _ count: Int) -> [String] {
        count > 0 ? (1...count).map { "\(name)\($0)" } : []
    }

    /// R's `contr.helmert(k)`, row-major k × (k − 1).
    static func helmert(levelCount k: Int) -> [Double] {
        let columns = max(k - 1, 0)
        var matrix = [Double](repeating: 0, count: k * columns)
        for column in 0..<columns {
            for level in 0...column { matrix[level * columns + column] = -1 }
            matrix[(column + 1) * columns + column] = Double(column + 1)
        }
        return matrix
    }

    /// R's `contr.poly(k)`, row-major k × (k − 1): the powers 0, ..., k − 1 of the centred
    /// scores 1, ..., k, orthogonalised in turn (Gram–Schmidt, twice for accuracy), scaled to
    /// unit length, the constant column left out. Each column's leading power has a positive
    /// coefficient, as R's QR-based construction gives.
    static func orthogonalPolynomials(levelCount k: Int) -> [Double] {
        let columns = max(k - 1, 0)
        guard columns > 0 else { return [] }
        let mean = Double(k + 1) / 2
        let scores = (1...k).map { Double($0) - mean }
        var basis: [[Double]] = []
        for degree in 0..<k {
            var column = scores.map { pow($0, Double(degree)) }
            for _ in 0..<2 {
                for previous in basis {
                    let projection = zip(previous, column).reduce(0) { $0 + $1.0 * $1.1 }
                    for index in column.indices { column[index] -= projection * previous[index] }
                }
            }
            let norm = column.reduce(0) { $0 + $1 * $1 }.squareRoot()
            basis.append(column.map { $0 / norm })
        }
        var matrix = [Double](repeating: 0, count: k * columns)
        for column in 0..<columns {
            for level in 0..<k { matrix[level * columns + column] = basis[column + 1][level] }
        }
        return matrix
    }

    /// R's names of polynomial contrasts: `.L`, `.Q`, `.C`, then `^4`, `^5`, ...
    static func polynomialSuffixes(_ count: Int) -> [String] {
        guard count > 0 else { return [] }
        return (1...count).map { degree in
            switch degree {
            case 1: return ".L"
            case 2: return ".Q"
            case 3: return ".C"
            default: return "^\(degree)"
            }
        }
    }
}

/// A contrast matrix (one row per level, row-major) and the names of its columns.
struct ContrastMatrix {
    let values: [Double]
    let columnCount: Int
    let names: [String]
}

/// How every categorical variable of a model is coded: the model's ``DummyCoding`` with
/// per-variable ``ContrastCoding`` overrides.
struct CategoricalCoding: Sendable, Equatable {
    /// The coding of variables without an override.
    let global: DummyCoding
    /// Codings by variable name.
    let overrides: [String: ContrastCoding]

    init(global: DummyCoding, overrides: [String: ContrastCoding] = [:]) {
        self.global = global
        self.overrides = overrides
    }

    /// Every variable in treatment (reference) coding.
    static let reference = CategoricalCoding(global: .reference)
    /// Every variable with one indicator per level.
    static let full = CategoricalCoding(global: .full)

    /// Whether every variable is coded by treatment contrasts (R's and lme4's default).
    var isReference: Bool {
        global == .reference && overrides.values.allSatisfy { $0 == .treatment }
    }

    /// The contrasts of variable `name` with these levels; `fullIndicators` asks for one
    /// indicator per level (R's marginality rule).
    func contrasts(variable name: String, levels: [String], fullIndicators: Bool) -> ContrastMatrix {
        if fullIndicators { return ContrastCoding.full.contrasts(variable: name, levels: levels) }
        if let coding = overrides[name] { return coding.contrasts(variable: name, levels: levels) }
        let coded = global.contrasts(levelCount: levels.count)
        return ContrastMatrix(values: coded.matrix, columnCount: coded.columnCount,
                              names: coded.columnLevels.map { "\(name)_\(levels[$0])" })
    }
}

extension ModelOptions {
    /// The coding of the model's categorical variables.
    var categoricalCoding: CategoricalCoding {
        CategoricalCoding(global: dummyCoding, overrides: contrasts)
    }
}
