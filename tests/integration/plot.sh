#!/bin/sh
# hpo-plot draws a real local task, hand-made views and a Grid task of the
# PanDA simulator: every plot kind in every format, the HTML report, the
# terminal view, the edge cases, the errors and their exit codes.
. "$top_srcdir/tests/lib/tap.sh"
plan 124

# checkall FILE...: for each file a line "FILE: png W H COLOURS", "FILE: svg W
# H", "FILE: pdf PAGES" or what is wrong, from the file's own structure (PNG
# signature, IHDR and pixels; SVG parsed as XML; PDF header, trailer and
# page objects), into $T/checks; one python3 for all (it starts slowly).
# COLOURS counts the distinct colours of some pixels: a blank page has one.
checkall() {
	python3 - "$@" >"$T/checks" <<'PY'
import re, struct, sys, zlib
import xml.etree.ElementTree as ET
def png(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR" or data[-8:-4] != b"IEND":
        return "not a PNG"
    w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw, bpp = zlib.decompress(idat), {2: 3, 6: 4}.get(ctype, 3)
    stride, seen = w * bpp + 1, set()
    for y in range(0, h, 7):	# rows stored unfiltered (type 0) only
        row = raw[y * stride:(y + 1) * stride]
        if row[:1] == b"\0":
            for x in range(1, len(row) - bpp, bpp * 3):
                seen.add(row[x:x + 3])
    return "png %d %d %d" % (w, h, len(seen))
def one(path):
    try:
        data = open(path, "rb").read()
    except OSError as e:
        return "missing"
    if path.endswith(".png"):
        return png(data)
    if path.endswith(".svg"):
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            return "bad SVG: %s" % e
        if root.tag != "{http://www.w3.org/2000/svg}svg":
            return "not SVG: " + root.tag
        return "svg %s %s" % (root.get("width"), root.get("height"))
    if path.endswith(".pdf"):
        if not data.startswith(b"%PDF-1.") or not data.rstrip().endswith(b"%%EOF") or \
           b"startxref" not in data[-64:]:
            return "not a PDF"
        return "pdf %d" % len(re.findall(rb"/Type\s*/Page\b", data))
    return "?"
for p in sys.argv[1:]:
    print("%s: %s" % (p, one(p)))
PY
}

# got FILE [FIELDS]: what checkall found, its first FIELDS words (default 3)
got() {
	awk -v f="$1:" -v n="${2:-3}" '$1 == f { s = $2; for (i = 3; i <= n + 1; i++) s = s " " $i; print s }' "$T/checks"
}

# the widest line of a text file, in characters (UTF-8)
widest() {
	LC_ALL=C.UTF-8 wc -L <"$1" | tr -d ' '
}

# ---- a real local task --------------------------------------------------------

mkdir "$T/task"
cat >"$T/task/task.yaml" <<'YAML'
name: plotted
evaluation:
  exec: sh eval.sh
steering: {algorithm: random, seed: 5}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 10}}
  lr: {method: loguniform, dimension: {low: 0.0001, high: 0.1}}
  opt: {method: categorical, dimension: {categories: [adam, sgd]}}
budget: {max-points: 12, points-per-iteration: 4, parallel-evaluations: 4}
YAML
cat >"$T/task/eval.sh" <<'SH'
#!/bin/sh
# loss = (x - 3)^2 + 1 with five intermediate losses on the way down;
# points with x above 8 fail
tr -d ' \n\t{}"' < input.json | tr ',' '\n' | awk -F: '
	{ v[$1] = $2 }
	END {
		if (v["x"] + 0 > 8) exit 1
		l = (v["x"] - 3) ^ 2 + 1
		printf "{\"status\": 0, \"loss\": %.10g, \"intermediate\": [%.10g, %.10g, %.10g, %.10g, %.10g]}\n",
			l, 4 * l, 3 * l, 2 * l, 1.5 * l, l > "output.json"
	}'
SH
hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
hpo-status --local --json 1 >"$T/view.json"
is "$(jqr '.tasks[0].counts | "\(.finished) \(.failed)"' "$T/view.json")" "8 4" \
	"the task has finished and failed points"
