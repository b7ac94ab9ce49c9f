#!/bin/sh
# Reals are written as the shortest text that reads back to the same double
# (0.1, 1e-05), never jansson's 17 digits (0.10000000000000001,
# 1.0000000000000001e-05): in the task view (--json), the tables (six
# digits), hpo-steer's output and the evaluations' input.json.
. "$top_srcdir/tests/lib/tap.sh"
plan 7

mkdir "$T/task"
cat >"$T/task/eval.sh" <<'SH'
cp input.json "$OUT_DIR/input-$HPO_POINT_ID.json"
echo '{"loss": 0.4758879196, "intermediate": [0.1, 0.30000000000000004]}' > output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh eval.sh}
steering: {algorithm: grid}
search-space:
  lr: {method: categorical, dimension: {categories: [1e-05, 0.1]}}
budget: {max-points: 2, points-per-iteration: 2}
YAML
OUT_DIR=$T
export OUT_DIR
hpo-submit --local -q --json "$T/task/task.yaml" >"$T/submit.json"
is "$(tr -d ' \n' <"$T/input-1.json")" '{"lr":1e-05}' "input.json holds 1e-05, not 1.0000000000000001e-05"
hpo-status --local --json 1 >"$T/view.json"
like "$(cat "$T/view.json")" '"loss": 0.4758879196,' "hpo-status --json writes the loss as the evaluation did"
like "$(tr -d ' \n' <"$T/view.json")" '"intermediate":[0.1,0.30000000000000004]' \
	"a real that needs 17 digits keeps them"
like "$(tr -d ' \n' <"$T/submit.json")" '"lr":0.1}' "hpo-submit --json writes the shortest form too"
ok "no real in the view has 17 significant digits but 0.1 + 0.2" \
	test "$(grep -E '[0-9]\.?[0-9]{16}' "$T/view.json" | grep -vc 0.30000000000000004)" -eq 0
like "$(hpo-status --local --points 1)" '{"lr":1e-05}' "the table shows the parameters readably"

printf '{"points": [], "opt_space": {"lr": {"method": "categorical", "dimension": {"categories": [0.1, 1e-05]}}}}' >"$T/in.json"
is "$(hpo-steer -q -a grid -i "$T/in.json" -o - -n 2 -m 2)" '[{"lr":0.1},{"lr":1e-05}]' \
	"hpo-steer writes its points with the shortest reals"
done_testing
