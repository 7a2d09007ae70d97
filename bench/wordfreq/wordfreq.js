// Word frequencies, written the same way as wordfreq.kl: 1,000,000
// pseudo-random words of 1 to 6 letters from the Park-Miller LCG (every
// product stays below 2^47, so doubles compute it exactly), counted in a Map,
// then the five most frequent picked with plain loops.
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

// Whether (count c, word w) ranks before (c2, w2): higher count first, then
// the alphabetically smaller word.
function better(c, w, c2, w2) {
    return c > c2 || (c === c2 && w < w2);
}

// Top five by insertion into a sorted array; -1 is below every real count.
const topWords = ["", "", "", "", ""];
const topCounts = [-1, -1, -1, -1, -1];
for (const [word, c] of counts) {
    if (better(c, word, topCounts[4], topWords[4])) {
        let k = 4;
        while (k > 0 && better(c, word, topCounts[k - 1], topWords[k - 1])) {
            topCounts[k] = topCounts[k - 1];
            topWords[k] = topWords[k - 1];
            k -= 1;
        }
        topCounts[k] = c;
        topWords[k] = word;
    }
}

console.log(`distinct words: ${counts.size}`);
for (let k = 0; k < 5; k++) console.log(`${topWords[k]} ${topCounts[k]}`);
