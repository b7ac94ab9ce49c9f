# xrootd.sh - an XRootD WebDAV server (XrdHttp) over HTTPS with X.509 proxies
# and bearer tokens (macaroons), for integration tests of Grid storage (after
# tap.sh)
#
#   . "$top_srcdir/tests/lib/tap.sh"
#   . "$top_srcdir/tests/lib/xrootd.sh"
#   xrootd_require "$@"     before plan: skips the test (1..0 # SKIP) when a
#                           tool is missing or no private network namespace
#                           can be made, else re-runs the script inside one
#                           (twice when the server hung in the first run,
#                           below)
#   plan N
#   xrootd_start [--macaroons] || exit 1
#                           test credentials in $P, the server up (issuing and
#                           taking bearer tokens with --macaroons), the client
#                           environment set (below); stopped at exit
#   xrootd_stop             stop it earlier (idempotent)
#   xrootd_section TITLE    a section begins: bails out when the server no
#                           longer answers
#   xrootd_host_ss ARGS...  ss(8) in the network namespace the test came from
#   xrootd_no_token         no bearer token from the caller's environment
#   xrootd_token PATH [VALIDITY [ACTIVITIES]]
#                           a macaroon for the test user on PATH, on stdout
#   xrootd_macaroon_text TOKEN  its location, identifier and caveats
#
# After xrootd_start:
#   XRD_BASE        https://127.0.0.1:PORT
#   XRD_URL         $XRD_BASE/data/testuser     the test user's area
#   XRD_DAVS_URL    davs://127.0.0.1:PORT/data/testuser  (davix, gfal2 form)
#   XRD_OTHER_URL   $XRD_BASE/data/otheruser    the other user's area
#   XRD_DATA        the test user's area on disk, as the server writes it
#   XRD_PORT XRD_LOG xrootd_pid
#   XRD_START_MS    milliseconds from the start of xrootd to its first answer
#   X509_USER_PROXY $P/proxy.pem (the test user), X509_CERT_DIR $P/ca
#
# --- URL layout, users and rights ---------------------------------------------
# One export, /data, under oss.localroot $T/xrd/root.  The grid-mapfile maps
#   "/DC=test/O=hpo-tools/CN=Test User"  -> testuser   (proxy.pem, usercert.pem,
#                                            proxy-limited.pem, proxy-short.pem)
#   "/DC=test/O=hpo-tools/CN=Other User" -> otheruser  (proxy-other.pem)
# XrdHttp maps the end-entity certificate's DN: the proxy CNs are stripped, so
# a proxy and the certificate that signed it get the same name.  The authdb
# (ofs.authorize 1):
#   testuser:  all on /data/testuser, read and list (rl) on /data/otheruser
#   otheruser: all on /data/otheruser, read and list (rl) on /data/testuser
#   anyone else (no certificate, plain http, an unmapped DN): nothing
#
# --- bearer tokens: macaroons -------------------------------------------------
# The macaroons plugin of xrootd 5.5.3 (libXrdMacaroons-5.so) is both an
# HTTP handler that issues tokens (http.exthandler) and an authorization
# layer chained before the authdb (ofs.authlib ++).  It needs all.sitename
# (the macaroons' location, here hpo-tools-test; without it xrootd exits at
# start: "all.sitename must be specified to use macaroons") and
# macaroons.secretkey (64 random bytes in base64, made at each start, mode
# 0400).  It also needs `http.header2cgi Authorization authz`: without it
# XrdHttp 5.5.3 never hands the Authorization header to the plugin and a
# request with a token alone is anonymous (403).  macaroons.trace info logs
# "macarons_Access: Macaroon verification successful; ID <identifier>" for a
# token that passes, never the token.  tests/integration/xrootd.sh asserts
# the answers below, tests/integration/ckpt-token.sh hpo-ckpt with them.
# Issuing: POST to a path with "Content-Type: application/macaroon-request"
# and {"caveats": ["activity:A,B,..."], "validity": "PT1H"} gives 200 and
# {"macaroon": "<V1, base64url, begins MDAx>", "expires_in": 3600}.  The
# macaroon holds the caveats name:<the caller's name>, activity:<what the
# authdb gives the caller at that path>, activity:<those asked for>,
# path:<the path>, before:<UTC time>: a token never allows more than its
# issuer may, when issued (testuser asking for UPLOAD in /data/otheruser gets
# READ_METADATA,DOWNLOAD,LIST: PUT 403).  Activities: DOWNLOAD (GET), UPLOAD
# (PUT), LIST (PROPFIND), READ_METADATA (HEAD, stat), MANAGE (MKCOL, MOVE),
# DELETE, UPDATE_METADATA.  Validity: PT<n>H, PT<n>M or PT<n>S only (P1D,
# PT0S, PT0.5S: 400 "Invalid ISO 8601 duration for validity key"); over 24 h
# it is cut to 24 h (PT72H: expires_in 86400); none: 400.  Another
# Content-Type: 400.  Without a certificate (or with a token alone) the POST
# still gives 200 and a macaroon, but without a name and with READ_METADATA
# only: GET with it 403.
# Using it, with no client certificate ("Authorization: Bearer <macaroon>";
# "bearer" in lower case: 403), inside its path and activities: PUT 200 (also
# chunked), GET 200, HEAD 200 with the adler32 Digest, PROPFIND 207, MKCOL
# 201, MOVE 201, DELETE 200, the same bodies as with a certificate; the
# connection logs in as nobody.  Refused with 403 (never 401, no
# WWW-Authenticate), the body of any refusal ("Unable to open /data/...;
# permission denied"): outside its path (also where the authdb would let the
# name in it read), an activity it lacks, expired (before: passed), one
# character changed, not a macaroon at all.  An expired or damaged token and
# a missing right look the same to a client.
# A token and a certificate together: a token that fails (expired, damaged,
# another path) is ignored and the certificate's rights apply (200): the
# client gets the union, so a client should send one credential only.
# On one connection, once a request passed with a macaroon, the name in it
# stays on the connection: a later request that the macaroon refuses is
# judged by the authdb under that name (HEAD in the token's path, then a PUT
# beside it on the same connection: 200, written).  The caveats hold only
# until the first request they allow on a connection.  Even in one request:
# DELETE with a read-only token (DOWNLOAD,LIST,READ_METADATA) is 200, the
# file gone (XrdHttp stats it first, which the token allows).
#
# --- how the server is kept to loopback ---------------------------------------
# xrootd binds the wildcard address (it listens on *:PORT, IPv4 and IPv6) and
# has no directive for loopback only.  xrootd_require re-executes the whole
# test script inside a private network namespace (unshare -n, as root) with
# only `lo` in it, brought up with `ip link set lo up`; the server and all the
# test's clients live there, so *:PORT reaches 127.0.0.1 and ::1 and nothing
# else, and nothing of it is visible in the machine's own namespace.  The
# namespace the script came from stays open on fd 9 so that a test can look
# at it (xrootd_host_ss).  The namespace dies with its last process; the
# server is stopped at exit.  The port is picked free on 127.0.0.1 inside the
# namespace.  Without root (or where unshare -n is not allowed) the test skips.
#
# --- the server process ---------------------------------------------------------
# xrootd refuses to run as root (exit 8): it runs as nobody:nogroup via
# `setpriv --reuid --regid --clear-groups`, no user is created.  Its files are
# in $T/xrd (owned by nobody; $T is made traversable, mode 711): etc/ (config,
# grid-mapfile, authdb, a copy of the host certificate and key, key 0400),
# root/data/{testuser,otheruser}, admin/, run/ (pid file), xrootd.log.  The CA
# directory is $P/ca, as mkpki.sh makes it (0755, files 0644).  Start to the
# first HTTPS answer: about 0.5 s on an idle machine, over 3 s on CI's two
# cores with the sanitizer pass beside it (tests/integration/xrootd.sh prints
# it, asserts nothing of it).  A server that does not answer within 30 s, or
# dies, makes xrootd_start fail with the tail of its log on stderr.
# The server runs with tests/lib/accept-rotate.so preloaded (built by make
# check; xrootd_start fails without it): every accepted connection gets the
# next free descriptor number of 256-4095 (the log's "testuser.N:FD@"), never
# the number of a connection closed a moment before.  Without it xrootd 5.5.3
# lost its HTTPS service in about 1 of 8 full test runs here: a worker still
# in a request of a connection another thread had closed (the client gone
# while the answer was written: "Unable to send ...; broken pipe") closed the
# next connection on the same number in its TLS handshake ("ssl3_write_bytes:
# bad length", "SSL_shutdown: shutdown while in init", "Dispatch on closed
# link"), and every later request waited for its 60 s timeout
# (nearest upstream: xrootd/xrootd#1928, fixed in 5.5.4 by commit 8e4965c39;
# Debian 12 has 5.5.3).
# A rarer form of the same race remained with it: the two connections of one
# hpo-ckpt save end within the same second of the log (its PUT's own, closed
# after the PUT's answer, and the one for the rest, when the client exits);
# then "XrdLink: Dispatch on closed link" on one of them (beside "XrdPoll:
# Detach of enabled link", or OpenSSL's "shutdown while in init"), and from
# then on the server takes a new connection only when another one wakes it,
# then none at all (ss: a ClientHello of 517 bytes unread, the socket never
# accepted).  In 5.5.3 XrdLinkXeq::Close recycles the protocol object before
# it detaches the link from the poller; link closing and the poller were
# reworked upstream in 2025 (xrootd commits 102459940 "Wait for threads that
# issue eventfd" and a5f7976a1 "More support for external closing of
# Link").  The race wants two of the server's threads at work at the same
# moment, so the server runs on one CPU (taskset; one of the caller's CPUs
# picked by the port, which spreads the servers of tests run side by side):
# its threads then take turns, and a close can be caught between two of its
# steps only by a preemption there.  Measured with the three XRootD tests run
# together beside three busy loops on 2 CPUs, alternating run by run:
# unpinned, the server hung in 3 runs of 20; pinned, in none of 20, nor in 42
# runs more (pinned only, the same load).  Rare is not never: pinned, the
# server stopped answering in 2 of 9 runs with a variant of hpo-ckpt save that
# ended its two connections closer together (not kept), and once in a .ci/run
# of main, hence the rerun below.  A third form: the server answers new
# connections but stops reading one upload (see _xrootd_stalled; a 500 MB save
# then crawled at 9 KB/s for ever).  So a watchdog beside the server looks for
# a stalled connection and probes it every 3 s (a GET of the other user's
# area, as the other user, whom no test counts in the log); two probes of 10 s
# without an answer mark it hung and kill it, so that the test's requests fail
# at once instead of each at its own timeout.  xrootd_section and xrootd_stop
# make the same check (a GET of the test user's area, 10 s).  A test whose
# server was marked hung is run once more from scratch, on a fresh server: its
# first run's output stays in the log as comments ("# first run: ..."), and
# only the second run counts (.ci/run names such tests).  A second hang is a
# failure like any other, and a test that failed for another reason fails
# again in its second run.
#
# --- observed answers (xrootd 5.5.3 from Debian 12, curl 7.88) -----------------
# A chunked PUT (no Content-Length) must carry Expect: 100-continue, as curl
# sends it by default: without it XrdHttp answers 400 "Invalid chunked encoding".
# Bodies of successful PUT, MKCOL, MOVE and DELETE are the 3 bytes ":-)";
# errors carry a one-line text ("Unable to create /data/...; permission
# denied").  tests/integration/xrootd.sh asserts all of these.
#   PUT new file                 200 (not 201); missing parent directories are
#                                made (mode 0755)
#   PUT existing file            200, replaced
#   PUT chunked                  200
#   GET                          200; missing: 404
#   HEAD                         200 with Content-Length; missing: 404
#   HEAD Want-Digest: adler32    200, "Digest: adler32=<8 lower-case hex>"
#                                (zero-padded, as python zlib.adler32 "%08x");
#                                Want-Digest: md5 or sha-256 also get adler32,
#                                the only configured algorithm (xrootd.chksum)
#   Range: bytes=0-99            206, Content-Range: bytes 0-99/SIZE, right bytes
#   Range starting at or past the end (bytes=SIZE-SIZE+99)
#                                NOT 416: 206, Content-Length 100 and
#                                Content-Range: bytes SIZE-SIZE+99/SIZE, then
#                                the connection is closed without a body (curl
#                                exit 18); a range partly past the end likewise
#                                promises bytes it never sends; "bytes=SIZE-"
#                                gives 206 with Content-Length 0.  A client must
#                                never ask for bytes past the size it knows.
#   Range: bytes=-N (suffix)     ignored: 200 with the whole file
#   MKCOL new                    201; existing: 201 as well; parents are made
#   MOVE (Destination: absolute https URL, http.desthttps yes)
#                                201; the source is gone (404); parents of the
#                                destination are made; an existing destination
#                                is replaced even with "Overwrite: F" (201);
#                                a relative Destination (/data/...): 501
#   DELETE file                  200; missing: 404; empty directory: 200;
#                                non-empty directory: 500
#   PROPFIND Depth: 1            207, multistatus: one <D:response> per entry
#                                with <D:href>/data/testuser/...</D:href> and
#                                <lp1:getcontentlength>SIZE</...>; collections
#                                have <D:collection/>; Depth: 0 the entry alone
#   the other user in the test user's area: GET and PROPFIND 200/207 (rl);
#                                PUT, DELETE, MKCOL, MOVE: 403
#   the test user in the other user's area: PUT 403
#   no client certificate:       GET 403, PUT 403, PROPFIND 403
#   plain http:// on the same port (XrdHttp speaks both): 403 for GET and PUT
#   expired proxy:               refused in the TLS handshake: curl exit 56
#                                (alert "certificate expired") or 55 (the
#                                server closed first: "getpeername() failed"),
#                                varies from run to run; the server logs
#                                "CertVerify: Error 10 ... [certificate has expired]"
#   proxy of an untrusted CA:    likewise, curl exit 56 (alert "unknown ca") or
#                                55; logged as Error 20 [unable to get local
#                                issuer certificate]
#   limited proxy:               accepted like a full one (PUT 200)
#   interrupted PUT              NOT atomic: the target is truncated when the
#                                PUT starts and visible (HEAD 200) while it
#                                runs; after the client dies the file stays,
#                                holding a prefix of the new data (the server
#                                writes 1 MiB blocks: size a multiple of 1 MiB,
#                                the last partial block lost), the old content
#                                gone; killed before the first block is
#                                written it leaves 0 bytes.  Upload to a
#                                temporary name, check size and adler32, then
#                                MOVE (the MOVE replaces the old version).
#   davix 0.8.4: davix-put/-get/-ls need `-P grid` to use X509_USER_PROXY
#   (or -E PROXY), and --capath for the CA; davix-mv exits 255 although the
#   MOVE was done.  xrdcp needs -A (--allow-http) and https:// URLs; a GET
#   404 gives exit 54, but a PUT refused with 403 mostly exits 0 (seen 54
#   once): its exit status proves nothing about an upload.
P=$T/pki

