"""The real tasks of bench/multifidelity: scikit-learn models trained an
epoch at a time (partial_fit) on the handwritten digits scikit-learn ships
(Debian: python3-sklearn), their search spaces with a fidelity parameter
(epochs), and a point's evaluation: train from the trial's saved state (the
epoch its point continues from) up to the point's budget, save the state,
and return the 3-fold cross-validated error, 1 - accuracy, over a fixed
stratified split, after the last epoch (three models a point, as in
examples/sgd-digits: every digit is validated once, so the loss moves in
steps of 1/1797, and the noise that the many evaluations of a
multi-fidelity search select from is smaller than with one held-out
third).  Training is deterministic, so a trial resumed at epoch 9 and
trained to 27 has the loss that 27 epochs from scratch have.

    tasks.py TASK STATEDIR [input.json [output.json]]    evaluates one point

A point with __hpo_trial keeps its state in STATEDIR/<trial>.pickle (one
per trial: a promoted point finds the state its trial's last point left);
a point without (random, tpe: the full budget) trains from scratch and
keeps nothing.  Every evaluation appends "trial budget from to loss" to
STATEDIR/epochs.log: the epochs it trained were from+1 .. to.
"""
import json
import os
import pickle
import sys
import warnings

FID = {"method": "fidelity", "dimension": {"low": 1, "high": 27, "eta": 3}}

SPACES = {
    # a linear model by SGD (examples/sgd-digits' space): three categories,
    # two log-scale reals, l1_ratio used only by elasticnet, eta0 unused by
    # the 'optimal' rate
    "sgd-digits": {
        "loss": {"method": "categorical", "dimension": {"categories": ["hinge", "log_loss", "modified_huber", "perceptron"]}},
        "penalty": {"method": "categorical", "dimension": {"categories": ["l2", "l1", "elasticnet"]}},
        "alpha": {"method": "loguniform", "dimension": {"low": 1e-7, "high": 1e-1}},
        "l1_ratio": {"method": "uniform", "dimension": {"low": 0.0, "high": 1.0}},
        "learning_rate": {"method": "categorical", "dimension": {"categories": ["optimal", "constant", "invscaling"]}},
        "eta0": {"method": "loguniform", "dimension": {"low": 1e-4, "high": 1.0}},
        "epochs": FID,
    },
    # a one-hidden-layer network: its width, activation, weight decay,
    # step size and mini-batch (adam)
    "mlp-digits": {
        "width": {"method": "uniformint", "dimension": {"low": 4, "high": 128}},
        "activation": {"method": "categorical", "dimension": {"categories": ["relu", "tanh", "logistic"]}},
        "alpha": {"method": "loguniform", "dimension": {"low": 1e-6, "high": 1.0}},
        "learning_rate_init": {"method": "loguniform", "dimension": {"low": 1e-5, "high": 1.0}},
        "batch_size": {"method": "categorical", "dimension": {"categories": [16, 32, 64, 128, 256]}},
        "epochs": FID,
    },
}

_data = None


def data():
    """The digits scaled to [0, 1], their classes, and a fixed stratified
    3-fold split"""
    global _data
    if _data is None:
        import numpy as np
        from sklearn.datasets import load_digits
        from sklearn.model_selection import StratifiedKFold

        x, y = load_digits(return_X_y=True)
        x = x / 16.0
        _data = (x, y, np.unique(y), list(StratifiedKFold(3, shuffle=True, random_state=0).split(x, y)))
    return _data


def model(task, p):
    if task == "sgd-digits":
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(loss=p["loss"], penalty=p["penalty"], alpha=p["alpha"],
                             l1_ratio=p["l1_ratio"], learning_rate=p["learning_rate"],
                             eta0=p["eta0"], random_state=0)
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(int(p["width"]),), activation=p["activation"],
                         alpha=p["alpha"], learning_rate_init=p["learning_rate_init"],
                         batch_size=int(p["batch_size"]), random_state=0)


def evaluate(task, point, statedir):
    """output.json's object for a point"""
    x, y, classes, folds = data()
    trial = point.get("__hpo_trial")
    budget = int(point["epochs"])
    cont = int(point.get("__hpo_continues", 0))
    path = os.path.join(statedir, "%s.pickle" % trial) if trial else None
    state = None
    if cont and path and os.path.exists(path):
        with open(path, "rb") as f:
            state = pickle.load(f)
        if state["epoch"] != cont:     # not the state the point continues
            state = None
    if state is None:
        state = {"epoch": 0, "models": [model(task, point) for _ in folds], "curve": []}
    start = state["epoch"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # overflow, convergence
            while state["epoch"] < budget:
                err = 0.0
                for m, (tr, va) in zip(state["models"], folds):
                    m.partial_fit(x[tr], y[tr], classes=classes)
                    err += 1.0 - m.score(x[va], y[va])
                state["epoch"] += 1
                state["curve"].append(err / len(folds))
        loss = state["curve"][-1]
        res = {"status": 0, "loss": loss, "intermediate": state["curve"][start:]}
    except Exception as e:      # a point the model refuses (diverged weights)
        loss = None
        res = {"status": 1, "loss": None, "message": "%s: %s" % (type(e).__name__, e)}
    if path and res["status"] == 0:
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            pickle.dump(state, f)
        os.replace(tmp, path)
    with open(os.path.join(statedir, "epochs.log"), "a") as f:
        f.write("%s %d %d %d %s\n" % (trial or "-", budget, start, state["epoch"], loss))
    return res


if __name__ == "__main__":
    task, statedir = sys.argv[1], sys.argv[2]
    inp = sys.argv[3] if len(sys.argv) > 3 else "input.json"
    out = sys.argv[4] if len(sys.argv) > 4 else "output.json"
    with open(inp) as f:
        point = json.load(f)
    os.makedirs(statedir, exist_ok=True)
    with open(out, "w") as f:
        json.dump(evaluate(task, point, statedir), f)
