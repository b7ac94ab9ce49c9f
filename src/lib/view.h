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
 *           "points": [POINT...], "space": the search space or null}
 *   POINT = {"id", "status", "parameters", "loss", "attempts", "message",
 *            "created", "started", "ended"[, "intermediate": [numbers]]}
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
/* The view of a Grid task from PanDA's answers: details (task/get_details),
 * params (task/get_task_parameters, may be NULL) and points (iDDS
 * get_hyperparameters: [{"id", "parameters", "loss"}]).  A point with a loss
 * is finished, or failed when its loss is PanDA's 1e5 for failed points;
 * one without is pending (iDDS does not say whether it runs). */
json_t *hpo_view_panda(int64_t id, const json_t *details, const json_t *params,
		       const json_t *points);
/* {"schema", "version", "tasks": tasks} (steals tasks). */
json_t *hpo_view_wrap(json_t *tasks);

/* The task table: one row per task. */
void hpo_view_print_tasks(FILE *f, const json_t *tasks);
/* The point table of one task. */
void hpo_view_print_points(FILE *f, const json_t *task);


#endif