# xrootd_require [ARGS...]: skip unless everything is here, then re-run the
# test script ($0 ARGS...) inside a private network namespace
xrootd_require() {
	if [ -n "${HPO_XRD_NETNS:-}" ]; then
		ip link set lo up || {
			echo "1..0 # SKIP cannot bring lo up in the private network namespace"
			exit 0
		}
		return 0
	fi
	for _c in xrootd curl setpriv taskset unshare nsenter ip ss python3 openssl grid-proxy-init; do
		if ! command -v "$_c" >/dev/null 2>&1; then
			echo "1..0 # SKIP $_c is not installed (tools/install-deps)"
			exit 0
		fi
	done
	if ! ldconfig -p 2>/dev/null | grep -q 'libXrdHttp-5\.so'; then
		echo "1..0 # SKIP XrdHttp is not installed (xrootd-server-plugins, tools/install-deps)"
		exit 0
	fi
	if [ "$(id -u)" -ne 0 ] || ! unshare -n true 2>/dev/null; then
		echo "1..0 # SKIP needs root for a private network namespace (unshare -n)"
		exit 0
	fi
	if ! id nobody >/dev/null 2>&1; then
		echo "1..0 # SKIP no user nobody to run xrootd as"
		exit 0
	fi
	rm -rf "$T"	# each run below makes its own
	trap - EXIT
	_xrd_out=$(mktemp "${TMPDIR:-/tmp}/hpo-xrd-out.XXXXXX") || exit 1
	# a run stopped (tap.sh's INT and TERM traps exit) leaves nothing either
	trap 'rm -f "$_xrd_out" "$_xrd_out.hung"' EXIT
	HPO_XRD_NETNS=1
	HPO_XRD_HUNG=$_xrd_out.hung
	export HPO_XRD_NETNS HPO_XRD_HUNG
	exec 9</proc/self/ns/net
	unshare -n -- sh "$0" "$@" >"$_xrd_out"
	_rc=$?
	if [ -e "$HPO_XRD_HUNG" ]; then
		# the server's bug, not the test's: once more from scratch, and
		# what the first run printed kept as comments
		echo "# xrootd.sh: the XRootD server stopped answering during the test (xrootd 5.5.3, see tests/lib/xrootd.sh); the test runs once more on a fresh server; its first run printed:"
		sed 's/^/#   first run: /' "$_xrd_out"
		rm -f "$_xrd_out" "$HPO_XRD_HUNG"
		HPO_XRD_HUNG=
		exec unshare -n -- sh "$0" "$@"
	fi
	cat "$_xrd_out"
	rm -f "$_xrd_out"
	exit "$_rc"
}

