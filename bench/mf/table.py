#!/usr/bin/env python3
"""bench/multifidelity's tables from its raw lines on standard input:

    TASK ALGORITHM SEED HIGH FULL EPOCHS BEST [POINTS]

one whenever a run's best loss improved (EPOCHS: the epochs spent when it
did) and a last one with the epochs spent in all (and the points).  The
budget of a task is E = FULL * HIGH epochs: FULL trainings at the full
budget.  For each task and algorithm, over the seeds: the median and
quartiles of the best loss after E/9, E/3 and E epochs, and the epochs by
which half the seeds (the ceil(n/2)-th soonest) had reached full-budget
TPE's median best loss after E; then the issue's target for the
TPE-guided algorithms: that loss within E/3, and a median at E no worse,
with a 95% bootstrap interval of those epochs (tpe's seeds and the
algorithm's resampled): with 10 seeds the interval is wide.
A name's suffix after "-" (bench/multifidelity's LABEL) keeps its place
in the order.
"""
import math
import random
import statistics
import sys

ORDER = ["random", "tpe", "asha/random", "hyperband/random", "asha/tpe", "hyperband/tpe"]

runs, meta, order = {}, {}, []
for line in sys.stdin:
    f = line.split()
    if not f or f[0].startswith("#"):
        continue
    task, alg, seed = f[0], f[1], int(f[2])
    high, full, spent, best = float(f[3]), int(f[4]), float(f[5]), float(f[6])
    meta[task] = (high, full)
    key = (task, alg)
    if key not in runs:
        runs[key] = {}
        order.append(key)
    r = runs[key].setdefault(seed, {"trace": [], "spent": 0, "points": None})
    r["trace"].append((spent, best))
    r["spent"] = max(r["spent"], spent)
    if len(f) > 7:
        r["points"] = int(f[7])


def best_at(r, e):
    b = math.inf
    for spent, best in r["trace"]:
        if spent <= e:
            b = min(b, best)
    return b


def hit(r, target, e):
    for spent, best in sorted(r["trace"]):
        if spent <= e and best <= target:
            return spent
    return math.inf


def reach_interval(tpe_runs, rs, e):
    """A 95% percentile bootstrap interval of the epochs by which half the
    runs rs reach full-budget tpe's median best loss at E, as fractions of
    E: tpe's seeds and these resampled together, 2000 times, a fixed
    stream (the target is a median of 10 seeds too)"""
    rng, out = random.Random(1), []
    for _ in range(2000):
        tb = [rng.choice(tpe_runs) for _ in tpe_runs]
        target = statistics.median(best_at(r, e) for r in tb)
        hits = sorted(hit(rng.choice(rs), target, e) for _ in rs)
        out.append(hits[(len(hits) + 1) // 2 - 1] / e)
    out.sort()
    return tuple("never" if x == math.inf else "%.2f E" % x for x in (out[49], out[1949]))


def q(v):
    v = sorted(v)
    qs = statistics.quantiles(v, n=4, method="inclusive") if len(v) > 1 else [v[0]] * 3
    return "%.4f [%.4f, %.4f]" % (qs[1], qs[0], qs[2])


def rank(alg):
    for i, a in enumerate(ORDER):
        if alg == a or alg.startswith(a + "-"):
            return i
    return len(ORDER)


tasks = []
for t, _ in order:
    if t not in tasks:
        tasks.append(t)
for t in tasks:
    high, full = meta[t]
    e = full * high
    algs = sorted([a for g, a in order if g == t], key=lambda a: (rank(a), a))
    target = None
    if (t, "tpe") in runs:
        target = statistics.median(best_at(r, e) for r in runs[(t, "tpe")].values())
    print("%s: budget E = %d trainings of %g epochs = %g epochs%s" % (
        t, full, high, e, "; full-budget tpe's median best loss at E: %.4f" % target
        if target is not None else ""))
    print()
    print("| algorithm | seeds | points | best loss at E/9 median [q1, q3] | at E/3 | at E |"
          " epochs to tpe's median (seeds reaching it) |")
    print("|---|---|---|---|---|---|---|")
    res = {}
    for a in algs:
        rs = list(runs[(t, a)].values())
        pts = [r["points"] for r in rs if r["points"] is not None]
        cells = [q([best_at(r, e * k) for r in rs]) for k in (1 / 9, 1 / 3, 1)]
        reach = "-"
        if target is not None:
            hits = sorted(hit(r, target, e) for r in rs)
            half = hits[(len(hits) + 1) // 2 - 1]
            n = sum(1 for h in hits if h < math.inf)
            reach = ("%d (%.2f E)" % (half, half / e) if half < math.inf else "not reached") + \
                " (%d/%d)" % (n, len(hits))
            res[a] = (half, statistics.median(best_at(r, e) for r in rs))
        print("| %s | %d | %s | %s | %s | %s | %s |" % (
            a, len(rs), "%d" % statistics.median(pts) if pts else "-", cells[0], cells[1],
            cells[2], reach))
    print()
    if target is not None:
        for a in [a for a in algs if a.split("-")[0] in ("asha/tpe", "hyperband/tpe")]:
            if a in res:
                half, final = res[a]
                lo, hi = reach_interval(list(runs[(t, "tpe")].values()),
                                        list(runs[(t, a)].values()), e)
                print("- %s: tpe's median after %s (target E/3 = %d): %s; median at E %.4f against "
                      "%.4f: %s; 95%% interval of the epochs: %s to %s" % (
                          a, "%d epochs" % half if half < math.inf else "never",
                          e / 3, "met" if half <= e / 3 else "not met", final, target,
                          "no worse" if final <= target else "worse", lo, hi))
        print()
