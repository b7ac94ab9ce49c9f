#!/usr/bin/env python3
"""Evaluate one point: a linear classifier (scikit-learn's SGDClassifier)
trained by stochastic gradient descent on the handwritten digits that
scikit-learn ships, an epoch at a time; the loss is the 3-fold
cross-validated error, 1 - accuracy, with a fixed split, so that a point
always gets the same loss.

    evaluate.py [input.json [output.json]]

After every epoch the three models go to ckpt/state.pickle and, when
hpo-ckpt is on the PATH, `hpo-ckpt save ckpt/` keeps them where the next
attempt of the point finds them (the local engine sets HPO_CKPT_URL for
each point; on the Grid it is the point's checkpoint on the PanDA
server).  A retried attempt (the time limit, the pilot's wall time)
starts with `hpo-ckpt load` and goes on from the last epoch saved.
"""
import json
import os
import pickle
import shutil
import subprocess
import sys
import warnings

EPOCHS = 10
FOLDS = 3
CKPT = "ckpt"


def data():
    """The digits (1797 images of 8x8 pixels), scaled to [0, 1], and the
    validation folds: a fixed stratified 3-fold split"""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import StratifiedKFold

    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(x, y))
    return x, y, folds


def model(point):
    """The classifier for a point: eta0 matters unless the learning rate
    is 'optimal', l1_ratio only for the elasticnet penalty"""
    from sklearn.linear_model import SGDClassifier

    return SGDClassifier(loss=point["loss"], penalty=point["penalty"],
                         alpha=point["alpha"], l1_ratio=point["l1_ratio"],
                         learning_rate=point["learning_rate"], eta0=point["eta0"],
                         random_state=0)


def train(point, state=None, after_epoch=None):
    """Train the FOLDS models from state (None: from scratch) up to EPOCHS
    epochs, calling after_epoch(state) after each; returns the loss and the
    validation error after each epoch"""
    x, y, folds = data()
    classes = sorted(set(y))
    if state is None:
        state = {"epoch": 0, "models": [model(point) for _ in folds], "curve": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # overflow of a diverging step size
        while state["epoch"] < EPOCHS:
            errors = []
            for m, (tr, va) in zip(state["models"], folds):
                m.partial_fit(x[tr], y[tr], classes=classes)
                errors.append(1.0 - m.score(x[va], y[va]))
            state["epoch"] += 1
            state["curve"].append(sum(errors) / len(errors))
            if after_epoch is not None:
                after_epoch(state)
    return state["curve"][-1], state["curve"]


def ckpt(*args):
    """Run hpo-ckpt when it is there; its exit status, None without it"""
    if shutil.which("hpo-ckpt") is None:
        return None
    return subprocess.run(["hpo-ckpt", "-q"] + list(args)).returncode


def resume():
    """The state the last attempt saved, or None"""
    rc = ckpt("load")
    if rc not in (None, 0, 3):
        print("evaluate.py: hpo-ckpt load failed (%d): starting afresh" % rc, file=sys.stderr)
    try:
        with open(os.path.join(CKPT, "state.pickle"), "rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        return None


def save(state):
    os.makedirs(CKPT, exist_ok=True)
    tmp = os.path.join(CKPT, "state.pickle.tmp")
    with open(tmp, "wb") as f:
        pickle.dump(state, f)
    os.replace(tmp, os.path.join(CKPT, "state.pickle"))
    rc = ckpt("save", CKPT)
    if rc not in (None, 0):
        print("evaluate.py: hpo-ckpt save failed (%d)" % rc, file=sys.stderr)


def main():
    inp = sys.argv[1] if len(sys.argv) > 1 else "input.json"
    out = sys.argv[2] if len(sys.argv) > 2 else "output.json"
    with open(inp) as f:
        point = json.load(f)
    state = resume()
    start = state["epoch"] if state else 0
    loss, curve = train(point, state, save)
    msg = "error %.4f after %d epochs" % (loss, EPOCHS)
    if start:
        msg += " (resumed after epoch %d)" % start
    with open(out, "w") as f:
        json.dump({"status": 0, "loss": loss, "message": msg, "intermediate": curve}, f)


if __name__ == "__main__":
    main()
