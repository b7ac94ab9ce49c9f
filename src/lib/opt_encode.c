/* opt_encode.c - points as vectors of reals for the optimisers, and the parsed
 * iDDS history (optim.h)
 *
 * The numbers of a decoded point go through hpo_param_value, the function
 * hpo_space_sample uses, so an optimiser's point is clamped, rounded and
 * typed (JSON integer or real) exactly like a random one.
 */
#include "autoconf.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "optim.h"
#include "xmalloc.h"

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* (v - lo) / (hi - lo), also when hi - lo overflows. */
static double
unit_of(double v, double lo, double hi)
{
	double r = hi - lo;

	if (r == 0)
		return 0;
	if (!isfinite(r))
		return (v / 2 - lo / 2) / (hi / 2 - lo / 2);
	return (v - lo) / r;
}

/* lo + u * (hi - lo), also when hi - lo overflows. */
static double
from_unit(double u, double lo, double hi)
{
	double r = hi - lo;

	if (u <= 0)
		return lo;
	if (u >= 1)
		return hi;
	if (!isfinite(r))
		return lo * (1 - u) + hi * u;
	return lo + u * r;
}

/* Where a log-uniform parameter's range is, in natural logs. */
static void
log_bounds(const struct hpo_param *p, double *lo, double *hi)
{
	*lo = log(p->low);
	*hi = log(p->high);
}

void
hpo_enc_init(const struct hpo_space *space, struct hpo_enc *enc)
{
	memset(enc, 0, sizeof(*enc));
	enc->space = space;
	enc->dims = xcalloc(space->n ? space->n : 1, sizeof(*enc->dims));
	for (size_t i = 0; i < space->n; i++) {
		const struct hpo_param *p = &space->params[i];
		struct hpo_enc_dim *dim = &enc->dims[enc->d];
		double r = p->high - p->low;

		if (hpo_param_is_constant(p))
			continue;
		dim->param = i;
		switch (p->method) {
		case HPO_UNIFORM:
		case HPO_LOGUNIFORM:
			dim->kind = HPO_ENC_UNIT;
			break;
		case HPO_UNIFORMINT:
			dim->kind = HPO_ENC_UNIT;
			dim->step = r > 0 ? 1 / r : 1;
			break;
		case HPO_QUNIFORM:
			dim->kind = HPO_ENC_UNIT;
			dim->step = isfinite(r) ? p->q / r : 0;
			break;
		case HPO_QLOGUNIFORM:
			dim->kind = HPO_ENC_UNIT;	/* the grid is not even in log space */
			break;
		case HPO_NORMAL:
		case HPO_LOGNORMAL:
		case HPO_QLOGNORMAL:
			dim->kind = HPO_ENC_REAL;
			break;
		case HPO_QNORMAL:
			dim->kind = HPO_ENC_REAL;
			dim->step = p->q / p->sigma;
			break;
		case HPO_CATEGORICAL:
			dim->kind = HPO_ENC_CAT;
			dim->ncat = json_array_size(p->categories);
			break;
		case HPO_FIXED:
		case HPO_FIDELITY:
			break;
		}
		enc->d++;
	}
}

void
hpo_enc_free(struct hpo_enc *enc)
{
	if (enc == NULL)
		return;
	free(enc->dims);
	enc->dims = NULL;
	enc->d = 0;
}

/* The coordinate of the number v of p (v already checked finite). */
static double
encode_num(const struct hpo_param *p, double v)
{
	double lo, hi;

	switch (p->method) {
	case HPO_UNIFORM:
	case HPO_UNIFORMINT:
	case HPO_QUNIFORM:
		return clamp(unit_of(v, p->low, p->high), 0, 1);
	case HPO_LOGUNIFORM:
	case HPO_QLOGUNIFORM:
		log_bounds(p, &lo, &hi);
		return clamp(unit_of(log(clamp(v, p->low, p->high)), lo, hi), 0, 1);
	case HPO_NORMAL:
	case HPO_QNORMAL:
		return clamp((v - p->mu) / p->sigma, -DBL_MAX, DBL_MAX);
	case HPO_LOGNORMAL:
	case HPO_QLOGNORMAL:
		/* 0, which qlognormal rounds small values to, sits at a quarter
		 * step: it decodes back to 0 */
		if (v <= 0)
			v = p->method == HPO_QLOGNORMAL ? p->q / 4 : DBL_MIN;
		return (log(v) - p->mu) / p->sigma;
	default:
		return 0;
	}
}

