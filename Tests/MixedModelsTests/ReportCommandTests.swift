import Foundation
import Testing
@testable import MixedModels

/// `lmm fit --report FILE.html` and `lmm plot`, run end to end: the page holds every plot as
/// well-formed inline SVG and the same tables as the text summary, refers to nothing outside
/// itself, and renders in headless Chromium (when installed).
@Suite("lmm report and plot")
struct ReportCommandTests {
    static let sleepstudy = ["sleepstudy", "Reaction ~ 1 + Days + (1 + Days | Subject)"]

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lmm-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `lmm fit ... --report` and returns the text summary and the page.
    static func report(_ arguments: [String] = sleepstudy) throws -> (summary: String, html: String, directory: URL) {
        let directory = try temporaryDirectory()
        let path = directory.appendingPathComponent("report.html").path
        let run = try CommandLineTests.run(["fit"] + arguments + ["--report", path])
        #expect(run.status == 0, "\(run.error)")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        return (run.output, html, directory)
    }

    /// The `<svg …>…</svg>` elements of a page.
    static func svgElements(_ html: String) -> [String] {
        var elements: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg"), let end = rest.range(of: "</svg>", range: start.upperBound..<rest.endIndex) {
            elements.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return elements
    }

    @Test("the report holds each plot as well-formed inline SVG")
    func plotsPresent() throws {
        let (_, html, directory) = try Self.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        for kind in ["fitted", "qq", "histogram", "observed"] {
            #expect(html.components(separatedBy: "<figure class=\"plot-\(kind)\">").count == 2, "one \(kind) plot")
        }
        // One caterpillar per random-effects column: (Intercept) and Days of Subject.
        #expect(html.components(separatedBy: "<figure class=\"plot-caterpillar\">").count == 3)
        for title in ["Residuals vs fitted values", "Normal Q–Q plot of residuals", "Histogram of residuals",
                      "Observed vs fitted values", "Conditional modes: Subject, (Intercept)", "Conditional modes: Subject, Days"] {
            #expect(html.contains("<title>\(title)</title>"), "missing plot \(title)")
        }
        let svgs = Self.svgElements(html)
        #expect(svgs.count == 6)
        for svg in svgs {
            let check = XMLCheck(svg)
            #expect(check.error == nil, "\(check.error ?? "")")
            #expect(check.root == "svg")
        }
    }

    @Test("the report is self-contained: no scripts, links, external images, fonts or style sheets")
    func selfContained() throws {
        let (_, html, directory) = try Self.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lowered = html.lowercased()
        for forbidden in ["http", "src=", "href", "<script", "url(", "@import", "<link", "<img", "<iframe", "<object"] {
            #expect(!lowered.contains(forbidden), "the report contains \(forbidden)")
        }
        #expect(lowered.hasPrefix("<!doctype html>"))
        #expect(lowered.contains("<style>") && lowered.contains("@media print"))
    }

    @Test("the report's tables hold the numbers of the text summary")
    func sameTables() throws {
        let (summary, html, directory) = try Self.report(Self.sleepstudy + ["--method", "reml"])
        defer { try? FileManager.default.removeItem(at: directory) }
        // Every cell of the fixed-effects, ANOVA and covariance tables of the text summary is a
        // cell of the page.
        let lines = summary.components(separatedBy: "\n")
        guard let fixedStart = lines.firstIndex(where: { $0.hasPrefix("Fixed effects coefficients") }) else {
            Issue.record("no fixed-effects table in the summary")
            return
        }
        var cells: [String] = []
        let tablesEnd = lines.firstIndex(of: "Convergence:") ?? lines.endIndex
        for line in lines[(fixedStart + 2)..<tablesEnd] where line.hasPrefix("    ") {
            cells += line.split(separator: " ").map(String.init)
        }
        #expect(cells.count > 20)
        for cell in cells where cell.first?.isNumber == true || cell.first == "-" {
            #expect(html.contains("<td class=\"num\">\(cell)</td>"), "the page lacks the cell \(cell)")
        }
        for statistic in ["AIC", "BIC", "Log-likelihood", "Deviance"] {
            #expect(html.contains("<td>\(statistic)</td>"))
        }
        #expect(html.contains("<h2>Convergence</h2>"))
        #expect(html.contains("max|scaled gradient|"))
        #expect(html.contains("Fit by REML"))
        #expect(html.contains("Group: Subject (18 levels)"))
    }

