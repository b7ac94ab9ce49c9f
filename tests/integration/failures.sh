#!/bin/sh
# Evaluations that fail, time out or write garbage are handled as on the
# Grid: 3 attempts, then the point is failed with loss 1e5.
. "$top_srcdir/tests/lib/tap.sh"
plan 34

mkdir "$T/task"
cat >"$T/task/eval.sh" <<'SH'
#!/bin/sh
# behaves according to the parameter "mode" of the point
mode=$(tr -d ' \n{}"' < input.json | tr ',' '\n' | sed -n 's/^mode://p')
echo "attempt $HPO_ATTEMPT of point $HPO_POINT_ID ($mode)"
case $mode in
ok) echo '{"status": 0, "loss": 1.5, "message": "fine"}' > output.json ;;
exit1) exit 1 ;;
garbage) echo '{"status": 0, "loss": ' > output.json ;;
nooutput) ;;
noloss) echo '{"status": 0}' > output.json ;;
status) echo '{"status": 3, "loss": 2, "message": "diverged"}' > output.json ;;
flaky)	# fails on the first attempt only
	[ "$HPO_ATTEMPT" -ge 2 ] && echo '{"status": 0, "loss": 0.5}' > output.json ;;
resume)	# the first attempt leaves state in the point's checkpoint place and dies
	d=${HPO_CKPT_URL#file://}
	if [ "$HPO_ATTEMPT" -eq 1 ]; then echo 0.25 > "$d/state"; exit 1; fi
	echo "{\"status\": 0, \"loss\": $(cat "$d/state")}" > output.json ;;
slow) sleep 30 ;;
stubborn) trap '' TERM; sleep 30 & wait; sleep 30 ;;
esac
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation:
  exec: exec sh eval.sh
  time-limit: 1
steering: {algorithm: grid}
search-space:
  mode:
    method: categorical
    dimension: {categories: [ok, exit1, garbage, nooutput, noloss, status, flaky, slow, stubborn, resume]}
budget: {max-points: 10, points-per-iteration: 10, parallel-evaluations: 10, max-evaluation-jobs: 100}
YAML
start=$(date +%s)
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>"$T/err"
is "$?" 0 "the task ends finished: some points succeeded (exit 0)"
took=$(( $(date +%s) - start ))
hpo-status --local --json >"$T/v.json"
p() { jqr ".tasks[0].points[] | select(.parameters.mode == \"$1\") | $2" "$T/v.json"; }
is "$(jqr '.tasks[0].status' "$T/v.json")" finished "status finished (partial success)"
is "$(p ok .status) $(p ok .loss) $(p ok .message)" "finished 1.5 fine" "a good point keeps its loss and message"
is "$(p exit1 .status) $(p exit1 .attempts) $(p exit1 .loss)" "failed 3 100000" \
	"a point that always fails: 3 attempts, then failed with loss 1e5"
like "$(p exit1 .message)" "failed 3 attempts, last: exited with status 1" "its message says why"
like "$(p garbage .message)" "output.json:2:0: unexpected token" "garbage output is reported with its position"
like "$(p nooutput .message)" "no output.json written" "a missing output file is reported"
like "$(p noloss .message)" 'no numeric "loss"' "an output without loss is reported"
like "$(p status .message)" "status 3: diverged" "a non-zero status in the output is reported"
is "$(p flaky .status) $(p flaky .attempts) $(p flaky .loss)" "finished 2 0.5" \
	"a flaky point succeeds on its second attempt"
is "$(p resume .status) $(p resume .loss)" "finished 0.25" \
	"a retried attempt finds what its predecessor left at HPO_CKPT_URL"
like "$(p slow .message)" "time limit of 1s exceeded" "a slow evaluation is stopped at the time limit"
is "$(p stubborn .status)" failed "an evaluation ignoring SIGTERM is killed too"
ok "the whole task took less than 60s (SIGKILL 10s after SIGTERM): ${took}s" test "$took" -lt 60
ok "stubborn evaluation needed the SIGKILL: run took at least 10s" test "$took" -ge 10
# processes whose working directory is one of this test's
left() { for p in /proc/[0-9]*; do readlink "$p/cwd" 2>/dev/null; done | grep -c "^$T/" ; }
is "$(left)" 0 "no evaluation process is left behind"

# every point fails: the task fails, exit 4; --wait says so with exit 5
sed -i 's/categories: \[.*\]/categories: [exit1, nooutput]/; s/max-points: 10/max-points: 2/' "$T/task/task.yaml"
sed -i 's/  time-limit: 1//' "$T/task/task.yaml"
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
is "$?" 4 "hpo-submit exits 4 when no point succeeded"
hpo-status --local --wait 2 >/dev/null
is "$?" 5 "hpo-status --wait exits 5 for a failed task"

