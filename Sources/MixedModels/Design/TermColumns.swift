/// Builds the model-matrix columns of one term (an interaction of variables).
///
/// A numeric variable gives one column; a categorical one gives its contrast columns or, where
/// R's marginality rule asks for it, one indicator per level. Columns of an interaction are all
/// products of its variables' columns, the first variable varying fastest (as R's
/// `model.matrix`). Names follow MATLAB: `Days`, `recipe_B`, `recipe_B:temperature_175`.
struct TermColumns {
    /// Column names.
    var names: [String]
    /// Values, row-major: `rowCount` rows of `names.count` values.
    var values: [Double]

    var columnCount: Int { names.count }

    /// Columns of the intercept term.
    static func intercept(rowCount: Int) -> TermColumns {
        TermColumns(names: ["(Intercept)"], values: [Double](repeating: 1, count: rowCount))
    }

    /// Columns of `term`.
    /// - Parameters:
    ///   - fullIndicators: the term's categorical variables coded with one indicator per level.
    ///   - coding: the contrasts of the other categorical variables.
    static func build(term: FormulaTerm, variables: [String: CodedVariable], rowCount: Int,
                      coding: CategoricalCoding, fullIndicators: Set<String>) -> TermColumns {
        var result = TermColumns(names: [""], values: [Double](repeating: 1, count: rowCount))
        for name in term.variables {
            guard let variable = variables[name] else { continue }
            let factor = single(name: name, variable: variable, rowCount: rowCount, coding: coding,
                                fullIndicators: fullIndicators.contains(name))
            result = result.interacting(with: factor, rowCount: rowCount)
        }
        return result
    }

    /// The columns of one variable on its own.
    static func single(name: String, variable: CodedVariable, rowCount: Int, coding: CategoricalCoding,
                       fullIndicators: Bool) -> TermColumns {
        switch variable {
        case .numeric(let values):
            return TermColumns(names: [name], values: values)
        case .numericColumns(let names, let values):
            return TermColumns(names: names, values: values)
        case .categorical(let codes, let levels):
            let contrasts = coding.contrasts(variable: name, levels: levels, fullIndicators: fullIndicators)
            let width = contrasts.columnCount
            var values = [Double](repeating: 0, count: rowCount * width)
            for row in 0..<rowCount {
                let code = Int(codes[row])
                guard code >= 0, code < levels.count else { continue }
                for column in 0..<width {
                    values[row * width + column] = contrasts.values[code * width + column]
                }
            }
            return TermColumns(names: contrasts.names, values: values)
        }
    }

    /// All products of these columns with `other`'s, this term's columns varying fastest.
    func interacting(with other: TermColumns, rowCount: Int) -> TermColumns {
        // The unit column (a term's start) times other is other (1 × v is v, bit for bit).
        if names == [""], other.values.count == rowCount * other.columnCount, values.allSatisfy({ $0 == 1 }) {
            return other
        }
        let leftWidth = columnCount
        let rightWidth = other.columnCount
        var names: [String] = []
        names.reserveCapacity(leftWidth * rightWidth)
        for right in other.names {
            for left in self.names {
                names.append(left.isEmpty ? right : "\(left):\(right)")
            }
        }
        let width = leftWidth * rightWidth
        var values = [Double](repeating: 0, count: rowCount * width)
        for row in 0..<rowCount {
            for right in 0..<rightWidth {
                let rightValue = other.values[row * rightWidth + right]
                for left in 0..<leftWidth {
                    values[row * width + right * leftWidth + left] = self.values[row * leftWidth + left] * rightValue
                }
            }
        }
        return TermColumns(names: names, values: values)
    }

    /// R's marginality rule: a categorical variable in `term` is coded by contrasts when the term
    /// without it is also in the model (the empty term being the intercept), and by one indicator
    /// per level otherwise.
    static func fullIndicatorVariables(of term: FormulaTerm, modelTerms: [FormulaTerm], hasIntercept: Bool,
                                       variables: [String: CodedVariable]) -> Set<String> {
        var full = Set<String>()
        for name in term.variables {
            guard case .categorical? = variables[name] else { continue }
            let reduced = term.variables.filter { $0 != name }
            let marginPresent = reduced.isEmpty ? hasIntercept : modelTerms.contains(FormulaTerm(reduced))
            if !marginPresent { full.insert(name) }
        }
        return full
    }
}
