/* opt_cmaes.c - CMA-ES, the covariance matrix adaptation evolution strategy
 *
 * The standard (mu/mu_w, lambda) CMA-ES with cumulative step-size
 * adaptation and rank-one and rank-mu covariance updates (Hansen's
 * tutorial defaults), in working coordinates w: bounded coordinates as
 * encoded in [0, 1] (samples mirrored back into it), REAL ones as x / 8 +
 * 1/2, categorical ones as (index + 1/2) / ncat, a continuous index that
 * decoding rounds.  Coordinates on a grid (integers, q) keep a standard
 * deviation of at least a fifth of a step, so that the search does not
 * freeze on one grid value.
 *
 * The search starts with an initial design of n_initial points (the middle
 * of the space, then a Latin hypercube of the others) and the first
 * generation's mean at a weighted mean of the best two of them, with the
 * step sigma0 (small: the design has done the global look); a budget of
 * tens of points then goes to refining, not to a wide first generation
 * around the middle.  The population is smaller than Hansen's default
 * (4 + ln d, not 4 + 3 ln d) for the same reason: more generations in a
 * small budget.  With n_initial 0 the search starts from the middle, as
 * plain CMA-ES does.
 *
 * Stateless ask-and-tell: every call rebuilds the state from the history.
 * The history after the initial design, in order, is cut into generations
 * of lambda points; each complete generation whose points are all
 * evaluated updates the state (the points as they were proposed and decoded, steps clipped as for
 * injected solutions).  The first generation that is not complete, or
 * still has pending points, is the current one: new points are drawn from
 * the state, point k with a random stream of its own, so the same history
 * and seed give the same points.  When the step size collapses or the
 * covariance degenerates the search restarts from the middle with twice
 * the population (IPOP) and a step of at least 0.3.
 *
 * Eigen-decomposition: GSL.
 */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "opt_util.h"
#include "optim.h"
#include "xmalloc.h"

struct cma {
	size_t n;		/* dimension */
	size_t lambda, mu;
	double *weights, mueff;
	double cc, cs, c1, cmu, damps, chin;
	double sigma, sigma0;
	double *m, *m0, *pc, *ps;	/* the mean; the one it starts from */
	gsl_matrix *C, *B;	/* covariance; its eigenvectors */
	gsl_vector *D;		/* square roots of its eigenvalues */
	gsl_eigen_symmv_workspace *ws;
	gsl_matrix *tmp;
	long gen;		/* generations since the last (re)start */
	double *minsd;		/* per coordinate, in w units */
	int *bounded;
};

static void
cma_free(struct cma *c)
{
	free(c->weights);
	free(c->m);
	free(c->m0);
	free(c->pc);
	free(c->ps);
	free(c->minsd);
	free(c->bounded);
	gsl_matrix_free(c->C);
	gsl_matrix_free(c->B);
	gsl_matrix_free(c->tmp);
	gsl_vector_free(c->D);
	if (c->ws)
		gsl_eigen_symmv_free(c->ws);
}

/* Set the strategy parameters for the population lambda and start from
 * m0 with the initial step. */
static void
cma_start(struct cma *c, size_t lambda)
{
	double n = (double)c->n, sum = 0, sum2 = 0;

	free(c->weights);
	c->lambda = lambda;
	c->mu = lambda / 2;
	c->weights = xreallocarray(NULL, c->mu, sizeof *c->weights);
	for (size_t i = 0; i < c->mu; i++) {
		c->weights[i] = log((double)c->mu + 0.5) - log((double)i + 1);
		sum += c->weights[i];
	}
	for (size_t i = 0; i < c->mu; i++) {
		c->weights[i] /= sum;
		sum2 += c->weights[i] * c->weights[i];
	}
	c->mueff = 1 / sum2;
	c->cc = (4 + c->mueff / n) / (n + 4 + 2 * c->mueff / n);
	c->cs = (c->mueff + 2) / (n + c->mueff + 5);
	c->c1 = 2 / ((n + 1.3) * (n + 1.3) + c->mueff);
	c->cmu = fmin(1 - c->c1,
		      2 * (c->mueff - 2 + 1 / c->mueff) / ((n + 2) * (n + 2) + c->mueff));
	c->damps = 1 + 2 * fmax(0, sqrt((c->mueff - 1) / (n + 1)) - 1) + c->cs;
	c->chin = sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n * n));
	c->sigma = c->sigma0;
	c->gen = 0;
	for (size_t j = 0; j < c->n; j++)
		c->m[j] = c->pc[j] = c->ps[j] = 0;
	for (size_t j = 0; j < c->n; j++)
		c->m[j] = c->m0[j];
	gsl_matrix_set_identity(c->C);
	gsl_matrix_set_identity(c->B);
	gsl_vector_set_all(c->D, 1);
}

