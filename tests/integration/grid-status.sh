#!/bin/sh
# hpo-status against the PanDA simulator as the real Grid answers: HPO tasks
# end finished, iDDS may fail alone, dates come from task/get_detailed_info;
# the task filters (--status, --name, --limit) on the Grid and locally.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 46

ok "the simulator starts" sim_start --tick 0.05
HPO_NICKNAME=testuser
export HPO_NICKNAME

grid_task gridstatus "" user.testuser.gs.1
iso='^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$'

# --- an HPO task ends finished: a success when every point was evaluated ---------
id=$(hpo-submit -q "$f")
hpo-status --wait --timeout 30 --interval 1 --json "$id" >"$T/v.json"
is "$?" 0 "--wait exits 0 for an HPO task finished with every point evaluated"
is "$(jqr '.tasks[0] | [.status, .outcome, .counts.points, .counts.pending] | @csv' "$T/v.json")" \
	'"finished","success",6,0' "the view: finished, outcome success, 6 points, none pending"
is "$(ctl tasks | jq -r '.[0].status')" finished "the simulator ended it finished, as JEDI ends HPO tasks"

# --- dates and PanDA's error message -----------------------------------------------
is "$(jqr '[.tasks[0].created, .tasks[0].updated, .tasks[0].ended] | map(test("'"$iso"'")) | all' "$T/v.json")" \
	true "created, updated and ended come from task/get_detailed_info"
is "$(sim_log task/get_details)" 0 "task/get_details (which has no dates) is not asked"
curlsim() { curl -sS -m 10 --cert "$P/proxy.pem" --key "$P/proxy.pem" --capath "$P/ca" \
	-H 'Accept: application/json' "https://127.0.0.1:$sim_port/api/v1/$1"; }
is "$(curlsim "task/get_details?task_id=$id&include_status=True" | jq -c '.data | keys')" \
	'["PandaID","inDS","mergePandaID","mergeStatus","outDS","statistics","status"]' \
	"the simulator's get_details has only the real one's fields"
row=$(hpo-status "$id" | sed -n 2p)
is "$(echo "$row" | awk '{print $3, $4, $6}')" "finished success 6/6" "the table: status, result, done"
ok "and the creation time" sh -c "echo '$row' | awk '{print \$5}' | grep -Eq '^20[0-9-]{8}T[0-9]{2}:[0-9]{2}Z$'"
is "$(hpo-status --points "$id" | sed -n 3p | awk '{print $4}')" "-" \
	"a Grid point's unknown attempts print -"
is "$(jqr '[.tasks[0].points[].attempts] | unique | @csv' "$T/v.json")" "" "and are null in JSON"

# no point succeeds: JEDI fails the task and says why
ctl config '{"fail_every": 1}' >/dev/null
with_name user.testuser.gs.2
fid=$(hpo-submit -q "$f")
hpo-status --wait --timeout 60 --interval 1 --json "$fid" >"$T/f.json"
is "$?" 5 "--wait exits 5 for a task where no point succeeded"
is "$(jqr '.tasks[0] | [.status, .outcome, .message] | @csv' "$T/f.json")" \
	'"failed","failure","failed since no file was successfully processed"' \
	"it is failed, with PanDA's error dialog as its message"
ctl config '{"fail_every": 0}' >/dev/null

# finished by hand with points left: not a success
with_name user.testuser.gs.3
# more points asked than run at once: some wait when the task is finished
sed -i 's/max-points: 6, parallel-evaluations: 2/max-points: 40, parallel-evaluations: 1, points-per-iteration: 4/' "$f"
# held when it starts running, moved on one step (4 points, 1 running),
# finished there: what the task does is the test's, not the clock's
ctl config '{"hold_at": ["running"]}' >/dev/null
pid=$(hpo-submit -q "$f")
running() { [ "$(ctl tasks | jq -r ".[] | select(.jediTaskID == $pid) | .status")" = running ]; }
wait_for 20 running
ctl task "{\"task_id\": $pid, \"steps\": 1}" >/dev/null
hpo-submit -q --finish "$pid" --soft
ctl config '{"hold_at": []}' >/dev/null
ctl task "{\"task_id\": $pid, \"hold\": false}" >/dev/null
hpo-status --wait --timeout 30 --interval 1 --json "$pid" >"$T/p.json"
is "$?" 4 "--wait exits 4 for a task finished with points left"
is "$(jqr '.tasks[0] | [.status, .outcome, (.counts.pending > 0)] | @csv' "$T/p.json")" \
	'"finished","incomplete",true' "its outcome is incomplete"
