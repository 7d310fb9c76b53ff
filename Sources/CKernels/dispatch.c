// Run-time choice of the kernel path: detected once per process from the CPU's features,
// optionally overridden per thread (tests and benchmarks).
#include "CKernels.h"
#include "ck_internal.h"

static int ck_detected_path = MM_PATH_AUTO; // written once; every writer stores the same value
static _Thread_local int ck_forced_path = MM_PATH_AUTO;
static _Thread_local int ck_thread_limit = 0;

int mm_set_thread_limit(int threads) {
    int previous = ck_thread_limit;
    ck_thread_limit = threads > 0 ? threads : 0;
    return previous;
}

int mm_thread_limit(void) { return ck_thread_limit; }

static int ck_best_path(void) {
    int path = __atomic_load_n(&ck_detected_path, __ATOMIC_RELAXED);
    if (path != MM_PATH_AUTO) return path;
    path = MM_PATH_PORTABLE;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        path = MM_PATH_AVX2;
    }
#endif
    __atomic_store_n(&ck_detected_path, path, __ATOMIC_RELAXED);
    return path;
}

int mm_kernel_path(void) {
    int best = ck_best_path();
    int forced = ck_forced_path;
    if (forced == MM_PATH_AUTO) return best;
    return forced < best ? forced : best;
}

int mm_set_kernel_path(int path) {
    int previous = ck_forced_path;
    ck_forced_path = (path == MM_PATH_PORTABLE || path == MM_PATH_AVX2) ? path : MM_PATH_AUTO;
    return previous;
}

#if defined(__x86_64__)
#define CK_DISPATCH(call)                                                                          \
    switch (mm_kernel_path()) {                                                                    \
    case MM_PATH_AVX2: return ck_path_##call##_avx2;                                               \
    default: return ck_path_##call##_portable;                                                     \
    }
#else
#define CK_DISPATCH(call) return ck_path_##call##_portable;
#endif

typedef void (*ck_gemm_fn)(int, int, int, const double *, int, const double *, int, double *, int);
typedef void (*ck_syrk_fn)(int, int, const double *, int, double *, int);
typedef int (*ck_potrf_fn)(int, double *, int);
typedef int (*ck_potrf_threads_fn)(int, double *, int, int);
typedef void (*ck_trsm_fn)(int, int, const double *, int, double *, int);

static ck_gemm_fn ck_gemm_for_path(void) { CK_DISPATCH(gemm) }
static ck_syrk_fn ck_syrk_for_path(void) { CK_DISPATCH(syrk) }
static ck_potrf_fn ck_potrf_for_path(void) { CK_DISPATCH(potrf) }
static ck_potrf_threads_fn ck_potrf_threads_for_path(void) { CK_DISPATCH(potrf_threads) }
static ck_trsm_fn ck_trsm_for_path(void) { CK_DISPATCH(trsm) }

void mm_gemm_nt_sub(int m, int n, int k, const double *A, int lda, const double *B, int ldb,
                    double *C, int ldc) {
    ck_gemm_for_path()(m, n, k, A, lda, B, ldb, C, ldc);
}

void mm_syrk_lower_sub(int n, int k, const double *A, int lda, double *C, int ldc) {
    ck_syrk_for_path()(n, k, A, lda, C, ldc);
}

int mm_potrf_lower(int n, double *A, int lda) { return ck_potrf_for_path()(n, A, lda); }

int mm_potrf_lower_threads(int n, double *A, int lda, int threads) {
    // The path is chosen here, on the calling thread (a forced path is per thread), and the
    // team's threads run that path's code.
    return ck_potrf_threads_for_path()(n, A, lda, threads);
}

void mm_trsm_right_lower_trans(int m, int n, const double *L, int ldl, double *X, int ldx) {
    ck_trsm_for_path()(m, n, L, ldl, X, ldx);
}