static void
cma_alloc(struct cma *c, const struct hpo_enc *enc, double sigma0)
{
	size_t n = enc->d;

	*c = (struct cma){.n = n, .sigma0 = sigma0};
	c->m = xcalloc(n, sizeof *c->m);
	c->m0 = xcalloc(n, sizeof *c->m0);
	for (size_t j = 0; j < n; j++)
		c->m0[j] = 0.5;
	c->pc = xcalloc(n, sizeof *c->pc);
	c->ps = xcalloc(n, sizeof *c->ps);
	c->minsd = xcalloc(n, sizeof *c->minsd);
	c->bounded = xcalloc(n, sizeof *c->bounded);
	c->C = hpo_opt_gsl(gsl_matrix_alloc(n, n));
	c->B = hpo_opt_gsl(gsl_matrix_alloc(n, n));
	c->tmp = hpo_opt_gsl(gsl_matrix_alloc(n, n));
	c->D = hpo_opt_gsl(gsl_vector_alloc(n));
	c->ws = hpo_opt_gsl(gsl_eigen_symmv_alloc(n));
	for (size_t j = 0; j < n; j++) {
		const struct hpo_enc_dim *dim = &enc->dims[j];

		c->bounded[j] = dim->kind != HPO_ENC_REAL;
		if (dim->kind == HPO_ENC_CAT)
			c->minsd[j] = dim->ncat > 1 ? 0.3 / (double)dim->ncat : 0;
		else if (dim->kind == HPO_ENC_REAL)
			c->minsd[j] = dim->step / (2 * HPO_OPT_REAL_SPAN) / 5;
		else
			c->minsd[j] = dim->step / 5;
	}
}

/* ---- working coordinates ------------------------------------------------------ */

static void
to_work(const struct hpo_enc *enc, const double *x, double *w)
{
	for (size_t j = 0; j < enc->d; j++) {
		const struct hpo_enc_dim *dim = &enc->dims[j];

		if (dim->kind == HPO_ENC_REAL)
			w[j] = x[j] / (2 * HPO_OPT_REAL_SPAN) + 0.5;
		else if (dim->kind == HPO_ENC_CAT)
			w[j] = (x[j] + 0.5) / (double)(dim->ncat ? dim->ncat : 1);
		else
			w[j] = x[j];
	}
}

static void
from_work(const struct hpo_enc *enc, const double *w, double *x)
{
	for (size_t j = 0; j < enc->d; j++) {
		const struct hpo_enc_dim *dim = &enc->dims[j];

		if (dim->kind == HPO_ENC_REAL) {
			x[j] = (w[j] - 0.5) * 2 * HPO_OPT_REAL_SPAN;
		} else if (dim->kind == HPO_ENC_CAT) {
			double k = floor(w[j] * (double)dim->ncat);

			x[j] = k < 0 ? 0 : k >= (double)dim->ncat ? (double)dim->ncat - 1 : k;
		} else {
			x[j] = w[j];
		}
	}
}

/* Reflect v into [0, 1]. */
static double
mirror(double v)
{
	v = fmod(fabs(v), 2);
	return v > 1 ? 2 - v : v;
}

/* ---- the update ------------------------------------------------------------------- */