is "$(jqr '[.tasks[0].points[] | select(.status == "finished") | (.intermediate | length)] | unique | @csv' "$T/view.json")" "5" \
	"the view holds each finished point's five intermediate losses"
is "$(jqr '.tasks[0].best | (.intermediate[4] == .loss)' "$T/view.json")" "true" \
	"the last intermediate loss is the loss, as eval.sh wrote"
is "$(jqr '.tasks[0].space.lr.method' "$T/view.json")" "loguniform" "the view holds the search space"
best=$(jqr '.tasks[0].best.loss' "$T/view.json")
bestid=$(jqr '.tasks[0].best.id' "$T/view.json")
best6=$(printf '%.6g' "$best")

# every kind in every format
files=
for kind in history parallel slice pair importance curves; do
	for f in png svg pdf; do
		hpo-plot --local -k $kind -o "$T/$kind.$f" 1 2>>"$T/kinds.err"
		is "$?" 0 "$kind as $f: drawn"
		files="$files $T/$kind.$f"
	done
done
hpo-plot --local -o "$T/all.png" 1 && hpo-plot --local -o "$T/all.svg" 1 && hpo-plot --local -o "$T/all.pdf"
is "$?" 0 "all the plots, with no ID the newest local task"
hpo-plot --local --size 400x300 -k pair --pair lr,x -o "$T/small.png" 1
# shellcheck disable=SC2086
checkall $files "$T/all.png" "$T/all.svg" "$T/all.pdf" "$T/small.png"
for kind in history parallel slice pair importance curves; do
	is "$(got "$T/$kind.png"):$(got "$T/$kind.svg"):$(got "$T/$kind.pdf" 2)" \
		"png 800 500:svg 800pt 500pt:pdf 1" "$kind: a valid PNG, SVG and PDF of the right size"
	n=$(got "$T/$kind.png" 4 | cut -d' ' -f4)
	ok "$kind: the PNG is not blank ($n colours)" test "${n:-0}" -gt 8
done
is "$(cat "$T/kinds.err")" "" "no messages"
hpo-plot --local -k history -o "$T/h.svg" 1
ok "the history SVG draws each point (more than 12 shapes)" \
	test "$(grep -c '<path' "$T/h.svg")" -gt 12
is "$(got "$T/all.png")" "png 1600 1500" "all in a PNG: a grid of two columns, three rows"
is "$(got "$T/all.svg")" "svg 1600pt 1500pt" "all in an SVG: the same grid"
is "$(got "$T/all.pdf" 2)" "pdf 6" "all in a PDF: a page per plot"
is "$(got "$T/small.png")" "png 400 300" "--size sets the size of a plot"

# the HTML report
hpo-plot --local -o "$T/report.html" 1
is "$?" 0 "the HTML report is written"
html=$(cat "$T/report.html")
is "$(grep -ciE 'https?://' "$T/report.html")" 0 "the report refers to nothing on the network"
is "$(grep -ciE '<(link|iframe)|src="[^d]' "$T/report.html")" 0 "nor loads any other file"
is "$(grep -o 'data:image/png;base64,' "$T/report.html" | wc -l | tr -d ' ')" 6 "it holds the six plots"
like "$html" "<tr><th>loss</th><td class=\"n\">$best6</td></tr>" "it shows the best loss ($best6)"
like "$html" "<tr><th>point</th><td class=\"n\">$bestid</td></tr>" "and the best point's ID"
is "$(sed -n '/<table id="points">/,/<\/table>/p' "$T/report.html" | grep -c '^<tr')" 12 \
	"the table has a row per point"
miss=
for l in $(jqr '.tasks[0].points[] | select(.status == "finished") | .loss' "$T/view.json"); do
	case $html in
	*"<td class=\"n\" data-v=\"$(printf '%.17g' "$l")\">$(printf '%.6g' "$l")</td>"*) ;;
	*) miss="$miss $l" ;;
	esac
