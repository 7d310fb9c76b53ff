/// Errors in building a model's design (X, Z, response) from a formula and a table.
public enum DesignError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Formula variables that are not columns of the table.
    case unknownVariables([String], available: [String], source: String)
    /// The response is categorical.
    case categoricalResponse(String, example: String)
    /// A categorical column used where a number is needed (weights).
    case notNumeric(column: String, role: String)
    /// A column that holds numbers but also a text that is not one, used where numbers are needed
    /// (`role`: response or weights). The culprit is the first such text, with its row and line.
    case textInNumericColumn(column: String, role: String, culprit: NonNumericText, source: String)
    /// The weights column is not in the table.
    case unknownWeightsColumn(String, available: [String], source: String)
    /// Every prior weight on the complete rows is zero.
    case noPositiveWeights(column: String)
    /// Every row has a missing value in a variable the model uses.
    case noCompleteRows(variables: [String])
    /// An infinite value in the response or a numeric predictor (`row` is the 1-based data row).
    case nonFiniteValue(column: String, row: Int, value: Double)
    /// A prior weight that is negative or not finite (`line`: the source line of the row, if known).
    case invalidWeight(column: String, row: Int, value: Double, line: Int?)
    /// A grouping factor with at least as many levels as observations (lme4's check.nobs.vs.nlev).
    case tooManyLevels(group: String, levels: Int, observations: Int)
    /// A random-effects term with at least as many random effects as observations (lme4's check.nobs.vs.nRE).
    case tooManyRandomEffects(term: String, randomEffects: Int, observations: Int)
    /// A variable used in a term has a single value: the term cannot be estimated.
    case constantGrouping(group: String)
    /// The model matrix has no columns and there are no random effects.
    case emptyModel
    /// A level in new data that the fitted model has not seen, for a fixed-effects factor.
    case unseenLevel(column: String, level: String, known: [String])
    /// A covariance pattern names a group the formula does not have.
    case unknownGroup(String, available: [String])
    /// A covariance pattern that does not fit the term (e.g. CompSymm needs two or more columns).
    case invalidCovariancePattern(group: String, reason: String)
    /// Contrasts were given for a variable that is not a categorical predictor of the model
    /// (`isNumeric`: it is a numeric predictor; otherwise it is not a predictor at all).
    case contrastsForNonCategorical(variable: String, isNumeric: Bool, categorical: [String])
    /// A row to exclude is not a row of the table (`index` is 0-based, as ``ModelOptions/excludedRows``).
    case excludedRowOutOfRange(index: Int, rowCount: Int)
    /// Every row of the table was excluded or has a missing value.
    case allRowsExcluded(excluded: Int, rowCount: Int)
    /// A formula transform that cannot be computed: log of a non-positive value (with its data
    /// row), a poly degree too high for the data, scale() of a constant, ...
    case transform(expression: String, reason: String)

    public var description: String {
        switch self {
        case .unknownVariables(let names, let available, let source):
            return "these formula variables are not in \(source): \(names.joined(separator: ", ")); its columns are: \(available.joined(separator: ", "))"
        case .categoricalResponse(let name, let example):
            return "the response '\(name)' must be numeric, but it holds text such as '\(example)'"
        case .notNumeric(let column, let role):
            return "the \(role) column '\(column)' must be numeric"
        case .textInNumericColumn(let column, let role, let culprit, let source):
            return "the \(role) '\(column)' must be numeric, but \(source), \(culprit.place), column '\(column)' holds "
                + "'\(culprit.text)', which is not a number\(culprit.hint)"
        case .unknownWeightsColumn(let name, let available, let source):
            return "the weights column '\(name)' is not in \(source); its columns are: \(available.joined(separator: ", "))"
        case .noPositiveWeights(let column):
            return "every weight in column '\(column)' is zero: there is nothing to fit (weights must be ≥ 0, and some must be positive)"
        case .noCompleteRows(let variables):
            return "no row has values for all of the model's variables (\(variables.joined(separator: ", ")))"
        case .nonFiniteValue(let column, let row, let value):
            return "column '\(column)' has \(value) in data row \(row): the model needs finite values (use NaN for a missing value)"
        case .invalidWeight(let column, let row, let value, let line):
            let place = line.map { "line \($0) (data row \(row))" } ?? "data row \(row)"
            return "weights must be zero or positive and finite (a zero weight excludes the row), but column '\(column)' has \(value) on \(place)"
        case .tooManyLevels(let group, let levels, let observations):
            return "the grouping factor '\(group)' has \(levels) levels for \(observations) observations: it must have fewer levels than observations (as lme4 requires)"
        case .tooManyRandomEffects(let term, let count, let observations):
            return "the random-effects term \(term) has \(count) random effects for \(observations) observations: there must be fewer random effects than observations, or the variance parameters are unidentifiable (as lme4 requires)"
        case .constantGrouping(let group):
            return "the grouping factor '\(group)' has a single level: a random effect needs at least two"
        case .emptyModel:
            return "the model has no fixed effects and no random effects"
        case .unseenLevel(let column, let level, let known):
            return "column '\(column)' has the level '\(level)', which the fitted model has not seen; known levels: \(known.joined(separator: ", "))"
        case .unknownGroup(let name, let available):
            return "no random-effects term is grouped by '\(name)'; the groups are: \(available.joined(separator: ", "))"
        case .invalidCovariancePattern(let group, let reason):
            return "the covariance pattern for '\(group)' does not fit: \(reason)"
        case .contrastsForNonCategorical(let variable, let isNumeric, let categorical):
            let known = categorical.isEmpty ? "the model has no categorical predictors"
                : "the model's categorical predictors are: \(categorical.joined(separator: ", "))"
            let problem = isNumeric ? "'\(variable)' is numeric (treat it as categorical to code it by contrasts)"
                : "'\(variable)' is not a predictor of the model"
            return "contrasts apply to categorical predictors, but \(problem); \(known)"
        case .excludedRowOutOfRange(let index, let rowCount):
            return "cannot exclude data row \(index + 1) (row index \(index)): the table has \(rowCount) data rows"
        case .allRowsExcluded(let excluded, let rowCount):
            return "no rows are left: \(excluded) of the table's \(rowCount) data rows are excluded and the others have missing values"
        case .transform(let expression, let reason):
            return "\(expression) cannot be computed: \(reason)"
        }
    }
}
