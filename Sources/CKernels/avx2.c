// The AVX2 + FMA path: an 8×6 register tile of __m256d accumulators. Compiled for AVX2 + FMA
// by a target attribute on every function of this file, and called only when the CPU has both.
#if defined(__x86_64__)

#include <immintrin.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "ck_internal.h"

#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)

#define CK_SUFFIX avx2
#define CK_MR 8
#define CK_NR 6
#define CK_MC 192
#define CK_KC 256
#define CK_NC 1536
#define CK_NB 192

/// C[8×6] −= Ap·Bpᵀ.
static inline __attribute__((always_inline)) void ck_kernel_avx2(int kc, const double *a, const double *b,
                                                                  double *c, int ldc) {
    __m256d c00 = _mm256_setzero_pd(), c10 = _mm256_setzero_pd();
    __m256d c01 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c02 = _mm256_setzero_pd(), c12 = _mm256_setzero_pd();
    __m256d c03 = _mm256_setzero_pd(), c13 = _mm256_setzero_pd();
    __m256d c04 = _mm256_setzero_pd(), c14 = _mm256_setzero_pd();
    __m256d c05 = _mm256_setzero_pd(), c15 = _mm256_setzero_pd();
    for (int p = 0; p < kc; p++) {
        __m256d a0 = _mm256_load_pd(a);
        __m256d a1 = _mm256_load_pd(a + 4);
        __m256d bj = _mm256_broadcast_sd(b);
        c00 = _mm256_fmadd_pd(a0, bj, c00);
        c10 = _mm256_fmadd_pd(a1, bj, c10);
        bj = _mm256_broadcast_sd(b + 1);
        c01 = _mm256_fmadd_pd(a0, bj, c01);
        c11 = _mm256_fmadd_pd(a1, bj, c11);
        bj = _mm256_broadcast_sd(b + 2);
        c02 = _mm256_fmadd_pd(a0, bj, c02);
        c12 = _mm256_fmadd_pd(a1, bj, c12);
        bj = _mm256_broadcast_sd(b + 3);
        c03 = _mm256_fmadd_pd(a0, bj, c03);
        c13 = _mm256_fmadd_pd(a1, bj, c13);
        bj = _mm256_broadcast_sd(b + 4);
        c04 = _mm256_fmadd_pd(a0, bj, c04);
        c14 = _mm256_fmadd_pd(a1, bj, c14);
        bj = _mm256_broadcast_sd(b + 5);
        c05 = _mm256_fmadd_pd(a0, bj, c05);
        c15 = _mm256_fmadd_pd(a1, bj, c15);
        a += 8;
        b += 6;
    }
#define CK_STORE(j, lo, hi)                                                                        \
    do {                                                                                           \
        double *t = c + (size_t)(j) * ldc;                                                         \
        _mm256_storeu_pd(t, _mm256_sub_pd(_mm256_loadu_pd(t), lo));                                \
        _mm256_storeu_pd(t + 4, _mm256_sub_pd(_mm256_loadu_pd(t + 4), hi));                        \
    } while (0)
    CK_STORE(0, c00, c10);
    CK_STORE(1, c01, c11);
    CK_STORE(2, c02, c12);
    CK_STORE(3, c03, c13);
    CK_STORE(4, c04, c14);
    CK_STORE(5, c05, c15);
#undef CK_STORE
}
#define CK_KERNEL ck_kernel_avx2

#include "ck_template.h"

CK_DEFINE_PATH(avx2)

#pragma clang attribute pop

#else
// Not x86-64: the portable path is the only one.
typedef int ck_avx2_unavailable;
#endif
