import Foundation

/// The optimum of a fit, stored so that later queries start there instead of optimising again
/// (`lmm fit … --save FIT.json`, then `lmm ranef … --from FIT.json`): θ, the formula, the
/// estimation method, the design options, the optimiser's record and a fingerprint of the data
/// as the model uses them.
///
/// ``restore(model:method:)`` refuses a model whose formula, options or data differ, so a saved
/// optimum is never applied to a model it does not belong to; it then evaluates the profiled
/// deviance once at θ (``LinearMixedModel/fit(method:atTheta:converged:status:optimizer:)``) and
/// checks that the objective is the saved one.
public struct SavedFit: Sendable, Equatable, Codable {
    /// The value of ``format`` in every saved fit.
    public static let formatName = "lmm saved fit"
    /// The version of the layout this library writes and reads.
    public static let currentVersion = 1

    /// Always ``formatName``: identifies the file.
    public let format: String
    /// The layout version.
    public let version: Int
    /// The formula as written.
    public let formula: String
    /// ML or REML.
    public let method: EstimationMethod
    /// The coding of categorical predictors.
    public let dummyCoding: DummyCoding
    /// The prior-weights column, if any.
    public let weights: String?
    /// Covariance patterns by grouping factor (only those given; others are FullCholesky).
    public let covariancePatterns: [String: CovariancePattern]
    /// θ at the optimum, in the model's order, in the units of the data (``FittedModel/theta``).
    public let theta: [Double]
    /// θ in the fit's coordinates when some random-effects term has centred columns
    /// (``RandomEffectsTerm/columnCentres``; absent otherwise): restored from it exactly.
    public let workingTheta: [Double]?
    /// The optimised criterion at θ (−2 log L, or the REML criterion).
    public let objective: Double
    /// Whether the original optimisation converged.
    public let converged: Bool
    /// The original optimiser's return status.
    public let status: String
    /// The number of objective evaluations the original optimisation took.
    public let evaluations: Int
    /// The optimiser settings of the fit (inference that refits, such as profiles, uses them).
    public let optimizerSettings: OptimizerSettings
    /// n, the observations the model used.
    public let observationCount: Int
    /// Where the data came from when the fit was saved (for messages only).
    public let dataSource: String
    /// ``ModelDesign/fingerprint``: 16 hexadecimal digits.
    public let dataFingerprint: String

    /// The record of `fit`.
    public init(fit: FittedModel) {
        let design = fit.model.design
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.formula = design.formula.text
        self.method = fit.method
        self.dummyCoding = design.options.dummyCoding
        self.weights = design.options.weightsColumn
        self.covariancePatterns = design.options.covariancePatterns
        self.theta = fit.theta
        self.workingTheta = fit.model.hasCentredTerms ? fit.workingTheta : nil
        self.objective = fit.objective
        self.converged = fit.optimization.converged
        self.status = fit.optimization.status
        self.evaluations = fit.optimization.evaluations
        self.optimizerSettings = fit.optimizerSettings
        self.observationCount = fit.observationCount
        self.dataSource = design.sourceDescription
        self.dataFingerprint = design.fingerprint
    }

