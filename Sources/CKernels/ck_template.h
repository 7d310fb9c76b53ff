// The blocking drivers, instantiated once per kernel path (portable.c, avx2.c).
//
// Before including, define:
//   CK_SUFFIX                 name suffix of the instantiated functions (e.g. avx2)
//   CK_MR, CK_NR              register tile of the micro-kernel (rows × columns of C)
//   CK_MC, CK_KC, CK_NC       cache blocks (CK_MC a multiple of CK_MR, CK_NC of CK_NR)
//   CK_NB                     panel width of the Cholesky factorisation
//   CK_KERNEL(kc, a, b, c, ldc)  C[MR×NR] −= Ap·Bpᵀ from packed micro-panels
//                             (a: kc × MR, b: kc × NR, each step's values contiguous)
// This file defines static functions; the including file exports them.

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define CK_CAT_(a, b) a##_##b
#define CK_CAT(a, b) CK_CAT_(a, b)
#define CK_NAME(f) CK_CAT(f, CK_SUFFIX)

#define CK_ALWAYS_INLINE static inline __attribute__((always_inline))

// A square root without errno handling (so no call into libm).
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_sqrt)
#define CK_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define CK_SQRT(x) __builtin_sqrt(x)
#endif

// Below this many multiply-adds a product is computed directly, without packing.
#define CK_SMALL_PRODUCT 4096
// Triangular solves at most this wide are done directly (wider ones are split recursively).
#define CK_TRSM_BLOCK 32
// Diagonal blocks at most this wide are factored unblocked.
#define CK_POTRF_UNBLOCKED 32

CK_ALWAYS_INLINE int CK_NAME(ck_min)(int a, int b) { return a < b ? a : b; }

/// Packs rows [0, mc) of A (mc × kc, lda) into MR-tall micro-panels, zero-padding the last.
CK_ALWAYS_INLINE void CK_NAME(ck_pack_a)(int mc, int kc, const double *A, int lda, double *Ap) {
    for (int i = 0; i < mc; i += CK_MR) {
        int mr = CK_NAME(ck_min)(CK_MR, mc - i);
        const double *src = A + i;
        if (mr == CK_MR) {
            for (int p = 0; p < kc; p++) {
                const double *s = src + (size_t)p * lda;
                memcpy(Ap, s, CK_MR * sizeof(double));
                Ap += CK_MR;
            }
        } else {
            for (int p = 0; p < kc; p++) {
                const double *s = src + (size_t)p * lda;
                int r = 0;
                for (; r < mr; r++) Ap[r] = s[r];
                for (; r < CK_MR; r++) Ap[r] = 0;
                Ap += CK_MR;
            }
        }
    }
}

/// Packs rows [0, nc) of B (nc × kc, ldb) into NR-wide micro-panels, zero-padding the last.
CK_ALWAYS_INLINE void CK_NAME(ck_pack_b)(int nc, int kc, const double *B, int ldb, double *Bp) {
    for (int j = 0; j < nc; j += CK_NR) {
        int nr = CK_NAME(ck_min)(CK_NR, nc - j);
        const double *src = B + j;
        if (nr == CK_NR) {
            for (int p = 0; p < kc; p++) {
                const double *s = src + (size_t)p * ldb;
                memcpy(Bp, s, CK_NR * sizeof(double));
                Bp += CK_NR;
            }
        } else {
            for (int p = 0; p < kc; p++) {
                const double *s = src + (size_t)p * ldb;
                int c = 0;
                for (; c < nr; c++) Bp[c] = s[c];
                for (; c < CK_NR; c++) Bp[c] = 0;
                Bp += CK_NR;
            }
        }
    }
}

/// C −= A·Bᵀ by direct loops (small products).
CK_ALWAYS_INLINE void CK_NAME(ck_gemm_direct)(int m, int n, int k, const double *A, int lda,
                                             const double *B, int ldb, double *C, int ldc) {
    for (int j = 0; j < n; j++) {
        double *c = C + (size_t)j * ldc;
        for (int p = 0; p < k; p++) {
            double b = B[j + (size_t)p * ldb];
            const double *a = A + (size_t)p * lda;
            for (int i = 0; i < m; i++) c[i] -= a[i] * b;
        }
    }
}

