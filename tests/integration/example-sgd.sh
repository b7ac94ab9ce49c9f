#!/bin/sh
# The sgd-digits example end to end on this machine, with a tiny budget: a
# real scikit-learn training that saves its models with hpo-ckpt, and
# resumes from them; its Grid twin and its phpo option file are one task.
# tools/install-deps installs python3-sklearn: without it this fails.
. "$top_srcdir/tests/lib/tap.sh"
plan 12

py=${PYTHON:-/usr/bin/python3}
ok "$py imports sklearn (Debian: python3-sklearn, tools/install-deps)" "$py" -c 'import sklearn'

cp -R "$top_srcdir/examples/sgd-digits" "$T/ex"
PYTHON=$py hpo-submit --local -q --json --max-points 2 --parallel 2 "$T/ex/task.yaml" \
	>"$T/view.json" 2>"$T/err"
is "$?" 0 "hpo-submit --local runs the example"
[ -s "$T/err" ] && diag "$(cat "$T/err")"
is "$(jqr '.tasks[0].status + " " + (.tasks[0].counts.finished|tostring)' "$T/view.json")" "done 2" \
	"both points finished"
ok "each loss is a cross-validated error in [0, 1)" \
	jq -e '[.tasks[0].points[].loss] | all(. >= 0 and . < 1)' "$T/view.json"
is "$(jqr '[.tasks[0].points[].intermediate | length] | unique | tostring' "$T/view.json")" "[10]" \
	"each point reports its error after each of the 10 epochs"
like "$(jqr '.tasks[0].points[0].message' "$T/view.json")" "after 10 epochs" \
	"the message says how far it trained"

# the checkpoint: hpo-ckpt saved a generation after each epoch and kept two
ck=$HPO_DB.tasks/1/checkpoints/1
hpo-ckpt ls --json -u "$ck" >"$T/ls.json"
is "$(jqr '.generations | length' "$T/ls.json")" 2 "two generations kept of the point's checkpoint"
is "$(jqr '.generations[0].generation' "$T/ls.json")" 10 "the newest is the tenth, one per epoch"

# a retried attempt resumes from it: same point, same loss, no epoch redone
mkdir "$T/retry"
cp "$T/ex/evaluate.py" "$T/retry/"
jq '.tasks[0].points[0].parameters' "$T/view.json" >"$T/retry/input.json"
(cd "$T/retry" && HPO_CKPT_URL=file://$ck "$py" evaluate.py) 2>"$T/retry.err"
is "$?" 0 "evaluate.py runs again with the checkpoint"
is "$(jqr .message "$T/retry/output.json" | sed 's/.*(//')" "resumed after epoch 10)" \
	"it resumes after the last epoch saved"
is "$(jqr .loss "$T/retry/output.json")" "$(jqr '.tasks[0].points[0].loss' "$T/view.json")" \
	"with the loss of the first attempt"

# task-grid.yaml and phpo.json: the same task parameters
(cd "$T/ex" && hpo-submit -q --no-submit --dump-task-params "$T/a.json" task-grid.yaml &&
	hpo-submit -q --no-submit --dump-task-params "$T/b.json" --load-json phpo.json) 2>"$T/grid.err"
is "$(jq -S 'del(.cliParams)' "$T/a.json")" "$(jq -S 'del(.cliParams)' "$T/b.json")" \
	"task-grid.yaml and phpo.json send the same task parameters"
