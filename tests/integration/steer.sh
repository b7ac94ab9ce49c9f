#!/bin/sh
# hpo-steer: the iDDS steering files, the budget, reproducibility, errors,
# and the same points as a local task's steering command and built in.
. "$top_srcdir/tests/lib/tap.sh"
plan 31

cd "$T" || exit 1
space='{"lr": {"method": "loguniform", "dimension": {"low": 0.0001, "high": 1}},
 "n": {"method": "quniform", "dimension": {"low": 2, "high": 20, "q": 2}},
 "act": {"method": "categorical", "dimension": {"categories": ["relu", "tanh"]}}}'
# a history of K random points with losses, made by hpo-steer random itself
history() {	# K FILE
	hpo-steer -a random -i empty.json -o pts.json -n "$1" -m "$1" -s 9 &&
	jq -c --argjson space "$space" '{points: [.[] | [., (.lr * 10 + .n / 10)]],
		opt_space: $space}' pts.json >"$2"
}
echo "{\"points\": [], \"opt_space\": $space}" >empty.json

hpo-steer --algorithm tpe --in empty.json --out out.json --num-points 3 --max-points 10 --seed 4
is "$?" 0 "hpo-steer proposes points for an empty history"
is "$(jq length out.json)" 3 "--num-points of them"
is "$(jq -c '[.[] | keys_unsorted]' out.json)" '[["lr","n","act"],["lr","n","act"],["lr","n","act"]]' \
	"each a complete point, in the space's order"
is "$(jq '[.[] | select(.lr >= 0.0001 and .lr <= 1 and (.n | type) == "number" and
	.n % 2 == 0 and .n >= 2 and .n <= 20 and (.act == "relu" or .act == "tanh"))] | length' out.json)" 3 \
	"within the bounds, on the q grid, among the categories"
is "$(jq -c '[.[].n | tostring | test("^[0-9]+$")] | unique' out.json)" '[true]' \
	"an integral q grid gives JSON integers"

history 12 h12.json
hpo-steer -a tpe -i h12.json -o a.json -n 4 -m 30 -s 5
hpo-steer -a tpe -i h12.json -o b.json -n 4 -m 30 -s 5
hpo-steer -a tpe -i h12.json -o c.json -n 4 -m 30 -s 6
ok "the same input and seed give the same points" cmp a.json b.json
fails "another seed gives other points" cmp a.json c.json
is "$(jq -c 'map(tojson) | unique | length' a.json)" 4 "four points at once are four different points"
hpo-steer -a tpe -i h12.json -o - -n 2 -m 30 -s 5 -S multivariate=true -S '{"gamma": 0.5}' >d.json
is "$?" 0 "settings as KEY=VALUE and as JSON; --out - writes to standard output"
is "$(jq length d.json)" 2 "two points on standard output"

# the budget: never more than --max-points in all
hpo-steer -a tpe -i h12.json -o e.json -n 5 -m 14
is "$(jq length e.json)" 2 "12 points and a budget of 14: 2 more, not 5"
hpo-steer -a tpe -i h12.json -o e.json -n 5 -m 12
is "$?" 0 "a spent budget is success"
is "$(cat e.json)" "[]" "and writes [] to end the search"
hpo-steer -a grid -i h12.json -o e.json -n 50 -m 100 -S steps=2
is "$(jq length e.json)" 28 "grid: the 28 grid points after the first 12 of 40, then nothing"

# odd histories: failed points, Python's NaN and Infinity, duplicates, pending
cat >odd.json <<EOF
{"points": [[{"lr": 0.01, "n": 4, "act": "relu"}, NaN],
            [{"lr": 0.01, "n": 4, "act": "relu"}, Infinity],
            [{"lr": 0.01, "n": 4, "act": "relu"}, 100000],
            [{"lr": 0.01, "n": 4, "act": "relu"}, null]],
 "opt_space": $space}
EOF
hpo-steer -a tpe -i odd.json -o odd-out.json -n 3 -m 10 -S n_startup=0
is "$?" 0 "a history of failed, NaN, infinite, pending and duplicate points is fine"
is "$(jq length odd-out.json)" 3 "and gives points"

