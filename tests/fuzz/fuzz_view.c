/* fuzz_view.c - the task view JSON that `hpo-plot --from-json` reads: the
 * view picked apart (plot data), the importance, the running best, every
 * parameter's scale and ticks, and the terminal plot.  Invariants: the
 * importances are in [0, 1]; the best point is an OK one; ticks are finite;
 * a multi-fidelity task's rungs hold together (check_rungs);
 * the reader with no JSON tree (hpo_plot_read, what hpo-plot runs) takes
 * what jansson takes, and gives the same data or the same message. */
#include "autoconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "plot.h"

static int
same_double(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

static int
same_text(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* hpo_plot_read's data against hpo_plot_data_new's */
static void
compare(const struct hpo_plot_data *a, const struct hpo_plot_data *b)
{
	if (a->id != b->id || strcmp(a->name, b->name) || strcmp(a->status, b->status) ||
	    strcmp(a->backend, b->backend) || a->np != b->np || a->nparams != b->nparams ||
	    a->ncurve != b->ncurve || a->ncurves != b->ncurves || a->best != b->best ||
	    a->nok != b->nok || a->nfailed != b->nfailed || a->nbad != b->nbad ||
	    a->npending != b->npending || !same_double(a->lo, b->lo) || !same_double(a->hi, b->hi))
		abort();
	for (size_t i = 0; i < a->np; i++) {
		const struct hpo_plot_point *p = &a->pts[i], *q = &b->pts[i];
		if (p->id != q->id || p->state != q->state || !same_double(p->loss, q->loss) ||
		    p->curve_off != q->curve_off || p->curve_len != q->curve_len ||
		    !same_text(p->status, q->status) || !same_text(p->message, q->message))
			abort();
		for (size_t k = 0; k < a->nparams; k++)
			if (!same_double(hpo_plot_x(a, i, k), hpo_plot_x(b, i, k)))
				abort();
	}
	for (size_t k = 0; k < a->nparams; k++) {
		const struct hpo_plot_param *p = &a->params[k], *q = &b->params[k];
		if (strcmp(p->name, q->name) || p->axis != q->axis || p->ncats != q->ncats ||
		    !same_double(p->lo, q->lo) || !same_double(p->hi, q->hi))
			abort();
		for (size_t c = 0; c < p->ncats; c++)
			if (strcmp(p->cats[c], q->cats[c]))
				abort();
	}
	for (size_t c = 0; c < a->ncurve; c++)
		if (!same_double(a->curve[c], b->curve[c]))
			abort();
	/* multi-fidelity */
	if (!same_text(a->budget_name, b->budget_name) || a->ntrials != b->ntrials ||
	    a->nbudgets != b->nbudgets || !same_double(a->top, b->top) ||
	    !same_double(a->rung, b->rung) || a->budget_log != b->budget_log)
		abort();
	for (size_t t = 0; t < a->ntrials; t++)
		if (strcmp(a->trials[t], b->trials[t]))
			abort();
	for (size_t j = 0; j < a->nbudgets; j++)
		if (!same_double(a->budgets[j], b->budgets[j]))
			abort();
	for (size_t i = 0; i < a->np; i++) {
		const struct hpo_plot_point *p = &a->pts[i], *q = &b->pts[i];
		if (!same_double(p->budget, q->budget) || !same_double(p->continues, q->continues) ||
		    p->trial != q->trial || p->from != q->from)
			abort();
	}
}

/* The rungs: a point continues an earlier one of its trial, at the budget
 * it names; the best is of the top budget; the copy of the parameter
 * plots' rung holds the points at that budget, its best an OK one. */
static void
check_rungs(const struct hpo_plot_data *d)
{
	struct hpo_plot_data *r;
	size_t n = 0;

	for (size_t i = 0; i < d->np; i++) {
		const struct hpo_plot_point *p = &d->pts[i];
		if (p->trial != HPO_PLOT_NONE && p->trial >= d->ntrials)
			abort();
		if (p->from != HPO_PLOT_NONE &&
		    (p->from >= i || d->pts[p->from].trial != p->trial ||
		     d->pts[p->from].budget != p->continues))
			abort();
		n += hpo_plot_in_rung(d, i);
	}
	if (d->best != HPO_PLOT_NONE && !hpo_plot_in_top(d, d->best))
		abort();
	if (!isnan(d->top) && (d->budget_name == NULL || d->best == HPO_PLOT_NONE ||
			       isnan(d->rung) || d->rung > d->top))
		abort();
	r = hpo_plot_rung(d);
	if ((r == NULL) != isnan(d->rung))
		abort();
	if (r != NULL && (r->np != n || r->nparams != d->nparams ||
			  (r->best != HPO_PLOT_NONE && r->pts[r->best].state != HPO_PT_OK)))
		abort();
	hpo_plot_data_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	json_error_t jerr;
	json_t *doc;
	const json_t *task;
	struct hpo_plot_data *d;
	struct hpo_err err;
	double *imp, *best, ticks[32];
	struct hpo_term_opts to = {.columns = 60, .utf8 = (int)(size & 1), .color = 0, .log = 1};

	hpo_log_init("fuzz", HPO_LOG_QUIET);
	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		abort();
	struct hpo_plot_data *d2;
	struct hpo_err err2;
	int rc2 = hpo_plot_read("view.json", (const char *)data, size, -1, &d2, &err2);
	doc = json_loadb((const char *)data, size, 0, &jerr);
	if (doc == NULL) {
		/* not JSON: no data, and a message */
		if (rc2 == 0 || err2.msg[0] == '\0')
			abort();
		return 0;
	}
	/* jansson takes a NUL byte after a number (its lexer loses it when it
	 * puts the byte back): not JSON, and hpo_plot_read says so */
	int nul = memchr(data, '\0', size) != NULL;
	/* a key given twice: jansson keeps its last value; hpo_plot_read may
	 * keep parts of the first (a point's "parameters" twice), so only
	 * "no crash" is asked of such a hand-made view */
	json_t *strict = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);

	nul |= strict == NULL;
	json_decref(strict);
	if (hpo_plot_view_task(doc, "view.json", -1, &task, &err) < 0 ||
	    hpo_plot_data_new(task, &d, &err) < 0) {
		if (err.msg[0] == '\0' || (!nul && (rc2 == 0 || strcmp(err.msg, err2.msg) != 0)))
			abort();
		if (rc2 == 0)
			hpo_plot_data_free(d2);
		json_decref(doc);
		return 0;
	}
	if (rc2 < 0 && !nul)
		abort();
	if (rc2 == 0) {
		if (!nul)
			compare(d, d2);
		hpo_plot_data_free(d2);
	}
	imp = calloc(d->nparams + 1, sizeof *imp);
	best = calloc(d->np + 1, sizeof *best);
	if (imp == NULL || best == NULL || hpo_plot_importance(d, imp) < 0)
		abort();
	for (size_t j = 0; j < d->nparams; j++)
		if (!(imp[j] >= 0 && imp[j] <= 1 + 1e-9))
			abort();
	hpo_plot_running_best(d, best);
	check_rungs(d);
	if (d->best != HPO_PLOT_NONE && (d->best >= d->np || d->pts[d->best].state != HPO_PT_OK))
		abort();
	for (size_t j = 0; j <= d->nparams; j++) {
		struct hpo_scale s;
		/* each axis, then the loss's */
		if (j < d->nparams)
			hpo_scale_fit(&s, d->params[j].lo, d->params[j].hi,
				      d->params[j].axis == HPO_AXIS_LOG);
		else
			hpo_scale_fit(&s, d->lo, d->hi, d->lo > 0 && d->lo <= d->hi);
		size_t n = hpo_scale_ticks(&s, ticks, 32);
		for (size_t k = 0; k < n && k < 32; k++)
			if (!isfinite(ticks[k]))
				abort();
	}
	hpo_plot_term(null, d, &to);
	free(imp);
	free(best);
	hpo_plot_data_free(d);
	json_decref(doc);
	return 0;
}
