/* Fannkuch-redux (the Benchmarks Game program), n = 10, written the same way
   as fannkuch.kl. */
#include <stdio.h>
#include <stdlib.h>

static void fannkuch(long long n, long long *checksum_out, long long *max_flips_out) {
    long long *perm1 = malloc(n * sizeof *perm1);
    long long *perm = malloc(n * sizeof *perm);
    long long *count = malloc(n * sizeof *count);
    for (long long i = 0; i < n; i++) { perm1[i] = i; perm[i] = 0; count[i] = 0; }
    long long max_flips = 0, checksum = 0, perm_count = 0;
    long long r = n;
    int done = 0;
    while (!done) {
        while (r != 1) {
            count[r - 1] = r;
            r -= 1;
        }

        /* Count the flips of this permutation. */
        for (long long i = 0; i < n; i++) perm[i] = perm1[i];
        long long flips = 0;
        long long k = perm[0];
        while (k != 0) {
            long long lo = 0, hi = k;
            while (lo < hi) {
                long long t = perm[lo];
                perm[lo] = perm[hi];
                perm[hi] = t;
                lo += 1;
                hi -= 1;
            }
            flips += 1;
            k = perm[0];
        }
        if (flips > max_flips) max_flips = flips;
        if (perm_count % 2 == 0) checksum += flips; else checksum -= flips;

        /* Next permutation: rotate the first r + 1 elements left by one, as
           often as count says. */
        for (;;) {
            if (r == n) {
                done = 1;
                break;
            }
            long long perm0 = perm1[0];
            for (long long i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r] -= 1;
            if (count[r] > 0) break;
            r += 1;
        }
        perm_count += 1;
    }
    *checksum_out = checksum;
    *max_flips_out = max_flips;
    free(perm1); free(perm); free(count);
}

int main(void) {
    const long long n = 10;
    long long checksum, max_flips;
    fannkuch(n, &checksum, &max_flips);
    printf("%lld\nPfannkuchen(%lld) = %lld\n", checksum, n, max_flips);
    return 0;
}
