/* test_store.c - the local task database, on a real SQLite file */
#include "autoconf.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "file.h"
#include "store.h"
#include "view.h"

/* Each test gets a fresh temporary directory, removed afterwards. */
static int
setup(void **state)
{
	char *dir = strdup("/tmp/test_store.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL)
		return -1;
	*state = dir;
	return 0;
}

static int
teardown(void **state)
{
	struct hpo_err err = {0};
	int rc = hpo_rmtree(*state, &err);

	free(*state);
	return rc;
}

static char *
path_in(void **state, const char *name)
{
	char *p = hpo_path_join(*state, name);

	assert_non_null(p);
	return p;
}

static struct hpo_store *
open_ok(const char *path)
{
	struct hpo_err err = {0};
	struct hpo_store *st = NULL;

	if (hpo_store_open(path, &st, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(st);
	return st;
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static json_t *
json_ok(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (v == NULL)
		fail_msg("bad JSON in the test: %s", jerr.text);
	return v;
}

/* Run one SQL statement on the file with sqlite3 directly; the first
 * column of the first row, if any, goes to out (malloc'ed). */
static void
raw_sql(const char *path, const char *sql, char **out)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int rc;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	rc = sqlite3_step(s);
	assert_true(rc == SQLITE_ROW || rc == SQLITE_DONE);
	if (out != NULL) {
		assert_int_equal(rc, SQLITE_ROW);
		*out = strdup((const char *)sqlite3_column_text(s, 0));
	}
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* ---- opening ----------------------------------------------------------------- */

static void
test_open_creates_and_reopens(void **state)
{
	char *path = path_in(state, "a/b/c/hpo.db"), *wal = path_in(state, "a/b/c/hpo.db-wal");
	char *mode = NULL;
	struct hpo_err err = {0};
	struct hpo_store *st;
	struct hpo_task_row row;
	int64_t id = 0;

	st = open_ok(path);
	assert_true(exists(path));
	/* WAL: the -wal file is there while the database is open */
	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &id, &err), 0);
	assert_true(exists(wal));
	hpo_store_close(st);
	raw_sql(path, "PRAGMA journal_mode", &mode);
	assert_string_equal(mode, "wal");
	free(mode);

	/* reopening keeps the data */
	st = open_ok(path);
	assert_int_equal(hpo_store_task_get(st, id, &row, &err), 0);
	assert_string_equal(row.name, "t");
	hpo_task_row_free(&row);
	hpo_store_close(st);
	free(path);
	free(wal);
}

static void
test_open_newer_schema(void **state)
{
	char *path = path_in(state, "hpo.db"), expect[PATH_MAX + 100];
	struct hpo_err err = {0};
	struct hpo_store *st = open_ok(path);
	char *v = NULL;

	hpo_store_close(st);
	/* the version in meta (schema 1 readers check it) and in the header */
	raw_sql(path, "SELECT value FROM meta WHERE key = 'schema'", &v);
	assert_string_equal(v, "2");
	free(v);
	raw_sql(path, "PRAGMA user_version", &v);
	assert_string_equal(v, "2");
	free(v);
	raw_sql(path, "PRAGMA application_id", &v);
	assert_string_equal(v, "1213222740");	/* "HPOT" */
	free(v);
	raw_sql(path, "UPDATE meta SET value = '99' WHERE key = 'schema'", NULL);
	st = (struct hpo_store *)1;
	assert_int_equal(hpo_store_open(path, &st, &err), -1);
	assert_null(st);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect), "%s: made by a newer hpo-tools (schema 99, this one "
		 "knows 2)", path);
	assert_string_equal(err.msg, expect);
	/* and it is left as it was */
	raw_sql(path, "SELECT value FROM meta WHERE key = 'schema'", &v);
	assert_string_equal(v, "99");
	free(v);
	/* a newer version in the header alone is refused the same, to read too */
	raw_sql(path, "UPDATE meta SET value = '2' WHERE key = 'schema'", NULL);
	raw_sql(path, "PRAGMA user_version = 3", NULL);
	st = (struct hpo_store *)1;
	assert_int_equal(hpo_store_open_read(path, &st, &err), -1);
	assert_null(st);
	snprintf(expect, sizeof(expect), "%s: made by a newer hpo-tools (schema 3, this one "
		 "knows 2)", path);
	assert_string_equal(err.msg, expect);
	raw_sql(path, "PRAGMA user_version", &v);
	assert_string_equal(v, "3");
	free(v);
	free(path);
}

static void
test_open_parent_is_a_file(void **state)
{
	char *file = path_in(state, "plain"), *path = path_in(state, "plain/hpo.db");
	char *deep = path_in(state, "plain/sub/hpo.db"), expect[PATH_MAX + 64];
	struct hpo_err err = {0};
	struct hpo_store *st = (struct hpo_store *)1;
	FILE *f = fopen(file, "w");

	assert_non_null(f);
	fclose(f);
	assert_int_equal(hpo_store_open(path, &st, &err), -1);
	assert_null(st);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect), "cannot create the database in %s: Not a directory",
		 file);
	assert_string_equal(err.msg, expect);
	assert_false(exists(path));

	/* the message names the file that stands where a directory should */
	st = (struct hpo_store *)1;
	assert_int_equal(hpo_store_open(deep, &st, &err), -1);
	assert_null(st);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect),
		 "cannot create the database in %s/plain/sub: %s/plain: Not a directory",
		 (char *)*state, (char *)*state);
	assert_string_equal(err.msg, expect);
	free(file);
	free(path);
	free(deep);
}

