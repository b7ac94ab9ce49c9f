#!/bin/sh
# A run killed with kill -9, or stopped with Ctrl-C, resumes: no finished
# point is lost or evaluated twice, interrupted attempts run again.
. "$top_srcdir/tests/lib/tap.sh"
plan 30

mkdir "$T/task"
cat >"$T/task/eval.sh" <<'SH'
x=$(tr -d ' \n{}"' < input.json | sed -n 's/^x://p')
echo "$HPO_POINT_ID" >> "$EVAL_LOG"
sleep 0.3
echo "{\"status\": 0, \"loss\": $x}" > output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh eval.sh}
steering: {algorithm: random, seed: 11}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
budget: {max-points: 16, points-per-iteration: 4, min-unevaluated-points: 1, parallel-evaluations: 3}
YAML
EVAL_LOG=$T/evals.log
export EVAL_LOG
finished() { hpo-status --local --json 1 2>/dev/null | jq '.tasks[0].counts.finished'; }
at_least() { [ "$(finished)" -ge "$1" ]; }

hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1 &
pid=$!
ok "some points finish while it runs" wait_for 30 at_least 5
kill -9 "$pid"
wait "$pid" 2>/dev/null
hpo-status --local --json 1 >"$T/before.json"
is "$(jqr '.tasks[0].status' "$T/before.json")" paused "after kill -9 the task shows as paused"
ok "some attempts were running when it died" \
	test "$(jqr '.tasks[0].counts.running' "$T/before.json")" -ge 1

hpo-submit --local -q --resume 1 >/dev/null 2>"$T/err"
is "$?" 0 "--resume runs the task to the end"
hpo-status --local --json 1 >"$T/after.json"
is "$(jqr '.tasks[0].status' "$T/after.json")" done "the resumed task is done"
is "$(jqr '.tasks[0].counts.finished' "$T/after.json")" 16 "all 16 points finished"
is "$(jq -c '[.tasks[0].points[] | select(.status == "finished") | [.id, .loss]]' "$T/before.json")" \
	"$(jq -c --slurpfile b "$T/before.json" \
		'[.tasks[0].points[] | select(.id as $i | $b[0].tasks[0].points[] | select(.status == "finished" and .id == $i)) | [.id, .loss]]' \
		"$T/after.json")" "every point finished before the kill kept its loss"
# evaluated twice = started again after it had finished
twice=$(jq -r '.tasks[0].points[] | select(.status == "finished") | .id' "$T/before.json" | while read -r id; do
	[ "$(grep -cx "$id" "$EVAL_LOG")" -gt 1 ] && echo "$id"; done)
is "$twice" "" "no point finished before the kill was evaluated again"
is "$(jq '[.tasks[0].points[].attempts] | max' "$T/after.json")" 1 \
	"interrupted attempts do not count towards the 3-attempt limit"
is "$(cat "$T/err")" "" "resume prints nothing on stderr with -q"

# Ctrl-C: evaluations stopped, the task paused, exit 130; resume finishes it
: > "$EVAL_LOG"
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1 &
pid=$!
finished2() { hpo-status --local --json 2 2>/dev/null | jq '.tasks[0].counts.finished'; }
at_least2() { [ "$(finished2)" -ge "$1" ]; }
wait_for 30 at_least2 3
hpo-submit --local --resume 2 >/dev/null 2>"$T/busy"
is "$? $(cat "$T/busy")" "14 hpo-submit: task 2 is being run by another hpo-submit" \
	"a second hpo-submit cannot run a task that is running (exit 14)"
kill -INT "$pid"
wait "$pid"
is "$?" 130 "SIGINT stops hpo-submit with exit 130"
is "$(hpo-status --local --json 2 | jq -r '.tasks[0].status')" paused "the stopped task is paused"
is "$(hpo-status --local --json 2 | jq -r '.tasks[0].message')" \
	"interrupted; resume with hpo-submit --local --resume 2" "its message says how to resume it"
hpo-submit --local -q --json --resume 2 >"$T/resumed.json" 2>/dev/null
is "$(jqr '.tasks[0].message' "$T/resumed.json")" null \
	"once resumed and done, --json's message no longer says interrupted"
is "$(hpo-status --local --json 2 | jq -r '.tasks[0].message')" null \
	"nor does the stored task's"
is "$(hpo-status --local --json 2 | jq -r '.tasks[0].status + " " + (.tasks[0].counts.finished|tostring)')" \
	"done 16" "the resumed task finishes all its points"
msg=$(hpo-submit --resume 2 --local 2>&1 >/dev/null)
is "$?" 0 "resuming a task that is done exits 0 (options may follow operands)"
is "$msg" "hpo-submit: task 2 has already ended (done)" "and says it has already ended"

# --resume may change the budget, the parallelism and the time limit, as
# Optuna users expect: more points continue even a task that is done
hpo-submit --local --resume 1 --max-points 20 --parallel 2 --time-limit 1m --json \
	>"$T/more.json" 2>"$T/more.err"
is "$?" 0 "--resume with --max-points continues a task that is done (exit 0)"
is "$(jq -c '.tasks[0] | [.status, .max_points, .counts.finished, .counts.points]' "$T/more.json")" \
	'["done",20,20,20]' "it ends done with 20 points"
like "$(cat "$T/more.err")" "task 1: budget.max-points 16 -> 20" "stderr says what changed"
like "$(cat "$T/more.err")" "task 1: budget.parallel-evaluations 3 -> 2" "the parallelism too"
like "$(cat "$T/more.err")" "task 1: evaluation.time-limit none -> 60s" "and the time limit"
is "$(hpo-submit --local --resume 1 --max-points 3 2>&1 >/dev/null)" "hpo-submit: task 1 has already ended (done)" \
	"fewer points than it has do not reopen a task"
hpo-submit --local --resume 1 --max-points 3 --seed 4 >/dev/null 2>&1
is "$?" 2 "--seed still belongs to a new task"

# --refresh-sandbox: a bug fixed in the task directory reaches the points
# that run after the resume, with a line saying what changed
mkdir "$T/fix"
cat >"$T/fix/eval.sh" <<'SH'
sleep 0.5
echo '{"loss": 1}' > output.json
SH
cat >"$T/fix/task.yaml" <<'YAML'
evaluation: {exec: sh eval.sh}
steering: {algorithm: random, seed: 1}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
budget: {max-points: 6, parallel-evaluations: 1}
YAML
hpo-submit --local -q "$T/fix/task.yaml" >/dev/null 2>&1 &
pid=$!
finished3() { [ "$(hpo-status --local --json 3 2>/dev/null | jq '.tasks[0].counts.finished')" -ge 2 ]; }
wait_for 30 finished3
kill -INT "$pid"
wait "$pid"
echo 'echo "{\"loss\": 2}" > output.json' >"$T/fix/eval.sh"
echo 'print("new")' >"$T/fix/helper.py"
hpo-submit --local --resume 3 --refresh-sandbox --json >"$T/fix.json" 2>"$T/fix.err"
is "$?" 0 "--refresh-sandbox resumes the task"
like "$(cat "$T/fix.err")" "task 3: the sandbox now holds the files of $T/fix as they are: changed: eval.sh; added: helper.py" \
	"a line says the sandbox was refreshed and what changed"
is "$(jq -c '[.tasks[0].points[].loss] | [.[0], .[1], .[-1]]' "$T/fix.json")" '[1,1,2]' \
	"points run before keep their losses; points run after use the fixed script"
hpo-submit --local --refresh-sandbox "$T/fix/task.yaml" >/dev/null 2>&1
is "$?" 2 "--refresh-sandbox goes with --resume"
done_testing
