#!/bin/sh
# Bad input gets one clear line naming the file:line:column or option, a
# documented exit status, and leaves nothing behind.
. "$top_srcdir/tests/lib/tap.sh"
plan 36

hpo-status --local >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "3:hpo-status: no database at $HPO_DB" \
	"hpo-status with no database: exit 3, named (not an empty table)"
ok "and does not create one by looking" test ! -e "$HPO_DB" -a ! -e "$(dirname "$HPO_DB")"

mkdir "$T/task"
good='evaluation: {exec: "true"}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
'
# run_bad YAML: hpo-submit on a task file holding YAML; sets $rc and $msg
run_bad() {
	printf '%s' "$1" > "$T/task/task.yaml"
	msg=$(hpo-submit --local "$T/task/task.yaml" 2>&1 >/dev/null)
	rc=$?
}
f=$T/task/task.yaml

run_bad "$good
evalution: {}
"
is "$rc" 13 "an invalid task file exits 13"
is "$msg" "hpo-submit: $f:5:1: unknown key 'evalution' (did you mean 'evaluation'?)" \
	"a misspelt key is named with its position and the nearest valid key"
run_bad "$good
budget: {max-points: many}
"
is "$msg" "hpo-submit: $f:5:22: budget.max-points must be an integer, not a string" \
	"a wrong type names the key and position"
run_bad "$good
budget: {max-points: 0}
"
is "$msg" "hpo-submit: $f:5:22: budget.max-points must be from 1 to 1000000" "an impossible value is refused"
run_bad "$good
budget: {points-per-iteration: 2, min-unevaluated-points: 2}
"
like "$msg" "min-unevaluated-points (2) must be below points-per-iteration (2)" "inconsistent budget values are refused"
run_bad 'evaluation: {exec: "true"}
search-space:
  x: {method: uniform, dimension: {low: 2, high: 1}}
'
like "$msg" "$f:3:" "a bad search space is reported with its line"
like "$msg" "low (2) must be below high (1)" "and says what is wrong"
run_bad 'evaluation: {exec: "true"}
search-space:
  x: {method: unifrom, dimension: {low: 0, high: 1}}
'
like "$msg" "unknown method 'unifrom' (did you mean 'uniform'?)" "a misspelt method gets a suggestion"
run_bad 'evaluation: {exec: "true"
search-space: {}
'
is "$rc" 13 "a YAML syntax error exits 13"
like "$msg" "hpo-submit: $f:" "a YAML syntax error names the file and position"
run_bad "$(printf 'evaluation: {exec: "true"}\nsearch-space:\n\tx: {method: uniform, dimension: {low: 0, high: 1}}\n')"
is "$rc:$msg" "13:hpo-submit: $f:3:1: found character that cannot start any token while scanning for the next token (use spaces to indent, not tabs)" \
	"a tab: one line with the position and the hint"
printf '{"evaluation": {"exec": "true"},\n "search-space": {"x": {"method": "uniform",\n   "dimension": {"low": 0 "high": 1}}}}\n' > "$T/task/task.json"
msg=$(hpo-submit --local "$T/task/task.json" 2>&1 >/dev/null)
is "$?:$msg" "13:hpo-submit: $T/task/task.json:3:27: did not find expected ',' or '}' while parsing a flow mapping (a ',' between two entries, or the ':' after a key, is missing)" \
	"JSON with a comma missing: one line with the position and the hint"
run_bad 'search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
'
is "$msg" "hpo-submit: $f:1:1: missing 'evaluation' (the command that evaluates one point)" \
	"a missing section is named"
run_bad "$good
steering: {algorithm: tpee}
"
is "$msg" "hpo-submit: $f:5:23: unknown algorithm 'tpee' (did you mean 'tpe'?)" \
	"an unknown algorithm is refused, with its place and the nearest name"
run_bad 'evaluation: {exec: "true"}
steering: {algorithm: grid}
search-space:
  x: {method: normal, dimension: {mu: 0, sigma: 1}}
