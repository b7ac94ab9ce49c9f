/* view.c - the task view and its tables */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "file.h"
#include "jsontext.h"
#include "plot.h"
#include "space.h"
#include "text.h"
#include "view.h"
#include "xmalloc.h"

static json_t *
iso_time(double t)
{
	char buf[32];
	time_t s = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&s, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

/* A text from outside (a database, an evaluation, a server) as a JSON
 * string: a byte that is not UTF-8 (a character cut short) becomes '?',
 * rather than the string being refused. */
static json_t *
str_or_null(const char *s)
{
	char *t;
	json_t *v;

	if (s == NULL)
		return json_null();
	if ((t = strdup(s)) == NULL)
		return NULL;
	hpo_text_utf8(t);
	v = json_string(t);
	free(t);
	return v;
}

static json_t *finish_view(json_t *task, const char *points_error);

/* Is an engine holding the task's lock right now? */
static int
engine_alive(const struct hpo_store *st, const struct hpo_task_row *row)
{
	char *dir = hpo_store_task_dir(st, row->id, row->legacy), *path;
	int fd, alive = 0;

	path = hpo_path_join(dir, "lock");
	free(dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)	/* never run; or not ours to see (a colleague's): as recorded */
		return errno != ENOENT;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0)
		alive = 1;
	close(fd);
	return alive;
}

/* A point; "intermediate" only when the evaluation reported it. */
static json_t *
point_json(const struct hpo_point_row *p)
{
	json_t *v = json_pack("{s:I, s:s, s:O, s:o, s:i, s:o, s:o, s:o, s:o}", "id", (json_int_t)p->id,
			 "status", p->status, "parameters", p->params, "loss",
			 p->has_loss ? json_real(p->loss) : json_null(), "attempts", p->attempts,
			 "message", str_or_null(p->message), "created", iso_time(p->created),
			 "started", iso_time(p->started), "ended", iso_time(p->ended));

	if (v != NULL && json_is_array(p->intermediate))
		json_object_set(v, "intermediate", p->intermediate);
	return v;
}

int
hpo_view_local(struct hpo_store *st, int64_t id, json_t **out, struct hpo_err *err)
{
	struct hpo_task_row row;
	struct hpo_point_row *pts;
	size_t n, counts[5] = {0};
	static const char *const names[5] = {"pending", "running", "finished", "failed",
					     "cancelled"};
	const struct hpo_point_row *best = NULL;
	json_t *task, *list, *spec, *budget, *space;
	const char *status;
	json_int_t max_points = 0;

	*out = NULL;
	if (hpo_store_task_get(st, id, &row, err) < 0)
		return -1;
	if (hpo_store_points(st, id, &pts, &n, err) < 0) {
		hpo_task_row_free(&row);
		return -1;
	}
	list = json_array();
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 5; k++)
			if (strcmp(pts[i].status, names[k]) == 0)
				counts[k]++;
		if (strcmp(pts[i].status, "finished") == 0 && (best == NULL || pts[i].loss < best->loss))
			best = &pts[i];
		/* a point left out would be a view that does not add up */
		if (json_array_append_new(list, point_json(&pts[i])) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	spec = json_loads(row.spec, 0, NULL);
	budget = json_object_get(spec, "budget");
	if (json_is_integer(json_object_get(budget, "max-points")))
		max_points = json_integer_value(json_object_get(budget, "max-points"));
	space = json_object_get(spec, "search-space");
	space = json_is_object(space) ? json_incref(space) : json_null();
	json_decref(spec);

	status = row.status;
	if ((strcmp(status, "running") == 0 || strcmp(status, "registered") == 0) &&
	    !engine_alive(st, &row))
		status = "paused";
	task = json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:I, s:{s:I, s:I, s:I, s:I, s:I, "
			 "s:I}, s:o, s:o}",
			 "id", (json_int_t)row.id, "backend", "local", "name", str_or_null(row.name), "status",
			 status, "message", str_or_null(row.message), "created", iso_time(row.created),
			 "updated", iso_time(row.updated), "ended", iso_time(row.ended),
			 "max_points", (json_int_t)max_points, "counts", "points", (json_int_t)n,
			 "pending", (json_int_t)counts[0], "running", (json_int_t)counts[1], "finished",
			 (json_int_t)counts[2], "failed", (json_int_t)counts[3], "cancelled",
			 (json_int_t)counts[4], "best", best ? point_json(best) : json_null(),
			 "points", list);
	if (task != NULL)
		json_object_set(task, "space", space);
	json_decref(space);
	hpo_point_rows_free(pts, n);
	hpo_task_row_free(&row);
	/* the texts are UTF-8 already (hpo_text_utf8): a bug, if ever */
	if (finish_view(task, NULL) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "task %lld: cannot build its view",
				   (long long)id);
	*out = task;
	return 0;
}

