/* space.h - the search space: parsing, validation, sampling, JSON form
 *
 * Vocabulary (hpogrid/phpo): every parameter is
 *     name: {method: M, dimension: {...}}
 * with M one of
 *     uniform      low < high                      real in [low, high]
 *     uniformint   low <= high, integers           integer in [low, high]
 *     quniform     low < high, q > 0               real on the grid k*q in [low, high]
 *     loguniform   0 < low < high, base > 1 (e)    real, log-uniform in [low, high]
 *     qloguniform  as loguniform, q > 0            log-uniform, then on the grid k*q
 *     normal       sigma > 0                       real ~ N(mu, sigma)
 *     qnormal      sigma > 0, q > 0                round(N(mu, sigma) / q) * q
 *     lognormal    sigma > 0                       exp(N(mu, sigma))
 *     qlognormal   sigma > 0, q > 0                round(exp(N(mu, sigma)) / q) * q
 *     categorical  categories: non-empty list, grid_search: 0|1 (optional)
 *     fixed        value: any JSON value
 *     fidelity     0 < low < high, eta > 1 (3)     the training budget (epochs,
 *                                                  iterations): not searched, set
 *                                                  by the algorithm; at most one
 * In YAML the dimension keys may also stand directly beside `method`
 * (`x: {method: uniform, low: 0, high: 1}`); the JSON form is always the
 * canonical {method, dimension} one that the steering protocol expects.
 */
#ifndef HPO_SPACE_H
#define HPO_SPACE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "doc.h"
#include "err.h"
#include "rng.h"

enum hpo_method {
	HPO_UNIFORM,
	HPO_UNIFORMINT,
	HPO_QUNIFORM,
	HPO_LOGUNIFORM,
	HPO_QLOGUNIFORM,
	HPO_NORMAL,
	HPO_QNORMAL,
	HPO_LOGNORMAL,
	HPO_QLOGNORMAL,
	HPO_CATEGORICAL,
	HPO_FIXED,
	HPO_FIDELITY,
};

/* The reserved keys of a point in a space with a fidelity parameter
 * (hpo-task(5)): the trial (configuration) it belongs to, and the budget of
 * the trial's earlier point that it resumes. */
#define HPO_KEY_TRIAL "__hpo_trial"
#define HPO_KEY_CONTINUES "__hpo_continues"
#define HPO_TRIAL_MAX 64

struct hpo_param {
	char *name;
	enum hpo_method method;
	double low, high;	/* uniform families */
	double q;		/* q* methods; 0 otherwise */
	double base;		/* log families; e when not given */
	double mu, sigma;	/* normal families */
	double eta;		/* fidelity: the reduction factor between rungs */
	json_t *categories;	/* categorical: the list */
	int grid_search;	/* categorical: grid_search flag as given */
	json_t *value;		/* fixed */
	json_t *dimension;	/* the dimension as given, canonical: only the
				 * method's keys, in file order (owned; NULL
				 * when built by hand: then hpo_space_to_json
				 * writes it from the fields above) */
};

struct hpo_space {
	size_t n;
	struct hpo_param *params;	/* in the order of the file */
};

const char *hpo_method_name(enum hpo_method m);

/* Build a space from a parsed value (a mapping of name -> spec).  doc gives
 * file:line:column for errors and may be NULL (values from the database). */
int hpo_space_from_json(const struct hpo_doc *doc, const json_t *value,
			struct hpo_space **out, struct hpo_err *err);
/* Load a YAML or JSON file holding the mapping. */
int hpo_space_load(const char *path, struct hpo_space **out, struct hpo_err *err);
void hpo_space_free(struct hpo_space *space);

/* The canonical opt_space object {name: {method, dimension}} (new ref). */
json_t *hpo_space_to_json(const struct hpo_space *space);

/* A random point {name: value}: integers are JSON integers (uniformint, and
 * q methods whose q and bounds are integral), reals otherwise (new ref). */
json_t *hpo_space_sample(const struct hpo_space *space, struct hpo_rng *rng);

/* The valid number of p (a numeric method) nearest x: clamped to the
 * bounds (positive doubles for lognormal), rounded to integers or to the q
 * grid; NaN counts as 0.  hpo_param_value gives it as JSON, an integer where
 * the space's values are whole numbers, exactly as hpo_space_sample does. */
double hpo_param_nearest(const struct hpo_param *p, double x);
json_t *hpo_param_value(const struct hpo_param *p, double x);

/* Whether p takes one value only, for the optimisers: fixed, and fidelity
 * (whose value for an algorithm that is not multi-fidelity is the full
 * budget, high); and that value (new ref). */
int hpo_param_is_constant(const struct hpo_param *p);
json_t *hpo_param_constant(const struct hpo_param *p);

/* The index of the space's fidelity parameter, or -1. */
int hpo_space_fidelity(const struct hpo_space *space);
/* The budgets of a fidelity parameter's rungs, lowest first:
 * high / eta^(K-k) for k = 0..K, K = floor(log(high/low) / log(eta)),
 * whole numbers when low and high are; their number (at most
 * HPO_RUNGS_MAX) and, when budgets is not NULL, the values. */
#define HPO_RUNGS_MAX 64
size_t hpo_param_rungs(const struct hpo_param *p, double *budgets);
/* Whether s is a valid trial name: [A-Za-z][A-Za-z0-9.-]*, at most
 * HPO_TRIAL_MAX characters (a PanDA checkpoint's sub ID, a directory). */
int hpo_trial_name_ok(const char *s);

/* Check that a point proposed by a steering program fits the space: every
 * parameter present, no extra names, numbers within bounds and on the grid,
 * categories among the list.  In a space with a fidelity parameter the
 * reserved keys HPO_KEY_TRIAL (a trial name) and HPO_KEY_CONTINUES (a
 * budget below the point's) may be present.  `what` names the point in
 * the message. */
int hpo_space_check_point(const struct hpo_space *space, const json_t *point,
			  const char *what, struct hpo_err *err);

/* Grid search.  Finite parameters (categorical, fixed, uniformint, quniform,
 * qloguniform) take all their values; uniform and loguniform take `steps`
 * evenly spaced values (in log space for loguniform); normal families
 * cannot be gridded (error naming the parameter).  The grid is ordered
 * like nested loops, the last parameter varying fastest.  Sizes above
 * UINT64_MAX or a parameter over 1e6 values are errors. */
int hpo_space_grid_size(const struct hpo_space *space, unsigned steps, uint64_t *size,
			struct hpo_err *err);
/* The index-th grid point (new ref), 0 <= index < size. */
json_t *hpo_space_grid_point(const struct hpo_space *space, unsigned steps, uint64_t index);

#endif
