/* fuzz_view.c - the task view JSON that `hpo-plot --from-json` reads: the
 * view picked apart (plot data), the importance, the running best, every
 * parameter's scale and ticks, and the terminal plot.  Invariants: the
 * importances are in [0, 1]; the best point is an OK one; ticks are finite. */
#include "autoconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "log.h"
#include "plot.h"

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
	doc = json_loadb((const char *)data, size, 0, &jerr);
	if (doc == NULL)
		return 0;
	if (hpo_plot_view_task(doc, "view.json", -1, &task, &err) < 0 ||
	    hpo_plot_data_new(task, &d, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
		json_decref(doc);
		return 0;
	}
	imp = calloc(d->nparams + 1, sizeof *imp);
	best = calloc(d->np + 1, sizeof *best);
	if (imp == NULL || best == NULL || hpo_plot_importance(d, imp) < 0)
		abort();
	for (size_t j = 0; j < d->nparams; j++)
		if (!(imp[j] >= 0 && imp[j] <= 1 + 1e-9))
			abort();
	hpo_plot_running_best(d, best);
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