struct plot_feed {
	struct hpo_plot_build *b;
	char *text;		/* a message, its bytes made UTF-8 */
};

static int
plot_point(void *arg, const struct hpo_point_row *p)
{
	struct plot_feed *f = arg;

	hpo_plot_build_point(f->b);
	hpo_plot_build_id(f->b, p->id);
	hpo_plot_build_status(f->b, p->status);
	hpo_plot_build_loss(f->b, p->has_loss, p->loss);
	if (p->message != NULL) {
		free(f->text);
		f->text = xstrdup(p->message);
		hpo_text_utf8(f->text);
		hpo_plot_build_message(f->b, f->text);
	}
	if (p->params_text != NULL) {
		/* the columns' text read with no JSON tree (1: the store says what
		 * is wrong with it) */
		if (hpo_plot_read_params(f->b, p->params_text) < 0 ||
		    (p->intermediate_text != NULL && hpo_plot_read_curve(f->b, p->intermediate_text) < 0))
			return 1;
		return 0;
	}
	hpo_plot_build_json_params(f->b, p->params);
	hpo_plot_build_json_curve(f->b, p->intermediate);
	return 0;
}

int
hpo_view_local_plot(struct hpo_store *st, int64_t id, struct hpo_plot_data **out,
		    struct hpo_err *err)
{
	struct plot_feed f = {NULL, NULL};
	struct hpo_task_row row;
	const char *status, *key;
	json_t *spec, *v;
	char *name;
	int rc;

	*out = NULL;
	if (hpo_store_task_get(st, id, &row, err) < 0)
		return -1;
	f.b = hpo_plot_build_new();
	status = row.status;
	if ((strcmp(status, "running") == 0 || strcmp(status, "registered") == 0) &&
	    !engine_alive(st, &row))
		status = "paused";
	name = xstrdup(row.name);
	hpo_text_utf8(name);
	hpo_plot_build_task(f.b, row.id, name, status, "local");
	free(name);
	spec = json_loads(row.spec, 0, NULL);
	json_object_foreach(json_object_get(spec, "search-space"), key, v)
		if (json_is_object(v))
			hpo_plot_build_space(f.b, key, json_string_value(json_object_get(v, "method")));
	json_decref(spec);
	hpo_task_row_free(&row);
	rc = hpo_store_points_each(st, id, HPO_STORE_RAW, plot_point, &f, err);
	free(f.text);
	if (rc < 0) {
		hpo_plot_build_free(f.b);
		return -1;
	}
	return hpo_plot_build_finish(f.b, out, err);
}

/* PanDA's datetimes: {"__datetime__": "ISO"} or a plain string */
static json_t *
panda_time(const json_t *v)
{
	const json_t *s = json_is_object(v) ? json_object_get(v, "__datetime__") : v;
	char buf[32];
	size_t n;

	if (!json_is_string(s) || (n = strlen(json_string_value(s))) < 19)
		return json_null();
	/* 2026-11-27T14:00:00[.ffffff] or with a space: keep seconds, mark UTC;
	 * anything else is no time (a server's garbage is not shown as one) */
	snprintf(buf, sizeof(buf), "%.19sZ", json_string_value(s));
	for (size_t i = 0; i < 19; i++)
		if (i == 4 || i == 7 ? buf[i] != '-' : i == 10 ? buf[i] != 'T' && buf[i] != ' '
		    : i == 13 || i == 16 ? buf[i] != ':' : buf[i] < '0' || buf[i] > '9')
			return json_null();
	buf[10] = 'T';
	return json_string(buf);
}

