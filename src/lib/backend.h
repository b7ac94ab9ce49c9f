/* backend.h - where tasks live: the local store or PanDA
 *
 * The readers (hpo-status, later hpo-plot) hold a backend and never ask
 * which one it is: both give task ids and task views (view.h).
 */
#ifndef HPO_BACKEND_H
#define HPO_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"

struct hpo_backend;

/* The local task database (db: --db, or NULL for the default).  A missing
 * database holds no tasks and is not created by looking. */
int hpo_backend_local(const char *db, struct hpo_backend **out, struct hpo_err *err);
/* The PanDA server, with the user's credentials. */
int hpo_backend_panda(struct hpo_backend **out, struct hpo_err *err);
void hpo_backend_free(struct hpo_backend *b);

/* Which tasks a listing asks for: the Grid's tasks changed in the last
 * `days` days; statuses (a comma list) and name (a task name or a shell
 * glob) may narrow it where the backend can (the Grid server: see
 * hpo_grid_recent), so a caller still checks the views (hpo_view_match). */
struct hpo_task_filter {
	int days;
	const char *statuses;
	const char *name;
};

/* Every task (local), or the user's HPO tasks (PanDA) as f says, newest
 * last (local) or first (PanDA). */
int hpo_backend_ids(struct hpo_backend *b, const struct hpo_task_filter *f, int64_t **ids,
		    size_t *n, struct hpo_err *err);
/* The views of these tasks, in order, as a new JSON list; an unknown id is
 * HPO_E_NOTFOUND "no task N". */
int hpo_backend_views(struct hpo_backend *b, const int64_t *ids, size_t n, json_t **tasks,
		      struct hpo_err *err);

/* The plot data of one task (plot.h): a local one read from the database
 * with no view built (hpo_view_local_plot), a Grid one from its view. */
struct hpo_plot_data;
int hpo_backend_plot(struct hpo_backend *b, int64_t id, struct hpo_plot_data **d,
		     struct hpo_err *err);

#endif
