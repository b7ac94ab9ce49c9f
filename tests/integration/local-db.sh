#!/bin/sh
# The local task database under real mistakes: two databases in one
# directory, an old database, a colleague's read-only one, another
# program's SQLite file, a damaged one, a directory we may not write.
. "$top_srcdir/tests/lib/tap.sh"
plan 42

mkdir "$T/task"
cat >"$T/task/eval.sh" <<'SH'
x=$(tr -d ' \n{}"' < input.json | sed -n 's/^x://p')
sleep "${EVAL_SLEEP:-0}"
echo "{\"status\": 0, \"loss\": $x}" > output.json
SH
cat >"$T/task/task.yaml" <<'YAML'
evaluation: {exec: sh eval.sh}
steering: {algorithm: random, seed: 3}
search-space:
  x: {method: uniform, dimension: {low: 0, high: 1}}
budget: {max-points: 3, points-per-iteration: 1, parallel-evaluations: 1}
YAML
# sql DB STATEMENTS...: run SQL on a database with Python's sqlite3
sql() {
	python3 - "$@" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
for s in sys.argv[2:]:
    c.execute(s)
c.close()
PY
}
# meta_id DB: the database's id
meta_id() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT value FROM meta WHERE key = ?", ("id",)).fetchone()[0])' "$1"
}

# ---- two databases in one directory: each keeps its own task files
S=$T/shared
HPO_DB=$S/a.db hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
adir=$(find "$S" -type d -path '*/1/points/1/attempt-1')	# wherever a.db keeps it
echo a >"$adir/mine"
HPO_DB=$S/b.db hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
is "$?" 0 "task 1 of b.db runs beside a.db"
ok "a.db's task 1 keeps its files (attempts and all)" test "$(cat "$adir/mine" 2>/dev/null)" = a
is "$adir" "$S/a.db.tasks/1/points/1/attempt-1" "in a.db.tasks/1/"
ok "b.db's task 1 has its own, in b.db.tasks/1/" \
	test -f "$S/b.db.tasks/1/points/1/attempt-1/output.json"
is "$(cat "$S/a.db.tasks/database-id")" "$(meta_id "$S/a.db")" "a.db.tasks/ carries a.db's id"
ok "no shared tasks/ directory" test ! -e "$S/tasks"

# a new a.db (another id) does not take over the old one's directory
mv "$S/a.db" "$S/a.db.old"
HPO_DB=$S/a.db hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>"$T/err"
is "$?" 1 "a new database whose <db>.tasks/ is another's: refused"
like "$(cat "$T/err")" "hpo-submit: $S/a.db.tasks: belongs to another database (id " "it says whose"
like "$(cat "$T/err")" "move it away, or give the database another name" "and what to do"
ok "the old directory is untouched" test "$(cat "$S/a.db.tasks/1/points/1/attempt-1/mine")" = a
mv "$S/a.db.old" "$S/a.db"

# ---- a database of the first schema (tasks/<id>/ beside it) keeps working
O=$T/old
mkdir "$O"
EVAL_SLEEP=0.5 HPO_DB=$O/a.db hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1 &
pid=$!
one_done() { [ -s "$O/a.db.tasks/1/points/1/attempt-1/output.json" ]; }
wait_for 30 one_done
kill -9 "$pid"
wait "$pid" 2>/dev/null
# as the first hpo-tools left it: no layout column, no id, schema 1 in meta only
sql "$O/a.db" "ALTER TABLE tasks DROP COLUMN layout" "DELETE FROM meta WHERE key = 'id'" \
	"UPDATE meta SET value = '1' WHERE key = 'schema'" "PRAGMA application_id = 0" \
	"PRAGMA user_version = 0"
mkdir "$O/tasks"
mv "$O/a.db.tasks/1" "$O/tasks/1"
rm -r "$O/a.db.tasks"
cp "$O/a.db" "$O/b.db"	# a second old database with a task 1 of its own
EVAL_SLEEP=0 HPO_DB=$O/a.db hpo-submit --local -q --resume 1 >/dev/null 2>"$T/err"
is "$?" 0 "an old database's task resumes"
is "$(HPO_DB=$O/a.db hpo-status --local --json 1 | jq -r '.tasks[0].status + " " + (.tasks[0].counts.finished|tostring)')" \
	"done 3" "and ends done with its 3 points"
