/* opt_gp.c - Gaussian-process Bayesian optimisation
 *
 * The model: a zero-mean GP over the unit-box view of the encoded points
 * (opt_util.h), a Matern 5/2 kernel with one length scale per coordinate
 * (categorical coordinates contribute 0 or 1, a Hamming distance), a
 * signal and a noise variance.  The losses are standardised, after a
 * shifted log when their upper tail is long (one huge loss must not
 * flatten the rest); failed points take the worst loss seen.  The
 * hyperparameters maximise the log marginal likelihood plus weak
 * log-normal priors (BFGS from two starts, in log space, bounded), fitted
 * on at most `fit_points` points; the posterior uses at most `max_points`
 * (half the best, half the most recent).
 *
 * A proposal maximises expected improvement over random candidates,
 * candidates near the best points, then a local search from the three
 * best.  Pending points, and each point of a batch once chosen, enter the
 * posterior with the model's mean as their loss, and the incumbent the
 * expected improvement is measured against becomes the least of that and
 * the believed losses (the kriging believer of Ginsbourger et al.), so
 * the points of a batch spread out (the first MAX_BELIEVED of them; later
 * ones only by the candidates' randomness).  Without the incumbent's
 * update, a point the model predicts far below the best keeps its
 * improvement when believed, and the rest of a batch of 10 landed beside
 * it (bench/README.md, Batches).  Once a point is believed, all
 * candidates are drawn near the best points instead of half of them
 * uniformly, and ten times nearer, which kept batches from drifting into
 * exploration and brought them closer to the optimum.  With the setting
 * explore_every N, so are all but one in N points of a task, one at a
 * time too (closer on smooth losses, less often out of a local minimum:
 * bench/README.md).  The first `n_initial` points of a task come from a
 * Latin-hypercube design.
 *
 * Linear algebra: GSL (Cholesky factorisation, BFGS); the triangular
 * solves of the predictions are ours, in GSL's order (gp_sd), and scored
 * BATCH candidates at a time, the candidates that cannot win left out
 * (maximise_ei).
 */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_vector.h>

#include "opt_util.h"
#include "optim.h"
#include "xmalloc.h"

#define SQRT5 2.23606797749979

/* hyperparameter bounds and priors, in log space */
#define LS_MIN log(0.01)
#define LS_MAX log(30.0)
#define LS_PRIOR_MU log(0.4)
#define LS_PRIOR_SD 1.0
#define SF_MIN log(0.01)
#define SF_MAX log(100.0)
#define SF_PRIOR_SD 1.5
#define SN_MIN log(1e-6)
#define SN_MAX log(1.0)
#define SN_PRIOR_MU log(1e-4)
#define SN_PRIOR_SD 3.0
#define JITTER 1e-9
/* pending and batch points believed at most (memory grows as the square) */
#define MAX_BELIEVED 200
/* candidates whose standard deviations are computed together
 * (gp_batch_sd), in NV vectors of two */
#define BATCH 16
#define NV (BATCH / 2)
typedef double vd2 __attribute__((vector_size(2 * sizeof(double))));

struct gp {
	size_t d, n, cap;
	const int *cat;		/* d flags: categorical coordinate */
	double *X;		/* cap * d, unit box */
	double *y;		/* cap, transformed losses */
	double *ls;		/* d length scales */
	double sf2, sn2;
	double jitter;		/* added to the diagonal by the last factorisation */
	gsl_matrix *L;		/* cap * cap; the leading n * n is the factor */
	gsl_vector *alpha;	/* cap; K^-1 y in the leading n */
	gsl_vector *k;		/* cap; work: kernel vector */
	vd2 *kb;		/* cap * NV; work of gp_column and gp_batch_sd */
};

static double
sq_dist(const struct gp *g, const double *a, const double *b)
{
	double r2 = 0;

	for (size_t j = 0; j < g->d; j++) {
		double t = g->cat[j] ? (a[j] != b[j]) : a[j] - b[j];

		r2 += t * t / (g->ls[j] * g->ls[j]);
	}
	return r2;
}

static double
matern(double sf2, double r2)
{
	double r = sqrt(r2);

	return sf2 * (1 + SQRT5 * r + 5.0 / 3.0 * r2) * exp(-SQRT5 * r);
}

/* Factor K over the first n points into g->L, alpha = K^-1 y; 0 or -1
 * when K stays singular however much jitter is added. */
