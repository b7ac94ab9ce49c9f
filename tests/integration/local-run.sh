#!/bin/sh
# A whole HPO task runs on this machine: the Branin example end to end.
. "$top_srcdir/tests/lib/tap.sh"
plan 28

cp -R "$top_srcdir/examples/branin" "$T/branin"
hpo-submit --local "$T/branin/task.yaml" >"$T/out" 2>"$T/err"
is "$?" 0 "hpo-submit --local exits 0 when the task is done"
like "$(cat "$T/out")" "branin  done" "stdout shows the task table"
like "$(cat "$T/err")" "task 1 done: 50 points: 50 finished, 0 failed" "stderr says how it ended"

hpo-status --local --json 1 >"$T/view.json"
is "$?" 0 "hpo-status --local --json exits 0"
is "$(jqr '.schema + " " + (.version|tostring)' "$T/view.json")" "hpo-tools/task-view 1" "the view names its schema"
is "$(jqr '.tasks[0].status' "$T/view.json")" "done" "the task is done"
is "$(jqr '.tasks[0].counts.finished' "$T/view.json")" 50 "50 points finished"
is "$(jqr '[.tasks[0].points[] | select(.attempts == 1)] | length' "$T/view.json")" 50 \
	"each point took one attempt"
best=$(jqr '.tasks[0].best.loss' "$T/view.json")
ok "the best loss ($best) is near Branin's minimum 0.397887" \
	awk -v b="$best" 'BEGIN { exit !(b >= 0.397887 && b < 1.0) }'
is "$(jqr '[.tasks[0].points[].loss] | min' "$T/view.json")" "$best" "best is the minimum loss"

# what the evaluation saw: the point in input.json, the task's files beside it
dir=$HPO_DB.tasks/1/points/7/attempt-1
is "$(jq -c . "$dir/input.json")" "$(jqr '.tasks[0].points[6].parameters' "$T/view.json" | jq -c .)" \
	"input.json of point 7 holds its parameters"
ok "the working directory has the task's files" test -f "$dir/branin.sh"

# the same seed gives the same points: TPE's points depend on which points
# had finished when it was asked, so one evaluation at a time (and 20 points)
sed 's/max-points: 50/max-points: 20/' "$T/branin/task.yaml" >"$T/branin/short.yaml"
HPO_DB=$T/db2/hpo.db hpo-submit --local -q --json --parallel 1 "$T/branin/short.yaml" >"$T/view2.json"
HPO_DB=$T/db2b/hpo.db hpo-submit --local -q --json --parallel 1 "$T/branin/short.yaml" >"$T/view2b.json"
is "$(jq -c '[.tasks[0].points[].parameters]' "$T/view2b.json")" \
	"$(jq -c '[.tasks[0].points[].parameters]' "$T/view2.json")" "a second run with the same seed proposes the same points"
HPO_DB=$T/db3/hpo.db hpo-submit --local -q --json --seed 7 "$T/branin/short.yaml" >"$T/view3.json"
ok "--seed gives other points" test "$(jq -c '.tasks[0].points[0].parameters' "$T/view3.json")" != \
	"$(jq -c '.tasks[0].points[0].parameters' "$T/view.json")"
# grid steering: every grid point once, in order, then the search ends
mkdir "$T/grid"
cat >"$T/grid/task.yaml" <<'YAML'
evaluation: {exec: "echo '{\"status\": 0, \"loss\": 1}' > output.json"}
steering: {algorithm: grid, grid-steps: 3}
search-space:
  opt: {method: categorical, dimension: {categories: [adam, sgd]}}
  lr: {method: loguniform, dimension: {low: 0.001, high: 0.1}}
budget: {max-points: 10, points-per-iteration: 4}
YAML
HPO_DB=$T/db4/hpo.db hpo-submit --local -q --json "$T/grid/task.yaml" >"$T/grid.json"
is "$(jq -c '[.tasks[0].points[].parameters | [.opt, (.lr * 1000 | round)]]' "$T/grid.json")" \
	'[["adam",1],["adam",10],["adam",100],["sgd",1],["sgd",10],["sgd",100]]' \
	"grid steering proposes each grid point once, the last parameter fastest"
is "$(jqr '.tasks[0].status + ": " + .tasks[0].message' "$T/grid.json")" "done: the grid is exhausted" \
	"the task ends when the grid is exhausted"
