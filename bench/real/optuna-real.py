#!/usr/bin/env python3
"""Optuna's TPESampler (default settings) on bench/real-tasks' tasks, with
tasks.py's spaces and losses.

    optuna-real.py TASK FIRST_SEED LAST_SEED EVALUATIONS

prints "task optuna-tpe seed best-loss" for each seed.
"""
import math
import os
import sys

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tasks  # noqa: E402


def suggest(trial, name, spec):
    m, d = spec["method"], spec["dimension"]
    if m == "uniform":
        return trial.suggest_float(name, d["low"], d["high"])
    if m == "loguniform":
        return trial.suggest_float(name, d["low"], d["high"], log=True)
    if m == "uniformint":
        return trial.suggest_int(name, d["low"], d["high"])
    if m == "categorical":
        return trial.suggest_categorical(name, d["categories"])
    raise ValueError(m)


def main():
    task, first, last, evals = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    space = tasks.SPACES[task]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for seed in range(first, last + 1):
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        best = math.inf
        for _ in range(evals):
            trial = study.ask()
            point = {k: suggest(trial, k, s) for k, s in space.items()}
            res = tasks.evaluate(task, point)
            if res["status"] == 0:
                study.tell(trial, res["loss"])
                best = min(best, res["loss"])
            else:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
        # one write a line: jobs append to the same file
        sys.stdout.write("%s optuna-tpe %d %.6g\n" % (task, seed, best))
        sys.stdout.flush()


if __name__ == "__main__":
    main()
