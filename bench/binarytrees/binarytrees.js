// Binary trees (the Benchmarks Game program), max depth 18, written the same
// way as binarytrees.kl. An empty child is null, so a tree of depth 0 is a
// node with two null children.
"use strict";

class Node {
    constructor(left, right) {
        this.left = left;
        this.right = right;
    }
}

function make(depth) {
    if (depth === 0) return new Node(null, null);
    return new Node(make(depth - 1), make(depth - 1));
}

// The number of nodes in the tree.
function check(t) {
    if (t === null) return 0;
    return 1 + check(t.left) + check(t.right);
}

const minDepth = 4;
const maxDepth = 18;
const stretchDepth = maxDepth + 1;

const stretch = check(make(stretchDepth));
console.log(`stretch tree of depth ${stretchDepth}\t check: ${stretch}`);

const longLived = make(maxDepth);

for (let depth = minDepth; depth <= maxDepth; depth += 2) {
    const iterations = 1 << (maxDepth - depth + minDepth);
    let total = 0;
    for (let i = 0; i < iterations; i++) {
        total += check(make(depth));
    }
    console.log(`${iterations}\t trees of depth ${depth}\t check: ${total}`);
}

console.log(`long lived tree of depth ${maxDepth}\t check: ${check(longLived)}`);
