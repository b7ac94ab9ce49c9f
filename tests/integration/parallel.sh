#!/bin/sh
# Evaluations run in parallel, as many at a time as the task says.
. "$top_srcdir/tests/lib/tap.sh"
plan 5

mkdir "$T/task"
# Each evaluation logs its start and end, and waits (30 s at most) until
# $WANT evaluations are running, counted as files in $RUN_DIR: the pool
# being kept full is then shown by what each one saw, not by a wall-clock
# time that a loaded machine stretches.
cat >"$T/task/eval.sh" <<'SH'
echo "$(date +%s.%N) 1" >> "$EVAL_LOG"
touch "$RUN_DIR/$$"
i=0
while [ "$(ls "$RUN_DIR" | wc -l)" -lt "$WANT" ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "$(ls "$RUN_DIR" | wc -l)" >> "$EVAL_LOG.seen"
sleep 0.2
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
mkdir "$RUN_DIR"
export EVAL_LOG RUN_DIR
# the most evaluations running at one moment
concurrency() { sort -n "$EVAL_LOG" | awk '{ n += $2; if (n > m) m = n } END { print m }'; }

WANT=3 hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
is "$?" 0 "the task runs"
is "$(concurrency)" 3 "3 evaluations overlap, never more (parallel-evaluations: 3)"
is "$(sort "$EVAL_LOG.seen" | uniq -c | tr -s ' ')" " 6 3" \
	"each of the 6 evaluations found 3 running: a slot is filled as soon as it frees"

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