/* The final statuses and what they say of a task's end (hpo-status(1)):
 * done succeeded; finished succeeded when every point proposed was evaluated
 * (PanDA ends every HPO task with a finished point "finished"), else it
 * stopped early; the others failed. */
static const char *const final_statuses[] = {
	"done", "finished", "failed", "broken", "aborted", "exhausted", NULL,
};

static int
is_final(const char *status)
{
	for (size_t i = 0; status != NULL && final_statuses[i] != NULL; i++)
		if (strcmp(status, final_statuses[i]) == 0)
			return 1;
	return 0;
}

const char *
hpo_view_outcome(const json_t *task)
{
	const char *status = json_string_value(json_object_get(task, "status"));
	const json_t *c = json_object_get(task, "counts");

	if (!is_final(status))
		return NULL;
	if (strcmp(status, "done") == 0)
		return "success";
	if (strcmp(status, "finished") != 0)
		return "failure";
	if (json_is_string(json_object_get(task, "points_error")))
		return "unknown";
	if (json_integer_value(json_object_get(c, "points")) > 0 &&
	    json_integer_value(json_object_get(c, "pending")) == 0 &&
	    json_integer_value(json_object_get(c, "running")) == 0)
		return "success";
	return "incomplete";
}

/* The name of the task's fidelity parameter, from its space, or NULL. */
static const char *
fidelity_name(const json_t *task)
{
	const char *key;
	json_t *v;

	json_object_foreach(json_object_get(task, "space"), key, v) {
		const char *m = json_string_value(json_object_get(v, "method"));
		if (m != NULL && strcmp(m, "fidelity") == 0)
			return key;
	}
	return NULL;
}

/* The key of a trial's point at a budget, for the points continued. */
static char *
rung_key(const char *trial, double budget)
{
	return hpo_strf("%s\n%.17g", trial, budget);
}

static int
is_done(const json_t *p)
{
	const json_t *loss = json_object_get(p, "loss");
	const char *st = json_string_value(json_object_get(p, "status"));

	return st != NULL && strcmp(st, "finished") == 0 && json_is_number(loss) &&
	       isfinite(json_number_value(loss));
}

/* In a task whose space has a fidelity parameter: each point's trial,
 * budget and the id of the point it continues (the latest earlier point of
 * its trial at the budget __hpo_continues names, a finished one first);
 * and the best point is the best of the highest budget a finished point
 * reached (hpo-status(1)). */
static void
add_rungs(json_t *task)
{
	const char *fid = fidelity_name(task);
	json_t *points = json_object_get(task, "points"), *p, *best = NULL;
	json_t *done_at, *any_at;
	double top = -INFINITY;
	size_t i;

	if (fid == NULL)
		return;
	done_at = json_object();
	any_at = json_object();
	json_array_foreach(points, i, p) {
		const json_t *ps = json_object_get(p, "parameters");
		const json_t *trial = json_object_get(ps, HPO_KEY_TRIAL);
		const json_t *budget = json_object_get(ps, fid);
		const json_t *cont = json_object_get(ps, HPO_KEY_CONTINUES);
		json_t *from = NULL;
		char *key;

		if (!json_is_string(trial))
			trial = NULL;
		if (!json_is_number(budget))
			budget = NULL;
		if (trial != NULL && json_is_number(cont)) {
			key = rung_key(json_string_value(trial), json_number_value(cont));
			from = json_object_get(done_at, key);
			if (from == NULL)
				from = json_object_get(any_at, key);
			free(key);
		}
		json_object_set_new(p, "trial", trial ? json_incref((json_t *)trial) : json_null());
		json_object_set_new(p, "budget", budget ? json_incref((json_t *)budget) : json_null());
		json_object_set_new(p, "continues", from ? json_incref(from) : json_null());
		if (trial != NULL && budget != NULL) {
			key = rung_key(json_string_value(trial), json_number_value(budget));
			json_object_set(any_at, key, json_object_get(p, "id"));
			if (is_done(p))
				json_object_set(done_at, key, json_object_get(p, "id"));
			free(key);
		}
		if (budget != NULL && is_done(p) && json_number_value(budget) > top)
			top = json_number_value(budget);
	}
	json_decref(done_at);
	json_decref(any_at);
	json_array_foreach(points, i, p) {
		const json_t *b = json_object_get(p, "budget");
		if (is_done(p) && json_is_number(b) && json_number_value(b) == top &&
		    (best == NULL || json_number_value(json_object_get(p, "loss")) <
				     json_number_value(json_object_get(best, "loss"))))
			best = p;
	}
	if (best != NULL)
		json_object_set(task, "best", best);
}

