// The portable path: plain C that the compiler vectorises for the baseline target
// (SSE2 on x86-64, NEON on aarch64).
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "ck_internal.h"

#define CK_SUFFIX portable
#define CK_MR 4
#define CK_NR 4
#define CK_MC 128
#define CK_KC 256
#define CK_NC 1024
#define CK_NB 128

/// C[4×4] −= Ap·Bpᵀ.
static inline __attribute__((always_inline)) void ck_kernel_portable(int kc, const double *a, const double *b,
                                                                      double *c, int ldc) {
    double acc[CK_MR * CK_NR] = {0};
    for (int p = 0; p < kc; p++) {
        for (int j = 0; j < CK_NR; j++) {
            double bj = b[j];
            for (int i = 0; i < CK_MR; i++) acc[i + j * CK_MR] += a[i] * bj;
        }
        a += CK_MR;
        b += CK_NR;
    }
    for (int j = 0; j < CK_NR; j++)
        for (int i = 0; i < CK_MR; i++) c[i + (size_t)j * ldc] -= acc[i + j * CK_MR];
}
#define CK_KERNEL ck_kernel_portable

#include "ck_template.h"

CK_DEFINE_PATH(portable)
