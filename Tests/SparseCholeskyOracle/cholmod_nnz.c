/* Test oracle only (never part of the build): reads a symmetric pattern in Matrix Market
 * coordinate format (either triangle or both; values ignored), runs cholmod_analyze with the
 * AMD ordering only (postordered), and prints "nnz <nnz(L)> flops <fl> lnz <lnz>" from the
 * symbolic factor: nnz is Σ column counts (diagonal included), fl and lnz are CHOLMOD's
 * Common.fl and Common.lnz. Usage: cholmod_nnz file.mtx */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <suitesparse/cholmod.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s file.mtx\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    char line[1024];
    long n = 0, m = 0, entries = 0;
    do {
        if (!fgets(line, sizeof line, f)) { fprintf(stderr, "no size line\n"); return 2; }
    } while (line[0] == '%');
    if (sscanf(line, "%ld %ld %ld", &n, &m, &entries) != 3 || n != m) { fprintf(stderr, "bad size line\n"); return 2; }
    cholmod_common common;
    cholmod_start(&common);
    common.nmethods = 1;
    common.method[0].ordering = CHOLMOD_AMD;
    common.postorder = 1;
    common.supernodal = CHOLMOD_SIMPLICIAL;
    cholmod_triplet *t = cholmod_allocate_triplet(n, n, entries + n, -1, CHOLMOD_PATTERN, &common);
    int *ti = t->i, *tj = t->j;
    long k = 0;
    for (long e = 0; e < entries; e++) {
        long i, j;
        if (fscanf(f, "%ld %ld%*[^\n]", &i, &j) != 2) { fprintf(stderr, "bad entry %ld\n", e); return 2; }
        i--; j--;
        if (i < j) { long s = i; i = j; j = s; }   /* lower triangle (stype -1) */
        ti[k] = (int)i; tj[k] = (int)j; k++;
    }
    for (long d = 0; d < n; d++) { ti[k] = (int)d; tj[k] = (int)d; k++; }
    t->nnz = k;
    fclose(f);
    cholmod_sparse *a = cholmod_triplet_to_sparse(t, k, &common);
    cholmod_factor *l = cholmod_analyze(a, &common);
    if (!l) { fprintf(stderr, "cholmod_analyze failed (status %d)\n", common.status); return 1; }
    /* Σ column counts of the symbolic factor (ColCount includes the diagonal). */
    double nnz = 0;
    int *colcount = l->ColCount;
    for (long j = 0; j < n; j++) nnz += colcount[j];
    printf("nnz %.0f flops %.0f lnz %.0f\n", nnz, common.fl, common.lnz);
    cholmod_free_factor(&l, &common);
    cholmod_free_sparse(&a, &common);
    cholmod_free_triplet(&t, &common);
    cholmod_finish(&common);
    return 0;
}