# xrootd_host_ss ARGS...: ss in the namespace the test script came from
xrootd_host_ss() { nsenter --net=/proc/self/fd/9 ss "$@"; }

_xrootd_fail() {
	echo "xrootd.sh: $*" >&2
	if [ -s "${XRD_LOG:-/nonexistent}" ]; then
		echo "xrootd.sh: the end of $XRD_LOG:" >&2
		tail -n 25 "$XRD_LOG" | sed 's/^/xrootd.sh:   /' >&2
	fi
	diag "xrootd.sh: $*"
	return 1
}

# _xrootd_alive PID: PID runs (a zombie does not count)
_xrootd_alive() {
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$_st" ] && [ "$_st" != Z ]
}

xrootd_start() {
	[ -n "${HPO_XRD_NETNS:-}" ] || { _xrootd_fail "call xrootd_require first"; return 1; }
	"$top_srcdir/tests/fixtures/mkpki.sh" "$P" || { _xrootd_fail "mkpki.sh failed"; return 1; }
	_xu=$(id -u nobody) _xg=$(id -g nobody)
	X=$T/xrd
	XRD_LOG=$X/xrootd.log
	mkdir -p "$X/etc" "$X/admin" "$X/run" "$X/root/data/testuser" "$X/root/data/otheruser" ||
		{ _xrootd_fail "cannot make $X"; return 1; }
	chmod 711 "$T"	# the server user must reach $T/xrd and $P/ca
	chmod 755 "$P"
	cp "$top_builddir/tests/lib/accept-rotate.so" "$X/etc/accept-rotate.so" ||
		{ _xrootd_fail "no tests/lib/accept-rotate.so in $top_builddir (make check builds it)"; return 1; }
	cp "$P/hostcert.pem" "$X/etc/hostcert.pem"
	cp "$P/hostkey.pem" "$X/etc/hostkey.pem"
	XRD_PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])') || { _xrootd_fail "no free port"; return 1; }

	cat >"$X/etc/grid-mapfile" <<'EOF'
