#!/bin/sh
# ckpt-token.sh - hpo-ckpt on WebDAV storage with a WLCG bearer token: the
# real XRootD server of tests/lib/xrootd.sh issues macaroons (xrootd_token)
# to the test user's proxy; hpo-ckpt then works with the token alone (the
# proxy it would fall back to is missing).  Where the token comes from
# (BEARER_TOKEN, BEARER_TOKEN_FILE, $XDG_RUNTIME_DIR/bt_u<uid>), that it wins
# over a valid proxy, and what an expired (refused by hpo-ckpt before it asks
# the server), tampered, read-only or path-restricted token gets.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/xrootd.sh"
xrootd_require "$@"

plan 59

xrootd_start --macaroons
ok "xrootd_start brings the server up" test $? -eq 0 || exit 1

xrootd_no_token
# never /tmp/bt_u<uid> of the machine: the bt_u file lives in the scratch dir
bt=$XDG_RUNTIME_DIR/bt_u$(id -u)
# only the token can work: the proxy hpo-ckpt would fall back to is missing
PROXY=$X509_USER_PROXY
X509_USER_PROXY=$T/none.pem
export X509_USER_PROXY

W=$T/work
mkdir -p "$W"
cd "$W" || exit 1

mkdir -p ckpt/sub
head -c 300000 /dev/urandom >ckpt/weights.bin
printf 'epoch 7\n' >ckpt/sub/state.txt
mkdir -p "$T/orig" && cp -a ckpt "$T/orig"

# no_token FILE TOKEN: FILE holds neither TOKEN nor a 24-byte piece of it
no_token() {
	_mid=$(printf '%s' "$2" | cut -c 200-223)
	! grep -qF -e "$2" -e "$_mid" "$1"
}
# one_line_no_token FILE TOKEN
one_line_no_token() { test "$(wc -l <"$1")" -eq 1 && no_token "$1" "$2"; }

tok=$(xrootd_token /data/testuser/)
ok "the server issues a macaroon to the test user's proxy" test -n "$tok"
D=$XRD_DAVS_URL/tok

# ---- without the token nothing works -----------------------------------------------
xrootd_section "without the token nothing works"
hpo-ckpt save -q --to "$D" ckpt 2>"$T/err"
is "$?" 10 "no token and no proxy: save exits 10"

# ---- BEARER_TOKEN ----------------------------------------------------------------------
xrootd_section "BEARER_TOKEN"
BEARER_TOKEN=$tok hpo-ckpt save -v --to "$D" ckpt 2>"$T/err"
is "$?" 0 "save with BEARER_TOKEN (no proxy)"
like "$(cat "$T/err")" ": using the bearer token from BEARER_TOKEN" "-v says which token is used"
ok "and never prints the token" no_token "$T/err" "$tok"
is "$(ls "$XRD_DATA/tok" | sed 's/-[0-9a-f]\{8\}-[0-9]*\./-X-N./')" "gen-00000001-X-N.tar.zst" \
	"the server has the generation, no temporary left"
BEARER_TOKEN=$tok hpo-ckpt load -q --from "$D" -C "$T/out1"
is "$?" 0 "load with BEARER_TOKEN"
ok "diff -r: the tree is back" diff -r "$T/orig/ckpt" "$T/out1/ckpt"
BEARER_TOKEN=$tok hpo-ckpt ls --json "$D" >"$T/ls.json"
is "$(jq -r '[.generations[] | "\(.generation) \(.complete)"] | join(",")' "$T/ls.json")" "1 true" \
	"ls --json with the token: one complete generation"
is "$(jq -r '.generations[0].size' "$T/ls.json")" "$(stat -c %s "$XRD_DATA"/tok/gen-*)" \
	"of the size the server holds"

# ---- BEARER_TOKEN_FILE -------------------------------------------------------------------
xrootd_section "BEARER_TOKEN_FILE"
# as htgettoken writes it: the token and a newline, mode 600
(umask 077 && printf '%s\n' "$tok" >"$T/token")
printf 'epoch 8\n' >ckpt/sub/state.txt
BEARER_TOKEN_FILE=$T/token hpo-ckpt save -v --to "$D" ckpt 2>"$T/err"
is "$?" 0 "save with BEARER_TOKEN_FILE (a file ending in a newline)"
like "$(cat "$T/err")" ": using the bearer token from $T/token (BEARER_TOKEN_FILE)" \
	"-v names the file"
BEARER_TOKEN_FILE=$T/token hpo-ckpt load -q --from "$D" -C "$T/out2"
is "$?" 0 "load with BEARER_TOKEN_FILE"
is "$(cat "$T/out2/ckpt/sub/state.txt")" "epoch 8" "gives the newest generation back"
ok "and all of it" cmp -s ckpt/weights.bin "$T/out2/ckpt/weights.bin"
cp "$T/token" "$T/token-644" && chmod 644 "$T/token-644"
BEARER_TOKEN_FILE=$T/token-644 hpo-ckpt ls "$D" >/dev/null 2>"$T/err"
is "$?" 0 "a token file others can read still works"
is "$(cat "$T/err")" \
	"hpo-ckpt: warning: bearer token $T/token-644 can be read or written by others (mode 0644): chmod 600 $T/token-644" \
	"with a warning that says how to fix it"