ok "in its old place tasks/1/" test -f "$O/tasks/1/points/3/attempt-1/output.json"
is "$(cat "$O/tasks/1/database-id")" "$(meta_id "$O/a.db")" "now marked as a.db's"
is "$(python3 -c "
import sqlite3; print(sqlite3.connect('$O/a.db').execute('PRAGMA user_version').fetchone()[0])")" 2 \
	"the database is brought to schema 2"
HPO_DB=$O/b.db hpo-submit --local -q --resume 1 >/dev/null 2>"$T/err"
is "$?" 1 "the other old database's task 1 is refused a.db's tasks/1/"
like "$(cat "$T/err")" "hpo-submit: $O/tasks/1: belongs to another database" "and says why"

# ---- resuming makes no database
HPO_DB=$T/none/x.db hpo-submit --local -q --resume 1 >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "3:hpo-submit: no database at $T/none/x.db" "--resume with no database: exit 3, named"
ok "and none is made" test ! -e "$T/none"

# ---- another program's SQLite file: refused, byte for byte untouched
sql "$T/optuna.db" "CREATE TABLE studies(study_id INTEGER PRIMARY KEY, study_name TEXT)" \
	"CREATE TABLE alembic_version(version_num TEXT)" "INSERT INTO studies VALUES(1, 's')"
cp "$T/optuna.db" "$T/optuna.ref"
HPO_DB=$T/optuna.db hpo-status --local >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:hpo-status: $T/optuna.db: not an hpo-tools database" \
	"hpo-status: not an hpo-tools database"
HPO_DB=$T/optuna.db hpo-plot --local --term >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:hpo-plot: $T/optuna.db: not an hpo-tools database" "hpo-plot: the same"
HPO_DB=$T/optuna.db hpo-submit --local -q "$T/task/task.yaml" >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "1:hpo-submit: $T/optuna.db: not an hpo-tools database" \
	"hpo-submit: the same"
ok "the file is byte-identical" cmp "$T/optuna.db" "$T/optuna.ref"
ok "and nothing was made beside it" test ! -e "$T/optuna.db.tasks" -a ! -e "$T/optuna.db-wal"

# ---- a damaged database: the task, point and column named, never garbage
cp "$S/a.db" "$T/dmg.db"
sql "$T/dmg.db" "UPDATE points SET loss = 9e999 WHERE id = 2"
HPO_DB=$T/dmg.db hpo-status --local 1 >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"1:hpo-status: $T/dmg.db: task 1 point 2: column loss: inf is not a finite number (the database is damaged)" \
	"an infinite loss: named"
is "$(cat "$T/out")" "" "nothing on stdout"
cp "$S/a.db" "$T/dmg.db"
sql "$T/dmg.db" "UPDATE points SET params = '{\"x\": 0.' WHERE id = 3"
HPO_DB=$T/dmg.db hpo-plot --local --term 1 >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"1:hpo-plot: $T/dmg.db: task 1 point 3: column params: '{\"x\": 0.' is not JSON (the database is damaged)" \
	"unparsable parameters: named"
cp "$S/a.db" "$T/dmg.db"
sql "$T/dmg.db" "UPDATE tasks SET created = 1e300"
HPO_DB=$T/dmg.db hpo-status --local --json 1 >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"1:hpo-status: $T/dmg.db: task 1: column created: 1e+300 is not a time (Unix seconds up to the year 9999) (the database is damaged)" \
	"a huge time: named"
cp "$S/a.db" "$T/dmg.db"
sql "$T/dmg.db" "PRAGMA foreign_keys = OFF" "DELETE FROM points WHERE id = 2"
HPO_DB=$T/dmg.db hpo-status --local 1 >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"1:hpo-status: $T/dmg.db: task 1: point 2 is missing (the next one is 3; the database is damaged)" \
	"a lost row: named"