/* outcome and points_error, the keys every view ends with; the rungs of a
 * multi-fidelity task */
static json_t *
finish_view(json_t *task, const char *points_error)
{
	const char *o;

	if (task == NULL)
		return NULL;
	add_rungs(task);
	json_object_set_new(task, "points_error", str_or_null(points_error));
	o = hpo_view_outcome(task);
	json_object_set_new(task, "outcome", str_or_null(o));
	return task;
}

/* A Grid point from iDDS: {"id", "parameters", "loss"} */
static json_t *
panda_point(const json_t *pt, const char **st)
{
	const json_t *loss = json_object_get(pt, "loss");
	json_t *idv = json_object_get(pt, "id"), *idn;

	*st = "pending";
	if (json_is_string(loss))
		*st = "failed";		/* NaN, Infinity: Python's json, kept as strings */
	else if (json_is_number(loss))
		/* PanDA records a point that failed all its attempts with 1e5;
		 * iDDS and the steering take 1e5 or more as failed */
		*st = json_number_value(loss) >= 1e5 || !isfinite(json_number_value(loss))
			      ? "failed" : "finished";
	/* iDDS gives ids as strings of numbers: integers, as for local tasks */
	if (json_is_string(idv) && *json_string_value(idv) != '\0' &&
	    strspn(json_string_value(idv), "0123456789") == strlen(json_string_value(idv)))
		idn = json_integer(strtoll(json_string_value(idv), NULL, 10));
	else
		idn = idv ? json_incref(idv) : json_null();
	return json_pack("{s:o, s:s, s:O, s:O, s:n, s:n, s:n, s:n, s:n}", "id", idn, "status", *st,
			 "parameters",
			 json_object_get(pt, "parameters") ? json_object_get(pt, "parameters") : json_null(),
			 "loss", loss ? loss : json_null(), "attempts", "message", "created", "started",
			 "ended");
}

json_t *
hpo_view_panda(int64_t id, const json_t *info, const json_t *points, const char *points_error)
{
	const char *status = json_string_value(json_object_get(info, "status"));
	const char *name = json_string_value(json_object_get(info, "taskName"));
	const json_t *params = json_object_get(info, "raw_task_params");
	const json_t *hrd = json_object_get(params, "hpoRequestData"), *pt;
	json_t *list = json_array(), *msg = json_object_get(info, "errorDialog"), *bestv = json_null();
	int counts[3] = {0};	/* pending, finished, failed */
	double best = 0;
	size_t i;

	if (name == NULL)
		name = json_string_value(json_object_get(params, "taskName"));
	json_array_foreach(points, i, pt) {
		const char *st;
		json_t *v = panda_point(pt, &st);
		if (v == NULL)
			continue;
		counts[st[0] == 'p' ? 0 : st[1] == 'i' ? 1 : 2]++;
		if (st[1] == 'i' && (json_is_null(bestv) ||
				     json_number_value(json_object_get(pt, "loss")) < best)) {
			best = json_number_value(json_object_get(pt, "loss"));
			json_decref(bestv);
			bestv = json_incref(v);
		}
		json_array_append_new(list, v);
	}
	json_int_t maxp = json_integer_value(json_object_get(hrd, "max_points"));
	/* opt_space: the space, or one copy per segment: the first */
	const json_t *space = json_object_get(hrd, "opt_space");
	if (json_is_array(space))
		space = json_object_get(json_array_get(space, 0), "search_space");
	json_t *task = json_pack("{s:I, s:s, s:s, s:s, s:O, s:o, s:o, s:o, s:I, s:{s:i, s:i, s:i, s:i, s:i, "
			 "s:i}, s:o, s:o}",
			 "id", (json_int_t)id, "backend", "panda", "name", name ? name : "",
			 "status", status ? status : "unknown",
			 "message", json_is_string(msg) && *json_string_value(msg) ? msg : json_null(),
			 "created", panda_time(json_object_get(info, "creationDate")),
			 "updated", panda_time(json_object_get(info, "modificationTime")),
			 "ended", is_final(status) ? panda_time(json_object_get(info, "endTime")) : json_null(),
			 "max_points", maxp,
			 "counts", "points", (int)json_array_size(list), "pending", counts[0],
			 "running", 0, "finished", counts[1], "failed", counts[2], "cancelled", 0,
			 "best", bestv, "points", list);
	if (task != NULL)
		json_object_set_new(task, "space",
				    json_is_object(space) ? json_deep_copy(space) : json_null());
	return finish_view(task, points_error);
}

