import Foundation

/// A random-effects column far from zero relative to its spread (days + 10⁶ in
/// `(1 + Days | Subject)`) is centred inside the fit: z̃_j = z_j − c_j z₀, against the term's
/// intercept column z₀. The model is the same: b₀ + b₁(x − c) + c b₁ = b₀ + b₁x, so per level
/// b = T b̃ with T = I − Σ_j c_j e₀ e_jᵀ, and Σ = T Σ̃ Tᵀ. Unstructured terms (FullCholesky, Full)
/// with an intercept column only: under another pattern (a diagonal `||` term) the shifted model
/// is a different model, and the columns are left as they are.
///
/// Why: λᵀZᵀZλ with columns near 10⁶ loses about twelve digits, and the optimiser faces a
/// correlation of −1 + 10⁻¹²; in the centred coordinates the problem is the ordinary one. Every
/// reported number is mapped back (``FittedModel/theta``, ``FittedModel/lambdas``,
/// ``FittedModel/randomEffectsModes``, the covariance parameters, conditional variances),
/// and new data get the same constants.
///
/// The threshold keeps ordinary designs exactly as they were: a column is centred when
/// mean² > ``threshold`` × variance (its mean more than 10 standard deviations from zero).
enum RandomEffectsCentring {
    /// Columns with mean² above this multiple of their variance are centred.
    static let threshold = 1e2

    /// The centres c_j of the columns of `z` (row-major, `columnCount` per row), or empty when
    /// none is centred: only for an unstructured term whose column 0 is an intercept (all ones).
    /// - Complexity: O(n s), once per term.
    static func centres(z: [Double], columnCount s: Int, columnNames: [String], pattern: CovariancePattern) -> [Double] {
        guard pattern == .fullCholesky || pattern == .full, s >= 2, columnNames.first == "(Intercept)" else { return [] }
        let n = z.count / s
        guard n > 1 else { return [] }
        var centres = [Double](repeating: 0, count: s)
        var any = false
        z.withUnsafeBufferPointer { z in
            for row in 0..<n where z[row * s] != 1 { return }
            for column in 1..<s {
                var sum = 0.0
                for row in 0..<n { sum += z[row * s + column] }
                let mean = sum / Double(n)
                var squares = 0.0
                for row in 0..<n {
                    let deviation = z[row * s + column] - mean
                    squares += deviation * deviation
                }
                let variance = squares / Double(n)
                if mean.isFinite && variance.isFinite && variance > 0 && mean * mean > threshold * variance {
                    centres[column] = mean
                    any = true
                }
            }
        }
        return any ? centres : []
    }

    /// A term's centres and the model matrix the fit uses (``centres(z:columnCount:columnNames:pattern:)``
    /// then ``centred(_:columnCount:centres:)``).
    static func working(z: [Double], columnNames: [String], pattern: CovariancePattern) -> (centres: [Double], z: [Double]) {
        let centres = centres(z: z, columnCount: columnNames.count, columnNames: columnNames, pattern: pattern)
        return (centres, centred(z, columnCount: columnNames.count, centres: centres))
    }

    /// z̃ = z T: each centred column minus its centre times the intercept column.
    static func centred(_ z: [Double], columnCount s: Int, centres: [Double]) -> [Double] {
        guard !centres.isEmpty, s > 0 else { return z }
        var result = z
        for row in 0..<(z.count / s) {
            let intercept = z[row * s]
            for column in 1..<s where centres[column] != 0 { result[row * s + column] -= centres[column] * intercept }
        }
        return result
    }

    /// b = T b̃ for every level (s values per level).
    static func userModes(_ modes: [Double], size s: Int, centres: [Double]) -> [Double] {
        guard !centres.isEmpty, s > 0 else { return modes }
        var result = modes
        for level in 0..<(modes.count / s) {
            var value = modes[level * s]
            for column in 1..<s { value -= centres[column] * modes[level * s + column] }
            result[level * s] = value
        }
        return result
    }

