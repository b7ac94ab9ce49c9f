/* backend.c - the local store or PanDA behind one small table */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "backend.h"
#include "xmalloc.h"
#include "config.h"
#include "grid.h"
#include "panda.h"
#include "plot.h"
#include "store.h"
#include "view.h"

struct ops {
	int (*ids)(struct hpo_backend *, const struct hpo_task_filter *, int64_t **, size_t *,
		   struct hpo_err *);
	int (*views)(struct hpo_backend *, const int64_t *, size_t, json_t **, struct hpo_err *);
	void (*free)(struct hpo_backend *);
};

struct hpo_backend {
	const struct ops *ops;
	/* local */
	char *db;
	struct hpo_store *st;	/* opened to read: viewers never write */
	/* panda */
	struct hpo_auth *auth;
	struct hpo_panda *panda;
	json_t *listing;	/* the tasks of the last listing, for the next views */
};

/* ---- local ------------------------------------------------------------------- */

static int
local_ids(struct hpo_backend *b, const struct hpo_task_filter *f, int64_t **ids, size_t *n,
	  struct hpo_err *err)
{
	(void)f;	/* the caller filters the views */
	*ids = NULL;
	*n = 0;
	return hpo_store_task_ids(b->st, ids, n, err);
}

static int
local_views(struct hpo_backend *b, const int64_t *ids, size_t n, json_t **tasks,
	    struct hpo_err *err)
{
	/* afresh each time (hpo-status --watch): a database read immutable at
	 * rest is read in use once its engine starts */
	hpo_store_close(b->st);
	b->st = NULL;
	*tasks = NULL;
	if (hpo_store_open_read(b->db, &b->st, err) < 0)
		return -1;
	*tasks = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *v;
		if (hpo_view_local(b->st, ids[i], &v, err) < 0)
			goto fail;
		json_array_append_new(*tasks, v);
	}
	return 0;
fail:
	json_decref(*tasks);
	*tasks = NULL;
	return -1;
}

static void
local_free(struct hpo_backend *b)
{
	hpo_store_close(b->st);
	free(b->db);
}

static const struct ops local_ops = {local_ids, local_views, local_free};

int
hpo_backend_local(const char *db, struct hpo_backend **out, struct hpo_err *err)
{
	struct hpo_backend *b = xcalloc(1, sizeof(*b));

	*out = NULL;
	b->ops = &local_ops;
	if (hpo_config_db_path(db, &b->db, err) < 0 ||
	    hpo_store_open_read(b->db, &b->st, err) < 0) {
		hpo_backend_free(b);
		return -1;
	}
	*out = b;
	return 0;
}

/* ---- PanDA -------------------------------------------------------------------- */

static int
panda_ids(struct hpo_backend *b, const struct hpo_task_filter *f, int64_t **ids, size_t *n,
	  struct hpo_err *err)
{
	json_t *t;
	size_t i;

	*ids = NULL;
	*n = 0;
	json_decref(b->listing);
	b->listing = NULL;
	if (hpo_grid_recent(b->panda, f->days, f->statuses, f->name, &b->listing, err) < 0)
		return -1;
	*ids = xcalloc(json_array_size(b->listing) + 1, sizeof(**ids));
	json_array_foreach(b->listing, i, t)
		(*ids)[(*n)++] = json_integer_value(json_object_get(t, "jediTaskID"));
	return 0;
}

static int
panda_views(struct hpo_backend *b, const int64_t *ids, size_t n, json_t **tasks,
	    struct hpo_err *err)
{
	json_t **v = xcalloc(n ? n : 1, sizeof(*v)), **known = xcalloc(n ? n : 1, sizeof(*known));
	struct hpo_err *errs = xcalloc(n ? n : 1, sizeof(*errs));
	int rc = 0;

	*tasks = NULL;
	/* the listing just made has every field of its tasks: only their
	 * points are needed; later looks ask again */
	for (size_t i = 0; b->listing != NULL && i < n; i++) {
		size_t k;
		json_t *t;
		json_array_foreach(b->listing, k, t)
			if (json_integer_value(json_object_get(t, "jediTaskID")) == ids[i])
				known[i] = t;
	}
	if (hpo_grid_views(b->panda, ids, n, known, v, errs) < 0) {
		/* the first failure speaks for all */
		for (size_t i = 0; i < n; i++)
			if (v[i] == NULL) {
				*err = errs[i];
				break;
			}
		rc = -1;
	}
	json_decref(b->listing);
	b->listing = NULL;
	if (rc == 0) {
		*tasks = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append(*tasks, v[i]);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(v[i]);
	free(v);
	free(known);
	free(errs);
	return rc;
}

static void
panda_free(struct hpo_backend *b)
{
	json_decref(b->listing);
	hpo_panda_free(b->panda);
	hpo_auth_free(b->auth);
}

static const struct ops panda_ops = {panda_ids, panda_views, panda_free};

int
hpo_backend_panda(struct hpo_backend **out, struct hpo_err *err)
{
	struct hpo_backend *b = xcalloc(1, sizeof(*b));

	*out = NULL;
	b->ops = &panda_ops;
	if (hpo_grid_connect(&b->auth, &b->panda, err) < 0) {
		free(b);
		return -1;
	}
	*out = b;
	return 0;
}

/* ---- the table ---------------------------------------------------------------- */

void
hpo_backend_free(struct hpo_backend *b)
{
	if (b == NULL)
		return;
	b->ops->free(b);
	free(b);
}

int
hpo_backend_ids(struct hpo_backend *b, const struct hpo_task_filter *f, int64_t **ids, size_t *n,
		struct hpo_err *err)
{
	return b->ops->ids(b, f, ids, n, err);
}

int
hpo_backend_views(struct hpo_backend *b, const int64_t *ids, size_t n, json_t **tasks,
		  struct hpo_err *err)
{
	return b->ops->views(b, ids, n, tasks, err);
}

int
hpo_backend_plot(struct hpo_backend *b, int64_t id, struct hpo_plot_data **d, struct hpo_err *err)
{
	json_t *tasks, *doc;
	const json_t *task;
	int rc;

	*d = NULL;
	if (b->st != NULL)
		return hpo_view_local_plot(b->st, id, d, err);
	if (hpo_backend_views(b, &id, 1, &tasks, err) < 0)
		return -1;
	doc = hpo_view_wrap(tasks);
	rc = hpo_plot_view_task(doc, "the task view", id, &task, err) < 0 ||
	     hpo_plot_data_new(task, d, err) < 0 ? -1 : 0;
	json_decref(doc);
	return rc;
}
