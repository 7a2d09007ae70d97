# Word frequencies, written the same way as wordfreq.kl: 1,000,000
# pseudo-random words of 1 to 6 letters from the Park-Miller LCG, counted in a
# dict, then the five most frequent picked with plain loops.
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


def better(c, w, c2, w2):
    """Whether (count c, word w) ranks before (c2, w2): higher count first,
    then the alphabetically smaller word."""
    return c > c2 or (c == c2 and w < w2)


# Top five by insertion into a sorted array; -1 is below every real count.
top_words = ["", "", "", "", ""]
top_counts = [-1, -1, -1, -1, -1]
for word, c in counts.items():
    if better(c, word, top_counts[4], top_words[4]):
        k = 4
        while k > 0 and better(c, word, top_counts[k - 1], top_words[k - 1]):
            top_counts[k] = top_counts[k - 1]
            top_words[k] = top_words[k - 1]
            k -= 1
        top_counts[k] = c
        top_words[k] = word

print("distinct words: %d" % len(counts))
for k in range(5):
    print("%s %d" % (top_words[k], top_counts[k]))
