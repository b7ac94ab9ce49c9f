/* store.c - the local task database */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "file.h"
#include "store.h"
#include "url.h"
#include "xmalloc.h"

/* 1: the first databases (the schema in meta only); 2: application_id and
 * user_version, a database id, tasks.layout (task files in <db>.tasks/). */
#define SCHEMA_VERSION 2
#define APPLICATION_ID 0x48504f54	/* "HPOT" */
#define MARK "database-id"		/* the file that says whose a directory is */

struct hpo_store {
	sqlite3 *db;
	char *path;
	char *id;		/* meta 'id'; NULL in a schema 1 database opened to read */
	int has_intermediate;	/* points.intermediate (added in schema 1's time) */
	int has_layout;		/* tasks.layout (schema 2) */
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
	"  steering_failures INTEGER NOT NULL DEFAULT 0,"
	"  layout INTEGER NOT NULL DEFAULT 1);"
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

/* ---- what the file is ---------------------------------------------------------- */

enum kind { KIND_EMPTY, KIND_OURS, KIND_FOREIGN };

static int
not_ours(struct hpo_store *st, struct hpo_err *err)
{
	return hpo_err_set(err, HPO_E_SYS, "%s: not an hpo-tools database", st->path);
}

/* The first column of the first row as an integer (0 when no row); -1 and
 * *notadb set when SQLite finds no database in the file. */
static int
query_int(struct hpo_store *st, const char *sql, long long *v, int *notadb, struct hpo_err *err)
{
	sqlite3_stmt *s;
	int rc;

	*v = 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		*notadb = sqlite3_errcode(st->db) == SQLITE_NOTADB;
		return db_err(st, err, "read");
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE) {
		*notadb = sqlite3_errcode(st->db) == SQLITE_NOTADB;
		db_err(st, err, "read");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
}

/* What the file holds, read without writing a byte: an empty database, an
 * hpo-tools one (its schema version in *version) or something else.
 * hpo-tools databases of schema 1 have no application_id: the four tables
 * and the schema in meta tell them. */
static int
identify(struct hpo_store *st, enum kind *kind, int *version, struct hpo_err *err)
{
	long long app, v, n;
	int notadb = 0;

	*version = 0;
	if (query_int(st, "PRAGMA application_id", &app, &notadb, err) < 0) {
		if (!notadb)
			return -1;
		*kind = KIND_FOREIGN;
		return 0;
	}
	if (app == APPLICATION_ID) {
		/* the newer of the header's and meta's (which schema 1 readers check) */
		if (query_int(st, "SELECT max(user_version, ifnull((SELECT CAST(value AS INTEGER) "
				  "FROM meta WHERE key = 'schema'), 0)) FROM pragma_user_version",
			      &v, &notadb, err) < 0)
			return -1;
		*version = v > INT_MAX || v < 0 ? INT_MAX : (int)v;
		*kind = KIND_OURS;
		return 0;
	}
	*kind = KIND_FOREIGN;
	if (app != 0)
		return 0;
	if (query_int(st, "SELECT count(*) FROM sqlite_master", &n, &notadb, err) < 0)
		return -1;
	if (n == 0) {
		*kind = KIND_EMPTY;
		return 0;
	}
	if (query_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
			  "('meta', 'tasks', 'points', 'attempts')", &n, &notadb, err) < 0)
		return -1;
	if (n != 4)
		return 0;
	if (query_int(st, "SELECT count(*) FROM pragma_table_info('meta') WHERE name IN "
			  "('key', 'value')", &n, &notadb, err) < 0)
		return -1;
	if (n != 2)
		return 0;
	if (query_int(st, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'schema'", &v,
		      &notadb, err) < 0)
		return -1;
	if (v >= 1) {
		*version = v > INT_MAX ? INT_MAX : (int)v;
		*kind = KIND_OURS;
	}
	return 0;
}

static int
has_column(struct hpo_store *st, const char *table, const char *column, int *has,
	   struct hpo_err *err)
{
	sqlite3_stmt *s;
	int rc;

