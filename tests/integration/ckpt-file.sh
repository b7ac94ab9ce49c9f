#!/bin/sh
# ckpt-file.sh - hpo-ckpt on a file:// location: round trips, generations
# and --keep, ls --json, a save killed midway, a damaged newest generation,
# hostile archives, no checkpoint yet, watch with a real SIGTERM, bounded
# memory.

. "$top_srcdir/tests/lib/tap.sh"

plan 90

unset HPO_CKPT_URL
S=$T/store	# the checkpoint location
W=$T/work	# the job's working directory
mkdir -p "$W"
cd "$W" || exit 1

# sums DIR: "sha256  path" of every file and "link -> target" of every link
sums() {
	(cd "$1" && find . -type f -exec sha256sum {} + | sort -k 2 &&
		find . -type l -exec sh -c 'for l; do echo "$l -> $(readlink "$l")"; done' _ {} + | sort)
}

# ---- round trips ---------------------------------------------------------------

mkdir -p ckpt/deep/er/still ckpt/emptydir
head -c 3000000 /dev/urandom > ckpt/weights.bin
printf 'epoch 3\n' > ckpt/deep/er/still/state.txt
: > ckpt/empty
ln -s weights.bin ckpt/latest
ln -s ../../weights.bin ckpt/deep/er/up
printf 'lr=0.1\n' > params.txt

ok "save a tree" hpo-ckpt save -q --to "$S" ckpt params.txt
ok "save with gzip" hpo-ckpt save -q --to "file://$S" --gzip ckpt params.txt
is "$(ls "$S" | sed 's/-[0-9a-f]\{8\}-[0-9]*\./-X-N./' | tr '\n' ' ')" \
	"gen-00000001-X-N.tar.zst gen-00000002-X-N.tar.gz " "generation names: number, adler32, size, suffix"
mkdir "$T/out"
ok "load the newest (gzip)" hpo-ckpt load -q --from "$S" -C "$T/out"
ok "diff -r: the tree is back" diff -r ckpt "$T/out/ckpt"
is "$(sums "$T/out")" "$(mkdir -p "$T/orig" && cp -a ckpt params.txt "$T/orig" && sums "$T/orig")" \
	"sha256 of every file and every link target agree"
ok "the empty directory is back" test -d "$T/out/ckpt/emptydir"
ok "links stay links" test -L "$T/out/ckpt/latest"
rm -f "$S"/gen-00000002-*
mkdir "$T/out2"
ok "load the zstd generation" env HPO_CKPT_URL="$S" hpo-ckpt load -q -C "$T/out2"
ok "zstd round trip" diff -r "$T/orig" "$T/out2"
ok "no temporary directory left in the target" sh -c "! ls -A '$T/out2' | grep -q hpo-ckpt"

# load into the working directory over the live files: replaced, others kept
printf 'epoch 9\n' > ckpt/deep/er/still/state.txt
printf 'mine\n' > ckpt/other
ok "load into the working directory" hpo-ckpt load -q --from "$S"
is "$(cat ckpt/deep/er/still/state.txt)" "epoch 3" "a file is replaced by the checkpoint's"
is "$(cat ckpt/other)" "mine" "a file the checkpoint does not have stays"
rm ckpt/other

# --keep-archive
ok "load --keep-archive" hpo-ckpt load -q --from "$S" --keep-archive "$T/ck.tar.zst"
ok "the archive is the generation's bytes" cmp -s "$T/ck.tar.zst" "$S"/gen-00000001-*
ok "the archive is a zstd tar" sh -c "zstd -dc '$T/ck.tar.zst' | tar -t | grep -qx ckpt/weights.bin"

# ---- generations, --keep, ls, rm ----------------------------------------------------

for i in 2 3 4 5; do
	echo "$i" > params.txt
	hpo-ckpt save -q --to "$S" --keep 3 ckpt params.txt
done
is "$(hpo-ckpt ls --json "$S" | jq -r '[.generations[].generation] | join(" ")')" "5 4 3" \
	"--keep 3: the three newest stay"