    /// T V Tᵀ for a symmetric s × s matrix V (either storage order).
    static func userCovariance(_ v: [Double], size s: Int, centres: [Double]) -> [Double] {
        guard !centres.isEmpty, s > 0 else { return v }
        // Row 0 of T V, then column 0 of (T V) Tᵀ.
        var result = v
        for column in 0..<s {
            var value = v[column]
            for inner in 1..<s { value -= centres[inner] * v[inner * s + column] }
            result[column] = value
            result[column * s] = value
        }
        var corner = result[0]
        for inner in 1..<s { corner -= centres[inner] * result[inner] }
        result[0] = corner
        return result
    }

    /// The user's λ (column-major lower triangular, non-negative diagonal) with λλᵀ = Mλ̃λ̃ᵀMᵀ
    /// for M = T (`inverse`: M = T⁻¹, from the user's λ to the fit's), and the orthogonal
    /// `rotation` R (row-major) with u = R ũ, so that λu = M λ̃ ũ.
    ///
    /// From the QR factorisation (Householder) of (Mλ̃)ᵀ = QR: Mλ̃ = RᵀQᵀ, λ = RᵀD with D the signs
    /// of R's diagonal, R = DQᵀ. No product λλᵀ is formed, so no digits are lost to squaring.
    static func transformedLambda(_ lambda: [Double], size s: Int, centres: [Double],
                                  inverse: Bool = false) -> (lambda: [Double], rotation: [Double]) {
        var identity = [Double](repeating: 0, count: s * s)
        for index in 0..<s { identity[index * s + index] = 1 }
        guard !centres.isEmpty, s > 0 else { return (lambda, identity) }
        let sign: Double = inverse ? 1 : -1
        // a = (Mλ̃)ᵀ, row-major: a[i][j] = (Mλ̃)[j][i]; (Mλ̃) row 0 = λ̃ row 0 ± Σ c_k λ̃ row k.
        var a = [Double](repeating: 0, count: s * s)
        for row in 0..<s {
            for column in 0..<s { a[column * s + row] = lambda[column * s + row] }
        }
        for column in 0..<s {
            var value = lambda[column * s]
            for k in 1..<s { value += sign * centres[k] * lambda[column * s + k] }
            a[column * s] = value
        }
        // Householder QR of a, accumulating Qᵀ.
        var qt = identity
        for step in 0..<s {
            var norm = 0.0
            for row in step..<s { norm = hypot(norm, a[row * s + step]) }
            guard norm > 0 else { continue }
            let alpha = a[step * s + step] > 0 ? -norm : norm
            var v = [Double](repeating: 0, count: s)
            for row in step..<s { v[row] = a[row * s + step] }
            v[step] -= alpha
            var vv = 0.0
            for row in step..<s { vv += v[row] * v[row] }
            guard vv > 0 else { continue }
            for column in 0..<s {
                var dotA = 0.0, dotQ = 0.0
                for row in step..<s {
                    dotA += v[row] * a[row * s + column]
                    dotQ += v[row] * qt[row * s + column]
                }
                let factorA = 2 * dotA / vv, factorQ = 2 * dotQ / vv
                for row in step..<s {
                    a[row * s + column] -= factorA * v[row]
                    qt[row * s + column] -= factorQ * v[row]
                }
            }
            for row in (step + 1)..<s { a[row * s + step] = 0 }
        }
        var result = [Double](repeating: 0, count: s * s)
        var rotation = qt
        for row in 0..<s {
            let d: Double = a[row * s + row] < 0 ? -1 : 1
            // λ column `row` = d · (row `row` of R)ᵀ; rotation row `row` = d · row of Qᵀ.
            for column in row..<s { result[row * s + column] = d * a[row * s + column] }
            for column in 0..<s { rotation[row * s + column] = d * qt[row * s + column] }
        }
        return (result, rotation)
    }

    /// u = R ũ for every level (s values per level), R row-major.
    static func rotate(_ modes: [Double], size s: Int, rotation: [Double]) -> [Double] {
        guard s > 0 else { return modes }
        var result = modes
        for level in 0..<(modes.count / s) {
            for row in 0..<s {
                var value = 0.0
                for column in 0..<s { value += rotation[row * s + column] * modes[level * s + column] }
                result[level * s + row] = value
            }
        }
        return result
    }
}
