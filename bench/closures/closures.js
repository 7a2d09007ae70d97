// Higher-order array operations, written the same way as closures.kl: the
// built-in map, filter and reduce with small arrow functions over arrays of
// 1,000,000 integers, then sort with a comparison arrow function. The elements
// are distinct, so the sort order is total.
"use strict";

const n = 1000000;
const rounds = 25;
const sorts = 2;

const xs = [];
let seed = 42;
for (let i = 0; i < n; i++) {
    seed = seed * 48271 % 2147483647;
    xs.push(seed);
}

let total = 0;
let kept = 0;
for (let r = 0; r < rounds; r++) {
    const ys = xs.map((x) => x % 1000 + r);
    const odd = ys.filter((y) => y % 2 === 1);
    total = (total + odd.reduce((acc, y) => acc + y, 0)) % 1000000007;
    const limit = (r + 1) * 50000000;
    kept += xs.filter((x) => x < limit).length;
}
console.log(`map/filter/fold: ${total} ${kept}`);

let checks = 0;
for (let s = 0; s < sorts; s++) {
    const ys = xs.slice();
    const k = 1000 + s;
    ys.sort((a, b) => (a % k) - (b % k) || a - b);
    checks = (checks + ys.reduce((acc, y) => (acc * 31 + y) % 1000000007, 0)) % 1000000007;
}
console.log(`sort_by: ${checks}`);
