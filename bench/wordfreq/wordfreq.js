// Word frequencies, written the same way as wordfreq.kl: 1,000,000
// pseudo-random words of 1 to 6 letters from the Park-Miller LCG (every
// product stays below 2^47, so doubles compute it exactly), counted in a Map,
// then the distinct words sorted by falling count with a comparison closure
// and the first five printed.
"use strict";

const letters = ["e", "e", "e", "e", "e", "t", "t", "a", "a", "o", "i", "n", "s", "h", "r", "d"];
const nwords = 1000000;

const counts = new Map();
let seed = 42;
for (let w = 0; w < nwords; w++) {
    seed = seed * 48271 % 2147483647;
    const length = seed % 6 + 1;
    let word = "";
    for (let c = 0; c < length; c++) {
        seed = seed * 48271 % 2147483647;
        word = word + letters[seed % 16];
    }
    counts.set(word, (counts.get(word) || 0) + 1);
}

// The distinct words, most frequent first and alphabetically among equal
// counts: sort with a closure that looks the counts up in the Map. Words are
// unique, so the order is total.
const words = [...counts.keys()];
words.sort((a, b) => {
    const ca = counts.get(a);
    const cb = counts.get(b);
    if (ca !== cb) return cb - ca;
    return a < b ? -1 : a > b ? 1 : 0;
});

console.log(`distinct words: ${counts.size}`);
for (let k = 0; k < 5; k++) console.log(`${words[k]} ${counts.get(words[k])}`);
