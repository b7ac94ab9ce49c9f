#!/bin/sh
# Evaluations run in parallel, as many at a time as the task says.
. "$top_srcdir/tests/lib/tap.sh"
plan 5

mkdir "$T/task"
# Each evaluation logs its start and end and marks itself running with a
# file in $RUN_DIR.  With $HOLD_DIR it then runs until the test releases it
# (a file of its pid there, or "all"); else it waits (30 s at most) until
# $WANT evaluations are running.  What the engine does is then seen step by
# step, not through a wall-clock time that a loaded machine stretches.
cat >"$T/task/eval.sh" <<'SH'
echo "$(date +%s.%N) 1" >> "$EVAL_LOG"
touch "$RUN_DIR/$$"
i=0
if [ -n "$HOLD_DIR" ]; then
	while [ ! -e "$HOLD_DIR/$$" ] && [ ! -e "$HOLD_DIR/all" ] && [ $i -lt 1200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
else
	while [ "$(ls "$RUN_DIR" | wc -l)" -lt "$WANT" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi
rm "$RUN_DIR/$$"
echo "$(date +%s.%N) -1" >> "$EVAL_LOG"
echo '{"status": 0, "loss": 1}' > output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh eval.sh}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
budget: {max-points: 6, points-per-iteration: 6, parallel-evaluations: 3}
YAML
EVAL_LOG=$T/evals.log
RUN_DIR=$T/running
HOLD_DIR=$T/release
mkdir "$RUN_DIR" "$HOLD_DIR"
export EVAL_LOG RUN_DIR HOLD_DIR
# the most evaluations running at one moment
concurrency() { sort -n "$EVAL_LOG" | awk '{ n += $2; if (n > m) m = n } END { print m }'; }
running() { ls "$RUN_DIR" | wc -l | tr -d ' '; }
three_running() { [ "$(running)" -eq 3 ]; }
released_gone() { [ ! -e "$RUN_DIR/$released" ]; }

# 6 points, 3 at a time: the test ends one evaluation at a time and sees
# another take its place each time
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1 &
sub=$!
refills=0
wait_for 30 three_running
for k in 1 2 3; do
	released=$(ls "$RUN_DIR" | head -n 1)
	[ -n "$released" ] || break
	touch "$HOLD_DIR/$released"
	wait_for 30 released_gone && wait_for 30 three_running && refills=$((refills + 1))
done
touch "$HOLD_DIR/all"
wait "$sub"
is "$?" 0 "the task runs"
is "$(concurrency)" 3 "3 evaluations overlap, never more (parallel-evaluations: 3)"
is "$refills" 3 "each time an evaluation ends, the next takes its slot: the pool stays at 3"
HOLD_DIR=

: > "$EVAL_LOG"
WANT=1 hpo-submit --local -q --parallel 1 "$T/task/task.yaml" >/dev/null 2>&1
is "$(concurrency)" 1 "--parallel 1 runs one at a time"

# iDDS rules: points-per-iteration 2 and min-unevaluated-points 0 mean
# batches of 2, each asked only when the last one is evaluated
: > "$EVAL_LOG"
sed -i 's/points-per-iteration: 6/points-per-iteration: 2/' "$T/task/task.yaml"
WANT=2 hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
is "$(concurrency)" 2 "batches of points-per-iteration bound the overlap"
done_testing
