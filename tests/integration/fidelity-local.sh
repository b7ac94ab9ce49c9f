#!/bin/sh
# A multi-fidelity task run locally (asha): the evaluation keeps its epoch
# counter with hpo-ckpt, as the wrapper of a real training would, and the
# engine gives every point of a trial the trial's checkpoint location, so a
# promoted point goes on from where the trial's earlier point stopped: no
# epoch of a trial is trained twice, also when the engine is killed with
# kill -9 in the middle of a point and the task resumed.
. "$top_srcdir/tests/lib/tap.sh"
plan 18

mkdir "$T/task"
cat >"$T/task/train.sh" <<'SH'
#!/bin/sh
# An epoch counts once its checkpoint is saved: then it is a line
# "trial epoch point attempt" in $EPOCH_LOG.  While $HOLD exists, a point
# that has trained an epoch in this run and has more to go waits before the
# next one (after writing "pid trial epoch point" to $HOLD.held): a place
# where a test may kill it without losing an epoch that was counted.
hpo-ckpt load; rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || exit 1
e=$(cat ckpt/epoch 2>/dev/null || echo 0)
start=$e
in=${HPO_INPUT:-input.json}
budget=$(jq -r .epochs "$in")
trial=$(jq -r .__hpo_trial "$in")
x=$(jq -r .x "$in")
mkdir -p ckpt
while [ "$e" -lt "$budget" ]; do
	if [ -e "$HOLD" ] && [ "$e" -gt "$start" ]; then
		echo "$$ $trial $e $HPO_POINT_ID" >>"$HOLD.held"
		while [ -e "$HOLD" ]; do sleep 0.1; done
	fi
	e=$((e + 1))
	echo "$e" >ckpt/epoch
	hpo-ckpt -q save ckpt || exit 1
	echo "$trial $e $HPO_POINT_ID $HPO_ATTEMPT" >>"$EPOCH_LOG"
done
loss=$(awk -v x="$x" -v b="$budget" 'BEGIN { print (x - 0.3) ^ 2 + 1 / b }')
echo "{\"status\": 0, \"loss\": $loss}" >output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh train.sh}
steering: {algorithm: asha, seed: 5, settings: {sampler: random}}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
  epochs: {method: fidelity, dimension: {low: 1, high: 9, eta: 3}}
budget: {max-points: 20}
YAML
HOLD=$T/hold
export HOLD

# expected TASK: "trial epoch" for every epoch 1..B of each trial, B the
# highest budget of its finished points, sorted
expected() {
	hpo-status --local --json "$1" | jq -r '.tasks[0].points | map(select(.status == "finished"))
		| group_by(.parameters.__hpo_trial)[] | "\(.[0].parameters.__hpo_trial) \(map(.parameters.epochs) | max)"' |
		while read -r trial top; do
			seq 1 "$top" | sed "s/^/$trial /"
		done | sort
}
trained() { awk '{ print $1, $2 }' "$1" | sort; }

# --- a run to the end ------------------------------------------------------------------------
EPOCH_LOG=$T/epochs-1.log
export EPOCH_LOG
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/v1.json" 2>"$T/err1"
is "$?:$(jqr '.tasks[0].status' "$T/v1.json")" "0:done" "the asha task runs to the end"
ok "points continue their trial's earlier point ($(jq '[.tasks[0].points[] | select(.parameters.__hpo_continues != null)] | length' "$T/v1.json"))" \
	test "$(jq '[.tasks[0].points[] | select(.parameters.__hpo_continues != null)] | length' "$T/v1.json")" -ge 3
is "$(jq -c '[.tasks[0].points[].parameters.epochs] | unique' "$T/v1.json")" '[1,3,9]' \
	"up to the full budget"
is "$(trained "$EPOCH_LOG" | uniq -d)" "" "no epoch of a trial was trained twice"
is "$(trained "$EPOCH_LOG" | tr '\n' ' ')" "$(expected 1 | tr '\n' ' ')" \
	"the epochs trained are those of each trial's highest budget, once: $(wc -l <"$EPOCH_LOG") in all"