"/DC=test/O=hpo-tools/CN=Test User" testuser
"/DC=test/O=hpo-tools/CN=Other User" otheruser
EOF
	cat >"$X/etc/authdb" <<'EOF'
# ofs.authorize: a = all; r = read, l = lookup (stat, PROPFIND)
u testuser /data/testuser a /data/otheruser rl
u otheruser /data/otheruser a /data/testuser rl
EOF
	openssl rand -base64 -out "$X/etc/macaroon-secret" 64 ||
		{ _xrootd_fail "cannot make the macaroon secret"; return 1; }
	cat >"$X/etc/xrootd.cfg" <<EOF
# written by tests/lib/xrootd.sh
all.role server
all.adminpath $X/admin
all.pidpath $X/run
all.export /data
oss.localroot $X/root
xrd.port $XRD_PORT
xrd.protocol XrdHttp:$XRD_PORT libXrdHttp.so
xrd.tls $X/etc/hostcert.pem $X/etc/hostkey.pem
xrd.tlsca certdir $P/ca
http.gridmap $X/etc/grid-mapfile
http.desthttps yes
xrootd.chksum adler32
ofs.authorize 1
acc.authdb $X/etc/authdb
xrootd.seclib libXrdSec.so
sec.protocol gsi -certdir:$P/ca -cert:$X/etc/hostcert.pem -key:$X/etc/hostkey.pem -gridmap:$X/etc/grid-mapfile -gmapopt:2 -crl:0
sec.protbind * only gsi
EOF
	# bearer tokens only where a test asks (xrootd_start --macaroons): a server
	# without the plugin is the simpler one for the X.509 tests
	if [ "${1:-}" = --macaroons ]; then
		cat >>"$X/etc/xrootd.cfg" <<EOF
