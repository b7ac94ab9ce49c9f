/* plot.c - a task view's task as plot data; scales, ticks, importance */
#include "autoconf.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plot.h"
#include "space.h"
#include "xmalloc.h"
#include "view.h"

static const char *const kind_names[HPO_PLOT_NKINDS] = {
	"history", "parallel", "slice", "pair", "importance", "curves", "rungs",
};

const char *
hpo_plot_kind_name(enum hpo_plot_kind k)
{
	return (unsigned)k < HPO_PLOT_NKINDS ? kind_names[k] : "?";
}

int
hpo_plot_kind_parse(const char *s)
{
	for (int k = 0; k < HPO_PLOT_NKINDS; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

/* ---- the view ------------------------------------------------------------------ */

int
hpo_plot_view_task(const json_t *doc, const char *what, int64_t id, const json_t **task,
		   struct hpo_err *err)
{
	const json_t *tasks = json_object_get(doc, "tasks"), *t;
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	size_t i;

	*task = NULL;
	if (!json_is_object(doc) || schema == NULL || strcmp(schema, HPO_VIEW_SCHEMA) != 0)
		return hpo_err_set(err, HPO_E_INPUT, "%s: not a task view (no \"schema\": \"%s\")",
				   what, HPO_VIEW_SCHEMA);
	if (json_integer_value(json_object_get(doc, "version")) != HPO_VIEW_VERSION)
		return hpo_err_set(err, HPO_E_INPUT, "%s: task view version %lld, this hpo-plot reads %d",
				   what, (long long)json_integer_value(json_object_get(doc, "version")),
				   HPO_VIEW_VERSION);
	if (!json_is_array(tasks))
		return hpo_err_set(err, HPO_E_INPUT, "%s: \"tasks\" is not a list", what);
	if (id < 0) {
		if (json_array_size(tasks) != 1)
			return hpo_err_set(err, json_array_size(tasks) ? HPO_E_INPUT : HPO_E_NOTFOUND,
					   "%s: holds %zu tasks: name one by its ID", what,
					   json_array_size(tasks));
		*task = json_array_get(tasks, 0);
	} else {
		json_array_foreach(tasks, i, t)
			if (json_integer_value(json_object_get(t, "id")) == id) {
				*task = t;
				break;
			}
		if (*task == NULL)
			return hpo_err_set(err, HPO_E_NOTFOUND, "%s: no task %lld", what, (long long)id);
	}
	if (!json_is_object(*task) || !json_is_array(json_object_get(*task, "points"))) {
		*task = NULL;
		return hpo_err_set(err, HPO_E_INPUT, "%s: a task without a \"points\" list", what);
	}
	return 0;
}

/* ---- the data ------------------------------------------------------------------ */

/* A loss: a number, or one of the strings for what JSON cannot hold. */
static int
loss_value(const json_t *v, double *out)
{
	const char *s = json_string_value(v);

	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (s == NULL)
		return -1;
	if (strcasecmp(s, "nan") == 0)
		*out = NAN;
	else if (strcasecmp(s, "inf") == 0 || strcasecmp(s, "infinity") == 0)
		*out = INFINITY;
	else if (strcasecmp(s, "-inf") == 0 || strcasecmp(s, "-infinity") == 0)
		*out = -INFINITY;
	else
		return -1;
	return 0;
}

static int
is_log_method(const char *m)
{
	return m && (strcmp(m, "loguniform") == 0 || strcmp(m, "qloguniform") == 0 ||
		     strcmp(m, "lognormal") == 0 || strcmp(m, "qlognormal") == 0);
}

double
hpo_plot_kth(double *v, size_t n, size_t k)
{
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		double pivot = v[lo + (hi - lo) / 2];
		size_t i = lo, j = hi;
		while (i <= j) {
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Without a search space: is parameter k (its column filled, the range
 * lo..hi of its finite values, empty when it has none) better drawn on a
 * log axis?  When its values are positive, span 1000 times or more, and
 * their median lies nearer the geometric middle of the range than the
 * arithmetic one (log-uniform values do; uniform ones that merely start
 * near 0 do not). */
static int
looks_log(const struct hpo_plot_data *d, size_t k, double lo, double hi)
{
	double *v, med;
	size_t n = 0;

	/* lo and hi are the column's finite extremes: an empty column (lo
	 * +inf, hi -inf) fails the second test, else v gets at least one value */
	if (!(lo > 0) || !(hi / lo >= 1000) || (v = malloc(d->np * sizeof(*v))) == NULL)
		return 0;
	for (size_t i = 0; i < d->np; i++)
		if (isfinite(d->x[i * d->nparams + k]))
			v[n++] = d->x[i * d->nparams + k];
	med = hpo_plot_kth(v, n, n / 2);
	free(v);
	/* |log med - log geo| < |log mid - log med|, with geo = sqrt(lo hi) */
	return fabs(log(med) - 0.5 * (log(lo) + log(hi))) < fabs(log((lo + hi) / 2) - log(med));
}

/* ---- building the data, point by point ------------------------------------------ */

/* A parameter value as given: its column of cells is filled as the points
 * come, and typed when the last has come (hpo_plot_build_finish). */
enum cell_kind { CELL_ABSENT, CELL_NULL, CELL_REAL, CELL_INT, CELL_TEXT };

struct cell {
	unsigned char kind;
	union {
		double r;
		int64_t i;
		char *text;	/* a string's value, or another value's JSON text */
	} u;
	unsigned char string;	/* CELL_TEXT: a JSON string (else other JSON) */
};

struct column {
	char *name;
	struct cell *cells;	/* one a point, cap of the build's points */
};

struct space_entry {
	char *name;
	int log;		/* its method is a log one */
	int fidelity;		/* its method is fidelity */
};

struct hpo_plot_build {
	int64_t id;
	char *name, *status, *backend;
	struct column *cols;
	size_t ncols, lastcol;
	struct space_entry *space;
	size_t nspace;
	struct hpo_plot_point *pts;
	char **status_of;	/* each point's status text (NULL: none) */
	char **message_of;
	size_t np, cap;
	double *curve;
	size_t ncurve, capcurve;
	size_t bad_params, bad_curve, bad_curve_at;	/* first bad point + 1, 0: none */
	char **statuses;	/* distinct status texts */
	size_t nstatuses;
};

struct hpo_plot_build *
hpo_plot_build_new(void)
{
	return xcalloc(1, sizeof(struct hpo_plot_build));
}

void
hpo_plot_build_free(struct hpo_plot_build *b)
{
	if (b == NULL)
		return;
	for (size_t k = 0; k < b->ncols; k++) {
		for (size_t i = 0; i < b->np; i++)
			if (b->cols[k].cells[i].kind == CELL_TEXT)
				free(b->cols[k].cells[i].u.text);
		free(b->cols[k].cells);
		free(b->cols[k].name);
	}
	free(b->cols);
	for (size_t k = 0; k < b->nspace; k++)
		free(b->space[k].name);
	free(b->space);
	for (size_t i = 0; i < b->np; i++)
		free(b->message_of[i]);
	for (size_t k = 0; k < b->nstatuses; k++)
		free(b->statuses[k]);
	free(b->statuses);
	free(b->status_of);
	free(b->message_of);
	free(b->pts);
	free(b->curve);
	free(b->name);
	free(b->status);
	free(b->backend);
	free(b);
}

void
hpo_plot_build_task(struct hpo_plot_build *b, int64_t id, const char *name, const char *status,
		    const char *backend)
{
	b->id = id;
	free(b->name);
	free(b->status);
	free(b->backend);
	b->name = xstrdup(name ? name : "");
	b->status = xstrdup(status ? status : "unknown");
	b->backend = xstrdup(backend ? backend : "");
}

void
hpo_plot_build_space(struct hpo_plot_build *b, const char *name, const char *method)
{
	size_t k;

	for (k = 0; k < b->nspace; k++)
		if (strcmp(b->space[k].name, name) == 0)
			break;
	if (k == b->nspace) {
		b->space = xreallocarray(b->space, b->nspace + 1, sizeof(*b->space));
		b->space[b->nspace++].name = xstrdup(name);
	}
	b->space[k].log = is_log_method(method);
	b->space[k].fidelity = method != NULL && strcmp(method, "fidelity") == 0;
}

void
hpo_plot_build_point(struct hpo_plot_build *b)
{
	if (b->np == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->pts = xreallocarray(b->pts, b->cap, sizeof(*b->pts));
		b->status_of = xreallocarray(b->status_of, b->cap, sizeof(*b->status_of));
		b->message_of = xreallocarray(b->message_of, b->cap, sizeof(*b->message_of));
		for (size_t k = 0; k < b->ncols; k++)
			b->cols[k].cells = xreallocarray(b->cols[k].cells, b->cap,
							 sizeof(*b->cols[k].cells));
	}
	struct hpo_plot_point *p = &b->pts[b->np];
	memset(p, 0, sizeof(*p));
	p->id = (int64_t)b->np + 1;
	p->loss = NAN;
	p->state = HPO_PT_PENDING;
	p->curve_off = b->ncurve;
	b->status_of[b->np] = NULL;
	b->message_of[b->np] = NULL;
	for (size_t k = 0; k < b->ncols; k++)
		b->cols[k].cells[b->np].kind = CELL_ABSENT;
	b->np++;
}

#define CUR(b) (&(b)->pts[(b)->np - 1])

void
hpo_plot_build_id(struct hpo_plot_build *b, int64_t id)
{
	CUR(b)->id = id;
}

void
hpo_plot_build_status(struct hpo_plot_build *b, const char *status)
{
	size_t k;

	for (k = 0; k < b->nstatuses; k++)
		if (strcmp(b->statuses[k], status) == 0)
			break;
	if (k == b->nstatuses) {
		b->statuses = xreallocarray(b->statuses, b->nstatuses + 1, sizeof(*b->statuses));
		b->statuses[b->nstatuses++] = xstrdup(status);
	}
	b->status_of[b->np - 1] = b->statuses[k];
}

/* The loss: a number (has) or none; the state follows from the status at
 * the end.  Kept in loss with curve_len as the mark (set below). */
void
hpo_plot_build_loss(struct hpo_plot_build *b, int has, double loss)
{
	CUR(b)->loss = has ? loss : NAN;
	CUR(b)->state = has ? HPO_PT_OK : HPO_PT_PENDING;	/* "has a loss", until finish */
}

void
hpo_plot_build_message(struct hpo_plot_build *b, const char *message)
{
	free(b->message_of[b->np - 1]);
	b->message_of[b->np - 1] = message ? xstrdup(message) : NULL;
}

void
hpo_plot_build_bad_params(struct hpo_plot_build *b)
{
	if (b->bad_params == 0)
		b->bad_params = b->np;
}

/* The cell of the current point in the column named name (made when new). */
static struct cell *
cell_of(struct hpo_plot_build *b, const char *name)
{
	size_t k = b->lastcol + 1 < b->ncols ? b->lastcol + 1 : 0;

	/* the keys of each point mostly come in the same order */
	for (size_t n = 0; n < b->ncols; n++, k = k + 1 < b->ncols ? k + 1 : 0)
		if (strcmp(b->cols[k].name, name) == 0) {
			b->lastcol = k;
			return &b->cols[k].cells[b->np - 1];
		}
	b->cols = xreallocarray(b->cols, b->ncols + 1, sizeof(*b->cols));
	struct column *c = &b->cols[b->ncols];
	c->name = xstrdup(name);
	c->cells = xcalloc(b->cap, sizeof(*c->cells));	/* CELL_ABSENT */
	b->lastcol = b->ncols++;
	return &c->cells[b->np - 1];
}

static struct cell *
cell_reset(struct hpo_plot_build *b, const char *name)
{
	struct cell *c = cell_of(b, name);

	if (c->kind == CELL_TEXT)
		free(c->u.text);
	c->kind = CELL_ABSENT;
	return c;
}

void
hpo_plot_build_null(struct hpo_plot_build *b, const char *param)
{
	cell_reset(b, param)->kind = CELL_NULL;
}

void
hpo_plot_build_real(struct hpo_plot_build *b, const char *param, double v)
{
	struct cell *c = cell_reset(b, param);

	c->kind = CELL_REAL;
	c->u.r = v;
}

void
hpo_plot_build_integer(struct hpo_plot_build *b, const char *param, int64_t v)
{
	struct cell *c = cell_reset(b, param);

	c->kind = CELL_INT;
	c->u.i = v;
}

void
hpo_plot_build_text(struct hpo_plot_build *b, const char *param, const char *text, int string)
{
	struct cell *c = cell_reset(b, param);

	c->kind = CELL_TEXT;
	c->u.text = xstrdup(text);
	c->string = (unsigned char)(string != 0);
}

void
hpo_plot_build_curve_start(struct hpo_plot_build *b)
{
	/* a second "intermediate" replaces the first */
	b->ncurve = CUR(b)->curve_off;
	CUR(b)->curve_len = 0;
}

void
hpo_plot_build_curve(struct hpo_plot_build *b, double v)
{
	if (b->ncurve == b->capcurve) {
		b->capcurve = b->capcurve ? b->capcurve * 2 : 256;
		b->curve = xreallocarray(b->curve, b->capcurve, sizeof(*b->curve));
	}
	b->curve[b->ncurve++] = v;
	CUR(b)->curve_len++;
}

void
hpo_plot_build_bad_curve(struct hpo_plot_build *b, size_t at)
{
	if (b->bad_curve == 0) {
		b->bad_curve = b->np;
		b->bad_curve_at = at;
	}
}

static int
cmp_column(const void *a, const void *b)
{
	return strcmp(((const struct column *)a)->name, ((const struct column *)b)->name);
}

/* A category's text: a string's value, other values as compact JSON
 * (malloc'ed). */
static char *
cell_text(const struct cell *c)
{
	json_t *v;
	char *t;

	if (c->kind == CELL_TEXT)
		return xstrdup(c->u.text);
	v = c->kind == CELL_INT ? json_integer((json_int_t)c->u.i) : json_real(c->u.r);
	t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	return t ? t : xstrdup("nan");
}

/* Parameter k's column of x and its axis, from column c; -1 for a
 * category that is not valid UTF-8 (a JSON key). */
static int
fill_param(struct hpo_plot_data *d, size_t k, const struct column *c,
	   const struct hpo_plot_build *b)
{
	struct hpo_plot_param *p = &d->params[k];
	int numeric = 1;
	size_t i;
	double lo = INFINITY, hi = -INFINITY;

	for (i = 0; i < d->np && numeric; i++)
		numeric = c->cells[i].kind != CELL_TEXT;
	if (numeric) {
		for (i = 0; i < d->np; i++) {
			const struct cell *e = &c->cells[i];
			double x = e->kind == CELL_REAL ? e->u.r : e->kind == CELL_INT ? (double)e->u.i : NAN;
			d->x[i * d->nparams + k] = x;
			if (isfinite(x)) {
				lo = x < lo ? x : lo;
				hi = x > hi ? x : hi;
			}
		}
		p->lo = lo;
		p->hi = hi;
		const struct space_entry *sp = NULL;
		for (size_t s = 0; s < b->nspace && sp == NULL; s++)
			if (strcmp(b->space[s].name, p->name) == 0)
				sp = &b->space[s];
		if (sp != NULL)
			p->axis = sp->log && lo > 0 ? HPO_AXIS_LOG : HPO_AXIS_LINEAR;
		else
			p->axis = looks_log(d, k, lo, hi) ? HPO_AXIS_LOG : HPO_AXIS_LINEAR;
		return 0;
	}
	/* categories, in order of appearance; a JSON object indexes them */
	json_t *index = json_object();
	size_t cap = 0;
	p->axis = HPO_AXIS_CAT;
	for (i = 0; i < d->np; i++) {
		const struct cell *e = &c->cells[i];
		const json_t *at;
		char *t;
		if (e->kind == CELL_ABSENT || e->kind == CELL_NULL) {
			d->x[i * d->nparams + k] = NAN;
			continue;
		}
		if (e->kind == CELL_TEXT && (at = json_object_get(index, e->u.text)) != NULL) {
			d->x[i * d->nparams + k] = (double)json_integer_value(at);
			continue;
		}
		t = cell_text(e);
		if ((at = json_object_get(index, t)) != NULL) {
			d->x[i * d->nparams + k] = (double)json_integer_value(at);
			free(t);
			continue;
		}
		if (p->ncats == cap) {
			cap = cap ? cap * 2 : 8;
			p->cats = xreallocarray(p->cats, cap, sizeof(*p->cats));
		}
		if (json_object_set_new(index, t, json_integer((json_int_t)p->ncats)) < 0) {
			free(t);
			json_decref(index);
			return -1;
		}
		d->x[i * d->nparams + k] = (double)p->ncats;
		p->cats[p->ncats++] = t;
	}
	json_decref(index);
	p->lo = 0;
	p->hi = p->ncats ? (double)(p->ncats - 1) : 0;
	return 0;
}

static double
cell_number(const struct cell *c)
{
	return c->kind == CELL_REAL ? c->u.r : c->kind == CELL_INT ? (double)c->u.i : NAN;
}

/* Take the columns of a multi-fidelity task out of the parameters: the
 * reserved keys always, the budget when the space has a fidelity
 * parameter, into each point's trial, continues and budget.  -1 for a
 * trial name that is not UTF-8 (no JSON key). */
static int
take_rungs(struct hpo_plot_data *d, struct hpo_plot_build *b)
{
	const char *fid = NULL;
	json_t *index = json_object();
	size_t cap = 0;

	for (size_t k = 0; k < b->nspace; k++)
		if (b->space[k].fidelity && (fid == NULL || strcmp(b->space[k].name, fid) < 0))
			fid = b->space[k].name;
	if (fid != NULL)
		d->budget_name = xstrdup(fid);
	for (size_t i = 0; i < d->np; i++) {
		d->pts[i].budget = d->pts[i].continues = NAN;
		d->pts[i].trial = d->pts[i].from = HPO_PLOT_NONE;
	}
	for (size_t k = 0; k < b->ncols;) {
		struct column *c = &b->cols[k];
		int what = strcmp(c->name, HPO_KEY_TRIAL) == 0 ? 1
			 : strcmp(c->name, HPO_KEY_CONTINUES) == 0 ? 2
			 : fid != NULL && strcmp(c->name, fid) == 0 ? 3 : 0;

		if (what == 0) {
			k++;
			continue;
		}
		for (size_t i = 0; i < d->np; i++) {
			struct cell *e = &c->cells[i];
			const json_t *at;
			if (what == 3)
				d->pts[i].budget = cell_number(e);
			else if (what == 2)
				d->pts[i].continues = cell_number(e);
			else if (e->kind == CELL_TEXT && e->string) {
				if ((at = json_object_get(index, e->u.text)) == NULL) {
					if (json_object_set_new(index, e->u.text,
								json_integer((json_int_t)d->ntrials)) < 0) {
						json_decref(index);
						return -1;
					}
					if (d->ntrials == cap) {
						cap = cap ? cap * 2 : 16;
						d->trials = xreallocarray(d->trials, cap, sizeof(*d->trials));
					}
					d->trials[d->ntrials++] = xstrdup(e->u.text);
				}
				d->pts[i].trial = at ? (size_t)json_integer_value(at) : d->ntrials - 1;
			}
		}
		for (size_t i = 0; i < d->np; i++)
			if (c->cells[i].kind == CELL_TEXT)
				free(c->cells[i].u.text);
		free(c->cells);
		free(c->name);
		memmove(c, c + 1, (b->ncols - k - 1) * sizeof(*c));
		b->ncols--;
	}
	json_decref(index);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Each point's point continued (from), the budgets, the top budget and
 * whether the budgets are eta-spaced. */
static void
link_rungs(struct hpo_plot_data *d)
{
	json_t *ok_at = json_object(), *any_at = json_object();
	char key[64];
	size_t n = 0;

	d->top = NAN;
	/* budgets only when the space names one (take_rungs) */
	d->budgets = xcalloc(d->budget_name != NULL ? d->np + 1 : 1, sizeof(*d->budgets));
	for (size_t i = 0; i < d->np; i++) {
		struct hpo_plot_point *p = &d->pts[i];
		const json_t *at;
		if (p->trial != HPO_PLOT_NONE && !isnan(p->continues)) {
			snprintf(key, sizeof(key), "%zu %.17g", p->trial, p->continues);
			if ((at = json_object_get(ok_at, key)) == NULL)
				at = json_object_get(any_at, key);
			if (at != NULL)
				p->from = (size_t)json_integer_value(at);
		}
		if (isnan(p->budget))
			continue;
		d->budgets[n++] = p->budget;
		if (p->trial != HPO_PLOT_NONE) {
			snprintf(key, sizeof(key), "%zu %.17g", p->trial, p->budget);
			json_object_set_new(any_at, key, json_integer((json_int_t)i));
			if (p->state == HPO_PT_OK)
				json_object_set_new(ok_at, key, json_integer((json_int_t)i));
		}
		if (p->state == HPO_PT_OK && d->budget_name != NULL && !(p->budget <= d->top))
			d->top = p->budget;
	}
	json_decref(ok_at);
	json_decref(any_at);
	if (n > 0)
		qsort(d->budgets, n, sizeof(*d->budgets), cmp_double);
	d->nbudgets = 0;
	for (size_t j = 0; j < n; j++)
		if (d->nbudgets == 0 || d->budgets[j] != d->budgets[d->nbudgets - 1])
			d->budgets[d->nbudgets++] = d->budgets[j];
	/* the rung of the plots of parameters: OK points counted by budget */
	d->rung = d->top;
	if (!isnan(d->top)) {
		size_t *ok = xcalloc(d->nbudgets, sizeof(*ok));
		for (size_t i = 0; i < d->np; i++) {
			const double *at = d->pts[i].state == HPO_PT_OK && !isnan(d->pts[i].budget)
				? bsearch(&d->pts[i].budget, d->budgets, d->nbudgets,
					  sizeof(*d->budgets), cmp_double) : NULL;
			if (at != NULL)
				ok[at - d->budgets]++;
		}
		for (size_t j = d->nbudgets; j-- > 0;)
			if (ok[j] >= HPO_PLOT_RUNG_MIN) {
				d->rung = d->budgets[j];
				break;
			}
		free(ok);
	}
	d->budget_log = d->nbudgets >= 2 && d->budgets[0] > 0;
	for (size_t j = 1; j < d->nbudgets && d->budget_log; j++)
		d->budget_log = d->budgets[j] >= 1.5 * d->budgets[j - 1];
}

int
hpo_plot_in_top(const struct hpo_plot_data *d, size_t i)
{
	return isnan(d->top) || d->pts[i].budget == d->top;
}

int
hpo_plot_in_rung(const struct hpo_plot_data *d, size_t i)
{
	return isnan(d->rung) || d->pts[i].budget == d->rung;
}

/* The counts, the loss range and the best point, from the points' states. */
static void
tally(struct hpo_plot_data *d)
{
	d->best = HPO_PLOT_NONE;
	d->lo = INFINITY;
	d->hi = -INFINITY;
	d->poslo = INFINITY;
	d->nok = d->nfailed = d->nbad = d->npending = d->ncurves = 0;
	for (size_t i = 0; i < d->np; i++) {
		const struct hpo_plot_point *p = &d->pts[i];
		double loss = p->loss;

		switch (p->state) {
		case HPO_PT_OK:
			d->nok++;
			d->lo = loss < d->lo ? loss : d->lo;
			d->hi = loss > d->hi ? loss : d->hi;
			if (loss > 0 && loss < d->poslo)
				d->poslo = loss;
			if (hpo_plot_in_top(d, i) &&
			    (d->best == HPO_PLOT_NONE || loss < d->pts[d->best].loss))
				d->best = i;
			break;
		case HPO_PT_FAILED: d->nfailed++; break;
		case HPO_PT_BADLOSS: d->nbad++; break;
		case HPO_PT_PENDING: d->npending++; break;
		}
		d->ncurves += p->curve_len > 0;
	}
}

int
hpo_plot_build_finish(struct hpo_plot_build *b, struct hpo_plot_data **out, struct hpo_err *err)
{
	struct hpo_plot_data *d;
	size_t i;

	*out = NULL;
	if (b->bad_params) {
		hpo_err_set(err, HPO_E_INPUT, "point %zu: \"parameters\" is not an object",
			    b->bad_params);
		hpo_plot_build_free(b);
		return -1;
	}
	if (b->bad_curve) {
		if (b->bad_curve_at == (size_t)-1)
			hpo_err_set(err, HPO_E_INPUT, "point %zu: \"intermediate\" is not a list",
				    b->bad_curve);
		else
			hpo_err_set(err, HPO_E_INPUT, "point %zu: \"intermediate\"[%zu] is not a number",
				    b->bad_curve, b->bad_curve_at);
		hpo_plot_build_free(b);
		return -1;
	}
	if (b->name == NULL)
		hpo_plot_build_task(b, 0, NULL, NULL, NULL);
	d = xcalloc(1, sizeof(*d));
	d->id = b->id;
	d->name = b->name;
	d->status = b->status;
	d->backend = b->backend;
	b->name = b->status = b->backend = NULL;
	d->np = b->np;
	d->top = d->rung = NAN;
	d->pts = b->np ? b->pts : xcalloc(1, sizeof(*d->pts));
	d->curve = b->ncurve ? b->curve : xcalloc(1, sizeof(*d->curve));
	if (!b->ncurve)
		free(b->curve);
	d->ncurve = b->ncurve;
	d->statuses = b->statuses;
	d->nstatuses = b->nstatuses;
	b->pts = NULL;
	b->curve = NULL;
	b->statuses = NULL;
	b->nstatuses = 0;
	for (i = 0; i < d->np; i++) {
		struct hpo_plot_point *p = &d->pts[i];
		const char *status = b->status_of[i];
		int has = p->state == HPO_PT_OK;
		double loss = p->loss;

		p->status = status;
		p->message = b->message_of[i];
		b->message_of[i] = NULL;
		if (status != NULL && strcmp(status, "failed") == 0)
			p->state = HPO_PT_FAILED;
		else if (status != NULL && strcmp(status, "finished") == 0)
			p->state = has && isfinite(loss) ? HPO_PT_OK : HPO_PT_BADLOSS;
		else
			p->state = HPO_PT_PENDING;
		p->loss = p->state == HPO_PT_OK || p->state == HPO_PT_BADLOSS ? loss : NAN;
	}
	if (take_rungs(d, b) < 0) {
		hpo_err_set(err, HPO_E_INPUT, "parameter '%s': a value that is not valid UTF-8",
			    HPO_KEY_TRIAL);
		hpo_plot_build_free(b);
		hpo_plot_data_free(d);
		return -1;
	}
	link_rungs(d);
	tally(d);
	if (b->ncols > 0)	/* qsort(NULL, 0, ...) is undefined */
		qsort(b->cols, b->ncols, sizeof(*b->cols), cmp_column);
	d->nparams = b->ncols;
	d->params = xcalloc(d->nparams ? d->nparams : 1, sizeof(*d->params));
	d->x = xcalloc(d->np * d->nparams + 1, sizeof(*d->x));
	for (i = 0; i < d->nparams; i++) {
		d->params[i].name = b->cols[i].name;
		b->cols[i].name = NULL;
		if (fill_param(d, i, &b->cols[i], b) < 0) {
			hpo_err_set(err, HPO_E_INPUT, "parameter '%s': a value that is not valid UTF-8",
				    d->params[i].name);
			hpo_plot_build_free(b);
			hpo_plot_data_free(d);
			return -1;
		}
	}
	hpo_plot_build_free(b);
	*out = d;
	return 0;
}

/* ---- the data from a task of a view as JSON ------------------------------------------ */

/* A categorical value as text (malloc'ed). */
static char *
json_text(const json_t *v)
{
	char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);

	return t ? t : xstrdup("null");
}

void
hpo_plot_build_json_params(struct hpo_plot_build *b, const json_t *ps)
{
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)ps, key, v) {
		if (json_is_null(v))
			hpo_plot_build_null(b, key);
		else if (json_is_integer(v))
			hpo_plot_build_integer(b, key, json_integer_value(v));
		else if (json_is_real(v))
			hpo_plot_build_real(b, key, json_real_value(v));
		else if (json_is_string(v))
			hpo_plot_build_text(b, key, json_string_value(v), 1);
		else {
			char *t = json_text(v);
			hpo_plot_build_text(b, key, t, 0);
			free(t);
		}
	}
}

void
hpo_plot_build_json_curve(struct hpo_plot_build *b, const json_t *c)
{
	const json_t *v;
	size_t k;

	if (c == NULL || json_is_null(c))
		return;
	if (!json_is_array(c)) {
		hpo_plot_build_bad_curve(b, (size_t)-1);
		return;
	}
	hpo_plot_build_curve_start(b);
	json_array_foreach(c, k, v) {
		double x = NAN;
		if (!json_is_null(v) && loss_value(v, &x) < 0)
			hpo_plot_build_bad_curve(b, k);
		hpo_plot_build_curve(b, x);
	}
}

int
hpo_plot_data_new(const json_t *task, struct hpo_plot_data **out, struct hpo_err *err)
{
	const json_t *points = json_object_get(task, "points"), *pt, *space, *v;
	struct hpo_plot_build *b;
	const char *key;
	size_t i;

	*out = NULL;
	if (!json_is_array(points))
		return hpo_err_set(err, HPO_E_INPUT, "the task has no \"points\" list");
	b = hpo_plot_build_new();
	hpo_plot_build_task(b, json_integer_value(json_object_get(task, "id")),
			    json_string_value(json_object_get(task, "name")),
			    json_string_value(json_object_get(task, "status")),
			    json_string_value(json_object_get(task, "backend")));
	space = json_object_get(task, "space");
	json_object_foreach((json_t *)space, key, v)
		if (json_is_object(v))
			hpo_plot_build_space(b, key, json_string_value(json_object_get(v, "method")));
	json_array_foreach(points, i, pt) {
		const json_t *ps = json_object_get(pt, "parameters"), *c = json_object_get(pt, "intermediate");
		const char *status = json_string_value(json_object_get(pt, "status"));
		const char *message = json_string_value(json_object_get(pt, "message"));
		double loss = NAN;
		int has = loss_value(json_object_get(pt, "loss"), &loss) == 0;

		hpo_plot_build_point(b);
		if (json_is_integer(json_object_get(pt, "id")))
			hpo_plot_build_id(b, json_integer_value(json_object_get(pt, "id")));
		if (status != NULL)
			hpo_plot_build_status(b, status);
		hpo_plot_build_loss(b, has, loss);
		hpo_plot_build_message(b, message);
		if (!json_is_object(pt) || !(json_is_object(ps) || json_is_null(ps)))
			hpo_plot_build_bad_params(b);
		hpo_plot_build_json_params(b, ps);
		hpo_plot_build_json_curve(b, c);
	}
	return hpo_plot_build_finish(b, out, err);
}

void
hpo_plot_data_free(struct hpo_plot_data *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; d->params && i < d->nparams; i++) {
		for (size_t c = 0; c < d->params[i].ncats; c++)
			free(d->params[i].cats[c]);
		free(d->params[i].cats);
		free(d->params[i].name);
	}
	for (size_t i = 0; d->pts && i < d->np; i++)
		free(d->pts[i].message);
	for (size_t i = 0; i < d->nstatuses; i++)
		free(d->statuses[i]);
	free(d->statuses);
	for (size_t i = 0; i < d->ntrials; i++)
		free(d->trials[i]);
	free(d->trials);
	free(d->budgets);
	free(d->budget_name);
	free(d->params);
	free(d->pts);
	free(d->x);
	free(d->curve);
	free(d->name);
	free(d->status);
	free(d->backend);
	free(d);
}

int
hpo_plot_param_index(const struct hpo_plot_data *d, const char *name)
{
	for (size_t i = 0; i < d->nparams; i++)
		if (strcmp(d->params[i].name, name) == 0)
			return (int)i;
	return -1;
}

unsigned
hpo_plot_all(const struct hpo_plot_data *d)
{
	unsigned all = (1u << HPO_PLOT_NKINDS) - 1;

	return d->budget_name != NULL ? all : all & ~(1u << HPO_PLOT_RUNGS);
}

struct hpo_plot_data *
hpo_plot_rung(const struct hpo_plot_data *d)
{
	struct hpo_plot_data *t;
	size_t n = 0, nc = 0, *at;

	if (isnan(d->rung))
		return NULL;
	t = xcalloc(1, sizeof(*t));
	t->id = d->id;
	t->name = xstrdup(d->name);
	t->status = xstrdup(d->status);
	t->backend = xstrdup(d->backend);
	t->budget_name = xstrdup(d->budget_name);
	t->top = t->rung = d->rung;
	t->budget_log = d->budget_log;
	t->nbudgets = d->nbudgets;
	t->budgets = xcalloc(d->nbudgets + 1, sizeof(*t->budgets));
	if (d->nbudgets > 0)
		memcpy(t->budgets, d->budgets, d->nbudgets * sizeof(*t->budgets));
	t->ntrials = d->ntrials;
	t->trials = xcalloc(d->ntrials + 1, sizeof(*t->trials));
	for (size_t k = 0; k < d->ntrials; k++)
		t->trials[k] = xstrdup(d->trials[k]);
	t->nstatuses = d->nstatuses;
	t->statuses = xcalloc(d->nstatuses + 1, sizeof(*t->statuses));
	for (size_t k = 0; k < d->nstatuses; k++)
		t->statuses[k] = xstrdup(d->statuses[k]);
	t->nparams = d->nparams;
	t->params = xcalloc(d->nparams + 1, sizeof(*t->params));
	for (size_t k = 0; k < d->nparams; k++) {
		const struct hpo_plot_param *p = &d->params[k];
		struct hpo_plot_param *q = &t->params[k];
		q->name = xstrdup(p->name);
		q->axis = p->axis;
		q->ncats = p->ncats;
		q->cats = xcalloc(p->ncats + 1, sizeof(*q->cats));
		for (size_t c = 0; c < p->ncats; c++)
			q->cats[c] = xstrdup(p->cats[c]);
		/* numbers: the range of the points kept (below) */
		q->lo = p->axis == HPO_AXIS_CAT ? p->lo : INFINITY;
		q->hi = p->axis == HPO_AXIS_CAT ? p->hi : -INFINITY;
	}
	/* at[i]: point i's index in the copy, HPO_PLOT_NONE when left out */
	at = xcalloc(d->np + 1, sizeof(*at));
	for (size_t i = 0; i < d->np; i++) {
		at[i] = hpo_plot_in_rung(d, i) ? n++ : HPO_PLOT_NONE;
		if (at[i] != HPO_PLOT_NONE)
			nc += d->pts[i].curve_len;
	}
	t->np = n;
	t->pts = xcalloc(n + 1, sizeof(*t->pts));
	t->x = xcalloc(n * d->nparams + 1, sizeof(*t->x));
	t->curve = xcalloc(nc + 1, sizeof(*t->curve));
	for (size_t i = 0; i < d->np; i++) {
		const struct hpo_plot_point *p = &d->pts[i];
		struct hpo_plot_point *q;
		if (at[i] == HPO_PLOT_NONE)
			continue;
		q = &t->pts[at[i]];
		*q = *p;
		q->message = p->message ? xstrdup(p->message) : NULL;
		for (size_t k = 0; k < d->nstatuses; k++)
			if (p->status == d->statuses[k])
				q->status = t->statuses[k];
		q->from = p->from != HPO_PLOT_NONE ? at[p->from] : HPO_PLOT_NONE;
		q->curve_off = t->ncurve;
		if (p->curve_len > 0)
			memcpy(t->curve + t->ncurve, d->curve + p->curve_off,
			       p->curve_len * sizeof(*t->curve));
		t->ncurve += p->curve_len;
		for (size_t k = 0; k < d->nparams; k++) {
			double x = hpo_plot_x(d, i, k);
			struct hpo_plot_param *pk = &t->params[k];
			t->x[at[i] * d->nparams + k] = x;
			if (pk->axis != HPO_AXIS_CAT && isfinite(x)) {
				pk->lo = x < pk->lo ? x : pk->lo;
				pk->hi = x > pk->hi ? x : pk->hi;
			}
		}
	}
	free(at);
	tally(t);
	return t;
}

void
hpo_plot_running_best(const struct hpo_plot_data *d, double *best)
{
	double b = NAN;

	for (size_t i = 0; i < d->np; i++) {
		if (d->pts[i].state == HPO_PT_OK && hpo_plot_in_top(d, i) && !(d->pts[i].loss >= b))
			b = d->pts[i].loss;
		best[i] = b;
	}
}

/* ---- scales ------------------------------------------------------------------ */

void
hpo_scale_fit(struct hpo_scale *s, double lo, double hi, int log)
{
	s->log = log && lo > 0 && isfinite(lo) && isfinite(hi);
	if (!isfinite(lo) || !isfinite(hi) || lo > hi) {
		s->lo = s->log ? 1 : 0;
		s->hi = s->log ? 10 : 1;
		return;
	}
	if (s->log) {
		double a = log10(lo), b = log10(hi), m;
		if (b - a < 1e-9) {
			a -= 0.5;
			b += 0.5;
		}
		m = (b - a) * 0.05;
		s->lo = pow(10, a - m);
		s->hi = pow(10, b + m);
		/* the margin of values near DBL_MAX or DBL_MIN stays in range */
		if (!(s->hi <= DBL_MAX))
			s->hi = DBL_MAX;
		if (!(s->lo >= DBL_MIN))
			s->lo = lo < DBL_MIN ? lo : DBL_MIN;
		return;
	}
	if (hi - lo <= fabs(lo) * 1e-12 || hi == lo) {
		double w = fabs(lo) > 0 ? fabs(lo) * 0.1 : 0.5;
		lo -= w;
		hi += w;
	}
	/* halves keep ranges near DBL_MAX finite */
	double m = (hi / 2 - lo / 2) * 0.1;
	s->lo = lo - m < -DBL_MAX ? -DBL_MAX : lo - m;
	s->hi = hi + m > DBL_MAX ? DBL_MAX : hi + m;
	/* the margin never crosses zero: losses >= 0 get no negative labels */
	if (lo >= 0 && s->lo < 0)
		s->lo = 0;
	if (hi <= 0 && s->hi > 0)
		s->hi = 0;
	if (!isfinite(s->lo) || !isfinite(s->hi)) {
		s->lo = lo;
		s->hi = hi;
	}
}

double
hpo_scale_map(const struct hpo_scale *s, double v)
{
	if (isnan(v))
		return NAN;
	if (s->log) {
		if (v <= 0)
			return NAN;
		return (log10(v) - log10(s->lo)) / (log10(s->hi) - log10(s->lo));
	}
	return (v / 2 - s->lo / 2) / (s->hi / 2 - s->lo / 2);
}

static double
nice_step(double span, size_t n)
{
	double raw = span / (double)(n > 1 ? n - 1 : 1), p = pow(10, floor(log10(raw))), f = raw / p;

	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

size_t
hpo_scale_ticks(const struct hpo_scale *s, double *ticks, size_t max)
{
	size_t n = 0;

	if (max == 0)
		return 0;
	if (s->log) {
		double a = ceil(log10(s->lo) - 1e-9), b = floor(log10(s->hi) + 1e-9);
		if (b - a >= 1) {
			double step = ceil((b - a + 1) / (double)max);
			for (double e = a; e <= b && n < max; e += step)
				ticks[n++] = pow(10, e);
			return n;
		}
		/* less than two decades inside: 1, 2, 5 times their powers */
		for (double e = floor(log10(s->lo)); e <= ceil(log10(s->hi)) && n < max; e++) {
			static const double m[] = {1, 2, 5};
			for (int k = 0; k < 3 && n < max; k++) {
				double t = m[k] * pow(10, e);
				if (t >= s->lo && t <= s->hi)
					ticks[n++] = t;
			}
		}
		if (n >= 2)
			return n;
		n = 0;
		/* a narrow range: linear ticks are as good */
		struct hpo_scale lin = {0, s->lo, s->hi};
		return hpo_scale_ticks(&lin, ticks, max);
	}
	double half = s->hi / 2 - s->lo / 2;
	if (!(half > 0) || !isfinite(half))
		return 0;
	double step = nice_step(half, max < 6 ? max : 6) * 2;
	if (!(step > 0) || !isfinite(step))
		return 0;
	double first = ceil(s->lo / step) * step;
	for (double t = first; t <= s->hi && n < max; t = first + step * (double)n) {
		/* -0 and rounding noise near zero print as 0 */
		ticks[n++] = fabs(t) < step * 1e-9 ? 0 : t;
	}
	return n;
}

void
hpo_plot_fmt(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "nan");
	else if (isinf(v))
		snprintf(buf, size, v > 0 ? "inf" : "-inf");
	else
		snprintf(buf, size, "%.4g", v == 0 ? 0.0 : v);
}

/* ---- importance ------------------------------------------------------------------ */

struct rank_item {
	double v;
	size_t i;
};

static int
cmp_item(const void *a, const void *b)
{
	const struct rank_item *x = a, *y = b;

	return x->v < y->v ? -1 : x->v > y->v ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* Ranks of v (ties get their mean rank). */
static void
ranks(struct rank_item *it, size_t n, double *r)
{
	qsort(it, n, sizeof(*it), cmp_item);
	for (size_t a = 0; a < n;) {
		size_t b = a;
		while (b + 1 < n && it[b + 1].v == it[a].v)
			b++;
		for (size_t k = a; k <= b; k++)
			r[it[k].i] = ((double)a + (double)b) / 2;
		a = b + 1;
	}
}

int
hpo_plot_importance(const struct hpo_plot_data *d, double *imp)
{
	size_t n = 0, *ok = xreallocarray(NULL, d->nok ? d->nok : 1, sizeof(*ok));
	struct rank_item *it = xreallocarray(NULL, d->nok ? d->nok : 1, sizeof(*it));
	double *r = xreallocarray(NULL, d->nok ? d->nok : 1, sizeof(*r)), sum = 0;

	for (size_t k = 0; k < d->nparams; k++)
		imp[k] = 0;
	for (size_t i = 0; i < d->np; i++)
		if (d->pts[i].state == HPO_PT_OK && hpo_plot_in_rung(d, i))
			ok[n++] = i;
	if (n < 3)
		goto done;
	for (size_t j = 0; j < n; j++)
		it[j] = (struct rank_item){d->pts[ok[j]].loss, j};
	ranks(it, n, r);
	double mean = (double)(n - 1) / 2, total = 0;
	for (size_t j = 0; j < n; j++)
		total += (r[j] - mean) * (r[j] - mean);
	if (!(total > 0))
		goto done;	/* equal losses: nothing explains anything */
	for (size_t k = 0; k < d->nparams; k++) {
		const struct hpo_plot_param *p = &d->params[k];
		size_t m = 0;
		/* the points that have this parameter, sorted by its value */
		for (size_t j = 0; j < n; j++) {
			double x = hpo_plot_x(d, ok[j], k);
			if (!isnan(x))
				it[m++] = (struct rank_item){x, j};
		}
		if (m < 3)
			continue;
		qsort(it, m, sizeof(*it), cmp_item);
		double between = 0, within_mean = 0;
		for (size_t j = 0; j < m; j++)
			within_mean += r[it[j].i];
		within_mean /= (double)m;
		double tot = 0;
		for (size_t j = 0; j < m; j++)
			tot += (r[it[j].i] - within_mean) * (r[it[j].i] - within_mean);
		if (!(tot > 0))
			continue;
		/* about sqrt(m) bins, 2 to 10: one point a bin would explain all */
		size_t bins = (size_t)sqrt((double)m), nb = 0;
		bins = bins < 2 ? 2 : bins > 10 ? 10 : bins;
		/* cut: a category a bin; numbers in equal counts, never splitting
		 * equal values */
		for (size_t a = 0; a < m;) {
			size_t b = a + 1;
			if (p->axis == HPO_AXIS_CAT) {
				while (b < m && it[b].v == it[a].v)
					b++;
			} else {
				size_t want = a + (m + bins - 1) / bins;
				b = want < m ? want : m;
				while (b < m && it[b].v == it[b - 1].v)
					b++;
			}
			double bm = 0;
			for (size_t j = a; j < b; j++)
				bm += r[it[j].i];
			bm /= (double)(b - a);
			between += (double)(b - a) * (bm - within_mean) * (bm - within_mean);
			nb++;
			a = b;
		}
		if (nb >= 2)
			imp[k] = between / tot;
		sum += imp[k];
	}
	if (sum > 0)
		for (size_t k = 0; k < d->nparams; k++)
			imp[k] /= sum;
done:
	free(ok);
	free(it);
	free(r);
	return 0;
}
