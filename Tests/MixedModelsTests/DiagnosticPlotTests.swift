import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import MixedModels

/// The diagnostic plots (Reporting/Plots): their points against R (qqnorm, qqline, the symmetry
/// pairs, the lag-1 correlation, lattice's caterpillar order and lme4's conditional SDs, from
/// Fixtures/plots, plot_fixtures.R), nice ticks, well-formed SVG, and bounded size for large n.
@Suite("Diagnostic plots")
struct DiagnosticPlotTests {
    /// Relative tolerance on values that depend on the fit (residuals, conditional SDs), as the
    /// residual tests: both fits are at lme4's θ.
    static let tolerance = 1e-6

    static let fixtures = FixtureSupport.files(in: "plots")

    /// The reference and our fit at its θ.
    static func load(_ file: String) throws -> (reference: [String: Any], fit: FittedModel) {
        let reference = try FixtureSupport.json(file)
        let source = try FixtureSupport.json(reference["source"] as? String ?? "")
        let fit = try PredictionSupport.fit(at: FixtureSupport.doubles(reference["theta"]), fixture: source)
        return (reference, fit)
    }

    @Test("Q-Q points and quartile line match R's qqnorm and qqline", arguments: fixtures)
    func quantilePlot(file: String) throws {
        let (reference, fit) = try Self.load(file)
        let qq = reference["qq"] as? [String: Any] ?? [:]
        let (theoretical, sample) = NormalQuantilePlot.points(fit.residuals())
        let expectedTheoretical = FixtureSupport.doubles(qq["theoretical"])
        let expectedSample = FixtureSupport.doubles(qq["sample"])
        #expect(theoretical.count == expectedTheoretical.count)
        for index in expectedTheoretical.indices where index < theoretical.count {
            #expect(PredictionSupport.error(theoretical[index], expectedTheoretical[index]) < 1e-13, "\(file) x[\(index)]")
            #expect(PredictionSupport.error(sample[index], expectedSample[index], floor: 1e-6) < Self.tolerance, "\(file) y[\(index)]")
        }
        let line = NormalQuantilePlot.quartileLine(sorted: sample)
        #expect(PredictionSupport.error(line.intercept, FixtureSupport.double(qq["line_intercept"]), floor: 1e-6) < Self.tolerance)
        #expect(PredictionSupport.error(line.slope, FixtureSupport.double(qq["line_slope"])) < Self.tolerance)
    }

    @Test("symmetry pairs and lag-1 correlation match R", arguments: fixtures)
    func symmetryAndLag(file: String) throws {
        let (reference, fit) = try Self.load(file)
        let symmetry = reference["symmetry"] as? [String: Any] ?? [:]
        let residuals = fit.residuals()
        let (lower, upper) = SymmetryPlot.points(residuals)
        let expectedLower = FixtureSupport.doubles(symmetry["lower"])
        let expectedUpper = FixtureSupport.doubles(symmetry["upper"])
        #expect(lower.count == expectedLower.count && upper.count == expectedUpper.count)
        for index in expectedLower.indices where index < lower.count {
            #expect(PredictionSupport.error(lower[index], expectedLower[index], floor: 1e-6) < Self.tolerance, "\(file) lower[\(index)]")
            #expect(PredictionSupport.error(upper[index], expectedUpper[index], floor: 1e-6) < Self.tolerance, "\(file) upper[\(index)]")
        }
        let lag = LaggedResidualsPlot.correlation(Array(residuals.dropLast()), Array(residuals.dropFirst()))
        #expect(PredictionSupport.error(lag, FixtureSupport.double(reference["lag1_correlation"])) < Self.tolerance)
    }