'
is "$msg" "hpo-submit: $f:2:23: grid steering: parameter 'x': method 'normal' has no finite set of values for a grid search" \
	"grid steering over a parameter without a grid is refused before the task exists"
run_bad "$good
steering: {exec: python3 steer.py}
"
like "$msg" "steering.exec must contain %OUT" "a steering exec without %OUT is refused"
ok "refused task files leave no database behind" test ! -e "$HPO_DB"

msg=$(hpo-submit --local "$T/nonexistent.yaml" 2>&1)
is "$? $msg" "1 hpo-submit: $T/nonexistent.yaml: No such file or directory" "a missing task file is named"

# usage errors: exit 2, the option named
msg=$(hpo-submit --local --paralel 2 "$f" 2>&1)
is "$?" 2 "an unknown option exits 2"
is "$msg" "hpo-submit: unknown option '--paralel' (did you mean '--parallel'?)
Try 'hpo-submit --help' for more information." "and names the option, and the one meant"
msg=$(hpo-status --xyzzy 2>&1)
is "$msg" "hpo-status: unknown option '--xyzzy'
Try 'hpo-status --help' for more information." "no guess when none is near"
printf '%s' "$good" > "$f"
msg=$(hpo-submit "$f" 2>&1)
is "$?:$msg" "13:hpo-submit: the Grid needs evaluation.container (the image evaluations run in)" \
	"without --local the task goes to the Grid, which needs more than a local run (exit 13)"
msg=$(hpo-submit --local --parallel 0 "$f" 2>&1)
like "$?:$msg" "2:hpo-submit: --parallel: '0' is not a number from 1 to 10000" "a bad option value is named"

# unknown tasks (in a database with one task)
printf 'evaluation: {exec: "echo {\\"status\\": 0, \\"loss\\": 1} > output.json"}\nsearch-space:\n  x: {method: uniform, dimension: {low: 0, high: 1}}\nbudget: {max-points: 1}\n' > "$f"
hpo-submit --local -q "$f" >/dev/null 2>&1
printf '%s' "$good" > "$f"
msg=$(hpo-submit --local --resume 42 2>&1)
is "$? $msg" "3 hpo-submit: no local task 42" "--resume of an unknown task exits 3"
msg=$(hpo-status 42 --local 2>&1)
is "$? $msg" "3 hpo-status: no local task 42" "hpo-status of an unknown task exits 3"

# a container runtime that is missing or has no engine is a clear error
printf 'evaluation: {exec: "true", container: "docker://busybox"}\nsearch-space:\n  x: {method: uniform, dimension: {low: 0, high: 1}}\n' > "$f"
mkdir "$T/bin"
msg=$(PATH=$T/bin "$HPO_BINDIR/hpo-submit" --local --runtime apptainer "$f" 2>&1 >/dev/null)
is "$?:$msg" "1:hpo-submit: container runtime apptainer: not found in PATH" "a missing runtime is named (exit 1)"
# a client without its engine: docker's real client when installed (no
# daemon runs on these machines), else a stand-in that fails the same way
if command -v docker >/dev/null && ! docker info >/dev/null 2>&1; then
	ln -s "$(command -v docker)" "$T/bin/docker"
else
	printf '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2\nexit 1\n' > "$T/bin/docker"
	chmod +x "$T/bin/docker"
fi
msg=$(PATH=$T/bin:/usr/bin:/bin "$HPO_BINDIR/hpo-submit" --local --runtime docker "$f" 2>&1 >/dev/null)
like "$msg" "hpo-submit: container runtime docker: not working ('docker info' failed: Cannot connect to the Docker daemon" \
	"a runtime whose engine does not answer is a clear error, with the runtime's own reason"
