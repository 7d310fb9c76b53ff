import Testing
@testable import SparseCholesky

/// A 3×3 arrowhead pattern: no fill in the natural order (the full tests live in the module's
/// other test files).
@Test func arrowheadHasNoFill() throws {
    let pattern = try SymmetricPattern(dimension: 3, columnStarts: [0, 2, 4, 5], rowIndices: [0, 2, 1, 2, 2])
    let structure = try SupernodalStructure.analyze(pattern, ordering: [0, 1, 2])
    #expect(structure.exactNonzeroCount == 5)
}