all.sitename hpo-tools-test
macaroons.secretkey $X/etc/macaroon-secret
http.exthandler xrdmacaroons libXrdMacaroons.so
http.header2cgi Authorization authz
ofs.authlib ++ libXrdMacaroons.so
macaroons.trace info
EOF
	fi
	chown -R "$_xu:$_xg" "$X"
	chmod 400 "$X/etc/hostkey.pem" "$X/etc/macaroon-secret"

	X509_USER_PROXY=$P/proxy.pem
	X509_CERT_DIR=$P/ca
	XRD_BASE=https://127.0.0.1:$XRD_PORT
	XRD_URL=$XRD_BASE/data/testuser
	XRD_DAVS_URL=davs://127.0.0.1:$XRD_PORT/data/testuser
	XRD_OTHER_URL=$XRD_BASE/data/otheruser
	XRD_DATA=$X/root/data/testuser
	export X509_USER_PROXY X509_CERT_DIR XRD_BASE XRD_URL XRD_DAVS_URL XRD_OTHER_URL \
		XRD_DATA XRD_PORT XRD_LOG

	_t0=$(date +%s%N)
	# one CPU of ours for the server (its link race, above)
	_cpu=$(python3 -c 'import os, sys
c = sorted(os.sched_getaffinity(0))
print(c[int(sys.argv[1]) % len(c)])' "$XRD_PORT") || { _xrootd_fail "no CPU to run the server on"; return 1; }
	taskset -c "$_cpu" setpriv --reuid="$_xu" --regid="$_xg" --clear-groups \
		env LD_PRELOAD="$X/etc/accept-rotate.so" xrootd -c "$X/etc/xrootd.cfg" -l "$XRD_LOG" -s "$X/run/xrootd.pid" \
		>"$X/xrootd.out" 2>&1 </dev/null &
	xrootd_pid=$!
	trap 'xrootd_stop; rm -rf "$T"' EXIT
	_i=0
	while :; do
		if _xrootd_answers 2; then
			XRD_START_MS=$((($(date +%s%N) - _t0) / 1000000))
			if grep -q '/accept-rotate\.so$' "/proc/$xrootd_pid/maps"; then
				_xrootd_watchdog </dev/null >/dev/null &
				_xrd_watchdog_pid=$!
				return 0
			fi
			_xrootd_fail "xrootd runs without $X/etc/accept-rotate.so preloaded"
			xrootd_stop
			return 1
		fi
		if ! _xrootd_alive "$xrootd_pid"; then
			wait "$xrootd_pid"
			_rc=$?
			xrootd_pid=
			cat "$X/xrootd.out" >&2
			_xrootd_fail "xrootd exited ($_rc) before it answered on port $XRD_PORT"
			return 1
		fi
		_i=$((_i + 1))
		if [ "$_i" -ge 300 ]; then
			_xrootd_fail "xrootd does not answer HTTPS on port $XRD_PORT after 30 s (last: $_code)"
			xrootd_stop
			return 1
		fi
		sleep 0.1
	done
}