hpo-ckpt ls --json "$S" > "$T/ls.json"
is "$(jq -r '.generations[0] | keys_unsorted | join(",")' "$T/ls.json")" \
	"generation,name,size,adler32,compression,time,complete,damaged" "ls --json: the fields"
g=$(jq -r '.generations[0].name' "$T/ls.json")
is "$(jq -r '.generations[0].size' "$T/ls.json")" "$(stat -c %s "$S/$g")" "ls --json: size is the file's"
is "$(jq -r '.generations[0].adler32' "$T/ls.json")" \
	"$(python3 -c 'import sys, zlib; print("%08x" % zlib.adler32(open(sys.argv[1], "rb").read()))' "$S/$g")" \
	"ls --json: adler32 is the file's"
is "$(jq -r '.generations[0].complete, .generations[0].compression, .temporaries' "$T/ls.json" | tr '\n' ' ')" \
	"true zstd 0 " "ls --json: complete, compression, temporaries"
like "$(jq -r '.generations[0].time' "$T/ls.json")" "T" "ls --json: an ISO 8601 time"
like "$(hpo-ckpt ls "$S" | head -n 1)" "GEN" "ls prints a table"

# ---- one way to give the location: -u/--url for every command -----------------------------

SU=$T/store-url
echo "u" > params.txt
ok "save -u" hpo-ckpt save -q -u "$SU" params.txt
ok "save --url" hpo-ckpt save -q --url "file://$SU" params.txt
rm params.txt
ok "load -u" hpo-ckpt load -q -u "$SU"
is "$(cat params.txt)" "u" "and it loaded"
is "$(hpo-ckpt ls --json -u "$SU" | jq -r '[.generations[].generation] | join(" ")')" "2 1" "ls -u"
ok "rm --url --keep 1" hpo-ckpt rm -q --url "$SU" --keep 1
hpo-ckpt watch -q -u "$SU" params.txt -- sh -c 'echo w > params.txt'
is "$(hpo-ckpt ls --json --url "$SU" | jq -r '[.generations[].generation] | join(" ")')" "3 2" \
	"watch -u saves there, rm --url removed"
hpo-ckpt ls -u "$SU" "$SU" 2> "$T/err"
is "$?:$(cat "$T/err" | head -n 1)" "2:hpo-ckpt: ls: the location is given twice: --url and an operand" \
	"--url and an operand: a usage error"
hpo-ckpt load -u "$SU" --from "$SU" 2> /dev/null
is "$?" 2 "--url and --from: a usage error"
hpo-ckpt load "$SU" 2> "$T/err"
like "$(cat "$T/err")" "load takes no operand: give the location with --url" "load URL points to --url"

# ---- no checkpoint yet, usage -----------------------------------------------------------

hpo-ckpt load -q --from "$T/nothing" 2> "$T/err"
is "$?" 3 "load with no checkpoint exits 3"
is "$(cat "$T/err")" "hpo-ckpt: no checkpoint in $T/nothing" "and says so once"
hpo-ckpt load 2> /dev/null
is "$?" 2 "no location: a usage error"
hpo-ckpt save --to "$S" 2> /dev/null
is "$?" 2 "save without paths: a usage error"
hpo-ckpt save --to "$S" ../x 2> "$T/err"
is "$?" 13 "save of ../x fails: invalid input (exit 13)"
like "$(cat "$T/err")" "relative and without '..'" "and says why"
hpo-ckpt save --to "$T/new/loc" ckpt nope 2> "$T/err"
is "$?:$(cat "$T/err")" "1:hpo-ckpt: nope: no such file or directory" \
	"a path to save that is missing: exit 1 (the file system, as hpo-tools(7) has it), one line"
ok "and nothing is made: not the location, not its parent" test ! -e "$T/new"
hpo-ckpt save --to "$T/new/loc" ../x 2> /dev/null
ok "nor for a path refused" test ! -e "$T/new"
hpo-ckpt save --to "dav://host/x" ckpt 2> "$T/err"
like "$(cat "$T/err")" "plain http is not allowed: use davs://" "dav:// (plain http) is refused"

# ---- a save killed midway ------------------------------------------------------------------

