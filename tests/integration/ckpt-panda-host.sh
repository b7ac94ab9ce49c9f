#!/bin/sh
# ckpt-panda-host.sh - which cache host a panda:// checkpoint lives on: phpo's
# job runner uploads and fetches hpo_cp_TASK_SUB at the job's --sourceURL
# (the cache host holding the sandbox), which need not be PANDACACHE_URL's.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/sim.sh"
plan 14

ok "the simulator starts with two cache hosts" sim_start --tick 0.05 --listen 127.0.0.1 \
	--listen 127.0.0.2 --listen 127.0.0.4 || exit 1
unset HPO_CKPT_URL HPO_SOURCE_URL BEARER_TOKEN BEARER_TOKEN_FILE PANDA_AUTH
HPO_HTTP_RETRIES=2
export HPO_HTTP_RETRIES
one=$T/sim.state/cache/hpo_cp_4242_17
two=$T/sim.state/cache-127.0.0.2/hpo_cp_4242_17

# a stand-in for phpo's runner: its job directory, the evaluation in
# workDir beside __hpo_sample.txt, the job's arguments on its command line
mkdir -p "$T/job/workDir/model"
cat >"$T/job/runner.sh" <<'SH'
cd "$(dirname "$0")/workDir" || exit 1
printf '4242-5123-0-17-5,17\n' > __hpo_sample.txt
sh -c "$HPO_EVAL"
SH
head -c 100000 /dev/urandom > "$T/job/workDir/model/weights.bin"
run_job() {	# COMMAND: run in the job's evaluation, with the runner's arguments
	HPO_EVAL=$1 sh "$T/job/runner.sh" -a jobO.x.tar --sourceURL "https://127.0.0.2:$sim_port" \
		--checkPointToSave model
}

run_job "hpo-ckpt save -q model"
is "$?" 0 "in a Grid job hpo-ckpt saves to the point's panda:// location"
ok "on the cache host of the runner's --sourceURL, where a retried job fetches it" test -f "$two"
ok "not on PANDACACHE_URL's" test ! -e "$one"
is "$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$P/ca.pem" --cert "$P/usercert.pem" \
	--key "$P/userkey.pem" "https://127.0.0.2:$sim_port/cache/hpo_cp_4242_17")" 200 \
	"the runner's fetch (<sourceURL>/cache/hpo_cp_TASK_SUB) finds it"
rm -rf "$T/job/workDir/model"
run_job "hpo-ckpt load -q"
ok "a load in the job reads it back from there" test -s "$T/job/workDir/model/weights.bin"

# outside a job: HPO_SOURCE_URL names the host; without it, one clear line
is "$(HPO_SOURCE_URL=https://127.0.0.2:$sim_port hpo-ckpt ls --json panda://4242/17 |
	jq '.generations | length')" 1 "HPO_SOURCE_URL names the cache host outside a job"
msg=$(env -u PANDACACHE_URL hpo-ckpt ls panda://4242/17 2>&1)
is "$?:$msg" "2:hpo-ckpt: panda://4242/17: no cache server known for the task's files (no runner's --sourceURL: not in a phpo Grid job): set HPO_SOURCE_URL to the task's --sourceURL" \
	"with neither, nor PANDACACHE_URL, hpo-ckpt says what to set (exit 2)"
msg=$(HPO_SOURCE_URL=http://127.0.0.2:$sim_port hpo-ckpt ls panda://4242/17 2>&1)
is "$?:$msg" "2:hpo-ckpt: panda://4242/17: HPO_SOURCE_URL must be an https:// URL, not 'http://127.0.0.2:$sim_port'" \
	"a URL that is not https:// is refused before any credential goes out"

# 127.0.0.4 is not in the server's certificate: its host name fails the
# check unless PANDA_VERIFY_HOST=off, which covers the cache's reads too
msg=$(HPO_SOURCE_URL=https://127.0.0.4:$sim_port hpo-ckpt ls panda://4242/17 2>&1)
is "$?:$(printf '%s\n' "$msg" | grep -c 'certificate')" "10:1" \
	"a cache host under a name its certificate lacks is refused (exit 10, one line)"
msg=$(PANDA_VERIFY_HOST=off HPO_SOURCE_URL=https://127.0.0.4:$sim_port hpo-ckpt ls panda://4242/17 2>&1 >/dev/null)
is "$?:$msg" "0:hpo-ckpt: warning: PANDA_VERIFY_HOST=off: the server's host name is not checked" \
	"PANDA_VERIFY_HOST=off lets hpo-ckpt read PanDA's cache as it lets it reach the API"

# a point of a multi-fidelity task: the point file is the runner's
# --inSampleFile (phpo's evaluationInput), input.json without one
where() {	# where [RUNNER-ARGUMENTS...]: the location hpo-ckpt picks in the job
	HPO_EVAL="hpo-ckpt ls --json" sh "$T/job/runner.sh" "$@" --sourceURL "https://127.0.0.2:$sim_port" |
		jq -r .location
}
printf '{"epochs": 3, "__hpo_trial": "t7"}' >"$T/job/workDir/point.json"
printf '{"epochs": 3, "__hpo_trial": "t8"}' >"$T/job/workDir/input.json"
is "$(where -o out.json -j "" --inSampleFile point.json)" panda://4242/t7 \
	"the trial of the point file the runner's --inSampleFile names"
is "$(where -o out.json)" panda://4242/t8 "without it, input.json's (phpo's default)"
rm "$T/job/workDir/input.json"
is "$(where)" panda://4242/17 "and with neither, the point's"
