/* fuzz_store.c - the local store's readers on a damaged database: a file of
 * the store's own schema (made once by hpo_store_open, copied into a
 * temporary directory for each input) whose rows hold the values the input
 * says, of any SQLite type in any column; then what hpo-status --local
 * reads (hpo_store_open_read, the task ids, each task, its points and
 * attempts, its view) and prints (the tables, the JSON).
 *
 * The input is a list of rows.  A row: a byte saying the table (modulo 4:
 * tasks, points, attempts, meta), then a value for each of its columns, in
 * the order of the schema: a byte saying the type (modulo 8), then its
 * bytes:
 *   0 NULL             1 an integer, 1 byte (signed)   2 an integer, 8 bytes
 *   3 a real, 8 bytes  4 a text up to a NUL byte       5 a blob, a length byte and its bytes
 *   6 the value the engine writes there (1, 2, ... for an id; 'finished'; ...)
 *   7 a text, a length byte and its bytes (NUL bytes and all)
 * A row the schema refuses (NOT NULL, a duplicate key) is left out.
 *
 * Invariants: each reader succeeds with what it promises (points 1, 2, ...
 * with statuses it knows, a finished point with a loss) or fails naming
 * the database; the view of a task whose rows read is made, with every
 * point, and its JSON text reads back; nothing is left behind. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "file.h"
#include "fuzz.h"
#include "jsontext.h"
#include "log.h"
#include "store.h"
#include "view.h"

#define SPEC "{\"name\": \"fz\", \"search-space\": {\"x\": {\"method\": \"uniform\", " \
	"\"dimension\": {\"low\": 0, \"high\": 1}}}, \"budget\": {\"max-points\": 3}}"

struct in {
	const uint8_t *p;
	size_t n;
};

static int
take(struct in *in, void *buf, size_t len)
{
	if (in->n < len)
		return -1;
	memcpy(buf, in->p, len);
	in->p += len;
	in->n -= len;
	return 0;
}

static const char *const tables[4] = {
	"INSERT OR IGNORE INTO tasks(id, name, status, spec, dir, message, created, updated, ended, "
	"steering_done, steering_runs, steering_failures, layout) "
	"VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT OR IGNORE INTO points(task_id, id, params, status, loss, attempts, message, created, "
	"started, ended, intermediate) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT OR IGNORE INTO attempts(task_id, point_id, n, status, pid, pstart, workdir, started, "
	"ended, loss, message) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
};

/* What the engine writes in column i of table t ("#" an integer, "." a real,
 * "" NULL; rows counts the table's rows so far, for ids). */
static void
bind_good(sqlite3_stmt *s, int t, int i, int rows)
{
	static const char *const good[4][13] = {
		{"#", "fz", "finished", SPEC, "/nonexistent", "", ".", ".", ".", "#1", "#3", "#0", "#2"},
		{"#1", "#", "{\"x\": 0.5}", "finished", ".5", "#1", "", ".", ".", ".", "[3, 2, 1]"},
		{"#1", "#", "#1", "finished", "#4242", "#99", "/nonexistent/w", ".", ".", ".5", "done"},
		{"schema", "2"},
	};
	const char *g = good[t][i];

	if (g[0] == '\0')
		sqlite3_bind_null(s, i + 1);
	else if (strcmp(g, "#") == 0)
		sqlite3_bind_int(s, i + 1, rows + 1);
	else if (g[0] == '#')
		sqlite3_bind_int(s, i + 1, atoi(g + 1));
	else if (strcmp(g, ".") == 0)
		sqlite3_bind_double(s, i + 1, 1.7e9 + rows);
	else if (strcmp(g, ".5") == 0)
		sqlite3_bind_double(s, i + 1, 0.5 + rows);
	else
		sqlite3_bind_text(s, i + 1, g, -1, SQLITE_STATIC);
}

