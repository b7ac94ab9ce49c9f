#!/bin/sh
# A multi-fidelity task on the Grid path, against the PanDA simulator: the
# task parameters are phpo's with the budget as one more parameter of
# opt_space; the simulator runs the task's own steering command (hpo-steer
# --algorithm asha) as iDDS runs it; hpo-status shows the trials' points at
# rising budgets, each continuing the one before; and a checkpoint saved by
# hpo-ckpt in a job of a trial is what the trial's next point loads.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 23

ok "the simulator starts, running the tasks' steering commands" sim_start --tick 0.05 --steering exec ||
	exit 1
HPO_NICKNAME=testuser
export HPO_NICKNAME

grid_task gridfid '{max-points: 16, points-per-iteration: 2, parallel-evaluations: 2}'
sed -i 's|^  exec: python3 /steer.py.*|  algorithm: asha\n  seed: 7|' "$f"
sed -i '/^  lr:/a\  x: {method: uniform, dimension: {low: -2, high: 2}}\n  epochs: {method: fidelity, dimension: {low: 1, high: 9, eta: 3}}' "$f"

# --- the task parameters: phpo's, the budget one more parameter -------------------------
norm='del(.cliParams) | .processingType |= sub("[0-9.]+-jedi"; "V-jedi")
	| .jobParameters[1].value |= sub("jobO[.][^ ]*[.]tar --sourceURL .*"; "SANDBOX --sourceURL CACHE")'
hpo-submit --no-submit -q --dump-task-params "$T/mf.json" "$f"
is "$?" 0 "a task with a fidelity parameter and asha makes its task parameters"
is "$(jq -c .hpoRequestData.opt_space.epochs "$T/mf.json")" \
	'{"method":"fidelity","dimension":{"low":1,"high":9,"eta":3}}' \
	"opt_space holds the fidelity parameter as the task file gives it"
is "$(jq -r .hpoRequestData.arguments "$T/mf.json")" \
	"hpo-steer --algorithm asha --in %IN --out %OUT --num-points %NUM_POINTS --max-points %MAX_POINTS --seed 7" \
	"the steering is hpo-steer's asha, with the iDDS placeholders"
cp "$f" "$T/plain.yaml"
sed -i -e '/^  epochs:/d' -e 's/algorithm: asha/algorithm: tpe/' "$T/plain.yaml"
cp "$T/plain.yaml" "$T/task/plain.yaml"
hpo-submit --no-submit -q --dump-task-params "$T/plain.json" "$T/task/plain.yaml"
rm "$T/task/plain.yaml"
is "$(jq -cS "$norm | .hpoRequestData.opt_space |= del(.epochs)
	| .hpoRequestData.arguments |= sub(\"asha\"; \"tpe\")" "$T/mf.json")" \
	"$(jq -cS "$norm" "$T/plain.json")" \
	"nothing else differs from the same task without it (tpe): no key of phpo's changes"

# --- the simulator steers with hpo-steer, as iDDS would --------------------------------------
id=$(hpo-submit -q "$f")
is "$?:$id" "0:1000" "the task is submitted"
hpo-status --wait --timeout 120 --interval 1 --json "$id" >"$T/v.json"
is "$?" 0 "and finishes with every point evaluated"
is "$(jqr '.tasks[0] | .status + " " + (.counts.points|tostring) + " " + (.counts.finished|tostring)' "$T/v.json")" \
	"finished 16 16" "16 points, all finished"
ctl tasks | jq '.[0].steering' >"$T/runs.json"
is "$(jq -r '[.[] | select(.error == null and (.command | startswith("hpo-steer --algorithm asha --in idds_input.json --out output.json --num-points 2 --max-points 16 --seed 7")))] | length' "$T/runs.json")" \
	"$(jq length "$T/runs.json")" "every steering run was hpo-steer with %IN, %OUT, %NUM_POINTS, %MAX_POINTS replaced"
ok "the search took several runs ($(jq length "$T/runs.json"))" test "$(jq length "$T/runs.json")" -ge 4
last=$T/sim.state/steering/$id/run-$(jq length "$T/runs.json")/idds_input.json
is "$(jq -c '[.opt_space.epochs.method, (.points | length), (.points[0] | length), (.points[0][1] | type)]' "$last")" \
	'["fidelity",14,2,"number"]' "its %IN held every point so far, [point, loss], and opt_space as submitted"