static int
gp_factor(struct gp *g)
{
	size_t n = g->n;
	gsl_matrix_view L = gsl_matrix_submatrix(g->L, 0, 0, n, n);
	gsl_vector_view a = gsl_vector_subvector(g->alpha, 0, n);

	for (double jitter = JITTER; jitter < 1e-1; jitter *= 100) {
		double *l = L.matrix.data;
		size_t tda = L.matrix.tda;

		for (size_t p = 0; p < n; p++) {
			for (size_t q = 0; q < p; q++) {
				double v = matern(g->sf2, sq_dist(g, g->X + p * g->d, g->X + q * g->d));

				l[p * tda + q] = v;
				l[q * tda + p] = v;
			}
			l[p * tda + p] = g->sf2 + g->sn2 + jitter * g->sf2;
		}
		if (gsl_linalg_cholesky_decomp1(&L.matrix) == GSL_SUCCESS) {
			gsl_vector_const_view y = gsl_vector_const_view_array(g->y, n);

			g->jitter = jitter;
			gsl_linalg_cholesky_solve(&L.matrix, &y.vector, &a.vector);
			return 0;
		}
	}
	return -1;
}

/* The posterior mean at the box point u, its kernel vector left in g->k
 * for gp_sd; then the standard deviation.  The sums run in the order of
 * GSL's CBLAS (ddot; dtrsv's forward substitution, a row at a time),
 * operation for operation, so that the values are those of gsl_blas_ddot
 * and gsl_blas_dtrsv, without their calls and strides. */
static double
gp_mean(const struct gp *g, const double *u)
{
	double *k = g->k->data, m = 0;
	const double *a = g->alpha->data;

	for (size_t p = 0; p < g->n; p++)
		k[p] = matern(g->sf2, sq_dist(g, u, g->X + p * g->d));
	for (size_t p = 0; p < g->n; p++)
		m += k[p] * a[p];
	return m;
}

static double
gp_sd(const struct gp *g)
{
	size_t n = g->n, tda = g->L->tda;
	double *k = g->k->data, v = 0;
	const double *l = g->L->data;

	for (size_t i = 0; i < n; i++) {
		const double *li = l + i * tda;
		double t = k[i];

#pragma GCC unroll 4
		for (size_t j = 0; j < i; j++)
			t -= li[j] * k[j];
		k[i] = t / li[i];
	}
	for (size_t p = 0; p < n; p++)
		v += k[p] * k[p];
	v = g->sf2 - v;
	return v > 1e-12 * g->sf2 ? sqrt(v) : 0;
}

/* gp_mean and gp_sd for BATCH points at a time, the same values: the
 * kernel vectors side by side in g->kb, a row of BATCH numbers a point of
 * the model, so that the forward substitution works through the points
 * together, in vectors of two (GCC's and Clang's vector extension: each
 * lane's arithmetic is the scalar one, IEEE), while each point's sums keep
 * their order.  gp_column puts the point u in column b and returns its
 * mean; gp_batch_sd gives the standard deviations of columns 0 to nb - 1. */
static double
gp_column(const struct gp *g, const double *u, size_t b)
{
	const double *a = g->alpha->data;
	double m = 0;

	for (size_t p = 0; p < g->n; p++) {
		double k = matern(g->sf2, sq_dist(g, u, g->X + p * g->d));

		g->kb[p * NV + b / 2][b % 2] = k;
		m += k * a[p];
	}
	return m;
}

static void
gp_batch_sd(const struct gp *g, size_t nb, double *sd)
{
	size_t n = g->n, tda = g->L->tda;
	vd2 *kb = g->kb, v[NV] = {0};
	const double *l = g->L->data;

	for (size_t p = 0; p < n; p++)		/* the columns not used: no stale values */
		for (size_t b = nb; b < BATCH; b++)
			kb[p * NV + b / 2][b % 2] = 0;
	for (size_t i = 0; i < n; i++) {
		const double *li = l + i * tda;
		vd2 t[NV];

		for (size_t w = 0; w < NV; w++)
			t[w] = kb[i * NV + w];
		for (size_t j = 0; j < i; j++) {
			const vd2 *kj = kb + j * NV;
			double lij = li[j];

#pragma GCC unroll 8
			for (size_t w = 0; w < NV; w++)
				t[w] -= lij * kj[w];
		}
		for (size_t w = 0; w < NV; w++)
			kb[i * NV + w] = t[w] / li[i];
	}
	for (size_t p = 0; p < n; p++)
		for (size_t w = 0; w < NV; w++)
			v[w] += kb[p * NV + w] * kb[p * NV + w];
	for (size_t b = 0; b < nb; b++) {
		double r = g->sf2 - v[b / 2][b % 2];

		sd[b] = r > 1e-12 * g->sf2 ? sqrt(r) : 0;
	}
}

/* ---- fitting the hyperparameters ---------------------------------------- */