int
hpo_view_match(const json_t *task, const char *statuses, const char *name)
{
	const char *st = json_string_value(json_object_get(task, "status"));
	const char *nm = json_string_value(json_object_get(task, "name"));

	if (name != NULL && (nm == NULL || fnmatch(name, nm, 0) != 0))
		return 0;
	if (statuses == NULL)
		return 1;
	for (const char *p = statuses; st != NULL && *p != '\0';) {
		size_t len = strcspn(p, ",");
		if (len == strlen(st) && strncmp(p, st, len) == 0)
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

json_t *
hpo_view_wrap(json_t *tasks)
{
	return json_pack("{s:s, s:i, s:o}", "schema", HPO_VIEW_SCHEMA, "version", HPO_VIEW_VERSION,
			 "tasks", tasks);
}

/* ---- tables ------------------------------------------------------------------ */

#define MAXCOLS 9

struct table {
	size_t ncols, nrows, cap;
	const char *head[MAXCOLS];
	char **cells;		/* nrows * ncols */
	int right[MAXCOLS];
};

static void
table_add(struct table *t, char **row)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
		if (c == NULL) {
			for (size_t i = 0; i < t->ncols; i++)
				free(row[i]);
			return;
		}
		t->cells = c;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = row[i] ? row[i] : strdup("");
	t->nrows++;
}

static void
table_print(FILE *f, struct table *t)
{
	size_t w[MAXCOLS];

	/* names, parameters and messages come from task files, evaluations and
	 * servers: nothing in them may steer the terminal */
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		hpo_text_sanitize(t->cells[i], 0);
	for (size_t c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			const char *s = t->cells[r * t->ncols + c];
			size_t l = s ? strlen(s) : 0;
			if (l > w[c])
				w[c] = l;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *s = r == 0 ? t->head[c] : t->cells[(r - 1) * t->ncols + c];
			int last = c + 1 == t->ncols;
			if (s == NULL)
				s = "";
			if (t->right[c])
				fprintf(f, "%*s%s", (int)w[c], s, last ? "" : "  ");
			else if (last)
				fputs(s, f);
			else
				fprintf(f, "%-*s  ", (int)w[c], s);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
}

static char *
fmt_loss(const json_t *v)
{
	if (!json_is_number(v))
		return strdup("-");
	return hpo_strf("%.6g", json_number_value(v));
}

static char *
compact(const json_t *v)
{
	/* tables: six significant digits, as the losses; --json has them all */
	return v ? hpo_json_text(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY, 6) : NULL;
}

/* A point's parameters for a table: in a multi-fidelity task without the
 * reserved keys, and without the budget (skip, its own column) when not
 * NULL. */
static char *
compact_params(const json_t *task, const json_t *ps, const char *skip)
{
	json_t *c;
	char *s;

	if (fidelity_name(task) == NULL || !json_is_object(ps))
		return compact(ps);
	c = json_copy((json_t *)ps);
	json_object_del(c, HPO_KEY_TRIAL);
	json_object_del(c, HPO_KEY_CONTINUES);
	if (skip != NULL)
		json_object_del(c, skip);
	s = compact(c);
	json_decref(c);
	return s;
}

/* "-" for null, else a string's text or a value's compact JSON */
static char *
cell(const json_t *v)
{
	if (v == NULL || json_is_null(v))
		return strdup("-");
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return compact(v);
}

/* "2026-11-27T14:21Z" of an ISO time, "-" for none: one word, UTC */
static char *
fmt_created(const json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) < 16)
		return strdup("-");
	return hpo_strf("%.16sZ", s);
}

