extension FittedModel {
    /// Satterthwaite's denominator degrees of freedom for the contrast Lβ (one row).
    /// PLACEHOLDER until the Satterthwaite implementation lands: returns n − p.
    func satterthwaiteDegreesOfFreedom(contrast: [Double]) -> Double {
        residualDegreesOfFreedom
    }
}
