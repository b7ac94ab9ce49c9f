#!/bin/sh
# A multi-fidelity task run by the local engine with asha, as the views show
# it: hpo-status --points (trial, budget, the point continued, no reserved
# keys among the parameters), --json (trial, budget, continues; the best of
# the highest budget), and hpo-plot's rungs plot in PNG, SVG, PDF, the
# report and the terminal.
. "$top_srcdir/tests/lib/tap.sh"
plan 28

mkdir "$T/task"
cat >"$T/task/task.yaml" <<'YAML'
name: rungs
evaluation:
  exec: sh eval.sh
steering: {algorithm: asha, seed: 3, settings: {sampler: random}}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
  epochs: {method: fidelity, low: 1, high: 9, eta: 3}
budget: {max-points: 16}
YAML
# the loss falls with the budget: (x - 0.3)^2 + 1/epochs
cat >"$T/task/eval.sh" <<'SH'
#!/bin/sh
tr -d ' \n\t{}"' < input.json | tr ',' '\n' | awk -F: '
	{ v[$1] = $2 }
	END {
		printf "{\"status\": 0, \"loss\": %.10g}\n",
			(v["x"] - 0.3) ^ 2 + 1 / v["epochs"] > "output.json"
	}'
SH
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>"$T/submit.err"
is "$?" 0 "the asha task runs to its end"
hpo-status --local --json 1 >"$T/view.json"
hpo-status --local --points 1 >"$T/points.txt"
v=$T/view.json

# ---- the view ----------------------------------------------------------------
is "$(jqr '.tasks[0].counts | "\(.points) \(.finished)"' "$v")" "16 16" "16 points, all finished"
is "$(jqr '[.tasks[0].points[] | has("trial") and has("budget") and has("continues")] | all' "$v")" \
	true "every point has trial, budget and continues"
is "$(jqr '[.tasks[0].points[] | (.trial == .parameters.__hpo_trial) and (.budget == .parameters.epochs)] | all' "$v")" \
	true "trial and budget are the point's __hpo_trial and epochs"
is "$(jqr '[.tasks[0].points[].budget] | unique | @csv' "$v")" "1,3,9" \
	"the budgets are the rungs 1, 3 and 9"
promoted=$(jqr '[.tasks[0].points[] | select(.parameters.__hpo_continues != null)] | length' "$v")
ok "asha promoted some trials ($promoted points continue one)" test "$promoted" -gt 1
# continues: the earlier point of the same trial at the budget it names
is "$(jqr '.tasks[0].points as $p | [$p[] | select(.parameters.__hpo_continues != null) | . as $q |
	($p[] | select(.id == $q.continues)) | (.trial == $q.trial) and (.budget == $q.parameters.__hpo_continues)
	and (.id < $q.id)] | (length > 1 and all)' "$v")" true \
	"each continuing point names the earlier point of its trial at the budget it continues"
is "$(jqr '.tasks[0].points as $p | [$p[] | select(.parameters.__hpo_continues != null and .continues == null)] | length' "$v")" \
	0 "no continuing point without the point it continues"
is "$(jqr '[.tasks[0].points[] | select(.parameters.__hpo_continues == null) | .continues] | unique | @csv' "$v")" \
	"" "a trial's first point continues none (null)"
top=$(jqr '[.tasks[0].points[] | select(.status == "finished") | .budget] | max' "$v")
is "$(jqr '.tasks[0].best.budget' "$v")" "$top" "the best point is at the highest budget reached ($top)"
is "$(jqr "[.tasks[0].points[] | select(.budget == $top) | .loss] | min" "$v")" \
	"$(jqr '.tasks[0].best.loss' "$v")" "and the best of the points at that budget"
is "$(jqr '.schema + " " + (.version | tostring)' "$v")" "hpo-tools/task-view 1" \
	"new keys only: the view stays version 1"

# ---- hpo-status --points -------------------------------------------------------
is "$(sed -n 2p "$T/points.txt" | tr -s ' ')" \
	"POINT STATUS LOSS ATTEMPTS TRIAL BUDGET CONTINUES PARAMETERS MESSAGE" \
	"--points: the columns TRIAL, BUDGET and CONTINUES"
