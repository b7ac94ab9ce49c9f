#!/bin/sh
# lib-cycles.sh - no two modules of src/lib use each other in a loop
# (tools/lib-cycles: from nm of the library's objects, which module's
# undefined symbols another module defines).  A loop is named with the
# symbols that make it.
. "$top_srcdir/tests/lib/tap.sh"

plan 3

lib=$top_builddir/src/lib/libhpo.a
out=$(python3 "$top_srcdir/tools/lib-cycles" "$lib" 2>&1)
rc=$?
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
is "$rc" 0 "no cycle among the modules of src/lib"

# the check itself catches one: a -> b -> c -> a, and d beside it
listing='lib.a[a.o]: fa T 0 1
lib.a[a.o]: fb U
lib.a[b.o]: fb T 0 1
lib.a[b.o]: fc U
lib.a[b.o]: fd U
lib.a[c.o]: fc T 0 1
lib.a[c.o]: fa U
lib.a[d.o]: fd T 0 1
lib.a[d.o]: fa U'
out=$(printf '%s\n' "$listing" | python3 "$top_srcdir/tools/lib-cycles" - 2>&1)
rc=$?
is "$rc" 1 "a loop fails the check"
is "$out" "cycle: a -> b -> c -> a (a: fb; b: fc; c: fa); in the same loop: d" \
	"and is named with its symbols"

done_testing
