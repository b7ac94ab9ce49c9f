/* optim.h - model-based optimisers over a search space
 *
 * Every built-in optimiser works on the same encoding of a point: a vector
 * of reals, one coordinate per non-fixed parameter, built by encode.c:
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

/* ---- encoding (encode.c) ------------------------------------------------------ */

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

int hpo_enc_init(const struct hpo_space *space, struct hpo_enc *enc, struct hpo_err *err);
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
};

/* Each appends req->num new points (new refs) to out, a JSON list. */
typedef int (*hpo_optim_fn)(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);

int hpo_optim_tpe(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
int hpo_optim_gp(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);
int hpo_optim_cmaes(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err);

#endif