/* The number of p at coordinate x, before rounding. */
static double
decode_num(const struct hpo_param *p, double x)
{
	double lo, hi;

	switch (p->method) {
	case HPO_UNIFORM:
	case HPO_UNIFORMINT:
	case HPO_QUNIFORM:
		return from_unit(x, p->low, p->high);
	case HPO_LOGUNIFORM:
	case HPO_QLOGUNIFORM:
		log_bounds(p, &lo, &hi);
		if (x <= 0)
			return p->low;
		if (x >= 1)
			return p->high;
		return exp(from_unit(x, lo, hi));
	case HPO_NORMAL:
	case HPO_QNORMAL:
		return p->mu + p->sigma * x;
	case HPO_LOGNORMAL:
	case HPO_QLOGNORMAL:
		return exp(p->mu + p->sigma * x);
	default:
		return 0;
	}
}

/* A finite coordinate for any x: NaN goes to the middle of the prior. */
static double
sane(const struct hpo_enc_dim *dim, double x)
{
	if (isnan(x))
		return dim->kind == HPO_ENC_UNIT ? 0.5 : 0;
	if (dim->kind == HPO_ENC_UNIT)
		return clamp(x, 0, 1);
	if (dim->kind == HPO_ENC_CAT)
		return clamp(round(x), 0, (double)dim->ncat - 1);
	return clamp(x, -DBL_MAX, DBL_MAX);
}

double
hpo_enc_snap(const struct hpo_enc *enc, size_t j, double x)
{
	const struct hpo_enc_dim *dim = &enc->dims[j];
	const struct hpo_param *p = &enc->space->params[dim->param];

	x = sane(dim, x);
	if (dim->kind == HPO_ENC_CAT)
		return x;
	return encode_num(p, hpo_param_nearest(p, decode_num(p, x)));
}

/* The index of v among p's categories; numbers match by value (1 and 1.0). */
static long
category_index(const struct hpo_param *p, const json_t *v)
{
	size_t n = json_array_size(p->categories);

	for (size_t i = 0; i < n; i++)
		if (json_equal(v, json_array_get(p->categories, i)))
			return (long)i;
	if (json_is_number(v))
		for (size_t i = 0; i < n; i++) {
			const json_t *c = json_array_get(p->categories, i);
			if (json_is_number(c) && json_number_value(c) == json_number_value(v))
				return (long)i;
		}
	return -1;
}

int
hpo_enc_point(const struct hpo_enc *enc, const json_t *point, double *x, struct hpo_err *err)
{
	if (!json_is_object(point))
		return hpo_err_set(err, HPO_E_INPUT, "a point must be a mapping, not %s",
				   hpo_json_kind(point));
	for (size_t j = 0; j < enc->d; j++) {
		const struct hpo_param *p = &enc->space->params[enc->dims[j].param];
		const json_t *v = json_object_get(point, p->name);
		double num;

		if (v == NULL)
			return hpo_err_set(err, HPO_E_INPUT, "parameter '%s' is missing", p->name);
		if (p->method == HPO_CATEGORICAL) {
			long k = category_index(p, v);
			if (k < 0) {
				char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
				hpo_err_set(err, HPO_E_INPUT,
					    "parameter '%s': %.200s is not one of the categories",
					    p->name, s ? s : "the value");
				free(s);
				return -1;
			}
			x[j] = (double)k;
			continue;
		}
		if (!json_is_number(v))
			return hpo_err_set(err, HPO_E_INPUT,
					   "parameter '%s': expected a number, not %s", p->name,
					   hpo_json_kind(v));
		num = json_number_value(v);
		if (!isfinite(num))
			return hpo_err_set(err, HPO_E_INPUT, "parameter '%s': not a finite number",
					   p->name);
		x[j] = encode_num(p, num);
	}
	return 0;
}