    @Test("lmm plot writes each kind as a well-formed SVG file", arguments: DiagnosticPlotKind.allCases.map(\.rawValue) + ["probability", "QQ"])
    func plotKinds(kind: String) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("plot.svg").path
        let run = try CommandLineTests.run(["plot"] + Self.sleepstudy + ["--kind", kind, "--output", path])
        #expect(run.status == 0, "\(run.error)")
        let svg = try String(contentsOfFile: path, encoding: .utf8)
        #expect(svg.hasPrefix("<?xml"))
        #expect(svg.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        let check = XMLCheck(svg)
        #expect(check.error == nil, "\(check.error ?? "")")
        #expect(check.root == "svg")
    }

    @Test("lmm plot: residual types, marginal residuals and the caterpillar group")
    func plotOptions() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("plot.svg").path
        var run = try CommandLineTests.run(["plot"] + Self.sleepstudy + ["--kind", "fitted", "--type", "standardized", "--marginal", "--output", path])
        #expect(run.status == 0, "\(run.error)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Standardized marginal residual"))
        let penicillin = ["Penicillin", "diameter ~ 1 + (1|plate) + (1|sample)"]
        run = try CommandLineTests.run(["plot"] + penicillin + ["--kind", "caterpillar", "--group", "sample", "--output", path])
        #expect(run.status == 0, "\(run.error)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("Conditional modes: sample, (Intercept)"))
    }

    @Test("lmm plot refuses a bad group or output folder, writing nothing")
    func plotErrors() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("plot.svg").path
        let penicillin = ["Penicillin", "diameter ~ 1 + (1|plate) + (1|sample)"]
        let cases: [([String], String)] = [
            (penicillin + ["--kind", "caterpillar"], "--group"),
            (penicillin + ["--kind", "caterpillar", "--group", "plates"], "plate, sample"),
            (penicillin + ["--kind", "qq", "--group", "plate"], "--group"),
            (penicillin + ["--kind", "boxplot"], "--kind"),
        ]
        for (arguments, fragment) in cases {
            let run = try CommandLineTests.run(["plot"] + arguments + ["--output", path])
            #expect(run.status != 0, "\(arguments)")
            #expect(run.error.contains(fragment), "\(arguments): \(run.error)")
            #expect(run.output.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
        let missing = directory.appendingPathComponent("no-such-folder/report.html").path
        let run = try CommandLineTests.run(["fit"] + Self.sleepstudy + ["--report", missing])
        #expect(run.status != 0)
        #expect(run.error.contains("no-such-folder"))
    }

    // MARK: - Rendering

    /// Debian's `chromium` (or another Chromium / Chrome) on the PATH.
    static let chromium: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        for directory in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
                let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }()

    @Test("headless Chromium renders the report to a PNG",
          .enabled(if: chromium != nil, "Chromium is not installed (apt-get install chromium); skipped"))
    func rendersInChromium() throws {
        guard let chromium = Self.chromium else { return }
        let (_, _, directory) = try Self.report()
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")
        let png = directory.appendingPathComponent("report.png")
        let process = Process()
        process.executableURL = chromium
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                             "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
                             "--screenshot=\(png.path)", "--window-size=1200,3000", page.absoluteString]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        if process.isRunning {
            process.terminate()
            Issue.record("Chromium did not finish within 120 s")
            return
        }
        let data = try Data(contentsOf: png)
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "not a PNG")
        // A blank 1200 × 3000 page compresses to a few kilobytes; the tables and plots do not.
        #expect(data.count > 50_000, "the PNG is \(data.count) bytes")
    }
}
