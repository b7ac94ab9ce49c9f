/* grid.h - an HPO task on the Grid: submission as phpo does it, and the
 * task views of Grid tasks
 *
 * Submission: check the task for the Grid, find the nickname, name the
 * output dataset, pack the sandbox, put it on the cache (reusing an
 * identical one), build the task parameters exactly as phpo would, submit.
 */
#ifndef HPO_GRID_H
#define HPO_GRID_H

#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "panda.h"
#include "taskspec.h"

struct hpo_grid_opts {
	const char *nickname;	/* NULL: $HPO_NICKNAME, else the proxy's VOMS nickname */
	const char *cli;	/* the command line, sent as cliParams */
	int no_submit;		/* build everything, send nothing: no network at all */
	const char *dump;	/* write the task parameters here ("-": stdout), or NULL */
};

struct hpo_grid_result {
	int64_t task_id;	/* 0 with no_submit */
	char *task_name;	/* the output dataset, ending in '/' */
	char *sandbox;		/* its name on the cache server */
	int sandbox_reused;	/* an identical sandbox was there already */
	char *monitor;		/* the task's page on the monitor */
};

int hpo_grid_submit(struct hpo_task *task, const struct hpo_grid_opts *opts,
		    struct hpo_grid_result *res, struct hpo_err *err);
void hpo_grid_result_free(struct hpo_grid_result *res);

/* The task's sandbox as a submission makes it, checks and all (secret.h,
 * the size limits), without sending it: sb filled (hpo_sandbox_free) and
 * *archive the size of its archive. */
struct hpo_sandbox;
int hpo_grid_sandbox(const struct hpo_task *task, struct hpo_sandbox *sb, uint64_t *archive,
		     struct hpo_err *err);

/* Credentials and a PanDA client, as every Grid command needs them. */
int hpo_grid_connect(struct hpo_auth **auth, struct hpo_panda **panda, struct hpo_err *err);

/* Task views (view.h) of Grid tasks, fetched concurrently: views[i] or
 * errs[i] for each id.  known (may be NULL) holds a task of the listing
 * (hpo_grid_recent) for an id, or NULL: such a task is not asked for again,
 * only its points.  iDDS failing does not fail a view: it says why in its
 * points_error.  Returns -1 when any failed. */
int hpo_grid_views(struct hpo_panda *p, const int64_t *ids, size_t n, json_t *const *known,
		   json_t **views, struct hpo_err *errs);

/* The user's HPO tasks modified in the last `days` days, newest first, as
 * the server lists them (task/get_tasks_detailed_info_since: every field of
 * the task).  statuses (a comma list) and name (a task name, or a glob) may
 * narrow the listing on the server, as pbook does: one question per status,
 * the name only when it holds no glob character; the caller filters
 * exactly. */
int hpo_grid_recent(struct hpo_panda *p, int days, const char *statuses, const char *name,
		    json_t **tasks, struct hpo_err *err);

#endif
