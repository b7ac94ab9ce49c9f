"""The real tasks of bench/real-tasks: scikit-learn models on the data sets
that scikit-learn ships (Debian: python3-sklearn), their search spaces in
the task file's form, and the loss of a point: the cross-validated error,
1 - accuracy, over a fixed stratified 3-fold split, so that a point always
gets the same loss.

    tasks.py TASK [input.json [output.json]]     evaluates one point

The sgd-digits task is examples/sgd-digits/evaluate.py's, with its
checkpoints left out.
"""
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "examples", "sgd-digits")

SPACES = {
    # a kernel machine: two log-scale reals, gamma unused by the linear
    # kernel, degree used only by the polynomial one
    "svc-digits": {
        "C": {"method": "loguniform", "dimension": {"low": 1e-3, "high": 1e3}},
        "gamma": {"method": "loguniform", "dimension": {"low": 1e-5, "high": 10}},
        "kernel": {"method": "categorical", "dimension": {"categories": ["rbf", "poly", "sigmoid", "linear"]}},
        "degree": {"method": "uniformint", "dimension": {"low": 2, "high": 5}},
    },
    # boosted trees: a log-scale rate, three integers, a real, a category
    "gb-cancer": {
        "learning_rate": {"method": "loguniform", "dimension": {"low": 1e-3, "high": 1.0}},
        "n_estimators": {"method": "uniformint", "dimension": {"low": 10, "high": 60}},
        "max_depth": {"method": "uniformint", "dimension": {"low": 1, "high": 5}},
        "min_samples_leaf": {"method": "uniformint", "dimension": {"low": 1, "high": 40}},
        "subsample": {"method": "uniform", "dimension": {"low": 0.5, "high": 1.0}},
        "loss": {"method": "categorical", "dimension": {"categories": ["log_loss", "exponential"]}},
    },
    # a linear model by SGD: three categories, two log-scale reals, l1_ratio
    # used only by elasticnet, eta0 unused by the 'optimal' rate
    "sgd-digits": {
        "loss": {"method": "categorical", "dimension": {"categories": ["hinge", "log_loss", "modified_huber", "perceptron"]}},
        "penalty": {"method": "categorical", "dimension": {"categories": ["l2", "l1", "elasticnet"]}},
        "alpha": {"method": "loguniform", "dimension": {"low": 1e-7, "high": 1e-1}},
        "l1_ratio": {"method": "uniform", "dimension": {"low": 0.0, "high": 1.0}},
        "learning_rate": {"method": "categorical", "dimension": {"categories": ["optimal", "constant", "invscaling", "adaptive"]}},
        "eta0": {"method": "loguniform", "dimension": {"low": 1e-4, "high": 1.0}},
    },
}

_data = {}


def _folds(name):
    if name not in _data:
        from sklearn.datasets import load_breast_cancer, load_digits
        from sklearn.model_selection import StratifiedKFold

        if name == "digits":
            x, y = load_digits(return_X_y=True)
            x = x / 16.0
        else:
            x, y = load_breast_cancer(return_X_y=True)
        _data[name] = (x, y, list(StratifiedKFold(3, shuffle=True, random_state=0).split(x, y)))
    return _data[name]


def _cv(make, name):
    x, y, folds = _folds(name)
    acc = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")     # convergence warnings
        for tr, va in folds:
            acc += make().fit(x[tr], y[tr]).score(x[va], y[va])
    return 1.0 - acc / len(folds)


def svc_digits(p):
    from sklearn.svm import SVC

    return _cv(lambda: SVC(C=p["C"], gamma=p["gamma"], kernel=p["kernel"], degree=p["degree"],
                           max_iter=20000, cache_size=50), "digits")


def gb_cancer(p):
    from sklearn.ensemble import GradientBoostingClassifier

    return _cv(lambda: GradientBoostingClassifier(
        learning_rate=p["learning_rate"], n_estimators=p["n_estimators"],
        max_depth=p["max_depth"], min_samples_leaf=p["min_samples_leaf"],
        subsample=p["subsample"], loss=p["loss"], random_state=0), "cancer")


def sgd_digits(p):
    sys.path.insert(0, EXAMPLE)
    try:
        import evaluate
    finally:
        sys.path.pop(0)
    return evaluate.train(p)[0]


LOSSES = {"svc-digits": svc_digits, "gb-cancer": gb_cancer, "sgd-digits": sgd_digits}


def evaluate(task, point):
    """output.json's object for a point"""
    try:
        return {"status": 0, "loss": LOSSES[task](point)}
    except Exception as e:      # a point the model refuses
        return {"status": 1, "loss": None, "message": "%s: %s" % (type(e).__name__, e)}


if __name__ == "__main__":
    task = sys.argv[1]
    inp = sys.argv[2] if len(sys.argv) > 2 else "input.json"
    out = sys.argv[3] if len(sys.argv) > 3 else "output.json"
    with open(inp) as f:
        point = json.load(f)
    with open(out, "w") as f:
        json.dump(evaluate(task, point), f)
