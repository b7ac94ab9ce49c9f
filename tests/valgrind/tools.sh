#!/bin/sh
# tools.sh - every tool once under valgrind's memcheck: no invalid read or
# write, no use of an uninitialised value, no leak ("definitely lost"),
# on a real local task.  Not part of `make check` (the sanitizer build of
# CI cannot run under valgrind): `make check-valgrind`, which .ci/run runs
# after `make check`.  Suppressions for libraries not ours: valgrind.supp.
# Then every fuzz harness over its corpus and regress inputs
# (tests/fuzz/replay-NAME, built by `make check`).
. "$top_srcdir/tests/lib/tap.sh"
plan 26

vg() {	# vg COMMAND...: valgrind's exit status 99 on any error, else the command's
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--show-leak-kinds=definite --suppressions="$top_srcdir/tests/valgrind/valgrind.supp" \
		--log-file="$T/vg.%p.log" "$@"
}
# is_vg EXPECTED-STATUS DESCRIPTION COMMAND...
is_vg() {
	_want=$1 _what=$2
	shift 2
	vg "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	is "$_rc" "$_want" "$_what"
	if [ "$_rc" != "$_want" ]; then
		cat "$T"/vg.*.log "$T/err" 2>/dev/null | head -n 40 | sed 's/^/# /'
	fi
	rm -f "$T"/vg.*.log
}

command -v valgrind >/dev/null 2>&1 ||
	{ echo "Bail out! valgrind is not installed (tools/install-deps installs it)"; exit 1; }

mkdir "$T/task"
cat >"$T/task/task.yaml" <<'YAML'
name: vg
evaluation:
  container: docker://registry.example/train:1   # the Grid's; local runs use the host
  exec: sh eval.sh
steering:
  algorithm: tpe
  settings: {n_startup: 3}
  container: docker://registry.example/hpo-steer:1
search-space:
  x: {method: uniform, dimension: {low: -5, high: 5}}
  n: {method: uniformint, dimension: {low: 1, high: 8}}
  act: {method: categorical, dimension: {categories: [relu, tanh]}}
budget: {max-points: 6, parallel-evaluations: 2}
YAML
cat >"$T/task/eval.sh" <<'SH'
x=$(sed 's/.*"x": *\([-0-9.e]*\).*/\1/' input.json)
awk -v x="$x" 'BEGIN { printf "{\"status\": 0, \"loss\": %g, \"intermediate\": [%g, %g]}\n", x * x, x * x + 2, x * x + 1 }' >output.json
SH

# ---- hpo-submit, hpo-status -------------------------------------------------------
is_vg 0 "hpo-submit --local runs a task under valgrind, clean" hpo-submit --local -q "$T/task/task.yaml"
is_vg 0 "hpo-status --local: clean" hpo-status --local
is_vg 0 "hpo-status --local --points --json: clean" hpo-status --local --json --points 1
cp "$T/out" "$T/view.json"
is "$(jq '.tasks[0].points | length' "$T/view.json")" 6 "the task has its 6 points"
is_vg 0 "hpo-submit --no-submit (the Grid's task parameters, no network): clean" \
	hpo-submit -q --no-submit --nickname tester --dump-task-params "$T/tp.json" "$T/task/task.yaml"

# ---- hpo-plot ----------------------------------------------------------------------
is_vg 0 "hpo-plot: every plot to PNG, clean" hpo-plot -f "$T/view.json" -o "$T/all.png"
is_vg 0 "hpo-plot: the HTML report, clean" hpo-plot -f "$T/view.json" -o "$T/r.html"
is_vg 0 "hpo-plot --term: clean" hpo-plot --local --term 1

# ---- hpo-steer ---------------------------------------------------------------------
jq '{points: [.tasks[0].points[] | [.parameters, .loss]], opt_space: .tasks[0].space}' \
	"$T/view.json" >"$T/in.json"
for a in tpe gp cmaes; do
	is_vg 0 "hpo-steer -a $a: clean" hpo-steer -a "$a" -i "$T/in.json" -o "$T/o.json" -n 3 -m 20 -s 1
done
printf '{"points": [[{"x": 1}, 0.5]], "opt_space": ' >"$T/bad.json"
is_vg 13 "hpo-steer on a malformed file: its error (13, invalid input), clean" \
	hpo-steer -a tpe -i "$T/bad.json" -o "$T/o.json" -n 1 -m 5

# ---- hpo-ckpt ----------------------------------------------------------------------
mkdir -p "$T/w/ck/d"
head -c 200000 /dev/urandom >"$T/w/ck/d/w.bin"
cd "$T/w" || exit 1
is_vg 0 "hpo-ckpt save: clean" hpo-ckpt save -q --to "$T/store" ck
is_vg 0 "hpo-ckpt ls --json: clean" hpo-ckpt ls --json "$T/store"
mkdir "$T/back"
is_vg 0 "hpo-ckpt load: clean" hpo-ckpt load -q --from "$T/store" -C "$T/back"

# ---- the fuzz harnesses' corpus and regress inputs ------------------------------------
cd "$top_builddir" || exit 1
for h in task space phpo steer view tar ckptname davs pandaview pandaanswer store; do
	is_vg 0 "replay-$h (corpus and regress inputs): clean" "tests/fuzz/replay-$h"
done

done_testing
