#!/bin/sh
# options.sh - the man pages and shell completions agree with --help
#
# For each tool, --help is the truth (it prints the option table the parser
# uses).  The completions' option lists are made from the same table at
# build time (tools/gen-completion), so here they are only checked to be
# whole and to parse; what is hand-written in their templates
# (completions/*.in: the options whose values are completed) must name
# options of the table.  Every long and short option --help lists must
# appear in the OPTIONS section of the man page; it must list no other option, in the same order
# and with the same argument names; its SYNOPSIS must equal the usage lines;
# its EXIT STATUS refers to hpo-tools(7), names only codes of --help and
# every code of the tool's own (4-8).  hpo-tools(7) lists the shared exit
# codes as --help prints them (the table of src/lib/exitcode.c) and the
# shared options.  The man pages must also be free of roff warnings.

. "$top_srcdir/tests/lib/tap.sh"

tools="hpo-submit hpo-status hpo-ckpt hpo-steer hpo-plot"
man=$top_srcdir/man
comp=$top_builddir/completions		# made by the build
tmpl=$top_srcdir/completions		# their templates

# ---- reading --help ------------------------------------------------------------

# The usage lines, without "usage:": "hpo-submit --local [options] TASKFILE".
help_usage() {
	awk 'NR == 1 || started { started = 1; if ($0 == "") exit
		sub(/^usage:/, ""); sub(/^ +/, ""); print }' "$1"
}

# The left column of the option table: "-r, --resume ID", "--db PATH".
help_columns() {
	awk '/^options:/ { on = 1; next }
		on && /^$/ { exit }
		on && /^ +-/ { sub(/^ +/, ""); sub(/  .*/, ""); print }' "$1"
}

# Option names, one a line: -r, --resume, --db, ...
option_names() {
	sed 's/,/ /g' | tr ' ' '\n' | grep -E '^--?[A-Za-z0-9]'
}

# Exit codes of the footer, ranges expanded, one a line, sorted.
help_codes() {
	awk '/^exit status/ { on = 1; next } on && /^  [0-9]/ { print $1 }' "$1" | expand_codes
}

# The tool's own codes (4-8) of the footer.
own_codes() {
	help_codes "$1" | awk '$1 >= 4 && $1 <= 8'
}

# The shared rows of the footer, "CODE NAME help", one a line: the named
# rows outside the tools' own range.
shared_rows() {
	awk '/^exit status/ { on = 1; next }
		on && /^  [0-9]+ +[A-Z]/ && !($1 >= 4 && $1 <= 8) {
			sub(/^ +/, ""); gsub(/ +/, " "); print }' "$1"
}

expand_codes() {
	while read -r c; do
		case $c in
		*-*) i=${c%-*}; while [ "$i" -le "${c#*-}" ]; do echo "$i"; i=$((i + 1)); done ;;
		*) echo "$c" ;;
		esac
	done | sort -n
}

# ---- reading a man page (man(7) source) -------------------------------------