/// The packing workspace of the calling thread, grown when a product needs more and kept for
/// the next call, so that the optimiser loop does not allocate (one buffer per thread, at most
/// the size of the largest packed panels, about 2.5 MB). Threads started by the threaded
/// factorisation release theirs before they end (`ck_release_workspace`).
static _Thread_local double *CK_NAME(ck_workspace_buffer) = NULL;
static _Thread_local size_t CK_NAME(ck_workspace_capacity) = 0;

static double *CK_NAME(ck_workspace)(size_t bytes) {
    if (bytes > CK_NAME(ck_workspace_capacity)) {
        double *grown = (double *)aligned_alloc(64, bytes);
        if (!grown) return NULL;
        free(CK_NAME(ck_workspace_buffer));
        CK_NAME(ck_workspace_buffer) = grown;
        CK_NAME(ck_workspace_capacity) = bytes;
    }
    return CK_NAME(ck_workspace_buffer);
}

static void CK_NAME(ck_release_workspace)(void) {
    free(CK_NAME(ck_workspace_buffer));
    CK_NAME(ck_workspace_buffer) = NULL;
    CK_NAME(ck_workspace_capacity) = 0;
}

static void CK_NAME(ck_gemm)(int m, int n, int k, const double *A, int lda, const double *B, int ldb,
                             double *C, int ldc) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    if ((long)m * n * k <= CK_SMALL_PRODUCT) {
        CK_NAME(ck_gemm_direct)(m, n, k, A, lda, B, ldb, C, ldc);
        return;
    }
    int kcMax = CK_NAME(ck_min)(k, CK_KC);
    int mcMax = CK_NAME(ck_min)((m + CK_MR - 1) / CK_MR * CK_MR, CK_MC);
    int ncMax = CK_NAME(ck_min)((n + CK_NR - 1) / CK_NR * CK_NR, CK_NC);
    // Bp first, then Ap from a 64-byte boundary (the micro-kernels load Ap aligned).
    size_t bCount = ((size_t)kcMax * (size_t)ncMax + 7) / 8 * 8;
    size_t bytes = (bCount + (size_t)kcMax * (size_t)mcMax) * sizeof(double);
    double *buffer = CK_NAME(ck_workspace)((bytes + 63) / 64 * 64);
    if (!buffer) {
        CK_NAME(ck_gemm_direct)(m, n, k, A, lda, B, ldb, C, ldc);
        return;
    }
    double *Bp = buffer;
    double *Ap = buffer + bCount;
    double edge[CK_MR * CK_NR] __attribute__((aligned(64)));
    for (int jc = 0; jc < n; jc += CK_NC) {
        int nc = CK_NAME(ck_min)(CK_NC, n - jc);
        for (int pc = 0; pc < k; pc += CK_KC) {
            int kc = CK_NAME(ck_min)(CK_KC, k - pc);
            CK_NAME(ck_pack_b)(nc, kc, B + jc + (size_t)pc * ldb, ldb, Bp);
            for (int ic = 0; ic < m; ic += CK_MC) {
                int mc = CK_NAME(ck_min)(CK_MC, m - ic);
                CK_NAME(ck_pack_a)(mc, kc, A + ic + (size_t)pc * lda, lda, Ap);
                for (int jr = 0; jr < nc; jr += CK_NR) {
                    int nr = CK_NAME(ck_min)(CK_NR, nc - jr);
                    const double *bp = Bp + (size_t)jr * kc;
                    double *cColumn = C + (size_t)(jc + jr) * ldc + ic;
                    for (int ir = 0; ir < mc; ir += CK_MR) {
                        int mr = CK_NAME(ck_min)(CK_MR, mc - ir);
                        const double *ap = Ap + (size_t)ir * kc;
                        if (mr == CK_MR && nr == CK_NR) {
                            CK_KERNEL(kc, ap, bp, cColumn + ir, ldc);
                        } else {
                            memset(edge, 0, sizeof(edge));
                            CK_KERNEL(kc, ap, bp, edge, CK_MR);
                            for (int c = 0; c < nr; c++) {
                                double *target = cColumn + ir + (size_t)c * ldc;
                                for (int r = 0; r < mr; r++) target[r] += edge[r + c * CK_MR];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Lower triangle of C −= A·Aᵀ, by column blocks (each block's rows from its diagonal down).
static void CK_NAME(ck_syrk)(int n, int k, const double *A, int lda, double *C, int ldc) {
    if (n <= 0 || k <= 0) return;
    const int block = CK_NB;
    for (int j = 0; j < n; j += block) {
        int w = CK_NAME(ck_min)(block, n - j);
        CK_NAME(ck_gemm)(n - j, w, k, A + j, lda, A + j, lda, C + j + (size_t)j * ldc, ldc);
    }
}

/// Rows [0, m) of X (m × w, ldx) ← X·L⁻ᵀ for a small w×w lower triangular L, given the
/// reciprocals of its diagonal. Rows go in chunks that stay in registers.
CK_ALWAYS_INLINE void CK_NAME(ck_trsm_small)(int m, int w, const double *L, int ldl, const double *inverse,
                                            double *X, int ldx) {
    enum { R = 16 };
    int i = 0;
    for (; i + R <= m; i += R) {
        double *x = X + i;
        for (int j = 0; j < w; j++) {
            double acc[R];
            double *target = x + (size_t)j * ldx;
            for (int r = 0; r < R; r++) acc[r] = target[r];
            for (int q = 0; q < j; q++) {
                double l = L[j + (size_t)q * ldl];
                const double *source = x + (size_t)q * ldx;
                for (int r = 0; r < R; r++) acc[r] -= source[r] * l;
            }
            double d = inverse[j];
            for (int r = 0; r < R; r++) target[r] = acc[r] * d;
        }
    }
    if (i < m) {
        int rows = m - i;
        double *x = X + i;
        for (int j = 0; j < w; j++) {
            double *target = x + (size_t)j * ldx;
            for (int q = 0; q < j; q++) {
                double l = L[j + (size_t)q * ldl];
                const double *source = x + (size_t)q * ldx;
                for (int r = 0; r < rows; r++) target[r] -= source[r] * l;
            }
            double d = inverse[j];
            for (int r = 0; r < rows; r++) target[r] *= d;
        }
    }
}

/// X ← X·L⁻ᵀ, recursively: with L = [L11 0; L21 L22] split by columns, X1 ← X1·L11⁻ᵀ, then
/// X2 −= X1·L21ᵀ (one product), then X2 ← X2·L22⁻ᵀ; blocks at most CK_TRSM_BLOCK wide are solved
/// directly.
static void CK_NAME(ck_trsm)(int m, int n, const double *L, int ldl, double *X, int ldx) {
    if (m <= 0 || n <= 0) return;
    if (n <= CK_TRSM_BLOCK) {
        double inverse[CK_TRSM_BLOCK];
        for (int q = 0; q < n; q++) inverse[q] = 1.0 / L[q + (size_t)q * ldl];
        CK_NAME(ck_trsm_small)(m, n, L, ldl, inverse, X, ldx);
        return;
    }
    // Split at a multiple of the block width (and of the micro-kernel's tile).
    int half = (n / 2 + CK_TRSM_BLOCK - 1) / CK_TRSM_BLOCK * CK_TRSM_BLOCK;
    CK_NAME(ck_trsm)(m, half, L, ldl, X, ldx);
    CK_NAME(ck_gemm)(m, n - half, half, X, ldx, L + half, ldl, X + (size_t)half * ldx, ldx);
    CK_NAME(ck_trsm)(m, n - half, L + half + (size_t)half * ldl, ldl, X + (size_t)half * ldx, ldx);
}

/// Unblocked left-looking Cholesky of the n×n lower triangle; 0 or the 1-based failing column.
CK_ALWAYS_INLINE int CK_NAME(ck_potrf_unblocked)(int n, double *A, int lda) {
    for (int j = 0; j < n; j++) {
        double *target = A + (size_t)j * lda;
        for (int q = 0; q < j; q++) {
            const double *source = A + (size_t)q * lda;
            double f = source[j];
            for (int i = j; i < n; i++) target[i] -= source[i] * f;
        }
        double pivot = target[j];
        if (!(pivot > 0) || !(pivot < __builtin_inf())) return j + 1;
        double root = CK_SQRT(pivot);
        target[j] = root;
        double inverse = 1.0 / root;
        for (int i = j + 1; i < n; i++) target[i] *= inverse;
    }
    return 0;
}

/// Blocked left-looking Cholesky (LAPACK potrf structure) with panels of `nb` columns: each
/// panel is updated by one product with the columns already factored, its diagonal block is
/// factored (recursively with narrower panels), and the rows below are solved against it.
static int CK_NAME(ck_potrf_blocked)(int n, double *A, int lda, int nb) {
    if (n <= CK_POTRF_UNBLOCKED) return CK_NAME(ck_potrf_unblocked)(n, A, lda);
    for (int s = 0; s < n; s += nb) {
        int w = CK_NAME(ck_min)(nb, n - s);
        double *panel = A + s + (size_t)s * lda;
        if (s > 0) CK_NAME(ck_gemm)(n - s, w, s, A + s, lda, A + s, lda, panel, lda);
        int inner = nb > 4 * CK_POTRF_UNBLOCKED ? nb / 4 : CK_POTRF_UNBLOCKED;
        int info = CK_NAME(ck_potrf_blocked)(w, panel, lda, inner);
        if (info != 0) return s + info;
        if (s + w < n) CK_NAME(ck_trsm)(n - s - w, w, panel, lda, panel + w, lda);
    }
    return 0;
}

static int CK_NAME(ck_potrf)(int n, double *A, int lda) {
    if (n <= 0) return 0;
    int info = CK_NAME(ck_potrf_blocked)(n, A, lda, CK_NB);
    if (info != 0) return info;
    for (int j = 1; j < n; j++) memset(A + (size_t)j * lda, 0, (size_t)j * sizeof(double));
    return 0;
}

// ---------------------------------------------------------------------------------------------
// The threaded factorisation: the same blocked left-looking algorithm, with the two large steps
// of each panel (the product with the factored columns and the solve of the rows below the
// diagonal block) split by rows across a team of threads, and the diagonal block factored by
// the first thread. Every entry is computed by the same sequence of operations as in the
// single-threaded `ck_potrf` (the row split changes which thread computes a row, not how: both
// products stay on the packed path, see CK_THREAD_MIN_ROWS), so the result is bit-for-bit the
// single-threaded one, whatever the number of threads or their timing.

#include <pthread.h>

// Each thread takes at least this many rows of a split step (fewer rows go to fewer threads).
// With at least 64 rows every product inside the split steps exceeds CK_SMALL_PRODUCT, so it
// takes the packed path as it does unsplit.
#define CK_THREAD_MIN_ROWS 64
#define CK_MAX_THREADS 8
// Spins of a waiting thread before it sleeps (about 100 µs of pause instructions).
#define CK_BARRIER_SPINS 20000
#if defined(__x86_64__)
#define CK_PAUSE() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define CK_PAUSE() __asm__ __volatile__("yield")
#else
#define CK_PAUSE() ((void)0)
#endif

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int parties;      // threads in the team (fixed before any thread waits)
    int arrived;      // threads waiting in the current round
    long generation;  // rounds completed
    int started;      // the team is complete and may start
    int n, lda, nb;
    double *A;
    int info;         // written by thread 0 between two barriers
} CK_NAME(ck_team);

typedef struct {
    CK_NAME(ck_team) *team;
    int rank;
} CK_NAME(ck_member_arg);

/// Waits until every thread of the team has arrived. A barrier between two steps of one
/// factorisation is usually crossed within microseconds, so a waiting thread first spins on the
/// round counter (a sleep and a wake-up through the condition variable cost tens of
/// microseconds on the 2-vCPU machine; measured, best of 15 on two threads, two interleaved
/// runs: n = 1,156 9.6 / 10.9 → 9.2 / 9.4 ms, n = 2,000 41.8 / 42.8 → 39.6 / 41.8 ms), and
/// sleeps on the condition variable only when the round takes longer (another thread
/// descheduled on a busy machine). The arithmetic is unchanged.
static void CK_NAME(ck_barrier)(CK_NAME(ck_team) *team) {
    long generation = __atomic_load_n(&team->generation, __ATOMIC_ACQUIRE);
    if (__atomic_add_fetch(&team->arrived, 1, __ATOMIC_ACQ_REL) == team->parties) {
        __atomic_store_n(&team->arrived, 0, __ATOMIC_RELAXED);
        pthread_mutex_lock(&team->lock);
        __atomic_store_n(&team->generation, generation + 1, __ATOMIC_RELEASE);
        pthread_cond_broadcast(&team->wake);
        pthread_mutex_unlock(&team->lock);
        return;
    }
    for (int spin = 0; spin < CK_BARRIER_SPINS; spin++) {
        if (__atomic_load_n(&team->generation, __ATOMIC_ACQUIRE) != generation) return;
        CK_PAUSE();
    }
    pthread_mutex_lock(&team->lock);
    while (__atomic_load_n(&team->generation, __ATOMIC_ACQUIRE) == generation) pthread_cond_wait(&team->wake, &team->lock);
    pthread_mutex_unlock(&team->lock);
}

/// Rows [lo, hi) of `rows` for thread `rank` of `parties`: equal parts at multiples of CK_MR,
/// at least CK_THREAD_MIN_ROWS each (so small steps use fewer threads).
static void CK_NAME(ck_split_rows)(int rows, int parties, int rank, int *lo, int *hi) {
    int used = rows / CK_THREAD_MIN_ROWS;
    if (used < 1) used = 1;
    if (used > parties) used = parties;
    if (rank >= used) {
        *lo = *hi = rows;
        return;
    }
    int part = (rows + used - 1) / used;
    part = (part + CK_MR - 1) / CK_MR * CK_MR;
    int start = rank * part;
    int end = start + part;
    *lo = start < rows ? start : rows;
    *hi = end < rows ? end : rows;
}

static void CK_NAME(ck_potrf_member)(CK_NAME(ck_team) *team, int rank) {
    const int n = team->n, lda = team->lda, nb = team->nb, parties = team->parties;
    double *A = team->A;
    for (int s = 0; s < n; s += nb) {
        int w = CK_NAME(ck_min)(nb, n - s);
        double *panel = A + s + (size_t)s * lda;
        int lo, hi;
        if (s > 0) {
            CK_NAME(ck_split_rows)(n - s, parties, rank, &lo, &hi);
            if (hi > lo) CK_NAME(ck_gemm)(hi - lo, w, s, A + s + lo, lda, A + s, lda, panel + lo, lda);
            CK_NAME(ck_barrier)(team);
        }
        if (rank == 0) {
            int inner = nb > 4 * CK_POTRF_UNBLOCKED ? nb / 4 : CK_POTRF_UNBLOCKED;
            int info = CK_NAME(ck_potrf_blocked)(w, panel, lda, inner);
            if (info != 0) team->info = s + info;
        }
        CK_NAME(ck_barrier)(team);
        if (team->info != 0) return;
        if (s + w < n) {
            CK_NAME(ck_split_rows)(n - s - w, parties, rank, &lo, &hi);
            if (hi > lo) CK_NAME(ck_trsm)(hi - lo, w, panel, lda, panel + w + lo, lda);
            CK_NAME(ck_barrier)(team);
        }
    }
}

static void *CK_NAME(ck_potrf_worker)(void *argument) {
    CK_NAME(ck_member_arg) *member = (CK_NAME(ck_member_arg) *)argument;
    CK_NAME(ck_team) *team = member->team;
    pthread_mutex_lock(&team->lock);
    while (!team->started) pthread_cond_wait(&team->wake, &team->lock);
    int active = member->rank < team->parties;
    pthread_mutex_unlock(&team->lock);
    if (active) CK_NAME(ck_potrf_member)(team, member->rank);
    CK_NAME(ck_release_workspace)();
    return NULL;
}

static int CK_NAME(ck_potrf_threads)(int n, double *A, int lda, int threads) {
    if (n <= 0) return 0;
    if (threads > CK_MAX_THREADS) threads = CK_MAX_THREADS;
    if (threads <= 1 || n <= CK_NB) return CK_NAME(ck_potrf)(n, A, lda);
    CK_NAME(ck_team) team;
    memset(&team, 0, sizeof(team));
    pthread_mutex_init(&team.lock, NULL);
    pthread_cond_init(&team.wake, NULL);
    team.n = n;
    team.lda = lda;
    team.nb = CK_NB;
    team.A = A;
    pthread_t workers[CK_MAX_THREADS];
    CK_NAME(ck_member_arg) members[CK_MAX_THREADS];
    int created = 0;
    for (int rank = 1; rank < threads; rank++) {
        members[rank].team = &team;
        members[rank].rank = rank;
        if (pthread_create(&workers[rank], NULL, CK_NAME(ck_potrf_worker), &members[rank]) != 0) break;
        created = rank;
    }
    // The team is the threads that exist; they wait for this before reading its size.
    pthread_mutex_lock(&team.lock);
    team.parties = created + 1;
    team.started = 1;
    pthread_cond_broadcast(&team.wake);
    pthread_mutex_unlock(&team.lock);
    CK_NAME(ck_potrf_member)(&team, 0);
    for (int rank = 1; rank <= created; rank++) pthread_join(workers[rank], NULL);
    pthread_cond_destroy(&team.wake);
    pthread_mutex_destroy(&team.lock);
    if (team.info != 0) return team.info;
    for (int j = 1; j < n; j++) memset(A + (size_t)j * lda, 0, (size_t)j * sizeof(double));
    return 0;
}
