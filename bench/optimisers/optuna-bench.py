#!/usr/bin/env python3
"""Optuna's TPESampler or CmaEsSampler on opt-bench's functions, in
opt-bench's format.

    optuna-bench.py FUNCTION FIRST_SEED LAST_SEED [EVALUATIONS [SAMPLER [BATCH]]]

SAMPLER: tpe (the default) or cmaes, default settings but the seed.  Prints
"function optuna-SAMPLER seed regret@25 regret@50 regret@100 seconds ms"
(seconds: the sampler's own time; ms: its last proposal).  BATCH is
opt-bench's: B (B trials asked, then the B told) or Bp (one trial asked
while the B - 1 asked before run; then the oldest is told), with the
label optuna-SAMPLER/bB or /pB; with a BATCH other than 1, TPE runs with
constant_liar=True, Optuna's setting for trials run in parallel (running
trials count as the worst).  The functions
and domains are opt-bench.c's; the regret is the true loss of the point
with the best observed loss minus the minimum (hartmann6-noisy adds
normal noise of standard deviation 0.1 to the observed loss).  With
OPT_BENCH_CURVE set, a line "function label seed r1 r2 ... rN" (the regret
after each evaluation) is added to the file it names for each seed, as
opt-bench does.

OPTUNA_TRUNCNORM_SCALE=1 corrects Optuna 3.1's kernel densities for the
measurement (below and bench/README.md): its TPE leaves the log of a
kernel's width out of the kernel's log density, so that every kernel
weighs by its width (optuna/optuna#5109, corrected in Optuna 3.5).
"""
import math
import os
import random
import sys
import time
import warnings

import numpy as np

import optuna

if os.environ.get("OPTUNA_TRUNCNORM_SCALE"):
    # Optuna 3.1's TPE scores a kernel by _truncnorm.logpdf, which leaves out
    # the log of the kernel's width (optuna/optuna#5109, fixed in 3.5 by
    # #5110): each kernel weighs by its width.  With this set, the width is
    # taken out, as the fix does, for the measurement in bench/README.md.
    from optuna.samplers._tpe import _truncnorm

    _logpdf = _truncnorm.logpdf

    def _scaled_logpdf(x, a, b, loc=0, scale=1):
        return _logpdf(x, a, b, loc, scale) - np.log(scale)

    _truncnorm.logpdf = _scaled_logpdf


def branin(t):
    x = t.suggest_float("x1", -5, 10)
    y = t.suggest_float("x2", 0, 15)
    b, c, s = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - s) * math.cos(x) + 10


A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
     [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
     [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
     [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def hartmann6(t):
    x = [t.suggest_float("x%d" % (j + 1), 0, 1) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6)))
                for i in range(4))


def rosenbrock4(t):
    x = [t.suggest_float("x%d" % (j + 1), -5, 10) for j in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


def mixed(t):
    x = t.suggest_float("x", -5, 5)
    n = t.suggest_int("n", -10, 10)
    lr = t.suggest_float("lr", 1e-5, 1, log=True)
    act = t.suggest_categorical("act", ["relu", "tanh", "sigmoid", "elu"])
    c = {"tanh": 0, "relu": 0.5}.get(act, 2)
    return (x - 1) ** 2 + (n - 3) ** 2 / 10 + (math.log10(lr) + 3) ** 2 + c


def box(t, d, low, high):
    return [t.suggest_float("x%d" % (j + 1), low, high) for j in range(d)]


def styblinski4(t):
    return sum(x ** 4 - 16 * x * x + 5 * x for x in box(t, 4, -5, 5)) / 2


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    s = math.sin(math.pi * w[0]) ** 2
    for v in w[:-1]:
        s += (v - 1) ** 2 * (1 + 10 * math.sin(math.pi * v + 1) ** 2)
    return s + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


def levy5(t):
    return levy(box(t, 5, -10, 10))


def levy10(t):
    return levy(box(t, 10, -5, 15))


def ackley10(t):
    x = box(t, 10, -10, 30)
    return (-20 * math.exp(-0.2 * math.sqrt(sum(v * v for v in x) / 10))
            - math.exp(sum(math.cos(2 * math.pi * v) for v in x) / 10) + 20 + math.e)


def rastrigin8(t):
    return 80 + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in box(t, 8, -3, 7))


