#!/usr/bin/env python3
"""A warm evaluator for bench/multifidelity: imports scikit-learn and the
digits once, then evaluates each point sent on a UNIX socket in a child of
its own (fork), with tasks.py's evaluate (the trial's state in the run's
state directory).

    serve.py SOCKET

Importing scikit-learn costs about a second of CPU, more than most
evaluations at a small budget; the bench pays it once.
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
        res = tasks.evaluate(req["task"], req["point"], req["state"])
        self.wfile.write(json.dumps(res).encode() + b"\n")


class Server(socketserver.ForkingMixIn, socketserver.UnixStreamServer):
    pass


def main():
    from sklearn import linear_model, neural_network  # noqa: F401
    tasks.data()
    with Server(sys.argv[1], Handler) as s:
        open(sys.argv[1] + ".ready", "w").close()
        s.serve_forever()


if __name__ == "__main__":
    main()
