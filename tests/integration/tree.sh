#!/bin/sh
# tree.sh - no stray files at the top of the source tree: in a git checkout
# every tracked top-level entry, in a distribution every top-level entry,
# is one the project means to have (scratch files such as `err` or a test's
# task directory once landed there by accident).
. "$top_srcdir/tests/lib/tap.sh"

plan 2

# What belongs at the top: the project's own files and, in a distribution,
# what autotools generates there and the build and install directories of
# `make distcheck`.
allowed='.ci .gitignore Makefile.am NEWS README.md bench completions configure.ac containers
docs examples m4 man src tests tools
Makefile.in aclocal.m4 autoconf.h.in build-aux configure _build _inst'

stray() {	# stray: the names on stdin that are not allowed, one a line
	while IFS= read -r name; do
		case " $(echo $allowed) " in
		*" $name "*) ;;
		*) echo "$name" ;;
		esac
	done
}

if git -C "$top_srcdir" rev-parse --is-inside-work-tree >/dev/null 2>&1 &&
	[ "$(git -C "$top_srcdir" rev-parse --show-toplevel)" = "$(cd "$top_srcdir" && pwd -P)" ]; then
	list=$(git -C "$top_srcdir" ls-files | sed 's|/.*||' | sort -u)
	what="tracked"
else
	list=$(cd "$top_srcdir" && ls -A)
	what="distributed"
fi
is "$(printf '%s\n' "$list" | stray)" "" "no stray $what file at the top of the tree"
# the check itself catches one
is "$(printf 'src\nerr\ngp.json\n' | stray | tr '\n' ' ')" "err gp.json " "a scratch file is caught"

done_testing