struct fit {
	struct gp *g;		/* g->n points are the fitting set */
	gsl_matrix *inv;	/* n * n work */
};

static double
prior_term(double v, double mu, double sd, double lo, double hi, double *grad)
{
	double z = (v - mu) / sd, f = 0.5 * z * z, gr = z / sd;

	/* a steep wall beyond the bounds keeps BFGS inside them */
	if (v < lo) {
		f += 50 * (lo - v) * (lo - v);
		gr -= 100 * (lo - v);
	} else if (v > hi) {
		f += 50 * (v - hi) * (v - hi);
		gr += 100 * (v - hi);
	}
	if (grad)
		*grad = gr;
	return f;
}

static void
set_theta(struct gp *g, const gsl_vector *t)
{
	for (size_t j = 0; j < g->d; j++)
		g->ls[j] = exp(gsl_vector_get(t, j));
	g->sf2 = exp(gsl_vector_get(t, g->d));
	g->sn2 = exp(gsl_vector_get(t, g->d + 1));
}

/* The negative log marginal likelihood plus the priors' terms, and its
 * gradient when grad is not NULL. */
static double
neg_log_post(const gsl_vector *t, struct fit *f, gsl_vector *grad)
{
	struct gp *g = f->g;
	size_t n = g->n, d = g->d;
	double val = 0, ydota, gpr;

	set_theta(g, t);
	if (gp_factor(g) < 0) {
		if (grad)
			gsl_vector_set_zero(grad);
		return 1e10;
	}
	{
		gsl_vector_const_view y = gsl_vector_const_view_array(g->y, n);
		gsl_vector_const_view a = gsl_vector_const_subvector(g->alpha, 0, n);

		gsl_blas_ddot(&y.vector, &a.vector, &ydota);
	}
	val = 0.5 * ydota + 0.5 * (double)n * log(2 * M_PI);
	for (size_t p = 0; p < n; p++)
		val += log(g->L->data[p * g->L->tda + p]);
	for (size_t j = 0; j < d; j++) {
		val += prior_term(gsl_vector_get(t, j), LS_PRIOR_MU, LS_PRIOR_SD, LS_MIN, LS_MAX, &gpr);
		if (grad)
			gsl_vector_set(grad, j, gpr);
	}
	val += prior_term(gsl_vector_get(t, d), 0, SF_PRIOR_SD, SF_MIN, SF_MAX, &gpr);
	if (grad)
		gsl_vector_set(grad, d, gpr);
	val += prior_term(gsl_vector_get(t, d + 1), SN_PRIOR_MU, SN_PRIOR_SD, SN_MIN, SN_MAX, &gpr);
	if (!grad)
		return val;
	gsl_vector_set(grad, d + 1, gpr);

	/* d(-log ML)/d theta = -1/2 tr((alpha alpha' - K^-1) dK/d theta) */
	gsl_matrix_view inv = gsl_matrix_submatrix(f->inv, 0, 0, n, n);
	gsl_matrix_const_view L = gsl_matrix_const_submatrix(g->L, 0, 0, n, n);

	gsl_matrix_memcpy(&inv.matrix, &L.matrix);
	gsl_linalg_cholesky_invert(&inv.matrix);
	/* the same sums as through gsl_vector_ptr, in the same order */
	double *gr = grad->data, *alpha = g->alpha->data;
	size_t gs = grad->stride;

	for (size_t p = 0; p < n; p++) {
		const double *xp = g->X + p * d, *ip = inv.matrix.data + p * inv.matrix.tda;
		double ap = alpha[p];
		double wpp = ap * ap - ip[p];

		/* the diagonal: signal and noise variance */
		gr[d * gs] -= 0.5 * wpp * g->sf2;
		gr[(d + 1) * gs] -= 0.5 * wpp * g->sn2;
		for (size_t q = 0; q < p; q++) {
			const double *xq = g->X + q * d;
			double w = ap * alpha[q] - ip[q];
			double r2 = sq_dist(g, xp, xq), r = sqrt(r2), e = exp(-SQRT5 * r);
			double common = g->sf2 * 5.0 / 3.0 * (1 + SQRT5 * r) * e;

			/* each off-diagonal pair counts twice */
			gr[d * gs] -= w * g->sf2 * (1 + SQRT5 * r + 5.0 / 3.0 * r2) * e;
			for (size_t j = 0; j < d; j++) {
				double dx = g->cat[j] ? (xp[j] != xq[j]) : xp[j] - xq[j];

				gr[j * gs] -= w * common * dx * dx / (g->ls[j] * g->ls[j]);
			}
		}
	}
	return val;
}

