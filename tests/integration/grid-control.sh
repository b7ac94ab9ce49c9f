#!/bin/sh
# Grid tasks under control: pause and resume (beside kill, finish and retry),
# default output datasets that never collide, a refused submission in one
# line, requests the server takes as anonymous, malformed server URLs and a
# proxy without a nickname.  Against the PanDA simulator, which behaves as
# the real server: certificates optional at TLS, duplicate names accepted
# (phpo sets no uniqueTaskName), pause and resume for production roles only.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 43

# "Other User" has the production role; "Test User" (proxy.pem) has not
ok "the simulator starts" sim_start --tick 0.05 --production-dn "/CN=Other User"
HPO_NICKNAME=testuser
export HPO_NICKNAME

grid_task ctl "{max-points: 200, parallel-evaluations: 1, max-evaluation-jobs: 400}" ""
status() { ctl tasks | jq -r ".[] | select(.jediTaskID == $1) | .status"; }
is_status() { [ "$(status "$1")" = "$2" ]; }

# --- default output datasets: two in the same second differ -------------------------
hpo-submit -q --json "$f" >"$T/a.json" &
first=$!
hpo-submit -q --json "$f" >"$T/b.json"
wait "$first"
a=$(jq -r .task_name "$T/a.json")
b=$(jq -r .task_name "$T/b.json")
ok "two submissions at once both succeed" test -n "$(jq -r .task_id "$T/a.json")" -a -n "$(jq -r .task_id "$T/b.json")"
ok "with different default output datasets ($a, $b)" test -n "$a" -a "$a" != "$b"
ok "each is user.<nick>.<name>.<UTC time>.<6 hex digits>/" \
	sh -c "echo '$a' | grep -Eq '^user[.]testuser[.]ctl[.][0-9]{14}[.][0-9a-f]{6}/\$'"
id=$(jq -r .task_id "$T/b.json")

# --- pause and resume ----------------------------------------------------------------
# the task is held whenever it enters running, so a test sees it there
# however slow the machine; released for each command to be carried out
ctl config '{"hold_at": ["running"]}' >/dev/null
release() { ctl task "{\"task_id\": $1, \"hold\": false}" >/dev/null; }
wait_for 20 is_status "$id" running
msg=$(hpo-submit --pause "$id" 2>&1)
is "$?" 12 "--pause without the production role is refused (exit 12)"
is "$msg" "hpo-submit: pause task $id: production or pilot role required" "with the server's reason, in one line"
is "$(sim_log task/pause)" 1 "the request reached task/pause"
O=$P/proxy-other.pem
out=$(X509_USER_PROXY=$O hpo-submit --json --pause "$id")
is "$?:$(echo "$out" | jq -r '.action + " " + (.task_id | tostring)')" "0:pause $id" \
	"--pause with the production role is accepted"
like "$(echo "$out" | jq -r .message)" "command=pause is registered" "with the server's message"
release "$id"
ok "the task becomes paused" wait_for 20 is_status "$id" paused
is "$(hpo-status --json "$id" | jq -r '.tasks[0].status')" paused "hpo-status shows it paused"
n=$(ctl tasks | jq "[.[] | select(.jediTaskID == $id) | .jobs[]] | length")
sleep 0.5
is "$(ctl tasks | jq "[.[] | select(.jediTaskID == $id) | .jobs[]] | length")" "$n" \
	"a paused task starts no more evaluations"
msg=$(X509_USER_PROXY=$O hpo-submit --pause "$id" 2>&1)
is "$?" 12 "pausing a paused task is refused (exit 12)"
is "$msg" "hpo-submit: pause task $id: the task's status does not allow it: Command rejected: the pause command is not accepted if the task is in paused status" "and says why"
out=$(X509_USER_PROXY=$O hpo-submit --json --resume "$id")
is "$?:$(echo "$out" | jq -r .action)" "0:resume" "--resume ID without --local resumes the Grid task"
ok "it runs again, from the status it had (oldStatus)" wait_for 20 is_status "$id" running
msg=$(X509_USER_PROXY=$O hpo-submit --resume "$id" 2>&1)
is "$?" 12 "resuming a running task is refused (exit 12)"
msg=$(hpo-submit --resume "$id" --db "$T/x.db" 2>&1)
is "$?" 2 "--resume ID --db without --local is a usage error"
like "$msg" "add --local to continue a local task" "that says how to resume a local task"
ctl config '{"hold_at": []}' >/dev/null
release "$id"
msg=$(hpo-submit --local --pause "$id" 2>&1)
is "$?:$(echo "$msg" | head -n 1)" "2:hpo-submit: --pause is for a Grid task, not --local" "--pause does not go with --local"
msg=$(hpo-submit --pause "$id" --kill "$id" 2>&1)
is "$?" 2 "one control at a time"
msg=$(X509_USER_PROXY=$O hpo-submit --pause 4242 2>&1)
is "$?" 3 "pausing an unknown task: exit 3"
hpo-submit -q --kill "$id"
is "$?" 0 "--kill still works beside them"