/* Bind the next value of the input to column i; -1 at its end. */
static int
bind_value(struct in *in, sqlite3_stmt *s, int t, int i, int rows)
{
	uint8_t type, len;
	int8_t small;
	int64_t big;
	double real;
	const uint8_t *nul;

	if (take(in, &type, 1) < 0)
		return -1;
	switch (type % 8) {
	case 0:
		sqlite3_bind_null(s, i + 1);
		return 0;
	case 1:
		if (take(in, &small, 1) < 0)
			return -1;
		sqlite3_bind_int(s, i + 1, small);
		return 0;
	case 2:
		if (take(in, &big, 8) < 0)
			return -1;
		sqlite3_bind_int64(s, i + 1, big);
		return 0;
	case 3:
		if (take(in, &real, 8) < 0)
			return -1;
		sqlite3_bind_double(s, i + 1, real);
		return 0;
	case 4:
		nul = memchr(in->p, '\0', in->n);
		sqlite3_bind_text(s, i + 1, (const char *)in->p, nul ? (int)(nul - in->p) : (int)in->n,
				  SQLITE_TRANSIENT);
		in->n -= nul ? (size_t)(nul - in->p) + 1 : in->n;
		in->p = nul ? nul + 1 : in->p + in->n;
		return 0;
	case 5:
	case 7:
		if (take(in, &len, 1) < 0 || in->n < len)
			return -1;
		if (type % 8 == 5)
			sqlite3_bind_blob(s, i + 1, in->p, len, SQLITE_TRANSIENT);
		else
			sqlite3_bind_text(s, i + 1, (const char *)in->p, len, SQLITE_TRANSIENT);
		in->p += len;
		in->n -= len;
		return 0;
	default:
		bind_good(s, t, i, rows);
		return 0;
	}
}

