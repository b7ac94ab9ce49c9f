/* optim.h - model-based optimisers over a search space
 *
 * Every built-in optimiser works on the same encoding of a point: a vector
 * of reals, one coordinate per non-fixed parameter, built by opt_encode.c:
 *
 *     uniform, quniform, uniformint    (v - low) / (high - low)      in [0, 1]
 *     loguniform, qloguniform          (ln v - ln low) / (ln high - ln low)
 *     normal, qnormal                  (v - mu) / sigma              on the real line
 *     lognormal, qlognormal            (ln v - mu) / sigma           on the real line
 *     categorical                      the category's index           (kind CAT)
 *
 * Decoding maps back and makes the point valid: clamps to the bounds,
 * rounds to the q grid or to integers (JSON integers where the space says
 * so, as hpo_space_sample does), takes the nearest category index, and
 * puts fixed parameters back.  decode(encode(p)) == p for every valid p.
 *
 * A history is the iDDS %IN list [[point, loss|null], ...]: a null loss is
 * a pending point (proposed, not evaluated yet); a loss that is not a
 * finite number (NaN, inf, or >= HPO_OPTIM_FAILED, the 1e5 of a point that
 * failed every attempt) is a failed point.  Lower is better.
 */
#ifndef HPO_OPTIM_H
#define HPO_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "space.h"

#define HPO_OPTIM_FAILED 1e5

/* ---- encoding (opt_encode.c) --------------------------------------------------- */

enum hpo_enc_kind {
	HPO_ENC_UNIT,		/* bounded: [0, 1] */
	HPO_ENC_REAL,		/* unbounded: a standard-normal prior */
	HPO_ENC_CAT,		/* categorical: an index 0 .. ncat - 1 */
};

struct hpo_enc_dim {
	size_t param;		/* index into space->params */
	enum hpo_enc_kind kind;
	size_t ncat;		/* HPO_ENC_CAT: number of categories */
	double step;		/* grid step in encoded units (q, integers) or 0 */
};

struct hpo_enc {
	const struct hpo_space *space;	/* borrowed */
	size_t d;			/* coordinates */
	struct hpo_enc_dim *dims;
};

void hpo_enc_init(const struct hpo_space *space, struct hpo_enc *enc);
void hpo_enc_free(struct hpo_enc *enc);
/* A point of the space into x[enc->d]; -1 with err for a point that does
 * not fit (missing name, wrong type, unknown category). */
int hpo_enc_point(const struct hpo_enc *enc, const json_t *point, double *x, struct hpo_err *err);
/* x back into a valid point (new ref).  x is not modified.  Any x decodes:
 * NaN counts as the middle of the prior (0.5 or 0), out-of-range
 * coordinates are clamped.  decode(encode(p)) is p exactly for integers,
 * q grids, categories and fixed values, and to the last bits for reals. */
json_t *hpo_enc_decode(const struct hpo_enc *enc, const double *x);
/* Coordinate j of x moved to where decoding puts it: clamped, and on the
 * grid of integers or q, so that an optimiser can score the point it will
 * really propose. */
double hpo_enc_snap(const struct hpo_enc *enc, size_t j, double x);

/* ---- a parsed history ------------------------------------------------------------ */

struct hpo_optim_obs {
	double *x;		/* enc->d coordinates */
	double loss;		/* finite for done points */
	int state;		/* HPO_OBS_DONE, HPO_OBS_PENDING, HPO_OBS_FAILED */
};

enum { HPO_OBS_DONE, HPO_OBS_PENDING, HPO_OBS_FAILED };

struct hpo_optim_hist {
	struct hpo_enc enc;
	size_t n;
	struct hpo_optim_obs *obs;	/* in history order */
	size_t ndone, npending, nfailed;
};

/* Parse an iDDS history against the space; errors name the entry
 * ("points[3]: ..."). */
int hpo_optim_hist_init(const struct hpo_space *space, const json_t *history,
			struct hpo_optim_hist *h, struct hpo_err *err);
void hpo_optim_hist_free(struct hpo_optim_hist *h);

/* ---- algorithms ------------------------------------------------------------------ */

