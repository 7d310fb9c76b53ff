/// Dense double-precision kernels for the dense blocks of the Cholesky factor.
///
/// All matrices are column-major with explicit leading dimensions (ld ≥ rows). Each entry point
/// dispatches at run time (the CPU is inspected once per process) to the fastest path it
/// supports: AVX2 + FMA, or a portable C path (what any x86-64 or aarch64 compiler vectorises
/// on its own). An AVX-512 path was measured twice on the target machine (AMD EPYC, family 25
/// model 17: Zen 4, whose 512-bit FMAs are double-pumped) and not kept: a 24 × 8 zmm micro-kernel
/// took a one-core product from 42 to 46 GFLOP/s but the two-thread Cholesky of 1,156 and 2,000
/// rows by 0–5%, within the machine's noise. The paths differ only in rounding; for a given path the results do not depend on
/// threads or timing (the kernels run on the calling thread, except `mm_potrf_lower_threads`,
/// whose split does not change the result, and allocate their own packing buffers).
#ifndef CKERNELS_H
#define CKERNELS_H

#ifdef __cplusplus
extern "C" {
#endif

/// Kernel paths for `mm_set_kernel_path` / `mm_kernel_path`.
enum {
    MM_PATH_AUTO = 0,
    MM_PATH_PORTABLE = 1,
    MM_PATH_AVX2 = 2
};

/// C −= A·Bᵀ: C m×n (ldc), A m×k (lda), B n×k (ldb).
void mm_gemm_nt_sub(int m, int n, int k, const double *A, int lda, const double *B, int ldb,
                    double *C, int ldc);

/// Lower triangle of C −= A·Aᵀ: C n×n (ldc), A n×k (lda). Entries strictly above the diagonal
/// inside the diagonal blocks may be overwritten with partial results (callers ignore the
/// upper triangle); the rest of the upper triangle is left untouched.
void mm_syrk_lower_sub(int n, int k, const double *A, int lda, double *C, int ldc);

/// In-place lower Cholesky factor of the symmetric positive definite n×n matrix A (its lower
/// triangle is read). Returns 0 on success, with the strict upper triangle set to zero, or the
/// 1-based column of the first pivot that is not positive and finite (A is then partly
/// overwritten).
int mm_potrf_lower(int n, double *A, int lda);

/// `mm_potrf_lower` on up to `threads` threads (at most 8; the calling thread is one of them):
/// the product and triangular-solve steps of each panel are split by rows, the diagonal
/// blocks are factored by the calling thread. The result is bit-for-bit that of
/// `mm_potrf_lower` on the same kernel path, for any number of threads and any timing. With
/// `threads` ≤ 1, or n at most one panel wide, or when no thread can be started, it runs on the
/// calling thread alone. Worker threads are started per call and end before it returns.
int mm_potrf_lower_threads(int n, double *A, int lda, int threads);

/// X ← X·L⁻ᵀ: X m×n (ldx), L n×n lower triangular (ldl; its upper triangle is not read).
void mm_trsm_right_lower_trans(int m, int n, const double *L, int ldl, double *X, int ldx);

/// Forces a kernel path on the calling thread only (for tests and benchmarks): MM_PATH_AUTO
/// restores the automatic choice; a path the CPU does not support falls back to the best one
/// it does. Returns the previous setting for this thread.
int mm_set_kernel_path(int path);

/// The path the calling thread's next call will use (never MM_PATH_AUTO).
int mm_kernel_path(void);

/// Caps the number of threads that threaded work started from the calling thread may use
/// (0: no cap, the default). Code that already runs one task per core (parallel bootstrap
/// replicates) sets 1 so that the kernels do not oversubscribe the cores. Returns the previous
/// setting for this thread.
int mm_set_thread_limit(int threads);

/// The calling thread's cap (0: none).
int mm_thread_limit(void);

#ifdef __cplusplus
}
#endif

#endif
