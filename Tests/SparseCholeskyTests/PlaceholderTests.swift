import Testing
@testable import SparseCholesky

@Test func moduleBuilds() {
    #expect(SparseCholeskyModule.self == SparseCholeskyModule.self)
}
