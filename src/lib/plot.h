/* plot.h - a task's results as plot data, scales, ticks and importance
 *
 * hpo-plot reads a task view (view.h), one task of it, into struct
 * hpo_plot_data: the points in order with their state and loss, each
 * parameter as a numeric, log or categorical axis, the intermediate losses
 * of the learning curves.  The drawing (plot_cairo.c), the HTML report
 * (plot_html.c) and the terminal view (plot_term.c) only read it.
 *
 * A multi-fidelity task (its space has a parameter of method fidelity,
 * hpo-task(5)) has each point's budget, trial and the point it continues
 * beside its parameters: the budget and the reserved keys __hpo_trial and
 * __hpo_continues are not parameters (no axis, no importance).  Losses of
 * different budgets do not compare: the best point and the running best
 * take the points of the top budget only, the highest budget that an OK
 * point reached; the importance and the plots of parameters (parallel,
 * slice, pair) those of one rung, the highest with HPO_PLOT_RUNG_MIN OK
 * points or more, else the top budget (hpo-plot(1)).
 */
#ifndef HPO_PLOT_H
#define HPO_PLOT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "err.h"

enum hpo_plot_kind {
	HPO_PLOT_HISTORY,	/* loss of each point in order, the running best */
	HPO_PLOT_PARALLEL,	/* parallel coordinates coloured by loss */
	HPO_PLOT_SLICE,		/* loss against each parameter */
	HPO_PLOT_PAIR,		/* two parameters, coloured by loss */
	HPO_PLOT_IMPORTANCE,	/* parameter importance (hpo_plot_importance) */
	HPO_PLOT_CURVES,	/* learning curves: the intermediate losses */
	HPO_PLOT_RUNGS,		/* multi-fidelity: loss against budget, a line a trial */
	HPO_PLOT_NKINDS,
};

/* "history", "parallel", ...; -1 for an unknown name. */
const char *hpo_plot_kind_name(enum hpo_plot_kind k);
int hpo_plot_kind_parse(const char *s);

enum hpo_axis { HPO_AXIS_LINEAR, HPO_AXIS_LOG, HPO_AXIS_CAT };

struct hpo_plot_param {
	char *name;
	enum hpo_axis axis;
	double lo, hi;		/* range of the finite values (category indexes for CAT) */
	char **cats;		/* CAT: the values as text, in order of appearance */
	size_t ncats;
};

enum hpo_pt_state {
	HPO_PT_OK,		/* finished with a finite loss */
	HPO_PT_FAILED,		/* failed (PanDA's loss 1e5 is not drawn as a loss) */
	HPO_PT_BADLOSS,		/* finished, but the loss is NaN or infinite */
	HPO_PT_PENDING,		/* pending or running: no loss yet */
};

struct hpo_plot_point {
	int64_t id;
	enum hpo_pt_state state;
	double loss;		/* NaN unless OK (or BADLOSS: the value) */
	size_t curve_off, curve_len;	/* into hpo_plot_data.curve */
	const char *status;	/* as the view says (NULL: not a string); in statuses */
	char *message;		/* or NULL */
	/* multi-fidelity (else NaN and HPO_PLOT_NONE) */
	double budget;		/* the fidelity parameter's value (a number) */
	double continues;	/* __hpo_continues (a number) */
	size_t trial;		/* __hpo_trial (a string): index into trials */
	size_t from;		/* the point it continues: the latest earlier point of
				 * its trial at budget continues, an OK one first */
};