p=$(jq -r '[.tasks[0].points[] | select(.parameters.__hpo_continues == 3)][0] | "\(.id) \(.parameters.__hpo_trial)"' "$T/v1.json")
like "$(cat "$HPO_DB.tasks/1/points/${p% *}/attempt-1/job.log")" \
	"hpo-ckpt: this point continues trial ${p#* } from budget 3" \
	"hpo-ckpt load in a promoted point says what it continues"
ok "the trial's checkpoints are in its own directory, checkpoints/${p#* }" \
	test -n "$(ls "$HPO_DB.tasks/1/checkpoints/${p#* }" | grep '^gen-')"
ok "and a point of a trial has no directory of its own" test ! -e "$HPO_DB.tasks/1/checkpoints/${p% *}"

# --- kill -9 of the engine in the middle of a point, then --resume -----------------------------
EPOCH_LOG=$T/epochs-2.log
touch "$HOLD"
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1 &
pid=$!
ok "a promoted point stops in the middle of its budget" wait_for 60 test -s "$HOLD.held"
kill -9 "$pid"
wait "$pid" 2>/dev/null
read -r held trial epoch point <"$HOLD.held"
is "$(hpo-status --local --json 2 | jq -r '.tasks[0].status')" paused "after kill -9 the task shows as paused"
hpo-submit --local -q --resume 2 >/dev/null 2>"$T/err2" &
rpid=$!
ok "--resume kills the evaluation the dead engine left" wait_for 30 sh -c "! kill -0 $held 2>/dev/null"
rm "$HOLD"
wait "$rpid"
is "$?:$(hpo-status --local --json 2 | jq -r '.tasks[0].status')" "0:done" "and runs the task to the end"
is "$(trained "$EPOCH_LOG" | uniq -d)" "" "no epoch of a trial was trained twice"
is "$(trained "$EPOCH_LOG" | tr '\n' ' ')" "$(expected 2 | tr '\n' ' ')" \
	"the epochs trained are those of each trial's highest budget, once"
is "$(awk -v p="$point" '$3 == p && $4 > 1 { print $2; exit }' "$EPOCH_LOG")" "$((epoch + 1))" \
	"the interrupted point $point of trial $trial went on from its save at epoch $epoch in its next attempt"
is "$(jq -c '[.tasks[0].points[].parameters | [.__hpo_trial, .epochs]]' "$T/v1.json")" \
	"$(hpo-status --local --json 2 | jq -c '[.tasks[0].points[].parameters | [.__hpo_trial, .epochs]]')" \
	"the resumed task proposed the same points as the run that was not killed"
# --- the point in a file of another name (evaluation.input) ------------------------------------
EPOCH_LOG=$T/epochs-3.log
sed 's/^evaluation: {exec: sh train.sh}$/evaluation: {exec: sh train.sh, input: point.json}/' \
	"$T/task/task.yaml" >"$T/task/task-input.yaml"
hpo-submit --local -q --json --max-points 8 "$T/task/task-input.yaml" >"$T/v3.json" 2>"$T/err3"
rc=$?
p=$(jq -r '[.tasks[0].points[] | select(.parameters.__hpo_continues == 1)][0] | "\(.id) \(.parameters.__hpo_trial)"' "$T/v3.json")
is "$rc:$(jqr '.tasks[0].status' "$T/v3.json"):$(cd "$HPO_DB.tasks/3/points/${p% *}/attempt-1" && ls -d point.json input.json 2>/dev/null)" \
	"0:done:point.json" "a task whose point file is point.json runs"
like "$(cat "$HPO_DB.tasks/3/points/${p% *}/attempt-1/job.log")" \
	"hpo-ckpt: this point continues trial ${p#* } from budget 1" \
	"and hpo-ckpt load reads the trial from it (HPO_INPUT)"
done_testing
