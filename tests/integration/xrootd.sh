#!/bin/sh
# The XRootD WebDAV fixture (tests/lib/xrootd.sh) spoken to by real peers only:
# curl, davix and xrdcp.  Asserts the answers that hpo-ckpt is written
# against (see the comment at the top of tests/lib/xrootd.sh) and that the
# server is reachable on loopback only.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/xrootd.sh"
xrootd_require "$@"

plan 128

t0=$(date +%s%N)
xrootd_start --macaroons
ok "xrootd_start brings the server up" test $? -eq 0 || exit 1
diag "xrootd answered HTTPS $XRD_START_MS ms after it was started; $((($(date +%s%N) - t0) / 1000000)) ms with the PKI"

# --- loopback only -------------------------------------------------------------
is "$(ip -o link show | awk -F': ' '{ print $2 }')" lo "the namespace has no interface but lo"
is "$(ip -o addr show | awk '{ print $4 }' | sort | tr '\n' ' ')" "127.0.0.1/8 ::1/128 " \
	"its only addresses are 127.0.0.1 and ::1"
like "$(ss -ltnpH)" "pid=$xrootd_pid," "xrootd listens in the private namespace"
is "$(ss -ltnH | awk '{ print $4 }' | sort -u | tr '\n' ' ')" "*:$XRD_PORT " \
	"on the wildcard address and its port only (nothing else listens here)"
ok "the namespace of the test's caller is another one" \
	test "$(readlink /proc/self/ns/net)" != "$(readlink /proc/self/fd/9)"
host=$(xrootd_host_ss -ltnpH)
ok "the caller's namespace is readable (ss there)" test $? -eq 0
case $host in
*"pid=$xrootd_pid,"*) _result 1 "the caller's namespace has no socket of xrootd" ;;
*) _result 0 "the caller's namespace has no socket of xrootd" ;;
esac
ok "the server runs as nobody, not root" \
	test "$(stat -c %u "/proc/$xrootd_pid")" -eq "$(id -u nobody)"
is "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$xrootd_pid/status" | grep -c '^[0-9]*$')" 1 \
	"the server runs on one CPU (its link race, tests/lib/xrootd.sh)"

