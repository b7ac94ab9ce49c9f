#!/bin/sh
# The user's steering command, run with the iDDS files and placeholders.
. "$top_srcdir/tests/lib/tap.sh"
plan 12

mkdir "$T/task"
cat >"$T/task/steer.sh" <<'SH'
#!/bin/sh
# steer.sh IN OUT NUM MAX: propose x = n, n+1, ... where n is the number of
# points so far; stop after 6 points
in=$1 out=$2 num=$3 max=$4
echo "$num $max" >> "$STEER_LOG"
cp "$in" "$STEER_LOG.last-input"
n=$(grep -o '"x": -*[0-9]' "$in" | wc -l)
if [ "$n" -ge 6 ]; then echo '[]' > "$out"; exit 0; fi
awk -v n="$n" -v num="$num" 'BEGIN {
	printf "["
	for (i = 0; i < num; i++) printf "%s{\"x\": %d}", (i ? ", " : ""), n + i
	print "]"
}' > "$out"
SH
cat >"$T/task/eval.sh" <<'SH'
x=$(tr -d ' \n{}"' < input.json | sed -n 's/^x://p')
echo "{\"status\": 0, \"loss\": $(( (x - 3) * (x - 3) ))}" > output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh eval.sh}
steering:
  exec: sh steer.sh %IN %OUT %NUM_POINTS %MAX_POINTS
search-space:
  x: {method: uniformint, dimension: {low: 0, high: 100}}
budget: {max-points: 10, points-per-iteration: 4, parallel-evaluations: 2}
YAML
STEER_LOG=$T/steer.log
export STEER_LOG
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v.json" 2>"$T/err"
is "$?" 0 "a task steered by the user's command ends done"
is "$(jqr '.tasks[0].status' "$T/v.json")" done "status done"
is "$(jq -c '[.tasks[0].points[].parameters.x]' "$T/v.json")" "[0,1,2,3,4,5,6,7]" \
	"the points are the ones the steering command proposed"
is "$(jqr '.tasks[0].best.parameters.x' "$T/v.json")" 3 "the best point is x = 3"
is "$(head -n 1 "$STEER_LOG")" "4 10" "%NUM_POINTS and %MAX_POINTS are replaced"
is "$(wc -l < "$STEER_LOG" | tr -d ' ')" 3 "steering ran until it returned []"
like "$(jqr '.tasks[0].message' "$T/v.json")" "proposed no more points" "the task says why the search ended"
is "$(jq -c '.points | length' "$STEER_LOG.last-input")" 8 "%IN holds every point so far"
is "$(jq -c '[.points[0][0], .points[0][1], .opt_space.x.method]' "$STEER_LOG.last-input")" \
	'[{"x":0},9,"uniformint"]' "%IN is [[point, loss], ...] with opt_space"

# a steering command that keeps failing ends the search after 3 runs
sed -i 's|exec: sh steer.sh.*|exec: "echo broken >\&2; exit 1 # %OUT"|' "$T/task/task.yaml"
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v2.json" 2>/dev/null
is "$?" 4 "no points at all: the task fails (exit 4)"
like "$(jqr '.tasks[0].message' "$T/v2.json")" "steering failed 3 times, last: exited with status 1" \
	"the task's message says steering failed 3 times"

# points that do not fit the search space are a failed steering run
sed -i 's|exec: "echo broken.*|exec: "echo \x27[{\\"y\\": 1}]\x27 > %OUT"|' "$T/task/task.yaml"
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v3.json" 2>"$T/err3"
like "$(cat "$T/err3" "$T/v3.json")" "output.json: point 1:" "a proposed point outside the space is rejected, named"
done_testing
