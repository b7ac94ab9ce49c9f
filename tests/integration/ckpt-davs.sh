#!/bin/sh
# ckpt-davs.sh - hpo-ckpt on WebDAV storage: a real XRootD server
# (tests/lib/xrootd.sh) over HTTPS with X.509 proxies.  Round trips on
# davs:// and https://, ls --json against what davix and python compute,
# interop with davix-get and tar, a save killed midway, a damaged newest
# generation, credentials and permission refused, a server that is down,
# bounded memory.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/xrootd.sh"
xrootd_require "$@"

plan 56

xrootd_start
ok "xrootd_start brings the server up" test $? -eq 0 || exit 1

# the credential is the test proxy, never a token lying around
xrootd_no_token

W=$T/work
mkdir -p "$W"
cd "$W" || exit 1

# sums DIR: "sha256  path" of every file and "link -> target" of every link
sums() {
	(cd "$1" && find . -type f -exec sha256sum {} + | sort -k 2 &&
		find . -type l -exec sh -c 'for l; do echo "$l -> $(readlink "$l")"; done' _ {} + | sort)
}
adler() { python3 -c 'import sys, zlib
print("%08x" % zlib.adler32(open(sys.argv[1], "rb").read()))' "$1"; }
dget() { davix-get -P grid --capath "$X509_CERT_DIR" "$@" 2>/dev/null; }
c() { curl -sS -m 30 --capath "$X509_CERT_DIR" --cert "$X509_USER_PROXY" --key "$X509_USER_PROXY" "$@"; }

# ---- round trips --------------------------------------------------------------------
xrootd_section "round trips"

mkdir -p ckpt/deep/er/still ckpt/emptydir
head -c 3000000 /dev/urandom >ckpt/weights.bin
printf 'epoch 3\n' >ckpt/deep/er/still/state.txt
: >ckpt/empty
ln -s weights.bin ckpt/latest
ln -s ../../weights.bin ckpt/deep/er/up
printf 'lr=0.1\n' >params.txt
mkdir -p "$T/orig" && cp -a ckpt params.txt "$T/orig"

D=$XRD_DAVS_URL/run1
H=$XRD_URL/run1
ok "save a tree to davs://" hpo-ckpt save -q --to "$D" ckpt params.txt
ok "save again to https:// (gzip)" hpo-ckpt save -q --to "$H" --gzip ckpt params.txt
is "$(ls "$XRD_DATA/run1" | sed 's/-[0-9a-f]\{8\}-[0-9]*\./-X-N./' | tr '\n' ' ')" \
	"gen-00000001-X-N.tar.zst gen-00000002-X-N.tar.gz " \
	"the server has the generations under their names, no temporary left"
mkdir "$T/out"
ok "load the newest from davs://" hpo-ckpt load -q --from "$D" -C "$T/out"
ok "diff -r: the tree is back" diff -r "$T/orig" "$T/out"
is "$(sums "$T/out")" "$(sums "$T/orig")" "sha256 of every file and every link target agree"
ok "links stay links, the empty file and directory are back" \
	sh -c "test -L '$T/out/ckpt/latest' && test -f '$T/out/ckpt/empty' && test ! -s '$T/out/ckpt/empty' && test -d '$T/out/ckpt/emptydir'"
ok "load --keep-archive from https://" hpo-ckpt load -q --from "$H" --keep-archive "$T/ck.tar.gz"
ok "the archive is the generation's bytes" cmp -s "$T/ck.tar.gz" "$XRD_DATA"/run1/gen-00000002-*

# ---- ls --json, interop ---------------------------------------------------------------
xrootd_section "ls --json, interop"

hpo-ckpt ls --json "$D" >"$T/ls.json"
is "$(jq -r '.schema + " " + (.version|tostring)' "$T/ls.json") $(jq -r '[.generations[].generation] | join(" ")' "$T/ls.json") $(jq -r .temporaries "$T/ls.json")" \
	"hpo-tools/checkpoints 1 2 1 0" "ls --json: its schema, both generations, newest first, no temporary"
for i in 0 1; do
	name=$(jq -r ".generations[$i].name" "$T/ls.json")
	dget "$XRD_DAVS_URL/run1/$name" "$T/dv.$i"
	is "$(jq -r ".generations[$i].size" "$T/ls.json") $(jq -r ".generations[$i].adler32" "$T/ls.json")" \
		"$(stat -c %s "$T/dv.$i") $(adler "$T/dv.$i")" \
		"ls --json: size and adler32 of $name are those of the file davix-get fetches"
done
is "$(jq -r '.generations[0].time' "$T/ls.json" | cut -c1-10)" "$(date -u +%Y-%m-%d)" \
	"ls --json: the time from getlastmodified"
is "$(jq -r '.generations[0].complete' "$T/ls.json")" true "ls --json: complete"
ok "davix-get of the zstd generation, listed by tar --zstd -t" \
	sh -c "tar --zstd -tf '$T/dv.1' | grep -qx ckpt/weights.bin"
ok "the gzip one by tar -tz" sh -c "tar -tzf '$T/dv.0' | grep -qx params.txt"
like "$(hpo-ckpt ls "$H" | head -n 1)" "GEN" "ls prints a table"

# ---- keep, rm, nothing yet ---------------------------------------------------------------
xrootd_section "keep, rm, nothing yet"

for i in 3 4; do
	echo "$i" >params.txt
	hpo-ckpt save -q --to "$D" --keep 2 params.txt
done
is "$(hpo-ckpt ls --json "$D" | jq -r '[.generations[].generation] | join(" ")')" "4 3" \
	"--keep 2: the two newest stay"
is "$(ls "$XRD_DATA/run1" | wc -l)" 2 "and the server holds only those"
ok "rm --keep 1" hpo-ckpt rm -q --keep 1 "$D"
is "$(ls "$XRD_DATA/run1")" "$(hpo-ckpt ls --json "$D" | jq -r '.generations[].name')" "rm removed the older one"
ok "rm" hpo-ckpt rm -q "$D"
is "$(ls -A "$XRD_DATA/run1" | wc -l)" 0 "rm removed every generation"
hpo-ckpt load -q --from "$XRD_DAVS_URL/never" 2>"$T/err"
is "$?" 3 "load from a collection that does not exist: exit 3 (no checkpoint yet)"
is "$(cat "$T/err")" "hpo-ckpt: no checkpoint in $XRD_DAVS_URL/never" "and says so in one line"
is "$(hpo-ckpt ls --json "$XRD_DAVS_URL/never" | jq -c .generations)" "[]" "ls of it: no generation"

# ---- a save killed midway -----------------------------------------------------------------
xrootd_section "a save killed midway"

echo "before" >params.txt
hpo-ckpt save -q --to "$XRD_DAVS_URL/killed" params.txt
head -c 200000000 /dev/urandom >big.bin
hpo-ckpt save -q --to "$XRD_DAVS_URL/killed" --gzip big.bin &
pid=$!
wait_for 30 sh -c "test \$(cat '$XRD_DATA'/killed/.gen-*.part 2>/dev/null | wc -c) -ge 2097152" ||
	diag "the temporary did not grow to 2 MiB"
kill -9 $pid
wait $pid 2>/dev/null
sleep 0.5	# the server notices the end of the connection
ok "the killed save left a partial temporary on the server" \
	sh -c "ls -A '$XRD_DATA/killed' | grep -q '^\.gen-00000002\..*\.part$'"
hpo-ckpt ls --json "$XRD_DAVS_URL/killed" >"$T/ls.json"
is "$(jq -r '[.generations[].generation] | join(" ")' "$T/ls.json") $(jq -r .temporaries "$T/ls.json")" \
	"1 1" "the previous generation is still the newest (one temporary seen)"
rm -f params.txt
ok "and it loads" hpo-ckpt load -q --from "$XRD_DAVS_URL/killed"
is "$(cat params.txt)" "before" "with its content"
ok "the next save works" hpo-ckpt save -q --to "$XRD_DAVS_URL/killed" params.txt
ok "and removed the temporary" sh -c "! ls -A '$XRD_DATA/killed' | grep -q part"

# ---- a damaged newest generation ------------------------------------------------------------
xrootd_section "a damaged newest generation"

echo "old" >params.txt
hpo-ckpt save -q --to "$XRD_DAVS_URL/dmg" params.txt
echo "new" >params.txt
hpo-ckpt save -q --to "$XRD_DAVS_URL/dmg" params.txt
newest=$(ls "$XRD_DATA/dmg" | sort | tail -n 1)
c -o "$T/newest" "$XRD_URL/dmg/$newest"
size=$(stat -c %s "$T/newest")
printf 'X' | dd of="$T/newest" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
is "$(c -o /dev/null -w '%{http_code}' -T "$T/newest" "$XRD_URL/dmg/$newest")" 200 \
	"the newest generation is overwritten on the server with damaged bytes (curl PUT)"
rm params.txt
hpo-ckpt load --from "$XRD_DAVS_URL/dmg" 2>"$T/err"
is "$?" 0 "load with a damaged newest generation succeeds"
is "$(cat params.txt)" "old" "with the previous generation"
like "$(cat "$T/err")" "$newest: damaged" "and names the damaged one"
like "$(cat "$T/err")" "trying the previous generation" "and says it falls back"
is "$(ls "$XRD_DATA/dmg" | sort | tail -n 1)" "$newest.damaged" "and marks it on the server (MOVE)"
echo "newer" >params.txt
hpo-ckpt save -q --to "$XRD_DAVS_URL/dmg" --keep 2 params.txt
is "$(hpo-ckpt ls --json "$XRD_DAVS_URL/dmg" | jq -r '[.generations[] | "\(.generation):\(.damaged)"] | join(" ")')" \
	"3:false 1:false" "the next save --keep 2 keeps the good generation 1, not the damaged 2"

# ---- credentials, permission, a server that is down -------------------------------------------
xrootd_section "credentials, permission, a server that is down"

X509_USER_PROXY=$P/proxy-expired.pem hpo-ckpt save -q --to "$D/x" params.txt 2>"$T/err"
is "$?" 10 "an expired proxy: exit 10 (credentials)"
like "$(cat "$T/err")" "hpo-ckpt: $D/x: grid proxy $P/proxy-expired.pem expired on " \
	"with one clear line naming the proxy"
like "$(cat "$T/err")" ": run voms-proxy-init" "and how to renew it"
is "$(wc -l <"$T/err")" 1 "one line only"
hpo-ckpt save -q --to "$XRD_DAVS_URL/typo/run" params.txt parms.txt 2>"$T/err"
is "$?:$(cat "$T/err")" "1:hpo-ckpt: parms.txt: no such file or directory" \
	"a path to save that is missing: exit 1, one line"
ok "and nothing is made on the storage (no directory)" test ! -e "$XRD_DATA/typo"
X509_USER_PROXY=$T/none.pem hpo-ckpt ls "$D" 2>"$T/err"
is "$?" 10 "no proxy at all: exit 10"
hpo-ckpt save -q --to "$XRD_OTHER_URL/mine" params.txt 2>"$T/err"
is "$?" 10 "saving in the other user's area (no write right): exit 10"
like "$(cat "$T/err")" "permission denied (HTTP 403" "and says permission denied"
is "$(find "$XRD_DATA/../otheruser" -type f | wc -l)" 0 "nothing was written there"
bad=https://127.0.0.1:$((XRD_PORT == 65535 ? 65534 : XRD_PORT + 1))/data/testuser/x
HPO_HTTP_RETRIES=1 HPO_HTTP_BACKOFF=0.01 hpo-ckpt ls "$bad" 2>"$T/err"
is "$?" 11 "a server that is down: exit 11 (storage unreachable)"
like "$(cat "$T/err")" "hpo-ckpt: $bad: storage unreachable: " "says the storage is unreachable"
like "$(cat "$T/err")" "(tried 2 times)" "after the retries"
HPO_HTTP_RETRIES=1 HPO_HTTP_BACKOFF=0.01 hpo-ckpt load -q --from "$bad" 2>/dev/null
is "$?" 11 "load from it: exit 11"

# ---- memory ----------------------------------------------------------------------------------
xrootd_section "memory"

# under AddressSanitizer (--enable-sanitizers) freed blocks wait in a
# quarantine of up to 256 MB, which the churn of TLS buffers fills: keep it
# small so that the RSS measures what hpo-ckpt holds
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4
export ASAN_OPTIONS
/usr/bin/time -f '%M %e' -o "$T/time" hpo-ckpt save -q --to "$D/big" big.bin
read -r kb secs <"$T/time"
diag "davs save of 200 MB: max RSS ${kb} KB, ${secs} s"
ok "save of 200 MB stays under 64 MB of memory" test "$kb" -lt 65536
mv big.bin big.orig
/usr/bin/time -f '%M %e' -o "$T/time" hpo-ckpt load -q --from "$D/big"
read -r kb secs <"$T/time"
diag "davs load of 200 MB: max RSS ${kb} KB, ${secs} s"
ok "load of 200 MB stays under 64 MB of memory and gives the file back" \
	sh -c "test $kb -lt 65536 && cmp -s big.bin big.orig"
rm -f big.bin big.orig

done_testing