/* The rows of the input into the database at path. */
static void
fill(const char *path, const uint8_t *data, size_t size)
{
	static const int ncols[4] = {13, 11, 11, 2};
	struct in in = {data, size};
	int rows[4] = {0};
	sqlite3 *db;
	uint8_t t;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		abort();
	sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", NULL, NULL, NULL);
	while (take(&in, &t, 1) == 0) {
		sqlite3_stmt *s;
		int i;

		t %= 4;
		if (sqlite3_prepare_v2(db, tables[t], -1, &s, NULL) != SQLITE_OK)
			abort();
		for (i = 0; i < ncols[t]; i++)
			if (bind_value(&in, s, t, i, rows[t]) < 0)
				break;
		if (i == ncols[t] && sqlite3_step(s) == SQLITE_DONE)
			rows[t]++;
		sqlite3_finalize(s);
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		abort();
	sqlite3_close(db);
}

/* An error of a reader: it names the database (or is out of memory). */
static void
failed(const struct hpo_err *err, const char *path)
{
	if (err->kind == HPO_E_OK || err->msg[0] == '\0')
		abort();
	if (strncmp(err->msg, path, strlen(path)) != 0 && strcmp(err->msg, "out of memory") != 0)
		abort();
}

static int
known(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* Read task id as hpo-status --local does; its view appended to views. */
static void
read_task(struct hpo_store *st, const char *path, int64_t id, json_t *views)
{
	static const char *const tstat[] = {"registered", "running", "paused", "done", "finished",
					    "failed", "broken", "aborted", "exhausted", NULL};
	static const char *const pstat[] = {"pending", "running", "finished", "failed", "cancelled",
					    NULL};
	static const char *const astat[] = {"running", "finished", "failed", "interrupted", NULL};
	struct hpo_err err = {0};
	struct hpo_task_row row;
	struct hpo_point_row *pts = NULL;
	struct hpo_attempt_row *at = NULL;
	size_t n = 0, na = 0;
	int ok = 1;
	json_t *v;

	if (hpo_store_task_get(st, id, &row, &err) < 0) {
		failed(&err, path);
		ok = 0;
	} else {
		if (row.id != id || row.name == NULL || row.spec == NULL || row.dir == NULL ||
		    !known(row.status, tstat) || row.created < 0 || row.ended < 0)
			abort();
		hpo_task_row_free(&row);
	}
	memset(&err, 0, sizeof(err));
	if (hpo_store_points(st, id, &pts, &n, &err) < 0) {
		failed(&err, path);
		if (pts != NULL || n != 0)
			abort();
		ok = 0;
	}
	for (size_t i = 0; i < n; i++)
		if (pts[i].id != (int64_t)i + 1 || !json_is_object(pts[i].params) ||
		    !known(pts[i].status, pstat) || pts[i].attempts < 0 ||
		    (strcmp(pts[i].status, "finished") == 0 && !pts[i].has_loss))
			abort();
	memset(&err, 0, sizeof(err));
	if (hpo_store_attempts(st, id, -1, &at, &na, &err) < 0) {
		failed(&err, path);
		if (at != NULL || na != 0)
			abort();
	}
	for (size_t i = 0; i < na; i++)
		if (at[i].n < 1 || !known(at[i].status, astat) || at[i].pid < 0)
			abort();
	hpo_attempt_rows_free(at, na);
	if (n > 0) {
		memset(&err, 0, sizeof(err));
		if (hpo_store_attempts(st, id, 1, &at, &na, &err) < 0)
			failed(&err, path);
		else
			hpo_attempt_rows_free(at, na);
	}
	memset(&err, 0, sizeof(err));
	if (hpo_view_local(st, id, &v, &err) < 0) {
		failed(&err, path);
		/* the task and its points read: its view must be made */
		if (ok)
			abort();
	} else {
		if (!ok || json_array_size(json_object_get(v, "points")) != n ||
		    json_integer_value(json_object_get(json_object_get(v, "counts"), "points")) !=
			    (json_int_t)n)
			abort();
		json_array_append_new(views, v);
	}
	hpo_point_rows_free(pts, n);
}

/* A new temporary directory (malloc'ed), in $TMPDIR or /tmp. */
static char *
temp_dir(void)
{
	const char *t = getenv("TMPDIR");
	char *dir = hpo_strf("%s/fuzz-store.XXXXXX", t != NULL && *t != '\0' ? t : "/tmp");

	if (dir == NULL || mkdtemp(dir) == NULL)
		abort();
	return dir;
}

static char *
make_template(size_t *len)
{
	char *dir = temp_dir(), *path, *buf;
	struct hpo_store *st;
	struct hpo_err err;

	if ((path = hpo_path_join(dir, "hpo.db")) == NULL)
		abort();
	if (hpo_store_open(path, &st, &err) < 0)
		abort();
	hpo_store_close(st);
	if (hpo_file_read(path, 1 << 20, &buf, len, &err) < 0)
		abort();
	free(path);
	if (hpo_rmtree(dir, &err) < 0)
		abort();
	free(dir);
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *tmpl;
	static size_t tlen;
	static FILE *null;
	char *dir, *path, *text;
	struct hpo_store *st;
	struct hpo_err err = {0};
	int64_t *ids;
	size_t n;
	json_t *views, *doc, *back;
	FILE *f;

	hpo_log_init("fuzz", HPO_LOG_QUIET);
	if (tmpl == NULL)
		tmpl = make_template(&tlen);
	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		abort();
	dir = temp_dir();
	if ((path = hpo_path_join(dir, "hpo.db")) == NULL)
		abort();
	if ((f = fopen(path, "w")) == NULL || fwrite(tmpl, 1, tlen, f) != tlen || fclose(f) != 0)
		abort();
	fill(path, data, size);

	if (hpo_store_open_read(path, &st, &err) < 0) {
		failed(&err, path);
		goto out;
	}
	if (hpo_store_task_ids(st, &ids, &n, &err) < 0) {
		failed(&err, path);
		hpo_store_close(st);
		goto out;
	}
	if ((views = json_array()) == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && ids[i] <= ids[i - 1])
			abort();
		read_task(st, path, ids[i], views);
	}
	free(ids);
	hpo_store_close(st);
	/* what hpo-status --local prints: the tables, the JSON */
	hpo_view_print_tasks(null, views);
	for (size_t i = 0; i < json_array_size(views); i++) {
		(void)hpo_view_outcome(json_array_get(views, i));
		hpo_view_print_points(null, json_array_get(views, i));
	}
	doc = hpo_view_wrap(views);
	if (doc == NULL || (text = hpo_json_text(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER, 0)) == NULL)
		abort();
	if ((back = json_loads(text, 0, NULL)) == NULL || !json_equal(back, doc))
		abort();
	json_decref(back);
	free(text);
	json_decref(doc);
out:
	if (hpo_rmtree(dir, &err) < 0)
		abort();
	free(path);
	free(dir);
	return 0;
}
