#!/bin/sh
# Grid mode against the PanDA simulator: submit, follow, control; sandbox
# reuse; faults the server and the network throw; credentials.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 62

# an OIDC ID token the simulator knows
token=$(jwt $(( $(date +%s) + 10800 )))
old_token=$(jwt $(( $(date +%s) - 60 )))
printf '[{"token": "%s", "name": "Test User", "preferred_username": "testuser", "vo": "atlas"}]' \
	"$token" > "$T/tokens.json"
ok "the simulator starts" sim_start --tick 0.05 --tokens "$T/tokens.json" --token-port 0 \
	--token-port-file "$T/sim.tport"
HPO_NICKNAME=testuser
export HPO_NICKNAME

grid_task gridtest
sed -i '/^  lr:/a\  layers: {method: uniformint, dimension: {low: 1, high: 4}}' "$f"

# --- submit, then follow to the end ----------------------------------------------
id=$(hpo-submit -q "$f")
is "$?:$id" "0:1000" "hpo-submit prints the jediTaskID"
is "$(sim_log task/submit)" 1 "one submission reached the server"
is "$(sim_log file_server/upload_cache_file)" 1 "the sandbox was uploaded once"
is "$(hpo-status --json 1000 | jq -r '.tasks[0].name')" "user.testuser.gridtest.1/" \
	"the server knows the task by its output dataset"
hpo-status --wait --timeout 30 --interval 1 --json 1000 >"$T/v.json"
is "$?" 0 "hpo-status --wait exits 0 when the task is finished with every point evaluated"
is "$(jqr '.tasks[0] | .backend + " " + .status + " " + .outcome + " " + .name' "$T/v.json")" \
	"panda finished success user.testuser.gridtest.1/" "the view shows the Grid task finished, a success"
is "$(jqr '.tasks[0].counts.points' "$T/v.json")" 6 "with its 6 points from iDDS"
is "$(jqr '.tasks[0].best.loss' "$T/v.json")" "$(jq '[.tasks[0].points[].loss | numbers] | min' "$T/v.json")" \
	"the best point has the lowest loss"
is "$(hpo-status 1000 | sed -n 2p | awk '{print $3, $4, $6}')" "finished success 6/6" "the table shows it too"

# --- the same files again: the sandbox is reused --------------------------------------
# (another output dataset from a phpo option file outside the task's files)
echo '{"outDS": "user.testuser.gridtest.2"}' > "$T/o2.json"
hpo-submit -q --json --load-json "$T/o2.json" "$f" >"$T/s2.json"
is "$(jqr '.schema + " " + (.task_id|tostring) + " " + (.sandbox_reused|tostring)' "$T/s2.json")" \
	"hpo-tools/submission 1001 true" "an identical sandbox is reused from the cache"
is "$(sim_log file_server/upload_cache_file)" 1 "and not uploaded again"

# --- faults: retried, no duplicate task, clear errors ----------------------------------
with_name user.testuser.gridtest.3
ctl fault '{"kind": "http500", "count": 2, "path": "task/submit"}' >/dev/null
id=$(hpo-submit -q "$f")
is "$?:$id" "0:1002" "two HTTP 500 answers are retried"
ctl fault '{"kind": "lost_submit", "count": 1}' >/dev/null
with_name user.testuser.gridtest.4
id=$(hpo-submit -q "$f")
is "$?:$id" "0:1003" "a submission whose answer was lost gives its task"
is "$(ctl tasks | jq '[.[] | select(.taskName == "user.testuser.gridtest.4/")] | length')" 1 \
	"and the server holds it once"
with_name user.testuser.gridtest.5
ctl fault '{"kind": "http429", "retry_after": 1, "count": 1, "path": "task/submit"}' >/dev/null
start=$(date +%s)
id=$(hpo-submit -q "$f")
is "$?:$id" "0:1004" "a 429 answer is retried"
ok "after its Retry-After" test $(( $(date +%s) - start )) -ge 1
ctl fault '{"kind": "truncate", "count": 1, "path": "task/get_detailed_info"}' >/dev/null
is "$(hpo-status --json 1004 | jq -r '.tasks[0].id')" 1004 "a truncated answer is retried"
ctl fault '{"kind": "stall", "seconds": 8, "count": 1, "path": "task/get_detailed_info"}' >/dev/null
is "$(HPO_HTTP_TIMEOUT=2 hpo-status --json 1004 | jq -r '.tasks[0].id')" 1004 \
	"an answer stalled past the timeout is retried"
ctl fault '{"kind": "http500", "count": 50, "path": "task/get_detailed_info"}' >/dev/null
msg=$(HPO_HTTP_RETRIES=2 hpo-status 1004 2>&1)
is "$?" 11 "a server that keeps failing: hpo-status exits 11"
like "$msg" "tried 3 times" "and says how often it tried"
ctl reset '{"keep_tasks": true}' >/dev/null
with_name 'user.someoneelse.gridtest.6'
msg=$(hpo-submit "$f" 2>&1)
is "$?" 13 "an output dataset of another user is refused before sending (exit 13)"

