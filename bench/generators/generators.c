/* The generator pipeline of generators.kl with hand-written iterators: each
   stage is a struct with its state and a `next` function that returns 0 when
   it is exhausted, calling the stage before it directly (no function
   pointers), which is what a C programmer would write. */
#include <stdio.h>

typedef struct { long long i, n; } Count;
typedef struct { Count *src; long long k; } Multiples;
typedef struct { Multiples *src; } Squares;

static int count_next(Count *c, long long *out) {
    if (c->i >= c->n) return 0;
    *out = c->i++;
    return 1;
}

static int multiples_next(Multiples *m, long long *out) {
    long long x;
    while (count_next(m->src, &x)) {
        if (x % m->k == 0) { *out = x; return 1; }
    }
    return 0;
}

static int squares_next(Squares *s, long long *out) {
    long long x;
    if (!multiples_next(s->src, &x)) return 0;
    *out = x * x;
    return 1;
}

int main(void) {
    Count c = { 0, 10000000 };
    Multiples m = { &c, 3 };
    Squares s = { &m };
    long long total = 0, n = 0, v;
    while (squares_next(&s, &v)) {
        total = (total + v) % 1000000007;
        n++;
    }
    printf("%lld values, sum %lld\n", n, total);
    return 0;
}