is "$(hpo-status "$pid" | sed -n 2p | awk '{print $3, $4}')" "finished incomplete" "the table says so"
sed -i 's/max-points: 40/max-points: 6/' "$f"

# --- iDDS failing hides the points, not the task ------------------------------------
ctl fault '{"kind": "idds_down", "count": 1, "path": "relay_idds_command"}' >/dev/null
hpo-status --json "$id" >"$T/i.json" 2>"$T/i.err"
is "$?" 0 "iDDS failing: hpo-status still exits 0"
is "$(jqr '.tasks[0] | [.status, (.created | test("'"$iso"'")), .points_error] | @csv' "$T/i.json")" \
	'"finished",true,"iDDS: failed to execute command with Connection exception.: ConnectionError: iDDS did not answer (simulated)"' \
	"the view has PanDA's status and dates and says why the points are missing"
is "$(jqr '.tasks[0] | [.outcome, (.points | length), .best] | @csv' "$T/i.json")" '"unknown",0,' \
	"with no points, no best point and an unknown outcome"
like "$(cat "$T/i.err")" "hpo-status: warning: task $id: points unavailable: iDDS: failed to execute command" \
	"a warning names the task and the reason"
ctl fault '{"kind": "idds_down", "count": 1, "path": "relay_idds_command"}' >/dev/null
row=$(hpo-status "$id" 2>/dev/null | sed -n 2p)
is "$(echo "$row" | awk '{print $3, $4, $6, $7, $8}')" "finished unknown ?/6 ? ?" \
	"the table shows the status and ? for what iDDS did not say"
ctl fault '{"kind": "idds_down", "count": 1, "path": "relay_idds_command"}' >/dev/null
is "$(hpo-status --points "$id" 2>/dev/null | sed -n 2p)" \
	"points unavailable: iDDS: failed to execute command with Connection exception.: ConnectionError: iDDS did not answer (simulated)" \
	"--points says the points are unavailable and why"
ctl fault '{"kind": "idds_down", "count": 1, "path": "relay_idds_command"}' >/dev/null
hpo-status --wait --timeout 20 --interval 1 "$id" >/dev/null 2>&1
is "$?" 0 "--wait on a finished task looks again when iDDS failed: exit 0 once it answers"
ctl fault '{"kind": "idds_down", "count": 10, "path": "relay_idds_command"}' >/dev/null
before=$(sim_log relay_idds_command)
hpo-status --wait --timeout 20 --interval 1 "$id" >/dev/null 2>&1
is "$?:$(( $(sim_log relay_idds_command) - before ))" "4:3" \
	"iDDS failing on: after three looks, exit 4 (finished, points unknown)"
hpo-status --wait --timeout 1 --interval 1 "$id" >/dev/null 2>&1
is "$?" 4 "--timeout reached while the points of a finished task are unknown: exit 4, not 9"
ctl reset '{"keep_tasks": true}' >/dev/null
# a running task: --wait goes on with PanDA's status through an iDDS failure
with_name user.testuser.gs.4
wid=$(hpo-submit -q "$f")
ctl task "{\"task_id\": $wid, \"status\": \"running\", \"hold\": true}" >/dev/null
ctl fault '{"kind": "idds_down", "count": 1, "path": "relay_idds_command"}' >/dev/null
hpo-status --wait --timeout 30 --interval 1 "$wid" >"$T/w.out" 2>&1 &
wpid=$!
wait_for 10 sh -c "[ \$(curl -sS 'http://127.0.0.1:$sim_cport/log?endpoint=relay_idds_command' | jq '[.[] | select(.fault == \"idds_down\")] | length') -ge 1 ]"
sleep 1
ctl task "{\"task_id\": $wid, \"hold\": false}" >/dev/null
wait "$wpid"
is "$?" 0 "--wait goes on through an iDDS failure and ends with the task"

