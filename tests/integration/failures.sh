#!/bin/sh
# Evaluations that fail, time out or write garbage are handled as on the
# Grid: 3 attempts, then the point is failed with loss 1e5.
. "$top_srcdir/tests/lib/tap.sh"
plan 18

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
done_testing
