// The generator pipeline of generators.kl with generator functions (function*).
function* count(n) {
  let i = 0;
  while (i < n) {
    yield i;
    i += 1;
  }
}

function* multiples(src, k) {
  for (const x of src) {
    if (x % k === 0) yield x;
  }
}

function* squares(src) {
  for (const x of src) yield x * x;
}

let total = 0;
let n = 0;
for (const s of squares(multiples(count(10000000), 3))) {
  total = (total + s) % 1000000007;
  n += 1;
}
console.log(`${n} values, sum ${total}`);
