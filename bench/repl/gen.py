#!/usr/bin/env python3
"""Writes a REPL session of about 2,500 entries in three languages.

    gen.py OUT_DIR [ENTRIES]

OUT_DIR/session.kiln (for `kiln`), session.py (for `python3 -i -q`) and
session.js (for `node -i`) hold the same work: function definitions, calls,
loops, string and array work, and generic calls, as a user would type them one
line at a time. Each session prints the same values (in its own syntax).
"""
import sys

out = sys.argv[1]
entries = int(sys.argv[2]) if len(sys.argv) > 2 else 2500

kl, py, js = [], [], []


def entry(k, p, j):
    kl.append(k)
    py.append(p)
    js.append(j)


entry("fn first<T>(xs: [T]) -> T { xs[0] }",
      "def first(xs): return xs[0]\n",
      "function first(xs) { return xs[0] }")
n = 0
while len(kl) < entries:
    kind = n % 8
    if kind == 0:
        entry(f"fn f{n}(x: int) -> int {{ x * {n} + 1 }}",
              f"def f{n}(x): return x * {n} + 1\n",
              f"function f{n}(x) {{ return x * {n} + 1 }}")
    elif kind == 1:
        entry(f"f{n - 1}({n})", f"f{n - 1}({n})", f"f{n - 1}({n})")
    elif kind == 2:
        entry(f"var s{n} = 0", f"s{n} = 0", f"var s{n} = 0")
    elif kind == 3:
        entry(f"for i in 0..1000 {{ s{n - 1} += i % 7 }}",
              f"for i in range(1000): s{n - 1} += i % 7\n",
              f"for (let i = 0; i < 1000; i++) {{ s{n - 1} += i % 7 }}")
    elif kind == 4:
        entry(f"s{n - 2} + {n}", f"s{n - 2} + {n}", f"s{n - 2} + {n}")
    elif kind == 5:
        entry(f'"ab{n}".repeat({n % 5 + 1}).len()',
              f'len("ab{n}" * {n % 5 + 1})',
              f'"ab{n}".repeat({n % 5 + 1}).length')
    elif kind == 6:
        entry(f"[1, 2, 3, {n}].map(|x| x * 2).len()",
              f"len([x * 2 for x in [1, 2, 3, {n}]])",
              f"[1, 2, 3, {n}].map(x => x * 2).length")
    else:
        entry(f"first([{n}, 2]) + first([\"s{n}\"]).len()",
              f"first([{n}, 2]) + len(first([\"s{n}\"]))",
              f"first([{n}, 2]) + first([\"s{n}\"]).length")
    n += 1

with open(f"{out}/session.kiln", "w") as f:
    f.write("\n".join(kl) + "\n")
with open(f"{out}/session.py", "w") as f:
    # An interactive Python needs a blank line after a compound statement.
    f.write("\n".join(p if p.endswith("\n") else p for p in py) + "\n")
with open(f"{out}/session.js", "w") as f:
    f.write("\n".join(js) + "\n")
