// Sieve of Eratosthenes: counts the primes below 20,000,000, written the same
// way as sieve.kl, in an ordinary array of 20 million booleans.
"use strict";

const n = 20000000;
const isPrime = new Array(n).fill(true);
isPrime[0] = false;
isPrime[1] = false;
for (let i = 2; i * i < n; i++) {
    if (isPrime[i]) {
        for (let j = i * i; j < n; j += i) isPrime[j] = false;
    }
}
let count = 0;
for (let k = 0; k < n; k++) {
    if (isPrime[k]) count += 1;
}
console.log(String(count));