/* Eigen-decompose C into B and D; -1 when C has degenerated. */
static int
cma_eigen(struct cma *c)
{
	double lo = INFINITY, hi = 0;

	/* keep C exactly symmetric, and a minimum spread on the grids */
	for (size_t p = 0; p < c->n; p++) {
		double need = c->minsd[p] / c->sigma;

		for (size_t q = 0; q < p; q++) {
			double v = (gsl_matrix_get(c->C, p, q) + gsl_matrix_get(c->C, q, p)) / 2;

			gsl_matrix_set(c->C, p, q, v);
			gsl_matrix_set(c->C, q, p, v);
		}
		if (gsl_matrix_get(c->C, p, p) < need * need)
			gsl_matrix_set(c->C, p, p, need * need);
	}
	gsl_matrix_memcpy(c->tmp, c->C);
	if (gsl_eigen_symmv(c->tmp, c->D, c->B, c->ws) != GSL_SUCCESS)
		return -1;
	for (size_t j = 0; j < c->n; j++) {
		double e = gsl_vector_get(c->D, j);

		if (!isfinite(e))
			return -1;
		lo = fmin(lo, e);
		hi = fmax(hi, e);
		gsl_vector_set(c->D, j, e > 0 ? sqrt(e) : 0);
	}
	return lo > 0 && hi / lo < 1e14 ? 0 : -1;
}

/* C^-1/2 v into out. */
static void
inv_sqrt_c(const struct cma *c, const double *v, double *out, double *t)
{
	for (size_t i = 0; i < c->n; i++) {
		t[i] = 0;
		for (size_t j = 0; j < c->n; j++)
			t[i] += gsl_matrix_get(c->B, j, i) * v[j];
		t[i] /= gsl_vector_get(c->D, i);
	}
	for (size_t i = 0; i < c->n; i++) {
		out[i] = 0;
		for (size_t j = 0; j < c->n; j++)
			out[i] += gsl_matrix_get(c->B, i, j) * t[j];
	}
}

static double
norm(const double *v, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += v[i] * v[i];
	return sqrt(s);
}

struct member {
	const double *w;	/* working coordinates */
	double loss;		/* +inf when failed */
	size_t order;
};

static int
by_loss(const void *a, const void *b)
{
	const struct member *p = a, *q = b;

	if (p->loss != q->loss)
		return p->loss < q->loss ? -1 : 1;
	return p->order < q->order ? -1 : p->order > q->order;
}

/* One generation's update; y is work of (mu + 3) * n doubles.  -1 when
 * the search must restart. */