# --- the task filters on the Grid ------------------------------------------------------
is "$(hpo-status --json --status failed | jq -c '[.tasks[].id]')" "[$fid]" "--status failed"
is "$(hpo-status --json --status failed,finished | jq -c '[.tasks[].id]')" "[$wid,$pid,$fid,$id]" \
	"--status with a comma list, newest first"
is "$(ctl 'log?endpoint=task/get_tasks_detailed_info_since' | jq -c '[.[-2:][].params.filters]')" \
	'["{\"status\":\"failed\"}","{\"status\":\"finished\"}"]' \
	"one listing per status, each an equality the server applies before cutting to n_tasks (as pbook asks)"
is "$(hpo-status --json --name 'user.testuser.gs.[23]/' | jq -c '[.tasks[].id]')" "[$pid,$fid]" \
	"--name takes a shell glob"
is "$(hpo-status --json --name user.testuser.gs.1/ | jq -c '[.tasks[].id]')" "[$id]" "or a plain name"
is "$(ctl 'log?endpoint=task/get_tasks_detailed_info_since' | jq -r '.[-1].params.filters')" \
	'{"taskName":"user.testuser.gs.1/"}' "a plain name is asked of the server"
is "$(hpo-status --json --limit 2 | jq -c '[.tasks[].id]')" "[$wid,$pid]" "--limit keeps the newest"
is "$(hpo-status --json --status finished --limit 1 "$id" "$fid" | jq -c '[.tasks[].id]')" "[$id]" \
	"the filters also sift the IDs given"
is "$(hpo-status --json --limit 2 "$fid" "$wid" "$id" | jq -c '[.tasks[].id]')" "[$fid,$wid]" \
	"--limit keeps the newest of the IDs given, in their order"
out=$(hpo-status --status Running 2>&1)
is "$?" 2 "--status refuses what is no status (exit 2)"
like "$out" "--status: 'Running' is not a status" "and says why"
hpo-status --limit 0 >/dev/null 2>&1
is "$?" 2 "--limit 0 is a usage error"

# --- the simulator's listing filters are the real server's ----------------------------
q() { curlsim "task/get_tasks_detailed_info_since?filters=$(printf %s "$1" | jq -sRr @uri)$2"; }
is "$(q '{"noSuchField": "a|b"}' | jq -c '[.success, (.data | length)]')" '[true,4]' \
	"a pattern on an unknown field is ignored (task_api.get_tasks_detailed_info_since)"
is "$(q '{"noSuchField": "a"}' | jq -c '[.success, .message]')" '[false,"Failed to retrieve task IDs"]' \
	"a plain value on an unknown field fails the call (getTaskIDsWithCriteria_JEDI)"
is "$(q '{"status": "^finished$"}' '&n_tasks=2' | jq -c '[.data[].jediTaskID]')" "[$id]" \
	"n_tasks cuts the ids before the pattern filters"

# --- the same filters on local tasks ---------------------------------------------------
mkdir "$T/local"
cat >"$T/local/eval.sh" <<'SH'
echo '{"status": 0, "loss": 1}' > output.json
SH
for n in alpha beta gamma; do
	printf 'name: %s\nevaluation: {exec: sh eval.sh}\nsteering: {algorithm: random}\n' "$n" >"$T/local/$n.yaml"
	printf 'search-space: {x: {method: uniform, dimension: {low: 0, high: 1}}}\nbudget: {max-points: 2}\n' \
		>>"$T/local/$n.yaml"
	hpo-submit --local -q "$T/local/$n.yaml" >/dev/null 2>&1
done
is "$(hpo-status --local --json | jq -c '[.tasks[] | .status + ":" + .outcome]')" \
	'["done:success","done:success","done:success"]' "three local tasks, done"
is "$(hpo-status --local --json --name 'g*' | jq -c '[.tasks[].name]')" '["gamma"]' "--local --name"
is "$(hpo-status --local --json --status done --limit 2 | jq -c '[.tasks[].name]')" '["beta","gamma"]' \
	"--local --status and --limit (the newest)"
is "$(hpo-status --local --json --status running | jq -c '.tasks')" '[]' "--local --status with no match"
is "$(hpo-status --local | sed -n 2p | awk '{print $3, $4}')" "done success" \
	"the local table has the result column too"
done_testing