struct hpo_plot_data {
	char *name, *status, *backend;
	int64_t id;
	size_t np, nparams;
	struct hpo_plot_point *pts;
	struct hpo_plot_param *params;
	double *x;		/* np * nparams: value, category index, or NaN when absent */
	double *curve;		/* every point's intermediate losses, end to end */
	size_t ncurve, ncurves;	/* values, points that have a curve */
	size_t best;		/* index of the best point, or HPO_PLOT_NONE */
	size_t nok, nfailed, nbad, npending;
	double lo, hi;		/* loss range of the OK points (lo > hi: none) */
	double poslo;		/* smallest positive OK loss (inf: none) */
	char **statuses;	/* the points' distinct status texts */
	size_t nstatuses;
	/* multi-fidelity: budget_name is the space's fidelity parameter (of
	 * several, the first by name), NULL for a task without one */
	char *budget_name;
	char **trials;		/* the trials' names, in order of appearance */
	size_t ntrials;
	double *budgets;	/* the points' distinct budgets, ascending */
	size_t nbudgets;
	double top;		/* the highest budget of an OK point; NaN: none */
	double rung;		/* the budget of the plots of parameters: the
				 * highest with HPO_PLOT_RUNG_MIN OK points, else
				 * top; NaN: none */
	int budget_log;		/* budgets positive, each 1.5 times the one below
				 * or more (eta-spaced rungs): a log axis */
};

#define HPO_PLOT_NONE ((size_t)-1)

/* One task of a view (a task object of view.h).  Losses: numbers, null, or
 * the strings "nan", "inf", "-inf" (any case) for values JSON cannot hold.
 * A parameter whose values are all numbers is a numeric axis, a log axis
 * when the task's space says log (loguniform, qloguniform, lognormal,
 * qlognormal) or, without a space, when all its values are positive, span
 * 1000 times or more, and their median is nearer (in log terms) the
 * geometric middle of their range than the arithmetic one; otherwise
 * categorical.  HPO_E_INPUT names what
 * is wrong. */
int hpo_plot_data_new(const json_t *task, struct hpo_plot_data **out, struct hpo_err *err);
void hpo_plot_data_free(struct hpo_plot_data *d);

/* The same data built point by point, by a reader of a view that builds
 * no JSON tree (hpo_plot_read) or of the local database
 * (hpo_view_local_plot): hpo_plot_data_new is this on a task's JSON.
 * The task's fields and space entries (a parameter's method; only for
 * entries that are objects) in any order; then each point:
 * hpo_plot_build_point, then its fields, parameters and intermediate
 * losses in any order (a parameter given twice: the last counts).  A
 * parameter value is null, an integer, a real, or text: a string's value
 * (string 1) or another value's compact JSON with sorted keys.  Errors of
 * the points are kept and said by hpo_plot_build_finish, which frees the
 * build (as hpo_plot_build_free does one given up). */
struct hpo_plot_build;
struct hpo_plot_build *hpo_plot_build_new(void);
void hpo_plot_build_free(struct hpo_plot_build *b);
void hpo_plot_build_task(struct hpo_plot_build *b, int64_t id, const char *name,
			 const char *status, const char *backend);
void hpo_plot_build_space(struct hpo_plot_build *b, const char *name, const char *method);
void hpo_plot_build_point(struct hpo_plot_build *b);
void hpo_plot_build_id(struct hpo_plot_build *b, int64_t id);
void hpo_plot_build_status(struct hpo_plot_build *b, const char *status);
/* has: the loss is a number or "nan", "inf", "-inf" (loss holds it) */
void hpo_plot_build_loss(struct hpo_plot_build *b, int has, double loss);
void hpo_plot_build_message(struct hpo_plot_build *b, const char *message);
/* the point is not an object, or its "parameters" not an object or null */
void hpo_plot_build_bad_params(struct hpo_plot_build *b);
void hpo_plot_build_null(struct hpo_plot_build *b, const char *param);
void hpo_plot_build_real(struct hpo_plot_build *b, const char *param, double v);
void hpo_plot_build_integer(struct hpo_plot_build *b, const char *param, int64_t v);
void hpo_plot_build_text(struct hpo_plot_build *b, const char *param, const char *text,
			 int string);
/* "intermediate": its start, each value (NaN for null), or what is wrong:
 * not a list (at (size_t)-1) or value at not a number */
void hpo_plot_build_curve_start(struct hpo_plot_build *b);
void hpo_plot_build_curve(struct hpo_plot_build *b, double v);
void hpo_plot_build_bad_curve(struct hpo_plot_build *b, size_t at);
/* A point's "parameters" object and "intermediate" value (NULL or null:
 * none) as JSON */