def schwefel6(t):
    return 6 * 418.9828872724338 - sum(v * math.sin(math.sqrt(abs(v))) for v in box(t, 6, -500, 500))


def rosenbrock10(t):
    x = box(t, 10, -2, 2)
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(9))


def schwefel12_10(t):
    c = s = 0.0
    for v in box(t, 10, -6, 14):
        c += v
        s += c * c
    return s


def styblinski10(t):
    return sum(x ** 4 - 16 * x * x + 5 * x for x in box(t, 10, -5, 5)) / 2


def griewank10(t):
    x = box(t, 10, -300, 600)
    pr = 1.0
    for j, v in enumerate(x):
        pr *= math.cos(v / math.sqrt(j + 1))
    return sum(v * v for v in x) / 4000 - pr + 1


def michalewicz10(t):
    x = box(t, 10, 0, math.pi)
    return -sum(math.sin(v) * math.sin((j + 1) * v * v / math.pi) ** 20 for j, v in enumerate(x))


FUNCTIONS = {"branin": (branin, 0.397887), "hartmann6": (hartmann6, -3.32237),
             "rosenbrock4": (rosenbrock4, 0.0), "mixed": (mixed, 0.0),
             "styblinski4": (styblinski4, -156.66468), "levy5": (levy5, 0.0),
             "hartmann6-noisy": (hartmann6, -3.32237), "ackley10": (ackley10, 0.0),
             "levy10": (levy10, 0.0), "rastrigin8": (rastrigin8, 0.0),
             "schwefel6": (schwefel6, 0.0), "rosenbrock10": (rosenbrock10, 0.0),
             "schwefel12-10": (schwefel12_10, 0.0),
             "styblinski10": (styblinski10, -391.6617), "griewank10": (griewank10, 0.0),
             "michalewicz10": (michalewicz10, -9.66015)}
NOISE = {"hartmann6-noisy": 0.1}


def main():
    name, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    evals = int(sys.argv[4]) if len(sys.argv) > 4 else 100
    which = sys.argv[5] if len(sys.argv) > 5 else "tpe"
    spec = sys.argv[6] if len(sys.argv) > 6 else "1"
    pending = spec.endswith("p")
    batch = int(spec.rstrip("p"))
    label = "optuna-" + which
    if batch > 1 or pending:
        label += "/%s%d" % ("p" if pending else "b", batch)
    f, fmin = FUNCTIONS[name]
    noise = NOISE.get(name, 0.0)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    for seed in range(first, last + 1):
        if which == "cmaes":
            sampler = optuna.samplers.CmaEsSampler(seed=seed)
        else:
            sampler = optuna.samplers.TPESampler(seed=seed, constant_liar=batch > 1 or pending)
        study = optuna.create_study(sampler=sampler)
        rng = random.Random(seed)
        best, regret, spent, last_ms = math.inf, math.inf, 0.0, 0.0
        curve = []  # the regret after each evaluation
        out = []    # asked, not yet told: (trial, true loss)
        k = 0       # told
        while k < evals:
            # as opt-bench: a batch asks B trials, pending mode one at a time
            for _ in range(0 if len(out) + k >= evals else 1 if pending else batch):
                t0 = time.perf_counter()
                trial = study.ask()
                truth = f(trial)    # the sampler proposes as the parameters are asked for
                spent += time.perf_counter() - t0
                last_ms = (time.perf_counter() - t0) * 1e3
                out.append((trial, truth))
            # a batch: tell them all; pending: the oldest once B run
            while out and (not pending or len(out) >= batch or len(out) + k >= evals):
                trial, truth = out.pop(0)
                loss = truth + (rng.gauss(0, noise) if noise else 0)
                study.tell(trial, loss)
                k += 1
                if loss < best:
                    best, regret = loss, truth - fmin
                curve.append(regret)
                if pending:
                    break
        print("%s %s %d %.6g %.6g %.6g %.3f %.1f" % (
            name, label, seed,
            *(curve[k - 1] if len(curve) >= k else math.nan for k in (25, 50, 100)),
            spent, last_ms), flush=True)
        if os.environ.get("OPT_BENCH_CURVE"):
            with open(os.environ["OPT_BENCH_CURVE"], "a") as c:
                c.write("%s %s %d %s\n" % (name, label, seed, " ".join("%.6g" % r for r in curve)))


if __name__ == "__main__":
    main()
