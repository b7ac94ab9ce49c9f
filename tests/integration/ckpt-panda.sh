#!/bin/sh
# ckpt-panda.sh - hpo-ckpt on the PanDA server's HPO checkpoint endpoints
# (panda://TASK/SUB) against the PanDA simulator: round trips, the file the
# server keeps and serves under /cache/, one generation at a time, a failed
# upload keeping the previous one, a download cut midway resumed with Range,
# damaged and foreign files, bad URLs, credentials (proxy and OIDC token).
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 56

token=$(jwt $(( $(date +%s) + 10800 )))
printf '[{"token": "%s", "name": "Test User", "preferred_username": "testuser", "vo": "atlas"}]' \
	"$token" > "$T/tokens.json"
ok "the simulator starts" sim_start --tick 0.05 --tokens "$T/tokens.json" --token-port 0 \
	--token-port-file "$T/sim.tport" || exit 1
unset HPO_CKPT_URL BEARER_TOKEN BEARER_TOKEN_FILE PANDA_AUTH
HPO_HTTP_RETRIES=2
export HPO_HTTP_RETRIES
stored=$T/sim.state/cache/hpo_cp_4242_17
U=panda://4242/17

W=$T/work
mkdir -p "$W/model/layers/deep" "$W/out"
cd "$W" || exit 1
sums() {
	(cd "$1" && find . -type f -exec sha256sum {} + | sort -k 2 &&
		find . -type l -exec sh -c 'for l; do echo "$l -> $(readlink "$l")"; done' _ {} + | sort)
}
head -c 400000 /dev/urandom > model/weights.bin
printf 'epoch 3\n' > model/layers/deep/state.txt
: > model/empty
ln -s layers/deep/state.txt model/latest

# ---- round trip ----------------------------------------------------------------------
hpo-ckpt save -q --to "$U" model
is "$?" 0 "save to panda:// succeeds"
is "$(ctl 'log?endpoint=file_server/upload_hpo_checkpoint' | jq -r '.[0].params.file.filename')" \
	4242_17 "the upload names the file TASK_SUB, as the server wants"
ok "the server keeps it as hpo_cp_4242_17" test -f "$stored"
hpo-ckpt load -q --from "$U" -C out
is "$?" 0 "load from panda:// succeeds"
is "$(sums out/model)" "$(sums model)" "the tree comes back: nested dirs, empty file, link, binary data"
is "$(ctl 'log?endpoint=cache' | jq -r '[.[] | select(.method == "GET" and .status == 200)] | length')" 0 \
	"every read of the stored file is a ranged GET (the header skipped)"

# gzip, as phpo's job runner unpacks the file with tar xzf; our header is an
# empty first gzip member
is "$(tar -tzf "$stored" | sort | tr '\n' ' ')" \
	"model/ model/empty model/latest model/layers/ model/layers/deep/ model/layers/deep/state.txt model/weights.bin " \
	"tar -tzf (phpo's runner) lists what was saved"
hpo-ckpt ls --json "$U" >"$T/ls.json"
is "$(jq -r '.generations | length' "$T/ls.json")" 1 "ls shows one generation"
size=$(stat -c %s "$stored")
is "$(jq -r '.generations[0].size' "$T/ls.json")" "$((size - 154))" \
	"its size is the archive's: the file less the 154-byte header"
is "$(jq -r '.generations[0].adler32' "$T/ls.json")" \
	"$(tail -c +155 "$stored" | python3 -c 'import sys, zlib; print("%08x" % zlib.adler32(sys.stdin.buffer.read()))')" \
	"its adler32 is the archive's"

# ---- one generation at a time ----------------------------------------------------------
printf 'epoch 4\n' > model/layers/deep/state.txt
hpo-ckpt save -q --to "$U" model
hpo-ckpt ls --json "$U" >"$T/ls.json"
is "$(jq -c '[.generations[].generation]' "$T/ls.json")" "[2]" \
	"a second save is generation 2, and the server holds only it"
hpo-ckpt save -q --to "$U" model
is "$(tar -xzOf "$stored" model/layers/deep/state.txt)" "epoch 4" \
	"the file the runner would fetch for a retry holds the newest state"
rm -rf out/model
hpo-ckpt load -q --from "$U" -C out
is "$?:$(cat out/model/layers/deep/state.txt)" "0:epoch 4" "and hpo-ckpt loads it"

# ---- a failed upload keeps the previous generation -------------------------------------------
ctl fault '{"kind": "http500", "count": 20, "path": "file_server/upload_hpo_checkpoint"}' >/dev/null
printf 'epoch 5\n' > model/layers/deep/state.txt
HPO_HTTP_BACKOFF=0.01 hpo-ckpt save --to "$U" model 2>"$T/err"
is "$?" 11 "an upload the server keeps failing: exit 11"
like "$(cat "$T/err")" "HTTP 500" "the message gives the server's answer"
ctl reset '{"keep_tasks": true}' >/dev/null
hpo-ckpt ls --json "$U" >"$T/ls.json"
is "$(jq -c '[.generations[].generation]' "$T/ls.json")" "[3]" "generation 3 is still there"
rm -rf out/model
hpo-ckpt load -q --from "$U" -C out
is "$?:$(cat out/model/layers/deep/state.txt)" "0:epoch 4" "and loads"

