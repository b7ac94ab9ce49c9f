#!/usr/bin/env python3
"""Evaluate one point of a multi-fidelity task: a linear classifier
(scikit-learn's SGDClassifier) trained by stochastic gradient descent on
the handwritten digits scikit-learn ships, an epoch at a time, up to the
point's budget (its `epochs`); the loss is the error on a fixed third of
the digits, 1 - accuracy.

    evaluate.py [input.json [output.json]]

With asha or hyperband a trial (one configuration) comes back with a
larger budget when it did well: its point then has __hpo_continues, the
budget it continues from.  `hpo-ckpt load` restores what the trial saved
last (locally, the engine's checkpoint location for the trial; on the
Grid, its checkpoint on the PanDA server), and training goes on from that
epoch up to the point's budget, saving with `hpo-ckpt save` after every
epoch: no epoch is trained twice, and a retried attempt resumes too.
Keys that begin with __hpo_ are the engine's, not the model's.
"""
import json
import os
import pickle
import shutil
import subprocess
import sys
import warnings

CKPT = "ckpt"


def data():
    """The digits (1797 images of 8x8 pixels), scaled to [0, 1], split 2:1
    into training and validation, always the same way"""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x, y = load_digits(return_X_y=True)
    return train_test_split(x / 16.0, y, test_size=1 / 3, stratify=y, random_state=0)


def model(params):
    """eta0 matters unless the learning rate is 'optimal', l1_ratio only
    for the elasticnet penalty"""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss=params["loss"], penalty=params["penalty"],
                         alpha=params["alpha"], l1_ratio=params["l1_ratio"],
                         learning_rate=params["learning_rate"], eta0=params["eta0"],
                         random_state=0)


def hpo_ckpt(*args):
    """Run hpo-ckpt when it is there; its exit status, None without it"""
    if shutil.which("hpo-ckpt") is None:
        return None
    return subprocess.run(["hpo-ckpt", "-q"] + list(args)).returncode


def load(budget):
    """The state the trial saved last, or None: nothing saved (a trial's
    first point), or more epochs than this point's budget"""
    rc = hpo_ckpt("load")
    if rc not in (None, 0, 3):      # 3: nothing saved yet (a trial's first point)
        print("evaluate.py: hpo-ckpt load failed (%d): starting afresh" % rc, file=sys.stderr)
    try:
        with open(os.path.join(CKPT, "state.pickle"), "rb") as f:
            state = pickle.load(f)
    except FileNotFoundError:
        return None
    return state if state["epoch"] <= budget else None


def save(state):
    os.makedirs(CKPT, exist_ok=True)
    tmp = os.path.join(CKPT, "state.pickle.tmp")
    with open(tmp, "wb") as f:
        pickle.dump(state, f)
    os.replace(tmp, os.path.join(CKPT, "state.pickle"))
    rc = hpo_ckpt("save", CKPT)
    if rc not in (None, 0):
        print("evaluate.py: hpo-ckpt save failed (%d)" % rc, file=sys.stderr)


def main():
    inp = sys.argv[1] if len(sys.argv) > 1 else "input.json"
    out = sys.argv[2] if len(sys.argv) > 2 else "output.json"
    with open(inp) as f:
        params = {k: v for k, v in json.load(f).items() if not k.startswith("__hpo_")}
    budget = int(params["epochs"])
    state = load(budget) or {"epoch": 0, "model": model(params), "curve": []}
    first = state["epoch"] + 1
    xt, xv, yt, yv = data()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # overflow of a diverging step size
        while state["epoch"] < budget:
            state["model"].partial_fit(xt, yt, classes=list(range(10)))
            state["epoch"] += 1
            state["curve"].append(1.0 - state["model"].score(xv, yv))
            save(state)
    loss = state["curve"][-1]
    msg = "error %.4f after epoch %d" % (loss, budget)
    msg += ", trained epochs %d-%d" % (first, budget) if first <= budget else ", nothing left to train"
    with open(out, "w") as f:
        json.dump({"status": 0, "loss": loss, "message": msg, "intermediate": state["curve"]}, f)


if __name__ == "__main__":
    main()