# --- helpers -----------------------------------------------------------------------
# c [CURL-ARGS...]: curl as the test user
c() { curl -sS -m 30 --capath "$X509_CERT_DIR" --cert "$X509_USER_PROXY" --key "$X509_USER_PROXY" "$@"; }
# co: curl as the other user
co() { curl -sS -m 30 --capath "$X509_CERT_DIR" --cert "$P/proxy-other.pem" --key "$P/proxy-other.pem" "$@"; }
# code CURL-FUNCTION ARGS...: the HTTP status only
code() {
	_f=$1
	shift
	"$_f" -o /dev/null -w '%{http_code}' "$@" 2>/dev/null
}
sha() { sha256sum "$1" | cut -d' ' -f1; }
adler() { python3 -c 'import sys, zlib
print("%08x" % zlib.adler32(open(sys.argv[1], "rb").read()))' "$1"; }
size_on_server() { stat -c %s "$XRD_DATA/$1" 2>/dev/null || echo none; }

# --- descriptor numbers (accept-rotate.so, see tests/lib/xrootd.sh) --------------
xrootd_section "descriptor numbers (accept-rotate.so, see tests/lib/xrootd.sh)"
# two connections one after the other: the second never gets the first's
# number, and both come from the window above 255
c -o /dev/null "$XRD_URL/"
c -o /dev/null "$XRD_URL/"
fds=$(sed -n 's/.*XrootdBridge: testuser\.[0-9]*:\([0-9]*\)@.* login as testuser$/\1/p' "$XRD_LOG" |
	tail -n 2 | tr '\n' ' ')
diag "the last two connections' descriptors: $fds"
set -- $fds
ok "two connections in a row get different descriptor numbers" test "${1:-x}" != "${2:-x}"
ok "from the preload's window (256 and up)" test "${1:-0}" -ge 256 -a "${2:-0}" -ge 256

head -c 5000000 /dev/urandom >"$T/a"
head -c 5000000 /dev/urandom >"$T/b"

# --- PUT, GET, HEAD -------------------------------------------------------------
xrootd_section "PUT, GET, HEAD"
is "$(code c -T "$T/a" "$XRD_URL/ck/a")" 200 "PUT of a new 5 MB file: 200 (parents made)"
is "$(c -T "$T/a" "$XRD_URL/ck/a2")" ":-)" "a PUT's body is ':-)'"
is "$(c -o "$T/a.got" -w '%{http_code}' "$XRD_URL/ck/a")" 200 "GET: 200"
is "$(sha "$T/a.got")" "$(sha "$T/a")" "the round trip keeps the content (sha256)"
is "$(code c -T "$T/b" "$XRD_URL/ck/a2")" 200 "PUT over an existing file: 200"
c -o "$T/b.got" "$XRD_URL/ck/a2"
is "$(sha "$T/b.got")" "$(sha "$T/b")" "and the file is replaced"
is "$(code c -H 'Transfer-Encoding: chunked' -T "$T/a" "$XRD_URL/ck/chunked")" 200 \
	"chunked PUT: 200"
is "$(sha "$XRD_DATA/ck/chunked")" "$(sha "$T/a")" "and the server has all of it"
is "$(code c -I "$XRD_URL/ck/none")" 404 "HEAD of a missing file: 404"
is "$(code c "$XRD_URL/ck/none")" 404 "GET of a missing file: 404"
hdr=$(c -I -H 'Want-Digest: adler32' "$XRD_URL/ck/a" | tr -d '\r')
like "$hdr" "Digest: adler32=$(adler "$T/a")" "HEAD Want-Digest: adler32 gives the adler32 of the file"
like "$hdr" "Content-Length: 5000000" "and its size"
printf 'hello\n' >"$T/h"
c -T "$T/h" "$XRD_URL/ck/h" >/dev/null
like "$(c -I -H 'Want-Digest: adler32' "$XRD_URL/ck/h" | tr -d '\r')" "Digest: adler32=084b021f" \
	"the adler32 is 8 lower-case hex digits, zero-padded"
like "$(c -I -H 'Want-Digest: md5' "$XRD_URL/ck/h" | tr -d '\r')" "Digest: adler32=084b021f" \
	"Want-Digest: md5 gets adler32 too (the only configured algorithm)"

# --- Range ----------------------------------------------------------------------------
xrootd_section "Range"
out=$(c -D "$T/r.hdr" -o "$T/r.got" -w '%{http_code}' -r 1000-1099 "$XRD_URL/ck/a")
is "$out" 206 "Range 1000-1099: 206"
dd if="$T/a" of="$T/r.want" bs=100 skip=10 count=1 2>/dev/null
is "$(sha "$T/r.got")" "$(sha "$T/r.want")" "with the right 100 bytes"
like "$(tr -d '\r' <"$T/r.hdr")" "Content-Range: bytes 1000-1099/5000000" "and Content-Range"
rm -f "$T/r.got"
out=$(c -D "$T/r.hdr" -o "$T/r.got" -w '%{http_code}' -r 5000000-5000099 "$XRD_URL/ck/a" 2>/dev/null)
rc=$?
is "$out $rc" "206 18" "Range past the end: 206 (not 416), then closed short (curl exit 18)"
like "$(tr -d '\r' <"$T/r.hdr")" "Content-Range: bytes 5000000-5000099/5000000" \
	"with a Content-Range past the size"
ok "and no body" test ! -s "$T/r.got"
out=$(c -D "$T/r.hdr" -o /dev/null -w '%{http_code}' -r 4999950-5000049 "$XRD_URL/ck/a" 2>/dev/null)
is "$out $?" "206 18" "a range partly past the end: 206, closed short (curl exit 18)"
out=$(c -D "$T/r.hdr" -o /dev/null -w '%{http_code}' -r 5000000- "$XRD_URL/ck/a")
is "$out $(tr -d '\r' <"$T/r.hdr" | sed -n 's/^Content-Length: //p')" "206 0" \
	"bytes=SIZE-: 206 with Content-Length 0"
is "$(code c -r -100 "$XRD_URL/ck/a")" 200 "a suffix range (bytes=-100) is ignored: 200"

# --- MKCOL, MOVE, PROPFIND, DELETE --------------------------------------------------
xrootd_section "MKCOL, MOVE, PROPFIND, DELETE"
is "$(code c -X MKCOL "$XRD_URL/dir")" 201 "MKCOL: 201"
is "$(code c -X MKCOL "$XRD_URL/dir")" 201 "MKCOL of an existing collection: 201 too"
is "$(code c -X MKCOL "$XRD_URL/p/q/r")" 201 "MKCOL makes parents: 201"
ok "the parents are there" test -d "$XRD_DATA/p/q/r"
c -T "$T/a" "$XRD_URL/ck/a.upload" >/dev/null
is "$(code c -X MOVE -H "Destination: $XRD_URL/ck/final" "$XRD_URL/ck/a.upload")" 201 "MOVE: 201"
is "$(code c -I "$XRD_URL/ck/a.upload")" 404 "the old name is gone (404)"
c -o "$T/final.got" "$XRD_URL/ck/final"
is "$(sha "$T/final.got")" "$(sha "$T/a")" "the new name has the content"
is "$(code c -X MOVE -H "Overwrite: F" -H "Destination: $XRD_URL/ck/final" "$XRD_URL/ck/a2")" 201 \
	"MOVE onto an existing file with Overwrite: F: 201 all the same"
is "$(sha "$XRD_DATA/ck/final")" "$(sha "$T/b")" "and the destination is replaced"
is "$(code c -X MOVE -H "Destination: $XRD_URL/new/sub/final" "$XRD_URL/ck/final")" 201 \
	"MOVE to a directory that does not exist: 201, parents made"
is "$(code c -X MOVE -H "Destination: /data/testuser/ck/rel" "$XRD_URL/new/sub/final")" 501 \
	"MOVE with a relative Destination: 501"
is "$(code c -X MOVE -H "Destination: $XRD_URL/ck/x" "$XRD_URL/ck/none")" 404 \
	"MOVE of a missing file: 404"
is "$(c -X PROPFIND -H 'Depth: 1' -o "$T/pf.xml" -w '%{http_code}' "$XRD_URL/ck")" 207 \
	"PROPFIND Depth: 1: 207"
entries=$(python3 -c 'import sys, xml.etree.ElementTree as E
d = E.parse(sys.argv[1]).getroot()
for r in d.findall("{DAV:}response"):
    print(r.findtext("{DAV:}href"), r.findtext(".//{DAV:}getcontentlength"))' "$T/pf.xml")
like "$entries" "/data/testuser/ck/a 5000000" "it lists a file with its size"
like "$entries" "/data/testuser/ck/h 6" "and another"
like "$entries" "/data/testuser/ck " "and the collection itself first"
is "$(printf '%s\n' "$entries" | wc -l)" "$(($(ls "$XRD_DATA/ck" | wc -l) + 1))" \
	"one entry per file and one for the collection"
is "$(code c -X PROPFIND -H 'Depth: 0' "$XRD_URL/ck/a")" 207 "PROPFIND Depth: 0 on a file: 207"
is "$(code c -X DELETE "$XRD_URL/ck/h")" 200 "DELETE: 200"
is "$(code c -I "$XRD_URL/ck/h")" 404 "the file is gone"
is "$(code c -X DELETE "$XRD_URL/ck/h")" 404 "DELETE of a missing file: 404"
is "$(code c -X DELETE "$XRD_URL/new")" 500 "DELETE of a non-empty directory: 500"
is "$(code c -X DELETE "$XRD_URL/p/q/r")" 200 "DELETE of an empty directory: 200"

# --- who may do what -----------------------------------------------------------------
xrootd_section "who may do what"
is "$(co -w '%{http_code}' -T "$T/h" "$XRD_URL/ck/o" 2>/dev/null)" \
	"Unable to create /data/testuser/ck/o; permission denied
403" "the other user cannot PUT in the test user's area: 403"
is "$(code co -X DELETE "$XRD_URL/ck/a")" 403 "nor DELETE there: 403"
is "$(code co -X MOVE -H "Destination: $XRD_URL/ck/o" "$XRD_URL/ck/a")" 403 "nor MOVE: 403"
is "$(code co -X MKCOL "$XRD_URL/od")" 403 "nor MKCOL: 403"
is "$(code co -o "$T/o.got" "$XRD_URL/ck/a")" 200 "but may read there (rl): 200"
is "$(code co -T "$T/h" "$XRD_OTHER_URL/o")" 200 "the other user writes in its own area"
is "$(code c -T "$T/h" "$XRD_OTHER_URL/t")" 403 "the test user cannot write there: 403"
is "$(curl -sS -m 10 --capath "$X509_CERT_DIR" -o /dev/null -w '%{http_code}' "$XRD_URL/ck/a")" \
	403 "no certificate: GET 403"
is "$(curl -sS -m 10 --capath "$X509_CERT_DIR" -o /dev/null -w '%{http_code}' -T "$T/h" \
	"$XRD_URL/ck/n")" 403 "no certificate: PUT 403"
is "$(curl -sS -m 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$XRD_PORT/data/testuser/ck/a")" \
	403 "plain http on the same port: 403"
curl -sS -m 10 --capath "$X509_CERT_DIR" --cert "$P/proxy-expired.pem" --key "$P/proxy-expired.pem" \
	-o /dev/null "$XRD_URL/ck/a" 2>"$T/err"
rc=$?
case $rc in 35 | 55 | 56) _result 0 "expired proxy: TLS failure (curl exit $rc)" ;;
*) _result 1 "expired proxy: TLS failure (curl exit $rc)" ;; esac
grep -q 'CertVerify: Error 10 at depth 0 \[certificate has expired\]' "$XRD_LOG"
ok "the server logs the expired certificate" test $? -eq 0
curl -sS -m 10 --capath "$X509_CERT_DIR" --cert "$P/proxy-untrusted.pem" --key "$P/proxy-untrusted.pem" \
	-o /dev/null "$XRD_URL/ck/a" 2>"$T/err"