/* ---- tasks --------------------------------------------------------------------- */

static void
test_tasks(void **state)
{
	char *path = path_in(state, "hpo.db");
	struct hpo_store *st = open_ok(path);
	struct hpo_err err = {0};
	struct hpo_task_row row;
	int64_t a = 0, b = 0, *ids = NULL;
	size_t n = 99;
	double before, after;

	assert_int_equal(hpo_store_task_ids(st, &ids, &n, &err), 0);
	assert_int_equal(n, 0);
	free(ids);

	before = hpo_now();
	assert_int_equal(hpo_store_task_create(st, "first", "{\"k\": \"v\"}", "/work/t1", &a,
					       &err), 0);
	after = hpo_now();
	assert_int_equal(hpo_store_task_create(st, "second \"q\" \xc3\xa9", "{}", "/work/t2", &b,
					       &err), 0);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);

	assert_int_equal(hpo_store_task_get(st, a, &row, &err), 0);
	assert_int_equal(row.id, 1);
	assert_string_equal(row.name, "first");
	assert_string_equal(row.status, "registered");
	assert_string_equal(row.spec, "{\"k\": \"v\"}");
	assert_string_equal(row.dir, "/work/t1");
	assert_null(row.message);
	assert_true(row.created >= before && row.created <= after);
	assert_true(row.updated == row.created);
	assert_true(row.ended == 0);
	assert_int_equal(row.steering_done, 0);
	assert_int_equal(row.steering_runs, 0);
	assert_int_equal(row.steering_failures, 0);
	hpo_task_row_free(&row);
	assert_null(row.name);

	assert_int_equal(hpo_store_task_set_status(st, a, "failed", "3 points failed", 1700000123.25,
						   &err), 0);
	assert_int_equal(hpo_store_task_set_steering(st, a, 1, 7, 2, &err), 0);
	assert_int_equal(hpo_store_task_set_dir(st, a, "/elsewhere/t1", &err), 0);
	assert_int_equal(hpo_store_task_get(st, a, &row, &err), 0);
	assert_string_equal(row.status, "failed");
	assert_string_equal(row.message, "3 points failed");
	assert_true(row.ended == 1700000123.25);
	assert_true(row.updated >= after);
	assert_int_equal(row.steering_done, 1);
	assert_int_equal(row.steering_runs, 7);
	assert_int_equal(row.steering_failures, 2);
	assert_string_equal(row.dir, "/elsewhere/t1");
	assert_string_equal(row.name, "first");
	assert_string_equal(row.spec, "{\"k\": \"v\"}");
	hpo_task_row_free(&row);

	/* back to running: no message, not ended */
	assert_int_equal(hpo_store_task_set_status(st, a, "running", NULL, 0, &err), 0);
	assert_int_equal(hpo_store_task_get(st, a, &row, &err), 0);
	assert_string_equal(row.status, "running");
	assert_null(row.message);
	assert_true(row.ended == 0);
	hpo_task_row_free(&row);

	/* the other task is untouched */
	assert_int_equal(hpo_store_task_get(st, b, &row, &err), 0);
	assert_string_equal(row.name, "second \"q\" \xc3\xa9");
	assert_string_equal(row.status, "registered");
	assert_string_equal(row.dir, "/work/t2");
	assert_int_equal(row.steering_runs, 0);
	hpo_task_row_free(&row);

	assert_int_equal(hpo_store_task_ids(st, &ids, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 2);
	free(ids);

	assert_int_equal(hpo_store_task_get(st, 42, &row, &err), -1);
	assert_int_equal(err.kind, HPO_E_NOTFOUND);
	assert_string_equal(err.msg, "no local task 42");
	assert_null(row.name);
	hpo_store_close(st);
	free(path);
}

/* ---- points -------------------------------------------------------------------- */