# --space instead of opt_space
echo '{"points": []}' >nospace.json
printf 'x: {method: uniformint, low: 1, high: 3}\n' >space.yaml
is "$(hpo-steer -a tpe -i nospace.json -o - -n 1 -m 1 --space space.yaml | jq -c '.[0] | keys')" '["x"]' \
	"--space gives the search space"
hpo-steer -a tpe -i nospace.json -o - -n 1 -m 1 2>err
is "$?" 13 "no opt_space and no --space: exit 13"
is "$(cat err)" "hpo-steer: nospace.json: no opt_space (the search space); or give --space" \
	"and says so"

# errors name the place
printf '{"points": [\n  [{"lr": 0.1}, 1],,\n]}\n' >syntax.json
hpo-steer -a tpe -i syntax.json -o x.json -n 1 -m 5 2>err
is "$?" 13 "a JSON syntax error exits 13"
like "$(cat err)" "hpo-steer: syntax.json:2:" "and names the file, line and column"
jq '.points[1][0].n = "four"' h12.json >bad.json
hpo-steer -a tpe -i bad.json -o x.json -n 1 -m 50 2>err
is "$(cat err)" "hpo-steer: bad.json: points[1]: parameter 'n': expected a number, not a string" \
	"a point that does not fit the space is named by its index"
jq '.opt_space.lr.dimension.low = -1' h12.json >badspace.json
hpo-steer -a tpe -i badspace.json -o x.json -n 1 -m 50 2>err
like "$(cat err)" "badspace.json:" "a bad search space names its position"
ok "no output file after an error" test ! -e x.json
hpo-steer -a tpee -i h12.json -o x.json -n 1 -m 50 2>err
is "$?" 2 "an unknown algorithm is a usage error"
like "$(cat err)" "unknown algorithm 'tpee' (did you mean 'tpe'?" "with the nearest name"
hpo-steer -a tpe -S gamma=2 -i h12.json -o x.json -n 1 -m 50 2>err
is "$(head -n 1 err)" "hpo-steer: setting 'gamma' (2) must be between 1e-09 and 1" \
	"a setting out of range is a usage error with its range"
hpo-steer -a tpe -i missing.json -o x.json -n 1 -m 50 2>err
is "$?" 1 "a missing input file exits 1"

# a local task with hpo-steer as its steering command proposes the points
# the built-in algorithm proposes: the same code (one evaluation at a time,
# so that both see the same histories)
mkdir task
cat >task/eval.sh <<'SH'
jq '{status: 0, loss: ((.x - 0.3) * (.x - 0.3) + (if .c == "b" then 0 else 1 end))}' input.json >output.json
SH
cat >task/exec.yaml <<'YAML'
evaluation: {exec: sh eval.sh}
steering:
  exec: hpo-steer --algorithm tpe --in %IN --out %OUT --num-points %NUM_POINTS --max-points %MAX_POINTS --seed 3 --setting n_startup=4
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
  c: {method: categorical, dimension: {categories: [a, b]}}
budget: {max-points: 8, points-per-iteration: 2, parallel-evaluations: 1}
YAML
sed -e 's/^  exec: hpo-steer.*/  algorithm: tpe\n  settings: {n_startup: 4}\n  seed: 3/' task/exec.yaml >task/builtin.yaml
hpo-submit --local -q --json task/exec.yaml >exec.json
is "$?" 0 "a local task runs with hpo-steer as its steering command"
HPO_DB=$T/db2/hpo.db hpo-submit --local -q --json task/builtin.yaml >builtin.json
is "$(jq -c '[.tasks[0].points[].parameters]' builtin.json)" \
	"$(jq -c '[.tasks[0].points[].parameters]' exec.json)" \
	"the built-in tpe proposes exactly the points hpo-steer proposed"
is "$(jq '.tasks[0].points | length' exec.json)" 8 "max-points (8) points, no more"

done_testing