rc=$?
case $rc in 35 | 55 | 56) _result 0 "untrusted proxy: TLS failure (curl exit $rc)" ;;
*) _result 1 "untrusted proxy: TLS failure (curl exit $rc)" ;; esac
grep -q 'CertVerify: Error 20 at depth 1 \[unable to get local issuer certificate\]' "$XRD_LOG"
ok "the server logs the unknown issuer" test $? -eq 0
is "$(curl -sS -m 10 --capath "$X509_CERT_DIR" --cert "$P/proxy-limited.pem" --key "$P/proxy-limited.pem" \
	-o /dev/null -w '%{http_code}' -T "$T/h" "$XRD_URL/ck/limited")" 200 \
	"a limited proxy is accepted like a full one"

# --- an interrupted PUT ----------------------------------------------------------
xrootd_section "an interrupted PUT"
# ck/a holds file a; a slow PUT of file b over it is killed once the server has
# written some of it
curl -sS -m 60 --capath "$X509_CERT_DIR" --cert "$X509_USER_PROXY" --key "$X509_USER_PROXY" \
	--limit-rate 1M -T "$T/b" -o /dev/null "$XRD_URL/ck/a" 2>/dev/null &
cpid=$!
# the server truncates the target when the PUT starts and writes 1 MiB blocks
wait_for 10 sh -c "n=\$(stat -c %s '$XRD_DATA/ck/a') && test \$n -gt 0 -a \$n -lt 5000000"
is "$(code c -I "$XRD_URL/ck/a")" 200 "during a PUT the target is visible (HEAD 200)"
kill "$cpid"
wait "$cpid" 2>/dev/null
sleep 0.5	# let the server notice the end of the connection
n=$(size_on_server ck/a)
diag "interrupted PUT left $n of 5000000 bytes"
ok "an interrupted PUT leaves a partial file" test "$n" -gt 0 -a "$n" -lt 5000000
head -c "$n" "$T/b" >"$T/b.prefix"
is "$(sha "$XRD_DATA/ck/a")" "$(sha "$T/b.prefix")" "holding a prefix of the new data: the old content is gone"
is "$((n % 1048576))" 0 "its size is a multiple of 1 MiB"
like "$(c -I "$XRD_URL/ck/a" | tr -d '\r')" "Content-Length: $n" "and HTTP reports that size"

