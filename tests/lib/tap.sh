# tap.sh - helpers for integration tests that speak TAP
#
#   . "$top_srcdir/tests/lib/tap.sh"
#   plan 3
#   ok "it works" test -f file
#   is "$(cmd)" "expected" "cmd prints expected"
#   done_testing
#
# Each test gets a private scratch directory in $T (removed at exit) and a
# private task database in $HPO_DB.

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${HPO_BINDIR:=$top_builddir/src}"
PATH=$HPO_BINDIR:$PATH
export PATH

tap_n=0
tap_failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/hpo-test.XXXXXX")
HPO_DB=$T/db/hpo.db
export HPO_DB
unset XDG_DATA_HOME HPO_CONTAINER_RUNTIME NO_COLOR HPO_CONFIG HPO_NICKNAME
XDG_CONFIG_HOME=$T/config	# no configuration file but the test's own
XDG_CACHE_HOME=$T/cache	# hpo-status's task cache: the test's own
export XDG_CACHE_HOME
export XDG_CONFIG_HOME
# davix 0.8.4 buffers a transfer in $DAVIX_STAGING_AREA (default /tmp) as
# .davix_tmp_file_XXXXXX and leaves it there when the tool exits
DAVIX_STAGING_AREA=$T
export DAVIX_STAGING_AREA
# tmux keeps its server sockets in $TMUX_TMPDIR/tmux-UID (default /tmp),
# and leaves them and the directory after kill-server
TMUX_TMPDIR=$T
export TMUX_TMPDIR
trap 'rm -rf "$T"' EXIT
# a test stopped (tests/lib/run-test passes Ctrl-C on make check on as
# TERM) runs its EXIT trap too, which the shell runs on exit, not on a
# signal's default action: no scratch directory, server or simulator is
# left behind.  Its reader may be gone by then: writes fail, not kill.
trap 'trap "" PIPE; exit 130' INT
trap 'trap "" PIPE; exit 143' TERM

plan() { echo "1..$1"; }

_result() {	# status description
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# ok DESCRIPTION COMMAND...: passes when COMMAND succeeds
ok() {
	_d=$1
	shift
	"$@" >/dev/null 2>&1
	_result $? "$_d"
}

# fails DESCRIPTION COMMAND...: passes when COMMAND fails
fails() {
	_d=$1
	shift
	if "$@" >/dev/null 2>&1; then _result 1 "$_d"; else _result 0 "$_d"; fi
}

# is GOT EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		_result 0 "$3"
	else
		_result 1 "$3"
		printf '#   got:      %s\n#   expected: %s\n' "$1" "$2"
	fi
}

# like GOT PATTERN DESCRIPTION: GOT contains the fixed string PATTERN
like() {
	case $1 in
	*"$2"*) _result 0 "$3" ;;
	*)
		_result 1 "$3"
		printf '#   got:      %s\n#   expected to contain: %s\n' "$1" "$2"
		;;
	esac
}

diag() { printf '# %s\n' "$*"; }

# jq EXPRESSION FILE, raw output
jqr() { jq -r "$1" "$2"; }

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds; fails on timeout
wait_for() {
	_limit=$1
	shift
	_i=0
	while ! "$@" >/dev/null 2>&1; do
		_i=$((_i + 1))
		[ "$_i" -ge $((_limit * 10)) ] && return 1
		sleep 0.1
	done
}

done_testing() {
	[ "$tap_failed" -eq 0 ]
}