void hpo_plot_build_json_params(struct hpo_plot_build *b, const json_t *ps);
void hpo_plot_build_json_curve(struct hpo_plot_build *b, const json_t *c);
/* The same from their JSON text (a local point's params and intermediate
 * columns), read as hpo_plot_read reads them; -1 when the text is not a
 * JSON object, or not a list of numbers and "nan", "inf", ... strings (the
 * point's values then incomplete: give the build up) (plot_read.c). */
int hpo_plot_read_params(struct hpo_plot_build *b, const char *text);
int hpo_plot_read_curve(struct hpo_plot_build *b, const char *text);
int hpo_plot_build_finish(struct hpo_plot_build *b, struct hpo_plot_data **out,
			  struct hpo_err *err);

/* The task of a task view's text (what hpo-status --json writes), read
 * without building its JSON tree: what hpo_plot_view_task and
 * hpo_plot_data_new give on the parsed text, with the same messages, but
 * for JSON syntax errors, said as "what:LINE:COLUMN: ..." in words of our
 * own (plot_read.c). */
int hpo_plot_read(const char *what, const char *text, size_t len, int64_t id,
		  struct hpo_plot_data **out, struct hpo_err *err);

/* The parameter named name, or -1. */
int hpo_plot_param_index(const struct hpo_plot_data *d, const char *name);

#define HPO_PLOT_RUNG_MIN 3
/* Does point i count for the best point and the running best (in_top),
 * for the importance and the plots of parameters (in_rung)?  Every point
 * of a task that is not multi-fidelity (or whose points have no OK budget
 * yet); else those at the top budget, at the budget rung. */
int hpo_plot_in_top(const struct hpo_plot_data *d, size_t i);
int hpo_plot_in_rung(const struct hpo_plot_data *d, size_t i);
/* A copy of d with only its points at the budget rung (its own counts,
 * loss range, best point and parameter ranges; the same parameters,
 * categories and trials; top and rung that budget), or NULL when every
 * point counts. */
struct hpo_plot_data *hpo_plot_rung(const struct hpo_plot_data *d);
/* The plots "all" means: every kind, but rungs only for a multi-fidelity
 * task. */
unsigned hpo_plot_all(const struct hpo_plot_data *d);
static inline double
hpo_plot_x(const struct hpo_plot_data *d, size_t point, size_t param)
{
	return d->x[point * d->nparams + param];
}

/* Pick one task of a view document {"schema", "version", "tasks"}: the one
 * with this id, or the only one when id < 0.  The task is borrowed from
 * doc.  HPO_E_INPUT when doc is no task view (what names where),
 * HPO_E_NOTFOUND when the id is not in it. */
int hpo_plot_view_task(const json_t *doc, const char *what, int64_t id, const json_t **task,
		       struct hpo_err *err);

/* ---- scales and ticks -------------------------------------------------------- */

struct hpo_scale {
	int log;
	double lo, hi;		/* data space; log: both > 0 */
};

/* A scale over [lo, hi] with a margin, never empty: equal ends are widened,
 * non-finite ends or lo > hi give [0, 1] (log: [1, 10]); log needs lo > 0
 * (else the scale is linear). */
void hpo_scale_fit(struct hpo_scale *s, double lo, double hi, int log);
/* v in [0, 1] over the scale (outside it for values outside; NaN for NaN
 * or, on a log scale, v <= 0). */
double hpo_scale_map(const struct hpo_scale *s, double v);
/* "Nice" tick values inside the scale (1, 2, 5 times a power of ten;
 * decades on a log scale), at most max of them; their count. */
size_t hpo_scale_ticks(const struct hpo_scale *s, double *ticks, size_t max);
/* A number for a label: at most 4 significant digits, no trailing zeros. */
void hpo_plot_fmt(char *buf, size_t size, double v);

/* ---- importance ------------------------------------------------------------------ */