BEARER_TOKEN_FILE=$T/token hpo-ckpt ls "$D" >/dev/null 2>"$T/err"
is "$(cat "$T/err")" "" "a token file of mode 600 gets no warning"
BEARER_TOKEN_FILE=$T/missing hpo-ckpt ls "$D" 2>"$T/err"
is "$?" 10 "BEARER_TOKEN_FILE naming a missing file: exit 10"
is "$(cat "$T/err")" "hpo-ckpt: $D: no bearer token at $T/missing (BEARER_TOKEN_FILE)" \
	"in one line naming the file"
printf 'not-a-token\n' >"$T/bad"
BEARER_TOKEN=$tok BEARER_TOKEN_FILE=$T/bad hpo-ckpt ls -q "$D" >/dev/null
is "$?" 0 "BEARER_TOKEN comes before BEARER_TOKEN_FILE"

# ---- $XDG_RUNTIME_DIR/bt_u<uid> ------------------------------------------------------------
xrootd_section "\$XDG_RUNTIME_DIR/bt_u<uid>"
(umask 077 && printf '%s\n' "$tok" >"$bt")
printf 'epoch 9\n' >ckpt/sub/state.txt
hpo-ckpt save -q --to "$D" ckpt
is "$?" 0 "save with the token in \$XDG_RUNTIME_DIR/bt_u<uid>"
hpo-ckpt load -q --from "$D" -C "$T/out3"
is "$?" 0 "load with it"
is "$(cat "$T/out3/ckpt/sub/state.txt")" "epoch 9" "gives the newest generation back"
BEARER_TOKEN_FILE=$T/bad hpo-ckpt ls "$D" >/dev/null 2>"$T/err"
is "$?" 10 "BEARER_TOKEN_FILE comes before bt_u<uid> (a bad token there: exit 10)"
hpo-ckpt rm -q --keep 1 "$D"
is "$?" 0 "rm --keep 1 with the bt_u token"
is "$(ls "$XRD_DATA/tok" | wc -l)" 1 "the server holds one generation"
rm -f "$bt"

# ---- the token wins over a valid proxy ---------------------------------------------------
xrootd_section "the token wins over a valid proxy"
# a token for /data/testuser/sub/ only: with it, the test user's own area
# outside sub/ is refused, which the proxy would allow
sub=$(xrootd_token /data/testuser/sub/)
# the server's log: a request with a certificate logs in as testuser, one
# without as nobody; a macaroon that passes is logged with its identifier
n_cert=$(grep -c ' login as testuser$' "$XRD_LOG")
X509_USER_PROXY=$PROXY hpo-ckpt save -q --to "$XRD_DAVS_URL/outside" ckpt
is "$?" 0 "the proxy alone may save outside sub/"
ok "the server's log: it logged in as testuser (the proxy's name)" \
	test "$(grep -c ' login as testuser$' "$XRD_LOG")" -gt "$n_cert"
sub_id=$(xrootd_macaroon_text "$sub" | sed -n 's/^....identifier //p')
n_cert=$(grep -c ' login as testuser$' "$XRD_LOG")
n_anon=$(grep -c ' login as nobody$' "$XRD_LOG")
n_mac=$(grep -c "Macaroon verification successful; ID $sub_id\$" "$XRD_LOG")
X509_USER_PROXY=$PROXY BEARER_TOKEN=$sub hpo-ckpt save -q --to "$XRD_DAVS_URL/sub/run" ckpt
is "$?" 0 "proxy and a token for sub/: save in sub/ works"
is "$(grep -c ' login as testuser$' "$XRD_LOG")" "$n_cert" \
	"the server's log: no connection of that save presented the proxy"
ok "its connections came without a certificate (login as nobody)" \
	test "$(grep -c ' login as nobody$' "$XRD_LOG")" -gt "$n_anon"
ok "and the server verified the sub/ token" \
	test "$(grep -c "Macaroon verification successful; ID $sub_id\$" "$XRD_LOG")" -gt "$n_mac"
X509_USER_PROXY=$PROXY BEARER_TOKEN=$sub hpo-ckpt save -q --to "$XRD_DAVS_URL/outside" ckpt \
	2>"$T/err"
is "$?" 10 "outside sub/ the token is used, not the proxy: exit 10"
like "$(cat "$T/err")" "permission denied to the bearer token from BEARER_TOKEN (HTTP 403" \
	"permission denied to the token"
is "$(ls "$XRD_DATA/outside" | wc -l)" 1 "nothing new was written there"
X509_USER_PROXY=$PROXY BEARER_TOKEN=$sub hpo-ckpt load -q --from "$XRD_DAVS_URL/outside" \
	-C "$T/out4" 2>"$T/err"
