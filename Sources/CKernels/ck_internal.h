// Internal entry points of each kernel path (see dispatch.c).
#ifndef CK_INTERNAL_H
#define CK_INTERNAL_H

#define CK_DECLARE_PATH(suffix)                                                                      \
    void ck_path_gemm_##suffix(int m, int n, int k, const double *A, int lda, const double *B,      \
                               int ldb, double *C, int ldc);                                         \
    void ck_path_syrk_##suffix(int n, int k, const double *A, int lda, double *C, int ldc);         \
    int ck_path_potrf_##suffix(int n, double *A, int lda);                                           \
    int ck_path_potrf_threads_##suffix(int n, double *A, int lda, int threads);                      \
    void ck_path_trsm_##suffix(int m, int n, const double *L, int ldl, double *X, int ldx);

CK_DECLARE_PATH(portable)
#if defined(__x86_64__)
CK_DECLARE_PATH(avx2)
#endif

// Defines the exported entry points of a path from the template's static functions.
#define CK_DEFINE_PATH(suffix)                                                                       \
    void ck_path_gemm_##suffix(int m, int n, int k, const double *A, int lda, const double *B,      \
                               int ldb, double *C, int ldc) {                                        \
        ck_gemm_##suffix(m, n, k, A, lda, B, ldb, C, ldc);                                           \
    }                                                                                                \
    void ck_path_syrk_##suffix(int n, int k, const double *A, int lda, double *C, int ldc) {        \
        ck_syrk_##suffix(n, k, A, lda, C, ldc);                                                      \
    }                                                                                                \
    int ck_path_potrf_##suffix(int n, double *A, int lda) { return ck_potrf_##suffix(n, A, lda); }  \
    int ck_path_potrf_threads_##suffix(int n, double *A, int lda, int threads) {                     \
        return ck_potrf_threads_##suffix(n, A, lda, threads);                                        \
    }                                                                                                \
    void ck_path_trsm_##suffix(int m, int n, const double *L, int ldl, double *X, int ldx) {        \
        ck_trsm_##suffix(m, n, L, ldl, X, ldx);                                                      \
    }

#endif
