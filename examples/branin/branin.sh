#!/bin/sh
# Evaluate the Branin function at the point in input.json and write the loss
# to output.json, as an evaluation container does on the Grid.  POSIX sh and
# awk only.
set -eu
in=${1:-input.json}
out=${2:-output.json}
# input.json is one JSON object: {"x1": <number>, "x2": <number>}
tr -d ' \n\t{}"' < "$in" | tr ',' '\n' | awk -F: -v out="$out" '
	{ v[$1] = $2 + 0 }
	END {
		if (!("x1" in v) || !("x2" in v)) {
			printf "{\"status\": 1, \"loss\": null, \"message\": \"x1 or x2 missing\"}\n" > out
			exit 1
		}
		pi = atan2(0, -1)
		a = 1; b = 5.1 / (4 * pi * pi); c = 5 / pi; r = 6; s = 10; t = 1 / (8 * pi)
		x1 = v["x1"]; x2 = v["x2"]
		f = a * (x2 - b * x1 * x1 + c * x1 - r) ^ 2 + s * (1 - t) * cos(x1) + s
		printf "{\"status\": 0, \"loss\": %.10g, \"message\": \"branin(%g, %g)\"}\n", f, x1, x2 > out
	}'