is "$?" 10 "load outside sub/ with the token: exit 10 (the proxy is not tried)"

# ---- a token restricted to another path --------------------------------------------------
xrootd_section "a token restricted to another path"
BEARER_TOKEN=$sub hpo-ckpt save -q --to "$D" ckpt 2>"$T/err"
is "$?" 10 "a token for another path: save exits 10"
is "$(cat "$T/err")" \
	"hpo-ckpt: save: $D: permission denied to the bearer token from BEARER_TOKEN (HTTP 403: Unable to locate /data/testuser/tok/; permission denied)" \
	"saying permission denied to the token, with the server's reason"
ok "in one line without the token" one_line_no_token "$T/err" "$sub"
is "$(ls "$XRD_DATA/tok" | wc -l)" 1 "nothing was written"
BEARER_TOKEN=$sub hpo-ckpt load -q --from "$D" -C "$T/out5" 2>"$T/err"
is "$?" 10 "load with it: exit 10"
ok "in one line without the token" one_line_no_token "$T/err" "$sub"

# ---- a read-only token ---------------------------------------------------------------------
xrootd_section "a read-only token"
ro=$(xrootd_token /data/testuser/ PT1H DOWNLOAD,LIST,READ_METADATA)
BEARER_TOKEN=$ro hpo-ckpt load -q --from "$D" -C "$T/out6"
is "$?" 0 "a token for DOWNLOAD,LIST,READ_METADATA loads"
is "$(cat "$T/out6/ckpt/sub/state.txt")" "epoch 9" "the newest generation"
BEARER_TOKEN=$ro hpo-ckpt save -q --to "$D" ckpt 2>"$T/err"
is "$?" 10 "but cannot save: exit 10"
# (the listing and MKCOL pass: on one connection XRootD 5.5.3 lets a request
# that the macaroon refuses through on the authdb rights of the name in it,
# see tests/lib/xrootd.sh; the PUT comes on a connection of its own)
like "$(cat "$T/err")" "permission denied to the bearer token from BEARER_TOKEN (HTTP 403: Unable to create /data/testuser/tok/.gen-00000004." \
	"the upload of the temporary is refused"

# ---- an expired or tampered token ------------------------------------------------------------
xrootd_section "an expired or tampered token"
# the server answers an expired macaroon with the 403 of a missing right;
# hpo-ckpt reads the macaroon's before: caveat and says so without asking
short=$(xrootd_token /data/testuser/ PT1S)
before=$(xrootd_macaroon_text "$short" | sed -n 's/^....cid before://p')
when=$(date -u -d "$before" '+%Y-%m-%d %H:%M:%S UTC')
wait_for 5 sh -c "test \$(curl -s -o /dev/null -w '%{http_code}' --capath '$X509_CERT_DIR' \
	-H 'Authorization: Bearer $short' '$XRD_URL/tok/') = 403" || diag "the PT1S token does not expire"
n_anon=$(grep -c ' login as nobody$' "$XRD_LOG")
BEARER_TOKEN=$short hpo-ckpt save -q --to "$D" ckpt 2>"$T/err"
is "$?" 10 "an expired token: save exits 10"
is "$(cat "$T/err")" "hpo-ckpt: $D: the bearer token from BEARER_TOKEN expired on $when: get a new one" \
	"saying when it expired, in one line"
ok "without the token" no_token "$T/err" "$short"
is "$(grep -c ' login as nobody$' "$XRD_LOG")" "$n_anon" "without asking the server"
(umask 077 && printf '%s\n' "$short" >"$T/short")
BEARER_TOKEN_FILE=$T/short hpo-ckpt load -q --from "$D" -C "$T/out7" 2>"$T/err"
is "$?" 10 "load with it from BEARER_TOKEN_FILE: exit 10"
is "$(cat "$T/err")" \
	"hpo-ckpt: $D: the bearer token from $T/short (BEARER_TOKEN_FILE) expired on $when: get a new one" \
	"naming the file"
ok "without the token" no_token "$T/err" "$short"
bad=$(printf '%s' "$tok" | sed 's/^\(.\{300\}\)\(.\)/\1@\2/; s/@A/B/; s/@./A/')
ok "the tampered token differs from the good one in one character" \
	test "${#bad}" -eq "${#tok}" -a "$bad" != "$tok"
BEARER_TOKEN=$bad hpo-ckpt load -q --from "$D" -C "$T/out8" 2>"$T/err"
is "$?" 10 "a tampered token: load exits 10"
is "$(cat "$T/err")" \
	"hpo-ckpt: $D: permission denied to the bearer token from BEARER_TOKEN (HTTP 403: Unable to locate /data/testuser/tok/; permission denied)" \
	"permission denied to the token, in one line (the server cannot tell it from a missing right)"
ok "without the token" no_token "$T/err" "$bad"

done_testing
