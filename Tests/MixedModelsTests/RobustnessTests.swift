import Foundation
import Testing
@testable import MixedModels

/// Randomised, deterministic robustness tests: thousands of generated odd or malformed CSV
/// tables, formulas, option values and data sets go through the library's public entry points.
/// A trap (index out of range, overflow, `Int(nan)`, ...) would crash the test process, so
/// running them is the main assertion; every thrown error must also explain itself.
///
/// Set `MIXEDMODELS_FUZZ_LOG=/path` to have each case written to `/path.<test>` before it runs (to
/// find the input behind a crash), `MIXEDMODELS_FUZZ_SCALE=k` to run k times as many cases and
/// `MIXEDMODELS_FUZZ_SEED=s` to draw other cases.
@Suite("robustness (randomised inputs)")
struct RobustnessTests {
    // MARK: - Support

    /// SplitMix64: a small deterministic generator, independent of the library's.
    struct Rng: RandomNumberGenerator {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &self) }
        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
        mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }
        mutating func pick<T>(_ values: [T]) -> T { values[int(0..<values.count)] }
    }

    static let scale = Int(ProcessInfo.processInfo.environment["MIXEDMODELS_FUZZ_SCALE"] ?? "") ?? 1
    static let seedOffset = UInt64(ProcessInfo.processInfo.environment["MIXEDMODELS_FUZZ_SEED"] ?? "") ?? 0
    static let logPath = ProcessInfo.processInfo.environment["MIXEDMODELS_FUZZ_LOG"]

    /// Records the case about to run (only when MIXEDMODELS_FUZZ_LOG is set).
    static func log(_ text: @autoclosure () -> String, function: String = #function) {
        guard let logPath else { return }
        try? text().write(toFile: logPath + "." + function.prefix { $0 != "(" }, atomically: false, encoding: .utf8)
    }

    /// Runs `body`; a thrown error must have a non-empty description.
    static func expectClearError(_ context: @autoclosure () -> String, _ body: () throws -> Void) {
        let started = Date()
        defer {
            if logPath != nil {
                let seconds = Date().timeIntervalSince(started)
                if seconds > 1 { print("FUZZSLOW \(String(format: "%.3f", seconds)) \(context().prefix(80))") }
            }
        }
        do {
            try body()
        } catch {
            let description = String(describing: error)
            if logPath != nil { print("FUZZERR \(description.prefix(60))") }
            #expect(!description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "empty error for \(context())")
        }
    }

    // MARK: - CSV bytes

    static let csvFragments: [[UInt8]] = [
        ",", ",", ",", ";", "\t", "\"", "\"\"", "\n", "\n", "\r\n", "\r", " ", "NA", "", "x", "y", "g", "1", "2",
        "3.5", "-0", "1e308", "1e309", "-1e-320", "NaN", "nan", "Inf", "-inf", "Infinity", ".", "e5", "1e", "+",
        "0x1p3", "12345678901234567890123", "0.00000000000000000000000000000001", "1_000", "é", "日本", "\u{1F600}",
        "a b", "\"a,b\"", "\"x\"\"y\"", "\"\n\"", "\"308\"", "#", "|",
    ].map { Array($0.utf8) } + [[0xEF, 0xBB, 0xBF], [0xFF, 0xFE], [0x00], [0xC3], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xED, 0xA0, 0x80], [0x80]]

    static func randomCSVBytes(_ rng: inout Rng) -> [UInt8] {
        var bytes: [UInt8] = []
        let pieces = rng.int(0...60)
        for _ in 0..<pieces {
            if rng.chance(0.1) {
                bytes.append(UInt8(truncatingIfNeeded: rng.next()))
            } else {
                bytes += rng.pick(csvFragments)
            }
        }
        return bytes
    }

    /// A plausible table with `columns` columns and `rows` rows of mixed values.
    static func randomTableText(_ rng: inout Rng, columns: Int, rows: Int, delimiter: String = ",") -> String {
        let names = (0..<columns).map { "c\($0)" }
        var lines = [names.joined(separator: delimiter)]
        let cells = ["1", "2", "2.5", "-3", "NA", "", "a", "b", "\"q\"", "1e300", "1e-300", "0", "\"1\"", "7"]
        for _ in 0..<rows {
            lines.append((0..<columns).map { _ in rng.pick(cells) }.joined(separator: delimiter))
        }
        return lines.joined(separator: rng.chance(0.5) ? "\n" : "\r\n")
    }

    static func mutate(_ bytes: [UInt8], _ rng: inout Rng) -> [UInt8] {
        var result = bytes
        for _ in 0..<rng.int(1...6) {
            switch rng.int(0..<5) {
            case 0 where !result.isEmpty:
                result.remove(at: rng.int(0..<result.count))
            case 1:
                result.insert(contentsOf: rng.pick(csvFragments), at: rng.int(0...result.count))
            case 2 where !result.isEmpty:
                result[rng.int(0..<result.count)] = UInt8(truncatingIfNeeded: rng.next())
            case 3 where !result.isEmpty:
                result.removeSubrange(rng.int(0..<result.count)..<result.count)
            default:
                let start = rng.int(0...result.count)
                result.insert(contentsOf: result[start..<min(result.count, start + rng.int(0...20))], at: rng.int(0...result.count))
            }
        }
        return result
    }

    static func randomReadOptions(_ rng: inout Rng, names: [String]) -> CSVReadOptions {
        var options = CSVReadOptions()
        if rng.chance(0.2) {
            options.delimiter = rng.pick([UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: " "),
                                          UInt8(ascii: "\""), 0, 0xFF, UInt8(ascii: "a"), UInt8(ascii: "\n"), UInt8(ascii: "1")])
        }
        let candidates = names + ["nope", "", "c0"]
        if rng.chance(0.3) { options.categoricalColumns = [rng.pick(candidates)] }
        if rng.chance(0.3) {
            let levels = (0..<rng.int(0...4)).map { _ in rng.pick(["1", "2", "a", "b", "NA", "", "2.5", "q", "1"]) }
            options.levelOrders = [rng.pick(candidates): levels]
        }
        if rng.chance(0.2) { options.missingTokens = Set((0..<rng.int(0...3)).map { _ in rng.pick(["NA", "", ".", "1", "\"", "-"]) }) }
        return options
    }

    @Test("random and mutated CSV bytes are read or rejected with a clear error")
    func csvBytes() {
        var rng = Rng(20_240_601 &+ Self.seedOffset)
        let seeds = [
            Array("Reaction,Days,Subject\n249.56,0,308\n258.7,1,308\n\"250\",2,\"309\"\n".utf8),
            Array("a;b;c\n1;2;3\n4;5;6\n".utf8),
            Array("x\ty\n1\t2\n".utf8),
        ]
        for iteration in 0..<(4000 * Self.scale) {
            var bytes: [UInt8]
            switch iteration % 3 {
            case 0: bytes = Self.randomCSVBytes(&rng)
            case 1: bytes = Self.mutate(rng.pick(seeds), &rng)
            default: bytes = Self.mutate(Array(Self.randomTableText(&rng, columns: rng.int(1...4), rows: rng.int(0...6)).utf8), &rng)
            }
            let options = Self.randomReadOptions(&rng, names: ["Reaction", "Days", "Subject", "a", "x", "c0", "c1"])
            Self.log("csvBytes \(iteration): \(bytes) options \(options)")
            Self.expectClearError("csv \(bytes)") {
                let table = try DataTable(csvBytes: bytes, source: "fuzz.csv", options: options)
                #expect(table.columns.allSatisfy { $0.count == table.rowCount })
                for column in table.columns {
                    if case .categorical(let categorical) = column {
                        #expect(categorical.codes.allSatisfy { $0 == CategoricalColumn.missingCode || (0..<Int32(categorical.levels.count)).contains($0) })
                    }
                }
                for name in table.columnNames where rng.chance(0.3) {
                    _ = try? table.makingCategorical(name)
                }
            }
        }
    }

    // MARK: - Formulas

    static let formulaTokens = [
        "y", "x", "x2", "f", "g", "h", "w", "0", "1", "2", "-1", "3", "0.5", "100000000000", "99999999999999999999",
        "+", "+", "-", "*", "/", ":", "^", "|", "||", "(", "(", ")", ")", "~", "~", " ", "`a b`", "`", "``", "log(x)",
        "é", "٣", "½", "..", ".x", "_", "1.2.3", "\u{0301}", "\t",
    ]

    static func randomFormula(_ rng: inout Rng) -> String {
        if rng.chance(0.5) {
            return (0..<rng.int(0...14)).map { _ in rng.pick(formulaTokens) }.joined(separator: rng.chance(0.5) ? " " : "")
        }
        var text = Array(rng.pick(validFormulas))
        for _ in 0..<rng.int(1...3) {
            let token = Array(rng.pick(formulaTokens))
            switch rng.int(0..<3) {
            case 0: text.insert(contentsOf: token, at: rng.int(0...text.count))
            case 1 where !text.isEmpty: text.remove(at: rng.int(0..<text.count))
            default:
                if !text.isEmpty {
                    let start = rng.int(0..<text.count)
                    text.replaceSubrange(start..<min(text.count, start + rng.int(1...3)), with: token)
                }
            }
        }
        return String(text)
    }

    static let validFormulas = [
        "y ~ 1 + x + (1 | g)", "y ~ x * f + (1 + x | g)", "y ~ 0 + f + (0 + f | g)", "y ~ (x + x2 + f)^3 + (1 | g/h)",
        "y ~ x + (1 | g:h) + (1 | h)", "y ~ -1 + x + (x || g)", "y ~ f/x + (1 | g) + (0 + x | g)",
        "y ~ 1 + (1 | g)", "y ~ x - 1 + (1|g)", "y ~ x:f + (1|g/g)", "y ~ g + (1|g)", "y ~ x + (1 + f | g)",
        "log(y) ~ poly(x, 2) + scale(x2):f + (1 + I(x^2) | g)", "y ~ x^2 + offset(x2) + factor(h) + (1 + sqrt(abs(x)) | g)",
    ]

    @Test("random and mutated formulas parse or fail with a positioned message")
    func formulas() {
        var rng = Rng(7 &+ Self.seedOffset)
        for iteration in 0..<(6000 * Self.scale) {
            let text = Self.randomFormula(&rng)
            Self.log("formula \(iteration): \(text)")
            do {
                let formula = try Formula(text)
                _ = formula.variables
                _ = formula.description
            } catch {
                #expect(!error.message.isEmpty)
                #expect(error.position >= 0)
                #expect(error.description.contains("^"))
            }
        }
    }

    // MARK: - Models on generated data

    /// A small random data set with a response, numeric predictors, factors, a grouping factor,
    /// a factor nested in it, weights and missing values, with odd values mixed in.
    static func randomModelTable(_ rng: inout Rng) throws -> DataTable {
        // Mostly ordinary data with one oddity at a time, so that most cases reach the fit.
        let n = rng.pick([1, 2, 3, 4, 6, 10, 20, 20, 40, 40])
        let groups = rng.chance(0.1) ? rng.int(1...max(1, min(n, 8))) : rng.int(min(2, n)...max(min(2, n), min(n / 2, 8)))
        let responseKind = rng.chance(0.6) ? 7 : rng.int(0..<8)
        let xKind = rng.chance(0.6) ? 7 : rng.int(0..<8)
        let weightKind = rng.chance(0.7) ? 6 : rng.int(0..<7)
        var y: [Double] = []
        var x: [Double] = []
        var x2: [Double] = []
        var f: [Int32] = []
        var g: [Int32] = []
        var h: [Int32] = []
        var w: [Double] = []
        for row in 0..<n {
            let group = row % groups
            let base = Double(group) + Double(rng.int(-100...100)) / 37
            switch responseKind {
            case 0: y.append(5)
            case 1: y.append(base * 1e300)
            case 2: y.append(base * 1e-300)
            case 3: y.append(rng.chance(0.5) ? .nan : base)
            case 4: y.append(.nan)
            case 5: y.append(base * 1e150)
            default: y.append(base)
            }
            let xValue: Double
            switch xKind {
            case 0: xValue = 0
            case 1: xValue = 3
            case 2: xValue = Double(group)
            case 3: xValue = rng.chance(0.3) ? .nan : Double(row)
            case 4: xValue = Double(row) * 1e305
            case 5: xValue = Double(row) * 0x1p-1030
            default: xValue = Double(rng.int(-50...50)) / 7
            }
            x.append(xValue)
            x2.append(rng.chance(0.5) ? 2 * xValue + 1 : Double(rng.int(0...3)))
            f.append(Int32(rng.int(0..<rng.pick([1, 2, 3]))))
            g.append(Int32(group))
            h.append(Int32(rng.int(0..<2)))
            let weight: Double
            switch weightKind == 6 ? 6 : rng.int(0..<7) {
            case 0: weight = 1e300
            case 1: weight = 1e-300
            case 2: weight = 0
            case 3: weight = -1
            case 4: weight = Double(rng.int(1...1000)) * 1e200
            default: weight = Double(rng.int(1...5))
            }
            w.append(weight)
        }
        if rng.chance(0.1) { f = f.map { _ in CategoricalColumn.missingCode } }
        let fLevels = ["a", "b", "c"]
        let columns: [Column] = [
            .numeric(NumericColumn(values: y)),
            .numeric(NumericColumn(values: x)),
            .numeric(NumericColumn(values: x2)),
            .categorical(CategoricalColumn(codes: f, levels: fLevels)),
            rng.chance(0.3) ? .numeric(NumericColumn(values: g.map { Double($0) + 300 }))
                            : .categorical(CategoricalColumn(codes: g, levels: (0..<8).map { "G\($0)" })),
            .categorical(CategoricalColumn(codes: h, levels: ["h0", "h1"])),
            .numeric(NumericColumn(values: w)),
        ]
        return try DataTable(columnNames: ["y", "x", "x2", "f", "g", "h", "w"], columns: columns, source: "generated")
    }

    /// A random formula from the grammar over the generated table's columns (syntactically valid,
    /// though often an odd model).
    static func grammarFormula(_ rng: inout Rng) -> String {
        let variables = ["x", "x2", "f", "g", "h", "w"]
        func term(_ depth: Int) -> String {
            switch rng.int(0..<(depth > 2 ? 2 : 7)) {
            case 0, 1: return rng.pick(variables)
            case 2: return "\(term(depth + 1)) \(rng.pick(["*", ":", "/", "+", "-"])) \(term(depth + 1))"
            case 3: return "(\(term(depth + 1)))^\(rng.int(1...4))"
            case 4: return rng.pick(["0", "1", "-1"])
            case 5: return "(\(term(depth + 1)))"
            default: return "-\(rng.pick(variables))"
            }
        }
        var parts = (0..<rng.int(0...3)).map { _ in term(0) }
        for _ in 0..<rng.int(0...3) {
            let inner = rng.pick(["1", "0 + x", "1 + x", "f", "0 + f", "x + x2", "1 + f", "h"])
            let group = rng.pick(["g", "h", "g:h", "g/h", "h/g", "g/g", "f", "g:g", "x"])
            parts.append("(\(inner) \(rng.pick(["|", "|", "||"])) \(group))")
        }
        if parts.isEmpty { parts = ["1"] }
        return "y ~ " + parts.joined(separator: " + ")
    }

    static let modelFormulas = validFormulas + [
        "y ~ x + x2 + (1 | g)", "y ~ x + (1 + x | g)", "y ~ 1 + (1 + f | g)", "y ~ 0 + (0 + f | g)", "y ~ 0 + (1 | g)",
        "y ~ x + (1 | g) + (1 | g)", "y ~ x + (1 + x + x2 | g)", "y ~ f * h + (1 | g)", "y ~ (1 | g) + (1 | h)",
        "y ~ x + (1 | g/h)", "y ~ 1 + (1|g:g)", "y ~ x + (0 + x | g)", "y ~ 1 + x + (1 + x || g)", "y ~ 1 + (x | f)",
    ]

    /// Every inference entry point on `fit`; errors must explain themselves.
    static func exercise(_ fit: FittedModel, _ rng: inout Rng, newData: [DataTable], label: String) {
        let alpha = rng.chance(0.7) ? rng.pick([0.05, 0.5, 1e-300, 0.999999]) : rng.pick([0, 1, -1, .nan, .infinity])
        for dfMethod in DegreesOfFreedomMethod.allCases {
            log("\(label) fixedEffects \(dfMethod) alpha \(alpha)")
            _ = fit.fixedEffects(dfMethod: dfMethod, alpha: alpha)
            let type = rng.pick(ANOVAType.allCases)
            log("\(label) anova \(type) \(dfMethod)")
            expectClearError("anova") { _ = try fit.anova(type: type, dfMethod: dfMethod) }
            log("\(label) randomEffects \(dfMethod)")
            expectClearError("randomEffects") { _ = try fit.randomEffects(alpha: alpha, dfMethod: dfMethod) }
        }
        log("\(label) covarianceParameters")
        _ = fit.covarianceParameters(alpha: alpha)
        _ = fit.covarianceParameterEstimates()
        log("\(label) residuals")
        for type in ResidualType.allCases { _ = fit.residuals(type, conditional: rng.chance(0.5)) }
        _ = fit.fitted(conditional: rng.chance(0.5))
        _ = fit.isSingular
        _ = fit.warnings
        _ = fit.rSquared
        log("\(label) designMatrix")
        expectClearError("designMatrix") { _ = try fit.designMatrix(.random, terms: rng.chance(0.3) ? [rng.int(-2...3)] : nil) }
        expectClearError("designMatrix") { _ = try fit.designMatrix(.fixed) }
        log("\(label) coefficientTest")
        let p = fit.fixedEffectCount
        expectClearError("coefficientTest") {
            _ = try fit.coefficientTest([(0..<max(0, p + rng.int(-1...1))).map { _ in rng.pick([0.0, 1, -1, .nan]) }],
                                        dfMethod: rng.pick(DegreesOfFreedomMethod.allCases))
        }
        _ = fit.satterthwaiteDegreesOfFreedom(contrast: (0..<p).map { _ in rng.pick([0.0, 1, 1e300]) })
        log("\(label) reports")
        if rng.chance(0.5) {
            _ = FitReport(fit: fit, dfMethod: rng.pick(DegreesOfFreedomMethod.allCases), alpha: alpha).text
        } else {
            _ = FitReport(fit: fit, alpha: alpha).json.rendered()
        }
        for table in [nil] + newData.map(Optional.some) {
            let interval: PredictionInterval? = rng.pick([nil, .curve, .observation])
            let conditional = rng.chance(0.5)
            let simultaneous = rng.chance(0.3)
            let dfMethod = rng.pick(DegreesOfFreedomMethod.allCases)
            log("\(label) predict on \(table.map { "\($0.columnNames) \($0.columns)" } ?? "fitted rows") \(String(describing: interval)) conditional \(conditional) simultaneous \(simultaneous) \(dfMethod)")
            expectClearError("predict") {
                _ = try fit.predict(on: table, conditional: conditional, interval: interval,
                                    simultaneous: simultaneous, alpha: alpha, dfMethod: dfMethod)
            }
            let count = rng.chance(0.7) ? rng.pick([1, 2]) : rng.pick([0, -1, Int.min])
            let seed = rng.pick([0, 1, UInt64.max, rng.next()])
            log("\(label) simulate count \(count) seed \(seed)")
            expectClearError("simulate") { _ = try fit.simulate(count: count, seed: seed, newData: table) }
            expectClearError("simulate") { _ = try fit.simulate(seed: seed, newData: table) }
        }
        let level = rng.pick([0.95, 0.5, 0, 1, -3, 7, .nan, .infinity])
        log("\(label) bootstrap level \(level)")
        if rng.chance(0.25) {
            expectClearError("bootstrap") {
                let boot = try fit.parametricBootstrap(replicates: rng.pick([0, 1, 2, -1]), seed: rng.next(),
                                                       threads: rng.pick([1, 2, 0]))
                _ = boot.percentileIntervals(level: level)
            }
        }
    }

    /// New-data tables for prediction: missing, extra or renamed columns, unseen levels, no rows.
    static func newDataTables(like table: DataTable, _ rng: inout Rng) -> [DataTable] {
        var result: [DataTable] = []
        let texts = [
            "x,x2,f,g,h\n1,2,a,G0,h0\n3,4,b,G9,h1\nNA,1,c,G1,h0\n",
            "x,f,g\n1,a,G0\n",
            "x,x2,f,g,h,extra\n1,2,zz,G0,h0,5\n",
            "x,x2,f,g,h\n",
            "x,x2,f,g,h\n1,2,a,300,h0\n2,3,b,301.5,h1\n",
            "x,x2,f,g,h\n1e308,-1e308,a,G0,h0\n",
            "y,x,x2,f,g,h,w\nNA,NA,NA,NA,NA,NA,NA\n",
            "x,x2,f,g,h\nq,2,a,G0,h0\n",
        ]
        for text in texts where rng.chance(0.6) {
            if let table = try? DataTable(csv: text, source: "new.csv") { result.append(table) }
        }
        if rng.chance(0.5) { result.append(table) }
        if let empty = try? DataTable(columnNames: table.columnNames, columns: table.columns.map { column in
            switch column {
            case .numeric: return .numeric(NumericColumn(values: []))
            case .categorical(let categorical): return .categorical(CategoricalColumn(codes: [], levels: categorical.levels))
            }
        }) {
            result.append(empty)
        }
        return result
    }

    @Test("models on generated odd data fit or fail clearly, and every inference call survives")
    func models() throws {
        var rng = Rng(42 &+ Self.seedOffset)
        var fits: [FittedModel] = []
        var fittedCount = 0
        for iteration in 0..<(200 * Self.scale) {
            let table = try Self.randomModelTable(&rng)
            let formula = switch rng.int(0..<10) {
            case 0: Self.randomFormula(&rng)
            case 1...4: Self.grammarFormula(&rng)
            default: rng.pick(Self.modelFormulas)
            }
            var options = ModelOptions()
            options.dummyCoding = rng.pick(DummyCoding.allCases)
            if rng.chance(0.2) { options.weightsColumn = rng.chance(0.8) ? "w" : rng.pick(["f", "nope", "y"]) }
            if rng.chance(0.3) {
                let group = rng.chance(0.7) ? "g" : rng.pick(["h", "g:h", "h:g", "f", "zz"])
                options.covariancePatterns = [group: rng.pick(CovariancePattern.allCases)]
            }
            let method = rng.pick(EstimationMethod.allCases)
            let label = "model \(iteration): \(formula) \(options) \(method) on \(table.columns)"
            Self.log(label)
            var fitted: FittedModel?
            Self.expectClearError(label) {
                if let parsed = try? Formula(formula) {
                    let design = try ModelDesign(formula: parsed, data: table, options: options)
                    _ = DesignReport(design: design).text
                    _ = DesignReport(design: design).json.rendered()
                }
                let model = try LinearMixedModel(formula: formula, data: table, options: options)
                _ = model.objective(theta: model.initialTheta.map { _ in rng.pick([0.0, 1, -1, .nan, 1e300]) }, method: method)
                fitted = try model.fit(method: method)
            }
            guard let fit = fitted else { continue }
            Self.exercise(fit, &rng, newData: Self.newDataTables(like: table, &rng), label: label)
            fits.append(fit)
            if fits.count >= 2, rng.chance(0.5) {
                let small = rng.pick(fits)
                let big = rng.pick(fits)
                Self.log("\(label) compare \(small.model.design.formula) vs \(big.model.design.formula)")
                Self.expectClearError("compare") {
                    _ = try LikelihoodRatioTest.compare(small, big, criterion: rng.pick(ComparisonCriterion.allCases))
                }
                if rng.chance(0.1) {
                    Self.expectClearError("compareSimulated") {
                        _ = try LikelihoodRatioTest.compareSimulated(small, big, replicates: rng.pick([1, 2, 0]), seed: rng.next(),
                                                                     alpha: rng.pick([0.05, .nan]), threads: rng.pick([1, 2]))
                    }
                }
            }
            // Profiling an odd fit can take minutes in a debug build (each limit is up to 160
            // constrained optimisations), so it runs only in the scaled-up fuzzing runs.
            if Self.scale > 1, rng.chance(0.02) {
                Self.log("\(label) profile")
                Self.expectClearError("profile") { _ = try fit.profileConfidenceIntervals(level: rng.pick([0.95, 0.5, .nan])) }
            }
            if fits.count > 30 { fits.removeFirst() }
            fittedCount += 1
        }
        if Self.logPath != nil { print("FUZZ models: \(fittedCount) of \(200 * Self.scale) fitted") }
    }

    // MARK: - CSV text to fitted model

    @Test("generated CSV files with odd columns go through reading, design and fitting")
    func csvToModel() {
        var rng = Rng(99 &+ Self.seedOffset)
        let cellKinds: [[String]] = [
            ["1", "2", "3.5", "-4", "0", "10", "7.25"],           // numbers
            ["a", "b", "c", "\"a\"", "A"],                         // labels
            ["NA", "", "1", "2"],                                // mostly missing
            ["5", "5", "5"],                                     // constant
            ["1e300", "-1e300", "1e-300", "2e307"],              // extreme
            ["308", "309", "310", "\"308\""],                     // number-like levels
        ]
        var fittedCount = 0
        for iteration in 0..<(300 * Self.scale) {
            let n = rng.pick([0, 1, 2, 3, 5, 8, 15, 30, 30, 30])
            let names = ["y", "x", "g", "f"]
            // Mostly a numeric response and predictor and a labelled grouping factor, one odd column at a time.
            var kinds = [cellKinds[0], cellKinds[0], rng.pick([cellKinds[1], cellKinds[5]]), cellKinds[1]]
            if rng.chance(0.7) { kinds[rng.int(0..<kinds.count)] = rng.pick(cellKinds) }
            var lines = [names.joined(separator: ",")]
            var duplicate: String?
            for _ in 0..<n {
                let line = kinds.map { rng.pick($0) }.joined(separator: ",")
                lines.append(line)
                if rng.chance(0.2) { duplicate = line }
                if let duplicate, rng.chance(0.3) { lines.append(duplicate) }
            }
            let text = lines.joined(separator: "\n")
            var options = rng.chance(0.5) ? CSVReadOptions() : Self.randomReadOptions(&rng, names: names)
            if rng.chance(0.2) { options.levelOrders = ["g": ["308", "309", "310"]] }
            let formula = rng.chance(0.5) ? rng.pick(["y ~ x + (1 | g)", "y ~ f + (1 | g)", "y ~ x * f + (1 + x | g)",
                                                      "y ~ 1 + (1 | g) + (1 | f)", "y ~ g + (1 | g)", "y ~ x + (x || g)"])
                                          : Self.randomFormula(&rng)
            let method = rng.pick(EstimationMethod.allCases)
            Self.log("csvToModel \(iteration): \(formula) \(options)\n\(text)")
            Self.expectClearError("csvToModel") {
                let table = try DataTable(csv: text, source: "generated.csv", options: options)
                let fit = try LinearMixedModel(formula: formula, data: table).fit(method: method)
                _ = fit.fixedEffects(dfMethod: rng.pick(DegreesOfFreedomMethod.allCases))
                _ = fit.covarianceParameters()
                _ = try fit.randomEffects()
                _ = try fit.predict(on: table, interval: .observation)
                _ = try fit.anova(type: rng.pick(ANOVAType.allCases), dfMethod: rng.pick(DegreesOfFreedomMethod.allCases))
                fittedCount += 1
            }
        }
        if Self.logPath != nil { print("FUZZ csvToModel: \(fittedCount) of \(300 * Self.scale) fitted") }
    }

    // MARK: - Matrix interface

    @Test("the matrix interface rejects inconsistent matrices clearly")
    func matrixInterface() {
        var rng = Rng(5 &+ Self.seedOffset)
        for iteration in 0..<(400 * Self.scale) {
            let n = rng.pick([0, 1, 2, 4, 9])
            let p = rng.pick([0, 1, 2])
            func value() -> Double { rng.pick([0, 1, -1, 2.5, 1e300, .nan, .infinity, Double(rng.int(-9...9))]) }
            var X = (0..<n).map { _ in (0..<p).map { _ in value() } }
            if rng.chance(0.1), !X.isEmpty { X[0].append(1) }
            let y = (0..<(n + (rng.chance(0.1) ? 1 : 0))).map { _ in value() }
            let termCount = rng.pick([0, 1, 2])
            let Z = (0..<termCount).map { _ in (0..<n).map { _ in (0..<rng.pick([0, 1, 2])).map { _ in value() } } }
            let G: [[String]?] = (0..<(termCount + (rng.chance(0.1) ? 1 : 0))).map { _ in
                rng.chance(0.3) ? nil : (0..<n).map { _ in rng.pick(["a", "b", "c", "", "a b", "`"]) }
            }
            let patterns: [CovariancePattern]? = rng.chance(0.3) ? (0..<termCount).map { _ in rng.pick(CovariancePattern.allCases) } : nil
            let weights: [Double]? = rng.chance(0.2) ? (0..<n).map { _ in rng.pick([1, 0, -1, 1e-300]) } : nil
            let names: [String]? = rng.chance(0.2) ? (0..<p).map { _ in rng.pick(["x", "y", "`", "a b", ""]) } : nil
            Self.log("matrix \(iteration): X \(X) y \(y) Z \(Z) G \(G) \(String(describing: patterns)) \(String(describing: weights)) \(String(describing: names))")
            Self.expectClearError("matrix") {
                let model = try LinearMixedModel(X: X, y: y, Z: Z, G: G, covariancePatterns: patterns, weights: weights,
                                                 fixedEffectNames: names)
                let fit = try model.fit(method: rng.pick(EstimationMethod.allCases))
                _ = fit.fixedEffects()
                _ = try fit.randomEffects()
            }
        }
    }
}