void
hpo_view_print_tasks(FILE *f, const json_t *tasks)
{
	struct table t = {.ncols = 9, .head = {"ID", "NAME", "STATUS", "RESULT", "CREATED", "DONE",
					      "FAILED", "BEST LOSS", "BEST POINT"},
			  .right = {1, 0, 0, 0, 0, 1, 1, 1, 0}};
	const json_t *task;
	size_t i;

	json_array_foreach(tasks, i, task) {
		const json_t *counts = json_object_get(task, "counts");
		const json_t *best = json_object_get(task, "best");
		const char *outcome = json_string_value(json_object_get(task, "outcome"));
		/* without iDDS's points nothing is known of them */
		int unknown = json_is_string(json_object_get(task, "points_error"));
		long done = (long)(json_integer_value(json_object_get(counts, "finished")) +
				   json_integer_value(json_object_get(counts, "failed")));
		long long maxp = (long long)json_integer_value(json_object_get(task, "max_points"));
		char *row[9] = {
			hpo_strf("%lld", (long long)json_integer_value(json_object_get(task, "id"))),
			strdup(json_string_value(json_object_get(task, "name"))),
			strdup(json_string_value(json_object_get(task, "status"))),
			strdup(outcome ? outcome : "-"),
			fmt_created(json_object_get(task, "created")),
			unknown ? hpo_strf("?/%lld", maxp) : hpo_strf("%ld/%lld", done, maxp),
			unknown ? strdup("?")
				: hpo_strf("%lld", (long long)json_integer_value(
							   json_object_get(counts, "failed"))),
			unknown ? strdup("?") : fmt_loss(json_object_get(best, "loss")),
			unknown ? strdup("?")
			: json_is_object(best) ? compact_params(task, json_object_get(best, "parameters"), NULL)
			: strdup("-"),
		};
		table_add(&t, row);
	}
	table_print(f, &t);
}

void
hpo_view_print_points(FILE *f, const json_t *task)
{
	struct table t = {.ncols = 6, .head = {"POINT", "STATUS", "LOSS", "ATTEMPTS", "PARAMETERS",
					      "MESSAGE"},
			  .right = {1, 0, 1, 1, 0, 0}};
	/* a multi-fidelity task: the trial, budget and point continued */
	struct table tf = {.ncols = 9, .head = {"POINT", "STATUS", "LOSS", "ATTEMPTS", "TRIAL",
					       "BUDGET", "CONTINUES", "PARAMETERS", "MESSAGE"},
			   .right = {1, 0, 1, 1, 0, 1, 1, 0, 0}};
	const json_t *p, *why = json_object_get(task, "points_error");
	const char *fid = fidelity_name(task);
	size_t i;

	if (json_is_string(why)) {
		char *s = strdup(json_string_value(why));
		if (s != NULL) {
			hpo_text_sanitize(s, 0);
			fprintf(f, "points unavailable: %s\n", s);
		}
		free(s);
		return;
	}
	json_array_foreach(json_object_get(task, "points"), i, p) {
		const json_t *msg = json_object_get(p, "message");
		char *row[6] = {
			hpo_strf("%lld", (long long)json_integer_value(json_object_get(p, "id"))),
			strdup(json_string_value(json_object_get(p, "status"))),
			fmt_loss(json_object_get(p, "loss")),
			/* iDDS does not tell a Grid point's attempts */
			json_is_integer(json_object_get(p, "attempts"))
				? hpo_strf("%lld", (long long)json_integer_value(json_object_get(p, "attempts")))
				: strdup("-"),
			compact_params(task, json_object_get(p, "parameters"), fid),
			strdup(json_is_string(msg) ? json_string_value(msg) : ""),
		};
		if (fid != NULL) {
			char *wide[9] = {row[0], row[1], row[2], row[3],
					 cell(json_object_get(p, "trial")),
					 cell(json_object_get(p, "budget")),
					 cell(json_object_get(p, "continues")), row[4], row[5]};
			table_add(&tf, wide);
		} else {
			table_add(&t, row);
		}
	}
	table_print(f, fid != NULL ? &tf : &t);
}