# --- many tasks at once, and the recent ones -----------------------------------------------
is "$(hpo-status --json 1000 1001 1002 1003 2>"$T/many.err" | jq -c '[.tasks[].id]')" "[1000,1001,1002,1003]" \
	"hpo-status shows many tasks, in order" || sed 's/^/# /' "$T/many.err"
ok "with no ID it lists your recent HPO tasks" \
	test "$(hpo-status --json | jq '[.tasks[].id] | length')" -ge 5
msg=$(hpo-status 4242 2>&1)
is "$?:$msg" "3:hpo-status: no task 4242 on https://127.0.0.1:$sim_port/api/v1" "an unknown task: exit 3"

# --- kill, finish, retry --------------------------------------------------------------------
ctl task '{"task_id": 1004, "status": "running", "hold": true}' >/dev/null
hpo-submit -q --kill 1004
is "$?" 0 "--kill of a running task"
ctl task '{"task_id": 1004, "hold": false}' >/dev/null
hpo-status --wait --timeout 20 --interval 1 1004 >/dev/null
is "$?" 7 "it ends aborted (hpo-status --wait exits 7)"
msg=$(hpo-submit --kill 1004 2>&1)
is "$?" 12 "killing it again is refused (exit 12)"
like "$msg" "hpo-submit: kill task 1004:" "with the server's reason"
ctl task '{"task_id": 1003, "status": "running", "hold": true}' >/dev/null
is "$(hpo-submit --json --finish 1003 --soft | jq -r '.schema + " " + .action')" \
	"hpo-tools/task-command finish" "--finish --soft of a running task"
ctl task '{"task_id": 1003, "hold": false}' >/dev/null
echo '{"maxFailure": 5}' > "$T/new.json"
hpo-status --wait --timeout 20 --interval 1 1002 >/dev/null
hpo-submit -q --retry 1002 --new-params "$T/new.json"
is "$?" 0 "--retry with new parameters"

# --- credentials -----------------------------------------------------------------------------
msg=$(X509_USER_PROXY=$T/none.pem hpo-status 1000 2>&1)
is "$?:$msg" "10:hpo-status: no grid proxy at $T/none.pem: run voms-proxy-init -voms atlas" \
	"no proxy: one line naming the fix (exit 10)"
cp "$P/proxy.pem" "$T/open.pem"
chmod 644 "$T/open.pem"
msg=$(X509_USER_PROXY=$T/open.pem hpo-submit --kill 1000 2>&1)
is "$?" 10 "a proxy others can read is refused (exit 10)"
like "$msg" "chmod 600" "and the message says how to fix it"
msg=$(X509_USER_PROXY=$P/proxy-expired.pem hpo-status 1000 2>&1)
like "$?:$msg" "10:hpo-status: grid proxy $P/proxy-expired.pem expired on" "an expired proxy is named"
msg=$(X509_USER_PROXY=$P/proxy-limited.pem hpo-status 1000 2>&1)
is "$?" 10 "a limited proxy is refused"
msg=$(X509_USER_PROXY=$P/proxy-untrusted.pem hpo-status 1000 2>&1)
is "$?" 10 "a proxy the server does not trust: exit 10"
like "$msg" "hpo-status: " "with one line"
msg=$(X509_USER_PROXY=$P/proxy-short.pem hpo-status 1000 2>&1 >/dev/null)
like "$msg" "warning: grid proxy expires in" "a proxy about to expire gets a warning"

msg=$(PANDA_VERIFY_HOST=off hpo-status --json 1000 2>&1 >/dev/null)
is "$msg" "hpo-status: warning: PANDA_VERIFY_HOST=off: the server's host name is not checked" \
	"PANDA_VERIFY_HOST=off is honoured with a warning"

# --- tokens -----------------------------------------------------------------------------------
tport=$(cat "$T/sim.tport")
with_token() {	# with_token TOKEN COMMAND...
	_t=$1
	shift
	env PANDA_AUTH=oidc PANDA_AUTH_VO=atlas PANDA_AUTH_ID_TOKEN="$_t" X509_USER_PROXY=$T/none.pem \
		PANDA_URL_SSL=https://127.0.0.1:$tport/server/panda \
		PANDACACHE_URL=https://127.0.0.1:$tport/server/panda "$@"
}
is "$(with_token "$token" hpo-status --json 1000 | jq -r '.tasks[0].status')" finished \
	"PANDA_AUTH=oidc: hpo-status works with an ID token"
msg=$(with_token "$old_token" hpo-status 1000 2>&1)
is "$?" 10 "an expired token is refused before any request (exit 10)"
like "$msg" "expired" "and the message says so"
case $msg in *"$old_token"*) leak=1 ;; *) leak=0 ;; esac
is "$leak" 0 "the message does not show the token"
sed -i '/output-dataset/d' "$f"
out=$(with_token "$token" env -u HPO_NICKNAME hpo-submit -q --json "$f" | jq -r .task_name)
like "$out" "user.testuser.gridtest." "with a token and no output dataset, the token's preferred_username names it"