# --- davix and xrdcp -------------------------------------------------------------
xrootd_section "davix and xrdcp"
ok "davix-put (X509_USER_PROXY with -P grid)" \
	davix-put -P grid --capath "$X509_CERT_DIR" "$T/a" "$XRD_DAVS_URL/dv/a"
ok "davix-get" davix-get -P grid --capath "$X509_CERT_DIR" "$XRD_DAVS_URL/dv/a" "$T/dv.got"
is "$(sha "$T/dv.got")" "$(sha "$T/a")" "davix round trip keeps the content"
like "$(davix-ls -P grid --capath "$X509_CERT_DIR" -l "$XRD_DAVS_URL/dv" 2>&1)" "5000000" \
	"davix-ls -l lists the file with its size"
ok "xrdcp -A uploads over https" xrdcp -A -s -f "$T/b" "$XRD_URL/xc/b"
ok "xrdcp -A downloads over https" xrdcp -A -s -f "$XRD_URL/xc/b" "$T/xc.got"
is "$(sha "$T/xc.got")" "$(sha "$T/b")" "xrdcp round trip keeps the content"
# xrdcp 5.5.3's http plugin loses the 403 of a refused PUT: seen exiting 0
# (mostly) and 54, so only the server's side is asserted
X509_USER_PROXY=$P/proxy-other.pem xrdcp -A -s -f "$T/a" "$XRD_URL/xc/o" 2>/dev/null
diag "xrdcp as the other user into the test user's area exited $? (the server answered 403)"
is "$(size_on_server xc/o)" none "the server wrote nothing for it"