/// Regression tests for the traps the robustness tests found: each input used to crash the process.
@Suite("robustness regressions")
struct RobustnessRegressionTests {
    @Test("bootstrap percentile intervals at a level outside [0, 1] or NaN give NaN limits (was Int(nan) / index trap)")
    func bootstrapLevel() throws {
        let fit = try LinearMixedModel(formula: "Yield ~ 1 + (1 | Batch)", data: DataTable.builtIn("Dyestuff")).fit()
        let boot = try fit.parametricBootstrap(replicates: 3, seed: 1)
        for level in [Double.nan, 7, -3, .infinity, -.infinity] {
            let intervals = boot.percentileIntervals(level: level)
            #expect(intervals.count == 3)
            #expect(intervals.allSatisfy { $0.lower.isNaN && $0.upper.isNaN })
        }
        #expect(boot.percentileIntervals(level: 0.9).allSatisfy { $0.lower.isFinite && $0.upper.isFinite })
        #expect(ParametricBootstrap.quantile([1, 2, 3], .nan).isNaN)
    }

    @Test("a text table with a negative indent renders without indent (was a negative repeat count)")
    func textTableIndent() {
        var table = TextTable(headers: ["a", "b"], alignments: [.left, .right])
        table.append(["x", "1"])
        #expect(table.rendered(indent: -4) == table.rendered(indent: 0))
    }