S2=$T/store2
echo "before" > params.txt
hpo-ckpt save -q --to "$S2" params.txt
head -c 200000000 /dev/urandom > big.bin
hpo-ckpt save -q --to "$S2" --gzip big.bin &
pid=$!
i=0
while [ "$(stat -c %s "$S2"/.gen-*.part 2>/dev/null || echo 0)" -lt 1000000 ] && [ $i -lt 1000 ]; do
	sleep 0.01
	i=$((i + 1))
done
kill -9 $pid
wait $pid 2> /dev/null
ok "the killed save left its temporary" sh -c "ls -A '$S2' | grep -q '^\.gen-00000002\..*\.part$'"
is "$(hpo-ckpt ls --json "$S2" | jq -r '[.generations[].generation] | join(" ")')" "1" \
	"the previous generation is still the newest"
rm -f params.txt
ok "and it loads" hpo-ckpt load -q --from "$S2"
is "$(cat params.txt)" "before" "with its content"
ok "the next save works" hpo-ckpt save -q --to "$S2" params.txt
ok "and removed the temporary" sh -c "! ls -A '$S2' | grep -q part"
rm -f big.bin

# ---- a damaged newest generation -------------------------------------------------------------

S3=$T/store3
echo "old" > params.txt
hpo-ckpt save -q --to "$S3" params.txt
echo "new" > params.txt
hpo-ckpt save -q --to "$S3" params.txt
newest=$(ls "$S3" | sort | tail -n 1)
size=$(stat -c %s "$S3/$newest")
printf 'X' | dd of="$S3/$newest" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
rm params.txt
hpo-ckpt load --from "$S3" 2> "$T/err"
is "$?" 0 "load with a damaged newest generation succeeds"
is "$(cat params.txt)" "old" "with the previous generation"
like "$(cat "$T/err")" "$newest: damaged" "and names the damaged one"
like "$(cat "$T/err")" "trying the previous generation" "and says it falls back"
oldest=$(ls "$S3" | sort | head -n 1)
truncate -s 10 "$S3/$oldest"
hpo-ckpt load -q --from "$S3" 2> "$T/err"
is "$?" 4 "every generation damaged: exit 4"

# ---- --keep counts good generations ------------------------------------------------------

# a load falls back past a damaged newest generation; the next save keeps
# the generation the training resumed from, not the damaged one
S9=$T/store9
for v in one two; do
	echo "$v" > params.txt
	hpo-ckpt save -q --to "$S9" params.txt
done
newest=$(ls "$S9" | sort | tail -n 1)
size=$(stat -c %s "$S9/$newest")
printf 'X' | dd of="$S9/$newest" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
rm params.txt
hpo-ckpt load -q --from "$S9"
is "$(cat params.txt)" "one" "a load falls back past the damaged generation 2"
is "$(hpo-ckpt ls --json "$S9" | jq -r '[.generations[] | "\(.generation):\(.damaged)"] | join(" ")')" \
	"2:true 1:false" "and marks it: ls --json says damaged"
like "$(hpo-ckpt ls "$S9" | sed -n 2p)" "  damaged" "ls says damaged"
hpo-ckpt load --from "$S9" 2> "$T/err"
like "$(cat "$T/err")" "damaged (found by an earlier load): trying the previous generation" \
	"the next load skips it without reading it, saying so"
echo three > params.txt
hpo-ckpt save -q --to "$S9" --keep 2 params.txt
is "$(hpo-ckpt ls --json "$S9" | jq -r '[.generations[].generation] | join(" ")')" "3 1" \
	"save --keep 2 keeps the new and the good generation, the damaged one goes"
g=$(ls "$S9" | sort | tail -n 1)
truncate -s 5 "$S9/$g"
echo four > params.txt
hpo-ckpt save -q --to "$S9" --keep 2 params.txt
is "$(hpo-ckpt ls --json "$S9" | jq -r '[.generations[].generation] | join(" ")')" "4 1" \
	"an incomplete generation is not counted either"

# ---- a directory that cannot be written ------------------------------------------------------

