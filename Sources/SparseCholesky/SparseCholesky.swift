/// Sparse symmetric positive definite factorisation: ordering, symbolic analysis and a
/// supernodal numeric Cholesky (see the other files of this module).
public enum SparseCholeskyModule {}
