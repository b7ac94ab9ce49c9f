# sim.sh - the PanDA simulator for integration tests (after tap.sh)
#
#   sim_start [SIMULATOR-OPTIONS...]   test credentials in $P, the simulator on
#                                      127.0.0.1, the client environment set
#   ctl PATH [JSON]                    the simulator's control port
#   sim_log ENDPOINT                   how many requests reached ENDPOINT
#   grid_task NAME [BUDGET [OUTDS]]    a Grid task file $f ($T/task/task.yaml) with a
#                                      train.py beside it; OUTDS "" for none
#   with_name OUTDS                    its grid.output-dataset renamed
#   jwt EXP                            an OIDC ID token (JWT-shaped, unsigned:
#                                      the simulator knows tokens by their text)
#                                      for user tester/testuser, expiring at EXP
P=$T/pki

_sim_up_or_gone() { test -s "$T/sim.port" || ! kill -0 "$sim_pid" 2>/dev/null; }

sim_start() {
	"$top_srcdir/tests/fixtures/mkpki.sh" "$P" || return 1
	python3 "$top_srcdir/tests/sim/panda_sim.py" --pki "$P" --port-file "$T/sim.port" \
		--control-port-file "$T/sim.cport" --state-dir "$T/sim.state" "$@" \
		2>"$T/sim.err" &
	sim_pid=$!
	trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; rm -rf "$T"' EXIT
	# the port file is the simulator's last word: the control and token
	# port files are written before it, every server listening already.
	# Under load (CI's sanitizer pass beside other work) it can take many
	# seconds; a simulator that died or never answers says why.
	wait_for 60 _sim_up_or_gone
	if ! test -s "$T/sim.port"; then
		if kill -0 "$sim_pid" 2>/dev/null; then
			echo "# the simulator did not listen within 60 s:" >&2
		else
			echo "# the simulator exited before it listened:" >&2
		fi
		sed 's/^/# /' "$T/sim.err" >&2
		return 1
	fi
	sim_port=$(cat "$T/sim.port")
	sim_cport=$(cat "$T/sim.cport")
	PANDA_URL_SSL=https://127.0.0.1:$sim_port/server/panda
	PANDACACHE_URL=$PANDA_URL_SSL
	X509_USER_PROXY=$P/proxy.pem
	X509_CERT_DIR=$P/ca
	HPO_HTTP_BACKOFF=0.05
	HPO_HTTP_TIMEOUT=20	# a loaded machine (sanitizers, CI) is slow; stall tests set less
	export PANDA_URL_SSL PANDACACHE_URL X509_USER_PROXY X509_CERT_DIR HPO_HTTP_BACKOFF \
		HPO_HTTP_TIMEOUT
}

# (a control request that fails says so: a test that goes on without its fault
# or reset would fail later for no visible reason)
ctl() {
	curl -sS -m 30 "http://127.0.0.1:$sim_cport/$1" ${2:+-d "$2"} ||
		{ _rc=$?; echo "# ctl $1: the simulator's control port did not answer (curl $_rc)" >&2; return "$_rc"; }
}

sim_log() { ctl "log?endpoint=$1" | jq length; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
jwt() { printf '%s.%s.c2ln' "$(printf '{"alg":"none"}' | b64url)" \
	"$(printf '{"sub":"tester","preferred_username":"testuser","exp":%s}' "$1" | b64url)"; }

grid_task() {
	_budget=${2:-}
	[ -n "$_budget" ] || _budget='{max-points: 6, parallel-evaluations: 2}'
	_outds=${3-user.testuser.$1.1}
	mkdir -p "$T/task"
	cat >"$T/task/task.yaml" <<YAML
name: $1
evaluation:
  container: docker://registry.example/train:1
  exec: python3 train.py --in input.json
steering:
  container: docker://registry.example/steer:1
  exec: python3 /steer.py -i %IN -o %OUT -n %NUM_POINTS
search-space:
  lr: {method: loguniform, dimension: {low: 0.0001, high: 0.1}}
budget: $_budget
YAML
	[ -z "$_outds" ] || echo "grid: {output-dataset: $_outds}" >>"$T/task/task.yaml"
	echo 'print("training")' >"$T/task/train.py"
	f=$T/task/task.yaml
}

with_name() { sed -i "s/output-dataset: .*/output-dataset: $1}/" "$f"; }