# roff SECTION MODE FILE: the text of a section.  MODE "tags" prints the tag
# line of each .TP; MODE "text" prints the filled text, a line per .br or
# paragraph.  Font escapes are dropped and \- is -.
roff() {
	awk -v want="$1" -v mode="$2" '
	function unesc(s) {
		gsub(/\\f[BIRPC]/, "", s)
		gsub(/\\f\(../, "", s)
		gsub(/\\-/, "-", s)
		gsub(/\\&/, "", s)
		gsub(/\\%/, "", s)
		gsub(/\\ /, " ", s)
		gsub(/\\\(aq/, "'\''", s)
		gsub(/\\\(dq/, "\"", s)
		gsub(/\\e/, "\\", s)
		return s
	}
	function splitargs(s, a,    n, i, c, cur, inq, have) {
		n = 0; cur = ""; inq = 0; have = 0
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\\") {
				cur = cur c substr(s, i + 1, 1); i++; have = 1
			} else if (inq) {
				if (c == "\"") {
					if (substr(s, i + 1, 1) == "\"") { cur = cur "\""; i++ }
					else inq = 0
				} else cur = cur c
			} else if (c == " " || c == "\t") {
				if (have) { a[++n] = cur; cur = ""; have = 0 }
			} else if (c == "\"" && !have) {
				inq = 1; have = 1
			} else {
				cur = cur c; have = 1
			}
		}
		if (have) a[++n] = cur
		return n
	}
	function text(line,    m, rest, n, a, i, s, sep) {
		if (line !~ /^[.\047]/)
			return unesc(line)
		m = substr(line, 2); sub(/[ \t].*/, "", m)
		rest = substr(line, length(m) + 2)
		if (m == "B" || m == "I" || m == "SM" || m == "SB") sep = " "
		else if (m ~ /^(BR|RB|BI|IB|IR|RI)$/) sep = ""
		else return ""
		n = splitargs(rest, a)
		s = ""
		for (i = 1; i <= n; i++) s = s (i > 1 ? sep : "") a[i]
		return unesc(s)
	}
	function flush() {
		if (buf != "") { gsub(/  +/, " ", buf); sub(/^ /, "", buf); sub(/ $/, "", buf); print buf }
		buf = ""
	}
	/^\.\\"/ { next }
	/^\.SH/ {
		if (mode == "text") flush()
		sec = substr($0, 5); gsub(/"/, "", sec); next
	}
	sec != want { next }
	mode == "tags" && /^\.TP/ { tag = 1; next }
	mode == "tags" && tag { print text($0); tag = 0; next }
	mode == "text" && /^\.(br|PP|LP|P|sp|TP|IP)([ \t]|$)/ { flush(); next }
	mode == "text" { t = text($0); if (t != "") buf = buf " " t }
	END { if (mode == "text") flush() }
	' "$3"
}

# ---- the completions ------------------------------------------------------------

# The words the bash completion offers after "TOOL -", one a line.
bash_offers() {	# FILE TOOL
	bash -c '. "$1" || exit 1
		fn=$(complete -p "$2" 2>/dev/null | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$fn" ] || exit 1
		COMP_WORDS=("$2" -); COMP_CWORD=1; COMP_LINE="$2 -"; COMP_POINT=${#COMP_LINE}
		"$fn" "$2" - "$2" || exit 1
		printf "%s\n" "${COMPREPLY[@]}"' _ "$1" "$2" 2>/dev/null
}

# The option names in the _arguments specs of a zsh completion, one a
# line: what stands before each spec's [description], without the
# exclusion list.
zsh_options() {
	awk '/_arguments/ { on = 1; next }
		on { print; if ($0 !~ /\\$/) exit }' "$1" |
	grep '\[' | sed -e 's/\[.*//' -e "s/'([^)]*)'//g" |
	grep -oE -- '--?[A-Za-z0-9][A-Za-z0-9-]*' | sort -u
}

# ---- the plan -------------------------------------------------------------------

n=0
for tool in $tools; do
	"$HPO_BINDIR/$tool" --help > "$T/$tool.help" 2>&1 || {
		echo "Bail out! $tool --help failed"
		exit 1
	}
	help_columns "$T/$tool.help" | option_names > "$T/$tool.opts"
	n=$((n + $(wc -l < "$T/$tool.opts") + 17))
done
pages=$(ls "$man"/*.[1-9] 2>/dev/null)
n=$((n + 2 * $(echo "$pages" | grep -c .) + 8))
plan "$n"

have() { command -v "$1" > /dev/null 2>&1; }
skip() { echo "ok $((tap_n + 1)) - $1 # SKIP $2"; tap_n=$((tap_n + 1)); }

# ---- the checks -------------------------------------------------------------------

for tool in $tools; do
	page=$(ls "$man/$tool".[1-9] 2>/dev/null | head -n 1)
	: "${page:=$man/$tool.1}"
	help_columns "$T/$tool.help" > "$T/$tool.columns"
	roff OPTIONS tags "$page" 2>/dev/null | grep '^-' > "$T/$tool.mantags"
	option_names < "$T/$tool.mantags" | sort -u > "$T/$tool.manopts"
	if have bash; then
		bash_offers "$comp/$tool.bash" "$tool" | sort -u > "$T/$tool.bashopts"
	else
		: > "$T/$tool.bashopts"
	fi
	zsh_options "$comp/_$tool" > "$T/$tool.zshopts" 2>/dev/null

	while read -r opt; do
		ok "$tool: $opt is in the OPTIONS of $(basename "$page")" \
			grep -qxF -- "$opt" "$T/$tool.manopts"
	done < "$T/$tool.opts"

	sort -u "$T/$tool.opts" > "$T/$tool.optset"
	if have bash; then
		is "$(comm -23 "$T/$tool.optset" "$T/$tool.bashopts" | tr '\n' ' ')" "" \
			"$tool: the bash completion offers every option of --help"
	else
		skip "$tool: the bash completion offers every option of --help" "no bash"
	fi
	is "$(comm -23 "$T/$tool.optset" "$T/$tool.zshopts" | tr '\n' ' ')" "" \
		"$tool: the zsh completion offers every option of --help"
	# hand-written: the options of the bash template's "case $prev" arms,
	# the zsh template's @value and @excl lines
	bad=$(sed -n 's/^\t\(-[-a-zA-Z0-9 |]*\))$/\1/p' "$tmpl/$tool.bash.in" | option_names |
		sort -u | comm -23 - "$T/$tool.optset" | tr '\n' ' ')
	is "$bad" "" "$tool: the bash template completes values of options --help has"
	bad=$(sed -n 's/^# @\(value\|excl\) //p' "$tmpl/_$tool.in" | sed 's/ :.*//' | option_names |
		sort -u | comm -23 - "$T/$tool.optset" | tr '\n' ' ')
	is "$bad" "" "$tool: the zsh template's @value and @excl name options --help has"
	bad=
	for opt in $(sed -n 's/^# @value \(--[-a-z0-9]*\).*/\1/p' "$tmpl/_$tool.in"); do
		grep -qE -- "^ +(-., )?$opt [^ ]" "$T/$tool.help" || bad="$bad $opt"
	done
	is "$bad" "" "$tool: the zsh template's @value options take an argument"
	extra=$(comm -13 "$T/$tool.optset" "$T/$tool.manopts" | tr '\n' ' ')
	is "$extra" "" "$tool: the man page lists no option that --help lacks"
	is "$(tr '\n' ';' < "$T/$tool.mantags")" "$(tr '\n' ';' < "$T/$tool.columns")" \
		"$tool: the man page has the options of --help in order, with their arguments"
	is "$(roff SYNOPSIS text "$page" 2>/dev/null | tr '\n' ';')" \
		"$(help_usage "$T/$tool.help" | tr '\n' ';')" \
		"$tool: SYNOPSIS equals the usage lines of --help"
	roff 'EXIT STATUS' tags "$page" 2>/dev/null | expand_codes | sort > "$T/$tool.mancodes"
	help_codes "$T/$tool.help" | sort > "$T/$tool.codes"
	is "$(comm -23 "$T/$tool.mancodes" "$T/$tool.codes" | tr '\n' ' ')" "" \
		"$tool: EXIT STATUS names only codes of the --help footer"
	is "$(own_codes "$T/$tool.help" | sort | comm -23 - "$T/$tool.mancodes" | tr '\n' ' ')" "" \
		"$tool: EXIT STATUS has the tool's own codes (4-8) of the --help footer"
	like "$(roff 'EXIT STATUS' text "$page" 2>/dev/null)" "hpo-tools(7)" \
		"$tool: EXIT STATUS refers to hpo-tools(7)"

	if have bash; then
		ok "$tool: bash completion parses" bash -n "$comp/$tool.bash"
		ok "$tool: bash completion is registered for $tool" test -s "$T/$tool.bashopts"
		extra=$(comm -13 "$T/$tool.optset" "$T/$tool.bashopts" | tr '\n' ' ')
		is "$extra" "" "$tool: the bash completion offers no option that --help lacks"
	else
		skip "$tool: bash completion parses" "no bash"
		skip "$tool: bash completion is registered for $tool" "no bash"
		skip "$tool: the bash completion offers no option that --help lacks" "no bash"
	fi
	like "$(head -n 1 "$comp/_$tool" 2>/dev/null)" "#compdef $tool" \
		"$tool: zsh completion starts with #compdef $tool"
	if have zsh; then
		ok "$tool: zsh completion parses" zsh -n "$comp/_$tool"
	else
		skip "$tool: zsh completion parses" "no zsh"
	fi
	extra=$(comm -13 "$T/$tool.optset" "$T/$tool.zshopts" | tr '\n' ' ')
	is "$extra" "" "$tool: the zsh completion offers no option that --help lacks"
done

# ---- hpo-tools(7): the shared exit codes and options ------------------------------

# hpo-plot has no codes of its own: its footer is the shared table
is "$(roff 'EXIT STATUS' text "$man/hpo-tools.7" 2>/dev/null | grep -E '^[0-9]+ [A-Z]+ ')" \
	"$(shared_rows "$T/hpo-plot.help")" \
	"hpo-tools(7): EXIT STATUS lists the shared codes as --help does"
for tool in $tools; do
	sed -n '/^options:/,/^$/p' "$T/$tool.help" |
		grep -E -- '^ +(-., )?--(help|version|quiet|local|db)( [A-Z]+)?  ' | sed 's/^ *//; s/   */  /'
done | sort -u > "$T/common.help"
roff 'COMMON OPTIONS' tags "$man/hpo-tools.7" 2>/dev/null | sort > "$T/common.tags"
is "$(sed 's/  .*//' "$T/common.help" | sort -u | tr '\n' ';')" "$(tr '\n' ';' < "$T/common.tags")" \
	"hpo-tools(7): COMMON OPTIONS are the shared options, with their arguments"
is "$(wc -l < "$T/common.help" | tr -d ' ')" 5 \
	"the shared options have one help text each, in every tool"

for page in $pages; do
	name=$(basename "$page")
	is "$(grep '^\.SH' "$page" | sort | uniq -d | tr '\n' ' ')" "" "$name: no section comes twice"
	if have mandoc; then
		is "$(mandoc -T lint -W warning "$page" 2>&1)" "" "$name: mandoc -T lint finds nothing"
	elif have groff; then
		is "$(groff -man -ww -z "$page" 2>&1)" "" "$name: groff -ww finds nothing"
	else
		skip "$name: no roff warnings" "neither mandoc nor groff"
	fi
done

# ---- hpo-steer: every built-in algorithm wherever one is chosen -------------------

# block_words FILE START: the bold words (.B, .BR) from the line that starts
# with START to the next .TP, .SS or .SH, sorted, on one line
block_words() {
	START=$2 awk 'index($0, ENVIRON["START"]) == 1 { on = 1; next }
		on && /^\.(TP|SS|SH)/ { exit }
		on && /^\.BR? / { w = $2; gsub(/[",]/, "", w); print w }' "$1" | sort -u | tr '\n' ' '
}
# the registry's names, as an unknown name lists them
algos=$("$HPO_BINDIR/hpo-steer" -a zzzzzzzzzzzz -i /dev/null -o /dev/null -n 1 -m 1 2>&1 |
	sed -n 's/.*(built in: \(.*\))$/\1/p' | tr -d ',' | tr ' ' '\n' | sort | tr '\n' ' ')
diag "built-in algorithms: $algos"
is "$(sed -n 's/.*--algorithm NAME *the optimiser: \([a-z, ]*\).*/\1/p' "$T/hpo-steer.help" |
	tr -d ',' | tr ' ' '\n' | grep . | sort | tr '\n' ' ')" "$algos" \
	"hpo-steer --help: --algorithm names every built-in algorithm"
is "$(block_words "$man/hpo-steer.1" '\fB\-a\fR, \fB\-\-algorithm')" "$algos" \
	"hpo-steer(1): --algorithm names every built-in algorithm"
is "$(sed -n "s/.*:algorithm:(\(.*\))'.*/\1/p" "$comp/_hpo-steer" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$algos" "hpo-steer: the zsh completion offers every built-in algorithm"
is "$(awk '/--algorithm\)/ { on = 1 } on && /compgen -W/ { print; exit }' "$comp/hpo-steer.bash" |
	sed "s/.*-W '\([^']*\)'.*/\1/" | tr ' ' '\n' | sort | tr '\n' ' ')" "$algos" \
	"hpo-steer: the bash completion offers every built-in algorithm"
missing=
for a in $algos; do
	block_words "$man/hpo-task.5" '.B algorithm' | grep -qw "$a" || missing="$missing $a"
done
is "$missing" "" "hpo-task(5): steering.algorithm names every built-in algorithm"

done_testing
