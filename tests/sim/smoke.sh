#!/bin/sh
# The PanDA simulator (tests/sim/panda_sim.py) with the test credentials of
# tests/fixtures/mkpki.sh, spoken to with curl: TLS refusals, task life, the
# iDDS relay, the sandbox cache, fault injection and the request log.
. "$top_srcdir/tests/lib/tap.sh"

for c in curl jq openssl python3 grid-proxy-init; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "1..0 # SKIP $c is not installed (tools/install-deps)"
		exit 0
	fi
done
plan 53

P=$T/pki
"$top_srcdir/tests/fixtures/mkpki.sh" "$P" >"$T/pki.out" 2>&1
is "$?$(cat "$T/pki.out")" 0 "mkpki.sh makes the credentials and prints nothing"
"$top_srcdir/tests/fixtures/mkpki.sh" "$P" >"$T/pki.out" 2>&1
is "$?$(cat "$T/pki.out")" 0 "a second run keeps them, silently"
is "$(stat -c %a "$P/proxy.pem")" 600 "the proxy file is readable by its owner only"
like "$(openssl x509 -in "$P/proxy-limited.pem" -noout -ext proxyCertInfo 2>&1)" \
	1.3.6.1.4.1.3536.1.1.1.9 "the limited proxy carries the id-ppl-limited policy"
ok "mkpki.sh refuses a directory it cannot make" \
	sh -c "! '$top_srcdir/tests/fixtures/mkpki.sh' /proc/no/such 2>/dev/null"

python3 "$top_srcdir/tests/sim/panda_sim.py" --pki "$P" --port-file "$T/port" --invalid reject \
	--control-port-file "$T/cport" --state-dir "$T/state" --tick 0.05 2>"$T/sim.err" &
sim=$!
trap 'kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null; rm -rf "$T"' EXIT
ok "the simulator writes its port file" wait_for 20 test -s "$T/port"
port=$(cat "$T/port")
cport=$(cat "$T/cport")

# call PROXY PATH [CURL-OPTIONS...]: the answer on stdout, curl's exit status
call() {
	_proxy=$1 _path=$2
	shift 2
	curl -sS -m 10 --cert "$_proxy" --key "$_proxy" --capath "$P/ca" \
		-H 'Accept: application/json' "$@" "https://127.0.0.1:$port/$_path" 2>>"$T/curl.err"
}
# get PATH [CURL-OPTIONS...], post PATH JSON [CURL-OPTIONS...]: with the good proxy
get() {
	_path=$1
	shift
	call "$P/proxy.pem" "api/v1/$_path" "$@"
}
post() {
	_path=$1 _json=$2
	shift 2
	call "$P/proxy.pem" "api/v1/$_path" -H 'Content-Type: application/json' -d "$_json" "$@"
}
ctl() {
	curl -sS -m 30 "http://127.0.0.1:$cport/$1" ${2:+-d "$2"} ||
		{ _rc=$?; echo "# ctl $1: the simulator's control port did not answer (curl $_rc)" >&2; return "$_rc"; }
}
# params JQ-EXPRESSION: the submit body for the example task changed by JQ-EXPRESSION
params() { jq -c "{task_parameters: ($1)}" "$top_srcdir/tests/sim/task-params.json"; }
# tls_refused CURL-OPTIONS...: the handshake fails: no HTTP status, curl 35, or
# 55/56 when the server's alert comes after the client has finished (TLS 1.3)
tls_refused() {
	_code=$(curl -sS -m 10 --capath "$P/ca" -o /dev/null -w '%{http_code}' "$@" \
		"https://127.0.0.1:$port/api/v1/system/is_alive" 2>/dev/null)
	_rc=$?
	[ "$_code" = 000 ] && case $_rc in 35 | 55 | 56) true ;; *) false ;; esac
}

# --- TLS and the proxy checks ----------------------------------------------------
is "$(get system/is_alive)" '{"success": true, "message": "", "data": null}' "is_alive with a good proxy"
is "$(call "$P/proxy.pem" api/v1/system/is_alive --resolve "localhost:$port:127.0.0.1" \
	-H 'Host: localhost' | jq -r .success)" true "the host certificate holds 127.0.0.1"
# SSLVerifyClient optional: without a certificate the handshake completes and
# the API refuses the request (api/v1/common.py: request_validation)
is "$(curl -sS -m 10 --capath "$P/ca" -H 'Accept: application/json' \
	"https://127.0.0.1:$port/api/v1/task/get_status?task_id=1" | jq -c .)" \
	'{"success":false,"message":"SSL secure connection is required","data":null}' \
	"no client certificate: the handshake completes, the API refuses"
is "$(curl -sS -m 10 --capath "$P/ca" -H 'Accept: application/json' \
	"https://127.0.0.1:$port/api/v1/system/is_alive" | jq -r .success)" true \
	"and is_alive (not secure) answers"