static int
cma_update(struct cma *c, struct member *pop, double *y)
{
	size_t n = c->n;
	double *ymean = y + c->mu * n, *z = ymean + n, *t = z + n;
	double clip = sqrt((double)n) + 2 * (double)n / ((double)n + 2), psn, hsig;

	qsort(pop, c->lambda, sizeof *pop, by_loss);
	memset(ymean, 0, n * sizeof *ymean);
	for (size_t i = 0; i < c->mu; i++) {
		double *yi = y + i * n, zn;

		for (size_t j = 0; j < n; j++)
			yi[j] = (pop[i].w[j] - c->m[j]) / c->sigma;
		/* a proposed point moved by mirroring, rounding or clamping is an
		 * injected solution: its Mahalanobis length is clipped */
		inv_sqrt_c(c, yi, z, t);
		zn = norm(z, n);
		if (zn > clip)
			for (size_t j = 0; j < n; j++)
				yi[j] *= clip / zn;
		for (size_t j = 0; j < n; j++)
			ymean[j] += c->weights[i] * yi[j];
	}
	for (size_t j = 0; j < n; j++) {
		c->m[j] += c->sigma * ymean[j];
		if (c->bounded[j])
			c->m[j] = c->m[j] < 0 ? 0 : c->m[j] > 1 ? 1 : c->m[j];
	}
	inv_sqrt_c(c, ymean, z, t);
	for (size_t j = 0; j < n; j++)
		c->ps[j] = (1 - c->cs) * c->ps[j] + sqrt(c->cs * (2 - c->cs) * c->mueff) * z[j];
	psn = norm(c->ps, n);
	c->gen++;
	hsig = psn / sqrt(1 - pow(1 - c->cs, 2.0 * (double)c->gen)) / c->chin <
	       1.4 + 2 / ((double)n + 1);
	for (size_t j = 0; j < n; j++)
		c->pc[j] = (1 - c->cc) * c->pc[j] +
			   (hsig ? sqrt(c->cc * (2 - c->cc) * c->mueff) * ymean[j] : 0);
	for (size_t p = 0; p < n; p++)
		for (size_t q = 0; q <= p; q++) {
			double v = gsl_matrix_get(c->C, p, q), rmu = 0;

			for (size_t i = 0; i < c->mu; i++)
				rmu += c->weights[i] * y[i * n + p] * y[i * n + q];
			v = (1 - c->c1 - c->cmu + (1 - hsig) * c->c1 * c->cc * (2 - c->cc)) * v +
			    c->c1 * c->pc[p] * c->pc[q] + c->cmu * rmu;
			gsl_matrix_set(c->C, p, q, v);
			gsl_matrix_set(c->C, q, p, v);
		}
	c->sigma *= exp(fmin(1, (c->cs / c->damps) * (psn / c->chin - 1)));
	if (c->sigma > 1)
		c->sigma = 1;
	if (cma_eigen(c) < 0 || !isfinite(c->sigma))
		return -1;
	/* stalled: every coordinate's spread far below its grid and 1e-6 */
	for (size_t j = 0; j < n; j++)
		if (c->sigma * sqrt(gsl_matrix_get(c->C, j, j)) > fmax(1e-6, 1.01 * c->minsd[j]))
			return 0;
	return -1;
}

/* A sample of the current state: point k's own random stream. */
static void
cma_sample(const struct cma *c, uint64_t seed, size_t k, double *w, double *z)
{
	struct hpo_rng rng;

	hpo_rng_seed2(&rng, seed, 0x636d610000ULL + k);
	for (size_t j = 0; j < c->n; j++)
		z[j] = gsl_vector_get(c->D, j) * hpo_rng_normal(&rng);
	for (size_t i = 0; i < c->n; i++) {
		double v = 0;

		for (size_t j = 0; j < c->n; j++)
			v += gsl_matrix_get(c->B, i, j) * z[j];
		w[i] = c->m[i] + c->sigma * v;
		if (c->bounded[i])
			w[i] = mirror(w[i]);
	}
}

/* The start after the initial design: the mean at a weighted mean of its
 * two best evaluated points (the recombination weights of mu = 2, about
 * 0.8 and 0.2), or at the only one; when none is (points asked for before
 * the design's losses are in), the plain start from the middle with a
 * wide step. */
static void
cma_first(struct cma *c, const struct hpo_optim_hist *h, const double *W, size_t ninit)
{
	size_t best = SIZE_MAX, second = SIZE_MAX;
	double w1 = log(2.5), w2 = log(2.5) - log(2);

	for (size_t i = 0; i < ninit && i < h->n; i++) {
		if (h->obs[i].state != HPO_OBS_DONE)
			continue;
		if (best == SIZE_MAX || h->obs[i].loss < h->obs[best].loss) {
			second = best;
			best = i;
		} else if (second == SIZE_MAX || h->obs[i].loss < h->obs[second].loss) {
			second = i;
		}
	}
	if (best == SIZE_MAX) {
		c->sigma0 = fmax(c->sigma0, 0.3);
		return;
	}
	if (second == SIZE_MAX) {
		w1 = 1;
		w2 = 0;
		second = best;
	} else {
		double sum = w1 + w2;

		w1 /= sum;
		w2 /= sum;
	}
	for (size_t j = 0; j < c->n; j++)
		c->m0[j] = w1 * W[best * c->n + j] + w2 * W[second * c->n + j];
}

