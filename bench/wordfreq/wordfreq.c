/* Word frequencies, written the same way as wordfreq.kl: 1,000,000
   pseudo-random words of 1 to 6 letters from the Park-Miller LCG, counted in
   a hash table (open addressing, FNV-1a, doubling at half full), then the
   distinct words sorted by falling count with qsort (the comparison looks
   the counts up in the table, as the Kiln closure does) and the first five
   printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char word[8];          /* NUL-terminated; words have at most 6 letters */
    long long count;       /* 0: empty slot */
} Entry;

static Entry *table;
static size_t capacity;    /* a power of two */
static size_t used;

static unsigned long long hash(const char *s) {
    unsigned long long h = 14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static Entry *alloc_table(size_t cap) {
    Entry *t = calloc(cap, sizeof *t);
    if (!t) { fputs("out of memory\n", stderr); exit(1); }
    return t;
}

/* The slot holding word, or the empty slot where it belongs. */
static Entry *find_slot(Entry *t, size_t cap, const char *word) {
    size_t i = (size_t)hash(word) & (cap - 1);
    while (t[i].count != 0 && strcmp(t[i].word, word) != 0) i = (i + 1) & (cap - 1);
    return &t[i];
}

static void grow(void) {
    size_t new_cap = capacity * 2;
    Entry *t = alloc_table(new_cap);
    for (size_t i = 0; i < capacity; i++) {
        if (table[i].count != 0) *find_slot(t, new_cap, table[i].word) = table[i];
    }
    free(table);
    table = t;
    capacity = new_cap;
}

static void add_word(const char *word) {
    Entry *e = find_slot(table, capacity, word);
    if (e->count == 0) {
        strcpy(e->word, word);
        used += 1;
        e->count = 1;
        if (used * 2 > capacity) grow();
    } else {
        e->count += 1;
    }
}

/* The count of a word that is in the table. */
static long long count_of(const char *word) {
    return find_slot(table, capacity, word)->count;
}

/* The sort_by closure of wordfreq.kl as a qsort comparison: higher count
   first, then the alphabetically smaller word. Like the closure, it looks both
   counts up in the table (qsort passes no context, so the table is a global). */
static int by_count(const void *pa, const void *pb) {
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    long long ca = count_of(a), cb = count_of(b);
    if (ca != cb) return ca > cb ? -1 : 1;
    return strcmp(a, b);
}

int main(void) {
    static const char *letters[16] = {"e", "e", "e", "e", "e", "t", "t", "a",
                                      "a", "o", "i", "n", "s", "h", "r", "d"};
    const long long nwords = 1000000;
    capacity = 1024;
    table = alloc_table(capacity);
    used = 0;

    long long seed = 42;
    char word[8];
    for (long long w = 0; w < nwords; w++) {
        seed = seed * 48271 % 2147483647;
        long long length = seed % 6 + 1;
        word[0] = '\0';
        for (long long c = 0; c < length; c++) {
            seed = seed * 48271 % 2147483647;
            strcat(word, letters[seed % 16]);
        }
        add_word(word);
    }

    /* The distinct words, sorted by count and word with qsort. Words are
       unique, so the order is total and qsort's lack of stability does not
       matter. */
    const char **words = malloc(used * sizeof *words);
    if (!words) { fputs("out of memory\n", stderr); exit(1); }
    size_t nw = 0;
    for (size_t i = 0; i < capacity; i++) {
        if (table[i].count != 0) words[nw++] = table[i].word;
    }
    qsort(words, nw, sizeof *words, by_count);

    printf("distinct words: %zu\n", used);
    for (int k = 0; k < 5; k++) printf("%s %lld\n", words[k], count_of(words[k]));
    free(words);
    free(table);
    return 0;
}
