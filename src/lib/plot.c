/* plot.c - a task view's task as plot data; scales, ticks, importance */
#include "autoconf.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plot.h"
#include "xmalloc.h"
#include "view.h"

static const char *const kind_names[HPO_PLOT_NKINDS] = {
	"history", "parallel", "slice", "pair", "importance", "curves",
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
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_log_method(const char *m)
{
	return m && (strcmp(m, "loguniform") == 0 || strcmp(m, "qloguniform") == 0 ||
		     strcmp(m, "lognormal") == 0 || strcmp(m, "qlognormal") == 0);
}

/* A categorical value as text (malloc'ed). */
static char *
cat_text(const json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Without a search space: is parameter k (its column filled, finite range
 * lo..hi) better drawn on a log axis?  When its values are positive, span
 * 1000 times or more, and their median lies nearer the geometric middle of
 * the range than the arithmetic one (log-uniform values do; uniform ones
 * that merely start near 0 do not). */
static int
looks_log(const struct hpo_plot_data *d, size_t k, double lo, double hi)
{
	double *v, med;
	size_t n = 0;

	if (!(lo > 0) || hi / lo < 1000 || (v = malloc(d->np * sizeof(*v))) == NULL)
		return 0;
	for (size_t i = 0; i < d->np; i++)
		if (isfinite(d->x[i * d->nparams + k]))
			v[n++] = d->x[i * d->nparams + k];
	qsort(v, n, sizeof(*v), cmp_double);
	med = v[n / 2];
	free(v);
	/* |log med - log geo| < |log mid - log med|, with geo = sqrt(lo hi) */
	return fabs(log(med) - 0.5 * (log(lo) + log(hi))) < fabs(log((lo + hi) / 2) - log(med));
}

/* Fill parameter k's column of x and its axis. */
static int
fill_param(struct hpo_plot_data *d, size_t k, const json_t *points, const json_t *space)
{
	struct hpo_plot_param *p = &d->params[k];
	int numeric = 1;
	size_t i;
	const json_t *pt;
	double lo = INFINITY, hi = -INFINITY;

	json_array_foreach(points, i, pt) {
		const json_t *v = json_object_get(json_object_get(pt, "parameters"), p->name);
		if (v != NULL && !json_is_null(v) && !json_is_number(v))
			numeric = 0;
	}
	if (numeric) {
		json_array_foreach(points, i, pt) {
			const json_t *v = json_object_get(json_object_get(pt, "parameters"), p->name);
			double x = json_is_number(v) ? json_number_value(v) : NAN;
			d->x[i * d->nparams + k] = x;
			if (isfinite(x)) {
				lo = x < lo ? x : lo;
				hi = x > hi ? x : hi;
			}
		}
		p->lo = lo;
		p->hi = hi;
		const json_t *sp = json_object_get(space, p->name);
		if (json_is_object(sp))
			p->axis = is_log_method(json_string_value(json_object_get(sp, "method"))) && lo > 0
					  ? HPO_AXIS_LOG : HPO_AXIS_LINEAR;
		else
			p->axis = looks_log(d, k, lo, hi) ? HPO_AXIS_LOG : HPO_AXIS_LINEAR;
		return 0;
	}
	/* categories, in order of appearance; a JSON object indexes them */
	json_t *index = json_object();
	size_t cap = 0;
	if (index == NULL)
		return -1;
	p->axis = HPO_AXIS_CAT;
	json_array_foreach(points, i, pt) {
		const json_t *v = json_object_get(json_object_get(pt, "parameters"), p->name);
		char *t;
		if (v == NULL || json_is_null(v)) {
			d->x[i * d->nparams + k] = NAN;
			continue;
		}
		if ((t = cat_text(v)) == NULL)
			goto oom;
		const json_t *at = json_object_get(index, t);
		if (at != NULL) {
			d->x[i * d->nparams + k] = (double)json_integer_value(at);
			free(t);
			continue;
		}
		if (p->ncats == cap) {
			cap = cap ? cap * 2 : 8;
			char **c = realloc(p->cats, cap * sizeof(*c));
			if (c == NULL) {
				free(t);
				goto oom;
			}
			p->cats = c;
		}
		if (json_object_set_new(index, t, json_integer((json_int_t)p->ncats)) < 0) {
			free(t);
			goto oom;
		}
		d->x[i * d->nparams + k] = (double)p->ncats;
		p->cats[p->ncats++] = t;
	}
	json_decref(index);
	p->lo = 0;
	p->hi = p->ncats ? (double)(p->ncats - 1) : 0;
	return 0;
oom:
	json_decref(index);
	return -1;
}

/* The parameter names of every point, sorted; the first non-object
 * "parameters" is an error. */
static int
collect_names(struct hpo_plot_data *d, const json_t *points, struct hpo_err *err)
{
	json_t *seen = json_object();
	const json_t *pt, *v;
	const char *key;
	size_t i, n = 0;

	json_array_foreach(points, i, pt) {
		const json_t *ps = json_object_get(pt, "parameters");
		if (!json_is_object(pt) || !(json_is_object(ps) || json_is_null(ps))) {
			json_decref(seen);
			return hpo_err_set(err, HPO_E_INPUT, "point %zu: \"parameters\" is not an object",
					   i + 1);
		}
		json_object_foreach((json_t *)ps, key, v)
			if (json_object_get(seen, key) == NULL)
				json_object_set_new(seen, key, json_true());
	}
	d->nparams = json_object_size(seen);
	d->params = xcalloc(d->nparams ? d->nparams : 1, sizeof(*d->params));
	json_object_foreach(seen, key, v)
		d->params[n++].name = xstrdup(key);
	json_decref(seen);
	char **names = xcalloc(d->nparams ? d->nparams : 1, sizeof(*names));
	for (i = 0; i < d->nparams; i++)
		names[i] = d->params[i].name;
	qsort(names, d->nparams, sizeof(*names), cmp_str);
	for (i = 0; i < d->nparams; i++)
		d->params[i].name = names[i];
	free(names);
	return 0;
}

static char *
dup_or(const json_t *v, const char *dflt)
{
	return xstrdup(json_is_string(v) ? json_string_value(v) : dflt);
}

int
hpo_plot_data_new(const json_t *task, struct hpo_plot_data **out, struct hpo_err *err)
{
	const json_t *points = json_object_get(task, "points"), *pt;
	struct hpo_plot_data *d;
	size_t i, ncurve = 0;

	*out = NULL;
	if (!json_is_array(points))
		return hpo_err_set(err, HPO_E_INPUT, "the task has no \"points\" list");
	d = xcalloc(1, sizeof(*d));
	d->task = task;
	d->id = json_integer_value(json_object_get(task, "id"));
	d->name = dup_or(json_object_get(task, "name"), "");
	d->status = dup_or(json_object_get(task, "status"), "unknown");
	d->backend = dup_or(json_object_get(task, "backend"), "");
	d->np = json_array_size(points);
	d->best = HPO_PLOT_NONE;
	d->lo = INFINITY;
	d->hi = -INFINITY;
	d->poslo = INFINITY;
	d->pts = xcalloc(d->np ? d->np : 1, sizeof(*d->pts));
	if (collect_names(d, points, err) < 0) {
		hpo_plot_data_free(d);
		return -1;
	}
	json_array_foreach(points, i, pt) {
		const json_t *c = json_object_get(pt, "intermediate");
		const json_t *v;
		size_t k;
		if (c == NULL || json_is_null(c))
			continue;
		if (!json_is_array(c)) {
			hpo_plot_data_free(d);
			return hpo_err_set(err, HPO_E_INPUT, "point %zu: \"intermediate\" is not a list",
					   i + 1);
		}
		json_array_foreach(c, k, v) {
			double x;
			if (!json_is_null(v) && loss_value(v, &x) < 0) {
				hpo_plot_data_free(d);
				return hpo_err_set(err, HPO_E_INPUT,
						   "point %zu: \"intermediate\"[%zu] is not a number",
						   i + 1, k);
			}
		}
		ncurve += json_array_size(c);
	}
	d->x = xcalloc(d->np * d->nparams + 1, sizeof(*d->x));
	d->curve = xcalloc(ncurve + 1, sizeof(*d->curve));
	json_array_foreach(points, i, pt) {
		struct hpo_plot_point *p = &d->pts[i];
		const char *status = json_string_value(json_object_get(pt, "status"));
		const json_t *c = json_object_get(pt, "intermediate"), *v;
		double loss = NAN;
		size_t k;
		int has = loss_value(json_object_get(pt, "loss"), &loss) == 0;

		p->id = json_is_integer(json_object_get(pt, "id"))
				? json_integer_value(json_object_get(pt, "id")) : (int64_t)i + 1;
		if (status != NULL && strcmp(status, "failed") == 0)
			p->state = HPO_PT_FAILED;
		else if (status != NULL && strcmp(status, "finished") == 0)
			p->state = has && isfinite(loss) ? HPO_PT_OK : HPO_PT_BADLOSS;
		else
			p->state = HPO_PT_PENDING;
		p->loss = p->state == HPO_PT_OK || p->state == HPO_PT_BADLOSS ? loss : NAN;
		switch (p->state) {
		case HPO_PT_OK:
			d->nok++;
			d->lo = loss < d->lo ? loss : d->lo;
			d->hi = loss > d->hi ? loss : d->hi;
			if (loss > 0 && loss < d->poslo)
				d->poslo = loss;
			if (d->best == HPO_PLOT_NONE || loss < d->pts[d->best].loss)
				d->best = i;
			break;
		case HPO_PT_FAILED: d->nfailed++; break;
		case HPO_PT_BADLOSS: d->nbad++; break;
		case HPO_PT_PENDING: d->npending++; break;
		}
		p->curve_off = d->ncurve;
		json_array_foreach(c, k, v) {
			double x = NAN;
			if (!json_is_null(v))
				loss_value(v, &x);
			d->curve[d->ncurve++] = x;
		}
		p->curve_len = d->ncurve - p->curve_off;
		d->ncurves += p->curve_len > 0;
	}
	const json_t *space = json_object_get(task, "space");
	for (i = 0; i < d->nparams; i++)
		if (fill_param(d, i, points, space) < 0) {
			hpo_plot_data_free(d);
			return hpo_err_set(err, HPO_E_SYS, "out of memory");
		}
	*out = d;
	return 0;
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

void
hpo_plot_running_best(const struct hpo_plot_data *d, double *best)
{
	double b = NAN;

	for (size_t i = 0; i < d->np; i++) {
		if (d->pts[i].state == HPO_PT_OK && !(d->pts[i].loss >= b))
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
	size_t n = 0, *ok = malloc((d->nok ? d->nok : 1) * sizeof(*ok));
	struct rank_item *it = malloc((d->nok ? d->nok : 1) * sizeof(*it));
	double *r = malloc((d->nok ? d->nok : 1) * sizeof(*r)), sum = 0;
	int rc = -1;

	for (size_t k = 0; k < d->nparams; k++)
		imp[k] = 0;
	if (ok == NULL || it == NULL || r == NULL)
		goto out;
	rc = 0;
	for (size_t i = 0; i < d->np; i++)
		if (d->pts[i].state == HPO_PT_OK)
			ok[n++] = i;
	if (n < 3)
		goto out;
	for (size_t j = 0; j < n; j++)
		it[j] = (struct rank_item){d->pts[ok[j]].loss, j};
	ranks(it, n, r);
	double mean = (double)(n - 1) / 2, total = 0;
	for (size_t j = 0; j < n; j++)
		total += (r[j] - mean) * (r[j] - mean);
	if (!(total > 0))
		goto out;	/* equal losses: nothing explains anything */
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
out:
	free(ok);
	free(it);
	free(r);
	return rc;
}