int
hpo_optim_cmaes(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err)
{
	const struct hpo_optim_hist *h = req->hist;
	const struct hpo_enc *enc = &h->enc;
	size_t n = enc->d;
	long popsize, n_initial;
	double sigma0;
	gsl_error_handler_t *old_handler = gsl_set_error_handler_off();
	struct cma c = {0};
	struct member *pop = NULL;
	double *W = NULL, *work = NULL, *x = NULL;
	size_t start;
	long i = 0;
	int rc = -1;

	if (hpo_optim_setting_int(req->settings, "popsize",
				  4 + (long)floor(log(n > 0 ? (double)n : 1)), 2, 10000, &popsize,
				  err) < 0 ||
	    hpo_optim_setting_int(req->settings, "n_initial",
				  n / 2 + 1 < 5 ? 5 : n / 2 + 1 > 20 ? 20 : (long)(n / 2) + 1, 0, 10000, &n_initial,
				  err) < 0 ||
	    hpo_optim_setting_num(req->settings, "sigma0", 0.1, 1e-3, 1, &sigma0, err) < 0)
		goto out;
	if (n == 0) {
		rc = hpo_opt_emit_fixed(enc, req->num, out, err);
		goto out;
	}
	W = xreallocarray(NULL, (h->n + 1) * n, sizeof *W);
	x = xreallocarray(NULL, n, sizeof *x);
	/* the initial design: the middle, then a Latin hypercube */
	for (; i < req->num && h->n + (size_t)i < (size_t)n_initial; i++) {
		size_t k = h->n + (size_t)i;

		if (k == 0) {
			for (size_t j = 0; j < n; j++)
				W[j] = 0.5;
			from_work(enc, W, x);
		} else {
			hpo_opt_lhs(enc, req->seed, (size_t)n_initial - 1, k - 1, x);
		}
		if (hpo_opt_emit(enc, x, out, NULL, err) < 0)
			goto out;
	}
	if (i == req->num) {
		rc = 0;
		goto out;
	}
	cma_alloc(&c, enc, sigma0);
	for (size_t k = 0; k < h->n; k++)
		to_work(enc, h->obs[k].x, W + k * n);
	cma_first(&c, h, W, (size_t)n_initial);
	cma_start(&c, (size_t)popsize);
	start = (size_t)n_initial;

	/* replay: every complete, evaluated generation updates the state */
	for (;;) {
		size_t ok = 0;
		int pending = 0;

		if (start + c.lambda > h->n)
			break;
		for (size_t k = start; k < start + c.lambda; k++) {
			pending |= h->obs[k].state == HPO_OBS_PENDING;
			ok += h->obs[k].state == HPO_OBS_DONE;
		}
		if (pending)
			break;
		free(pop);
		free(work);
		pop = xreallocarray(NULL, c.lambda, sizeof *pop);
		work = xreallocarray(NULL, (c.mu + 3) * n, sizeof *work);
		for (size_t k = 0; k < c.lambda; k++) {
			const struct hpo_optim_obs *o = &h->obs[start + k];

			pop[k] = (struct member){W + (start + k) * n,
						 o->state == HPO_OBS_DONE ? o->loss : INFINITY, k};
		}
		start += c.lambda;
		/* a generation that failed entirely teaches nothing; a restart
		 * goes back to the middle with a wide step and twice the
		 * population */
		if (ok > 0 && cma_update(&c, pop, work) < 0) {
			for (size_t j = 0; j < n; j++)
				c.m0[j] = 0.5;
			c.sigma0 = fmax(sigma0, 0.3);
			cma_start(&c, c.lambda * 2 > 10000 ? c.lambda : c.lambda * 2);
		}
	}

	free(work);
	work = xreallocarray(NULL, 2 * n, sizeof *work);
	for (; i < req->num; i++) {
		double *w = work + n;

		cma_sample(&c, req->seed, h->n + (size_t)i, w, work);
		from_work(enc, w, x);
		if (hpo_opt_emit(enc, x, out, NULL, err) < 0)
			goto out;
	}
	rc = 0;
out:
	gsl_set_error_handler(old_handler);
	cma_free(&c);
	free(pop);
	free(W);
	free(work);
	free(x);
	return rc;
}