static void
test_points(void **state)
{
	static const char *const params[] = {
		"{\"x\":0.5,\"n\":3}",
		"{\"opt\":{\"name\":\"adam\",\"betas\":[0.5,0.875]},\"s\":\"say \\\"hi\\\"\\\\\"}",
		"{\"u\":\"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\",\"big\":9007199254740993,"
		"\"t\":true,\"z\":null}",
	};
	char *path = path_in(state, "hpo.db");
	struct hpo_store *st = open_ok(path);
	struct hpo_err err = {0};
	struct hpo_point_row *rows = NULL, up;
	int64_t task = 0, other = 0;
	size_t n = 0;

	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &task, &err), 0);
	assert_int_equal(hpo_store_task_create(st, "o", "{}", "/o", &other, &err), 0);
	/* added out of order: listed in id order */
	for (int i = 2; i >= 0; i--) {
		json_t *p = json_ok(params[i]);
		assert_int_equal(hpo_store_point_add(st, task, i + 1, p, 1000.5 + i, &err), 0);
		json_decref(p);
	}
	json_t *op = json_ok("{\"x\":1}");
	assert_int_equal(hpo_store_point_add(st, other, 1, op, 5, &err), 0);
	/* the same id twice in one task is refused */
	assert_int_equal(hpo_store_point_add(st, other, 1, op, 5, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	json_decref(op);

	assert_int_equal(hpo_store_points(st, task, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_ok(params[i]);
		char *t = json_dumps(rows[i].params, JSON_COMPACT | JSON_PRESERVE_ORDER);

		assert_int_equal(rows[i].id, (int64_t)i + 1);
		assert_true(json_equal(rows[i].params, p));
		/* the text itself, key order and all */
		assert_string_equal(t, params[i]);
		assert_string_equal(rows[i].status, "pending");
		assert_int_equal(rows[i].has_loss, 0);
		assert_int_equal(rows[i].attempts, 0);
		assert_null(rows[i].message);
		assert_true(rows[i].created == 1000.5 + (double)i);
		assert_true(rows[i].started == 0);
		assert_true(rows[i].ended == 0);
		free(t);
		json_decref(p);
	}
	hpo_point_rows_free(rows, n);

	/* finished with a loss; failed without one */
	memset(&up, 0, sizeof(up));
	up.id = 2;
	up.status = "finished";
	up.has_loss = 1;
	up.loss = -0.125;
	up.attempts = 2;
	up.started = 2000.25;
	up.ended = 2010.75;
	assert_int_equal(hpo_store_point_update(st, task, &up, &err), 0);
	up.id = 3;
	up.status = "failed";
	up.has_loss = 0;
	up.loss = 99;
	up.attempts = 3;
	up.message = "exit status 1: \"bad\"";
	assert_int_equal(hpo_store_point_update(st, task, &up, &err), 0);

	assert_int_equal(hpo_store_points(st, task, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].status, "pending");
	assert_string_equal(rows[1].status, "finished");
	assert_int_equal(rows[1].has_loss, 1);
	assert_true(rows[1].loss == -0.125);
	assert_int_equal(rows[1].attempts, 2);
	assert_null(rows[1].message);
	assert_true(rows[1].started == 2000.25);
	assert_true(rows[1].ended == 2010.75);
	assert_true(rows[1].created == 1001.5);
	assert_string_equal(rows[2].status, "failed");
	assert_int_equal(rows[2].has_loss, 0);
	assert_int_equal(rows[2].attempts, 3);
	assert_string_equal(rows[2].message, "exit status 1: \"bad\"");
	/* params are not touched by an update */
	char *t = json_dumps(rows[1].params, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(t, params[1]);
	free(t);
	hpo_point_rows_free(rows, n);

	/* a loss of 0 is a loss */
	up.id = 1;
	up.status = "finished";
	up.has_loss = 1;
	up.loss = 0;
	up.message = NULL;
	assert_int_equal(hpo_store_point_update(st, task, &up, &err), 0);
	assert_int_equal(hpo_store_points(st, task, &rows, &n, &err), 0);
	assert_int_equal(rows[0].has_loss, 1);
	assert_true(rows[0].loss == 0);
	hpo_point_rows_free(rows, n);

	assert_int_equal(hpo_store_points(st, other, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(json_integer_value(json_object_get(rows[0].params, "x")), 1);
	hpo_point_rows_free(rows, n);
	assert_int_equal(hpo_store_points(st, 77, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_null(rows);
	hpo_store_close(st);
	free(path);
}

/* ---- attempts ---------------------------------------------------------------- */

/* The first schema, as the first hpo-tools wrote it (no application_id,
 * no user_version, no points.intermediate, no tasks.layout), with one task
 * and one point. */
static const char schema1[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE tasks(id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL, status TEXT NOT NULL, spec TEXT NOT NULL, dir TEXT NOT NULL,"
	"  message TEXT, created REAL NOT NULL, updated REAL NOT NULL, ended REAL,"
	"  steering_done INTEGER NOT NULL DEFAULT 0, steering_runs INTEGER NOT NULL DEFAULT 0,"
	"  steering_failures INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE points(task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
	"  id INTEGER NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL,"
	"  loss REAL, attempts INTEGER NOT NULL DEFAULT 0, message TEXT,"
	"  created REAL NOT NULL, started REAL, ended REAL, PRIMARY KEY(task_id, id));"
	"CREATE TABLE attempts(task_id INTEGER NOT NULL, point_id INTEGER NOT NULL,"
	"  n INTEGER NOT NULL, status TEXT NOT NULL, pid INTEGER, pstart INTEGER, workdir TEXT,"
	"  started REAL, ended REAL, loss REAL, message TEXT, PRIMARY KEY(task_id, point_id, n),"
	"  FOREIGN KEY(task_id, point_id) REFERENCES points(task_id, id) ON DELETE CASCADE);"
	"INSERT INTO meta VALUES('schema', '1');"
	"INSERT INTO tasks(name, status, spec, dir, created, updated) "
	"  VALUES('old', 'paused', '{}', '/d', 1000, 1000);"
	"INSERT INTO points(task_id, id, params, status, loss, attempts, created) "
	"  VALUES(1, 1, '{\"x\":1}', 'finished', 0.5, 1, 1000);";

static void
make_schema1(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, schema1, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A point's intermediate losses are kept; a database of the first schema,
 * made before the column existed, is read as it is, and gets the column
 * when opened to write. */
static void
test_intermediate(void **state)
{
	char *path = path_in(state, "hpo.db");
	struct hpo_store *st;
	struct hpo_err err = {0};
	struct hpo_point_row *rows = NULL, up;
	json_t *params = json_ok("{\"x\": 1}");
	int64_t task = 0;
	size_t n = 0;
	char *text = NULL;

	make_schema1(path);
	/* read as it is, without the column */
	assert_int_equal(hpo_store_open_read(path, &st, &err), 0);
	assert_int_equal(hpo_store_points(st, 1, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_null(rows[0].intermediate);
	assert_true(rows[0].loss == 0.5);
	hpo_point_rows_free(rows, n);
	hpo_store_close(st);
	raw_sql(path, "SELECT count(*) FROM pragma_table_info('points') WHERE name = 'intermediate'",
		&text);
	assert_string_equal(text, "0");
	free(text);

	st = open_ok(path);
	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &task, &err), 0);
	assert_int_equal(hpo_store_point_add(st, task, 1, params, 1000, &err), 0);
	assert_int_equal(hpo_store_point_add(st, task, 2, params, 1000, &err), 0);
	memset(&up, 0, sizeof(up));
	up.id = 1;
	up.status = "finished";
	up.has_loss = 1;
	up.loss = 0.25;
	up.intermediate = json_ok("[2, 1.5, 0.25]");
	assert_int_equal(hpo_store_point_update(st, task, &up, &err), 0);
	json_decref(up.intermediate);
	hpo_store_close(st);

	st = open_ok(path);
	assert_int_equal(hpo_store_points(st, task, &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	text = json_dumps(rows[0].intermediate, JSON_COMPACT);
	assert_string_equal(text, "[2,1.5,0.25]");
	free(text);
	assert_null(rows[1].intermediate);
	hpo_point_rows_free(rows, n);
	hpo_store_close(st);
	json_decref(params);
	free(path);
}

static void
test_attempts(void **state)
{
	char *path = path_in(state, "hpo.db");
	struct hpo_store *st = open_ok(path);
	struct hpo_err err = {0};
	struct hpo_attempt_row a, *rows = NULL;
	int64_t task = 0;
	size_t n = 0;
	json_t *p = json_ok("{\"x\":1}");

	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &task, &err), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(hpo_store_point_add(st, task, i, p, 1, &err), 0);
	json_decref(p);

	memset(&a, 0, sizeof(a));
	/* point 2 before point 0, n 2 before n 1: listed by point then n */
	a.point = 2;
	a.n = 1;
	a.status = "running";
	a.pid = 4242;
	a.pstart = 123456789012LL;
	a.workdir = "/d/points/2/1";
	a.started = 3000.5;
	assert_int_equal(hpo_store_attempt_put(st, task, &a, &err), 0);
	a.point = 0;
	a.n = 2;
	a.status = "finished";
	a.pid = 0;
	a.pstart = 0;
	a.workdir = NULL;
	a.started = 10;
	a.ended = 20;
	a.has_loss = 1;
	a.loss = 0.75;
	assert_int_equal(hpo_store_attempt_put(st, task, &a, &err), 0);
	a.n = 1;
	a.status = "failed";
	a.has_loss = 0;
	a.message = "time limit of 1s exceeded";
	assert_int_equal(hpo_store_attempt_put(st, task, &a, &err), 0);

	assert_int_equal(hpo_store_attempts(st, task, -1, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(rows[0].point, 0);
	assert_int_equal(rows[0].n, 1);
	assert_string_equal(rows[0].status, "failed");
	assert_string_equal(rows[0].message, "time limit of 1s exceeded");
	assert_int_equal(rows[0].has_loss, 0);
	assert_int_equal(rows[0].pid, 0);
	assert_null(rows[0].workdir);
	assert_int_equal(rows[1].point, 0);
	assert_int_equal(rows[1].n, 2);
	assert_string_equal(rows[1].status, "finished");
	assert_int_equal(rows[1].has_loss, 1);
	assert_true(rows[1].loss == 0.75);
	assert_true(rows[1].started == 10 && rows[1].ended == 20);
	assert_null(rows[1].message);
	assert_int_equal(rows[2].point, 2);
	assert_int_equal(rows[2].n, 1);
	assert_string_equal(rows[2].status, "running");
	assert_int_equal(rows[2].pid, 4242);
	assert_true(rows[2].pstart == 123456789012LL);
	assert_string_equal(rows[2].workdir, "/d/points/2/1");
	assert_true(rows[2].started == 3000.5);
	assert_true(rows[2].ended == 0);
	assert_int_equal(rows[2].has_loss, 0);
	assert_null(rows[2].message);
	hpo_attempt_rows_free(rows, n);

	/* replace: the running attempt is interrupted */
	memset(&a, 0, sizeof(a));
	a.point = 2;
	a.n = 1;
	a.status = "interrupted";
	a.pid = 4242;
	a.pstart = 123456789012LL;
	a.workdir = "/d/points/2/1";
	a.started = 3000.5;
	a.ended = 3001;
	a.message = "hpo-submit was stopped";
	assert_int_equal(hpo_store_attempt_put(st, task, &a, &err), 0);
	assert_int_equal(hpo_store_attempts(st, task, 2, &rows, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].point, 2);
	assert_string_equal(rows[0].status, "interrupted");
	assert_string_equal(rows[0].message, "hpo-submit was stopped");
	assert_true(rows[0].ended == 3001);
	assert_string_equal(rows[0].workdir, "/d/points/2/1");
	hpo_attempt_rows_free(rows, n);

	assert_int_equal(hpo_store_attempts(st, task, 0, &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[0].n, 1);
	assert_int_equal(rows[1].n, 2);
	hpo_attempt_rows_free(rows, n);
	assert_int_equal(hpo_store_attempts(st, task, 1, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
	hpo_attempt_rows_free(rows, n);
	assert_int_equal(hpo_store_attempts(st, task, -1, &rows, &n, &err), 0);
	assert_int_equal(n, 3);
	hpo_attempt_rows_free(rows, n);

	/* an attempt at a point that does not exist is refused (foreign key) */
	a.point = 9;
	assert_int_equal(hpo_store_attempt_put(st, task, &a, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	assert_non_null(strstr(err.msg, "FOREIGN KEY"));
	hpo_store_close(st);
	free(path);
}

/* ---- what is not ours ---------------------------------------------------------- */

static char *
slurp(const char *path, size_t *len)
{
	struct hpo_err err = {0};
	char *buf = NULL;

	if (hpo_file_read(path, 1 << 24, &buf, len, &err) < 0)
		fail_msg("%s", err.msg);
	return buf;
}

static size_t
slurp_size(const char *path)
{
	size_t len;

	free(slurp(path, &len));
	return len;
}

/* Refused by both opens with "PATH: not an hpo-tools database", the file
 * byte for byte as it was and nothing beside it. */
static void
refused_untouched(void **state, const char *path)
{
	char expect[PATH_MAX + 64], *wal = NULL, *before, *after;
	struct hpo_err err = {0};
	struct hpo_store *st;
	size_t n1, n2;

	before = slurp(path, &n1);
	snprintf(expect, sizeof(expect), "%s: not an hpo-tools database", path);
	st = (struct hpo_store *)1;
	assert_int_equal(hpo_store_open(path, &st, &err), -1);
	assert_null(st);
	assert_int_equal(err.kind, HPO_E_SYS);
	assert_string_equal(err.msg, expect);
	st = (struct hpo_store *)1;
	assert_int_equal(hpo_store_open_read(path, &st, &err), -1);
	assert_null(st);
	assert_int_equal(err.kind, HPO_E_SYS);
	assert_string_equal(err.msg, expect);
	after = slurp(path, &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(before, after, n1);
	wal = hpo_strf("%s-wal", path);
	assert_false(exists(wal));
	free(wal);
	wal = hpo_strf("%s.tasks", path);
	assert_false(exists(wal));
	free(wal);
	free(before);
	free(after);
	(void)state;
}

static void
test_foreign_refused(void **state)
{
	char *optuna = path_in(state, "optuna.db"), *other = path_in(state, "other.db");
	char *appid = path_in(state, "appid.db"), *text = path_in(state, "notes.db");
	char *half = path_in(state, "half.db");
	FILE *f;

	/* Optuna's tables */
	raw_sql(optuna, "CREATE TABLE studies(study_id INTEGER PRIMARY KEY, study_name TEXT)", NULL);
	raw_sql(optuna, "CREATE TABLE alembic_version(version_num TEXT)", NULL);
	refused_untouched(state, optuna);
	/* a program with a table called meta, even with a schema row */
	raw_sql(other, "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)", NULL);
	raw_sql(other, "INSERT INTO meta VALUES('schema', '1')", NULL);
	refused_untouched(state, other);
	/* hpo-tools' four tables, but another program's application_id */
	make_schema1(appid);
	raw_sql(appid, "PRAGMA application_id = 1234", NULL);
	refused_untouched(state, appid);
	/* the four tables with no schema in meta */
	make_schema1(half);
	raw_sql(half, "DELETE FROM meta", NULL);
	refused_untouched(state, half);
	/* not SQLite at all */
	assert_non_null(f = fopen(text, "w"));
	fputs("shopping list: eggs, milk, flour, and a great deal more text than a header\n", f);
	for (int i = 0; i < 20; i++)
		fputs("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	refused_untouched(state, text);
	free(optuna);
	free(other);
	free(appid);
	free(text);
	free(half);
}

/* ---- opening to read ----------------------------------------------------------- */

static void
test_open_read(void **state)
{
	char *path = path_in(state, "sub/hpo.db"), *empty = path_in(state, "empty.db");
	char *dir = path_in(state, "sub"), expect[PATH_MAX + 64];
	struct hpo_err err = {0};
	struct hpo_store *st = (struct hpo_store *)1;
	struct hpo_task_row row;
	int64_t id = 0, *ids = NULL;
	size_t n = 0;
	FILE *f;

	/* no database: an error naming it; nothing made by looking */
	assert_int_equal(hpo_store_open_read(path, &st, &err), -1);
	assert_null(st);
	assert_int_equal(err.kind, HPO_E_NOTFOUND);
	snprintf(expect, sizeof(expect), "no database at %s", path);
	assert_string_equal(err.msg, expect);
	assert_false(exists(dir));

	/* an empty file is no database to read (to write, it is a new one) */
	assert_non_null(f = fopen(empty, "w"));
	fclose(f);
	st = (struct hpo_store *)1;
	assert_int_equal(hpo_store_open_read(empty, &st, &err), -1);
	assert_null(st);
	snprintf(expect, sizeof(expect), "%s: not an hpo-tools database", empty);
	assert_string_equal(err.msg, expect);
	assert_int_equal(slurp_size(empty), 0);

	st = open_ok(path);
	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &id, &err), 0);
	hpo_store_close(st);
	assert_int_equal(hpo_store_open_read(path, &st, &err), 0);
	assert_int_equal(hpo_store_task_ids(st, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	free(ids);
	assert_int_equal(hpo_store_task_get(st, id, &row, &err), 0);
	assert_string_equal(row.name, "t");
	assert_int_equal(row.legacy, 0);
	hpo_task_row_free(&row);
	/* it cannot write */
	assert_int_equal(hpo_store_task_create(st, "u", "{}", "/d", &id, &err), -1);
	hpo_store_close(st);
	free(path);
	free(empty);
	free(dir);
}

/* ---- task files ---------------------------------------------------------------- */

static char *
read_text(const char *path)
{
	size_t len;

	return slurp(path, &len);
}

static void
test_task_dirs(void **state)
{
	char *a = path_in(state, "a.db"), *b = path_in(state, "b.db");
	char *aroot = path_in(state, "a.db.tasks"), *amark = path_in(state, "a.db.tasks/database-id");
	char *keep = path_in(state, "a.db.tasks/1/keep"), *d, *text, *id = NULL;
	char expect[2 * PATH_MAX + 256];
	struct hpo_store *sa = open_ok(a), *sb = open_ok(b);
	struct hpo_err err = {0};
	FILE *f;

	/* two databases in one directory: each its own place */
	d = hpo_store_task_dir(sa, 1, 0);
	snprintf(expect, sizeof(expect), "%s.tasks/1", a);
	assert_string_equal(d, expect);
	free(d);
	d = hpo_store_task_dir(sb, 1, 0);
	snprintf(expect, sizeof(expect), "%s.tasks/1", b);
	assert_string_equal(d, expect);
	free(d);
	/* the old place, beside the database */
	d = hpo_store_task_dir(sa, 7, 1);
	snprintf(expect, sizeof(expect), "%s/tasks/7", (char *)*state);
	assert_string_equal(d, expect);
	free(d);

	/* the directory is made with the database's id in it */
	assert_int_equal(hpo_store_claim_task_dir(sa, 1, 0, &err), 0);
	raw_sql(a, "SELECT value FROM meta WHERE key = 'id'", &id);
	assert_int_equal(strlen(id), 32);
	text = read_text(amark);
	snprintf(expect, sizeof(expect), "%s\n", id);
	assert_string_equal(text, expect);
	free(text);
	assert_int_equal(hpo_store_claim_task_dir(sa, 2, 0, &err), 0);

	/* a.db gone and made anew (another id): its old directory is not its own */
	d = hpo_store_task_dir(sa, 1, 0);
	assert_int_equal(mkdir(d, 0700), 0);
	free(d);
	assert_non_null(f = fopen(keep, "w"));
	fclose(f);
	hpo_store_close(sa);
	assert_int_equal(unlink(a), 0);
	sa = open_ok(a);
	assert_int_equal(hpo_store_claim_task_dir(sa, 1, 0, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect), "%s: belongs to another database (id %s; this one, %s, "
		 "is ", aroot, id, a);
	assert_int_equal(strncmp(err.msg, expect, strlen(expect)), 0);
	assert_non_null(strstr(err.msg, "move it away"));
	assert_true(exists(keep));	/* untouched */

	/* an unmarked directory in the way is not taken either */
	assert_int_equal(unlink(amark), 0);
	assert_int_equal(hpo_store_claim_task_dir(sa, 1, 0, &err), -1);
	snprintf(expect, sizeof(expect), "%s: exists and is not this database's (no database-id "
		 "in it): move it away, or give the database another name", aroot);
	assert_string_equal(err.msg, expect);
	assert_false(exists(amark));
	assert_true(exists(keep));
	hpo_store_close(sa);
	hpo_store_close(sb);
	free(a);
	free(b);
	free(aroot);
	free(amark);
	free(keep);
	free(id);
}

/* A database of the first schema: its tasks keep tasks/<id>/ beside it,
 * marked as its own by the first use; new tasks go to <db>.tasks/. */
static void
test_old_layout(void **state)
{
	char *a = path_in(state, "a.db"), *b = path_in(state, "b.db");
	char *mark = path_in(state, "tasks/1/database-id"), *v = NULL, *text;
	char expect[PATH_MAX + 256];
	struct hpo_store *sa, *sb;
	struct hpo_err err = {0};
	struct hpo_task_row row;
	int64_t id = 0;

	make_schema1(a);
	make_schema1(b);
	sa = open_ok(a);
	sb = open_ok(b);
	/* upgraded: the header says so, the task is of the old layout */
	raw_sql(a, "PRAGMA user_version", &v);
	assert_string_equal(v, "2");
	free(v);
	assert_int_equal(hpo_store_task_get(sa, 1, &row, &err), 0);
	assert_int_equal(row.legacy, 1);
	hpo_task_row_free(&row);
	assert_int_equal(hpo_store_task_create(sa, "new", "{}", "/d", &id, &err), 0);
	assert_int_equal(id, 2);
	assert_int_equal(hpo_store_task_get(sa, id, &row, &err), 0);
	assert_int_equal(row.legacy, 0);
	hpo_task_row_free(&row);

	/* the first to use tasks/1 marks it; the other database is refused it */
	assert_int_equal(hpo_store_claim_task_dir(sa, 1, 1, &err), 0);
	raw_sql(a, "SELECT value FROM meta WHERE key = 'id'", &v);
	text = read_text(mark);
	snprintf(expect, sizeof(expect), "%s\n", v);
	assert_string_equal(text, expect);
	free(text);
	assert_int_equal(hpo_store_claim_task_dir(sa, 1, 1, &err), 0);
	assert_int_equal(hpo_store_claim_task_dir(sb, 1, 1, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	assert_non_null(strstr(err.msg, "belongs to another database"));
	text = read_text(mark);
	assert_string_equal(text, expect);
	free(text);
	free(v);
	hpo_store_close(sa);
	hpo_store_close(sb);
	free(a);
	free(b);
	free(mark);
}

/* ---- damaged rows -------------------------------------------------------------- */

/* One damage to a fresh task with three points and an attempt: reading
 * the task, its points or its attempts gives the message expected. */
static void
damage(void **state, const char *sql, int what, const char *tail)
{
	char *path = path_in(state, "hpo.db"), expect[PATH_MAX + 512];
	struct hpo_store *st;
	struct hpo_err err = {0};
	struct hpo_point_row *rows = (struct hpo_point_row *)1, up;
	struct hpo_attempt_row a, *arows = (struct hpo_attempt_row *)1;
	struct hpo_task_row row;
	json_t *p = json_ok("{\"x\": 1}");
	int64_t id = 0;
	size_t n = 7;
	int rc;

	unlink(path);
	st = open_ok(path);
	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &id, &err), 0);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(hpo_store_point_add(st, id, i, p, 1000, &err), 0);
	memset(&up, 0, sizeof(up));
	up.id = 2;
	up.status = "finished";
	up.has_loss = 1;
	up.loss = 0.5;
	up.intermediate = json_ok("[1, 0.5]");
	assert_int_equal(hpo_store_point_update(st, id, &up, &err), 0);
	json_decref(up.intermediate);
	memset(&a, 0, sizeof(a));
	a.point = 2;
	a.n = 1;
	a.status = "finished";
	a.started = 1001;
	a.ended = 1002;
	assert_int_equal(hpo_store_attempt_put(st, id, &a, &err), 0);
	hpo_store_close(st);
	json_decref(p);

	raw_sql(path, sql, NULL);
	assert_int_equal(hpo_store_open_read(path, &st, &err), 0);
	if (what == 0) {
		rc = hpo_store_task_get(st, id, &row, &err);
	} else if (what == 1) {
		rc = hpo_store_points(st, id, &rows, &n, &err);
		assert_null(rows);
		assert_int_equal(n, 0);
	} else {
		rc = hpo_store_attempts(st, id, -1, &arows, &n, &err);
		assert_null(arows);
		assert_int_equal(n, 0);
	}
	assert_int_equal(rc, -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect), "%s: %s", path, tail);
	assert_string_equal(err.msg, expect);
	hpo_store_close(st);
	free(path);
}

/* Texts the engine writes as they come (an evaluation's last log line,
 * cut at 300 bytes, maybe inside a character): the view shows them, with
 * '?' for what is not UTF-8, and keeps every point (the point with such a
 * message was left out of the view; one in the task's name or message was
 * "out of memory"). */
static void
test_view_not_utf8(void **state)
{
	char *path = path_in(state, "hpo.db");
	struct hpo_store *st;
	struct hpo_err err = {0};
	json_t *p = json_ok("{\"x\": 1}"), *v;
	int64_t id = 0;

	unlink(path);
	st = open_ok(path);
	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &id, &err), 0);
	for (int i = 1; i <= 2; i++)
		assert_int_equal(hpo_store_point_add(st, id, i, p, 1000, &err), 0);
	hpo_store_close(st);
	json_decref(p);
	raw_sql(path, "UPDATE points SET message = 'exited with status 1: caf' || x'e9' || ' ' || x'e282' "
		"WHERE id = 1", NULL);
	raw_sql(path, "UPDATE tasks SET name = 'n' || x'ff', message = CAST(x'c3' AS TEXT)", NULL);
	assert_int_equal(hpo_store_open_read(path, &st, &err), 0);
	assert_int_equal(hpo_view_local(st, id, &v, &err), 0);
	assert_string_equal(json_string_value(json_object_get(v, "name")), "n?");
	assert_string_equal(json_string_value(json_object_get(v, "message")), "?");
	assert_int_equal(json_array_size(json_object_get(v, "points")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "points"), 0),
							      "message")),
			    "exited with status 1: caf? ??");
	json_decref(v);
	hpo_store_close(st);
	free(path);
}

static void
test_damaged(void **state)
{
	static const struct {
		const char *sql;
		int what;	/* 0 task, 1 points, 2 attempts */
		const char *msg;
	} cases[] = {
		{"UPDATE points SET params = '{\"x\": ' WHERE id = 3", 1,
		 "task 1 point 3: column params: '{\"x\": ' is not JSON (the database is damaged)"},
		{"UPDATE points SET params = '[1]' WHERE id = 1", 1,
		 "task 1 point 1: column params: '[1]' is not a JSON object (the database is damaged)"},
		{"UPDATE points SET loss = 9e999 WHERE id = 2", 1,
		 "task 1 point 2: column loss: inf is not a finite number (the database is damaged)"},
		{"UPDATE points SET loss = -9e999 WHERE id = 2", 1,
		 "task 1 point 2: column loss: -inf is not a finite number (the database is damaged)"},
		{"UPDATE points SET loss = 'NaN' WHERE id = 2", 1,
		 "task 1 point 2: column loss: 'NaN' is not a number (the database is damaged)"},
		{"UPDATE points SET loss = NULL WHERE id = 2", 1,
		 "task 1 point 2: column loss: NULL is no loss for a finished point (the database "
		 "is damaged)"},
		{"UPDATE points SET created = 1e300 WHERE id = 1", 1,
		 "task 1 point 1: column created: 1e+300 is not a time (Unix seconds up to the year "
		 "9999) (the database is damaged)"},
		{"UPDATE points SET started = -5 WHERE id = 1", 1,
		 "task 1 point 1: column started: -5 is not a time (Unix seconds up to the year "
		 "9999) (the database is damaged)"},
		{"UPDATE points SET ended = 'yesterday' WHERE id = 1", 1,
		 "task 1 point 1: column ended: 'yesterday' is not a number (the database is damaged)"},
		{"UPDATE points SET status = 'weird' WHERE id = 1", 1,
		 "task 1 point 1: column status: 'weird' is not a status this version knows (the "
		 "database is damaged)"},
		{"UPDATE points SET attempts = -1 WHERE id = 1", 1,
		 "task 1 point 1: column attempts: -1 is out of range (the database is damaged)"},
		{"UPDATE points SET intermediate = '[\"a\"]' WHERE id = 2", 1,
		 "task 1 point 2: column intermediate: '[\"a\"]' is not a list of numbers (the "
		 "database is damaged)"},
		{"DELETE FROM points WHERE id = 1", 1,
		 "task 1: point 1 is missing (the next one is 2; the database is damaged)"},
		{"DELETE FROM points WHERE id = 2", 1,
		 "task 1: point 2 is missing (the next one is 3; the database is damaged)"},
		{"UPDATE tasks SET spec = 'oops'", 0,
		 "task 1: column spec: 'oops' is not JSON (the database is damaged)"},
		{"UPDATE tasks SET created = 1e20", 0,
		 "task 1: column created: 1e+20 is not a time (Unix seconds up to the year 9999) "
		 "(the database is damaged)"},
		{"UPDATE tasks SET status = 'x'", 0,
		 "task 1: column status: 'x' is not a status this version knows (the database is "
		 "damaged)"},
		{"UPDATE tasks SET steering_runs = 1.5", 0,
		 "task 1: column steering_runs: 1.5 is not a whole number (the database is "
		 "damaged)"},
		{"UPDATE tasks SET steering_runs = 1e10", 0,
		 "task 1: column steering_runs: 10000000000 is out of range (the database is "
		 "damaged)"},
		{"UPDATE tasks SET layout = 5", 0,
		 "task 1: column layout: 5 is out of range (the database is damaged)"},
		{"UPDATE attempts SET n = 0", 2,
		 "task 1 point 2 attempt 0: column n: 0 is out of range (the database is damaged)"},
		{"UPDATE attempts SET ended = 1e300", 2,
		 "task 1 point 2 attempt 1: column ended: 1e+300 is not a time (Unix seconds up to "
		 "the year 9999) (the database is damaged)"},
		{"UPDATE attempts SET status = x'00ff'", 2,
		 "task 1 point 2 attempt 1: column status: a blob of 2 bytes is not a text (the "
		 "database is damaged)"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		damage(state, cases[i].sql, cases[i].what, cases[i].msg);
}

/* ---- transactions -------------------------------------------------------------- */

static void
test_transactions(void **state)
{
	char *path = path_in(state, "hpo.db");
	struct hpo_store *st = open_ok(path), *st2;
	struct hpo_err err = {0};
	struct hpo_point_row *rows = NULL;
	struct hpo_task_row row;
	int64_t task = 0, t2 = 0, *ids = NULL;
	size_t n = 0;
	json_t *p = json_ok("{\"x\":1}");

	assert_int_equal(hpo_store_task_create(st, "t", "{}", "/d", &task, &err), 0);
	st2 = open_ok(path);

	/* rolled back: nothing */
	assert_int_equal(hpo_store_begin(st, &err), 0);
	assert_int_equal(hpo_store_point_add(st, task, 1, p, 1, &err), 0);
	assert_int_equal(hpo_store_task_create(st, "gone", "{}", "/g", &t2, &err), 0);
	hpo_store_rollback(st);
	assert_int_equal(hpo_store_points(st, task, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hpo_store_task_ids(st, &ids, &n, &err), 0);
	assert_int_equal(n, 1);
	free(ids);

	/* committed: there, for another connection too */
	assert_int_equal(hpo_store_begin(st, &err), 0);
	assert_int_equal(hpo_store_point_add(st, task, 1, p, 1, &err), 0);
	assert_int_equal(hpo_store_point_add(st, task, 2, p, 2, &err), 0);
	/* not visible to the other connection before the commit */
	assert_int_equal(hpo_store_points(st2, task, &rows, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(hpo_store_commit(st, &err), 0);
	assert_int_equal(hpo_store_points(st2, task, &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(rows[1].id, 2);
	assert_true(rows[1].created == 2);
	hpo_point_rows_free(rows, n);

	/* and the other way round, and after reopening */
	assert_int_equal(hpo_store_task_set_status(st2, task, "done", "ok", 5, &err), 0);
	assert_int_equal(hpo_store_task_get(st, task, &row, &err), 0);
	assert_string_equal(row.status, "done");
	hpo_task_row_free(&row);
	hpo_store_close(st2);
	hpo_store_close(st);
	st = open_ok(path);
	assert_int_equal(hpo_store_points(st, task, &rows, &n, &err), 0);
	assert_int_equal(n, 2);
	hpo_point_rows_free(rows, n);
	assert_int_equal(hpo_store_task_get(st, task, &row, &err), 0);
	assert_string_equal(row.message, "ok");
	hpo_task_row_free(&row);

	/* commit without begin is an error naming the file */
	assert_int_equal(hpo_store_commit(st, &err), -1);
	assert_int_equal(strncmp(err.msg, path, strlen(path)), 0);
	hpo_store_close(st);
	json_decref(p);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_and_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_parent_is_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tasks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_points, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attempts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intermediate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_not_utf8, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