# ---- a download cut midway resumes with Range -------------------------------------------------
hpo-ckpt save -q --to "$U" model
ctl fault '{"kind": "cut", "count": 1, "path": "cache"}' >/dev/null
rm -rf out/model
n0=$(ctl 'log?endpoint=cache' | jq length)
hpo-ckpt load -v --from "$U" -C out 2>"$T/err"
is "$?" 0 "a load whose first read was cut short succeeds"
is "$(sums out/model)" "$(sums model)" "with every byte right"
ctl 'log?endpoint=cache' | jq -c ".[$n0:]" >"$T/cl.json"
is "$(jq -r '[.[] | select(.status == "dropped")] | length' "$T/cl.json")" 1 "one request was cut"
first=$(jq -r '[.[] | select(.method == "GET") | .range] | .[-2] | ltrimstr("bytes=") | split("-")[0]' "$T/cl.json")
next=$(jq -r '[.[] | select(.method == "GET") | .range] | .[-1] | ltrimstr("bytes=") | split("-")[0]' "$T/cl.json")
is "$first" 154 "the cut GET asked for the archive from past the header"
ok "the next GET asked for the rest only (Range from $next)" test "$next" -gt 154

# ---- 5xx on the file are retried ------------------------------------------------------------
ctl fault '{"kind": "http500", "count": 2, "path": "cache"}' >/dev/null
rm -rf out/model
hpo-ckpt load -q --from "$U" -C out
is "$?:$(sums out/model | md5sum)" "0:$(sums model | md5sum)" "two HTTP 500 answers are retried"

# ---- damaged and foreign files ---------------------------------------------------------------
python3 - "$stored" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 0xFF
open(p, "wb").write(b)
EOF
rm -rf out/model
hpo-ckpt load --from "$U" -C out 2>"$T/err"
is "$?" 4 "a damaged file: no usable checkpoint (exit 4)"
like "$(cat "$T/err")" "damaged: " "the message says it is damaged"
ok "nothing half-extracted is left" test ! -e out/model
printf 'not ours' > "$stored"
hpo-ckpt ls "$U" 2>"$T/err" >/dev/null
like "$(cat "$T/err")" "did not write: ignored" "a file hpo-ckpt did not write is named and ignored"
hpo-ckpt load -q --from "$U" -C out
is "$?" 3 "and load finds no checkpoint (exit 3)"
hpo-ckpt save -q --to "$U" model
is "$?:$(hpo-ckpt ls --json "$U" | jq -c '[.generations[].generation]')" "0:[1]" \
	"a save replaces it with generation 1"

# ---- rm ---------------------------------------------------------------------------------
hpo-ckpt rm -q "$U"
is "$?" 0 "rm succeeds"
is "$(ctl 'log?endpoint=file_server/delete_hpo_checkpoint' | jq -r '.[-1].params | .task_id + "/" + .sub_id')" \
	4242/17 "through delete_hpo_checkpoint with the task and sub ID"
ok "the server no longer has the file" test ! -e "$stored"
hpo-ckpt load -q --from "$U" -C out
is "$?" 3 "load: no checkpoint yet (exit 3)"

# ---- in a phpo Grid job: the runner's __hpo_sample.txt names the point -----------------------
mkdir "$T/job"
printf '4242-5123-0-17-5,17\n' > "$T/job/__hpo_sample.txt"
(cd "$T/job" && hpo-ckpt ls --json) >"$T/ls.json"
is "$?:$(jq -r .location "$T/ls.json")" "0:panda://4242/17" \
	"no location and no HPO_CKPT_URL: __hpo_sample.txt gives panda://TASK/POINT"
(cd "$T/job" && HPO_CKPT_URL="$T/elsewhere" hpo-ckpt ls --json) >"$T/ls.json"
is "$(jq -r .location "$T/ls.json")" "$T/elsewhere" "HPO_CKPT_URL wins over it"
printf '{"lr": 0.1, "epochs": 3}\n' > "$T/job/input.json"
(cd "$T/job" && hpo-ckpt ls --json) >"$T/ls.json"
is "$(jq -r .location "$T/ls.json")" "panda://4242/17" "a point file without a trial keeps the point's location"

# a multi-fidelity point: the location is its trial's, shared by the trial's points
printf '{"lr": 0.1, "epochs": 1, "__hpo_trial": "t3"}\n' > "$T/job/input.json"
(cd "$T/job" && hpo-ckpt ls --json) >"$T/ls.json"
is "$?:$(jq -r .location "$T/ls.json")" "0:panda://4242/t3" \
	"a point file with __hpo_trial gives panda://TASK/TRIAL"