# --- macaroons: bearer tokens -----------------------------------------------------
xrootd_section "macaroons: bearer tokens"
# tk TOKEN [CURL-ARGS...]: curl with the token and no certificate
tk() {
	_t=$1
	shift
	curl -sS -m 30 --capath "$X509_CERT_DIR" -H "Authorization: Bearer $_t" "$@"
}
# tkcode TOKEN [CURL-ARGS...]: the HTTP status only
tkcode() {
	_t=$1
	shift
	tk "$_t" -o /dev/null -w '%{http_code}' "$@" 2>/dev/null
}
# mreq [CURL-ARGS...] JSON: the test user asks the server for a macaroon
mreq() { c -X POST -H 'Content-Type: application/macaroon-request' "$@"; }
mdecode() { xrootd_macaroon_text "$1"; }
all_act='"activity:DOWNLOAD,UPLOAD,DELETE,MANAGE,LIST,READ_METADATA,UPDATE_METADATA"'
is "$(mreq -o "$T/mac.json" -w '%{http_code}' -d "{\"caveats\": [$all_act], \"validity\": \"PT1H\"}" \
	"$XRD_URL/")" 200 "POST application/macaroon-request with the proxy: 200"
tok=$(jq -r .macaroon "$T/mac.json")
is "$(jq -r .expires_in "$T/mac.json") $(printf '%s' "$tok" | cut -c1-4)" "3600 MDAx" \
	"a V1 macaroon (base64url) valid 3600 s"
