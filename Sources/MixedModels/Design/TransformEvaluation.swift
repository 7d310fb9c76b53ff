import Foundation

/// Evaluates formula transforms on rows of a table.
///
/// On the fitting rows (`learning`), data-dependent transforms compute their constants and
/// append them; on new data they read them back in the same order. A missing value (NaN) gives
/// NaN; a value where a function is undefined (log of a non-positive value, sqrt of a negative
/// one) or an infinite result is an error naming the expression and the data row.
struct TransformEvaluator {
    let table: DataTable
    /// The table rows (0-based) to evaluate.
    let rows: [Int]

    /// How a message names the `index`-th evaluated row: its 1-based data row and the table.
    private func rowName(_ index: Int) -> String {
        "data row \(rows[index] + 1) of \(table.source)"
    }

    /// The values of a numeric expression on the rows.
    func values(of expression: TransformExpression, constants: inout [Double], cursor: inout Int,
                learning: Bool) throws(DesignError) -> [Double] {
        switch expression {
        case .column(let name):
            switch table.column(named: name) {
            case .numeric(let column)?:
                return rows.map { column.values[$0] }
            case .categorical?:
                throw .notNumeric(column: name, role: "transformed")
            case nil:
                throw .unknownVariables([name], available: table.columnNames, source: table.source)
            }
        case .constant(let value, _):
            return [Double](repeating: value, count: rows.count)
        case .negation(let operand):
            return try values(of: operand, constants: &constants, cursor: &cursor, learning: learning).map { -$0 }
        case .parenthesized(let operand), .asIs(let operand):
            return try values(of: operand, constants: &constants, cursor: &cursor, learning: learning)
        case .arithmetic(let op, let left, let right):
            let lhs = try values(of: left, constants: &constants, cursor: &cursor, learning: learning)
            let rhs = try values(of: right, constants: &constants, cursor: &cursor, learning: learning)
            var result = [Double](repeating: .nan, count: rows.count)
            for index in result.indices where !lhs[index].isNaN && !rhs[index].isNaN {
                let value: Double
                switch op {
                case .plus: value = lhs[index] + rhs[index]
                case .minus: value = lhs[index] - rhs[index]
                case .times: value = lhs[index] * rhs[index]
                case .divide: value = lhs[index] / rhs[index]
                case .power: value = Foundation.pow(lhs[index], rhs[index])
                }
                guard value.isFinite else {
                    throw .transform(expression: expression.description,
                                     reason: "it is \(value) in \(rowName(index)); the model needs finite values")
                }
                result[index] = value
            }
            return result
        case .function(let function, let operand):
            let inner = try values(of: operand, constants: &constants, cursor: &cursor, learning: learning)
            var result = [Double](repeating: .nan, count: rows.count)
            for index in result.indices where !inner[index].isNaN {
                if let problem = function.domainProblem(inner[index]) {
                    throw .transform(expression: expression.description, reason: "\(problem) in \(rowName(index))")
                }
                let value = function.apply(inner[index])
                guard value.isFinite else {
                    throw .transform(expression: expression.description,
                                     reason: "it is \(value) in \(rowName(index)); the model needs finite values")
                }
                result[index] = value
            }
            return result
        case .standardized(let operand, let dividesBySD):
            let inner = try values(of: operand, constants: &constants, cursor: &cursor, learning: learning)
            let center: Double
            let scale: Double
            if learning {
                let present = inner.filter { !$0.isNaN }
                let mean = present.reduce(0, +) / Double(max(present.count, 1))
                center = mean
                if dividesBySD {
                    let squares = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                    scale = (squares / Double(present.count - 1)).squareRoot()
                    guard present.count > 1, scale > 0, scale.isFinite else {
                        throw .transform(expression: expression.description,
                                         reason: "\(operand.description) does not vary on the model's rows, so it has no standard deviation to divide by")
                    }
                } else {
                    scale = 1
                }
                constants += [center, scale]
            } else {
                guard cursor + 2 <= constants.count else { return inner.map { _ in .nan } }
                center = constants[cursor]
                scale = constants[cursor + 1]
                cursor += 2
            }
            return inner.map { ($0 - center) / scale }
        }
    }

