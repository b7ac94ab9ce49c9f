#!/bin/sh
# The Grid sandbox against the PanDA simulator: which cache host the jobs
# fetch it from (--sourceURL), uploads whose answer was lost, PanDA's size
# limit on the whole upload.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 22

# two cache hosts, as PanDA's cache servers behind one alias: each keeps
# its own files, and the server records the one that took an upload
ok "the simulator starts with two cache hosts" sim_start --tick 0.05 --listen 127.0.0.1 \
	--listen 127.0.0.2
HPO_NICKNAME=testuser
export HPO_NICKNAME
one=https://127.0.0.1:$sim_port
two=https://127.0.0.2:$sim_port

grid_task sbtest
# another output dataset from a phpo option file outside the task's files
# (the task file is in the sandbox)
with_name() { printf '{"outDS": "%s"}' "$1" >"$T/o.json"; }
# the --sourceURL of the jobs in a task parameters file
source_url() { jq -r '.jobParameters[].value // empty' "$1" | sed -n 's/.*--sourceURL \([^ ]*\).*/\1/p'; }
# the sandbox at URL's /cache/, as a job's runner fetches it
fetch() { curl -sS -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" --cert "$P/usercert.pem" \
	--key "$P/userkey.pem" "$1/cache/$2"; }

# --- a fresh upload: the jobs fetch it from the host PanDA recorded ------------------
PANDACACHE_URL=https://localhost:$sim_port/server/panda \
	hpo-submit -q --json --dump-task-params "$T/p1.json" "$f" >"$T/s1.json"
is "$?:$(jqr .sandbox_reused "$T/s1.json")" "0:false" "a new sandbox is uploaded (through the name localhost)"
sb=$(jqr .sandbox "$T/s1.json")
is "$(source_url "$T/p1.json")" "$one" \
	"the jobs' --sourceURL is the cache host PanDA recorded, not the name asked"
is "$(fetch "$one" "$sb")" 200 "which serves the sandbox"

# --- a reused sandbox lives on the host FOUND names --------------------------------------
echo 'print("training 2")' > "$T/task/train.py"
with_name user.testuser.sbtest.2
PANDACACHE_URL=$two/server/panda hpo-submit -q --json --load-json "$T/o.json" "$f" >"$T/s2.json"
sb2=$(jqr .sandbox "$T/s2.json")
is "$(fetch "$two" "$sb2"):$(fetch "$one" "$sb2")" "200:404" \
	"a sandbox uploaded to the second cache host is there only"
with_name user.testuser.sbtest.3
hpo-submit -q --json --load-json "$T/o.json" --dump-task-params "$T/p3.json" "$f" >"$T/s3.json"
is "$(jqr '(.sandbox_reused|tostring) + " " + .sandbox' "$T/s3.json")" "true $sb2" \
	"asked through the first host, PanDA finds it for reuse"
is "$(source_url "$T/p3.json")" "$two" \
	"and the jobs fetch it from the host FOUND:<host>:<file> names, with PANDACACHE_URL's port"
is "$(sim_log file_server/upload_cache_file)" 2 "with no upload"

# --- the answer to an upload is lost: its retry finds the file there ---------------------------
echo 'print("training 3")' > "$T/task/train.py"
with_name user.testuser.sbtest.4
ctl fault '{"kind": "lost_submit", "count": 1, "path": "file_server/upload_cache_file"}' >/dev/null
hpo-submit -q --json --load-json "$T/o.json" --dump-task-params "$T/p4.json" "$f" >"$T/s4.json" 2>"$T/e4"
is "$?:$(jqr '.sandbox_reused' "$T/s4.json")" "0:false" \
	"an upload whose answer was lost is sent again, and the submission goes on"
is "$(ctl 'log?endpoint=file_server/upload_cache_file' | jq -c '[.[-2:][] | .status, .success]')" \
	'["dropped",true,200,false]' "the server had kept the first and refused the second (cannot overwrite file)"
is "$(fetch "$(source_url "$T/p4.json")" "$(jqr .sandbox "$T/s4.json")")" 200 \
	"the jobs find the sandbox at their --sourceURL"

# --- PanDA's 10 MB limit is on the whole upload, the multipart envelope included ------------
# an archive a little under 10 MiB, so that archive and envelope are over it:
# random bytes (the archive grows with them byte for byte), sized by a first try
mkdir "$T/big"
cp "$f" "$T/big/task.yaml"
mkbig() { python3 -c 'import random, sys; sys.stdout.buffer.write(random.Random(7).randbytes(int(sys.argv[1])))' "$1" >"$T/big/data.py"; }
# the archive's size, from -v's "sandbox NAME: N files, B bytes" or the error
archive_size() { hpo-submit -v --no-submit "$T/big/task.yaml" 2>&1 |
	sed -n 's/.* files, \([0-9]*\) bytes$/\1/p; s/^hpo-submit: sandbox: the archive .* has \([0-9]*\) bytes, .*/\1/p'; }
target=$((10485760 - 100))
n=$((10485760 - 20000))
for try in 1 2 3; do
	mkbig "$n"
	a=$(archive_size)
	[ "$a" -ge $((target - 50)) ] && [ "$a" -le $((target + 50)) ] && break
	n=$((n + target - a))
done
diag "archive of $a bytes (aimed at $target) from $n random bytes"
uploads=$(sim_log file_server/upload_cache_file)
msg=$(hpo-submit "$T/big/task.yaml" 2>&1)
is "$?" 13 "an archive of 10 MiB less 100 bytes is refused before the upload (exit 13)"
like "$msg" "hpo-submit: sandbox: the archive of the files below $T/big has $a bytes, with the upload's multipart envelope (297 bytes) over PanDA's limit of 10485760 bytes (10 MB) for a sandbox upload" \
	"saying that the server counts the whole upload"
is "$(sim_log file_server/upload_cache_file)" "$uploads" "and nothing was sent"

# --- what goes in: --list-sandbox, exclude, credentials ------------------------------------------
mkdir -p "$T/lst/sub" "$T/lst/.git"
sed '/^grid:/d' "$f" >"$T/lst/task.yaml"
echo 'print(1)' >"$T/lst/train.py"
echo 'x: 1' >"$T/lst/sub/c.yaml"
echo 'notes' >"$T/lst/notes.txt"
echo '{}' >"$T/lst/.git/config.json"
requests=$(ctl log | jq length)
out=$(hpo-submit --list-sandbox "$T/lst/task.yaml" 2>"$T/err")
is "$?:$(echo $out):$(ctl log | jq length)" "0:sub/c.yaml task.yaml train.py:$requests" \
	"--list-sandbox lists the files that would go, one a line, and sends nothing"
like "$(cat "$T/err")" "hpo-submit: sandbox of $T/lst: 3 files, " "with a sum on stderr"
is "$(hpo-submit --list-sandbox --json "$T/lst/task.yaml" | jq -c '[.schema, .version, [.files[] | [.path, .size]]]')" \
	'["hpo-tools/sandbox",1,[["sub/c.yaml",5],["task.yaml",'"$(stat -c %s "$T/lst/task.yaml")"'],["train.py",9]]]' \
	"--json names its schema and gives each file's path and size"
printf 'db:\n  user: me\n  password: hunter2\n' >"$T/lst/sub/db.yaml"
why="hpo-submit: sandbox: sub/db.yaml:3 holds a password, and the sandbox is public on PanDA's cache server: leave the file out (sandbox.exclude: [sub/db.yaml]) or, to send it anyway, name it in sandbox.include"
msg=$(hpo-submit --no-submit "$T/lst/task.yaml" 2>&1)
is "$?:$msg" "13:$why" "a file holding a password is refused for the Grid, naming it and what to do"
msg=$(HPO_DB=$T/local.db hpo-submit --local "$T/lst/task.yaml" 2>&1)
is "$?:$msg" "13:$why" "and for a local run alike, whose snapshot is the same sandbox"
cp "$T/lst/task.yaml" "$T/lst/task.in"
printf 'sandbox: {exclude: [sub/db.yaml]}\n' >>"$T/lst/task.yaml"
is "$(hpo-submit --list-sandbox "$T/lst/task.yaml" 2>/dev/null | tr '\n' ' ')" \
	"sub/c.yaml task.yaml train.py " "sandbox.exclude leaves it out"
cp "$T/lst/task.in" "$T/lst/task.yaml"
printf 'sandbox: {include: ["sub/*.yaml"]}\n' >>"$T/lst/task.yaml"
hpo-submit --list-sandbox "$T/lst/task.yaml" >/dev/null 2>&1
is "$?" 13 "a pattern with wildcards in sandbox.include does not let it in"
cp "$T/lst/task.in" "$T/lst/task.yaml"
printf 'sandbox: {include: [sub/db.yaml]}\n' >>"$T/lst/task.yaml"
is "$(hpo-submit --list-sandbox "$T/lst/task.yaml" 2>/dev/null | tr '\n' ' ')" \
	"sub/c.yaml sub/db.yaml task.yaml train.py " "naming it in sandbox.include does"