done
is "$miss" "" "the table shows every finished point's loss, as in the view"
like "$html" 'onclick="sortTable(this)"' "its headers sort the table"
like "$html" "function sortTable" "with the script in the page"
ok "the page is well formed (its XHTML-like tags balance)" python3 -c '
import html.parser, sys
class P(html.parser.HTMLParser):
    void = {"meta", "img", "br", "link"}
    def __init__(s): super().__init__(); s.stack = []
    def handle_starttag(s, t, a):
        if t not in s.void: s.stack.append(t)
    def handle_endtag(s, t):
        assert s.stack and s.stack.pop() == t, t
p = P(); p.feed(open(sys.argv[1]).read()); assert not p.stack, p.stack
' "$T/report.html"
python3 - "$T/report.html" "$T/img.png" <<'PY'
import base64, re, sys
m = re.search(r'data:image/png;base64,([A-Za-z0-9+/=]+)"', open(sys.argv[1]).read())
open(sys.argv[2], "wb").write(base64.b64decode(m.group(1)))
PY
checkall "$T/img.png"
is "$(got "$T/img.png")" "png 800 500" "the report's images are PNG plots"

# the terminal view
COLUMNS=50 hpo-plot --local --term 1 >"$T/term" 2>"$T/err"
is "$?" 0 "--term exits 0"
like "$(cat "$T/term")" "best: point $bestid, loss $best6" "--term shows the best point and loss"
like "$(cat "$T/term")" "  opt = " "and its parameters"
like "$(cat "$T/term")" "failed " "the failed points have their row"
is "$(widest "$T/term")" 50 "--term fills COLUMNS=50 and no more"
COLUMNS=120 hpo-plot --local --term 1 >"$T/term120"
is "$(widest "$T/term120")" 120 "and COLUMNS=120"
is "$(grep -c "$(printf '\033')" "$T/term")" 0 "no escape codes when stdout is not a terminal"
script -qec "env COLUMNS=60 LC_ALL=C.UTF-8 hpo-plot --local --term 1" /dev/null >"$T/tty" 2>&1
ok "on a terminal it is coloured" grep -q "$(printf '\033')\[3" "$T/tty"
script -qec "env NO_COLOR=1 COLUMNS=60 LC_ALL=C.UTF-8 hpo-plot --local --term 1" /dev/null >"$T/tty2" 2>&1
is "$(grep -c "$(printf '\033')" "$T/tty2")" 0 "NO_COLOR: no escape codes on a terminal either"
like "$(cat "$T/tty2")" "best: point $bestid" "and the view is there"
LC_ALL=C.UTF-8 COLUMNS=60 hpo-plot --local --term 1 >"$T/utf8"
ok "in a UTF-8 locale it draws braille dots" grep -q "$(printf '\342\240')" "$T/utf8"
LC_ALL=C.UTF-8 COLUMNS=60 hpo-plot --local --term --ascii 1 >"$T/ascii"
is "$(LC_ALL=C grep -c '[^ -~]' "$T/ascii")" 0 "--ascii prints ASCII only"
LC_ALL=C COLUMNS=60 hpo-plot --local --term 1 >"$T/cterm"
is "$(LC_ALL=C grep -c '[^ -~]' "$T/cterm")" 0 "so does a non-UTF-8 locale"

# offline: the view file, from a path or stdin
hpo-plot --from-json "$T/view.json" -o "$T/off.png"
is "$?" 0 "--from-json draws a view file"
cmp -s "$T/off.png" "$T/all.png"
is "$?" 0 "the same picture as from the database"
hpo-plot -f - --term <"$T/view.json" >"$T/stdin.txt"
like "$(cat "$T/stdin.txt")" "best: point $bestid, loss $best6" "--from-json - reads stdin"
HPO_DB=$T/nowhere/hpo.db hpo-plot -f "$T/view.json" -k history -o "$T/x.png"
ok "no database is needed for a view file" test ! -e "$T/nowhere"

# ---- edge cases: hand-made views ---------------------------------------------

python3 - "$T" <<'PY'
import json, random, sys
random.seed(3)
def view(points, space=None):
    t = {"id": 1, "backend": "local", "name": "edge", "status": "finished", "message": None,
         "max_points": len(points), "best": None, "points": points, "space": space}
    return {"schema": "hpo-tools/task-view", "version": 1, "tasks": [t]}
def pt(i, status, loss, params):
    return {"id": i, "status": status, "parameters": params, "loss": loss, "message": None}