static double
fit_f(const gsl_vector *t, void *p)
{
	return neg_log_post(t, p, NULL);
}

static void
fit_df(const gsl_vector *t, void *p, gsl_vector *grad)
{
	neg_log_post(t, p, grad);
}

static void
fit_fdf(const gsl_vector *t, void *p, double *f, gsl_vector *grad)
{
	*f = neg_log_post(t, p, grad);
}

static double
clampd(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Fit g's hyperparameters on its current n points; leaves them set. */
static void
gp_fit(struct gp *g, gsl_matrix *inv)
{
	size_t np = g->d + 2;
	struct fit f = {g, inv};
	gsl_multimin_function_fdf fn = {fit_f, fit_df, fit_fdf, np, &f};
	gsl_multimin_fdfminimizer *m = hpo_opt_gsl(gsl_multimin_fdfminimizer_alloc(
		gsl_multimin_fdfminimizer_vector_bfgs2, np));
	gsl_vector *t = hpo_opt_gsl(gsl_vector_alloc(np)), *best = hpo_opt_gsl(gsl_vector_alloc(np));
	double bestval = INFINITY;
	static const double starts[][3] = {
		/* log length scale, log signal variance, log noise variance */
		{-0.9, 0.0, -9.0},
		{0.3, 0.0, -4.0},
	};

	for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
		for (size_t j = 0; j < g->d; j++)
			gsl_vector_set(t, j, starts[s][0]);
		gsl_vector_set(t, g->d, starts[s][1]);
		gsl_vector_set(t, g->d + 1, starts[s][2]);
		gsl_multimin_fdfminimizer_set(m, &fn, t, 0.1, 0.1);
		for (int it = 0; it < 25; it++) {
			if (gsl_multimin_fdfminimizer_iterate(m) != GSL_SUCCESS)
				break;
			if (gsl_multimin_test_gradient(m->gradient, 1e-3) == GSL_SUCCESS)
				break;
		}
		if (m->f < bestval) {
			bestval = m->f;
			gsl_vector_memcpy(best, m->x);
		}
	}
	for (size_t j = 0; j < g->d; j++)
		gsl_vector_set(best, j, clampd(gsl_vector_get(best, j), LS_MIN, LS_MAX));
	gsl_vector_set(best, g->d, clampd(gsl_vector_get(best, g->d), SF_MIN, SF_MAX));
	gsl_vector_set(best, g->d + 1, clampd(gsl_vector_get(best, g->d + 1), SN_MIN, SN_MAX));
	set_theta(g, best);
	gsl_multimin_fdfminimizer_free(m);
	gsl_vector_free(t);
	gsl_vector_free(best);
}

/* ---- expected improvement and its maximisation -------------------------- */

static double
ei_of(double m, double s, double best, double xi)
{
	double imp, z;

	imp = best - m - xi;
	if (s <= 0)
		return imp > 0 ? imp : 0;
	z = imp / s;
	return imp * 0.5 * erfc(-z / M_SQRT2) + s * exp(-0.5 * z * z) / sqrt(2 * M_PI);
}

static double
expected_improvement(const struct gp *g, const double *u, double best, double xi)
{
	double m = gp_mean(g, u);

	return ei_of(m, gp_sd(g), best, xi);
}

struct search {
	const struct hpo_enc *enc;
	const struct gp *g;
	struct hpo_rng *rng;
	double best, xi;
	int local;		/* candidates only near the elite, and nearer */
};

/* A neighbour of u: continuous coordinates moved by N(0, sd), categories
 * changed with probability pcat; kept in the box. */
static void
neighbour(const struct search *s, const double *u, double sd, double pcat, double *v)
{
	for (size_t j = 0; j < s->enc->d; j++) {
		const struct hpo_enc_dim *dim = &s->enc->dims[j];

		if (dim->kind == HPO_ENC_CAT) {
			v[j] = u[j];
			if (dim->ncat > 1 && hpo_rng_uniform(s->rng) < pcat)
				v[j] = (double)hpo_rng_below(s->rng, dim->ncat);
		} else {
			v[j] = clampd(u[j] + sd * hpo_rng_normal(s->rng), 0, 1);
		}
	}
}

/* u moved onto the grids of its quantised coordinates (x: d doubles of
 * work), so that EI scores the point that will be proposed. */
static void
snap_box(const struct hpo_enc *enc, double *u, double *x)
{
	int any = 0;

	for (size_t j = 0; j < enc->d; j++)
		any |= enc->dims[j].kind != HPO_ENC_CAT && enc->dims[j].step > 0;
	if (!any)
		return;
	hpo_opt_from_box(enc, u, x);
	for (size_t j = 0; j < enc->d; j++)
		if (enc->dims[j].kind != HPO_ENC_CAT && enc->dims[j].step > 0)
			x[j] = hpo_enc_snap(enc, j, x[j]);
	hpo_opt_to_box(enc, x, u);
}

