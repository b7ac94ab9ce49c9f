/* opt_util.c - the initial design, random points and emitting points for
 * the model-based optimisers */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "opt_util.h"
#include "xmalloc.h"

/* From u in [0, 1) to the coordinate's own scale. */
static double
from_unit(const struct hpo_enc_dim *dim, double u)
{
	switch (dim->kind) {
	case HPO_ENC_REAL:
		if (u < 1e-9)
			u = 1e-9;
		if (u > 1 - 1e-9)
			u = 1 - 1e-9;
		return gsl_cdf_ugaussian_Pinv(u);
	case HPO_ENC_CAT: {
		double c = floor(u * (double)dim->ncat);

		return c < (double)dim->ncat ? c : (double)dim->ncat - 1;
	}
	case HPO_ENC_UNIT:
	default:
		return u;
	}
}

void
hpo_opt_lhs(const struct hpo_enc *enc, uint64_t seed, size_t size, size_t k, double *x)
{
	struct hpo_rng jitter;

	hpo_rng_seed2(&jitter, seed, 0x4c480000000ULL + k);
	for (size_t j = 0; j < enc->d; j++) {
		struct hpo_rng prng;
		size_t stratum = k % size, *perm = NULL;

		/* the stratum of point k in dimension j: a seeded permutation */
		perm = malloc(size * sizeof *perm);
		if (perm) {
			hpo_rng_seed2(&prng, seed, 0x4c48530000ULL + j);
			for (size_t i = 0; i < size; i++)
				perm[i] = i;
			for (size_t i = size - 1; i > 0; i--) {
				size_t r = (size_t)hpo_rng_below(&prng, i + 1), t = perm[i];

				perm[i] = perm[r];
				perm[r] = t;
			}
			stratum = perm[k % size];
			free(perm);
		}
		x[j] = from_unit(&enc->dims[j],
				 ((double)stratum + hpo_rng_uniform(&jitter)) / (double)size);
	}
}

void
hpo_opt_random(const struct hpo_enc *enc, struct hpo_rng *rng, double *x)
{
	for (size_t j = 0; j < enc->d; j++) {
		const struct hpo_enc_dim *dim = &enc->dims[j];

		if (dim->kind == HPO_ENC_REAL)
			x[j] = hpo_rng_normal(rng);
		else if (dim->kind == HPO_ENC_CAT)
			x[j] = (double)hpo_rng_below(rng, dim->ncat ? dim->ncat : 1);
		else
			x[j] = hpo_rng_uniform(rng);
	}
}

void
hpo_opt_to_box(const struct hpo_enc *enc, const double *x, double *u)
{
	for (size_t j = 0; j < enc->d; j++) {
		double v = x[j];

		if (enc->dims[j].kind == HPO_ENC_REAL) {
			if (v < -HPO_OPT_REAL_SPAN)
				v = -HPO_OPT_REAL_SPAN;
			if (v > HPO_OPT_REAL_SPAN)
				v = HPO_OPT_REAL_SPAN;
			v = (v + HPO_OPT_REAL_SPAN) / (2 * HPO_OPT_REAL_SPAN);
		}
		u[j] = v;
	}
}

void
hpo_opt_from_box(const struct hpo_enc *enc, const double *u, double *x)
{
	for (size_t j = 0; j < enc->d; j++)
		x[j] = enc->dims[j].kind == HPO_ENC_REAL
			       ? u[j] * 2 * HPO_OPT_REAL_SPAN - HPO_OPT_REAL_SPAN
			       : u[j];
}

int
hpo_opt_emit(const struct hpo_enc *enc, const double *x, json_t *out, double *snapped,
	     struct hpo_err *err)
{
	json_t *p = hpo_enc_decode(enc, x);

	if (!p)
		return hpo_err_set(err, HPO_E_SYS, "a proposed value is not a finite number");
	if (snapped && hpo_enc_point(enc, p, snapped, err) < 0) {
		json_decref(p);
		return -1;
	}
	json_array_append_new(out, p);
	return 0;
}

int
hpo_opt_emit_fixed(const struct hpo_enc *enc, long num, json_t *out, struct hpo_err *err)
{
	double none = 0;

	for (long i = 0; i < num; i++)
		if (hpo_opt_emit(enc, &none, out, NULL, err) < 0)
			return -1;
	return 0;
}

void *
hpo_opt_gsl(void *p)
{
	if (p == NULL)
		hpo_oom();
	return p;
}
