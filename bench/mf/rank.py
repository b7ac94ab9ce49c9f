#!/usr/bin/env python3
"""How well a small budget ranks configurations: N random configurations
of a bench/multifidelity task (tasks.py: its space and its training), each
trained to the top budget with its learning curve kept; then, for every
lower rung, Spearman's rank correlation between the loss there and the
loss at the top, the same among the configurations in the better half at
the top (where a search spends its later points), and how many of the
best N/eta^k at that rung (the ones successive halving would take to the
top) are among the best N/eta^k at the top.

    rank.py TASK [N [SEED [JOBS]]]

Multi-fidelity search pays only where a small budget ranks like the full
one: this is the figure to look at before choosing a fidelity's low.
"""
import json
import math
import os
import random
import sys
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tasks  # noqa: E402


def sample(space, rng):
    """one configuration at random from the space (not the fidelity)"""
    p = {}
    for name, s in space.items():
        m, d = s["method"], s["dimension"]
        if m == "uniform":
            p[name] = rng.uniform(d["low"], d["high"])
        elif m == "loguniform":
            p[name] = math.exp(rng.uniform(math.log(d["low"]), math.log(d["high"])))
        elif m == "uniformint":
            p[name] = rng.randint(d["low"], d["high"])
        elif m == "categorical":
            p[name] = rng.choice(d["categories"])
    return p


def curve(args):
    task, p, top = args
    import warnings

    x, y, classes, folds = tasks.data()
    models = [tasks.model(task, p) for _ in folds]
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for _ in range(top):
                err = 0.0
                for m, (tr, va) in zip(models, folds):
                    m.partial_fit(x[tr], y[tr], classes=classes)
                    err += 1.0 - m.score(x[va], y[va])
                out.append(err / len(folds))
        except Exception:       # diverged: the worst loss from there on
            out += [1.0] * (top - len(out))
    return out


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(order):       # ties share their mean rank
        j = i
        while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    den = math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))
    return num / den if den > 0 else float("nan")


def main():
    task = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 81
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    jobs = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    space = dict(tasks.SPACES[task])
    fid = space.pop("epochs")["dimension"]
    low, high, eta = fid["low"], fid["high"], fid["eta"]
    rungs = [low]
    while rungs[-1] * eta <= high:
        rungs.append(rungs[-1] * eta)
    rng = random.Random(seed)
    points = [sample(space, rng) for _ in range(n)]
    with Pool(jobs) as pool:
        curves = pool.map(curve, [(task, p, high) for p in points], chunksize=1)
    top = [c[high - 1] for c in curves]
    print("%s: %d random configurations (seed %d), trained %d epochs" % (task, n, seed, high))
    half = sorted(range(n), key=lambda i: top[i])[:n // 2]
    print("| epochs | Spearman with %d | in the better half at %d | best here also best at %d |"
          % (high, high, high))
    print("|---|---|---|---|")
    for k, r in enumerate(rungs[:-1]):
        at = [c[r - 1] for c in curves]
        keep = max(1, n // eta ** (len(rungs) - 1 - k))
        best_here = set(sorted(range(n), key=lambda i: at[i])[:keep])
        best_top = set(sorted(range(n), key=lambda i: top[i])[:keep])
        print("| %d | %.2f | %.2f | %d of %d |" % (r, spearman(at, top),
                                                 spearman([at[i] for i in half], [top[i] for i in half]),
                                                 len(best_here & best_top), keep))
    for r in (low, high):
        best = sorted(range(n), key=lambda i: curves[i][r - 1])[:5]
        print("best at %d (loss at %d, at %d):" % (r, r, high))
        for i in best:
            print("  %.4f %.4f %s" % (curves[i][r - 1], top[i], json.dumps(points[i], sort_keys=True)))


if __name__ == "__main__":
    main()