enum { KEEP = 3 };	/* candidates refined by the local search */

/* The candidates' EIs, in the order drawn, into the KEEP best (topval,
 * keep): a candidate displaces the least of them when it is larger. */
static void
take_best(const struct search *s, const double *cands, const double *mean, const double *sd,
	  size_t nb, double *topval, double *keep)
{
	size_t d = s->enc->d;

	for (size_t b = 0; b < nb; b++) {
		double val = ei_of(mean[b], sd[b], s->best, s->xi);
		int slot = -1;

		for (int t = 0; t < KEEP; t++)
			if (val > topval[t] && (slot < 0 || topval[t] < topval[slot]))
				slot = t;
		if (slot >= 0) {
			topval[slot] = val;
			memcpy(keep + (size_t)slot * d, cands + b * d, d * sizeof *cands);
		}
	}
}

/* Maximise EI; the winner's box coordinates into out; work holds
 * (KEEP + BATCH + 2) * d doubles.
 *
 * A candidate's mean costs a kernel vector, its standard deviation a
 * triangular solve besides: the solves are done BATCH candidates at a
 * time (gp_batch_sd), and only for the candidates that can enter the
 * KEEP best.  EI grows with the standard deviation, which is at most the
 * prior's, sqrt(sf2): a candidate whose EI at that bound is below the
 * least of the KEEP best cannot enter them, and is dropped without its
 * solve.  (The least of the KEEP best only grows, so deciding against its
 * value before the waiting batch is scored is safe; the margin covers the
 * rounding of EI.)  The same candidates win as when every one was scored,
 * and the draws do not depend on EI: the proposals are unchanged. */
static void
maximise_ei(const struct search *s, size_t ncand, const double *elite, size_t nelite,
	    double *out, double *work)
{
	size_t d = s->enc->d, nb = 0;
	double topval[KEEP], bmean[BATCH], bsd[BATCH], smax = sqrt(s->g->sf2), least = -1;
	double *keep = work, *cands = work + KEEP * d, *v = cands + BATCH * d, *x = v + d;

	for (int t = 0; t < KEEP; t++) {
		topval[t] = -1;
		hpo_opt_random(s->enc, s->rng, x);
		hpo_opt_to_box(s->enc, x, keep + (size_t)t * d);
	}
	for (size_t c = 0; c < ncand; c++) {
		double *cand = cands + nb * d, imp;

		if ((c % 2 == 0 && !s->local) || nelite == 0) {
			hpo_opt_random(s->enc, s->rng, x);
			/* REAL coordinates: uniform over the span as often as from the prior */
			for (size_t j = 0; j < d; j++)
				if (s->enc->dims[j].kind == HPO_ENC_REAL && hpo_rng_uniform(s->rng) < 0.5)
					x[j] = (2 * hpo_rng_uniform(s->rng) - 1) * HPO_OPT_REAL_SPAN;
			hpo_opt_to_box(s->enc, x, cand);
		} else {
			const double *e = elite + hpo_rng_below(s->rng, nelite) * d;
			/* steps of 0.01 to 0.3 of the box, or of 0.001 to 0.03 once a
			 * point is believed: the believer spreads the batch, and its
			 * points search close to the best (bench/README.md, Batches) */
			double sd = pow(10, (s->local ? -1.5 : -0.5) - 1.5 * hpo_rng_uniform(s->rng));

			neighbour(s, e, sd, 1.0 / (double)d, cand);
		}
		snap_box(s->enc, cand, x);
		bmean[nb] = gp_column(s->g, cand, nb);
		imp = s->best - bmean[nb] - s->xi;
		if (ei_of(bmean[nb], smax, s->best, s->xi) + 1e-12 * (fabs(imp) + smax) < least)
			continue;
		if (++nb < BATCH && c + 1 < ncand)
			continue;
		gp_batch_sd(s->g, nb, bsd);
		take_best(s, cands, bmean, bsd, nb, topval, keep);
		nb = 0;
		least = fmin(topval[0], fmin(topval[1], topval[2]));
	}
	if (nb > 0) {
		gp_batch_sd(s->g, nb, bsd);
		take_best(s, cands, bmean, bsd, nb, topval, keep);
	}
	/* local search from each kept candidate: shrinking Gaussian steps */
	int win = 0;

	for (int t = 0; t < KEEP; t++) {
		double *u = keep + (size_t)t * d, sd = 0.05;
		int fails = 0;

		if (topval[t] < 0)
			continue;
		for (int it = 0; it < 40 && sd > 1e-4; it++) {
			double val;

			neighbour(s, u, sd, 0.5 / (double)d, v);
			snap_box(s->enc, v, x);
			val = expected_improvement(s->g, v, s->best, s->xi);
			if (val > topval[t]) {
				topval[t] = val;
				memcpy(u, v, d * sizeof *u);
				fails = 0;
			} else if (++fails >= 6) {
				sd /= 2;
				fails = 0;
			}
		}
		if (topval[t] > topval[win])
			win = t;
	}
	memcpy(out, keep + (size_t)win * d, d * sizeof *out);
}