# xrootd_section TITLE: a section of a test begins.  A server that stopped
# answering (a GET of the test user's area, 10 s) ends the test here with
# "Bail out!" and the end of its log, rather than every later request waiting
# for its own timeout.
xrootd_section() {
	_xrootd_answers 10 && return 0
	_xrootd_fail "the server stopped answering before \"$1\" (GET $XRD_URL/: $_code)" || :
	_xrootd_hung
	echo "Bail out! xrootd stopped answering before \"$1\""
	exit 1
}

# _xrootd_answers SECONDS [PROXY URL]: a GET of URL (default: the test
# user's area) with PROXY (default: the test user's) gets 200 within SECONDS
# (the status in $_code)
_xrootd_answers() {
	_code=$(curl -s -o /dev/null -w '%{http_code}' -m "$1" --capath "$P/ca" \
		--cert "${2:-$P/proxy.pem}" --key "${2:-$P/proxy.pem}" "${3:-$XRD_URL}/")
	[ "$_code" = 200 ]
}

# _xrootd_watchdog: in the background while the server runs: a server that
# stops answering for two probes in a row (a GET every 3 s, 10 s each) is
# marked hung and killed, so that the test's requests fail at once rather
# than each at its timeout.  The probes go as the other user, whom no test
# counts in the server's log.
_xrootd_watchdog() {
	_misses=0
	rm -f "$X/.links"
	while sleep 3 && _xrootd_alive "$xrootd_pid"; do
		if _xrootd_stalled; then
			_xrootd_fail "the server stopped reading a connection (its receive queue full for 10 s, under 1 MiB read): killed so that the test ends now" || :
			_xrootd_hung
			kill -9 "$xrootd_pid" 2>/dev/null
			break
		fi
		if _xrootd_answers 10 "$P/proxy-other.pem" "$XRD_OTHER_URL"; then
			_misses=0
			continue
		fi
		_xrootd_alive "$xrootd_pid" || break
		_misses=$((_misses + 1))
		[ "$_misses" -lt 2 ] && continue
		_xrootd_fail "the server stopped answering (GET: $_code, twice): killed so that the test ends now" || :
		_xrootd_hung
		kill -9 "$xrootd_pid" 2>/dev/null
		break
	done
}

