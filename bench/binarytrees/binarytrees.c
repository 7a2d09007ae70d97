/* Binary trees (the Benchmarks Game program), max depth 18, written the same
   way as binarytrees.kl: every node is malloc'ed and free'd on its own. A tree
   of depth 0 is a node with two empty (NULL) children. */
#include <stdio.h>
#include <stdlib.h>

typedef struct Node {
    struct Node *left, *right;
} Node;

static Node *node(Node *left, Node *right) {
    Node *n = malloc(sizeof *n);
    if (!n) { fputs("out of memory\n", stderr); exit(1); }
    n->left = left;
    n->right = right;
    return n;
}

static Node *make(long long depth) {
    if (depth == 0) return node(NULL, NULL);
    Node *left = make(depth - 1);
    Node *right = make(depth - 1);
    return node(left, right);
}

/* The number of nodes in the tree. */
static long long check(const Node *t) {
    if (!t) return 0;
    return 1 + check(t->left) + check(t->right);
}

static void release(Node *t) {
    if (!t) return;
    release(t->left);
    release(t->right);
    free(t);
}

int main(void) {
    const long long min_depth = 4;
    const long long max_depth = 18;
    const long long stretch_depth = max_depth + 1;

    Node *stretch = make(stretch_depth);
    printf("stretch tree of depth %lld\t check: %lld\n", stretch_depth, check(stretch));
    release(stretch);

    Node *long_lived = make(max_depth);

    for (long long depth = min_depth; depth <= max_depth; depth += 2) {
        long long iterations = 1LL << (max_depth - depth + min_depth);
        long long total = 0;
        for (long long i = 0; i < iterations; i++) {
            Node *t = make(depth);
            total += check(t);
            release(t);
        }
        printf("%lld\t trees of depth %lld\t check: %lld\n", iterations, depth, total);
    }

    printf("long lived tree of depth %lld\t check: %lld\n", max_depth, check(long_lived));
    release(long_lived);
    return 0;
}
