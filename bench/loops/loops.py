n = 50_000_000
acc = 0
total = 0
h = 0.0
for i in range(n):
    acc = (acc * 31 + i) % 1000003
    if acc % 2 == 0:
        total += acc % 1000
    else:
        total -= acc % 100
    h += 1.0 / float(i + 1)
print(f"checksum: {acc}")
print(f"total: {total}")
print(f"harmonic_e9: {int(h * 1000000000.0)}")
