/* opt_util.h - pieces the model-based optimisers share: the initial
 * design, random points, their own working coordinates, emitting points
 *
 * The "unit box" view of an encoded point: every coordinate in [0, 1].
 * UNIT coordinates stay as they are, REAL ones (a standard-normal prior)
 * map [-4, 4] onto [0, 1], CAT ones keep their category index (the
 * optimisers treat it apart).
 */
#ifndef HPO_OPT_UTIL_H
#define HPO_OPT_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "optim.h"
#include "rng.h"

/* The REAL coordinates' range for the unit-box view, in standard deviations. */
#define HPO_OPT_REAL_SPAN 4.0

/* Point k (0-based) of a Latin-hypercube design of `size` points in the
 * encoded space: the same seed, size and k give the same point, and the
 * `size` points together cover every coordinate's range evenly. */
void hpo_opt_lhs(const struct hpo_enc *enc, uint64_t seed, size_t size, size_t k, double *x);

/* A random encoded point from the space's prior (uniform on UNIT and CAT,
 * standard normal on REAL). */
void hpo_opt_random(const struct hpo_enc *enc, struct hpo_rng *rng, double *x);

/* Encoded point <-> unit box (REAL clamped to the span). */
void hpo_opt_to_box(const struct hpo_enc *enc, const double *x, double *u);
void hpo_opt_from_box(const struct hpo_enc *enc, const double *u, double *x);

/* Decode x into a valid point, append it to out (a list) and write the
 * point's own encoding (rounded to its grid, clamped) back into snapped
 * (may be NULL).  -1 on a failure to encode it again (a bug). */
int hpo_opt_emit(const struct hpo_enc *enc, const double *x, json_t *out, double *snapped,
		 struct hpo_err *err);

/* A GSL object just allocated (gsl_*_alloc, with GSL's error handler
 * off): returned as is, and NULL, GSL's failure for want of memory or for
 * a zero size (never asked for), ends the process as xmalloc does. */
void *hpo_opt_gsl(void *p);

/* Only fixed parameters (enc->d == 0): num copies of the one point. */
int hpo_opt_emit_fixed(const struct hpo_enc *enc, long num, json_t *out, struct hpo_err *err);

#endif
