# Higher-order array operations, written the same way as closures.kl: the
# built-in map and filter and functools.reduce with small lambdas over lists
# of 1,000,000 integers, then list.sort with a comparison function (through
# functools.cmp_to_key, so that a function is called per comparison as in the
# other versions). The elements are distinct, so the sort order is total.
from functools import cmp_to_key, reduce

n = 1000000
rounds = 25
sorts = 2

xs = []
seed = 42
for _ in range(n):
    seed = seed * 48271 % 2147483647
    xs.append(seed)

total = 0
kept = 0
for r in range(rounds):
    ys = list(map(lambda x: x % 1000 + r, xs))
    odd = list(filter(lambda y: y % 2 == 1, ys))
    total = (total + reduce(lambda acc, y: acc + y, odd, 0)) % 1000000007
    limit = (r + 1) * 50000000
    kept += len(list(filter(lambda x: x < limit, xs)))
print("map/filter/fold: %d %d" % (total, kept))

checks = 0
for s in range(sorts):
    ys = xs.copy()
    k = 1000 + s
    ys.sort(key=cmp_to_key(lambda a, b: (a % k) - (b % k) or a - b))
    checks = (checks + reduce(lambda acc, y: (acc * 31 + y) % 1000000007, ys, 0)) % 1000000007
print("sort_by: %d" % checks)
