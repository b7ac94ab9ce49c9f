#!/bin/sh
# The sgd-epochs example end to end on this machine, with a small budget: an
# asha task whose evaluation trains a scikit-learn model up to each point's
# budget, resuming with hpo-ckpt from the checkpoint its trial saved, so
# that no epoch of a trial is trained twice; its Grid twin and its phpo
# option file are one task.  tools/install-deps installs python3-sklearn:
# without it this fails.
. "$top_srcdir/tests/lib/tap.sh"
plan 11

py=${PYTHON:-/usr/bin/python3}
ok "$py imports sklearn (Debian: python3-sklearn, tools/install-deps)" "$py" -c 'import sklearn'

cp -R "$top_srcdir/examples/sgd-epochs" "$T/ex"
PYTHON=$py hpo-submit --local -q --json --max-points 16 --parallel 2 "$T/ex/task.yaml" \
	>"$T/view.json" 2>"$T/err"
is "$?" 0 "hpo-submit --local runs the example"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
is "$(jqr '.tasks[0].status + " " + (.tasks[0].counts.finished|tostring)' "$T/view.json")" "done 16" \
	"its 16 points finished"
ok "each loss is a validation error in [0, 1)" \
	jq -e '[.tasks[0].points[].loss] | all(. >= 0 and . < 1)' "$T/view.json"
ok "asha sent trials on: points at 3 and at 9 epochs, each continuing its trial" \
	jq -e '[.tasks[0].points[].parameters | select(.__hpo_continues)] as $c |
		($c | map(.epochs) | index(3) != null and index(9) != null) and
		($c | all(.__hpo_continues == .epochs / 3))' "$T/view.json"

# each point says which epochs it trained: from the one after the budget
# it continues to its own, so a trial's points share out 1..its last budget
ok "each point trained from the epoch after __hpo_continues to its budget" \
	jq -e '[.tasks[0].points[] | (.message | capture("trained epochs (?<a>[0-9]+)-(?<b>[0-9]+)$")) as $m |
		($m.a | tonumber) == (.parameters.__hpo_continues // 0) + 1 and
		($m.b | tonumber) == .parameters.epochs] | all' "$T/view.json"
ok "no epoch of a trial was trained twice" \
	jq -e '[.tasks[0].points[] | {t: .parameters.__hpo_trial,
		e: (.message | capture("trained epochs (?<a>[0-9]+)-(?<b>[0-9]+)$") |
			[range(.a | tonumber; (.b | tonumber) + 1)])}] | group_by(.t) |
		all([.[].e[]] | sort == [range(1; length + 1)])' "$T/view.json"
is "$(jqr '[.tasks[0].points[] | .intermediate | length == 0] | any' "$T/view.json")" false \
	"each point reports the trial's error after each epoch so far"

# the trial's checkpoint: one generation an epoch, across its points
tr=$(jqr '[.tasks[0].points[] | select(.parameters.epochs == 9)][0].parameters.__hpo_trial' \
	"$T/view.json")
hpo-ckpt ls --json -u "$HPO_DB.tasks/1/checkpoints/$tr" >"$T/ls.json" 2>"$T/ls.err"
is "$(jqr '.generations[0].generation' "$T/ls.json")" 9 \
	"trial $tr's checkpoint: its newest generation is the ninth, one per epoch"

# resuming is exact: the point at 9 epochs trained from scratch has its loss
mkdir "$T/again"
cp "$T/ex/evaluate.py" "$T/again/"
jq --arg t "$tr" '.tasks[0].points[] | select(.parameters.__hpo_trial == $t and
	.parameters.epochs == 9) | .parameters' "$T/view.json" >"$T/again/input.json"
(cd "$T/again" && HPO_CKPT_URL=file://$T/none "$py" evaluate.py) 2>"$T/again.err"
is "$(jqr .loss "$T/again/output.json")" \
	"$(jq --arg t "$tr" '.tasks[0].points[] | select(.parameters.__hpo_trial == $t and
		.parameters.epochs == 9) | .loss' "$T/view.json")" \
	"the same point trained from scratch to 9 epochs has the loss of the resumed one"

# task-grid.yaml and phpo.json: the same task parameters
(cd "$T/ex" && hpo-submit -q --no-submit --dump-task-params "$T/a.json" task-grid.yaml &&
	hpo-submit -q --no-submit --dump-task-params "$T/b.json" --load-json phpo.json) 2>"$T/grid.err"
is "$(jq -S 'del(.cliParams)' "$T/a.json")" "$(jq -S 'del(.cliParams)' "$T/b.json")" \
	"task-grid.yaml and phpo.json send the same task parameters"
