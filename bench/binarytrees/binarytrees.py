# Binary trees (the Benchmarks Game program), max depth 18, written the same
# way as binarytrees.kl. A node is a tuple (left, right); an empty child is
# None, so a tree of depth 0 is a node with two None children.


def make(depth):
    if depth == 0:
        return (None, None)
    return (make(depth - 1), make(depth - 1))


def check(t):
    """The number of nodes in the tree."""
    if t is None:
        return 0
    return 1 + check(t[0]) + check(t[1])


min_depth = 4
max_depth = 18
stretch_depth = max_depth + 1

stretch = check(make(stretch_depth))
print("stretch tree of depth %d\t check: %d" % (stretch_depth, stretch))

long_lived = make(max_depth)

depth = min_depth
while depth <= max_depth:
    iterations = 1 << (max_depth - depth + min_depth)
    total = 0
    for _ in range(iterations):
        total += check(make(depth))
    print("%d\t trees of depth %d\t check: %d" % (iterations, depth, total))
    depth += 2

print("long lived tree of depth %d\t check: %d" % (max_depth, check(long_lived)))