# --- rising budgets, continuations -----------------------------------------------------------
# every point with __hpo_continues, and the earlier point of its trial at that budget
jq -c '.tasks[0].points as $p | [$p[] | select(.parameters.__hpo_continues != null) | . as $c
	| {trial: .parameters.__hpo_trial, to: .id, b1: .parameters.epochs, l1: .loss,
	   from: [$p[] | select(.parameters.__hpo_trial == $c.parameters.__hpo_trial
		and .parameters.epochs == $c.parameters.__hpo_continues and .id < $c.id)]}]' "$T/v.json" >"$T/pairs.json"
ok "some points continue an earlier point of their trial ($(jq length "$T/pairs.json"))" \
	test "$(jq length "$T/pairs.json")" -ge 3
is "$(jq '[.[] | select((.from | length) != 1)] | length' "$T/pairs.json")" 0 \
	"each continues exactly one earlier point of its trial, at the budget it names"
is "$(jq '[.[] | select(.b1 <= .from[0].parameters.epochs or .l1 >= .from[0].loss)] | length' "$T/pairs.json")" 0 \
	"at a higher budget, and with a lower loss (the simulated training's loss falls with epochs)"
is "$(jq -c '[.tasks[0].points[] | select(.parameters.__hpo_continues == null) | .parameters.epochs] | unique' "$T/v.json")" \
	'[1]' "every trial starts at the lowest budget (asha)"
is "$(jq -c '[.tasks[0].points[].parameters.epochs] | unique' "$T/v.json")" '[1,3,9]' \
	"the best trial went on to the full budget"
top=$(jq -r '[.[] | select(.b1 == 9)][0] | "\(.to) \(.trial)"' "$T/pairs.json")
hpo-status --points "$id" >"$T/table"
like "$(awk -v p="${top% *}" '$1 == p' "$T/table")" "${top#* }" \
	"hpo-status --points shows the point at the full budget with its trial"

# --- a trial's checkpoint on the PanDA server, from one point to the next ----------------------
# a job as phpo's runner leaves it: __hpo_sample.txt and the point in input.json
job() {	# job DIR POINT
	mkdir -p "$1"
	printf '%s-%s-0-%s-1,%s\n' "$id" "$((4000000000 + $2))" "$2" "$2" >"$1/__hpo_sample.txt"
	jq ".tasks[0].points[] | select(.id == $2) | .parameters" "$T/v.json" >"$1/input.json"
}
trial=$(jq -r '.[0].trial' "$T/pairs.json")
first=$(jq -r '.[0].from[0].id' "$T/pairs.json")
next=$(jq -r '.[0].to' "$T/pairs.json")
job "$T/job-$first" "$first"
mkdir "$T/job-$first/ckpt"
echo "trial $trial: 1 epoch" >"$T/job-$first/ckpt/state"
(cd "$T/job-$first" && hpo-ckpt save -q ckpt)
is "$?" 0 "hpo-ckpt save in a job of point $first (trial $trial)"
is "$(ctl 'log?endpoint=file_server/upload_hpo_checkpoint' | jq -r '.[-1].params.file.filename')" "${id}_$trial" \
	"uploads the trial's checkpoint, ${id}_$trial"
job "$T/job-$next" "$next"
(cd "$T/job-$next" && hpo-ckpt load) 2>"$T/err"
is "$?:$(cat "$T/job-$next/ckpt/state" 2>/dev/null)" "0:trial $trial: 1 epoch" \
	"hpo-ckpt load in a job of the trial's next point ($next) restores it"
like "$(cat "$T/err")" "this point continues trial $trial from budget 1" "and says what it continues"
other=$(jq -r --arg t "$trial" '[.tasks[0].points[] | select(.parameters.__hpo_trial != $t)][0].id' "$T/v.json")
job "$T/job-$other" "$other"
(cd "$T/job-$other" && hpo-ckpt load -q)
is "$?" 3 "a point of another trial finds no checkpoint (exit 3)"
rm "$T/job-$other/input.json"
is "$(cd "$T/job-$other" && hpo-ckpt ls --json | jq -r .location)" "panda://$id/$other" \
	"without a point file, a job keeps its point's location"
done_testing