# as nobody (the tests run as root, who may write anywhere): its own
# readable store, a target of root's with mode 555
U=$(mktemp -d /tmp/hpo-ckpt-ro.XXXXXX)
chmod 755 "$U"
mkdir "$U/ro" "$U/w"
echo "x" > "$U/w/x.txt"
(cd "$U/w" && hpo-ckpt save -q --to "$U/store" x.txt)
chmod -R a+rX "$U/store"
chmod 555 "$U/ro"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
as_nobody hpo-ckpt load --from "$U/store" -C "$U/ro" 2> "$T/err"
is "$?" 1 "load -C into a directory that cannot be written: exit 1"
is "$(cat "$T/err")" "hpo-ckpt: $U/ro: permission denied" "naming the directory once"
(cd "$U/ro" && as_nobody hpo-ckpt load --from "$U/store") 2> "$T/err"
is "$?:$(cat "$T/err")" "1:hpo-ckpt: $U/ro: permission denied" \
	"into the working directory: the same, naming it by its path"
unshare -m sh -c 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" &&
	hpo-ckpt load --from "$2" -C "$1"' _ "$U/w" "$U/store" 2> "$T/err"
is "$?:$(cat "$T/err")" "1:hpo-ckpt: $U/w: read-only file system" \
	"a read-only file system (a private read-only bind mount): exit 1, one line"
rm -rf "$U"

# ---- hostile archives -----------------------------------------------------------------------

# hostile STORE KIND: a gzip tar generation made by Python's tarfile
hostile() {
	mkdir -p "$1"
	python3 - "$1" "$2" <<'EOF'
import io, sys, tarfile, zlib
store, kind = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as t:
    def reg(name, data=b"evil\n"):
        i = tarfile.TarInfo(name); i.size = len(data); t.addfile(i, io.BytesIO(data))
    def sym(name, target):
        i = tarfile.TarInfo(name); i.type = tarfile.SYMTYPE; i.linkname = target; t.addfile(i)
    reg("fine.txt", b"fine\n")
    if kind == "absolute":
        reg(store + "/../abs-evil")
    elif kind == "dotdot":
        reg("../dotdot-evil")
    elif kind == "symlink":
        sym("etc", store + "/..")
        reg("etc/link-evil")
    elif kind == "device":
        i = tarfile.TarInfo("null"); i.type = tarfile.CHRTYPE; i.devmajor = 1; i.devminor = 3
        t.addfile(i)
data = buf.getvalue()
name = "gen-00000001-%08x-%d.tar.gz" % (zlib.adler32(data), len(data))
open(store + "/" + name, "wb").write(data)
EOF
}

for kind in absolute dotdot symlink device; do
	hostile "$T/h-$kind/store" "$kind"
	mkdir -p "$T/h-$kind/target"
	hpo-ckpt load --from "$T/h-$kind/store" -C "$T/h-$kind/target" 2> "$T/err"
	rc=$?
	is "$rc:$(ls -A "$T/h-$kind/target" | tr '\n' ' ')$(ls "$T/h-$kind" | tr '\n' ' ')" \
		"4:store target " "hostile archive ($kind): refused, nothing written anywhere"
done
like "$(cat "$T/err")" "refused" "the message says refused"

# ---- watch with a real SIGTERM --------------------------------------------------------------

S4=$T/store4
cat > "$T/train.sh" <<'EOF'
n=0
trap 'echo "final $n" > state/step; exit 3' TERM
mkdir -p state
while :; do
	n=$((n + 1))
	echo "step $n" > state/step
	sleep 0.2
done
EOF
# its own session, as the pilot's payload: hpo-ckpt leads the process group
setsid hpo-ckpt watch -q --interval 1 --to "$S4" state -- sh "$T/train.sh" &
pid=$!
wait_for 10 sh -c "ls '$S4' | grep -q gen-" || diag "no interval save"
sleep 0.5
pgid=$(ps -o pgid= -p $pid | tr -d ' ')
t0=$(date +%s.%N)
kill -TERM "-$pgid"
wait $pid
rc=$?
t1=$(date +%s.%N)
is "$rc" 3 "watch exits with the command's status"
ok "it ended within 2 s of SIGTERM" python3 -c "import sys; sys.exit(not ($t1 - $t0) < 2)"
rm -rf state
hpo-ckpt load -q --from "$S4"
like "$(cat state/step)" "final" "the last save has the command's last word"
ok "interval saves happened before" test "$(hpo-ckpt ls --json "$S4" | jq '.generations[0].generation')" -ge 2

