#!/usr/bin/env python3
"""Where tpe and Optuna's TPE put the next point after the same history.

    next-point.py FUNCTION HISTORY SEEDS [SETTINGS]

Draws HISTORY random points of FUNCTION (one of optuna-bench.py's, the
points from Python's random.Random($HISTORY_SEED), 1 by default), then asks for the next point
SEEDS times with seeds 1 to SEEDS: from hpo-steer (tpe, its settings
SETTINGS as -S takes them; $HPO_STEER names the binary, src/hpo-steer of
the build by default) and from Optuna's TPESampler with the same finished
trials.  Prints, for each, the median and lower quartile of the proposed
points' losses and the deciles of the first coordinate.  One proposal, no
search: a difference here is a difference of the two samplers, not of
their luck.  OPTUNA_TRUNCNORM_SCALE=1 corrects Optuna's kernel densities
(optuna-bench.py).
"""
import importlib.util
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import warnings

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("optuna_bench", os.path.join(here, "optuna-bench.py"))
ob = importlib.util.module_from_spec(spec)
try:
    spec.loader.exec_module(ob)
except ImportError as e:
    sys.exit("next-point.py: %s: %s (Debian: python3-optuna; /usr/bin/python3 has it)"
             % (sys.executable, e))
optuna = ob.optuna


class Fixed:
    """A trial whose values are given: the function asks it as Optuna's."""

    def __init__(self, values):
        self.values, self.space = values, {}

    def suggest_float(self, name, low, high, log=False):
        self.space[name] = (low, high, log)
        return self.values[name]

    def suggest_int(self, name, *args, **kw):
        sys.exit("next-point.py: %s is an integer: only functions of floats" % name)

    suggest_categorical = suggest_int


class Draw(Fixed):
    """A trial that draws its values uniformly (log-uniformly with log)."""

    def __init__(self, rng):
        super().__init__({})
        self.rng = rng

    def suggest_float(self, name, low, high, log=False):
        v = (math.exp(self.rng.uniform(math.log(low), math.log(high))) if log
             else self.rng.uniform(low, high))
        self.values[name] = v
        return super().suggest_float(name, low, high, log)


def summary(name, losses, first):
    q = statistics.quantiles(losses, n=4)
    d = statistics.quantiles(first, n=10)
    print("%-8s %d points: loss median %.4g, q1 %.4g; first coordinate deciles %s"
          % (name, len(losses), statistics.median(losses), q[0], " ".join("%.3g" % v for v in d)))


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)    # `| head`: no traceback
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().split("\n\n")[1])
    fname, nhist, nseeds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    settings = sys.argv[4] if len(sys.argv) > 4 else "{}"
    if fname not in ob.FUNCTIONS:
        sys.exit("next-point.py: %s: no such function (%s)" % (fname, ", ".join(ob.FUNCTIONS)))
    f = ob.FUNCTIONS[fname][0]
    rng = random.Random(int(os.environ.get("HISTORY_SEED", "1")))
    hist, space = [], {}
    for _ in range(nhist):
        t = Draw(rng)
        loss = f(t)
        hist.append((dict(t.values), loss))
        space = t.space
    steer = os.environ.get("HPO_STEER", os.path.join(here, "..", "..", "src", "hpo-steer"))
    opt_space = {k: {"method": "loguniform" if lg else "uniform",
                     "dimension": {"low": lo, "high": hi}} for k, (lo, hi, lg) in space.items()}
    names = list(space)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "in.json")
        with open(path, "w") as fp:
            json.dump({"points": [[p, v] for p, v in hist], "opt_space": opt_space}, fp)
        ours = []
        for s in range(1, nseeds + 1):
            try:
                r = subprocess.run([steer, "-a", "tpe", "-i", path, "-o", "-", "-n", "1", "-m",
                                    str(nhist + 1), "-s", str(s), "-S", settings, "-q"],
                                   capture_output=True, text=True)
            except OSError as e:
                sys.exit("next-point.py: %s: %s (build it, or set HPO_STEER)" % (steer, e.strerror))
            if r.returncode != 0:
                sys.exit("next-point.py: " + (r.stderr.strip() or "hpo-steer exited with %d" % r.returncode))
            out = r.stdout
            ours.append(json.loads(out)[0])
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.simplefilter("ignore")
    dists = {k: optuna.distributions.FloatDistribution(lo, hi, log=lg)
             for k, (lo, hi, lg) in space.items()}
    trials = [optuna.trial.create_trial(params=p, distributions=dists, value=v) for p, v in hist]
    theirs = []
    for s in range(1, nseeds + 1):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=s))
        study.add_trials(trials)
        t = study.ask()
        theirs.append({k: t.suggest_float(k, *space[k][:2], log=space[k][2]) for k in names})
    print("%s, %d points of history (best %.4g), %d proposals each"
          % (fname, nhist, min(v for _, v in hist), nseeds))
    for label, pts in (("tpe", ours), ("optuna", theirs)):
        summary(label, [f(Fixed(p)) for p in pts], [p[names[0]] for p in pts])


if __name__ == "__main__":
    main()