# ---- as another user: a colleague's database, a read-only directory
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
	for i in $(seq 13); do echo "ok $((tap_n + i)) # SKIP needs root, setpriv and a user nobody"; done
	tap_n=$((tap_n + 13))
	done_testing
	exit
fi
as_nobody() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
chmod 711 "$T"
chmod -R a+rX "$T/task"
R=$T/ro
mkdir "$R"
HPO_DB=$R/hpo.db hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1
cp "$R/hpo.db" "$T/ro.ref"
chmod 755 "$R"
chmod 644 "$R/hpo.db"
ls -a "$R" >"$T/ls.before"
HPO_DB=$R/hpo.db as_nobody hpo-status --local --json 1 >"$T/out" 2>"$T/err"
is "$?:$(jq -r '.tasks[0].status + " " + (.tasks[0].counts.finished|tostring)' "$T/out"):$(cat "$T/err")" \
	"0:done 3:" "hpo-status reads a database in a directory it may not write"
HPO_DB=$R/hpo.db as_nobody hpo-plot --local --term -k history 1 >"$T/out" 2>"$T/err"
is "$?:$(cat "$T/err")" "0:" "hpo-plot too"
ls -a "$R" >"$T/ls.after"
ok "no file appears there (no -wal, no -shm)" cmp "$T/ls.before" "$T/ls.after"
ok "the database is byte-identical" cmp "$R/hpo.db" "$T/ro.ref"

# a read-only file in a directory anyone may write (a shared area)
chmod 1777 "$R"
chmod 444 "$R/hpo.db"
HPO_DB=$R/hpo.db as_nobody hpo-status --local --json 1 >"$T/out" 2>"$T/err"
is "$?:$(jq -r '.tasks[0].status' "$T/out")" "0:done" "a read-only file in a shared directory is read"
ls -a "$R" >"$T/ls.after"
ok "and nothing is written beside it" cmp "$T/ls.before" "$T/ls.after"
chmod 755 "$R"

# while its owner's engine writes it (-wal and -shm there, not ours to write)
L=$T/live
mkdir "$L"
chmod 755 "$L"
EVAL_SLEEP=1 HPO_DB=$L/hpo.db hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>&1 &
pid=$!
one_finished() {
	[ "$(HPO_DB=$L/hpo.db as_nobody hpo-status --local --json 1 2>/dev/null |
		jq '.tasks[0].counts.finished')" -ge 1 ] 2>/dev/null
}
ok "a database in use is read as it is written" wait_for 30 one_finished
HPO_DB=$L/hpo.db as_nobody hpo-status --local --json 1 >"$T/out" 2>"$T/err"
is "$?:$(jq -r '.tasks[0].status' "$T/out"):$(cat "$T/err")" "0:running:" "showing the task running"
wait "$pid"
is "$(HPO_DB=$L/hpo.db hpo-status --local --json 1 | jq -r '.tasks[0].status')" done \
	"the engine was not disturbed"

# writing where we may not: the permission named, not SQLite's words
HPO_DB=$R/new.db as_nobody hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "1:hpo-submit: cannot create the database in $R: Permission denied" \
	"a directory we may not write: named"
HPO_DB=$R/sub/dir/new.db as_nobody hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "1:hpo-submit: cannot create the database in $R/sub/dir: $R/sub: Permission denied" \
	"a directory we may not make: the database's and the one refused, named"
chmod 644 "$R/hpo.db"
HPO_DB=$R/hpo.db as_nobody hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" "1:hpo-submit: $R/hpo.db: cannot write the database: Permission denied" \
	"a database we may not write: named"
chmod 777 "$R/hpo.db"
HPO_DB=$R/hpo.db as_nobody hpo-submit --local -q "$T/task/task.yaml" >/dev/null 2>"$T/err"
is "$?:$(cat "$T/err")" \
	"1:hpo-submit: $R/hpo.db: cannot write in its directory $R (for its -wal and -shm files): Permission denied" \
	"a database in a directory we may not write: named"

done_testing