/* ---- the data: which points, the loss transform --------------------------- */

struct ranked {
	size_t i;
	double loss;
};

static int
by_loss(const void *a, const void *b)
{
	const struct ranked *p = a, *q = b;

	if (p->loss != q->loss)
		return p->loss < q->loss ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

static int
by_index(const void *a, const void *b)
{
	const struct ranked *p = a, *q = b;

	return p->i < q->i ? -1 : p->i > q->i;
}

/* The points the model uses: done and failed ones, at most max; when
 * there are more, the best half and then the most recent. */
static size_t
select_points(const struct hpo_optim_hist *h, size_t max, struct ranked *sel)
{
	size_t m = 0;

	for (size_t i = 0; i < h->n; i++)
		if (h->obs[i].state != HPO_OBS_PENDING)
			sel[m++] = (struct ranked){i, h->obs[i].state == HPO_OBS_DONE
							      ? h->obs[i].loss
							      : INFINITY};
	if (m <= max)
		return m;
	qsort(sel, m, sizeof *sel, by_loss);
	/* keep the best max/2, then the most recent of the rest */
	qsort(sel + max / 2, m - max / 2, sizeof *sel, by_index);
	memmove(sel + max / 2, sel + m - (max - max / 2), (max - max / 2) * sizeof *sel);
	return max;
}

static int
by_value(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return p < q ? -1 : p > q;
}

/* Losses into the model's scale: a shifted log when the upper tail is
 * long, ranks when the spread overflows, then standardised; failed points
 * (infinite) take the worst of the others. */
static void
transform(const struct ranked *sel, size_t m, double *y)
{
	double *v = xreallocarray(NULL, m + 1, sizeof *v), lo, hi, med, worst = -INFINITY,
	       mean = 0, var = 0;
	size_t nf = 0;
	int use_log, use_rank;

	for (size_t i = 0; i < m; i++)
		if (isfinite(sel[i].loss))
			v[nf++] = sel[i].loss;
	if (nf == 0) {
		free(v);
		memset(y, 0, m * sizeof *y);
		return;
	}
	qsort(v, nf, sizeof *v, by_value);
	lo = v[0];
	hi = v[nf - 1];
	med = v[nf / 2];
	use_rank = !isfinite(hi - lo);
	use_log = !use_rank && nf >= 3 && hi - med > 2 * (med - lo) && hi > lo;
	for (size_t i = 0; i < m; i++) {
		double l = sel[i].loss;

		if (!isfinite(l))
			continue;
		if (use_rank) {
			size_t r = 0;

			while (r < nf && v[r] < l)
				r++;
			y[i] = (double)r;
		} else if (use_log) {
			y[i] = log(l - lo + (med - lo) * 0.05 + (hi - lo) * 1e-9);
		} else {
			y[i] = l;
		}
		worst = fmax(worst, y[i]);
	}
	free(v);
	for (size_t i = 0; i < m; i++) {
		if (!isfinite(sel[i].loss))
			y[i] = worst;
		mean += y[i];
	}
	mean /= (double)m;
	for (size_t i = 0; i < m; i++)
		var += (y[i] - mean) * (y[i] - mean);
	var /= (double)m;
	for (size_t i = 0; i < m; i++)
		y[i] = var > 0 && isfinite(var) ? (y[i] - mean) / sqrt(var) : 0;
}

/* ---- the algorithm -------------------------------------------------------- */

static void
gp_free(struct gp *g)
{
	free(g->X);
	free(g->y);
	free(g->ls);
	free(g->kb);
	gsl_matrix_free(g->L);
	gsl_vector_free(g->alpha);
	gsl_vector_free(g->k);
}

static void
gp_alloc(struct gp *g, size_t d, size_t cap, const int *cat)
{
	*g = (struct gp){.d = d, .cap = cap, .cat = cat};
	g->X = xcalloc(cap * d + 1, sizeof *g->X);
	g->y = xcalloc(cap + 1, sizeof *g->y);
	g->ls = xcalloc(d + 1, sizeof *g->ls);
	g->L = hpo_opt_gsl(gsl_matrix_alloc(cap, cap));
	g->alpha = hpo_opt_gsl(gsl_vector_alloc(cap));
	g->k = hpo_opt_gsl(gsl_vector_alloc(cap));
	/* malloc's alignment may be less than a vector's */
	if ((g->kb = aligned_alloc(sizeof *g->kb, (cap * NV + 1) * sizeof *g->kb)) == NULL)
		hpo_oom();
}

/* Add a point with the model's mean as its loss: the factor grows by one
 * row (L v = k, the new diagonal sqrt(k(u, u) + noise - v'v)), O(n^2);
 * a full refactorisation when that row is not positive. */
static int
believe(struct gp *g, const double *u)
{
	size_t n = g->n;
	gsl_vector_view row = gsl_matrix_subrow(g->L, n, 0, n);
	gsl_matrix_const_view L = gsl_matrix_const_submatrix(g->L, 0, 0, n, n);
	double m, vv, diag;

	m = gp_mean(g, u);
	memcpy(g->X + n * g->d, u, g->d * sizeof *u);
	g->y[n] = m;
	g->n = n + 1;
	for (size_t p = 0; p < n; p++)
		gsl_vector_set(&row.vector, p, matern(g->sf2, sq_dist(g, u, g->X + p * g->d)));
	gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &row.vector);
	gsl_blas_ddot(&row.vector, &row.vector, &vv);
	diag = g->sf2 + g->sn2 + g->jitter * g->sf2 - vv;
	if (!(diag > 1e-12 * g->sf2))
		return gp_factor(g);
	gsl_matrix_set(g->L, n, n, sqrt(diag));
	{
		gsl_matrix_const_view L1 = gsl_matrix_const_submatrix(g->L, 0, 0, n + 1, n + 1);
		gsl_vector_const_view y = gsl_vector_const_view_array(g->y, n + 1);
		gsl_vector_view a = gsl_vector_subvector(g->alpha, 0, n + 1);

		gsl_vector_memcpy(&a.vector, &y.vector);
		gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L1.matrix, &a.vector);
		gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &L1.matrix, &a.vector);
	}
	return 0;
}