mdecode "$tok" >"$T/mac.txt"
like "$(cat "$T/mac.txt")" "location hpo-tools-test" "its location is all.sitename"
like "$(cat "$T/mac.txt")" "cid name:testuser" "it carries the user's name"
like "$(cat "$T/mac.txt")" "cid path:/data/testuser/" "the path asked for"
like "$(cat "$T/mac.txt")" "cid activity:READ_METADATA,UPLOAD,DOWNLOAD,DELETE,MANAGE,UPDATE_METADATA,LIST" \
	"the activities the authdb gives the user there"
like "$(cat "$T/mac.txt")" "cid before:$(date -u -d @$(($(date +%s) + 3600)) +%Y-%m-%dT%H)" \
	"and the end of its validity (UTC)"
mid=$(sed -n 's/^....identifier //p' "$T/mac.txt")
is "$(tk "$tok" -w ' %{http_code}' -T "$T/h" "$XRD_URL/tk/h")" ":-) 200" \
	"with the token alone (no certificate): PUT 200"
is "$(tkcode "$tok" -H 'Transfer-Encoding: chunked' -T "$T/a" "$XRD_URL/tk/a")" 200 "chunked PUT 200"
is "$(tk "$tok" "$XRD_URL/tk/h")" "hello" "GET 200 with the content"
like "$(tk "$tok" -I -H 'Want-Digest: adler32' "$XRD_URL/tk/h" | tr -d '\r')" \
	"Digest: adler32=084b021f" "HEAD with the adler32"
is "$(tkcode "$tok" -X PROPFIND -H 'Depth: 1' "$XRD_URL/tk/")" 207 "PROPFIND 207"
is "$(tkcode "$tok" -X MKCOL "$XRD_URL/tk/d")" 201 "MKCOL 201"
is "$(tkcode "$tok" -X MOVE -H "Destination: $XRD_URL/tk/h2" "$XRD_URL/tk/h")" 201 "MOVE 201"
is "$(tkcode "$tok" -X DELETE "$XRD_URL/tk/h2")" 200 "DELETE 200"
like "$(cat "$XRD_LOG")" "macarons_Access: Macaroon verification successful; ID $mid" \
	"the server logs the macaroon's identifier"
ok "but never the token" sh -c "! grep -qF '$(printf '%s' "$tok" | cut -c 100-140)' '$XRD_LOG'"
is "$(tkcode "$tok" -X MOVE -H "Destination: $XRD_OTHER_URL/tk" "$XRD_URL/tk/a")" 403 \
	"MOVE out of the token's path: 403"
is "$(tkcode "$tok" "$XRD_OTHER_URL/")" 403 \
	"GET in the other area: 403, although the authdb lets the user read there"
is "$(code curl -sS -m 30 --capath "$X509_CERT_DIR" -H "Authorization: bearer $tok" "$XRD_URL/tk/a")" \
	403 "\"bearer\" in lower case: 403"
sub=$(xrootd_token /data/testuser/tk/sub/)
is "$(tkcode "$sub" -T "$T/h" "$XRD_URL/tk/sub/x")" 200 "a token for tk/sub/: PUT there 200"
is "$(tk "$sub" -w ' %{http_code}' -T "$T/h" "$XRD_URL/tk/x")" \
	"Unable to create /data/testuser/tk/x; permission denied
 403" "PUT beside it: 403, the body as for a certificate refused"
is "$(tkcode "$sub" "$XRD_URL/tk/a")" 403 "GET beside it: 403"
ro=$(xrootd_token /data/testuser/tk/ PT1H DOWNLOAD,LIST,READ_METADATA)
is "$(tkcode "$ro" "$XRD_URL/tk/a") $(tkcode "$ro" -T "$T/h" "$XRD_URL/tk/y")" "200 403" \
	"a token for DOWNLOAD,LIST,READ_METADATA: GET 200, PUT 403"
is "$(tkcode "$sub" -I "$XRD_URL/tk/sub/x" --next --capath "$X509_CERT_DIR" \
	-H "Authorization: Bearer $sub" -o /dev/null -w '%{http_code}' -T "$T/h" "$XRD_URL/tk/esc")" \
	"200200" "on one connection, after a request the token allows, a PUT beside its path: 200"
