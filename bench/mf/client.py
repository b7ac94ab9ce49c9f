#!/usr/bin/env python3
"""The evaluation command of bench/multifidelity's real tasks: sends
input.json and the run's state directory to serve.py (socket
$HPO_BENCH_SOCKET) and writes its answer to output.json.

    client.py TASK STATEDIR
"""
import json
import os
import socket
import sys

with open("input.json") as f:
    point = json.load(f)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(os.environ["HPO_BENCH_SOCKET"])
s.sendall(json.dumps({"task": sys.argv[1], "state": sys.argv[2], "point": point}).encode() + b"\n")
res = s.makefile("rb").readline()
with open("output.json", "wb") as f:
    f.write(res)
