#!/bin/sh
# Evaluations run in parallel, as many at a time as the task says.
. "$top_srcdir/tests/lib/tap.sh"
plan 5

mkdir "$T/task"
cat >"$T/task/eval.sh" <<'SH'
echo "$(date +%s.%N) 1" >> "$EVAL_LOG"
sleep 1
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
export EVAL_LOG
# the most evaluations running at one moment
concurrency() { sort -n "$EVAL_LOG" | awk '{ n += $2; if (n > m) m = n } END { print m }'; }

start=$(date +%s.%N)
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
is "$?" 0 "the task runs"
took=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.1f", $2 - $1 }')
is "$(concurrency)" 3 "3 evaluations overlap (parallel-evaluations: 3)"
ok "6 one-second evaluations 3 at a time take under 4s, not 6s (took ${took}s)" \
	awk -v t="$took" 'BEGIN { exit !(t < 4) }'

: > "$EVAL_LOG"
hpo-submit --local -q --parallel 1 "$T/task/task.yaml" >/dev/null 2>&1
is "$(concurrency)" 1 "--parallel 1 runs one at a time"

# iDDS rules: points-per-iteration 2 and min-unevaluated-points 0 mean
# batches of 2, each asked only when the last one is evaluated
: > "$EVAL_LOG"
sed -i 's/points-per-iteration: 6/points-per-iteration: 2/' "$T/task/task.yaml"
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
is "$(concurrency)" 2 "batches of points-per-iteration bound the overlap"
done_testing
