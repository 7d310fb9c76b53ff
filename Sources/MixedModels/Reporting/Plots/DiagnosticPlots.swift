/// Draws the diagnostic plots of ``DiagnosticPlotKind`` from ``DiagnosticData`` as SVG.
public enum DiagnosticPlots {
    /// The grouping factors of the random effects, in term order, without repeats.
    public static func groups(of data: DiagnosticData) -> [String] {
        var seen: Set<String> = []
        return data.randomEffects.map(\.group).filter { seen.insert($0).inserted }
    }

    /// One plot.
    ///
    /// - Parameters:
    ///   - group: for `.caterpillar`, the grouping factor whose columns are drawn side by side;
    ///     it may be omitted when the model has one grouping factor. Ignored by the other kinds.
    ///   - confidence: the coverage of the caterpillar intervals (0.95: ±1.96 conditional SD).
    /// - Throws: ``MixedModelError/invalidArgument(_:)`` for a group that is not a grouping
    ///   factor of the model, or a missing group when the model has several.
    public static func svg(_ kind: DiagnosticPlotKind, data: DiagnosticData, group: String? = nil,
                           confidence: Double = 0.95) throws(MixedModelError) -> SVGDocument {
        switch kind {
        case .fitted: return ResidualsVersusFittedPlot.svg(data)
        case .qq: return NormalQuantilePlot.svg(data)
        case .histogram: return ResidualHistogram.svg(data)
        case .observed: return ObservedVersusFittedPlot.svg(data)
        case .caseorder: return CaseOrderPlot.svg(data)
        case .lagged: return LaggedResidualsPlot.svg(data)
        case .symmetry: return SymmetryPlot.svg(data)
        case .caterpillar:
            let name = try chosenGroup(group, data: data)
            return CaterpillarPlot.panels(data.randomEffects.filter { $0.group == name }, confidence: confidence)
        }
    }

    /// One caterpillar plot per random-effects term and column, in term order.
    public static func caterpillars(_ data: DiagnosticData, confidence: Double = 0.95) -> [SVGDocument] {
        data.randomEffects.map { CaterpillarPlot.svg($0, confidence: confidence) }
    }

    /// The group to draw: `group` when it is a grouping factor, the only one when omitted.
    static func chosenGroup(_ group: String?, data: DiagnosticData) throws(MixedModelError) -> String {
        let names = groups(of: data)
        if let group {
            guard names.contains(group) else {
                throw .invalidArgument("'\(group)' is not a grouping factor of the model; its grouping factors are: \(names.joined(separator: ", "))")
            }
            return group
        }
        guard names.count == 1, let only = names.first else {
            throw .invalidArgument(names.isEmpty
                ? "the model has no random effects to draw"
                : "the model has several grouping factors (\(names.joined(separator: ", "))); choose one")
        }
        return only
    }
}