	if (prepare(st, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?", &s, err) < 0)
		return -1;
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, column, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_err(st, err, "read");
	*has = rc == SQLITE_ROW;
	return 0;
}

static int
read_meta(struct hpo_store *st, struct hpo_err *err)
{
	sqlite3_stmt *s;

	if (has_column(st, "points", "intermediate", &st->has_intermediate, err) < 0 ||
	    has_column(st, "tasks", "layout", &st->has_layout, err) < 0 ||
	    prepare(st, "SELECT value FROM meta WHERE key = 'id'", &s, err) < 0)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_TEXT)
		st->id = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return 0;
}

/* Identify the file and refuse what is not ours to read. */
static int
check_kind(struct hpo_store *st, enum kind *kind, int *version, struct hpo_err *err)
{
	if (identify(st, kind, version, err) < 0)
		return -1;
	if (*kind == KIND_FOREIGN)
		return not_ours(st, err);
	if (*version > SCHEMA_VERSION)
		return hpo_err_set(err, HPO_E_SYS,
				   "%s: made by a newer hpo-tools (schema %d, this one knows %d)",
				   st->path, *version, SCHEMA_VERSION);
	return 0;
}

/* ---- opening to write ------------------------------------------------------------ */

static int
new_id(char out[33], struct hpo_err *err)
{
	unsigned char r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return hpo_err_sys(err, "random database id");
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/* Create the schema in an empty file, or bring an older one to this
 * version, in one transaction: the tables, the columns added since, the
 * database's id, the version in meta (which schema 1 readers check) and
 * in the header. */
static int
upgrade(struct hpo_store *st, struct hpo_err *err)
{
	char id[33], sql[512];
	int has;

	if (new_id(id, err) < 0 || exec_sql(st, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO meta(key, value) VALUES('id', '%s');"
		 "INSERT OR REPLACE INTO meta(key, value) VALUES('schema', '%d');"
		 "PRAGMA application_id = %d; PRAGMA user_version = %d;",
		 id, SCHEMA_VERSION, APPLICATION_ID, SCHEMA_VERSION);
	if (exec_sql(st, schema, err) < 0 ||
	    has_column(st, "points", "intermediate", &has, err) < 0 ||
	    (!has && exec_sql(st, "ALTER TABLE points ADD COLUMN intermediate TEXT", err) < 0) ||
	    has_column(st, "tasks", "layout", &has, err) < 0 ||
	    (!has && exec_sql(st, "ALTER TABLE tasks ADD COLUMN layout INTEGER NOT NULL DEFAULT 1",
			      err) < 0) ||
	    exec_sql(st, sql, err) < 0 || exec_sql(st, "COMMIT", err) < 0) {
		hpo_store_rollback(st);
		return -1;
	}
	return 0;
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return hpo_strf("%.*s", (int)(slash - path), path);
}

/* Say what keeps us from writing, before SQLite says "attempt to write a
 * readonly database": the directory (where the file, its -wal and -shm go)
 * and the file itself. */
static int
check_writable(const char *path, const char *dir, struct hpo_err *err)
{
	struct stat sb;

	if (stat(path, &sb) < 0) {
		if (errno != ENOENT)
			return hpo_err_sys(err, "%s", path);
		if (access(dir, W_OK | X_OK) < 0)
			return hpo_err_sys(err, "cannot create the database in %s", dir);
		return 0;
	}
	if (access(path, R_OK | W_OK) < 0)
		return hpo_err_sys(err, "%s: cannot write the database", path);
	if (access(dir, W_OK | X_OK) < 0)
		return hpo_err_sys(err, "%s: cannot write in its directory %s (for its -wal and "
				   "-shm files)", path, dir);
	return 0;
}

static struct hpo_store *
store_new(const char *path)
{
	struct hpo_store *st = xcalloc(1, sizeof(*st));

	st->path = xstrdup(path);
	return st;
}

int
hpo_store_open(const char *path, struct hpo_store **out, struct hpo_err *err)
{
	struct hpo_store *st;
	enum kind kind;
	char *dir;
	int version = 0;

	*out = NULL;
	dir = dir_of(path);
	if (hpo_mkdirs(dir, 0700, err) < 0) {
		size_t len = strlen(dir);

		/* "DIR: why" keeps its why; "PARENT: why" is kept whole */
		if (strncmp(err->msg, dir, len) == 0 && strncmp(err->msg + len, ": ", 2) == 0) {
			char *why = xstrdup(err->msg + len + 2);

			hpo_err_set(err, err->kind, "cannot create the database in %s: %s", dir,
				    why);
			free(why);
		} else {
			hpo_err_prefix(err, "cannot create the database in %s", dir);
		}
		free(dir);
		return -1;
	}
	if (check_writable(path, dir, err) < 0) {
		free(dir);
		return -1;
	}
	free(dir);
	st = store_new(path);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				      SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		hpo_err_set(err, HPO_E_SYS, "%s: %s", path,
			    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		hpo_store_close(st);
		return -1;
	}
	sqlite3_busy_timeout(st->db, 30000);
	/* nothing is written before the file is known to be ours or empty */
	if (check_kind(st, &kind, &version, err) < 0 ||
	    exec_sql(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			 "PRAGMA foreign_keys=ON;", err) < 0 ||
	    ((kind == KIND_EMPTY || version < SCHEMA_VERSION) && upgrade(st, err) < 0) ||
	    read_meta(st, err) < 0) {
		hpo_store_close(st);
		return -1;
	}
	if (st->id == NULL) {
		hpo_err_set(err, HPO_E_SYS, "%s: the database has no id", path);
		hpo_store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

/* ---- opening to read --------------------------------------------------------------- */

/* "file:" URI of a path, with what URIs reserve escaped (%XX, as
 * hpo_url_quote does for Python's quote with "/" safe). */
static char *
file_uri(const char *path, const char *query)
{
	char *q = hpo_url_quote(path), *u = hpo_strf("file:%s?%s", q, query);

	free(q);
	return u;
}

static int
exists_beside(const char *path, const char *suffix)
{
	char *p = hpo_strf("%s%s", path, suffix);
	struct stat sb;
	int rc = p != NULL && stat(p, &sb) == 0;

	free(p);
	return rc;
}

/* How to open for reading without writing anything.  A database we may
 * write (ours) opens read-write but query_only: no statement can change it,
 * and closing it removes its -wal and -shm files as a writer's close does.
 * One in use (its -wal or -shm is there: SQLite reads them even when it may
 * not write them) opens read-only, under SQLite's locks.  One at rest that
 * we may not write (a colleague's, a shared area) opens immutable: read as
 * it is, no lock, no -wal or -shm file made beside it. */
static const char *
read_mode(const char *path, const char *dir)
{
	if (access(path, W_OK) == 0 && access(dir, W_OK | X_OK) == 0)
		return "mode=rw";
	if (exists_beside(path, "-wal") || exists_beside(path, "-shm"))
		return "mode=ro";
	return "immutable=1";
}

int
hpo_store_open_read(const char *path, struct hpo_store **out, struct hpo_err *err)
{
	struct hpo_store *st;
	struct stat sb;
	enum kind kind;
	char *dir, *uri;
	const char *mode;
	int version;

	*out = NULL;
	if (stat(path, &sb) < 0) {
		if (errno == ENOENT)
			return hpo_err_set(err, HPO_E_NOTFOUND, "no database at %s", path);
		return hpo_err_sys(err, "%s", path);
	}
	if (!S_ISREG(sb.st_mode))
		return hpo_err_set(err, HPO_E_SYS, "%s: not an hpo-tools database (not a file)",
				   path);
	dir = dir_of(path);
	mode = read_mode(path, dir);
	free(dir);
	st = store_new(path);
	uri = file_uri(path, mode);
	if (sqlite3_open_v2(uri, &st->db, (strcmp(mode, "mode=rw") == 0 ? SQLITE_OPEN_READWRITE
								   : SQLITE_OPEN_READONLY) |
				     SQLITE_OPEN_URI | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		hpo_err_set(err, HPO_E_SYS, "%s: %s", path,
			    st->db ? sqlite3_errmsg(st->db) : "cannot open");
		free(uri);
		hpo_store_close(st);
		return -1;
	}
	free(uri);
	sqlite3_busy_timeout(st->db, 30000);
	if (exec_sql(st, "PRAGMA query_only=ON", err) < 0 ||
	    check_kind(st, &kind, &version, err) < 0 || (kind == KIND_EMPTY && not_ours(st, err) < 0) ||
	    read_meta(st, err) < 0) {
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
	free(st->id);
	free(st);
}

const char *
hpo_store_path(const struct hpo_store *st)
{
	return st->path;
}

/* ---- task files ---------------------------------------------------------------- */

char *
hpo_store_task_dir(const struct hpo_store *st, int64_t id, int legacy)
{
	char *dir, *p;

	if (!legacy)
		return hpo_strf("%s.tasks/%lld", st->path, (long long)id);
	dir = dir_of(st->path);
	p = hpo_strf("%s/tasks/%lld", dir, (long long)id);
	free(dir);
	return p;
}

/* dir is this database's: its mark holds our id.  An unmarked directory is
 * marked when claim (a task of the old layout, first used by this
 * version); one marked by another database, or unmarked when !claim, is
 * refused and left as it is. */
static int
check_mark(struct hpo_store *st, const char *dir, int claim, struct hpo_err *err)
{
	char *mark = hpo_path_join(dir, MARK), *text = NULL;
	size_t len;
	int rc = 0;

	if (hpo_file_read(mark, 256, &text, &len, err) < 0) {
		if (access(mark, F_OK) == 0 || errno != ENOENT) {
			free(mark);
			return -1;
		}
		if (claim) {
			char *line = hpo_strf("%s\n", st->id);
			rc = hpo_file_write_atomic(mark, line, strlen(line), 0600, err);
			free(line);
		} else {
			rc = hpo_err_set(err, HPO_E_SYS,
					 "%s: exists and is not this database's (no %s in it): "
					 "move it away, or give the database another name",
					 dir, MARK);
		}
		free(mark);
		return rc;
	}
	free(mark);
	len = strcspn(text, "\n");
	if (len != strlen(st->id) || strncmp(text, st->id, len) != 0)
		rc = hpo_err_set(err, HPO_E_SYS,
				 "%s: belongs to another database (id %.*s; this one, %s, is %s): "
				 "move it away, or give the database another name",
				 dir, (int)(len > 64 ? 64 : len), text, st->path, st->id);
	free(text);
	return rc;
}

/* Make root, marked, unless it exists. */
static int
make_root(struct hpo_store *st, const char *root, struct hpo_err *err)
{
	char *tmp;
	int rc = 0;

	if (access(root, F_OK) == 0)
		return 0;
	tmp = hpo_strf("%s.XXXXXX", root);
	if (mkdtemp(tmp) == NULL) {
		rc = hpo_err_sys(err, "%s", root);
	} else if (check_mark(st, tmp, 1, err) < 0) {
		rc = -1;
	} else if (rename(tmp, root) < 0 && errno != EEXIST && errno != ENOTEMPTY) {
		rc = hpo_err_sys(err, "%s", root);
	}
	hpo_rmtree(tmp, NULL);	/* gone when renamed; else another made root first */
	free(tmp);
	return rc;
}

int
hpo_store_claim_task_dir(struct hpo_store *st, int64_t id, int legacy, struct hpo_err *err)
{
	char *dir;
	int rc;

	if (legacy) {
		/* tasks/<id>/ of the old layout: the first run by this version marks it */
		dir = hpo_store_task_dir(st, id, 1);
		rc = hpo_mkdirs(dir, 0700, err) < 0 ? -1 : check_mark(st, dir, 1, err);
		free(dir);
		return rc;
	}
	/* <db>.tasks/: made with its mark in place (a marked temporary renamed),
	 * so no one ever sees it unmarked; an existing one is never taken over */
	dir = hpo_strf("%s.tasks", st->path);
	rc = make_root(st, dir, err);
	if (rc == 0)
		rc = check_mark(st, dir, 0, err);
	free(dir);
	return rc;
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

	return t ? xstrdup((const char *)t) : NULL;
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

/* ---- reading rows: a damaged one is an error naming it and its column ---------- */

#define MAX_TIME 253402300799.0	/* 9999-12-31T23:59:59Z */

/* The value in a column, for a message: a number, a quoted text (its start) or NULL. */
static void
describe(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	const char *t;
	size_t n = 0;

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		snprintf(buf, size, "NULL");
		break;
	case SQLITE_INTEGER:
		snprintf(buf, size, "%lld", (long long)sqlite3_column_int64(s, i));
		break;
	case SQLITE_FLOAT:
		snprintf(buf, size, "%g", sqlite3_column_double(s, i));
		break;
	case SQLITE_BLOB:
		snprintf(buf, size, "a blob of %d bytes", sqlite3_column_bytes(s, i));
		break;
	default:
		t = (const char *)sqlite3_column_text(s, i);
		/* printable ASCII only: nothing from the file steers the terminal */
		while (t != NULL && t[n] != '\0' && n < 40 && t[n] >= 0x20 && t[n] < 0x7f)
			n++;
		snprintf(buf, size, "'%.*s'%s", (int)n, t ? t : "", t && t[n] != '\0' ? "..." : "");
	}
}

/* "PATH: WHERE: column COL: VALUE WHY (the database is damaged)" */
static int
damaged(struct hpo_store *st, struct hpo_err *err, const char *where, sqlite3_stmt *s, int i,
	const char *why)
{
	char value[64];

	describe(s, i, value, sizeof(value));
	return hpo_err_set(err, HPO_E_SYS, "%s: %s: column %s: %s %s (the database is damaged)",
			   st->path, where, sqlite3_column_name(s, i), value, why);
}

static int
is_number(sqlite3_stmt *s, int i)
{
	int t = sqlite3_column_type(s, i);

	return t == SQLITE_INTEGER || t == SQLITE_FLOAT;
}

/* A time in Unix seconds; NULL is 0 (not yet) unless required. */
static const char *
bad_time(sqlite3_stmt *s, int i, int required, double *v)
{
	*v = 0;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return required ? "is missing" : NULL;
	if (!is_number(s, i))
		return "is not a number";
	*v = sqlite3_column_double(s, i);
	if (!isfinite(*v) || *v < 0 || *v > MAX_TIME)
		return "is not a time (Unix seconds up to the year 9999)";
	return NULL;
}

/* A loss: NULL is none; else a finite number. */
static const char *
bad_loss(sqlite3_stmt *s, int i, int *has, double *v)
{
	*has = sqlite3_column_type(s, i) != SQLITE_NULL;
	*v = 0;
	if (!*has)
		return NULL;
	if (!is_number(s, i))
		return "is not a number";
	*v = sqlite3_column_double(s, i);
	return isfinite(*v) ? NULL : "is not a finite number";
}

/* A whole number from min to max; NULL is 0 when allowed. */
static const char *
bad_int(sqlite3_stmt *s, int i, long long min, long long max, int null_ok, long long *v)
{
	*v = 0;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return null_ok ? NULL : "is missing";
	if (sqlite3_column_type(s, i) != SQLITE_INTEGER)
		return "is not a whole number";
	*v = sqlite3_column_int64(s, i);
	return *v < min || *v > max ? "is out of range" : NULL;
}

/* A text (strdup'ed into *out); NULL only when allowed. */
static const char *
bad_text(sqlite3_stmt *s, int i, int null_ok, char **out)
{
	*out = NULL;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return null_ok ? NULL : "is missing";
	if (sqlite3_column_type(s, i) != SQLITE_TEXT)
		return "is not a text";
	/* a TEXT column without its text: SQLite ran out of memory */
	if ((*out = col_str(s, i)) == NULL)
		hpo_oom();
	return NULL;
}

/* One of the words of list (NULL-terminated). */
static const char *
bad_word(sqlite3_stmt *s, int i, const char *const *list, char **out)
{
	const char *why = bad_text(s, i, 0, out);

	if (why != NULL || *out == NULL)
		return why;
	for (size_t k = 0; list[k] != NULL; k++)
		if (strcmp(*out, list[k]) == 0)
			return NULL;
	return "is not a status this version knows";
}

/* JSON text: an object, or a list of numbers (type JSON_ARRAY); NULL only
 * when allowed. */
/* A value JSON cannot hold as a number, kept as text by the engine (an
 * evaluation's NaN or Infinity among its intermediate losses): "nan",
 * "inf", "-inf", "infinity", "-infinity", any case (what hpo-plot reads). */
static int
nonfinite_text(const json_t *x)
{
	static const char *const words[] = {"nan", "inf", "-inf", "infinity", "-infinity", NULL};
	const char *t = json_string_value(x);

	for (size_t i = 0; t != NULL && words[i] != NULL; i++)
		if (strcasecmp(t, words[i]) == 0)
			return 1;
	return 0;
}

static const char *
bad_json(sqlite3_stmt *s, int i, json_type type, int null_ok, json_t **out)
{
	json_error_t jerr;
	json_t *v, *x;
	size_t k;

	*out = NULL;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return null_ok ? NULL : "is missing";
	if (sqlite3_column_type(s, i) != SQLITE_TEXT)
		return "is not a text";
	v = json_loads((const char *)sqlite3_column_text(s, i), JSON_DECODE_ANY, &jerr);
	if (v == NULL)
		return "is not JSON";
	if (json_typeof(v) != type) {
		json_decref(v);
		return type == JSON_OBJECT ? "is not a JSON object" : "is not a JSON list";
	}
	if (type == JSON_ARRAY)
		json_array_foreach(v, k, x)
			if (!json_is_number(x) && !nonfinite_text(x)) {
				json_decref(v);
				return "is not a list of numbers";
			}
	*out = v;
	return NULL;
}

int
hpo_store_task_create(struct hpo_store *st, const char *name, const char *spec,
		      const char *dir, int64_t *id, struct hpo_err *err)
{
	sqlite3_stmt *s;
	double now = hpo_now();

	/* layout 2: the task's files in <database>.tasks/<id>/ */
	if (prepare(st, "INSERT INTO tasks(name, status, spec, dir, created, updated, layout) "
			"VALUES(?, 'registered', ?, ?, ?, ?, 2)", &s, err) < 0)
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

static const char *const task_statuses[] = {
	"registered", "running", "paused", "done", "finished", "failed", "broken", "aborted",
	"exhausted", NULL,
};

/* Fill row from a row of task_get's SELECT; the column that is damaged in *bad. */
static const char *
task_fill(sqlite3_stmt *s, struct hpo_task_row *row, int *bad)
{
	const char *why;
	long long v[4] = {0};
	json_t *spec = NULL;

	row->id = sqlite3_column_int64(s, 0);
	if ((why = bad_text(s, *bad = 1, 0, &row->name)) ||
	    (why = bad_word(s, *bad = 2, task_statuses, &row->status)) ||
	    (why = bad_json(s, *bad = 3, JSON_OBJECT, 0, &spec)) ||
	    (why = bad_text(s, 3, 0, &row->spec)) ||
	    (why = bad_text(s, *bad = 4, 0, &row->dir)) ||
	    (why = bad_text(s, *bad = 5, 1, &row->message)) ||
	    (why = bad_time(s, *bad = 6, 1, &row->created)) ||
	    (why = bad_time(s, *bad = 7, 1, &row->updated)) ||
	    (why = bad_time(s, *bad = 8, 0, &row->ended)) ||
	    (why = bad_int(s, *bad = 9, 0, 1, 0, &v[0])) ||
	    (why = bad_int(s, *bad = 10, 0, INT_MAX, 0, &v[1])) ||
	    (why = bad_int(s, *bad = 11, 0, INT_MAX, 0, &v[2])) ||
	    (why = bad_int(s, *bad = 12, 1, 2, 0, &v[3]))) {
		json_decref(spec);
		return why;
	}
	json_decref(spec);
	row->steering_done = (int)v[0];
	row->steering_runs = (int)v[1];
	row->steering_failures = (int)v[2];
	row->legacy = v[3] == 1;
	return NULL;
}

int
hpo_store_task_get(struct hpo_store *st, int64_t id, struct hpo_task_row *row,
		   struct hpo_err *err)
{
	char sql[256], where[64];
	const char *why;
	sqlite3_stmt *s;
	int rc, bad = 0;

	memset(row, 0, sizeof(*row));
	snprintf(sql, sizeof(sql),
		 "SELECT id, name, status, spec, dir, message, created, updated, ended, "
		 "steering_done, steering_runs, steering_failures, %s FROM tasks WHERE id = ?",
		 st->has_layout ? "layout" : "1 AS layout");
	if (prepare(st, sql, &s, err) < 0)
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
	why = task_fill(s, row, &bad);
	if (why != NULL) {
		snprintf(where, sizeof(where), "task %lld", (long long)id);
		damaged(st, err, where, s, bad, why);
		sqlite3_finalize(s);
		hpo_task_row_free(row);
		return -1;
	}
	sqlite3_finalize(s);
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
			cap = cap ? cap * 2 : 16;
			*ids = xreallocarray(*ids, cap, sizeof(**ids));
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

	if (p->intermediate != NULL)
		inter = json_dumps(p->intermediate, JSON_COMPACT | JSON_ENCODE_ANY);
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

static const char *const point_statuses[] = {"pending", "running", "finished", "failed", "cancelled", NULL};

/* Fill p from a row of hpo_store_points' SELECT; the damaged column in *bad. */
/* A JSON column's text, unparsed (HPO_STORE_RAW): NULL or a text. */
static const char *
bad_raw(sqlite3_stmt *s, int i, int null_ok, const char **out)
{
	*out = NULL;
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return null_ok ? NULL : "is missing";
	if (sqlite3_column_type(s, i) != SQLITE_TEXT)
		return "is not a text";
	*out = (const char *)sqlite3_column_text(s, i);
	return NULL;
}

static const char *
point_fill(sqlite3_stmt *s, struct hpo_point_row *p, int *bad, int raw)
{
	const char *why;
	long long v;

	p->id = sqlite3_column_int64(s, 0);
	if ((why = raw ? bad_raw(s, *bad = 1, 0, &p->params_text)
		       : bad_json(s, *bad = 1, JSON_OBJECT, 0, &p->params)) ||
	    (why = bad_word(s, *bad = 2, point_statuses, &p->status)) ||
	    (why = bad_loss(s, *bad = 3, &p->has_loss, &p->loss)) ||
	    (why = bad_int(s, *bad = 4, 0, INT_MAX, 0, &v)) ||
	    (why = bad_text(s, *bad = 5, 1, &p->message)) ||
	    (why = bad_time(s, *bad = 6, 1, &p->created)) ||
	    (why = bad_time(s, *bad = 7, 0, &p->started)) ||
	    (why = bad_time(s, *bad = 8, 0, &p->ended)) ||
	    (why = raw ? bad_raw(s, *bad = 9, 1, &p->intermediate_text)
		       : bad_json(s, *bad = 9, JSON_ARRAY, 1, &p->intermediate)))
		return why;
	p->attempts = (int)v;
	if (strcmp(p->status, "finished") == 0 && !p->has_loss) {
		*bad = 3;
		return "is no loss for a finished point";
	}
	return NULL;
}

static void
point_row_clear(struct hpo_point_row *p)
{
	json_decref(p->params);
	free(p->status);
	free(p->message);
	json_decref(p->intermediate);
}

int
hpo_store_points_each(struct hpo_store *st, int64_t task, int flags,
		      int (*fn)(void *arg, const struct hpo_point_row *p), void *arg,
		      struct hpo_err *err)
{
	struct hpo_point_row p;
	size_t cnt = 0;
	sqlite3_stmt *s;
	char sql[256], where[96];
	int rc, raw = (flags & HPO_STORE_RAW) != 0;

	snprintf(sql, sizeof(sql),
		 "SELECT id, params, status, loss, attempts, message, created, started, ended, %s "
		 "FROM points WHERE task_id = ? ORDER BY id",
		 st->has_intermediate ? "intermediate" : "NULL AS intermediate");
	if (prepare(st, sql, &s, err) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, task);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *why;
		int bad = 0, got = 0;
		memset(&p, 0, sizeof(p));
		cnt++;
		why = point_fill(s, &p, &bad, raw);
		if (why == NULL && p.id != (int64_t)cnt) {
			/* the engine numbers points 1, 2, ...: a gap is a lost row */
			hpo_err_set(err, HPO_E_SYS, "%s: task %lld: point %lld is missing (the next "
				    "one is %lld; the database is damaged)", st->path,
				    (long long)task, (long long)cnt, (long long)p.id);
			goto fail;
		}
		if (why == NULL && (got = fn(arg, &p)) == 1 && raw) {
			/* the caller could not read the text: what is wrong with it */
			point_row_clear(&p);
			memset(&p, 0, sizeof(p));
			if ((why = point_fill(s, &p, &bad, 0)) == NULL) {
				hpo_err_set(err, HPO_E_SYS, "%s: task %lld point %lld: its parameters "
					    "or intermediate losses could not be read", st->path,
					    (long long)task, (long long)p.id);
				goto fail;
			}
		}
		if (why != NULL) {
			snprintf(where, sizeof(where), "task %lld point %lld", (long long)task,
				 (long long)p.id);
			damaged(st, err, where, s, bad, why);
			goto fail;
		}
		if (got < 0)
			goto fail;
		point_row_clear(&p);
	}
	if (rc != SQLITE_DONE) {
		db_err(st, err, "read points");
		sqlite3_finalize(s);
		return -1;
	}
	sqlite3_finalize(s);
	return 0;
fail:
	point_row_clear(&p);
	sqlite3_finalize(s);
	return -1;
}

struct rows {
	struct hpo_point_row *r;
	size_t cnt, cap;
};

/* hpo_store_points' callback: the row kept (its values taken) */
static int
keep_row(void *arg, const struct hpo_point_row *p)
{
	struct rows *rs = arg;

	if (rs->cnt == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->r = xreallocarray(rs->r, rs->cap, sizeof(*rs->r));
	}
	rs->r[rs->cnt] = *p;
	rs->r[rs->cnt].params = json_incref(p->params);
	rs->r[rs->cnt].intermediate = json_incref(p->intermediate);
	rs->r[rs->cnt].status = xstrdup(p->status);
	rs->r[rs->cnt].message = p->message ? xstrdup(p->message) : NULL;
	rs->cnt++;
	return 0;
}

int
hpo_store_points(struct hpo_store *st, int64_t task, struct hpo_point_row **rows, size_t *n,
		 struct hpo_err *err)
{
	struct rows rs = {NULL, 0, 0};

	*rows = NULL;
	*n = 0;
	if (hpo_store_points_each(st, task, 0, keep_row, &rs, err) < 0) {
		hpo_point_rows_free(rs.r, rs.cnt);
		return -1;
	}
	*rows = rs.r;
	*n = rs.cnt;
	return 0;
}

void
hpo_point_rows_free(struct hpo_point_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		point_row_clear(&rows[i]);
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

static const char *const attempt_statuses[] = {"running", "finished", "failed", "interrupted",
					       NULL};

/* Fill a from a row of hpo_store_attempts' SELECT; the damaged column in *bad. */
static const char *
attempt_fill(sqlite3_stmt *s, struct hpo_attempt_row *a, int *bad)
{
	const char *why;
	long long n, pid, pstart;

	a->point = sqlite3_column_int64(s, 0);
	if ((why = bad_int(s, *bad = 1, 1, INT_MAX, 0, &n)) ||
	    (why = bad_word(s, *bad = 2, attempt_statuses, &a->status)) ||
	    (why = bad_int(s, *bad = 3, 0, INT_MAX, 1, &pid)) ||
	    (why = bad_int(s, *bad = 4, LLONG_MIN, LLONG_MAX, 1, &pstart)) ||
	    (why = bad_text(s, *bad = 5, 1, &a->workdir)) ||
	    (why = bad_time(s, *bad = 6, 0, &a->started)) ||
	    (why = bad_time(s, *bad = 7, 0, &a->ended)) ||
	    (why = bad_loss(s, *bad = 8, &a->has_loss, &a->loss)) ||
	    (why = bad_text(s, *bad = 9, 1, &a->message)))
		return why;
	a->n = (int)n;
	a->pid = (long)pid;
	a->pstart = pstart;
	return NULL;
}

int
hpo_store_attempts(struct hpo_store *st, int64_t task, int64_t point,
		   struct hpo_attempt_row **rows, size_t *n, struct hpo_err *err)
{
	struct hpo_attempt_row *r = NULL;
	size_t cap = 0, cnt = 0;
	sqlite3_stmt *s;
	char where[128];
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
			cap = cap ? cap * 2 : 64;
			r = xreallocarray(r, cap, sizeof(*r));
		}
		struct hpo_attempt_row *a = &r[cnt++];
		const char *why;
		int bad = 0;
		memset(a, 0, sizeof(*a));
		why = attempt_fill(s, a, &bad);
		if (why != NULL) {
			snprintf(where, sizeof(where), "task %lld point %lld attempt %lld",
				 (long long)task, (long long)a->point,
				 (long long)sqlite3_column_int64(s, 1));
			damaged(st, err, where, s, bad, why);
			goto fail;
		}
	}
	if (rc != SQLITE_DONE) {
		db_err(st, err, "read attempts");
		goto fail;
	}
	sqlite3_finalize(s);
	*rows = r;
	*n = cnt;
	return 0;
fail:
	hpo_attempt_rows_free(r, cnt);
	sqlite3_finalize(s);
	return -1;
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