    /// The JSON text of the record (keys sorted, numbers in the shortest form that reads back
    /// to the same double).
    public func encoded() throws(SavedFitError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
        } catch {
            throw .unreadable("cannot encode the fit: \(error)")
        }
    }

    /// Reads a record written by ``encoded()``.
    /// - Throws: ``SavedFitError/unreadable(_:)`` when `data` is not a saved fit of this layout.
    public init(json data: Data) throws(SavedFitError) {
        let decoded: SavedFit
        do {
            decoded = try JSONDecoder().decode(SavedFit.self, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw .unreadable("it is not a saved fit (no '\(key.stringValue)' member); write one with lmm fit --save")
        } catch {
            throw .unreadable("it is not a saved fit written by lmm fit --save (\(Self.reason(error)))")
        }
        guard decoded.format == Self.formatName else {
            throw .unreadable("its 'format' is '\(decoded.format)', not '\(Self.formatName)'")
        }
        guard decoded.version == Self.currentVersion else {
            throw .unreadable("it has layout version \(decoded.version); this lmm reads version \(Self.currentVersion)")
        }
        self = decoded
    }

    private static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context): return context.debugDescription
        case DecodingError.typeMismatch(_, let context): return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.valueNotFound(_, let context): return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    /// Checks that `model` is the saved model on the same data, then evaluates it at the saved θ
    /// (one evaluation) and checks that the objective is the saved one.
    /// - Parameter method: the method asked for, `nil` to take the saved one.
    /// - Throws: ``SavedFitError`` naming what differs.
    public func restore(model: LinearMixedModel, method requested: EstimationMethod? = nil) throws(SavedFitError) -> FittedModel {
        try check(model: model, method: requested)
        let fit: FittedModel
        do {
            if let workingTheta, model.hasCentredTerms, workingTheta.count == model.parameterCount {
                fit = try model.fit(method: method, atWorkingTheta: workingTheta, converged: converged,
                                    status: status, optimizer: optimizerSettings)
            } else {
                fit = try model.fit(method: method, atTheta: theta, converged: converged,
                                    status: status, optimizer: optimizerSettings)
            }
        } catch {
            throw .fit(error)
        }
        let tolerance = 1e-8 * max(1, abs(objective))
        guard abs(fit.objective - objective) <= tolerance else {
            throw .objectiveDiffers(saved: objective, now: fit.objective)
        }
        return fit
    }

    /// The checks of ``restore(model:method:)`` without the evaluation.
    public func check(model: LinearMixedModel, method requested: EstimationMethod? = nil) throws(SavedFitError) {
        let design = model.design
        if let requested, requested != method {
            throw .modelDiffers("it was fitted by \(method.rawValue), but \(requested.rawValue) was asked for; drop --method or refit")
        }
        let saved: Formula
        do { saved = try Formula(formula) } catch { throw .unreadable("its formula '\(formula)' does not parse: \(error)") }
        let given = design.formula
        if saved.response != given.response || saved.hasIntercept != given.hasIntercept
            || saved.fixedTerms != given.fixedTerms || saved.randomTerms != given.randomTerms {
            throw .modelDiffers("it is a fit of '\(formula)', not of '\(given.text)'")
        }
        if dummyCoding != design.options.dummyCoding {
            throw .modelDiffers("it used --dummy-coding \(dummyCoding.rawValue), not \(design.options.dummyCoding.rawValue)")
        }
        if weights != design.options.weightsColumn {
            throw .modelDiffers("it used \(weights.map { "--weights \($0)" } ?? "no weights"), not \(design.options.weightsColumn.map { "--weights \($0)" } ?? "no weights")")
        }
        if covariancePatterns != design.options.covariancePatterns {
            let describe = { (patterns: [String: CovariancePattern]) -> String in
                patterns.isEmpty ? "none" : patterns.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: ", ")
            }
            throw .modelDiffers("it used the covariance patterns \(describe(covariancePatterns)), not \(describe(design.options.covariancePatterns))")
        }
        guard theta.count == model.parameterCount else {
            throw .modelDiffers("it has \(theta.count) covariance parameters, the model \(model.parameterCount)")
        }
        if observationCount != design.observationCount || dataFingerprint != design.fingerprint {
            throw .dataDiffer(savedSource: dataSource, savedObservations: observationCount,
                              source: design.sourceDescription, observations: design.observationCount)
        }
    }
}

/// Why a saved fit cannot be used.
public enum SavedFitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a saved fit this library reads.
    case unreadable(String)
    /// The formula, method or options differ from the saved model's.
    case modelDiffers(String)
    /// The data the model uses differ from those of the saved fit.
    case dataDiffer(savedSource: String, savedObservations: Int, source: String, observations: Int)
    /// The objective at the saved θ is not the saved one.
    case objectiveDiffers(saved: Double, now: Double)
    /// The evaluation at the saved θ failed.
    case fit(MixedModelError)

    public var description: String {
        switch self {
        case .unreadable(let reason): return reason
        case .modelDiffers(let reason): return "the saved fit is of another model: \(reason)"
        case .dataDiffer(let savedSource, let savedObservations, let source, let observations):
            return "the data differ from those of the saved fit (saved: \(savedObservations) observations of '\(savedSource)'; now: \(observations) observations of '\(source)', with different values, rows or levels); refit without --from"
        case .objectiveDiffers(let saved, let now):
            return "the objective at the saved θ is \(now), not the saved \(saved); the data or the program differ, refit without --from"
        case .fit(let error): return error.description
        }
    }
}

extension ModelDesign {
    /// A 64-bit FNV-1a hash (16 hexadecimal digits) of the data as the model uses them: the rows
    /// kept, y, the prior weights, X with its column names, and for each random-effects term
    /// its grouping factor, levels, column names, level of every row and Z values. Equal designs
    /// give equal fingerprints; any change of a used value, row or level changes it (up to hash
    /// collisions). O(n (p + Σ s)).
    public var fingerprint: String {
        var hash = FingerprintHasher()
        hash.combine(rowIndices.count)
        for index in rowIndices { hash.combine(index) }
        hash.combine(response)
        hash.combine(weights ?? [])
        hash.combine(weights == nil ? 0 : 1)
        hash.combine(fixedEffects.columnNames)
        hash.combine(fixedEffects.values)
        hash.combine(randomEffectsTerms.count)
        for term in randomEffectsTerms {
            hash.combine([term.groupName])
            hash.combine(term.levels)
            hash.combine(term.columnNames)
            hash.combine(term.levelIndices.count)
            for level in term.levelIndices { hash.combine(Int(level)) }
            hash.combine(term.z)
        }
        return String(hash.value, radix: 16).leftPadded(to: 16)
    }
}

/// FNV-1a over 64 bits.
private struct FingerprintHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func combine(_ integer: Int) {
        var bits = UInt64(bitPattern: Int64(integer))
        for _ in 0..<8 {
            combine(byte: UInt8(truncatingIfNeeded: bits))
            bits >>= 8
        }
    }

    mutating func combine(_ values: [Double]) {
        combine(values.count)
        for value in values { combine(Int(truncatingIfNeeded: Int64(bitPattern: value.bitPattern))) }
    }

    mutating func combine(_ strings: [String]) {
        combine(strings.count)
        for string in strings {
            combine(string.utf8.count)
            for byte in string.utf8 { combine(byte: byte) }
        }
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