# _xrootd_stalled: the other form of the same bug: the server answers new
# connections but has stopped reading one (an upload): its socket's receive
# queue stays full and the kernel's count of bytes received on it grows by a
# window now and then, only when some other connection wakes the server (a
# probe: about 9 KB/s; without probes nothing).  True when a connection to the
# server has had a non-empty receive queue for 10 s or more while fewer than
# 1 MiB arrived on it (a healthy upload moves tens of MB a second here).
# It also catches the link-close hang above early: a new connection that
# the server never accepts keeps its ClientHello (517 bytes) queued.
# $X/.links keeps, for each such connection, when its queue was first seen
# full and the bytes received then.
_xrootd_stalled() {
	ss -Htin state established "( sport = :$XRD_PORT )" 2>/dev/null |
		awk -v now="$(date +%s)" -v file="$X/.links" '
		BEGIN { while ((getline l < file) > 0) { split(l, f, " "); t[f[1]] = f[2]; b[f[1]] = f[3] } }
		/^[0-9]/ { q = $1; peer = $4; next }
		{
			n = 0
			for (i = 1; i <= NF; i++)
				if ($i ~ /^bytes_received:/) { n = substr($i, 16) + 0 }
			if (q == 0) next
			if (!(peer in t) || n - b[peer] >= 1048576) { t2[peer] = now; b2[peer] = n; next }
			t2[peer] = t[peer]; b2[peer] = b[peer]
			if (now - t[peer] >= 10) stalled = 1
		}
		END {
			printf "" > file
			for (p in t2) print p, t2[p], b2[p] > file
			exit !stalled
		}'
}

# _xrootd_hung: the server stopped answering: the first run of a test is
# run again (xrootd_require)
_xrootd_hung() {
	_xrd_hung_seen=1
	[ -n "${HPO_XRD_HUNG:-}" ] && : >"$HPO_XRD_HUNG"
	return 0
}

