#!/bin/sh
# The watchdog every test runs under (tests/lib/run-test): a test that hangs
# bails out, names what still ran, and leaves no process behind.
. "$top_srcdir/tests/lib/tap.sh"
plan 7

cat >"$T/hang.sh" <<'SH'
#!/bin/sh
echo "1..2"
echo "ok 1 - before the hang"
sleep 300 &
echo $! >"$1/child"
sleep 301
SH
chmod +x "$T/hang.sh"

HPO_TEST_TIMEOUT=2 sh "$top_srcdir/tests/lib/run-test" "$T/hang.sh" "$T" >"$T/out" 2>&1
rc=$?
ok "a test that hangs fails (exit $rc)" test "$rc" -ne 0
like "$(cat "$T/out")" "Bail out! $T/hang.sh did not end within 2 s" "it bails out, naming the test"
like "$(cat "$T/out")" "sleep 300" "it lists the processes that still ran"
# gone, or a zombie that nobody reaped yet (init in a container may not)
alive() { ps -o stat= -p "$1" | grep -qv '^Z'; }
wait_for 5 eval '! alive "$(cat "$T/child")"'
ok "its child is gone too" test "$?" -eq 0
like "$(cat "$T/out")" "ok 1 - before the hang" "what the test printed before is kept"

printf '#!/bin/sh\necho 1..1\necho ok 1\nexit 3\n' >"$T/three.sh"
chmod +x "$T/three.sh"
sh "$top_srcdir/tests/lib/run-test" "$T/three.sh" >"$T/out3" 2>&1
is "$?" 3 "a test's exit status passes through"
like "$(cat "$T/out3")" "three.sh took" "its wall time ends its output"
done_testing
