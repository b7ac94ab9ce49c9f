#!/usr/bin/env python3
"""A warm evaluator for bench/real-tasks: imports scikit-learn and the data
sets once, then evaluates each point sent on a UNIX socket in a child of
its own (fork), with tasks.py's loss functions.

    serve.py SOCKET

Importing scikit-learn costs about 1.3 s of CPU, more than most of these
trainings; the bench pays it once instead of 2,400 times.  The loss is
computed for every point, as evaluate.py would (client.py is the
evaluation command).
"""
import json
import os
import socketserver
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tasks  # noqa: E402


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        req = json.loads(self.rfile.readline())
        res = tasks.evaluate(req["task"], req["point"])
        self.wfile.write(json.dumps(res).encode() + b"\n")


class Server(socketserver.ForkingMixIn, socketserver.UnixStreamServer):
    pass


def main():
    # warm: every module and data set the losses use
    from sklearn import ensemble, linear_model, svm  # noqa: F401
    tasks._folds("digits")
    tasks._folds("cancer")
    sys.path.insert(0, tasks.EXAMPLE)
    import evaluate  # noqa: F401
    with Server(sys.argv[1], Handler) as s:
        open(sys.argv[1] + ".ready", "w").close()
        s.serve_forever()


if __name__ == "__main__":
    main()