is "$(size_on_server tk/esc)" 6 "the file is written: the authdb judged it as testuser"
tk "$tok" -T "$T/h" "$XRD_URL/tk/ro-del" >/dev/null
is "$(tkcode "$ro" -X DELETE "$XRD_URL/tk/ro-del") $(size_on_server tk/ro-del)" "200 none" \
	"the read-only token DELETEs all the same (XrdHttp stats the file first)"
oth=$(xrootd_token /data/otheruser/)
like "$(mdecode "$oth")" "cid activity:READ_METADATA,DOWNLOAD,LIST" \
	"a token asked for in the other area gets the rights there: rl"
is "$(tkcode "$oth" -T "$T/h" "$XRD_OTHER_URL/tk") $(tkcode "$oth" -I "$XRD_OTHER_URL/o")" \
	"403 200" "so PUT 403 although UPLOAD was asked for; HEAD 200"
short=$(xrootd_token /data/testuser/tk/ PT1S)
wait_for 5 sh -c "test \$(date +%s) -ge $(($(date +%s) + 2))"
is "$(tk "$short" -w ' %{http_code}' "$XRD_URL/tk/a")" \
	"Unable to open /data/testuser/tk/a; permission denied
 403" "an expired token (PT1S): 403 (not 401), the body of any refusal"
bad=$(printf '%s' "$tok" | sed 's/^\(.\{300\}\)\(.\)/\1@\2/; s/@A/B/; s/@./A/')
ok "and no WWW-Authenticate" sh -c "! curl -sS -m 30 --capath '$X509_CERT_DIR' -D - -o /dev/null \
	-H 'Authorization: Bearer $short' '$XRD_URL/tk/a' | grep -qi '^WWW-Authenticate'"
is "$(tkcode "$bad" "$XRD_URL/tk/a")" 403 "a token with one character changed: 403"
is "$(tkcode not-a-macaroon "$XRD_URL/tk/a")" 403 "a token that is no macaroon: 403"
is "$(code c -H "Authorization: Bearer $bad" "$XRD_URL/tk/a")" 200 \
	"a bad token with the proxy: 200, the certificate's rights apply"
is "$(code c -H "Authorization: Bearer $sub" -T "$T/h" "$XRD_URL/tk/z")" 200 \
	"a token for tk/sub/ with the proxy: PUT beside it 200"
is "$(code c -X POST -H 'Content-Type: application/json' -d '{}' "$XRD_URL/")" 400 \
	"a POST of another Content-Type: 400"
is "$(mreq -d '{"caveats": ["activity:DOWNLOAD"], "validity": "P1D"}' "$XRD_URL/")" \
	"Invalid ISO 8601 duration for validity key" "validity P1D: refused (PTnH, PTnM, PTnS only)"
is "$(mreq -d '{"caveats": ["activity:DOWNLOAD"], "validity": "PT72H"}' "$XRD_URL/" | jq .expires_in)" \
	86400 "validity PT72H: cut to 24 h"
is "$(mreq -d '{"caveats": ["activity:DOWNLOAD"]}' "$XRD_URL/")" \
	'JSON request does not include a `validity`' "no validity: refused"
anon=$(curl -sS -m 30 --capath "$X509_CERT_DIR" -X POST -H 'Content-Type: application/macaroon-request' \
	-d "{\"caveats\": [$all_act], \"validity\": \"PT1H\"}" "$XRD_URL/" | jq -r .macaroon)
ok "a POST without a certificate gets a macaroon too" test -n "$anon" -a "$anon" != null
is "$(mdecode "$anon" | grep -c name:) $(tkcode "$anon" "$XRD_URL/tk/a")" "0 403" \
	"without a name, only READ_METADATA: GET 403"

# --- the end ---------------------------------------------------------------------
pid=$xrootd_pid
xrootd_stop
ok "xrootd_stop stops the server" sh -c "! test -d /proc/$pid"
done_testing
