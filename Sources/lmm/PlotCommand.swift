import ArgumentParser
import MixedModels

extension DiagnosticPlotKind: ExpressibleByArgument {
    public init?(argument: String) {
        let name = argument.lowercased()
        if name == "probability" {
            self = .qq
        } else if let kind = DiagnosticPlotKind(rawValue: name) {
            self = kind
        } else {
            return nil
        }
    }
}

/// The residuals a plot draws (`--type`; a type of its own so that this command's option
/// parsing stays independent of the other subcommands').
enum PlotResidualType: String, ExpressibleByArgument, CaseIterable {
    case raw, pearson, standardized

    init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }

    var residualType: ResidualType {
        switch self {
        case .raw: return .raw
        case .pearson: return .pearson
        case .standardized: return .standardized
        }
    }
}

/// `lmm plot`: fits the model and draws one diagnostic plot as an SVG file.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Fit the model, then draw one diagnostic plot (residuals, Q-Q, histogram, caterpillar, ...) as an SVG file.",
        discussion: """
        Kinds (--kind):
        \(DiagnosticPlotKind.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))
        A caterpillar plot draws one grouping factor (--group, needed when the model has several), each of its \
        random-effects columns in a panel; --alpha sets the intervals' level. \
        The residual plots are MATLAB's plotResiduals types (raw conditional residuals by default). Up to 20,000 \
        points are drawn one by one; larger scatter plots are drawn as density cells, and Q-Q and symmetry plots \
        thin the order statistics (keeping the 1,000 most extreme at each end), so the file stays small for any n.
        """
    )

    @OptionGroup var input: DataOptions
    @OptionGroup var modelOptions: ModelOptionsGroup

    @Option(name: .long, help: "The plot: fitted, qq, histogram, observed, caterpillar, caseorder, lagged or symmetry.")
    var kind: DiagnosticPlotKind

    @Option(name: .long, help: "For --kind caterpillar: the grouping factor to draw (needed when the model has several).")
    var group: String?

    @Option(name: .long, help: "Residuals: raw (default), pearson or standardized.")
    var type: PlotResidualType = .raw

    @Flag(name: .long, help: "Marginal residuals and fitted values (fixed effects only) instead of conditional ones.")
    var marginal = false

    @Option(name: .long, help: "For --kind caterpillar: intervals of confidence 1 - alpha (0.05: ±1.96 conditional SD).")
    var alpha: Double = 0.05

    @Option(name: .long, help: ArgumentHelp("The SVG file to write.", valueName: "FILE.svg"))
    var output: String

    func validate() throws {
        guard alpha > 0, alpha < 1 else { throw ValidationError("--alpha must be between 0 and 1") }
        if group != nil, kind != .caterpillar {
            throw ValidationError("--group applies to --kind caterpillar only")
        }
    }

    func run() throws {
        let table = try input.loadTable()
        let model = try LinearMixedModel(formula: input.formula, data: table, options: modelOptions.modelOptions())
        if kind == .caterpillar {
            try Self.checkGroup(group, of: model)
        }
        var evaluations = EvaluationReport()
        let fit = try model.fit(method: modelOptions.estimationMethod)
        evaluations.fitFinished()
        let data = DiagnosticData(fit: fit, residualType: type.residualType, conditional: !marginal)
        let svg = try DiagnosticPlots.svg(kind, data: data, group: group, confidence: 1 - alpha)
        try OutputFile.write(svg.rendered, to: output)
        evaluations.write()
    }

    /// Refuses, before fitting, a `--group` that is not a grouping factor, or a missing one when
    /// the model has several.
    static func checkGroup(_ group: String?, of model: LinearMixedModel) throws {
        var names: [String] = []
        for term in model.design.randomEffectsTerms where !names.contains(term.groupName) {
            names.append(term.groupName)
        }
        if let group {
            guard names.contains(group) else {
                throw CommandError("--group '\(group)' is not a grouping factor of the model; use one of: \(names.joined(separator: ", "))")
            }
        } else if names.count > 1 {
            throw CommandError("the model has several grouping factors (\(names.joined(separator: ", "))); choose one with --group")
        }
    }
}