# --- --watch on a terminal (tmux) ---------------------------------------------------------------
sock=hpo-test-$$
tmux -L "$sock" new-session -d -x 120 -y 20 \
	"hpo-status --watch --interval 1 1000 1001; echo watch-exit=\$?; sleep 30"
wait_for 20 sh -c "tmux -L $sock capture-pane -p | grep -q watch-exit="
screen=$(tmux -L "$sock" capture-pane -p)
tmux -L "$sock" kill-server 2>/dev/null
like "$screen" "1000  user.testuser.gridtest.1/  finished  success" "--watch draws the task table on a terminal"
like "$screen" "watch-exit=0" "and ends when every task is final"
msg=$(hpo-status --watch 1000 2>&1 </dev/null | cat)
like "$msg" "in scripts use --wait" "--watch refuses a standard output that is no terminal"

# --- the configuration file ---------------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/hpo-tools"
printf '# PanDA on this machine\nPANDA_URL_SSL = %s\nX509_CERT_DIR=%s\nPANDA_URL_SSLL = x\n' \
	"$PANDA_URL_SSL" "$X509_CERT_DIR" > "$XDG_CONFIG_HOME/hpo-tools/config"
out=$(env -u PANDA_URL_SSL -u X509_CERT_DIR hpo-status --json 1000 2>"$T/conf.err" | jq -r '.tasks[0].id')
is "$out" 1000 "settings come from ~/.config/hpo-tools/config when the environment has none"
like "$(cat "$T/conf.err")" "config:4: unknown setting 'PANDA_URL_SSLL' (did you mean 'PANDA_URL_SSL'?), ignored" \
	"a misspelt setting is named with its line"
printf 'PANDA_URL_SSL = https://127.0.0.1:1/server/panda\n' > "$XDG_CONFIG_HOME/hpo-tools/config"
is "$(hpo-status --json 1000 | jq -r '.tasks[0].id')" 1000 "the environment wins over the file"
rm "$XDG_CONFIG_HOME/hpo-tools/config"

# --- no network at all ------------------------------------------------------------------------
echo 'grid: {output-dataset: user.testuser.gridtest.7}' >> "$f"
msg=$(PANDA_URL_SSL=https://127.0.0.1:1/server/panda PANDACACHE_URL=https://127.0.0.1:1/server/panda \
	hpo-submit -q --no-submit --dump-task-params "$T/p.json" "$f" 2>&1)
is "$?:$msg" "0:" "--no-submit works with no server at all"
is "$(jq -r .taskName "$T/p.json")" "user.testuser.gridtest.7/" "and --dump-task-params writes what would be sent"

# --- phpo option files: the task parameters phpo would send -----------------------------------
# what may differ from phpo: client name and version, command line, sandbox
# name, cache host (the expected files are hand-written from phpo's rules)
norm='del(.cliParams) | .processingType |= sub("[0-9.]+-jedi"; "V-jedi")
	| .jobParameters[1].value |= sub("jobO[.][^ ]*[.]tar --sourceURL .*"; "SANDBOX --sourceURL CACHE")'
for c in minimal training checkpoint metrics; do
	got=$(cd "$top_srcdir/tests/fixtures/taskparams" && HPO_NICKNAME=jdoe \
		hpo-submit --no-submit -q --load-json "$c.phpo.json" --dump-task-params - | jq -cS "$norm")
	is "$got" "$(jq -cS "$norm" "$top_srcdir/tests/fixtures/taskparams/$c.json")" \
		"--load-json $c.phpo.json gives phpo's task parameters"
done

# --- killed in the middle of its upload: nothing left behind ----------------------------
# (the sandbox is packed into a file of no name; the upload stalls on the
# server until the test has looked and killed the client)
mkdir "$T/tmp"
echo 'print("never uploaded before")' >"$T/task/new.py"
sed -i 's/gridtest[.]7}/gridtest.8}/' "$f"
ctl fault '{"kind": "stall", "seconds": 30, "count": 1, "path": "file_server/upload_cache_file"}' >/dev/null
stall_taken() { [ "$(ctl faults | jq length)" = 0 ]; }
TMPDIR=$T/tmp hpo-submit -q "$f" >/dev/null 2>&1 &
pid=$!
ok "the upload reaches the server" wait_for 20 stall_taken
is "$(ls -A "$T/tmp")" "" "while the sandbox uploads, TMPDIR holds nothing of it"
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "hpo-submit ends at SIGTERM"
is "$(ls -A "$T/tmp")" "" "and leaves nothing in TMPDIR"
is "$(ctl tasks | jq '[.[] | select(.taskName == "user.testuser.gridtest.8/")] | length')" 0 \
	"nor a task"
rm "$T/task/new.py"
done_testing
