#!/bin/sh
# A local task whose evaluation is killed at its time limit in mid-training
# resumes from its checkpoint on the next attempt: the engine gives every
# attempt at a point the same HPO_CKPT_URL, and hpo-ckpt saves on SIGTERM.
. "$top_srcdir/tests/lib/tap.sh"
plan 5

mkdir "$T/task"
cat >"$T/task/train.sh" <<'SH'
#!/bin/sh
# The state is ckpt/epoch.  Without a checkpoint, training goes on an
# epoch every 0.25 s until the time limit stops it (no interval save in
# 10 s: what the next attempt finds is the save hpo-ckpt made on SIGTERM);
# from a checkpoint, the remaining epochs up to 100 take no time.  No
# outcome depends on how fast a loaded machine runs.
hpo-ckpt -q load -C . ; rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || exit 1	# 3: no checkpoint yet
first=$(cat ckpt/epoch 2>/dev/null || echo 0)
mkdir -p ckpt
if [ "$first" -eq 0 ]; then
	hpo-ckpt -q watch --interval 10 ckpt -- sh -c '
		e=0
		while :; do e=$((e + 1)); echo "$e" > ckpt/epoch.new; mv ckpt/epoch.new ckpt/epoch; sleep 0.25; done'
	exit 1
fi
echo 100 > ckpt/epoch
echo "{\"status\": 0, \"loss\": $(cat ckpt/epoch), \"message\": \"resumed at epoch $first\"}" > output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh train.sh, time-limit: 3}
search-space:
  x: {method: fixed, dimension: {value: 1}}
budget: {max-points: 1, max-evaluation-jobs: 3}
YAML
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v.json" 2>"$T/err"
is "$?" 0 "the task ends done"
p() { jq -r ".tasks[0].points[0].$1" "$T/v.json"; }
is "$(p status) $(p loss)" "finished 100" "the point trained all 100 epochs"
is "$(p attempts)" 2 "in two attempts: the first was stopped at the time limit"
first=$(p message | sed -n 's/^resumed at epoch //p')
ok "the second attempt resumed from the checkpoint saved when the first was stopped (epoch $first)" \
	test "${first:-0}" -ge 1
ok "the checkpoints are kept in the point's place" \
	test -n "$(ls "$HPO_DB.tasks/1/checkpoints/1/" | grep '^gen-')"
done_testing
