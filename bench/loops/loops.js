// All values stay below 2^53, so double arithmetic is exact here.
const n = 50000000;
let acc = 0;
let total = 0;
let h = 0.0;
for (let i = 0; i < n; i++) {
    acc = (acc * 31 + i) % 1000003;
    if (acc % 2 === 0) {
        total += acc % 1000;
    } else {
        total -= acc % 100;
    }
    h += 1.0 / (i + 1);
}
console.log(`checksum: ${acc}`);
console.log(`total: ${total}`);
console.log(`harmonic_e9: ${Math.trunc(h * 1000000000.0)}`);