# --- a refused submission: one line ------------------------------------------------------
ctl task "{\"task_id\": $(jq -r .task_id "$T/a.json"), \"status\": \"running\", \"hold\": true}" >/dev/null
ctl config '{"max_active": 0}' >/dev/null
msg=$(hpo-submit -q "$f" 2>&1)
is "$?" 12 "a submission the server refuses: exit 12"
is "$(printf '%s\n' "$msg" | wc -l)" 1 "in one line"
like "$msg" "hpo-submit: submit refused: Too many active tasks for Test User" "naming the server's reason"
ctl config '{"max_active": null}' >/dev/null
# a retry with new parameters of a task still active: PanDA's answer runs to
# several sentences (insertTaskParamsPanda, code 2); its first one is said
rid=$(hpo-submit -q "$f")
ctl task "{\"task_id\": $rid, \"status\": \"ready\", \"hold\": true}" >/dev/null
rname=$(ctl tasks | jq -r ".[] | select(.jediTaskID == $rid) | .taskName")
echo '{"nEvents": 2}' > "$T/new.json"
msg=$(hpo-submit --retry "$rid" --new-params "$T/new.json" 2>&1)
is "$?" 12 "--retry --new-params of a task still active is refused (exit 12)"
is "$msg" "hpo-submit: retry task $rid: the task is still active: jediTaskID=$rid is in the ready state for outDS=$rname" \
	"in one line, the first sentence of PanDA's answer"

# --- a request the server takes as anonymous (no certificate or token it accepts) -----------
# this simulator takes no tokens, as a server without OIDC: the request comes
# through the TLS handshake without a certificate and the API refuses it
tok=$(jwt $(( $(date +%s) + 3600 )))
n=$(sim_log task/kill)
msg=$(PANDA_AUTH=oidc PANDA_AUTH_VO=atlas PANDA_AUTH_ID_TOKEN="$tok" X509_USER_PROXY=$T/none.pem \
	hpo-submit --kill "$id" 2>&1)
is "$?" 10 "a request the server took as anonymous is a credential error (exit 10)"
like "$msg" "SSL secure connection is required" "with the server's words"
is "$(ctl 'log?endpoint=task/kill' | jq -r '.[-1] | [.status, .success] | @tsv')" "$(printf '200\tfalse')" \
	"the handshake completed and the API answered"
msg=$(PANDA_AUTH=oidc PANDA_AUTH_VO=atlas PANDA_AUTH_ID_TOKEN="$tok" X509_USER_PROXY=$T/none.pem \
	hpo-status "$id" 2>&1)
is "$?" 10 "hpo-status: exit 10"

# --- malformed server URLs ---------------------------------------------------------------
msg=$(PANDA_URL_SSL=htps://127.0.0.1:$sim_port/server/panda hpo-submit --kill "$id" 2>&1)
is "$?:$msg" "11:hpo-submit: PANDA_URL_SSL 'htps://127.0.0.1:$sim_port/server/panda' is not an https:// URL" \
	"PANDA_URL_SSL with a bad scheme is named (exit 9, as a server that cannot be reached)"
msg=$(PANDACACHE_URL=https:///server/panda hpo-status "$id" 2>&1)
is "$?:$msg" "11:hpo-status: PANDACACHE_URL 'https:///server/panda' names no host" \
	"PANDACACHE_URL without a host (hpo-status: exit 11)"
msg=$(PANDAMON_URL=bigpanda.cern.ch hpo-submit -q "$f" 2>&1)
is "$?:$msg" "11:hpo-submit: PANDAMON_URL 'bigpanda.cern.ch' is not an https:// or http:// URL" \
	"PANDAMON_URL is checked before the task is submitted"

# --- the simulator's task life as JEDI's ------------------------------------------------------
# a task JEDI cannot refine is stored, then broken (TaskRefiner: tobroken)
post() { curl -sS -m 10 --cert "$P/proxy.pem" --key "$P/proxy.pem" --capath "$P/ca" -H 'Accept: application/json' \
	-H 'Content-Type: application/json' -d "$2" "https://127.0.0.1:$sim_port/api/v1/$1"; }
bad=$(jq -c '{task_parameters: (.hpoRequestData.max_points = 0 | .taskName = "user.testuser.bad/")}' \
	"$top_srcdir/tests/sim/task-params.json")
bid=$(post task/submit "$bad" | jq 'if .success then .data else 0 end')
ok "a task JEDI cannot run is accepted ($bid)" test "$bid" -gt 0
ok "and goes broken" wait_for 20 is_status "$bid" broken
like "$(ctl tasks | jq -r ".[] | select(.jediTaskID == $bid) | .errorDialog")" "max_points" "saying why"
# a finish kills the running evaluations, a soft finish lets them end
ctl config '{"hold_at": ["running"]}' >/dev/null
cid=$(hpo-submit -q "$f")
wait_for 20 is_status "$cid" running
hpo-submit -q --finish "$cid"
ctl config '{"hold_at": []}' >/dev/null
release "$cid"
# finished once a point has finished, else failed (getFinalTaskStatus)
ended() { is_status "$cid" finished || is_status "$cid" failed; }
ok "--finish: the task ends" wait_for 20 ended
is "$(ctl tasks | jq -r "[.[] | select(.jediTaskID == $cid) | .jobs[] | select(.status == \"running\")] | length")" 0 \
	"with no evaluation left running"

# --- no nickname ----------------------------------------------------------------------------
msg=$(env -u HPO_NICKNAME hpo-submit "$f" 2>&1)
is "$?" 10 "a proxy without a VOMS nickname and no --nickname: exit 10"
like "$msg" "the grid proxy carries no VOMS nickname" "says the proxy has none"
like "$msg" "voms-proxy-init -voms atlas, or give --nickname NAME or set HPO_NICKNAME" "and how to give one"
done_testing