struct hpo_optim_req {
	const struct hpo_space *space;
	const struct hpo_optim_hist *hist;
	long num;		/* points wanted now (>= 1) */
	uint64_t seed;		/* the same request and seed give the same points */
	const json_t *settings;	/* the algorithm's settings object, or NULL */
	const json_t *history;	/* the list hist was parsed from (its points), or NULL */
};

/* Each appends req->num new points (new refs) to out, a JSON list. */
typedef int (*hpo_optim_fn)(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);

/* random and grid (opt_random.c, opt_grid.c): point k of a task (k counts
 * the history and the points before it in the call) depends only on the
 * space, the seed and k, so a resumed task proposes what the first run
 * would have, whatever the batches; grid (setting steps, 5: values of each
 * continuous parameter) proposes fewer, then none, when its grid runs out. */
int hpo_optim_random(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
int hpo_optim_grid(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
/* Their points first .. first + n - 1, appended to out. */
void hpo_optim_random_points(const struct hpo_space *space, uint64_t seed, long first, long n,
			     json_t *out);
int hpo_optim_grid_points(const struct hpo_space *space, unsigned steps, long first, long n,
			  json_t *out, struct hpo_err *err);
int hpo_optim_tpe(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
int hpo_optim_gp(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
int hpo_optim_cmaes(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
/* Multi-fidelity (opt_mf.c): the space needs a fidelity parameter; the
 * points carry HPO_KEY_TRIAL and HPO_KEY_CONTINUES (space.h). */
int hpo_optim_asha(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
int hpo_optim_hyperband(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);

/* ---- the registry and the one entry point (optim.c) ---------------------------- */

struct hpo_optim_algo {
	const char *name;
	hpo_optim_fn fn;
	const char *const *settings;	/* the setting names it takes, NULL-terminated */
};

/* The built-in algorithm called name, or NULL. */
const struct hpo_optim_algo *hpo_optim_find(const char *name);
/* The same, or NULL with an error naming the nearest name and every one. */
const struct hpo_optim_algo *hpo_optim_get(const char *name, struct hpo_err *err);
/* The algorithm's settings checked: a mapping (or NULL) of names it knows,
 * and, when space is not NULL, values it takes (by proposing a point from
 * no history), so that a bad setting shows before any history is read. */
int hpo_optim_check_settings(const struct hpo_optim_algo *a, const struct hpo_space *space,
			     const json_t *settings, struct hpo_err *err);

/* New points for a history, as hpo-steer and the local engine ask for them:
 * a new list of at most num points, fewer so that the history and the new
 * points stay within max_points, [] once the budget is spent (or the grid
 * is exhausted).  history is the iDDS "points" list (NULL for none);
 * settings an object (NULL for none) whose names the algorithm must know.
 * Errors name the setting or the history entry ("points[3]: ..."). */
int hpo_optim_propose(const char *algorithm, const struct hpo_space *space,
		      const json_t *history, long num, long max_points, uint64_t seed,
		      const json_t *settings, json_t **points, struct hpo_err *err);

/* Settings, checked (opt_settings.c): the value of `name` in settings (def when absent or
 * settings is NULL), within [min, max]; _int wants a whole number. */
int hpo_optim_setting_num(const json_t *settings, const char *name, double def, double min,
			  double max, double *out, struct hpo_err *err);
int hpo_optim_setting_int(const json_t *settings, const char *name, long def, long min,
			  long max, long *out, struct hpo_err *err);
int hpo_optim_setting_bool(const json_t *settings, const char *name, int def, int *out,
			   struct hpo_err *err);
/* A string setting: *out the index of its value in choices (NULL-terminated;
 * 0, the first, when absent). */
int hpo_optim_setting_choice(const json_t *settings, const char *name,
			     const char *const *choices, int *out, struct hpo_err *err);
/* One command-line setting into settings: "KEY=VALUE" (VALUE read as JSON
 * when it is a number, true, false or null, else as a string) or a JSON
 * object whose members are all added. */
int hpo_optim_setting_parse(const char *arg, json_t *settings, struct hpo_err *err);

#endif
