#!/usr/bin/env python3
"""Writes a long REPL session (stdout) in which entries panic while frames hold
heap values: for running the REPL under valgrind (docs/TESTING.md).

    scripts/gen-repl-panics.py [ROUNDS] > session.in
"""
import sys

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
print("var kept: [str] = []")
print("var log: [str: int] = [:]")
print("fn boom(xs: [str], n: int) -> int { let s = xs[0] + \"!\"; if n == 0 { [1][5] } else { boom([s, s], n - 1) } }")
print("fn wrap<T>(x: T) -> [T] { [x, x] }")
for r in range(rounds):
    print(f'kept.push("round {r}")')
    print(f'log["r{r % 7}"] = {r}')
    print(f'boom(["a{r}"], {r % 5})')
    print(f'let c{r % 3} = |x: int| x + kept.len()')
    print(f'c{r % 3}({r})')
    print(f'wrap("s{r}").map(|s| s + kept[0]).len()')
    print(f'fn g() -> str {{ "v{r}" + kept[{r}] }}')
    print("g()")
    print(f'let m{r % 4} = [(1, "x")].map(|p| p.1 + "{r}")[3]')
    print(f'{{ let tmp = wrap(kept); tmp[0].len() / ({r} % 2) }}')
print("kept.len()")
print("log.len()")