mkdir "$T/job/ckpt"
echo 1 > "$T/job/ckpt/epoch"
(cd "$T/job" && hpo-ckpt save -q ckpt)
is "$?:$(tar -xzOf "$T/sim.state/cache/hpo_cp_4242_t3" ckpt/epoch)" "0:1" \
	"a save there is the server's hpo_cp_4242_t3"
mkdir "$T/job2"
printf '4242-5123-0-21-1,21\n' > "$T/job2/__hpo_sample.txt"
printf '{"epochs": 3, "__hpo_continues": 1, "__hpo_trial": "t3", "lr": 0.1}' > "$T/job2/input.json"
(cd "$T/job2" && hpo-ckpt load) 2>"$T/err"
is "$?:$(cat "$T/job2/ckpt/epoch")" "0:1" "the trial's later point (21) loads what its point 17 saved"
like "$(cat "$T/err")" "hpo-ckpt: this point continues trial t3 from budget 1" \
	"and says which trial and budget it continues"
printf '{"epochs": 3, "__hpo_continues": 1, "__hpo_trial": "t4"}' > "$T/job2/input.json"
(cd "$T/job2" && hpo-ckpt load) 2>"$T/err"
is "$?:$(sed -n 2p "$T/err")" \
	"3:hpo-ckpt: warning: this point continues trial t4 from budget 1, but panda://4242/t4 holds no checkpoint of it" \
	"a continuing point with no checkpoint of its trial: exit 3 and a warning"
printf '{"epochs": 3, "__hpo_trial": "t_4"}' > "$T/job2/input.json"
(cd "$T/job2" && hpo-ckpt load) 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"2:hpo-ckpt: ./input.json: __hpo_trial 't_4' is not a trial name (letters, digits, '.' and '-', at most 64, starting with a letter)" \
	"a trial name the server could not take (its '_') is one clear error"
printf '{"epochs": 3, "__hpo_trial": ' > "$T/job2/input.json"
(cd "$T/job2" && hpo-ckpt ls) 2>"$T/err"
is "$?:$(wc -l < "$T/err")" "2:1" "a damaged point file: exit 2, one line"
like "$(cat "$T/err")" "hpo-ckpt: ./input.json: not the point as a JSON object: " "naming the file"
printf '[1, 2]' > "$T/job2/input.json"
(cd "$T/job2" && hpo-ckpt ls) 2>"$T/err"
is "$?:$(cat "$T/err")" "2:hpo-ckpt: ./input.json: not the point as a JSON object" "so is one that is no object"
printf '{"__hpo_trial": "t3", "__hpo_continues": "1"}' > "$T/job2/input.json"
(cd "$T/job2" && hpo-ckpt ls) 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"2:hpo-ckpt: ./input.json: __hpo_continues must be a number, the budget of the point of its __hpo_trial it continues" \
	"and one whose __hpo_continues is no number"
(cd "$T/job2" && HPO_CKPT_URL="$T/elsewhere" hpo-ckpt load -q)
is "$?" 3 "with a location given, the point file only speaks in messages: a damaged one is no error"
printf 'garbage\n' > "$T/job/__hpo_sample.txt"
(cd "$T/job" && hpo-ckpt ls) 2>"$T/err"
is "$?:$(cat "$T/err")" "2:hpo-ckpt: ./__hpo_sample.txt: not \"<event range ID>,<point ID>\"" \
	"a malformed one is a clear error"

# ---- bad locations, credentials ----------------------------------------------------------------
hpo-ckpt ls panda://abc/1 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"2:hpo-ckpt: panda://abc/1: a PanDA checkpoint is panda://TASKID/SUBID (the task's number; the point's ID: letters, digits, '.', '-')" \
	"a task ID that is not a number is a usage error"
hpo-ckpt ls panda://1/a_b 2>/dev/null
is "$?" 2 "a sub ID with '_' is refused (the server splits TASK_SUB at the '_')"
X509_USER_PROXY=$P/proxy-expired.pem hpo-ckpt save -q --to "$U" model 2>"$T/err"
is "$?" 10 "an expired proxy: exit 10"
like "$(cat "$T/err")" "expired" "saying it expired"
tport=$(cat "$T/sim.tport")
env PANDA_AUTH=oidc PANDA_AUTH_VO=atlas PANDA_AUTH_ID_TOKEN="$token" X509_USER_PROXY=$T/none.pem \
	PANDACACHE_URL=https://127.0.0.1:$tport/server/panda hpo-ckpt save -q --to panda://4242/18 model
is "$?" 0 "PANDA_AUTH=oidc: save with an ID token"
is "$(ctl 'log?endpoint=file_server/upload_hpo_checkpoint' | jq -r '.[-1].auth')" token \
	"the server saw the token"
rm -rf out/model
env PANDA_AUTH=oidc PANDA_AUTH_VO=atlas PANDA_AUTH_ID_TOKEN="$token" X509_USER_PROXY=$T/none.pem \
	PANDACACHE_URL=https://127.0.0.1:$tport/server/panda hpo-ckpt load -q --from panda://4242/18 -C out
is "$?:$(sums out/model | md5sum)" "0:$(sums model | md5sum)" "and load it back"