ok "an expired proxy: refused at TLS" tls_refused --cert "$P/proxy-expired.pem" --key "$P/proxy-expired.pem"
ok "a proxy of an untrusted CA: refused at TLS" \
	tls_refused --cert "$P/proxy-untrusted.pem" --key "$P/proxy-untrusted.pem"
L=$P/proxy-limited.pem
is "$(call "$L" api/v1/task/submit -H 'Content-Type: application/json' -d "$(params .)" | jq -c .)" \
	'{"success":false,"message":"SSL secure connection is required","data":null}' \
	"a limited proxy is refused as the server does"
is "$(call "$L" api/v1/system/is_alive | jq -r .success)" true "but is_alive does not check it"
is "$(call "$L" server/panda/relay_idds_command -d command_name=get_hyperparameters)" \
	'[false, "SSL secure connection is required"]' "the relay refuses a limited proxy too"

# --- the API's own checks -----------------------------------------------------------
out=$(call "$P/proxy.pem" api/v1/task/nope -w ' %{http_code}')
is "$out" "ERROR : method nope is forbidden 403" "an unknown method: 403"
is "$(get task/submit | jq -r .message)" "expecting POST, received GET" "a wrong HTTP method"
is "$(get task/get_details | jq -r .message)" \
	"Argument error: missing a required argument: 'task_id'" "a missing parameter"
is "$(get 'task/get_details?task_id=x' | jq -r .message)" \
	"Type error: 'task_id' with value 'x' could not be casted to type int from str." "a parameter of the wrong type"
is "$(curl -sS --cert "$P/proxy.pem" --key "$P/proxy.pem" --capath "$P/ca" \
	"https://127.0.0.1:$port/api/v1/system/is_alive")" \
	"{'success': True, 'message': '', 'data': None}" "without Accept: application/json the answer is Python's str()"

# --- a task's life ---------------------------------------------------------------
out=$(post task/submit "$(params .)")
is "$(echo "$out" | jq -c '[.success, .message, .data]')" '[true,"succeeded. new jediTaskID=1000",1000]' \
	"a valid HPO task is accepted as task 1000"
ctl task '{"task_id": 1000, "status": "running", "hold": true}' >/dev/null
is "$(post task/submit "$(params '.uniqueTaskName = true')" | jq -c '[.success, .data]')" '[false,2]' \
	"the same taskName with uniqueTaskName while it is active: code 2"
ctl task '{"task_id": 1000, "hold": false}' >/dev/null
out=$(post task/submit "$(params '.hpoRequestData.max_points = 0 | .taskName = "user.testuser.bad/"')")
is "$(echo "$out" | jq -c '[.success, .data]')" '[false,4]' "an invalid task is refused with code 4"
like "$(echo "$out" | jq -r .message)" "max_points must be a positive integer" "and the reason"
out=$(post task/submit "$(params '.taskName = "user.someoneelse.x/"')" | jq -r .message)
like "$out" "taskName must start with user.testuser." "a taskName of another nickname is refused"
done_or_finished() { get 'task/get_status?task_id=1000' | grep -q '"data": "\(done\|finished\)"'; }
ok "the task reaches its end" wait_for 20 done_or_finished
is "$(get 'task/get_details?task_id=1000&include_status=1' | jq -c '.data | [.statistics, .status, (.PandaID | length)]')" \
	'["finished*4","finished",4]' "get_details counts 4 finished jobs; the HPO task ends finished, as JEDI ends them"
is "$(get 'task/get_task_parameters?task_id=1000' | jq -r .data.taskName)" "user.testuser.hpo-sim-1/" \
	"get_task_parameters gives back what was submitted"
is "$(get 'task/get_detailed_info?task_id=1000' | jq -c '.data | [.status, .userName, (.creationDate | keys)]')" \
	'["finished","Test User",["__datetime__"]]' "get_detailed_info: the task's fields, datetimes marked"
out=$(call "$P/proxy.pem" server/panda/relay_idds_command -d command_name=get_hyperparameters \
	--data-urlencode 'kwargs={"workload_id": 1000, "request_id": null}')
is "$(echo "$out" | jq -c '[.[0], (.[1] | length), ([.[1][] | select(.loss != null)] | length), (.[1][0] | keys)]')" \
	'[true,4,4,["id","loss","parameters"]]' "relay_idds_command get_hyperparameters gives the 4 points with losses"
is "$(echo "$out" | jq -c '[.[1][].parameters.layers] | map(. >= 1 and . <= 4) | all')" true \
	"the points lie in the search space"
is "$(get 'job/get_metadata_for_analysis_jobs?task_id=1000' | jq '.data | length')" 4 "metadata of 4 finished jobs"
is "$(get 'task/get_tasks_detailed_info_since?since=2000-01-01%2000:00:00' | jq -c '[.data[].jediTaskID]')" \
	'[1000]' "get_tasks_detailed_info_since lists my task"