/* Believe a point (believe) and make its believed loss the incumbent if
 * it is lower. */
static int
believe_point(struct gp *g, struct search *s, const double *u, struct hpo_err *err)
{
	if (believe(g, u) < 0) {
		hpo_err_set(err, HPO_E_SYS, "gp: the kernel matrix is singular");
		return -1;
	}
	s->best = fmin(s->best, g->y[g->n - 1]);
	return 0;
}

int
hpo_optim_gp(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err)
{
	const struct hpo_optim_hist *h = req->hist;
	const struct hpo_enc *enc = &h->enc;
	size_t d = enc->d;
	long n_initial, candidates, max_points, fit_points, explore_every;
	double xi;
	struct ranked *sel = NULL;
	struct gp g = {0};
	int *cat = NULL;
	double *x = NULL, *u = NULL, *elite = NULL, *work = NULL;
	gsl_matrix *inv = NULL;
	gsl_error_handler_t *old_handler = gsl_set_error_handler_off();
	struct hpo_rng rng;
	size_t m, cap, nelite = 0;
	long i = 0;
	int rc = -1;

	if (hpo_optim_setting_int(req->settings, "n_initial",
				  d * 2 + 1 < 5 ? 5 : d * 2 + 1 > 20 ? 20 : (long)(d * 2 + 1), 1,
				  10000, &n_initial, err) < 0 ||
	    hpo_optim_setting_int(req->settings, "candidates", 1000, 10, 1000000, &candidates,
				  err) < 0 ||
	    hpo_optim_setting_int(req->settings, "max_points", 300, 10, 2000, &max_points, err) < 0 ||
	    hpo_optim_setting_int(req->settings, "fit_points", 50, 10, 500, &fit_points, err) < 0 ||
	    hpo_optim_setting_num(req->settings, "xi", 0, 0, 10, &xi, err) < 0 ||
	    hpo_optim_setting_int(req->settings, "explore_every", 1, 1, 1000, &explore_every,
				  err) < 0)
		goto out;
	if (d == 0) {
		rc = hpo_opt_emit_fixed(enc, req->num, out, err);
		goto out;
	}
	hpo_rng_seed2(&rng, req->seed, 0x6770000000ULL + h->n);
	x = xcalloc(d + 1, sizeof *x);
	u = xcalloc(d + 1, sizeof *u);
	cat = xcalloc(d + 1, sizeof *cat);
	sel = xcalloc(h->n + 1, sizeof *sel);

	/* the initial design, and whatever is asked before two points are done */
	for (; i < req->num && ((size_t)h->n + (size_t)i < (size_t)n_initial || h->ndone < 2); i++) {
		size_t k = h->n + (size_t)i;

		if (k < (size_t)n_initial) {
			hpo_opt_lhs(enc, req->seed, (size_t)n_initial, k, x);
		} else {
			struct hpo_rng r;

			hpo_rng_seed2(&r, req->seed, k);
			hpo_opt_random(enc, &r, x);
		}
		if (hpo_opt_emit(enc, x, out, NULL, err) < 0)
			goto out;
	}
	if (i == req->num) {
		rc = 0;
		goto out;
	}

	for (size_t j = 0; j < d; j++)
		cat[j] = enc->dims[j].kind == HPO_ENC_CAT;
	m = select_points(h, (size_t)max_points, sel);
	cap = m + (h->npending + (size_t)req->num < MAX_BELIEVED ? h->npending + (size_t)req->num
							      : MAX_BELIEVED);
	gp_alloc(&g, d, cap, cat);
	inv = hpo_opt_gsl(gsl_matrix_alloc(m < (size_t)fit_points ? m : (size_t)fit_points,
					   m < (size_t)fit_points ? m : (size_t)fit_points));
	qsort(sel, m, sizeof *sel, by_index);
	transform(sel, m, g.y);
	for (size_t p = 0; p < m; p++)
		hpo_opt_to_box(enc, h->obs[sel[p].i].x, g.X + p * d);

	/* fit on an evenly spread subset (the data are in history order) */
	{
		size_t nf = m < (size_t)fit_points ? m : (size_t)fit_points;
		struct gp fg;

		gp_alloc(&fg, d, nf, cat);
		for (size_t p = 0; p < nf; p++) {
			size_t src = nf == m ? p : (size_t)((double)p * (double)m / (double)nf);

			memcpy(fg.X + p * d, g.X + src * d, d * sizeof *g.X);
			fg.y[p] = g.y[src];
		}
		fg.n = nf;
		gp_fit(&fg, inv);
		memcpy(g.ls, fg.ls, d * sizeof *g.ls);
		g.sf2 = fg.sf2;
		g.sn2 = fg.sn2;
		gp_free(&fg);
	}
	g.n = m;
	if (gp_factor(&g) < 0) {
		hpo_err_set(err, HPO_E_SYS, "gp: the kernel matrix is singular");
		goto out;
	}

	/* the incumbent and the elite of the finished points */
	struct search s = {enc, &g, &rng, INFINITY, xi, 0};
	struct ranked *byl = xreallocarray(NULL, m, sizeof *byl);

	for (size_t p = 0; p < m; p++) {
		byl[p] = (struct ranked){p, g.y[p]};
		if (isfinite(sel[p].loss))
			s.best = fmin(s.best, g.y[p]);
	}
	qsort(byl, m, sizeof *byl, by_loss);
	nelite = m < 5 ? m : 5;
	elite = xmalloc(nelite * d * sizeof *elite + 1);
	work = xmalloc((KEEP + BATCH + 2) * d * sizeof *work + 1);
	for (size_t e = 0; e < nelite; e++)
		memcpy(elite + e * d, g.X + byl[e].i * d, d * sizeof *elite);
	free(byl);

	for (size_t p = 0; p < h->n; p++)
		if (h->obs[p].state == HPO_OBS_PENDING && g.n < cap) {
			hpo_opt_to_box(enc, h->obs[p].x, u);
			if (believe_point(&g, &s, u, err) < 0)
				goto out;
		}
	for (; i < req->num; i++) {
		/* believed points spread the batch already: search near the best;
		 * so do all but one in explore_every points of the task */
		s.local = g.n > m || (h->n + (size_t)i) % (size_t)explore_every != 0;
		maximise_ei(&s, (size_t)candidates, elite, nelite, u, work);
		hpo_opt_from_box(enc, u, x);
		if (hpo_opt_emit(enc, x, out, x, err) < 0)
			goto out;
		if (i + 1 < req->num && g.n < cap) {
			hpo_opt_to_box(enc, x, u);
			if (believe_point(&g, &s, u, err) < 0)
				goto out;
		}
	}
	rc = 0;
out:
	gsl_set_error_handler(old_handler);
	gp_free(&g);
	gsl_matrix_free(inv);
	free(x);
	free(u);
	free(cat);
	free(sel);
	free(elite);
	free(work);
	return rc;
}
