// Spectral norm of A(i, j) = 1 / ((i+j)(i+j+1)/2 + i + 1) (the Benchmarks
// Game program), written the same way as spectral.kl. (i+j)(i+j+1) is even,
// so the division by 2 is exact.
"use strict";

function a(i, j) {
    return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1);
}

// out = A * v
function mulAv(v, out) {
    const n = v.length;
    for (let i = 0; i < n; i++) {
        let sum = 0.0;
        for (let j = 0; j < n; j++) sum += a(i, j) * v[j];
        out[i] = sum;
    }
}

// out = A^T * v
function mulAtv(v, out) {
    const n = v.length;
    for (let i = 0; i < n; i++) {
        let sum = 0.0;
        for (let j = 0; j < n; j++) sum += a(j, i) * v[j];
        out[i] = sum;
    }
}

function mulAtAv(v, out, tmp) {
    mulAv(v, tmp);
    mulAtv(tmp, out);
}

const n = 1000;
const u = new Array(n).fill(1.0);
const v = new Array(n).fill(0.0);
const tmp = new Array(n).fill(0.0);
for (let k = 0; k < 10; k++) {
    mulAtAv(u, v, tmp);
    mulAtAv(v, u, tmp);
}
let vbv = 0.0, vv = 0.0;
for (let i = 0; i < n; i++) {
    vbv += u[i] * v[i];
    vv += v[i] * v[i];
}
console.log(Math.sqrt(vbv / vv).toFixed(9));