is "$(post task/kill '{"task_id": 1000}' | jq -c '[.success, .data]')" '[false,4]' "killing a finished task: code 4"
is "$(post task/submit "$(params '.taskName = "user.testuser.two/" | .hpoRequestData.max_points = 1000')" | jq .data)" \
	1001 "a second task"
ctl task '{"task_id": 1001, "hold": true}' >/dev/null
is "$(call "$P/proxy-other.pem" api/v1/task/kill -H 'Content-Type: application/json' -d '{"task_id": 1001}' |
	jq -r .message)" "not the task owner or no production role" "another user may not kill it"
is "$(post task/kill '{"task_id": 1001}' | jq -c '[.success, .data]')" '[true,0]' "its owner may"
ctl task '{"task_id": 1001, "hold": false}' >/dev/null
aborted() { get 'task/get_status?task_id=1001' | grep -q '"data": "aborted"'; }
ok "the killed task ends aborted" wait_for 20 aborted
is "$(post task/retry '{"task_id": 1001, "new_parameters": {"nEvents": 3}}' | jq -c '[.success, .data]')" \
	'[true,3]' "retry with new parameters: code 3"
# running, then (8 jobs at most) finishing and finished: any of them is past aborted
running() { get 'task/get_status?task_id=1001' | grep -Eq '"data": "(running|finishing|finished)"'; }
ok "and it runs again" wait_for 20 running

# --- the sandbox cache ------------------------------------------------------------
mkdir "$T/sb" && echo 'print(1)' >"$T/sb/eval.py"
tar -czf "$T/jobO.test.tar" -C "$T/sb" eval.py
size=$(stat -c %s "$T/jobO.test.tar")
crc=$(od -An -tu4 -j $((size - 8)) -N4 "$T/jobO.test.tar" | tr -d ' ')
check="{\"file_size\": $size, \"checksum\": $crc}"
is "$(post file_server/validate_cache_file "$check" | jq -r .message)" NOTFOUND "an unknown sandbox is not found"
is "$(get file_server/upload_cache_file >/dev/null; call "$P/proxy.pem" api/v1/file_server/upload_cache_file \
	-F "file=@$T/jobO.test.tar" | jq -r .success)" true "the sandbox is uploaded"
is "$(post file_server/validate_cache_file "$check" | jq -r .message)" "FOUND:127.0.0.1:jobO.test.tar" \
	"then found by size and the gzip CRC32"
head -c $((10 * 1024 * 1024 + 1)) /dev/zero >"$T/jobO.big.tar"
like "$(call "$P/proxy.pem" api/v1/file_server/upload_cache_file -F "file=@$T/jobO.big.tar" | jq -r .message)" \
	"Exceeded size limit" "a sandbox over 10 MB is refused"

# --- faults -----------------------------------------------------------------------------
ctl fault '{"kind": "http500", "count": 1}' >/dev/null
is "$(get system/is_alive -o /dev/null -w '%{http_code}'; get system/is_alive -o /dev/null -w '%{http_code}')" \
	"500200" "http500 answers 500 once"
ctl fault '{"kind": "http429", "count": 1, "retry_after": 7}' >/dev/null
like "$(get system/is_alive -D - | tr -d '\r')" "Retry-After: 7" "http429 says when to come back"
ctl fault '{"kind": "truncate", "count": 1, "path": "task/get_status"}' >/dev/null
get system/is_alive >/dev/null
get 'task/get_status?task_id=1000' >/dev/null
is "$?" 18 "truncate cuts the answer short (curl 18), only on its path"
ctl fault '{"kind": "stall", "seconds": 3, "count": 1}' >/dev/null
get system/is_alive -m 1 >/dev/null
is "$?" 28 "stall holds the answer past the client's timeout"
ctl fault '{"kind": "lost_submit", "count": 1}' >/dev/null
post task/submit "$(params '.taskName = "user.testuser.lost/"')" >/dev/null
is "$?" 52 "lost_submit drops the connection (curl 52)"
is "$(ctl 'log?endpoint=task/submit' | jq -c '[.[] | select(.params.task_parameters.taskName == "user.testuser.lost/")] | map([.status, .fault, .data])')" \
	'[["dropped","lost_submit",1002]]' "yet the task was stored, and the log says so"
ctl task '{"task_id": 1002, "status": "running", "hold": true}' >/dev/null
is "$(post task/submit "$(params '.taskName = "user.testuser.lost/" | .uniqueTaskName = true')" | jq .data)" 2 \
	"so submitting it again with uniqueTaskName finds the duplicate"
is "$(post task/submit "$(params '.taskName = "user.testuser.lost/"')" | jq .data)" 1003 \
	"without uniqueTaskName (phpo sets none) the same name is one more task"
ctl reset "{}" >/dev/null
ctl log > "$T/log-after-reset.json"
is "$(jq length "$T/log-after-reset.json")" 0 "reset empties the log" || sed "s/^/# /" "$T/log-after-reset.json"
