#!/bin/sh
# architecture.sh - docs/architecture.md stays true to src/lib: every
# module (a file of src/lib, .c and .h) has its row in the module table, every row
# names a module that exists, and every unit test a row names exists.
. "$top_srcdir/tests/lib/tap.sh"

plan 3

doc=$top_srcdir/docs/architecture.md
ls "$top_srcdir"/src/lib/*.[ch] | sed 's|.*/||; s|\.[ch]$||' | sort -u >"$T/modules"
sed -n 's/^| `\([a-z_]*\)` | .*/\1/p' "$doc" | sort >"$T/rows"
is "$(comm -23 "$T/modules" "$T/rows" | tr '\n' ' ')" "" "every module of src/lib has its row"
is "$(comm -13 "$T/modules" "$T/rows" | tr '\n' ' ')" "" "every row is a module of src/lib"
# the last column: test_X (tests/unit/test_X.c), "fuzz X" (tests/fuzz/fuzz_X.c) or -,
# then maybe the integration tests that cover it, in parentheses
sed -n 's/^| `[a-z_]*` | .* | \([^|]*\) |$/\1/p' "$doc" | sed 's/ *(.*)//' | tr ',' '\n' |
	sed 's/^ *//; s/ *$//' |
	while read -r t; do
		case $t in
		-) ;;
		"fuzz "*) [ -f "$top_srcdir/tests/fuzz/fuzz_${t#fuzz }.c" ] || echo "$t" ;;
		*) [ -f "$top_srcdir/tests/unit/$t.c" ] || echo "$t" ;;
		esac
	done >"$T/missing"
is "$(tr '\n' ' ' <"$T/missing")" "" "every test the table names exists"

done_testing