is "$(hpo-status --local --json | jq '.tasks | length')" 1 "a runtime that does not work creates no task"
msg=$(hpo-submit --local --runtime dokcer "$f" 2>&1 >/dev/null)
is "$?:$(printf '%s' "$msg" | head -n 1)" \
	"2:hpo-submit: --runtime: unknown container runtime 'dokcer' (did you mean 'docker'?)" \
	"a misspelt --runtime is a usage error (exit 2) with the nearest name"
msg=$(HPO_CONTAINER_RUNTIME=podmn hpo-submit --local "$f" 2>&1 >/dev/null)
is "$?:$msg" "13:hpo-submit: HPO_CONTAINER_RUNTIME: unknown container runtime 'podmn' (did you mean 'podman'?)" \
	"a misspelt HPO_CONTAINER_RUNTIME names the variable (exit 13)"

# ---- hpo-task(5) says the same about what the Grid needs everywhere, and it is so ------------
page=$top_srcdir/man/hpo-task.5
# the tags of GRID SUBMISSION
needs=$(awk '/^\.SH GRID SUBMISSION/ { on = 1; next } on && /^\.SH/ { exit }
	on && prev == ".TP" && /^\.B / { print $2 } { prev = $0 }' "$page" | sort | tr '\n' ' ')
diag "GRID SUBMISSION lists: $needs"
# the keys of the introduction's paragraph that starts "A task for the Grid needs"
intro=$(awk '/^A task for the Grid needs/ { on = 1 } on && /^\.(PP|SS|SH)/ { exit }
	on && /^\.BR? [a-z]+\.[a-z]/ { w = $2; gsub(/[,;]/, "", w); print w }' "$page" |
	sort -u | tr '\n' ' ')
missing=
for k in $needs; do
	case " $intro" in *" $k "*) ;; *) missing="$missing $k" ;; esac
done
is "$missing" "" "hpo-task(5): the introduction names all that GRID SUBMISSION lists"
# the entries marked "required on the Grid": section.key
req=$(awk '/^\.SH/ { sec = "" } /^\.SS / { sec = $2 } /^\.TP/ { tp = 1; next }
	tp && /^\.B / { key = $2 } { tp = 0 } /required on the Grid/ && sec != "" { print sec "." key }' \
	"$page" | sort -u)
missing=
for k in $req; do
	case " $needs" in *" $k "*) ;; *) missing="$missing $k" ;; esac
done
is "$missing" "" "hpo-task(5): every key marked required on the Grid is listed under GRID SUBMISSION"
# a task for the Grid without any one of them is refused, naming it (--no-submit: no server)
cat > "$T/task/grid.json" <<'EOF'
{"evaluation": {"container": "docker://busybox", "exec": "python train.py"},
 "steering": {"container": "docker://steering"},
 "search-space": {"x": {"method": "uniform", "dimension": {"low": 0, "high": 1}}},
 "grid": {"output-dataset": "user.testuser.gridneeds.1"}}
EOF
grid_try() {	# JQ-FILTER: hpo-submit --no-submit of the task so changed; sets $rc, $msg
	jq "$1" "$T/task/grid.json" > "$T/task/g.json"
	msg=$(env -u HPO_NICKNAME -u PANDA_NICKNAME X509_USER_PROXY="$T/none" \
		hpo-submit -q --no-submit "$T/task/g.json" 2>&1 >/dev/null)
	rc=$?
}
grid_try .
bad=
[ "$rc" -eq 0 ] || bad="the whole task: $msg"
for k in $needs; do
	grid_try "del(.${k%%.*}[\"${k#*.}\"])"
	# without grid.output-dataset, the nickname names it: none is a
	# credential problem (exit 10), whose message names the key too
	case "$k:$rc:$msg" in *:13:*"${k#*.}"* | grid.output-dataset:10:*output-dataset*) ;;
	*) bad="$bad; without $k: $rc:$msg" ;;
	esac
done
is "$bad" "" "hpo-submit --no-submit refuses a task without any of them, naming it"
grid_try '.steering = {exec: "python steer.py %OUT"}'
is "$rc:$msg" "0:" "a steering command of one's own needs no steering.container"
done_testing
