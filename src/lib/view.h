/* view.h - the task view: the one shape every reader gets
 *
 * hpo-status --json prints it, hpo-plot reads it back; local tasks and Grid
 * tasks are both turned into it.  The schema is documented in
 * hpo-status(1):
 *
 *   {"schema": "hpo-tools/task-view", "version": 1, "tasks": [TASK...]}
 *   TASK = {"id", "backend", "name", "status", "message", "created",
 *           "updated", "ended", "max_points", "counts": {"points", "pending",
 *           "running", "finished", "failed"}, "best": POINT-or-null,
 *           "points": [POINT...], "space": the search space or null,
 *           "points_error": why the points are unknown or null,
 *           "outcome": "success" | "incomplete" | "failure" | "unknown" | null}
 *   POINT = {"id", "status", "parameters", "loss", "attempts", "message",
 *            "created", "started", "ended"[, "intermediate": [numbers]]
 *            [, "trial", "budget", "continues"]}
 * The last three only in a task whose space has a fidelity parameter
 * (multi-fidelity), whose "best" is the best point at the highest budget
 * that a finished point reached.
 * Times are ISO 8601 UTC strings or null; loss is a number or null.
 */
#ifndef HPO_VIEW_H
#define HPO_VIEW_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "err.h"
#include "store.h"

#define HPO_VIEW_SCHEMA "hpo-tools/task-view"
#define HPO_VIEW_VERSION 1

/* The view of one local task (new ref).  A task recorded as running whose
 * engine is gone (its lock is free) is shown as paused. */
int hpo_view_local(struct hpo_store *st, int64_t id, json_t **out, struct hpo_err *err);
/* The plot data of one local task, as hpo_plot_data_new gives on its view,
 * read from the database row by row: no view is built (plot.h). */
struct hpo_plot_data;
int hpo_view_local_plot(struct hpo_store *st, int64_t id, struct hpo_plot_data **out,
			struct hpo_err *err);
/* The view of a Grid task from PanDA's answers: info (task/get_detailed_info,
 * or a task of the task/get_tasks_detailed_info_since listing: the status,
 * dates, error dialog and raw_task_params) and points (iDDS
 * get_hyperparameters: [{"id", "parameters", "loss"}]), or NULL points and
 * points_error saying why iDDS gave none.  A point with a loss is finished,
 * or failed when its loss is not finite or 1e5 or more (iDDS's failed
 * points); one without is pending (iDDS does not say whether it runs). */
json_t *hpo_view_panda(int64_t id, const json_t *info, const json_t *points,
		       const char *points_error);
/* What a task's end says (hpo-status(1)): NULL while its status is not final;
 * "success" for done, and for finished with points, none of them pending or
 * running; "incomplete" for finished with points left; "unknown" for
 * finished without the points; "failure" for the other final statuses. */
const char *hpo_view_outcome(const json_t *task);
/* 1 when the task's status is one of statuses (a comma list; NULL: any)
 * and its name matches the shell glob name (fnmatch; NULL: any). */
int hpo_view_match(const json_t *task, const char *statuses, const char *name);
/* {"schema", "version", "tasks": tasks} (steals tasks). */
json_t *hpo_view_wrap(json_t *tasks);

/* The task table: one row per task. */
void hpo_view_print_tasks(FILE *f, const json_t *tasks);
/* The point table of one task. */
void hpo_view_print_points(FILE *f, const json_t *task);


#endif