cases = {
    "zero": view([]),
    "one": view([pt(1, "finished", 0.5, {"x": 1.0})]),
    "failed": view([pt(i, "failed", 1e5, {"x": i}) for i in range(1, 6)]),
    "equal": view([pt(i, "finished", 2.0, {"x": i, "y": i * 2}) for i in range(1, 8)]),
    "nan": view([pt(1, "finished", "nan", {"x": 1}), pt(2, "finished", "inf", {"x": 2}),
                 pt(3, "finished", 1.5, {"x": 3}), pt(4, "finished", "-inf", {"x": 4}),
                 pt(5, "finished", 1e308, {"x": 5}), pt(6, "finished", -1e308, {"x": 6})]),
    "cat": view([pt(i, "finished", random.random(),
                    {"opt": random.choice(["adam", "sgd", "rmsprop"]), "act": random.choice(["relu", "tanh"])})
                 for i in range(1, 30)]),
    "p20": view([pt(i, "finished" if i % 7 else "failed", random.random() * 10 if i % 7 else 1e5,
                    {"p%02d" % k: random.uniform(0, 1) * 10 ** (k % 5) for k in range(20)})
                 for i in range(1, 200)]),
}
for k, v in cases.items():
    json.dump(v, open("%s/edge-%s.json" % (sys.argv[1], k), "w"))
PY
files=
for c in zero one failed equal nan cat p20; do
	for f in png svg pdf html; do
		hpo-plot -f "$T/edge-$c.json" -o "$T/edge-$c.$f" 2>>"$T/edge.err" || echo "$c.$f" >>"$T/edge.fail"
	done
	COLUMNS=60 hpo-plot -f "$T/edge-$c.json" --term >"$T/edge-$c.txt" 2>>"$T/edge.err" ||
		echo "$c.term" >>"$T/edge.fail"
	files="$files $T/edge-$c.png $T/edge-$c.svg $T/edge-$c.pdf"
done
# shellcheck disable=SC2086
checkall $files
for c in zero one failed equal nan cat p20; do
	w=$(widest "$T/edge-$c.txt")
	is "$(got "$T/edge-$c.png"):$(got "$T/edge-$c.svg"):$(got "$T/edge-$c.pdf" 2):$([ "$w" -le 60 ] && echo fits)" \
		"png 1600 1500:svg 1600pt 1500pt:pdf 6:fits" "$c: every plot is drawn as a valid file; the terminal view fits ($w)"
done
ok "every edge case exits 0" test ! -e "$T/edge.fail"
is "$(cat "$T/edge.err")" "" "the edge cases print no message"
like "$(cat "$T/edge-zero.txt")" "no points yet" "0 points: said so"
like "$(cat "$T/edge-failed.txt")" "every one failed" "all failed: said so"
like "$(cat "$T/edge-one.txt")" "best: point 1, loss 0.5" "1 point: it is the best"
like "$(cat "$T/edge-equal.txt")" "best: point 1, loss 2" "equal losses: the first is the best"
like "$(cat "$T/edge-nan.txt")" "6 points, 6 finished, 0 failed" "NaN and inf losses count as finished"
like "$(cat "$T/edge-nan.txt")" "best: point 6, loss -1e+308" "but the best is among the finite ones"
ok "NaN and inf points are marked on the failed row" grep -q '^ *failed ' "$T/edge-nan.txt"
is "$(grep -v '^best\|^edge\|=' "$T/edge-nan.txt" | grep -ci 'nan\|inf')" 0 \
	"no axis label says nan or inf"
like "$(cat "$T/edge-nan.html")" '<td>finished (loss not finite)</td><td class="n" data-v="">inf</td>' \
	"the report's table shows an infinite loss as inf"
like "$(cat "$T/edge-cat.txt")" "  act = " "categorical parameters: the best point names its category"
is "$(grep -c '^  p[0-9][0-9] = ' "$T/edge-p20.txt")" 20 "20 parameters: the best point lists them all"
n=$(got "$T/edge-p20.png" 4 | cut -d' ' -f4)
ok "20 parameters: the plots are drawn ($n colours)" test "${n:-0}" -gt 20
is "$(sed -n '/<table id="points">/,/<\/table>/p' "$T/edge-p20.html" | grep -o '<th onclick' | wc -l | tr -d ' ')" 24 \
	"20 parameters: the table has a column each, with point, status, loss and message"

