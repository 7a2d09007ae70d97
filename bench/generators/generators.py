# The generator pipeline of generators.kl with Python generators.
def count(n):
    i = 0
    while i < n:
        yield i
        i += 1


def multiples(src, k):
    for x in src:
        if x % k == 0:
            yield x


def squares(src):
    for x in src:
        yield x * x


total = 0
n = 0
for s in squares(multiples(count(10_000_000), 3)):
    total = (total + s) % 1_000_000_007
    n += 1
print(f"{n} values, sum {total}")