    /// A computed numeric variable (one column, or `poly`'s columns) on the rows.
    /// - Precondition: `definition` is not a `factor(...)` (the callers code those).
    func variable(_ definition: FormulaVariable, constants: inout [Double], learning: Bool) throws(DesignError) -> CodedVariable {
        var cursor = 0
        switch definition.kind {
        case .numeric(let expression):
            return .numeric(try values(of: expression, constants: &constants, cursor: &cursor, learning: learning))
        case .polynomial(let expression, let degree, let raw):
            let values = try polynomial(expression, degree: degree, raw: raw, name: definition.name,
                                        constants: &constants, cursor: &cursor, learning: learning)
            return .numericColumns(names: (1...degree).map { "\(definition.name)\($0)" }, values: values)
        case .factor(let column):
            return .numeric(try values(of: .column(column), constants: &constants, cursor: &cursor, learning: learning))
        }
    }

    /// The sum of the offsets on the rows (`nil` without offsets), learning or reading their
    /// constants under ``TransformConstants/offsetKey(_:)``.
    func offset(_ offsets: [TransformExpression], constants: inout TransformConstants,
                learning: Bool) throws(DesignError) -> [Double]? {
        guard !offsets.isEmpty else { return nil }
        var total = [Double](repeating: 0, count: rows.count)
        for (index, expression) in offsets.enumerated() {
            var learned = learning ? [] : (constants.values[TransformConstants.offsetKey(index)] ?? [])
            var cursor = 0
            let values = try values(of: expression, constants: &learned, cursor: &cursor, learning: learning)
            if learning && !learned.isEmpty { constants.values[TransformConstants.offsetKey(index)] = learned }
            for row in total.indices { total[row] += values[row] }
        }
        return total
    }

    /// The columns (row-major, `degree` per row) of `poly(x, degree)` or `poly(x, degree, raw = TRUE)`.
    ///
    /// Orthogonal polynomials follow R's `poly`: on the fitting rows, monic polynomials
    /// orthogonal over the rows, built by the three-term recurrence with R's coefficients
    /// `alpha` and `norm2` (`attr(, "coefs")`), each divided by its norm; on new data the same
    /// recurrence with the fitted coefficients (R's `predict.poly`).
    func polynomial(_ expression: TransformExpression, degree: Int, raw: Bool, name: String,
                    constants: inout [Double], cursor: inout Int, learning: Bool) throws(DesignError) -> [Double] {
        let x = try values(of: expression, constants: &constants, cursor: &cursor, learning: learning)
        let n = rows.count
        var result = [Double](repeating: .nan, count: n * degree)
        if raw {
            for row in 0..<n where !x[row].isNaN {
                var power = 1.0
                for column in 0..<degree {
                    power *= x[row]
                    result[row * degree + column] = power
                }
            }
            return result
        }
        var alpha: [Double]
        var norms: [Double]   // R's norm2: 1, ‖p₀‖², ‖p₁‖², ..., ‖p_degree‖²
        if learning {
            let distinct = Set(x.filter { !$0.isNaN }).count
            guard degree < distinct else {
                throw .transform(expression: name,
                                 reason: "the degree \(degree) must be less than the number of distinct values of \(expression.description) on the model's rows (\(distinct))")
            }
            let mean = x.reduce(0, +) / Double(n)
            alpha = []
            norms = [1, Double(n)]
            var previous = [Double](repeating: 0, count: n)
            var current = [Double](repeating: 1, count: n)
            for order in 0..<degree {
                var weighted = 0.0
                for row in 0..<n { weighted += (x[row] - mean) * current[row] * current[row] }
                let a = weighted / norms[order + 1] + mean
                alpha.append(a)
                let ratio = order == 0 ? 0 : norms[order + 1] / norms[order]
                var following = [Double](repeating: 0, count: n)
                for row in 0..<n { following[row] = (x[row] - a) * current[row] - ratio * previous[row] }
                norms.append(following.reduce(0) { $0 + $1 * $1 })
                previous = current
                current = following
            }
            constants += alpha + norms
        } else {
            guard cursor + 2 * degree + 2 <= constants.count else { return result }
            alpha = Array(constants[cursor..<(cursor + degree)])
            norms = Array(constants[(cursor + degree)..<(cursor + 2 * degree + 2)])
            cursor += 2 * degree + 2
        }
        for row in 0..<n where !x[row].isNaN {
            var previous = 1.0
            var current = x[row] - alpha[0]
            result[row * degree] = current / norms[2].squareRoot()
            if degree > 1 {
                for order in 1..<degree {
                    let following = (x[row] - alpha[order]) * current - (norms[order + 1] / norms[order]) * previous
                    previous = current
                    current = following
                    result[row * degree + order] = current / norms[order + 2].squareRoot()
                }
            }
        }
        return result
    }
}