# ---- errors --------------------------------------------------------------------

printf '{"schema": "hpo-tools/task-view",\n "tasks": [}\n' >"$T/bad.json"
hpo-plot -f "$T/bad.json" -o "$T/bad.png" 2>"$T/err"
is "$?" 13 "a file that is not JSON: exit 13"
like "$(cat "$T/err")" "hpo-plot: $T/bad.json:2:" "the message names file:line:column"
ok "and no output file is left" test ! -e "$T/bad.png"
echo '{"schema": "other", "tasks": []}' >"$T/other.json"
hpo-plot -f "$T/other.json" --term 2>"$T/err"
is "$?:$(cat "$T/err")" "13:hpo-plot: $T/other.json: not a task view (no \"schema\": \"hpo-tools/task-view\")" \
	"another schema: exit 4, said so"
hpo-plot -f "$T/view.json" --term 7 2>"$T/err"
is "$?:$(cat "$T/err")" "3:hpo-plot: $T/view.json: no task 7" "a task the file does not hold: exit 3"
hpo-plot --local --term 9 2>"$T/err"
is "$?:$(cat "$T/err")" "3:hpo-plot: no local task 9" "no such local task: exit 3"
HPO_DB=$T/empty/hpo.db hpo-plot --local --term 2>"$T/err"
is "$?:$(cat "$T/err")" "3:hpo-plot: no database at $T/empty/hpo.db" "no database: exit 3, named"
hpo-plot -f "$T/missing.json" --term 2>"$T/err"
is "$?" 1 "a missing file: exit 1"
like "$(cat "$T/err")" "$T/missing.json" "named"
hpo-plot --local 1 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "2:hpo-plot: say where to draw: -o FILE or --term" "no output: a usage error"
hpo-plot --local -o "$T/x.jpg" 1 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "2:hpo-plot: --output: '$T/x.jpg' does not end in .png, .svg, .pdf or .html" \
	"an unknown format: a usage error"
hpo-plot --local -k histogram --term 1 2>/dev/null
is "$?" 2 "an unknown plot kind: a usage error"
hpo-plot --local --pair x,nope -o "$T/p.png" 1 2>"$T/err"
is "$?:$(head -n 1 "$T/err")" "2:hpo-plot: --pair: the task has no parameter 'nope'" \
	"--pair with a parameter the task lacks: a usage error"
hpo-plot --local --size 10x10 --term 1 2>/dev/null
is "$?" 2 "a size too small: a usage error"
hpo-plot --local --term 1 2 2>/dev/null
is "$?" 2 "two tasks: a usage error"
hpo-plot --local --log --term 1 >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "--log with positive losses: no warning"
hpo-plot -f "$T/edge-p20.json" -k history --log -o "$T/log.png" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "--log on a 20-parameter task"
hpo-plot -f "$T/edge-nan.json" --log -k history -o "$T/log2.png" 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"0:hpo-plot: warning: --log: some losses are 0 or below: the loss is drawn on a linear scale" \
	"--log with negative losses: a warning, a linear scale"
hpo-plot --local -o "$T/no/such/dir/x.png" 1 2>"$T/err"
is "$?" 1 "an output directory that does not exist: exit 1"
is "$(cat "$T/err")" "hpo-plot: $T/no/such/dir/x.png: No such file or directory" \
	"and one line naming the output given, not a temporary of ours"

# the engine checks the intermediate losses
mkdir "$T/bad"
cat >"$T/bad/task.yaml" <<'YAML'
evaluation:
  exec: "echo '{\"status\": 0, \"loss\": 1, \"intermediate\": [1, \"two\"]}' > output.json"
search-space:
  x: {method: fixed, dimension: {value: 1}}
