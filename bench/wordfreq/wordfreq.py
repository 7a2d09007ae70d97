# Word frequencies, written the same way as wordfreq.kl: 1,000,000
# pseudo-random words of 1 to 6 letters from the Park-Miller LCG, counted in a
# dict, then the distinct words sorted by falling count with a comparison
# function and the first five printed.
from functools import cmp_to_key

letters = ["e", "e", "e", "e", "e", "t", "t", "a", "a", "o", "i", "n", "s", "h", "r", "d"]
nwords = 1000000

counts = {}
seed = 42
for _ in range(nwords):
    seed = seed * 48271 % 2147483647
    length = seed % 6 + 1
    word = ""
    for _ in range(length):
        seed = seed * 48271 % 2147483647
        word = word + letters[seed % 16]
    counts[word] = counts.get(word, 0) + 1


def by_count(a, b):
    """Orders words by falling count, then alphabetically; looks the counts up
    in the dict, as the comparison closures of the other versions do."""
    ca = counts[a]
    cb = counts[b]
    if ca != cb:
        return cb - ca
    return -1 if a < b else (1 if a > b else 0)


# The distinct words sorted with a comparison function (through cmp_to_key, so
# that it is called per comparison as in the other versions). Words are
# unique, so the order is total.
words = list(counts)
words.sort(key=cmp_to_key(by_count))

print("distinct words: %d" % len(counts))
for k in range(5):
    print("%s %d" % (words[k], counts[words[k]]))