# xrootd_no_token: no bearer token from the caller's environment: unsets
# HPO_CKPT_URL, BEARER_TOKEN, BEARER_TOKEN_FILE and PANDA_AUTH, points
# XDG_RUNTIME_DIR to $T/run (mode 700, empty); /tmp/bt_u<uid> is the
# machine's and is left alone (a diag line says when it exists)
xrootd_no_token() {
	unset HPO_CKPT_URL BEARER_TOKEN BEARER_TOKEN_FILE PANDA_AUTH
	XDG_RUNTIME_DIR=$T/run
	mkdir -p "$XDG_RUNTIME_DIR"
	chmod 700 "$XDG_RUNTIME_DIR"
	export XDG_RUNTIME_DIR
	if [ -e "/tmp/bt_u$(id -u)" ]; then
		diag "/tmp/bt_u$(id -u) exists: hpo-ckpt uses that bearer token where no other is set; moving it aside is not ours to do"
	fi
}

# xrootd_token PATH [VALIDITY [ACTIVITIES]]: a macaroon for the test user
# (asked for with its proxy) on PATH (/data/testuser/...), valid for VALIDITY
# (ISO 8601 "PT<n>H|M|S", default PT1H), allowing ACTIVITIES (default all:
# DOWNLOAD,UPLOAD,DELETE,MANAGE,LIST,READ_METADATA,UPDATE_METADATA); on stdout
xrootd_token() {
	_act=${3:-DOWNLOAD,UPLOAD,DELETE,MANAGE,LIST,READ_METADATA,UPDATE_METADATA}
	curl -sS -m 30 --fail-with-body --capath "$P/ca" --cert "$P/proxy.pem" --key "$P/proxy.pem" \
		-X POST -H 'Content-Type: application/macaroon-request' \
		--data-binary "{\"caveats\": [\"activity:$_act\"], \"validity\": \"${2:-PT1H}\"}" \
		"$XRD_BASE$1" >"$T/.macaroon.json" || {
		echo "xrootd.sh: no macaroon for $1: $(head -c 200 "$T/.macaroon.json")" >&2
		return 1
	}
	jq -er .macaroon "$T/.macaroon.json" ||
		{ echo "xrootd.sh: no macaroon in the answer for $1" >&2; return 1; }
}

# xrootd_macaroon_text TOKEN: the packets of a macaroon but its signature, one
# a line: "LLLLlocation ...", "LLLLidentifier UUID", "LLLLcid CAVEAT" (V1
# serialization: base64url of "<4 hex digits of length>key value\n" each)
xrootd_macaroon_text() {
	python3 -c 'import base64, sys
t = sys.argv[1]
sys.stdout.write(base64.urlsafe_b64decode(t + "=" * (-len(t) % 4)).decode("latin-1"))' "$1" |
		grep -av '^....signature '
}

xrootd_stop() {
	if [ -n "${_xrd_watchdog_pid:-}" ]; then
		kill "$_xrd_watchdog_pid" 2>/dev/null
		wait "$_xrd_watchdog_pid" 2>/dev/null
		_xrd_watchdog_pid=
	fi
	[ -n "${xrootd_pid:-}" ] || return 0
	if [ -z "${_xrd_hung_seen:-}" ] && _xrootd_alive "$xrootd_pid" && ! _xrootd_answers 10; then
		_xrootd_fail "the server no longer answers (GET: $_code)" || :
		_xrootd_hung
	elif ! _xrootd_alive "$xrootd_pid"; then
		# it died under the test: say how, for the log of a failed run
		echo "# xrootd (pid $xrootd_pid) had died before the test ended; its last words:"
		tail -n 30 "$XRD_LOG" "$X/xrootd.out" 2>/dev/null | sed 's/^/#   /'
	fi
	kill "$xrootd_pid" 2>/dev/null
	_i=0
	while _xrootd_alive "$xrootd_pid" && [ "$_i" -lt 30 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -9 "$xrootd_pid" 2>/dev/null
	wait "$xrootd_pid" 2>/dev/null
	xrootd_pid=
	return 0
}