json_t *
hpo_enc_decode(const struct hpo_enc *enc, const double *x)
{
	const struct hpo_space *space = enc->space;
	json_t *o = json_object();
	size_t j = 0;

	for (size_t i = 0; i < space->n; i++) {
		const struct hpo_param *p = &space->params[i];
		json_t *v;

		if (hpo_param_is_constant(p)) {
			v = hpo_param_constant(p);
		} else {
			const struct hpo_enc_dim *dim = &enc->dims[j];
			double c = sane(dim, x[j]);
			j++;
			if (dim->kind == HPO_ENC_CAT)
				v = json_deep_copy(json_array_get(p->categories, (size_t)c));
			else
				v = hpo_param_value(p, decode_num(p, c));
		}
		if (v == NULL || json_object_set_new(o, p->name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* ---- the history ----------------------------------------------------------- */

/* "NaN", "Infinity", "-Infinity" (Python's json), ".nan", ".inf" (YAML). */
static int
nonfinite(const char *s, double *v)
{
	static const char *const nans[] = {"NaN", "nan", ".nan", ".NaN", NULL};
	static const char *const infs[] = {"Infinity", "inf", ".inf", ".Inf", NULL};
	int neg = *s == '-';

	for (size_t i = 0; nans[i] != NULL; i++)
		if (strcmp(s, nans[i]) == 0) {
			*v = NAN;
			return 1;
		}
	if (neg || *s == '+')
		s++;
	for (size_t i = 0; infs[i] != NULL; i++)
		if (strcmp(s, infs[i]) == 0) {
			*v = neg ? -INFINITY : INFINITY;
			return 1;
		}
	return 0;
}

int
hpo_optim_hist_init(const struct hpo_space *space, const json_t *history,
		    struct hpo_optim_hist *h, struct hpo_err *err)
{
	size_t n, d;

	memset(h, 0, sizeof(*h));
	hpo_enc_init(space, &h->enc);
	if (history == NULL || json_is_null(history))
		return 0;
	if (!json_is_array(history)) {
		hpo_optim_hist_free(h);
		return hpo_err_set(err, HPO_E_INPUT, "points must be a list, not %s",
				   hpo_json_kind(history));
	}
	n = json_array_size(history);
	d = h->enc.d;
	if (n == 0)
		return 0;
	/* one block for every coordinate: obs[0].x owns it */
	h->obs = xcalloc(n, sizeof(*h->obs));
	h->obs[0].x = xreallocarray(NULL, n, (d ? d : 1) * sizeof(double));
	memset(h->obs[0].x, 0, n * (d ? d : 1) * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		const json_t *e = json_array_get(history, i);
		struct hpo_optim_obs *o = &h->obs[i];
		const json_t *lv;

		h->n = i + 1;
		o->x = h->obs[0].x + i * (d ? d : 1);
		if (!json_is_array(e) || json_array_size(e) != 2) {
			hpo_err_set(err, HPO_E_INPUT,
				    "points[%zu]: expected a list [point, loss], not %s", i,
				    json_is_array(e) ? "a list of another length" : hpo_json_kind(e));
			goto fail;
		}
		if (hpo_enc_point(&h->enc, json_array_get(e, 0), o->x, err) < 0) {
			hpo_err_prefix(err, "points[%zu]", i);
			goto fail;
		}
		lv = json_array_get(e, 1);
		if (json_is_null(lv)) {
			o->state = HPO_OBS_PENDING;
			o->loss = NAN;
			h->npending++;
		} else if (json_is_number(lv)) {
			o->loss = json_number_value(lv);
			if (isfinite(o->loss) && o->loss < HPO_OPTIM_FAILED) {
				o->state = HPO_OBS_DONE;
				h->ndone++;
			} else {
				o->state = HPO_OBS_FAILED;
				h->nfailed++;
			}
		} else if (json_is_string(lv) && nonfinite(json_string_value(lv), &o->loss)) {
			/* Python's json writes NaN and Infinity bare */
			o->state = HPO_OBS_FAILED;
			h->nfailed++;
		} else {
			hpo_err_set(err, HPO_E_INPUT,
				    "points[%zu]: the loss must be a number or null, not %s", i,
				    hpo_json_kind(lv));
			goto fail;
		}
	}
	return 0;
fail:
	hpo_optim_hist_free(h);
	return -1;
}

void
hpo_optim_hist_free(struct hpo_optim_hist *h)
{
	if (h == NULL)
		return;
	if (h->obs != NULL)
		free(h->obs[0].x);
	free(h->obs);
	hpo_enc_free(&h->enc);
	memset(h, 0, sizeof(*h));
}
