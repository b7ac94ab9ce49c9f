#!/bin/sh
# hpo-steer and local tasks with the model-based optimisers gp and cmaes:
# valid points of every kind, batches, odd histories, settings.
. "$top_srcdir/tests/lib/tap.sh"
plan 22

cd "$T" || exit 1
space='{"lr": {"method": "loguniform", "dimension": {"low": 0.0001, "high": 1}},
 "n": {"method": "quniform", "dimension": {"low": 2, "high": 20, "q": 2}},
 "k": {"method": "uniformint", "dimension": {"low": 1, "high": 5}},
 "w": {"method": "normal", "dimension": {"mu": 0, "sigma": 1}},
 "act": {"method": "categorical", "dimension": {"categories": ["relu", "tanh", "elu"]}}}'
echo "{\"points\": [], \"opt_space\": $space}" >empty.json
# 20 random points with losses
hpo-steer -a random -i empty.json -o pts.json -n 20 -m 20 -s 9
jq -c --argjson space "$space" '{points: [.[] | [., (.lr * 10 + .n / 10 + .k + .w * .w)]],
	opt_space: $space}' pts.json >h20.json
valid='[.[] | select(.lr >= 0.0001 and .lr <= 1 and .n % 2 == 0 and .n >= 2 and .n <= 20 and
	(.k | tostring | test("^[1-5]$")) and (.w | type) == "number" and
	(.act == "relu" or .act == "tanh" or .act == "elu"))] | length'

for a in gp cmaes; do
	hpo-steer -a $a -i h20.json -o $a-1.json -n 4 -m 50 -s 5
	is "$?" 0 "$a: proposes points"
	is "$(jq "$valid" $a-1.json)" 4 "$a: within the bounds, on the grids, integers, among the categories"
	is "$(jq -c 'map(tojson) | unique | length' $a-1.json)" 4 "$a: four points at once are four different points"
	hpo-steer -a $a -i h20.json -o $a-2.json -n 4 -m 50 -s 5
	ok "$a: the same input and seed give the same points" cmp $a-1.json $a-2.json
	# the four as pending: four more, none of them again
	jq -c --slurpfile p $a-1.json '.points += [$p[0][] | [., null]]' h20.json >$a-p.json
	hpo-steer -a $a -i $a-p.json -o $a-3.json -n 4 -m 50 -s 5
	is "$(jq -c --slurpfile p $a-1.json '[.[] | tojson] - [$p[0][] | tojson] | length' $a-3.json)" 4 \
		"$a: points asked while four are pending differ from them"
	hpo-steer -a $a -i empty.json -o $a-e.json -n 3 -m 50
	is "$(jq "$valid" $a-e.json)" 3 "$a: an empty history gives valid points"
done

# odd histories: failed points, Python's NaN and Infinity, duplicates, pending
p='{"lr": 0.01, "n": 4, "k": 2, "w": 0.5, "act": "relu"}'
cat >odd.json <<EOF
{"points": [[$p, NaN], [$p, Infinity], [$p, 100000], [$p, 1e300], [$p, -1e300],
            [$p, 3], [$p, null]],
 "opt_space": $space}
EOF
hpo-steer -a gp -i odd.json -o odd-gp.json -n 3 -m 50 -S n_initial=2
is "$(jq "$valid" odd-gp.json)" 3 "gp: failed, NaN, infinite, huge, pending and duplicate points give valid points"
hpo-steer -a cmaes -i odd.json -o odd-cmaes.json -n 3 -m 50 -S popsize=3
is "$(jq "$valid" odd-cmaes.json)" 3 "cmaes: the same"

hpo-steer -a gp -S xi=-1 -i h20.json -o x.json -n 1 -m 50 2>err
is "$?" 2 "a setting out of range is a usage error"
like "$(cat err)" "setting 'xi' (-1) must be between 0 and 10" "naming the setting and its range"
hpo-steer -a cmaes -S lambda=8 -i h20.json -o x.json -n 1 -m 50 2>err
like "$(cat err)" "unknown setting 'lambda' for algorithm 'cmaes'" "an unknown setting is named"

# local tasks: gp gets near Branin's minimum (0.397887) in 24 evaluations,
# two at a time; cmaes runs its generations
mkdir task
cat >task/eval.sh <<'SH'
jq '(5.1 / (4 * 3.141592653589793 * 3.141592653589793)) as $b | (5 / 3.141592653589793) as $c |
	(.x2 - $b * .x1 * .x1 + $c * .x1 - 6) as $t |
	{status: 0, loss: ($t * $t + 10 * (1 - 1 / (8 * 3.141592653589793)) * (.x1 | cos) + 10)}' \
	input.json >output.json
SH
cat >task/gp.yaml <<'YAML'
evaluation: {exec: sh eval.sh}
steering: {algorithm: gp, seed: 1}
search-space:
  x1: {method: uniform, dimension: {low: -5, high: 10}}
  x2: {method: uniform, dimension: {low: 0, high: 15}}
budget: {max-points: 24, points-per-iteration: 2, parallel-evaluations: 2}
YAML
hpo-submit --local -q --json task/gp.yaml >gp.json
is "$?" 0 "a local task runs with gp"
is "$(jq '.tasks[0].points | length' gp.json)" 24 "max-points points"
# (random search's median after 25 points is 1.7 above it: bench/README.md)
ok "gp's best loss is within 0.5 of the minimum" \
	jq -e '[.tasks[0].points[].loss] | min < 0.897887' gp.json
sed -e 's/algorithm: gp/algorithm: cmaes/' task/gp.yaml >task/cmaes.yaml
hpo-submit --local -q --json task/cmaes.yaml >cmaes.json
is "$?" 0 "a local task runs with cmaes"
is "$(jq '.tasks[0].points | length' cmaes.json)" 24 "max-points points"