# SIGTERM to hpo-ckpt alone (docker stop, kill PID) is passed on
S5=$T/store5
rm -rf state
hpo-ckpt watch -q --interval 60 --to "$S5" state -- sh "$T/train.sh" &
pid=$!
wait_for 5 test -f state/step
sleep 0.3
kill -TERM $pid
wait $pid
is "$?" 3 "a SIGTERM to hpo-ckpt alone reaches the command"
rm -rf state
hpo-ckpt load -q --from "$S5"
like "$(cat state/step 2>/dev/null)" "final" "and the last state is saved"

hpo-ckpt watch -q --to "$S5" nothing -- sh -c 'exit 5'
is "$?" 5 "watch passes on a plain exit status"

# ---- memory ----------------------------------------------------------------------------------------

rm -rf state
head -c 500000000 /dev/urandom > big.bin
/usr/bin/time -f '%M %e' -o "$T/time" hpo-ckpt save -q --to "$T/store6" big.bin
read -r kb secs < "$T/time"
diag "save of 500 MB: max RSS ${kb} KB, ${secs} s"
ok "save of 500 MB stays under 64 MB of memory" test "$kb" -lt 65536
rm big.bin
/usr/bin/time -f '%M %e' -o "$T/time" hpo-ckpt load -q --from "$T/store6"
read -r kb secs < "$T/time"
diag "load of 500 MB: max RSS ${kb} KB, ${secs} s"
ok "load of 500 MB stays under 64 MB of memory" test "$kb" -lt 65536
rm -f big.bin

# ---- progress on a terminal only ---------------------------------------------------------------
head -c 60000000 /dev/urandom > mid.bin
script -qec "hpo-ckpt save --gzip --to '$T/store7' mid.bin" /dev/null > "$T/tty.out"
like "$(tr '\r' '\n' < "$T/tty.out")" "saving generation 1: " \
	"on a terminal (script(1)), save shows a progress line"
like "$(tr '\r' '\n' < "$T/tty.out")" " MB/s" "with the rate"
hpo-ckpt save --gzip --to "$T/store7" mid.bin 2>"$T/notty.err"
is "$(grep -c 'MB/s' "$T/notty.err")" 0 "stderr not a terminal: no progress line"

# ---- a full disk (a 2 MB tmpfs in a private mount namespace: needs root) -------------------------
head -c 3000000 /dev/urandom > r.bin
hpo-ckpt save -q --to "$T/store8" r.bin
mkdir -p "$T/full"
unshare -m sh -c '
	mount -t tmpfs -o size=2m tmpfs "$1" || exit 9
	hpo-ckpt save -q --to "$1/ck" mid.bin 2>/dev/null	# too big: fails
	hpo-ckpt save -q --to "$1/ck" r.bin 2>"$1.save.err"
	echo "$?" >"$1.save.rc"
	ls -A "$1/ck" >"$1.ls"
	mkdir "$1/out"
	hpo-ckpt load -q --from "$2" -C "$1/out" 2>"$1.load.err"
	echo "$?" >"$1.load.rc"
	ls -A "$1/out" >"$1.out.ls"' _ "$T/full" "$T/store8"
is "$?" 0 "a 2 MB tmpfs is mounted in a private mount namespace (root)"
is "$(cat "$T/full.save.rc")" 1 "save to a full disk: exit 1"
like "$(cat "$T/full.save.err")" ": disk full" "saying the disk is full"
is "$(wc -l < "$T/full.save.err")" 1 "in one line"
is "$(cat "$T/full.ls")" "" "no temporary is left behind"
is "$(cat "$T/full.load.rc")" 1 "load onto a full disk: exit 1"
is "$(cat "$T/full.load.err")" "hpo-ckpt: $T/full/out: r.bin: disk full" "naming where and what"
is "$(cat "$T/full.out.ls")" "" "nothing half-extracted is left"
rm -f mid.bin r.bin

done_testing
