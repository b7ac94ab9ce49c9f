/* store.h - the local task database (SQLite, WAL)
 *
 * One file holds every local task: its canonical spec, its points and the
 * attempts at evaluating them.  Each change the engine makes is one
 * transaction, so a process killed at any moment leaves a consistent file.
 *
 * The file says it is ours (application_id "HPOT", the schema version in
 * user_version and in meta); another program's SQLite file is refused
 * before a byte of it is written.  Each database has an id (meta 'id'); its
 * tasks' files are in <database>.tasks/<id>/, a directory marked with that
 * id (tasks made before schema 2: tasks/<id>/ beside the database).  A row
 * that does not hold what this code writes is an error naming the task,
 * the point and the column, never a value made up.
 */
#ifndef HPO_STORE_H
#define HPO_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "clock.h"
#include "err.h"

struct hpo_store;

struct hpo_task_row {
	int64_t id;
	char *name, *status, *spec, *dir, *message;
	double created, updated, ended;	/* Unix seconds; ended 0 = not ended */
	int steering_done, steering_runs, steering_failures;
	int legacy;		/* made before schema 2: its files in tasks/<id>/ beside
				 * the database, not in <database>.tasks/<id>/ */
};

struct hpo_point_row {
	int64_t id;
	json_t *params;
	char *status;		/* pending, running, finished, failed */
	double loss;
	int has_loss;
	int attempts;		/* attempts that count towards the limit */
	char *message;
	double created, started, ended;	/* 0 = not yet */
	json_t *intermediate;	/* the evaluation's intermediate losses (a list of
				 * numbers, output.json "intermediate"), or NULL */
	/* hpo_store_points_each with HPO_STORE_RAW: the params and intermediate
	 * columns' text (intermediate NULL: none), unparsed, in place of params
	 * and intermediate (NULL) */
	const char *params_text, *intermediate_text;
};

struct hpo_attempt_row {
	int64_t point;
	int n;			/* 1, 2, ... per point */
	char *status;		/* running, finished, failed, interrupted */
	long pid;		/* process group of the evaluation */
	long long pstart;	/* its start time (clock ticks since boot), for reuse checks */
	char *workdir;
	double started, ended;
	double loss;
	int has_loss;
	char *message;
};

/* Open to write (creating the file, its directory and the schema as
 * needed; bringing an older schema to this one).  What keeps us from
 * writing is named first ("cannot create the database in DIR: Permission
 * denied"); a file that is not an hpo-tools database is HPO_E_SYS "PATH:
 * not an hpo-tools database" and left as it was, as is one of a newer
 * schema. */
int hpo_store_open(const char *path, struct hpo_store **out, struct hpo_err *err);
/* Open to read, writing nothing at all (a colleague's database, a read-only
 * file or directory): a database in use or ours read-only under SQLite's
 * locks, one at rest that we may not write as immutable.  No file is
 * HPO_E_NOTFOUND "no database at PATH"; the other errors as above. */
int hpo_store_open_read(const char *path, struct hpo_store **out, struct hpo_err *err);
void hpo_store_close(struct hpo_store *st);
const char *hpo_store_path(const struct hpo_store *st);

/* The directory of a task's files (malloc'ed):
 * <database>.tasks/<id>, or tasks/<id> beside the database when legacy. */
char *hpo_store_task_dir(const struct hpo_store *st, int64_t id, int legacy);
/* Before the engine writes there: make sure a task's directory is this
 * database's.  <database>.tasks/ is made with a mark holding the database's
 * id (database-id) and refused, untouched, when it exists unmarked or marked
 * by another database (HPO_E_SYS, naming it); a legacy tasks/<id>/ is
 * marked by its first use and refused when another database marked it. */
int hpo_store_claim_task_dir(struct hpo_store *st, int64_t id, int legacy, struct hpo_err *err);

int hpo_store_begin(struct hpo_store *st, struct hpo_err *err);
int hpo_store_commit(struct hpo_store *st, struct hpo_err *err);
void hpo_store_rollback(struct hpo_store *st);

int hpo_store_task_create(struct hpo_store *st, const char *name, const char *spec,
			  const char *dir, int64_t *id, struct hpo_err *err);
/* HPO_E_NOTFOUND "no local task N" when absent; a damaged row is an
 * error naming the task and the column. */
int hpo_store_task_get(struct hpo_store *st, int64_t id, struct hpo_task_row *row,
		       struct hpo_err *err);
int hpo_store_task_ids(struct hpo_store *st, int64_t **ids, size_t *n, struct hpo_err *err);
int hpo_store_task_set_dir(struct hpo_store *st, int64_t id, const char *dir,
			   struct hpo_err *err);
/* The task's canonical spec, changed by hpo-submit --local --resume. */
int hpo_store_task_set_spec(struct hpo_store *st, int64_t id, const char *spec,
			    struct hpo_err *err);
int hpo_store_task_set_status(struct hpo_store *st, int64_t id, const char *status,
			      const char *message, double ended, struct hpo_err *err);
int hpo_store_task_set_steering(struct hpo_store *st, int64_t id, int done, int runs,
				int failures, struct hpo_err *err);
void hpo_task_row_free(struct hpo_task_row *row);

int hpo_store_point_add(struct hpo_store *st, int64_t task, int64_t id, const json_t *params,
			double created, struct hpo_err *err);
int hpo_store_point_update(struct hpo_store *st, int64_t task, const struct hpo_point_row *p,
			   struct hpo_err *err);
/* Every point of a task in id order (1, 2, ...: a gap is an error, as is a
 * damaged row: "PATH: task T point P: column C: VALUE is WHY"). */
int hpo_store_points(struct hpo_store *st, int64_t task, struct hpo_point_row **rows,
		     size_t *n, struct hpo_err *err);
/* The same, one row at a time to fn (the row is freed after: fn takes
 * references of what it keeps); fn's -1 (err filled by fn) stops it and
 * is returned.  With HPO_STORE_RAW the JSON columns come as text, which
 * fn reads, and fn's 1 says it could not: the row is then checked as
 * hpo_store_points checks it, which names what is wrong. */
#define HPO_STORE_RAW 1
int hpo_store_points_each(struct hpo_store *st, int64_t task, int flags,
			  int (*fn)(void *arg, const struct hpo_point_row *p), void *arg,
			  struct hpo_err *err);
void hpo_point_rows_free(struct hpo_point_row *rows, size_t n);

/* Insert or replace one attempt. */
int hpo_store_attempt_put(struct hpo_store *st, int64_t task, const struct hpo_attempt_row *a,
			  struct hpo_err *err);
/* Attempts of a task (point < 0: of every point), by point then n. */
int hpo_store_attempts(struct hpo_store *st, int64_t task, int64_t point,
		       struct hpo_attempt_row **rows, size_t *n, struct hpo_err *err);
void hpo_attempt_rows_free(struct hpo_attempt_row *rows, size_t n);


#endif
