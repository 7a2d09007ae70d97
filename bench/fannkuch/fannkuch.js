// Fannkuch-redux (the Benchmarks Game program), n = 10, written the same way
// as fannkuch.kl.
"use strict";

function fannkuch(n) {
    const perm1 = new Array(n).fill(0);
    for (let i = 0; i < n; i++) perm1[i] = i;
    const perm = new Array(n).fill(0);
    const count = new Array(n).fill(0);
    let maxFlips = 0, checksum = 0, permCount = 0;
    let r = n;
    let done = false;
    while (!done) {
        while (r !== 1) {
            count[r - 1] = r;
            r -= 1;
        }

        // Count the flips of this permutation.
        for (let i = 0; i < n; i++) perm[i] = perm1[i];
        let flips = 0;
        let k = perm[0];
        while (k !== 0) {
            let lo = 0, hi = k;
            while (lo < hi) {
                const t = perm[lo];
                perm[lo] = perm[hi];
                perm[hi] = t;
                lo += 1;
                hi -= 1;
            }
            flips += 1;
            k = perm[0];
        }
        if (flips > maxFlips) maxFlips = flips;
        if (permCount % 2 === 0) checksum += flips; else checksum -= flips;

        // Next permutation: rotate the first r + 1 elements left by one, as
        // often as count says.
        for (;;) {
            if (r === n) {
                done = true;
                break;
            }
            const perm0 = perm1[0];
            for (let i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r] -= 1;
            if (count[r] > 0) break;
            r += 1;
        }
        permCount += 1;
    }
    return [checksum, maxFlips];
}

const n = 10;
const [checksum, maxFlips] = fannkuch(n);
console.log(String(checksum));
console.log(`Pfannkuchen(${n}) = ${maxFlips}`);
