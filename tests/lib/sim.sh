# sim.sh - the PanDA simulator for integration tests (after tap.sh)
#
#   sim_start [SIMULATOR-OPTIONS...]   test credentials in $P, the simulator on
#                                      127.0.0.1, the client environment set
#   ctl PATH [JSON]                    the simulator's control port
#   sim_log ENDPOINT                   how many requests reached ENDPOINT
#   jwt EXP                            an OIDC ID token (JWT-shaped, unsigned:
#                                      the simulator knows tokens by their text)
#                                      for user tester/testuser, expiring at EXP
P=$T/pki

sim_start() {
	"$top_srcdir/tests/fixtures/mkpki.sh" "$P" || return 1
	python3 "$top_srcdir/tests/sim/panda_sim.py" --pki "$P" --port-file "$T/sim.port" \
		--control-port-file "$T/sim.cport" --state-dir "$T/sim.state" "$@" \
		2>"$T/sim.err" &
	sim_pid=$!
	trap 'kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null; rm -rf "$T"' EXIT
	wait_for 20 test -s "$T/sim.cport" || return 1
	sim_port=$(cat "$T/sim.port")
	sim_cport=$(cat "$T/sim.cport")
	PANDA_URL_SSL=https://127.0.0.1:$sim_port/server/panda
	PANDACACHE_URL=$PANDA_URL_SSL
	X509_USER_PROXY=$P/proxy.pem
	X509_CERT_DIR=$P/ca
	HPO_HTTP_BACKOFF=0.05
	HPO_HTTP_TIMEOUT=5
	export PANDA_URL_SSL PANDACACHE_URL X509_USER_PROXY X509_CERT_DIR HPO_HTTP_BACKOFF \
		HPO_HTTP_TIMEOUT
}

ctl() { curl -sS -m 5 "http://127.0.0.1:$sim_cport/$1" ${2:+-d "$2"}; }

sim_log() { ctl "log?endpoint=$1" | jq length; }

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
jwt() { printf '%s.%s.c2ln' "$(printf '{"alg":"none"}' | b64url)" \
	"$(printf '{"sub":"tester","preferred_username":"testuser","exp":%s}' "$1" | b64url)"; }
