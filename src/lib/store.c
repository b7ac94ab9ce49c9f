/* store.c - the local task database */
#include "autoconf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "file.h"
#include "store.h"

#define SCHEMA_VERSION 1

struct hpo_store {
	sqlite3 *db;
	char *path;
};

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta("
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS tasks("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  name TEXT NOT NULL, status TEXT NOT NULL, spec TEXT NOT NULL, dir TEXT NOT NULL,"
	"  message TEXT, created REAL NOT NULL, updated REAL NOT NULL, ended REAL,"
	"  steering_done INTEGER NOT NULL DEFAULT 0,"
	"  steering_runs INTEGER NOT NULL DEFAULT 0,"
	"  steering_failures INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS points("
	"  task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,"
	"  id INTEGER NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL,"
	"  loss REAL, attempts INTEGER NOT NULL DEFAULT 0, message TEXT,"
	"  created REAL NOT NULL, started REAL, ended REAL, intermediate TEXT,"
	"  PRIMARY KEY(task_id, id));"
	"CREATE TABLE IF NOT EXISTS attempts("
	"  task_id INTEGER NOT NULL, point_id INTEGER NOT NULL, n INTEGER NOT NULL,"
	"  status TEXT NOT NULL, pid INTEGER, pstart INTEGER, workdir TEXT,"
	"  started REAL, ended REAL, loss REAL, message TEXT,"
	"  PRIMARY KEY(task_id, point_id, n),"
	"  FOREIGN KEY(task_id, point_id) REFERENCES points(task_id, id) ON DELETE CASCADE);";

static int
db_err(struct hpo_store *st, struct hpo_err *err, const char *what)
{
	return hpo_err_set(err, HPO_E_SYS, "%s: %s: %s", st->path, what, sqlite3_errmsg(st->db));
}

static int
exec_sql(struct hpo_store *st, const char *sql, struct hpo_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		hpo_err_set(err, HPO_E_SYS, "%s: %s", st->path, msg ? msg : "sqlite error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int
prepare(struct hpo_store *st, const char *sql, sqlite3_stmt **stmt, struct hpo_err *err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
		return db_err(st, err, "prepare");
	return 0;
}

/* points.intermediate came after the first databases: add it to them (a
 * nullable column, so older readers, which name their columns, still read). */
static int
add_columns(struct hpo_store *st, struct hpo_err *err)
{
	sqlite3_stmt *s;
	int have = 0;

	if (prepare(st, "SELECT 1 FROM pragma_table_info('points') WHERE name = 'intermediate'", &s,
		    err) < 0)
		return -1;
	have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return have ? 0 : exec_sql(st, "ALTER TABLE points ADD COLUMN intermediate TEXT", err);
}

static int
check_version(struct hpo_store *st, struct hpo_err *err)
{
	sqlite3_stmt *s;
	int rc = 0;

	if (prepare(st, "SELECT value FROM meta WHERE key = 'schema'", &s, err) < 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		int v = atoi((const char *)sqlite3_column_text(s, 0));
		if (v > SCHEMA_VERSION)
			rc = hpo_err_set(err, HPO_E_INPUT,
					 "%s: made by a newer hpo-tools (schema %d, this one knows %d)",
					 st->path, v, SCHEMA_VERSION);
	}
	sqlite3_finalize(s);
	if (rc == 0) {
		char sql[128];
		snprintf(sql, sizeof(sql),
			 "INSERT OR IGNORE INTO meta(key, value) VALUES('schema', '%d')",
			 SCHEMA_VERSION);
		rc = exec_sql(st, sql, err);
	}
	return rc;
}

int
hpo_store_open(const char *path, struct hpo_store **out, struct hpo_err *err)
{
	struct hpo_store *st;
	char *dir;

	*out = NULL;
	if ((dir = strdup(path)) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	char *slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (hpo_mkdirs(dir, 0700, err) < 0) {
			free(dir);
			return -1;
		}
	}
	free(dir);
	if ((st = calloc(1, sizeof(*st))) == NULL || (st->path = strdup(path)) == NULL) {
		free(st);
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				      SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		hpo_err_set(err, HPO_E_SYS, "%s: %s", path,
			    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		hpo_store_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 30000);
	if (exec_sql(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON;", err) < 0 ||
	    exec_sql(st, schema, err) < 0 || add_columns(st, err) < 0 ||
	    check_version(st, err) < 0) {
		hpo_store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

void
hpo_store_close(struct hpo_store *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	free(st->path);
	free(st);
}

int
hpo_store_begin(struct hpo_store *st, struct hpo_err *err)
{
	return exec_sql(st, "BEGIN IMMEDIATE", err);
}

int
hpo_store_commit(struct hpo_store *st, struct hpo_err *err)
{
	return exec_sql(st, "COMMIT", err);
}

void
hpo_store_rollback(struct hpo_store *st)
{
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a statement that returns no rows; finalizes it. */
static int
step_done(struct hpo_store *st, sqlite3_stmt *s, struct hpo_err *err, const char *what)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE) {
		db_err(st, err, what);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

static char *
col_str(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? strdup((const char *)t) : NULL;
}

/* A time: NULL when 0 (not yet). */
static void
bind_real_or_null(sqlite3_stmt *s, int i, double v)
{
	if (v > 0)
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

static void
bind_loss(sqlite3_stmt *s, int i, int has, double v)
{
	if (has)
		sqlite3_bind_double(s, i, v);
	else
		sqlite3_bind_null(s, i);
}

int
hpo_store_task_create(struct hpo_store *st, const char *name, const char *spec,
		      const char *dir, int64_t *id, struct hpo_err *err)
{
	sqlite3_stmt *s;
	double now = hpo_now();

	if (prepare(st, "INSERT INTO tasks(name, status, spec, dir, created, updated) "
			"VALUES(?, 'registered', ?, ?, ?, ?)", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, spec, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, dir, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 4, now);
	sqlite3_bind_double(s, 5, now);
	if (step_done(st, s, err, "create task") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
hpo_store_task_get(struct hpo_store *st, int64_t id, struct hpo_task_row *row,
		   struct hpo_err *err)
{
	sqlite3_stmt *s;
	int rc;

	memset(row, 0, sizeof(*row));
	if (prepare(st, "SELECT id, name, status, spec, dir, message, created, updated, ended, "
			"steering_done, steering_runs, steering_failures FROM tasks WHERE id = ?",
		    &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		return hpo_err_set(err, HPO_E_NOTFOUND, "no local task %lld", (long long)id);
	}
	if (rc != SQLITE_ROW) {
		db_err(st, err, "read task");
		sqlite3_finalize(s);
		return -1;
	}
	row->id = sqlite3_column_int64(s, 0);
	row->name = col_str(s, 1);
	row->status = col_str(s, 2);
	row->spec = col_str(s, 3);
	row->dir = col_str(s, 4);
	row->message = col_str(s, 5);
	row->created = sqlite3_column_double(s, 6);
	row->updated = sqlite3_column_double(s, 7);
	row->ended = sqlite3_column_double(s, 8);
	row->steering_done = sqlite3_column_int(s, 9);
	row->steering_runs = sqlite3_column_int(s, 10);
	row->steering_failures = sqlite3_column_int(s, 11);
	sqlite3_finalize(s);
	if (row->name == NULL || row->status == NULL || row->spec == NULL || row->dir == NULL) {
		hpo_task_row_free(row);
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	}
	return 0;
}

void
hpo_task_row_free(struct hpo_task_row *row)
{
	free(row->name);
	free(row->status);
	free(row->spec);
	free(row->dir);
	free(row->message);
	memset(row, 0, sizeof(*row));
}

int
hpo_store_task_ids(struct hpo_store *st, int64_t **ids, size_t *n, struct hpo_err *err)
{
	sqlite3_stmt *s;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (prepare(st, "SELECT id FROM tasks ORDER BY id", &s, err) < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *p;
			cap = cap ? cap * 2 : 16;
			if ((p = realloc(*ids, cap * sizeof(*p))) == NULL) {
				sqlite3_finalize(s);
				free(*ids);
				*ids = NULL;
				*n = 0;
				return hpo_err_set(err, HPO_E_SYS, "out of memory");
			}
			*ids = p;
		}
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE) {
		db_err(st, err, "list tasks");
		sqlite3_finalize(s);
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

int
hpo_store_task_set_dir(struct hpo_store *st, int64_t id, const char *dir, struct hpo_err *err)
{
	sqlite3_stmt *s;

	if (prepare(st, "UPDATE tasks SET dir = ? WHERE id = ?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, dir, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, id);
	return step_done(st, s, err, "update task");
}

int
hpo_store_task_set_spec(struct hpo_store *st, int64_t id, const char *spec, struct hpo_err *err)
{
	sqlite3_stmt *s;

	if (prepare(st, "UPDATE tasks SET spec = ?, updated = ? WHERE id = ?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, spec, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 2, hpo_now());
	sqlite3_bind_int64(s, 3, id);
	return step_done(st, s, err, "update task");
}

int
hpo_store_task_set_status(struct hpo_store *st, int64_t id, const char *status,
			  const char *message, double ended, struct hpo_err *err)
{
	sqlite3_stmt *s;

	if (prepare(st, "UPDATE tasks SET status = ?, message = ?, ended = ?, updated = ? "
			"WHERE id = ?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, status, -1, SQLITE_TRANSIENT);
	bind_text_or_null(s, 2, message);
	bind_real_or_null(s, 3, ended);
	sqlite3_bind_double(s, 4, hpo_now());
	sqlite3_bind_int64(s, 5, id);
	return step_done(st, s, err, "update task");
}

int
hpo_store_task_set_steering(struct hpo_store *st, int64_t id, int done, int runs, int failures,
			    struct hpo_err *err)
{
	sqlite3_stmt *s;

	if (prepare(st, "UPDATE tasks SET steering_done = ?, steering_runs = ?, "
			"steering_failures = ?, updated = ? WHERE id = ?", &s, err) < 0)
		return -1;
	sqlite3_bind_int(s, 1, done);
	sqlite3_bind_int(s, 2, runs);
	sqlite3_bind_int(s, 3, failures);
	sqlite3_bind_double(s, 4, hpo_now());
	sqlite3_bind_int64(s, 5, id);
	return step_done(st, s, err, "update task");
}

int
hpo_store_point_add(struct hpo_store *st, int64_t task, int64_t id, const json_t *params,
		    double created, struct hpo_err *err)
{
	char *text = json_dumps(params, JSON_COMPACT | JSON_PRESERVE_ORDER);
	sqlite3_stmt *s;

	if (text == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	if (prepare(st, "INSERT INTO points(task_id, id, params, status, created) "
			"VALUES(?, ?, ?, 'pending', ?)", &s, err) < 0) {
		free(text);
		return -1;
	}
	sqlite3_bind_int64(s, 1, task);
	sqlite3_bind_int64(s, 2, id);
	sqlite3_bind_text(s, 3, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(s, 4, created);
	free(text);
	return step_done(st, s, err, "add point");
}

int
hpo_store_point_update(struct hpo_store *st, int64_t task, const struct hpo_point_row *p,
		       struct hpo_err *err)
{
	sqlite3_stmt *s;
	char *inter = NULL;

	if (p->intermediate != NULL &&
	    (inter = json_dumps(p->intermediate, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	if (prepare(st, "UPDATE points SET status = ?, loss = ?, attempts = ?, message = ?, "
			"started = ?, ended = ?, intermediate = ? WHERE task_id = ? AND id = ?",
		    &s, err) < 0) {
		free(inter);
		return -1;
	}
	sqlite3_bind_text(s, 1, p->status, -1, SQLITE_TRANSIENT);
	bind_loss(s, 2, p->has_loss, p->loss);
	sqlite3_bind_int(s, 3, p->attempts);
	bind_text_or_null(s, 4, p->message);
	bind_real_or_null(s, 5, p->started);
	bind_real_or_null(s, 6, p->ended);
	bind_text_or_null(s, 7, inter);
	sqlite3_bind_int64(s, 8, task);
	sqlite3_bind_int64(s, 9, p->id);
	free(inter);
	return step_done(st, s, err, "update point");
}

int
hpo_store_points(struct hpo_store *st, int64_t task, struct hpo_point_row **rows, size_t *n,
		 struct hpo_err *err)
{
	struct hpo_point_row *r = NULL;
	size_t cap = 0, cnt = 0;
	sqlite3_stmt *s;
	int rc;

	*rows = NULL;
	*n = 0;
	if (prepare(st, "SELECT id, params, status, loss, attempts, message, created, started, "
			"ended, intermediate FROM points WHERE task_id = ? ORDER BY id", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, task);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			struct hpo_point_row *p;
			cap = cap ? cap * 2 : 64;
			if ((p = realloc(r, cap * sizeof(*p))) == NULL)
				goto oom;
			r = p;
		}
		struct hpo_point_row *p = &r[cnt];
		memset(p, 0, sizeof(*p));
		json_error_t jerr;
		p->id = sqlite3_column_int64(s, 0);
		p->params = json_loads((const char *)sqlite3_column_text(s, 1), 0, &jerr);
		p->status = col_str(s, 2);
		p->has_loss = sqlite3_column_type(s, 3) != SQLITE_NULL;
		p->loss = sqlite3_column_double(s, 3);
		p->attempts = sqlite3_column_int(s, 4);
		p->message = col_str(s, 5);
		p->created = sqlite3_column_double(s, 6);
		p->started = sqlite3_column_double(s, 7);
		p->ended = sqlite3_column_double(s, 8);
		if (sqlite3_column_type(s, 9) != SQLITE_NULL)
			p->intermediate = json_loads((const char *)sqlite3_column_text(s, 9),
						     JSON_DECODE_ANY, &jerr);
		cnt++;
		if (p->params == NULL || p->status == NULL) {
			hpo_point_rows_free(r, cnt);
			sqlite3_finalize(s);
			return hpo_err_set(err, HPO_E_SYS, "%s: point %lld of task %lld is damaged",
					   st->path, (long long)p->id, (long long)task);
		}
	}
	if (rc != SQLITE_DONE) {
		db_err(st, err, "read points");
		hpo_point_rows_free(r, cnt);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	*rows = r;
	*n = cnt;
	return 0;
oom:
	hpo_point_rows_free(r, cnt);
	sqlite3_finalize(s);
	return hpo_err_set(err, HPO_E_SYS, "out of memory");
}

void
hpo_point_rows_free(struct hpo_point_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(rows[i].params);
		free(rows[i].status);
		free(rows[i].message);
		json_decref(rows[i].intermediate);
	}
	free(rows);
}

int
hpo_store_attempt_put(struct hpo_store *st, int64_t task, const struct hpo_attempt_row *a,
		      struct hpo_err *err)
{
	sqlite3_stmt *s;

	if (prepare(st, "INSERT OR REPLACE INTO attempts(task_id, point_id, n, status, pid, "
			"pstart, workdir, started, ended, loss, message) "
			"VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, task);
	sqlite3_bind_int64(s, 2, a->point);
	sqlite3_bind_int(s, 3, a->n);
	sqlite3_bind_text(s, 4, a->status, -1, SQLITE_TRANSIENT);
	if (a->pid > 0)
		sqlite3_bind_int64(s, 5, a->pid);
	else
		sqlite3_bind_null(s, 5);
	sqlite3_bind_int64(s, 6, a->pstart);
	bind_text_or_null(s, 7, a->workdir);
	bind_real_or_null(s, 8, a->started);
	bind_real_or_null(s, 9, a->ended);
	bind_loss(s, 10, a->has_loss, a->loss);
	bind_text_or_null(s, 11, a->message);
	return step_done(st, s, err, "record attempt");
}

int
hpo_store_attempts(struct hpo_store *st, int64_t task, int64_t point,
		   struct hpo_attempt_row **rows, size_t *n, struct hpo_err *err)
{
	struct hpo_attempt_row *r = NULL;
	size_t cap = 0, cnt = 0;
	sqlite3_stmt *s;
	int rc;

	*rows = NULL;
	*n = 0;
	if (prepare(st, "SELECT point_id, n, status, pid, pstart, workdir, started, ended, loss, "
			"message FROM attempts WHERE task_id = ? AND (? < 0 OR point_id = ?) "
			"ORDER BY point_id, n", &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, task);
	sqlite3_bind_int64(s, 2, point);
	sqlite3_bind_int64(s, 3, point);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (cnt == cap) {
			struct hpo_attempt_row *p;
			cap = cap ? cap * 2 : 64;
			if ((p = realloc(r, cap * sizeof(*p))) == NULL) {
				hpo_attempt_rows_free(r, cnt);
				sqlite3_finalize(s);
				return hpo_err_set(err, HPO_E_SYS, "out of memory");
			}
			r = p;
		}
		struct hpo_attempt_row *a = &r[cnt++];
		memset(a, 0, sizeof(*a));
		a->point = sqlite3_column_int64(s, 0);
		a->n = sqlite3_column_int(s, 1);
		a->status = col_str(s, 2);
		a->pid = (long)sqlite3_column_int64(s, 3);
		a->pstart = sqlite3_column_int64(s, 4);
		a->workdir = col_str(s, 5);
		a->started = sqlite3_column_double(s, 6);
		a->ended = sqlite3_column_double(s, 7);
		a->has_loss = sqlite3_column_type(s, 8) != SQLITE_NULL;
		a->loss = sqlite3_column_double(s, 8);
		a->message = col_str(s, 9);
	}
	if (rc != SQLITE_DONE) {
		db_err(st, err, "read attempts");
		hpo_attempt_rows_free(r, cnt);
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	*rows = r;
	*n = cnt;
	return 0;
}

void
hpo_attempt_rows_free(struct hpo_attempt_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].status);
		free(rows[i].workdir);
		free(rows[i].message);
	}
	free(rows);
}