/* How much each parameter explains the loss, in [0, 1], summing to 1 (or
 * all 0 when nothing can be said, fewer than 3 OK points).  The method:
 * the losses of the OK points are replaced by their ranks; a parameter's
 * values are cut into bins (its categories; for numbers, sqrt(m) bins of
 * equal counts along the axis, 2 to 10, m the points that have it); its raw importance is the correlation
 * ratio eta^2 = (variance of the bin means of the ranks, weighted by bin
 * size) / (variance of the ranks); the raw values are then normalised to
 * sum 1.  Only the points hpo_plot_in_rung takes count.  imp has d->nparams
 * entries.  Returns 0. */
int hpo_plot_importance(const struct hpo_plot_data *d, double *imp);

/* The k-th smallest (from 0) of the n values v (none NaN), k < n, in
 * linear time (quickselect); v is reordered. */
double hpo_plot_kth(double *v, size_t n, size_t k);

/* The running best: best[i] is the lowest OK loss of points 0..i that
 * hpo_plot_in_top takes, NaN before the first. */
void hpo_plot_running_best(const struct hpo_plot_data *d, double *best);

/* ---- drawing (plot_cairo.c, plot_html.c, plot_term.c) ---------------------- */

struct hpo_plot_opts {
	int log;		/* the loss on a log scale (when every OK loss is > 0) */
	int pair[2];		/* parameters of the pair plot; -1: the two most important */
	int width, height;	/* one plot: pixels (PNG), points (SVG, PDF) */
};

enum hpo_plot_format { HPO_FMT_PNG, HPO_FMT_SVG, HPO_FMT_PDF, HPO_FMT_HTML };

/* The format named by a file's extension (.png .svg .pdf .html .htm, any
 * case), or -1. */
int hpo_plot_format_of(const char *path);
/* Is the loss drawn on a log scale?  (opts->log and every OK loss > 0) */
int hpo_plot_loss_log(const struct hpo_plot_data *d, const struct hpo_plot_opts *o);
/* The plots of mask (1 << kind) into path, written atomically: a PNG or
 * SVG holds one plot, or several in a grid of two columns; a PDF has a page
 * per plot; HTML is hpo_plot_html's report (plot_write.c). */
int hpo_plot_write(const char *path, enum hpo_plot_format f, const struct hpo_plot_data *d,
		   unsigned mask, const struct hpo_plot_opts *o, struct hpo_err *err);
/* The plots of mask as PNG, SVG or PDF bytes (malloc'ed), laid out as
 * hpo_plot_write lays them out (plot_cairo.c). */
int hpo_plot_cairo(enum hpo_plot_format f, const struct hpo_plot_data *d, unsigned mask,
		   const struct hpo_plot_opts *o, unsigned char **buf, size_t *len,
		   struct hpo_err *err);
/* One plot as PNG or SVG bytes (malloc'ed); imp: hpo_plot_importance's
 * values when the caller has them, else NULL. */
int hpo_plot_render(enum hpo_plot_format f, const struct hpo_plot_data *d,
		    enum hpo_plot_kind k, const struct hpo_plot_opts *o, const double *imp,
		    unsigned char **buf, size_t *len, struct hpo_err *err);
/* The HTML report: one self-contained page with the plots of mask (PNG,
 * inline as data: URLs), the best point and a table of every point that
 * sorts by a click on its header.  Nothing is fetched to show it. */
int hpo_plot_html(const char *path, const struct hpo_plot_data *d, unsigned mask,
		  const struct hpo_plot_opts *o, struct hpo_err *err);

struct hpo_term_opts {
	int columns;		/* the terminal's width */
	int utf8;		/* Unicode block and braille characters, else ASCII */
	int color;		/* ANSI colours (never under NO_COLOR) */
	int log;		/* loss on a log scale (when every OK loss is > 0) */
};
/* Free cairo's caches of fonts and surfaces, at the end of a run (so a
 * leak checker sees only real leaks). */
void hpo_plot_finish(void);

/* The history and the best point for a terminal, on f. */
void hpo_plot_term(FILE *f, const struct hpo_plot_data *d, const struct hpo_term_opts *o);

#endif