# training files: their list goes to the training-data file, as on the Grid
mkdir "$T/train"
cat >"$T/train/task.yaml" <<'YAML'
evaluation:
  exec: "cp data.json seen.json && echo '{\"status\": 0, \"loss\": 0}' > output.json"
  training-data: data.json
  training-files: [mc.001.root, mc.002.root]
search-space:
  x: {method: fixed, dimension: {value: 1}}
budget: {max-points: 1}
YAML
HPO_DB=$T/db5/hpo.db hpo-submit --local -q "$T/train/task.yaml" >/dev/null
is "$?" 0 "a task with training files runs"
is "$(jq -c . "$T/db5/hpo.db.tasks/1/points/1/attempt-1/seen.json")" '["mc.001.root","mc.002.root"]' \
	"the evaluation finds the training file list in evaluation.training-data"
# sandbox patterns: *.txt added to phpo's, skip.sh left out; the evaluation
# lists its working directory
mkdir "$T/sbx" "$T/sbx/data"
cat >"$T/sbx/task.yaml" <<'YAML'
evaluation:
  exec: "ls -R > ls.out && echo '{\"status\": 0, \"loss\": 0}' > output.json"
sandbox: {include: ["*.txt"], exclude: ["skip.sh"]}
search-space:
  x: {method: fixed, dimension: {value: 1}}
budget: {max-points: 1}
YAML
echo notes >"$T/sbx/notes.txt"
echo more >"$T/sbx/data/more.txt"
echo true >"$T/sbx/skip.sh"
echo true >"$T/sbx/keep.sh"
echo x >"$T/sbx/other.csv"
HPO_DB=$T/db6/hpo.db hpo-submit --local -q "$T/sbx/task.yaml" >/dev/null
is "$?" 0 "a task with sandbox include and exclude runs"
ls=$T/db6/hpo.db.tasks/1/points/1/attempt-1/ls.out
is "$(grep -cxE 'notes.txt|more.txt|keep.sh|task.yaml' "$ls")" 4 \
	"the evaluation finds the included *.txt files beside phpo's"
is "$(grep -cxE 'skip.sh|other.csv' "$ls")" 0 "but not the excluded skip.sh, nor other files"
is "$(cd "$T/db6/hpo.db.tasks/1/sandbox" && find . -type f | sort | tr '\n' ' ')" \
	"./data/more.txt ./keep.sh ./notes.txt ./task.yaml " \
	"the task's snapshot holds the same files"
# names and values from the task file never steer the terminal: an escape
# sequence in a category is shown with '?' in the tables
mkdir "$T/esc"
cat >"$T/esc/task.yaml" <<'YAML'
name: "esc\e]0;owned\a"
evaluation: {exec: "echo '{\"status\": 0, \"loss\": 1}' > output.json"}
steering: {algorithm: random}
search-space:
  opt: {method: categorical, dimension: {categories: ["\e[31mred", plain]}}
budget: {max-points: 4}
YAML
HPO_DB=$T/db-esc/hpo.db hpo-submit --local -q "$T/esc/task.yaml" >/dev/null 2>&1
HPO_DB=$T/db-esc/hpo.db hpo-status --local --points 1 >"$T/esc.out" 2>&1
is "$(tr -d '\n' <"$T/esc.out" | tr -d '[:print:]' | wc -c)" 0 \
	"hpo-status --points prints no control character from a task's names and values"
like "$(cat "$T/esc.out")" "esc?]0;owned?" "it shows them as '?'"


# a reader that goes away does not stop the run: hpo-submit ignores SIGPIPE
sed 's/max-points: 50/max-points: 6/' "$T/branin/task.yaml" >"$T/branin/six.yaml"
export HPO_DB=$T/db-pipe/hpo.db
{ hpo-submit --local "$T/branin/six.yaml" 2>&1; echo $? >"$T/rc1"; } | head -1 >/dev/null
is "$(cat "$T/rc1") $(hpo-status --local --json 1 | jq -c '[.tasks[0].status, .tasks[0].counts.finished]')" \
	'0 ["done",6]' "with stderr into '| head -1' the task still runs to its end (exit 0)"
{ hpo-submit --local "$T/branin/six.yaml" 2>"$T/pipe.err"; echo $? >"$T/rc2"; } | true
is "$(cat "$T/rc2")" 0 "with stdout into a reader that has gone, hpo-submit exits as the task ended"
is "$(hpo-status --local --json 2 | jq -c '[.tasks[0].status, .tasks[0].counts.finished]')" '["done",6]' \
	"and the task is done"
is "$(grep -c 'standard output' "$T/pipe.err")" 1 "stderr says once that standard output was closed"
done_testing