is "$(grep -c '__hpo' "$T/points.txt")" 0 "the reserved keys are not shown as parameters"
is "$(sed -n '3,$p' "$T/points.txt" | grep -c epochs)" 0 "nor the budget"
# the rows against the view: POINT TRIAL BUDGET CONTINUES
is "$(sed -n '3,$p' "$T/points.txt" | awk '{print $1, $5, $6, $7}')" \
	"$(jqr '.tasks[0].points[] | "\(.id) \(.trial) \(.budget) \(.continues // "-")"' "$v")" \
	"each row's trial, budget and point continued are the view's"
is "$(hpo-status --local 1 | sed -n 2p | grep -c '__hpo')" 0 \
	"the task table's best point leaves the reserved keys out"

# ---- hpo-plot ---------------------------------------------------------------------
hpo-plot --local -k rungs -o "$T/rungs.png" 1 && hpo-plot --local -k rungs -o "$T/rungs.svg" 1 &&
	hpo-plot --local -k rungs -o "$T/rungs.pdf" 1 && hpo-plot --local -o "$T/all.pdf" 1 &&
	hpo-plot --local -o "$T/report.html" 1
is "$?" 0 "hpo-plot draws the rungs and the report"
python3 - "$T" >"$T/checks" <<'PY'
import re, struct, sys, zlib
import xml.etree.ElementTree as ET
t = sys.argv[1]
png = open(t + "/rungs.png", "rb").read()
ok = png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR" and png[-8:-4] == b"IEND"
w, h = struct.unpack(">II", png[16:24])
print("png", ok, w, h)
svg = open(t + "/rungs.svg", "rb").read()
root = ET.fromstring(svg)
# the trials' lines (opacity 0.75): a segment a point continuing another;
# the points (opacity 0.95): a square each
segs = dots = 0
for p in root.iter("{http://www.w3.org/2000/svg}path"):
    st, d = p.get("style", ""), p.get("d", "")
    if "stroke-opacity:0.75;" in st:
        segs += d.count(" L ")
    if "fill-opacity:0.95;" in st:
        dots += d.count("Z")
print("svg", root.tag == "{http://www.w3.org/2000/svg}svg", segs, dots)
for f in ("rungs.pdf", "all.pdf"):
    data = open(t + "/" + f, "rb").read()
    print(f, data.startswith(b"%PDF-1."), len(re.findall(rb"/Type\s*/Page\b", data)))
PY
is "$(sed -n 1p "$T/checks")" "png True 800 500" "rungs as PNG: a valid image of 800 by 500"
is "$(sed -n 2p "$T/checks")" "svg True $promoted 16" \
	"rungs as SVG: a line segment a point continued, a square a point"
is "$(sed -n 3p "$T/checks")" "rungs.pdf True 1" "rungs as PDF: one page"
is "$(sed -n 4p "$T/checks")" "all.pdf True 7" "all: seven plots, the rungs among them"
like "$(cat "$T/report.html")" '<h2 id="rungs">rungs</h2>' "the report has the rungs plot"
like "$(cat "$T/report.html")" '<th onclick="sortTable(this)">trial</th><th onclick="sortTable(this)">epochs (budget)</th><th onclick="sortTable(this)">continues</th>' \
	"the report's table has the trial, budget and point continued"
is "$(grep -c '<th onclick="sortTable(this)">__hpo' "$T/report.html")" 0 \
	"and no reserved key as a parameter column"
# the view file and the database give the same plot
hpo-plot --from-json "$v" -k rungs -o "$T/rungs-json.svg"
ok "hpo-plot --from-json draws the same rungs as --local" cmp "$T/rungs.svg" "$T/rungs-json.svg"
COLUMNS=100 hpo-plot --local --term --ascii 1 >"$T/term.txt"
bestid=$(jqr '.tasks[0].best.id' "$v")
like "$(cat "$T/term.txt")" "best: point $bestid, loss" "--term names the best point"
like "$(grep '^best:' "$T/term.txt")" "trial $(jqr '.tasks[0].best.trial' "$v") at epochs = $top" \
	"with its trial and budget"
done_testing
