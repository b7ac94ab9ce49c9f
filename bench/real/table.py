#!/usr/bin/env python3
"""bench/real-tasks' table from its raw lines ("task algorithm seed best
[points]") on standard input: the median and quartiles over the seeds."""
import statistics
import sys

rows, order = {}, []
for line in sys.stdin:
    f = line.split()
    key = (f[0], f[1])
    if key not in rows:
        rows[key] = []
        order.append(key)
    rows[key].append(float(f[3]))


def q(v):
    v = sorted(v)
    qs = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return "%.4f [%.4f, %.4f]" % (qs[1], qs[0], qs[2])


print("| task | algorithm | seeds | best loss median [q1, q3] |")
print("|---|---|---|---|")
tasks = []
for t, _ in order:
    if t not in tasks:
        tasks.append(t)
for t in tasks:
    for g, a in sorted(order, key=lambda k: k[1]):
        if g == t:
            print("| %s | %s | %d | %s |" % (t, a, len(rows[(t, a)]), q(rows[(t, a)])))
