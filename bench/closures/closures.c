/* Higher-order array operations, written the same way as closures.kl: map,
   filter, fold and sort over arrays of 1,000,000 integers, with small
   functions passed as function pointers (and a context pointer for what a
   closure would capture), and qsort for the sort. The sort keys are made
   unique, so qsort's lack of stability cannot change the result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    long long *data;
    size_t len;
} Array;

typedef long long (*MapFn)(long long x, const void *env);
typedef int (*PredFn)(long long x, const void *env);
typedef long long (*FoldFn)(long long acc, long long x, const void *env);

static Array new_array(size_t cap) {
    Array a = { malloc((cap ? cap : 1) * sizeof(long long)), 0 };
    if (!a.data) { fputs("out of memory\n", stderr); exit(1); }
    return a;
}

static Array map(Array a, MapFn f, const void *env) {
    Array r = new_array(a.len);
    for (size_t i = 0; i < a.len; i++) r.data[i] = f(a.data[i], env);
    r.len = a.len;
    return r;
}

static Array filter(Array a, PredFn p, const void *env) {
    Array r = new_array(a.len);
    for (size_t i = 0; i < a.len; i++) {
        if (p(a.data[i], env)) r.data[r.len++] = a.data[i];
    }
    return r;
}

static long long fold(Array a, long long init, FoldFn f, const void *env) {
    long long acc = init;
    for (size_t i = 0; i < a.len; i++) acc = f(acc, a.data[i], env);
    return acc;
}

/* The functions passed around; env points at the captured value, if any. */
static long long add_mod(long long x, const void *env) {   /* |x| x % 1000 + r */
    return x % 1000 + *(const long long *)env;
}
static int is_odd(long long y, const void *env) {          /* |y| y % 2 == 1 */
    (void)env;
    return y % 2 == 1;
}
static long long sum(long long acc, long long y, const void *env) {   /* |acc, y| acc + y */
    (void)env;
    return acc + y;
}
static int below(long long x, const void *env) {           /* |x| x < limit */
    return x < *(const long long *)env;
}
static long long mix(long long acc, long long y, const void *env) {   /* order-sensitive checksum */
    (void)env;
    return (acc * 31 + y) % 1000000007;
}

/* sort_by(|a, b| a % k < b % k || (a % k == b % k && a < b)) as a qsort
   comparison; qsort cannot pass a context, so k is a global. The elements
   are distinct, so this is a total order. */
static long long sort_k;
static int by_residue(const void *pa, const void *pb) {
    long long a = *(const long long *)pa, b = *(const long long *)pb;
    long long ra = a % sort_k, rb = b % sort_k;
    if (ra != rb) return ra < rb ? -1 : 1;
    return (a > b) - (a < b);
}

int main(void) {
    const size_t n = 1000000;
    const long long rounds = 25;
    const long long sorts = 2;

    /* 1,000,000 distinct numbers from the Park-Miller generator. */
    Array xs = new_array(n);
    long long seed = 42;
    for (size_t i = 0; i < n; i++) {
        seed = seed * 48271 % 2147483647;
        xs.data[xs.len++] = seed;
    }

    long long total = 0;
    long long kept = 0;
    for (long long r = 0; r < rounds; r++) {
        Array ys = map(xs, add_mod, &r);
        Array odd = filter(ys, is_odd, NULL);
        total = (total + fold(odd, 0, sum, NULL)) % 1000000007;
        long long limit = (r + 1) * 50000000;
        Array small = filter(xs, below, &limit);
        kept += (long long)small.len;
        free(ys.data);
        free(odd.data);
        free(small.data);
    }
    printf("map/filter/fold: %lld %lld\n", total, kept);

    long long checks = 0;
    for (long long s = 0; s < sorts; s++) {
        Array ys = new_array(n);   /* a copy to sort (xs.clone()) */
        memcpy(ys.data, xs.data, n * sizeof(long long));
        ys.len = n;
        sort_k = 1000 + s;
        qsort(ys.data, ys.len, sizeof(long long), by_residue);
        checks = (checks + fold(ys, 0, mix, NULL)) % 1000000007;
        free(ys.data);
    }
    printf("sort_by: %lld\n", checks);
    free(xs.data);
    return 0;
}