# max-evaluation-jobs runs out while points fail: no point stays pending in
# the ended task, the counts add up, and the messages carry the real cause
cat >"$T/task/budget.yaml" <<'YAML'
evaluation: {exec: python3 nosuch.py}
steering: {algorithm: random, seed: 3}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
budget: {max-points: 3, points-per-iteration: 3, max-evaluation-jobs: 4}
YAML
hpo-submit --local --json "$T/task/budget.yaml" >"$T/b.json" 2>"$T/b.err"
is "$?" 4 "a task whose budget ran out with every attempt failed exits 4"
is "$(jq -c '.tasks[0] | [.status, .counts]' "$T/b.json")" \
	'["failed",{"points":3,"pending":0,"running":0,"finished":0,"failed":2,"cancelled":1}]' \
	"counts add up: 2 failed (one with attempts left when the budget ran out), 1 cancelled, none pending"
is "$(jq -c '[.tasks[0].points[] | [.status, .attempts, .loss]]' "$T/b.json")" \
	'[["failed",3,100000],["failed",1,100000],["cancelled",0,null]]' \
	"the points say what they are: failed with loss 1e5, or cancelled without a loss"
like "$(jqr '.tasks[0].points[1].message' "$T/b.json")" \
	"failed 1 attempt and may not try again: max-evaluation-jobs (4) reached; last: exited with status 2: " \
	"a failed point the budget stopped says so"
like "$(jqr '.tasks[0].points[0].message' "$T/b.json")" "can't open file" \
	"a point's message has the evaluation's last stderr line, not only its exit status"
is "$(jqr '.tasks[0].points[2].message' "$T/b.json")" "not evaluated: max-evaluation-jobs (4) reached" \
	"a cancelled point says why it was not evaluated"
like "$(jqr '.tasks[0].message' "$T/b.json")" "max-evaluation-jobs (4) reached: 2 of 3 points failed; last failure: exited with status 2: " \
	"the task's message says the budget ran out and what failed"
like "$(jqr '.tasks[0].message' "$T/b.json")" "can't open file" "and carries the real cause"
like "$(cat "$T/b.err")" "task 3 failed: 3 points: 0 finished, 2 failed, 1 not evaluated; " \
	"the last line on stderr counts every point"
# the budget spent before steering proposed all its points: said too
sed -i 's/points-per-iteration: 3, max-evaluation-jobs: 4/points-per-iteration: 1, max-evaluation-jobs: 3/' "$T/task/budget.yaml"
hpo-submit --local --json "$T/task/budget.yaml" >"$T/b2.json" 2>/dev/null
like "$(jq -c '[.tasks[0].counts.points, .tasks[0].message]' "$T/b2.json")" \
	'[1,"max-evaluation-jobs (3) reached: 1 of 1 points failed; last failure: ' \
	"a task whose budget ran out before its max-points were proposed says so"

# a diverged training (Python's json writes NaN, Infinity bare) and a loss
# of 1e5 or more fail the point at once, as iDDS records them: no retries
cat >"$T/task/nan.sh" <<'SH'
mode=$(tr -d ' \n{}"' < input.json | sed -n 's/^mode://p')
case $mode in
nan) echo '{"status": 0, "loss": NaN, "intermediate": [0.5, NaN]}' ;;
inf) echo '{"loss": Infinity}' ;;
neginf) echo '{"loss": -Infinity, "message": "NaN Infinity"}' ;;
big) echo '{"loss": 2e5}' ;;
curve) echo '{"loss": 0.25, "intermediate": [1, Infinity, 0.25]}' ;;
esac > output.json
SH
cat >"$T/task/nan.yaml" <<'YAML'
evaluation: {exec: sh nan.sh}
steering: {algorithm: grid}
search-space:
  mode: {method: categorical, dimension: {categories: [nan, inf, neginf, big, curve]}}
budget: {max-points: 5, points-per-iteration: 5}
YAML
hpo-submit --local --json "$T/task/nan.yaml" >"$T/n.json" 2>"$T/n.err"
is "$?" 0 "a task with diverged points ends (exit 0: one point succeeded)"
n() { jq -c ".tasks[0].points[] | select(.parameters.mode == \"$1\") | [.status, .attempts, .loss]" "$T/n.json"; }
is "$(n nan) $(n inf) $(n neginf)" '["failed",1,100000] ["failed",1,100000] ["failed",1,100000]' \
	"a NaN or infinite loss fails the point at its first attempt, loss 1e5"
is "$(n big)" '["failed",1,200000]' "a loss of 1e5 or more fails the point at once and is kept"
like "$(jqr '.tasks[0].points[0].message' "$T/n.json")" \
	"output.json: loss NaN: a loss that is not finite, or 100000 or more, fails the point at once" \
	"the message says why, not that the output is invalid JSON"
is "$(jq -c '.tasks[0].points[4] | [.status, .loss, .intermediate]' "$T/n.json")" \
	'["finished",0.25,[1,"Infinity",0.25]]' \
	"a non-finite intermediate loss is kept (as hpo-plot reads it) and the point finishes"
is "$(jq -c '.tasks[0].counts | [.finished, .failed]' "$T/n.json")" '[1,4]' "the counts say 1 finished, 4 failed"
done_testing