    @Test("caterpillar series: lme4's conditional SDs and the level order by estimate", arguments: fixtures)
    func caterpillarSeries(file: String) throws {
        let (reference, fit) = try Self.load(file)
        let series = DiagnosticData(fit: fit).randomEffects
        let expected = reference["ranef"] as? [[String: Any]] ?? []
        #expect(series.count == expected.count)
        for entry in expected {
            let group = entry["group"] as? String ?? ""
            let name = entry["name"] as? String ?? ""
            guard let ours = series.first(where: { $0.group == group && $0.name == name }) else {
                Issue.record("\(file): no series \(group) \(name)")
                continue
            }
            let levels = entry["levels"] as? [String] ?? []
            #expect(ours.levels == levels)
            let sds = FixtureSupport.doubles(entry["condsd"])
            let estimates = FixtureSupport.doubles(entry["estimate"])
            for index in sds.indices where index < ours.levels.count {
                #expect(PredictionSupport.error(ours.conditionalSDs[index], sds[index]) < Self.tolerance, "\(file) \(group) condSD[\(index)]")
                #expect(PredictionSupport.error(ours.estimates[index], estimates[index], floor: 1e-6) < Self.tolerance)
            }
            // The plot's order (by our estimates) agrees with R's up to ties: R's order sorts our
            // estimates, and equal estimates (balanced designs) may come in either order.
            let sortedLevels = entry["sorted_levels"] as? [String] ?? []
            let ourEstimate = Dictionary(uniqueKeysWithValues: zip(ours.levels, ours.estimates))
            let inROrder = sortedLevels.compactMap { ourEstimate[$0] }
            #expect(inROrder.count == ours.levels.count)
            let scale = inROrder.map(abs).max() ?? 1
            #expect(zip(inROrder, inROrder.dropFirst()).allSatisfy { $1 >= $0 - Self.tolerance * scale },
                    "\(file) \(group) \(name) order")
        }
    }

    // MARK: - Ticks

    static let ranges: [(Double, Double)] = [
        (0, 1), (-3.7, 12.2), (1e-7, 3e-7), (213.4, 461.9), (-101.2, 132.1), (1e6, 1.3e6), (5, 5), (0, 0),
        (-1e-3, 1e-3), (1, 73421), (-2.7, 2.7), (0.31, 0.33), (-5e9, 7e9), (17, 17.0000001),
    ]

    @Test("ticks are multiples of 1, 2 or 5 × 10^k inside the axis, which covers the data", arguments: ranges)
    func niceTicks(range: (Double, Double)) {
        let scale = NiceScale(minimum: range.0, maximum: range.1)
        #expect([1, 2, 5].contains(scale.stepMantissa))
        #expect(scale.ticks.count >= 3 && scale.ticks.count <= 12, "\(range): \(scale.ticks)")
        #expect(scale.lower <= range.0 && scale.upper >= range.1)
        for tick in scale.ticks {
            #expect(tick >= scale.lower - 1e-12 * abs(scale.lower) && tick <= scale.upper + 1e-12 * abs(scale.upper))
            let multiple = tick / scale.step
            #expect(abs(multiple - multiple.rounded()) < 1e-9 * max(1, abs(multiple)), "\(tick) is not a multiple of \(scale.step)")
            // The label reads back as the tick, and shows it exactly.
            let label = scale.label(tick)
            #expect(Double(label).map { abs($0 - tick) <= 1e-9 * max(abs(tick), scale.step) } ?? false,
                    "label \(label) for \(tick)")
        }
        #expect(Set(scale.ticks.map(scale.label)).count == scale.ticks.count, "labels repeat: \(scale.ticks.map(scale.label))")
    }

    @Test("decimal ticks are the nearest doubles (0.3, not 0.30000000000000004)")
    func decimalTicks() {
        let scale = NiceScale(minimum: 0, maximum: 0.7, padding: 0)
        #expect(scale.ticks.contains(0.3) && scale.ticks.contains(0.7))
        #expect(scale.ticks.map(scale.label).contains("0.3"))
    }

    @Test("the tick labels written in each plot are evenly spaced nice numbers", arguments: DiagnosticPlotKind.allCases)
    func ticksInSVG(kind: DiagnosticPlotKind) throws {
        let data = DiagnosticData(fit: try Self.sleepstudyFit())
        // One caterpillar panel (the plot of a group puts its columns side by side).
        let svg = kind == .caterpillar ? DiagnosticPlots.caterpillars(data)[0].rendered
            : try DiagnosticPlots.svg(kind, data: data).rendered
        // x tick labels are centred under the axis, y tick labels right-aligned beside it (the
        // caterpillar plot labels its levels there instead).
        var axes = [("x", ##"font-size="12" fill="#444444" text-anchor="middle">([^<]+)</text>"##)]
        if kind != .caterpillar { axes.append(("y", ##"font-size="12" fill="#444444" text-anchor="end">([^<]+)</text>"##)) }
        for (axis, pattern) in axes {
            let values = Self.matches(of: pattern, in: svg).compactMap(Double.init)
            #expect(values.count >= 3, "\(kind) \(axis): \(values)")
            guard values.count >= 2 else { continue }
            let step = values[1] - values[0]
            let exponent = floor(log10(step))
            let mantissa = step / pow(10, exponent)
            #expect([1.0, 2.0, 5.0].contains { abs(mantissa - $0) < 1e-9 }, "\(kind) \(axis) step \(step)")
            for (index, value) in values.enumerated() {
                let expected = values[0] + Double(index) * step
                #expect(abs(value - expected) < 1e-9 * max(abs(value), step), "\(kind) \(axis) \(values)")
                let multiple = value / step
                #expect(abs(multiple - multiple.rounded()) < 1e-9, "\(kind) \(axis): \(value) not a multiple of \(step)")
            }
        }
    }

    // MARK: - SVG

    static func sleepstudyFit() throws -> FittedModel {
        try LinearMixedModel(formula: "Reaction ~ 1 + Days + (1 + Days | Subject)", data: DataTable.builtIn("sleepstudy"))
            .fit(method: .ml)
    }

    @Test("every kind is well-formed SVG with a title", arguments: DiagnosticPlotKind.allCases)
    func wellFormed(kind: DiagnosticPlotKind) throws {
        let fit = try Self.sleepstudyFit()
        let svg = try DiagnosticPlots.svg(kind, data: DiagnosticData(fit: fit)).rendered
        let checker = XMLCheck(svg)
        #expect(checker.error == nil, "\(kind): \(checker.error ?? "")")
        #expect(checker.root == "svg")
        #expect(checker.elementCount > 20)
        #expect(svg.contains("<title>"))
        #expect(!svg.contains("NaN") && !svg.contains("inf"))
    }

    @Test("the caterpillar group is checked")
    func caterpillarGroups() throws {
        let fit = try LinearMixedModel(formula: "diameter ~ 1 + (1|plate) + (1|sample)", data: DataTable.builtIn("Penicillin"))
            .fit(method: .ml)
        let data = DiagnosticData(fit: fit)
        #expect(DiagnosticPlots.groups(of: data) == ["plate", "sample"])
        #expect(throws: MixedModelError.self) { try DiagnosticPlots.svg(.caterpillar, data: data) }
        #expect(throws: MixedModelError.self) { try DiagnosticPlots.svg(.caterpillar, data: data, group: "plates") }
        let plate = try DiagnosticPlots.svg(.caterpillar, data: data, group: "plate").rendered
        #expect(XMLCheck(plate).error == nil)
        #expect(plate.contains("Conditional modes: plate, (Intercept)"))
        // Six levels: a short panel, whose rotated axis title is shortened to fit beside it.
        let sample = try DiagnosticPlots.svg(.caterpillar, data: data, group: "sample").rendered
        #expect(sample.contains(">Level of sample</text>"))
        #expect(plate.contains(">Level of plate, sorted by estimate</text>"))
    }

    // MARK: - Large n

    /// A million synthetic observations and 3,000 levels: no fit, only the plot builders.
    static func largeData() -> DiagnosticData {
        var generator = SeededGenerator(seed: 7)
        let n = 1_000_000
        let fitted = (0..<n).map { _ in Double.random(in: 0...10, using: &generator) }
        let residuals = (0..<n).map { _ in Double.random(in: -1...1, using: &generator) + Double.random(in: -1...1, using: &generator) }
        let observed = zip(fitted, residuals).map { $0 + $1 }
        let levels = (0..<3_000).map { "level-\($0)" }
        let series = RandomEffectsSeries(group: "g", name: "(Intercept)", levels: levels,
                                         estimates: levels.indices.map { _ in Double.random(in: -2...2, using: &generator) },
                                         conditionalSDs: levels.indices.map { _ in Double.random(in: 0.1...0.5, using: &generator) })
        return DiagnosticData(fitted: fitted, observed: observed, residuals: residuals, rows: Array(1...n),
                              randomEffects: [series])
    }

    @Test("a million points give SVGs below 1.5 MB each, still well-formed")
    func largeSize() throws {
        let data = Self.largeData()
        for kind in DiagnosticPlotKind.allCases {
            let svg = try DiagnosticPlots.svg(kind, data: data).rendered
            #expect(svg.utf8.count < 1_500_000, "\(kind): \(svg.utf8.count) bytes")
            #expect(XMLCheck(svg).error == nil, "\(kind)")
            if [.fitted, .observed, .caseorder, .lagged].contains(kind) {
                #expect(svg.contains("shown as density"), "\(kind) should say it bins")
            }
            if [.qq, .symmetry].contains(kind) {
                #expect(svg.contains("points drawn"), "\(kind) should say it thins")
            }
        }
    }

    @Test("extreme and degenerate values give plots, not traps or hangs", .timeLimit(.minutes(2)))
    func extremeValues() throws {
        for (minimum, maximum) in [(-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude), (.nan, 1),
                                   (-.infinity, 5), (3, -3), (1e-300, 2e-300)] {
            let scale = NiceScale(minimum: minimum, maximum: maximum)
            #expect(scale.upper > scale.lower && scale.lower.isFinite && scale.upper.isFinite, "\(minimum) \(maximum)")
        }
        let huge = Double.greatestFiniteMagnitude
        let values = [-huge, huge, 0, 1, .nan, .infinity, 2, 3] + Array(repeating: 1.5, count: 30_000)
        let data = DiagnosticData(fitted: values, observed: values.reversed(), residuals: values,
                                  rows: Array(1...values.count),
                                  randomEffects: [RandomEffectsSeries(group: "g", name: "x", levels: ["a", "b", "c"],
                                                                      estimates: [huge, .nan], conditionalSDs: [1])])
        for kind in DiagnosticPlotKind.allCases {
            let svg = try DiagnosticPlots.svg(kind, data: data).rendered
            #expect(XMLCheck(svg).error == nil, "\(kind)")
        }
        let empty = DiagnosticData(fitted: [], observed: [], residuals: [], rows: [])
        for kind in DiagnosticPlotKind.allCases where kind != .caterpillar {
            #expect(XMLCheck(try DiagnosticPlots.svg(kind, data: empty).rendered).error == nil, "\(kind)")
        }
    }

    @Test("thinning keeps the extremes and spaces the rest evenly")
    func thinning() {
        let kept = RankThinning.indices(count: 1_000_000)
        #expect(kept.count <= RankThinning.maximumPoints)
        #expect(kept.prefix(RankThinning.tailPoints) == ArraySlice(0..<RankThinning.tailPoints))
        #expect(kept.suffix(RankThinning.tailPoints) == ArraySlice((1_000_000 - RankThinning.tailPoints)..<1_000_000))
        #expect(zip(kept, kept.dropFirst()).allSatisfy { $0 < $1 })
        #expect(RankThinning.indices(count: 500) == Array(0..<500))
    }

    @Test("histogram bins: a nice width, every value counted once")
    func histogramBins() throws {
        let residuals = try Self.sleepstudyFit().residuals()
        let histogram = ResidualHistogram(values: residuals)
        #expect(histogram.counts.reduce(0, +) == residuals.count)
        let nice = NiceScale.niceNumber(histogram.width, rounding: true)
        #expect(nice.value == histogram.width)
        #expect(histogram.counts.count >= 8 && histogram.counts.count <= 80)
        #expect(histogram.start <= residuals.min() ?? 0)
        #expect(histogram.start + Double(histogram.counts.count) * histogram.width >= residuals.max() ?? 0)
    }

    static func matches(of pattern: String, in text: String) -> [String] {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return expression.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}

/// Parses a document with Foundation's XMLParser and records the first error, the root
/// element and the number of elements.
final class XMLCheck: NSObject, XMLParserDelegate {
    private(set) var error: String?
    private(set) var root: String?
    private(set) var elementCount = 0

    init(_ text: String) {
        super.init()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = self
        if !parser.parse(), error == nil {
            error = parser.parserError.map { "\($0)" } ?? "parse failed"
        }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if root == nil { root = elementName }
        elementCount += 1
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        if error == nil { error = "line \(parser.lineNumber), column \(parser.columnNumber): \(parseError)" }
    }
}