budget: {max-points: 1}
YAML
HPO_DB=$T/db2/hpo.db hpo-submit --local -q "$T/bad/task.yaml" >/dev/null 2>&1
HPO_DB=$T/db2/hpo.db hpo-status --local --json 1 >"$T/bad.view"
is "$(jqr '.tasks[0].points[0].status + ": " + .tasks[0].points[0].message' "$T/bad.view")" \
	'failed: failed 2 attempts and may not try again: max-evaluation-jobs (2) reached; last: output.json: "intermediate"[1] is not a number' \
	"an evaluation whose intermediate losses are not numbers fails, said why"

# ---- a Grid task, from the PanDA simulator -----------------------------------------

. "$top_srcdir/tests/lib/sim.sh"
ok "the simulator starts" sim_start --tick 0.05
HPO_NICKNAME=testuser
export HPO_NICKNAME
mkdir "$T/grid"
cat >"$T/grid/task.yaml" <<'YAML'
name: gridplot
evaluation: {container: "docker://registry.example/train:1", exec: "python3 train.py"}
steering: {container: "docker://registry.example/steer:1", exec: "python3 /steer.py %IN %OUT"}
search-space:
  lr: {method: loguniform, dimension: {low: 0.0001, high: 0.1}}
  layers: {method: uniformint, dimension: {low: 1, high: 4}}
budget: {max-points: 6}
grid: {output-dataset: user.testuser.gridplot.1}
YAML
gid=$(hpo-submit -q "$T/grid/task.yaml")
hpo-status --wait --timeout 30 --interval 1 --json "$gid" >"$T/gv.json"
is "$?:$(jqr '.tasks[0].space.lr.method' "$T/gv.json")" "0:loguniform" \
	"the Grid task is done; its view holds the search space"
gbest=$(printf '%.6g' "$(jqr '.tasks[0].best.loss' "$T/gv.json")")
gbestid=$(jqr '.tasks[0].best.id' "$T/gv.json")
COLUMNS=70 hpo-plot --term "$gid" >"$T/gterm" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "hpo-plot draws a Grid task on the terminal"
like "$(cat "$T/gterm")" "best: point $gbestid, loss $gbest" "with the best point that hpo-status shows"
hpo-plot -o "$T/grid.html" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "with no ID: your newest Grid task, as a report"
like "$(cat "$T/grid.html")" "<tr><th>loss</th><td class=\"n\">$gbest</td></tr>" "the report's best loss"
hpo-plot -k history -o "$T/g.png" 4242 2>"$T/err"
is "$?:$(cat "$T/err")" "3:hpo-plot: no task 4242 on https://127.0.0.1:$sim_port/api/v1" \
	"an unknown Grid task: exit 3, as hpo-status"
msg=$(X509_USER_PROXY=$T/none.pem hpo-plot --term "$gid" 2>&1)
is "$?" 10 "no credentials: exit 10, as hpo-status"

# ---- hostile names and values -------------------------------------------------
python3 - "$T/hostile.json" <<'PY'
import json, sys
pts = [{"id": i, "status": "finished", "loss": 1.0 / i, "message": "</script><script>alert(2)</script>",
        "parameters": {"a<script>b": i, "esc\u001b[31mred": i * 2, "opt": "<img src=x onerror=alert(1)>"}}
       for i in range(1, 6)]
t = {"id": 1, "backend": "local", "name": "<b>x</b>\u001b]0;owned\u0007", "status": "finished",
     "message": None, "max_points": 5, "best": None, "points": pts, "space": None}
json.dump({"schema": "hpo-tools/task-view", "version": 1, "tasks": [t]}, open(sys.argv[1], "w"))
PY
hpo-plot -f "$T/hostile.json" -o "$T/hostile.html"
is "$(grep -c '<img src=x\|<script>alert\|<b>x</b>\|a<script>b' "$T/hostile.html")" 0 \
	"the report escapes names, values and messages: no markup of theirs gets in"
like "$(cat "$T/hostile.html")" "&lt;img src=x onerror=alert(1)&gt;" "they are shown as text"
COLUMNS=80 hpo-plot -f "$T/hostile.json" --term >"$T/hostile.txt"
is "$(tr -d '\n' <"$T/hostile.txt" | LC_ALL=C tr -d '\040-\176\200-\377' | wc -c)" 0 \
	"--term prints no control character of theirs"

done_testing