    @Test("a categorical column with a code outside its levels is rejected when the table is built (was an index trap in the design)")
    func invalidCodes() throws {
        let y = Column.numeric(NumericColumn(values: [1, 2, 3, 4]))
        #expect(throws: DataTableError.invalidCode(column: "g", row: 2, code: 5, levelCount: 2)) {
            try DataTable(columnNames: ["y", "g"], columns: [y, .categorical(CategoricalColumn(codes: [0, 5, 1, 0], levels: ["a", "b"]))])
        }
        #expect(throws: DataTableError.invalidCode(column: "g", row: 4, code: -3, levelCount: 2)) {
            try DataTable(columnNames: ["y", "g"], columns: [y, .categorical(CategoricalColumn(codes: [0, -1, 1, -3], levels: ["a", "b"]))])
        }
        #expect(throws: DataTableError.repeatedLevel(column: "g", level: "a")) {
            try DataTable(columnNames: ["y", "g"], columns: [y, .categorical(CategoricalColumn(codes: [0, 1, 1, 0], levels: ["a", "a"]))])
        }
        let error = DataTableError.invalidCode(column: "g", row: 2, code: 5, levelCount: 2)
        #expect(error.description.contains("'g'") && error.description.contains("row 2"))
    }

    @Test("an infinite response or predictor value is named with its column and row")
    func infiniteValues() throws {
        let g = Column.categorical(CategoricalColumn(codes: [0, 1, 1, 0, 0, 1], levels: ["a", "b"]))
        let finite = Column.numeric(NumericColumn(values: [1, 2, 3, 4, 5, 6]))
        let infinite = Column.numeric(NumericColumn(values: [1, 2, .nan, 4, -.infinity, 6]))
        for (y, x, column, row) in [(infinite, finite, "y", 5), (finite, infinite, "x", 5)] {
            let table = try DataTable(columnNames: ["y", "x", "g"], columns: [y, x, g])
            #expect(throws: MixedModelError.design(.nonFiniteValue(column: column, row: row, value: -.infinity))) {
                try LinearMixedModel(formula: "y ~ 1 + x + (1 | g)", data: table)
            }
        }
    }

    @Test("deeply nested or very long formulas get a positioned error instead of overflowing the stack")
    func formulaLimits() throws {
        let deep = "y ~ " + String(repeating: "(", count: 100_000) + "x" + String(repeating: ")", count: 100_000)
        #expect(throws: FormulaError.self) { try Formula(deep) }
        do { _ = try Formula(deep) } catch {
            #expect(error.message.contains("nested more than \(FormulaParser.maximumNesting)"))
            #expect(error.position == 4 + FormulaParser.maximumNesting)
        }
        #expect(throws: FormulaError.self) { try Formula("y ~ " + String(repeating: "- ", count: 5_000) + "x") }
        #expect(throws: FormulaError.self) { try Formula("y ~ " + (0..<5_000).map { "x\($0)" }.joined(separator: " + ")) }
        // Within the limits, formulas still work.
        let nested = "y ~ " + String(repeating: "(", count: 60) + "x" + String(repeating: ")", count: 60) + " + (1 | g)"
        #expect(try Formula(nested).fixedTerms.map(\.description) == ["x"])
        #expect(try Formula("y ~ " + (0..<900).map { "x\($0)" }.joined(separator: " + ")).fixedTerms.count == 900)
    }

    @Test("interactions that expand to too many terms are refused; a huge power stops at the full interaction")
    func formulaExpansionLimits() throws {
        let powered = try Formula("y ~ (a + b + c)^1000000000")
        #expect(powered.fixedTerms.count == 7)
        let variables = (0..<20).map { "v\($0)" }.joined(separator: " + ")
        #expect(throws: FormulaError.self) { try Formula("y ~ (\(variables))^20") }
        #expect(throws: FormulaError.self) { try Formula("y ~ " + (0..<14).map { "v\($0)" }.joined(separator: " * ")) }
        #expect(try Formula("y ~ " + (0..<8).map { "v\($0)" }.joined(separator: " * ")).fixedTerms.count == 255)
    }
}

extension RobustnessRegressionTests {
    @Test("models whose dropped rows differ cannot be compared even when their responses coincide")
    func compareDifferentRows() throws {
        let text = "y,x,z,g\n1,NA,1,a\n1,1,NA,a\n2,2,2,a\n3,3,1,b\n4,1,2,b\n5,2,3,b\n6,3,1,c\n7,1,2,c\n8,2,3,c\n"
        let table = try DataTable(csv: text)
        let first = try LinearMixedModel(formula: "y ~ x + (1 | g)", data: table).fit()
        let second = try LinearMixedModel(formula: "y ~ z + (1 | g)", data: table).fit()
        #expect(first.model.design.response == second.model.design.response)
        #expect(throws: MixedModelError.self) { try LikelihoodRatioTest.compare(first, second) }
        do { _ = try LikelihoodRatioTest.compare(first, second) } catch {
            #expect(error.description.contains("data row 2") && error.description.contains("data row 1"))
        }
    }
}
