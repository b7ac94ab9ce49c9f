/* opt_tpe.c - the tree-structured Parzen estimator (TPE)
 *
 * After n_startup random points (the very points random search proposes),
 * the finished points are split by loss into a good group (the best
 * min(ceil(gamma * n), max_good); gamma 0.25, or 1/d above d = 4 encoded
 * coordinates, which measured better on every function of bench/optimisers
 * with 5 to 10 parameters and kept those of 2 to 4 as they were) and a
 * bad group (the rest, with the failed points).  The pending points and the points proposed earlier in
 * the same call join the split as setting `pending` says: "believe" (the
 * default) ranks each with the loss of its nearest finished point, so a
 * batch goes on as a sequential search would if the guess were right; a
 * believed point takes its place in the ranking but weighs pending_weight
 * (0.1) of a finished point in the estimators, and while one is believed
 * the good kernels are pending_width (0.6) times as wide, so that the
 * batch searches nearer the good points (the guess is a guess; full
 * weight and width measured worse in every kind of batch, bench/README.md);
 * "liar" puts them in the bad group (a constant liar, the older default,
 * `constant_liar: true`), which measured worse in batches (bench/README.md);
 * "ignore" leaves them out.  Each group becomes a Parzen
 * estimator in the encoded space (optim.h): a mixture of one kernel per
 * point plus the prior (N(0.5, 1) truncated to [0, 1] for bounded
 * coordinates, N(0, 1) for the normal families, uniform over the
 * categories), weighted prior_weight.  A gridded bounded coordinate
 * (integers, quantised) reaches half a step beyond [0, 1], as in Optuna, so
 * that its end values have whole grid cells, not half ones.  A kernel's
 * width is the larger gap to its neighbours, clipped to
 * [1 / min(100, n + 1), 1] of the prior's (univariate: each kernel then
 * counts by its width, as in Optuna 3.1); points older than the last 25
 * weigh less and less (linear forgetting).  A categorical kernel puts 1 on
 * its category and prior_weight / (n + 1) on each (Optuna's rule, n the
 * group's size), so that an estimator sharpens as its group grows: a
 * category tried often and found bad weighs by its count in g, one seldom
 * tried stays worth a try; but the good group's joint density spreads
 * prior_weight over the categories, which measured better there
 * (bench/README.md, real tasks).  n_ei_candidates candidates are drawn from
 * the good estimator and the one with the largest l(x) / g(x), which
 * maximises the expected improvement, is proposed.  Setting `density` says
 * which estimators: "joint" (`multivariate: true`) draws whole points from
 * one kernel of every coordinate and scores them with the joint densities,
 * so that it follows correlations between parameters; "independent"
 * (`multivariate: false`, univariate TPE as in Optuna and hyperopt) does
 * that coordinate by coordinate, each with its own density; "both" draws
 * each coordinate from a kernel of its own, so that a candidate can join
 * the good values of several good points, and scores whole candidates by
 * the product of the two ratios.  The default is both, or joint when the
 * space has a categorical parameter: over the fifteen functions of
 * bench/optimisers without one, both's median regret was 0.87 and 0.91 of
 * joint's (geometric means, two sets of 40 seeds), but on the SVC task of
 * bench/real-tasks, whose kernel is a category, it was worse
 * (bench/README.md).  Quantised and integer coordinates are
 * scored by the kernel's mass over the grid cell.  A point that is in the
 * history already, or was proposed earlier in the call, is not proposed
 * (small discrete spaces): the best new combination of the values drawn,
 * or the best new whole candidate, else a few rounds of fresh candidates.
 *
 * Reproducible: point i of a call comes from the stream (seed, n + i), n
 * the history's length.
 */
#include "autoconf.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"
#include "xmalloc.h"

#define TPE_FORGET 25		/* the last points that weigh fully */
#define TPE_TINY 1e-300		/* floor of a density, so a log is finite */
#define TPE_FAR 50.0		/* z^2 beyond which a kernel adds nothing (e^-25) */
#define TPE_ROUNDS 8		/* rounds of candidates to find a point not known yet */
#define TPE_COMBOS 4096.0	/* univariate: combinations searched for a new point */

struct tpe_cfg {
	long n_startup, max_good, n_cand;
	double gamma, prior_weight;
	double pending_weight;	/* believe: what a believed point weighs, against 1 */
	double pending_width;	/* believe: the good kernels' widths while one is believed */
	int density;		/* what scores a candidate: DENS_* */
	int liar;
	int pending;		/* what pending points are: PEND_* */
};

enum { PEND_IGNORE, PEND_LIAR, PEND_BELIEVE };
enum { DENS_BOTH, DENS_JOINT, DENS_INDEPENDENT };

/* One group's estimator: components 0 .. m-1 are points, m the prior.
 * Arrays are by coordinate: [j * (m + 1) + k]. */
struct parzen {
	size_t m, d;
	double *w, *logw;	/* m + 1 weights, summing to 1, and their logs */
	double *mu, *isig;	/* centre and 1 / width */
	double *lnorm;		/* log(1 / (sigma sqrt(2 pi) Z)), Z the mass in the domain;
				 * univariate: log(1 / (sqrt(2 pi) Z)) */
	double *z;		/* Z */
	/* categorical coordinates: what a point's kernel adds to every category
	 * (1 goes to its own), and the logs of its probability of its own
	 * category and of another one */
	double *cv, *lhit, *lmiss;
};

struct tpe {
	const struct hpo_optim_req *req;
	const struct hpo_enc *enc;
	struct tpe_cfg cfg;
	size_t d;
	/* the points of both groups, by history order */
	const double **good, **bad;
	char *goodb, *badb;	/* which of them are believed */
	size_t ngood, nbad;
	int narrow;		/* points are believed: the good kernels narrowed */
	/* multivariate: coordinates cheapest first */
	size_t *order;
	/* the points proposed so far in this call, dd apart */
	const double *batch;
	size_t nbatch, dd;
};

static double
phi(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/* The domain of a bounded coordinate j: [0, 1], reaching half a step
 * beyond for a grid, so that its end values have whole cells. */
static void
dim_bounds(const struct tpe *t, size_t j, double *lo, double *hi)
{
	double h = t->enc->dims[j].step / 2;

	*lo = -h;
	*hi = 1 + h;
}

static void
parzen_free(struct parzen *p)
{
	free(p->w);
	free(p->logw);
	free(p->mu);
	free(p->isig);
	free(p->lnorm);
	free(p->z);
	free(p->cv);
	free(p->lhit);
	free(p->lmiss);
	memset(p, 0, sizeof(*p));
}

struct sortv {
	uint64_t key;		/* sort_key(value) */
	size_t k;		/* what the value belongs to */
};

/* The bits of a double, as an unsigned number in the same order. */
static uint64_t
sort_key(double v)
{
	uint64_t u;

	memcpy(&u, &v, sizeof(u));
	return (u >> 63) ? ~u : u | (1ULL << 63);
}

/* Sort a[0 .. n-1] by key, stably (equal keys keep their order), with
 * tmp[n] as scratch: a least-significant-digit radix sort, 8 bits a pass,
 * every digit counted in one read, passes where all keys share the digit
 * skipped; some times faster than qsort at the sizes of a history. */
static void
sort_keys(struct sortv *a, struct sortv *tmp, size_t n)
{
	size_t count[8][257];
	struct sortv *from = a, *to = tmp, *t;

	memset(count, 0, sizeof(count));
	for (size_t i = 0; i < n; i++)
		for (int d = 0; d < 8; d++)
			count[d][((a[i].key >> (8 * d)) & 0xff) + 1]++;
	for (int d = 0; d < 8; d++) {
		int trivial = 0;
		for (int b = 1; b <= 256; b++)
			trivial |= count[d][b] == n;
		if (trivial)
			continue;
		for (int b = 0; b < 256; b++)
			count[d][b + 1] += count[d][b];
		for (size_t i = 0; i < n; i++)
			to[count[d][(from[i].key >> (8 * d)) & 0xff]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	if (from != a)
		memcpy(a, from, n * sizeof(*a));
}

/* Room for an estimator of m points in d coordinates. */
static void
parzen_alloc(struct parzen *p, size_t m, size_t d)
{
	size_t n1 = m + 1, nd = n1 * (d ? d : 1);

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->d = d;
	p->w = xcalloc(n1, sizeof(double));
	p->logw = xcalloc(n1, sizeof(double));
	p->mu = xcalloc(nd, sizeof(double));
	p->isig = xcalloc(nd, sizeof(double));
	p->lnorm = xcalloc(nd, sizeof(double));
	p->z = xcalloc(nd, sizeof(double));
	p->cv = xcalloc(d ? d : 1, sizeof(double));
	p->lhit = xcalloc(d ? d : 1, sizeof(double));
	p->lmiss = xcalloc(d ? d : 1, sizeof(double));
}

/* What differs between the joint density and each coordinate's own: the
 * categorical kernels and the kernels' norms.  bad: of the bad group,
 * whose categorical kernels sharpen as it grows. */
static void
parzen_norms(const struct tpe *t, struct parzen *p, int bad, int joint)
{
	size_t n1 = p->m + 1;

	for (size_t j = 0; j < p->d; j++) {
		const struct hpo_enc_dim *dim = &t->enc->dims[j];
		const double *isig = p->isig + j * n1, *z = p->z + j * n1;
		double *lnorm = p->lnorm + j * n1;

		if (dim->kind == HPO_ENC_CAT) {
			double ncat = (double)dim->ncat, pw = t->cfg.prior_weight;
			/* prior_weight / (m + 1) on each category, so that a
			 * category tried often weighs by its count; but the good
			 * group of the joint density spreads prior_weight over the
			 * categories, which measured better there (bench/README.md,
			 * real tasks) */
			double cv = bad || !joint ? pw / (double)n1 : pw / ncat;

			p->cv[j] = cv;
			p->lhit[j] = log((1 + cv) / (1 + ncat * cv));
			p->lmiss[j] = log(cv / (1 + ncat * cv));
			continue;
		}
		/* each coordinate's own density: each kernel counts by its width
		 * (its density is not divided by it), as in Optuna 3.1's TPE,
		 * whose kernels leave the width out (optuna#5109): the prior, the
		 * widest, weighs more in both groups, so that a region without bad
		 * points does not win by the emptiness of g alone.  Over the
		 * eleven functions of bench/optimisers univariate TPE's regret's
		 * geometric mean fell to 0.91 and 0.95 (two sets of 40 seeds); the
		 * joint density did worse so (bench/README.md).  Widths repeat
		 * (the clipped ones): one log for a run of them */
		for (size_t k = 0; k < n1; k++)
			if (k > 0 && isig[k] == isig[k - 1] && z[k] == z[k - 1])
				lnorm[k] = lnorm[k - 1];
			else
				lnorm[k] = log((joint ? isig[k] : 1) / (sqrt(2 * M_PI) * z[k]));
	}
}

/* The estimator of the points pts[0 .. m-1] (in history order), as
 * parzen_norms says for bad and joint. */
static void
parzen_build(const struct tpe *t, const double *const *pts, size_t m, int bad, int joint,
	     struct parzen *p, struct sortv *scratch)
{
	size_t d = t->d, n1 = m + 1;
	double total = 0;

	parzen_alloc(p, m, d);
	/* linear forgetting: the oldest weigh 1/m, rising to 1 at the last 25 */
	for (size_t k = 0; k < m; k++) {
		if (m <= TPE_FORGET || k >= m - TPE_FORGET)
			p->w[k] = 1;
		else if (m - TPE_FORGET == 1)
			p->w[k] = 1.0 / (double)m;
		else
			p->w[k] = 1.0 / (double)m + (1 - 1.0 / (double)m) * (double)k /
				  (double)(m - TPE_FORGET - 1);
		if ((bad ? t->badb : t->goodb)[k])
			p->w[k] *= t->cfg.pending_weight;
		total += p->w[k];
	}
	p->w[m] = t->cfg.prior_weight;
	total += p->w[m];
	for (size_t k = 0; k < n1; k++) {
		p->w[k] /= total;
		p->logw[k] = log(p->w[k]);
	}

	for (size_t j = 0; j < d; j++) {
		const struct hpo_enc_dim *dim = &t->enc->dims[j];
		double *mu = p->mu + j * n1, *isig = p->isig + j * n1, *z = p->z + j * n1;
		double prior_mu = dim->kind == HPO_ENC_UNIT ? 0.5 : 0, blo = 0, bhi = 1;
		double maxs, mins;

		if (dim->kind == HPO_ENC_UNIT)
			dim_bounds(t, j, &blo, &bhi);
		maxs = bhi - blo;
		mins = maxs / fmin(100, (double)n1);

		for (size_t k = 0; k < m; k++)
			mu[k] = pts[k][j];
		mu[m] = prior_mu;
		if (dim->kind == HPO_ENC_CAT)
			continue;
		/* widths: the larger gap to the sorted neighbours */
		for (size_t k = 0; k < n1; k++) {
			scratch[k].key = sort_key(mu[k]);
			scratch[k].k = k;
		}
		sort_keys(scratch, scratch + n1, n1);
		for (size_t s = 0; s < n1; s++) {
			double v = mu[scratch[s].k];
			double left = s > 0 ? v - mu[scratch[s - 1].k] : 0;
			double right = s + 1 < n1 ? mu[scratch[s + 1].k] - v : 0;
			double sig = n1 == 1 ? maxs : fmax(left, right);
			sig = fmin(fmax(sig, mins), maxs);
			isig[scratch[s].k] = 1 / sig;
		}
		isig[m] = 1 / maxs;
		if (!bad && t->narrow)
			for (size_t k = 0; k < m; k++)
				isig[k] /= t->cfg.pending_width;
		for (size_t k = 0; k < n1; k++) {
			double lo = (blo - mu[k]) * isig[k], hi = (bhi - mu[k]) * isig[k];
			/* the mass inside the domain: all of it, to rounding, when both
			 * bounds are 8.5 widths away */
			z[k] = dim->kind != HPO_ENC_UNIT || (lo < -8.5 && hi > 8.5) ? 1 :
			       phi(hi) - phi(lo);
			if (z[k] < TPE_TINY)
				z[k] = TPE_TINY;
		}
	}
	parzen_norms(t, p, bad, joint);
}

/* src's points and widths, for each coordinate's own density (p) where src
 * is for the joint one: what parzen_build would make, without its work. */
static void
parzen_own(const struct tpe *t, const struct parzen *src, int bad, struct parzen *p)
{
	size_t n1 = src->m + 1, nd = n1 * (src->d ? src->d : 1);

	parzen_alloc(p, src->m, src->d);
	memcpy(p->w, src->w, n1 * sizeof(double));
	memcpy(p->logw, src->logw, n1 * sizeof(double));
	memcpy(p->mu, src->mu, nd * sizeof(double));
	memcpy(p->isig, src->isig, nd * sizeof(double));
	memcpy(p->z, src->z, nd * sizeof(double));
	parzen_norms(t, p, bad, 0);
}

/* Kernel k's categorical probability of category c. */
static double
cat_prob(const struct tpe *t, const struct parzen *p, size_t j, size_t k, double c)
{
	double ncat = (double)t->enc->dims[j].ncat, cv = p->cv[j];

	if (k == p->m)
		return 1 / ncat;
	return ((p->mu[j * (p->m + 1) + k] == c ? 1 : 0) + cv) / (1 + ncat * cv);
}

/* Kernel k's probability of x in a categorical or gridded coordinate j:
 * of the category, or the mass over the grid cell around x. */
static double
kernel_prob(const struct tpe *t, const struct parzen *p, size_t j, size_t k, double x)
{
	const struct hpo_enc_dim *dim = &t->enc->dims[j];
	size_t i = j * (p->m + 1) + k;
	double a, b;

	if (dim->kind == HPO_ENC_CAT)
		return cat_prob(t, p, j, k, x);
	a = x - dim->step / 2;
	b = x + dim->step / 2;
	if (dim->kind == HPO_ENC_UNIT) {
		double lo, hi;
		dim_bounds(t, j, &lo, &hi);
		a = fmax(a, lo);
		b = fmin(b, hi);
	}
	a = (a - p->mu[i]) * p->isig[i];
	b = (b - p->mu[i]) * p->isig[i];
	/* far in one tail: the difference is nothing but rounding */
	if ((a > 0 && a * a > TPE_FAR) || (b < 0 && b * b > TPE_FAR))
		return 0;
	return (phi(b) - phi(a)) / p->z[i];
}

/* Kernel k's log density (or log probability) at x, coordinate j. */
static double
kernel_log(const struct tpe *t, const struct parzen *p, size_t j, size_t k, double x)
{
	const struct hpo_enc_dim *dim = &t->enc->dims[j];
	size_t i = j * (p->m + 1) + k;
	double zz;

	if (dim->kind == HPO_ENC_CAT || dim->step > 0)
		return log(fmax(kernel_prob(t, p, j, k, x), TPE_TINY));
	zz = (x - p->mu[i]) * p->isig[i];
	return p->lnorm[i] - 0.5 * zz * zz;
}

/* The mixture's log density at x in coordinate j alone (univariate). */
static double
dim_log(const struct tpe *t, const struct parzen *p, size_t j, double x)
{
	const struct hpo_enc_dim *dim = &t->enc->dims[j];
	size_t n1 = p->m + 1;
	const double *mu = p->mu + j * n1, *isig = p->isig + j * n1, *lnorm = p->lnorm + j * n1;
	double sum = 0;

	if (dim->kind == HPO_ENC_CAT) {
		/* the points' kernels: 1 on their category, cv on every one */
		double cv = p->cv[j], ncat = (double)dim->ncat, hit = 0, all = 0;
		for (size_t k = 0; k < p->m; k++) {
			all += p->w[k];
			if (mu[k] == x)
				hit += p->w[k];
		}
		sum = (hit + all * cv) / (1 + ncat * cv) + p->w[p->m] / ncat;
		return log(sum + TPE_TINY);
	}
	if (dim->step > 0) {
		for (size_t k = 0; k < n1; k++)
			sum += p->w[k] * kernel_prob(t, p, j, k, x);
		return log(sum + TPE_TINY);
	}
	for (size_t k = 0; k < n1; k++) {
		double zz = (x - mu[k]) * isig[k];
		zz *= zz;
		if (zz < TPE_FAR)
			sum += p->w[k] * exp(lnorm[k] - 0.5 * zz);
	}
	return log(sum + TPE_TINY);
}

/* The joint log density at x (multivariate): log sum_k w_k prod_j k_kj.
 * Coordinates go cheapest first (t->order), and a kernel already e^-40
 * below the best one is dropped: it cannot change the sum. */
static double
joint_log(const struct tpe *t, const struct parzen *p, const double *x, double *scratch)
{
	size_t n1 = p->m + 1;
	double best = -INFINITY, sum = 0;

	for (size_t k = 0; k < n1; k++) {
		double l = p->logw[k];
		for (size_t o = 0; o < t->d && l >= best - 40; o++) {
			size_t j = t->order[o];
			const struct hpo_enc_dim *dim = &t->enc->dims[j];
			if (dim->kind == HPO_ENC_CAT)
				l += k == p->m ? -log((double)dim->ncat) :
				     p->mu[j * n1 + k] == x[j] ? p->lhit[j] : p->lmiss[j];
			else
				l += kernel_log(t, p, j, k, x[j]);
		}
		scratch[k] = l;
		if (l > best)
			best = l;
	}
	if (!isfinite(best))
		return log(TPE_TINY);
	for (size_t k = 0; k < n1; k++)
		if (scratch[k] >= best - 40)
			sum += exp(scratch[k] - best);
	return best + log(sum);
}

/* A draw from kernel k of coordinate j, on the grid. */
static double
kernel_draw(const struct tpe *t, const struct parzen *p, size_t j, size_t k, struct hpo_rng *rng)
{
	const struct hpo_enc_dim *dim = &t->enc->dims[j];
	size_t i = j * (p->m + 1) + k;
	double x = 0, lo = 0, hi = 1;

	if (dim->kind == HPO_ENC_UNIT)
		dim_bounds(t, j, &lo, &hi);
	if (dim->kind == HPO_ENC_CAT) {
		if (k < p->m && hpo_rng_uniform(rng) < 1 / (1 + (double)dim->ncat * p->cv[j]))
			return p->mu[i];
		return (double)hpo_rng_below(rng, dim->ncat);
	}
	for (int tries = 0; tries < 64; tries++) {
		x = p->mu[i] + hpo_rng_normal(rng) / p->isig[i];
		if (dim->kind != HPO_ENC_UNIT || (x >= lo && x <= hi))
			break;
		x = lo + (hi - lo) * hpo_rng_uniform(rng);	/* after the last try: anywhere */
	}
	return hpo_enc_snap(t->enc, j, x);
}

static size_t
pick_kernel(const struct parzen *p, struct hpo_rng *rng)
{
	double u = hpo_rng_uniform(rng);

	for (size_t k = 0; k < p->m; k++) {
		u -= p->w[k];
		if (u < 0)
			return k;
	}
	return p->m;
}

/* Whether x is a point of the history or one proposed before in this call
 * (the same coordinates: with integers, grids and categories, the same
 * point). */
static int
is_known(const struct tpe *t, const double *x)
{
	const struct hpo_optim_hist *h = t->req->hist;

	for (size_t i = 0; i < h->n + t->nbatch; i++) {
		const double *y = i < h->n ? h->obs[i].x : t->batch + (i - h->n) * t->dd;
		size_t j = 0;
		while (j < t->d && x[j] == y[j])
			j++;
		if (j == t->d)
			return 1;
	}
	return 0;
}

struct scored {
	double s;		/* the score, log l - log g */
	double v;		/* univariate: the value */
	size_t c;		/* multivariate: the candidate */
};

/* Best first; equal scores in the order drawn. */
static int
cmp_scored(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;

	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return x->c < y->c ? -1 : x->c > y->c;
}

/* Univariate: each coordinate's best value; when that point is known
 * already, the best new combination of the values drawn. */
static void
tpe_point_uni(const struct tpe *t, const struct parzen *l, const struct parzen *g,
	      struct hpo_rng *rng, double *x)
{
	size_t nc = (size_t)t->cfg.n_cand, d = t->d;
	struct scored *sc = xreallocarray(NULL, (d ? d : 1) * nc, sizeof(*sc)), *alt = NULL;
	size_t *nseen = xcalloc(d ? d : 1, sizeof(size_t)), nalt = 0;

	for (size_t j = 0; j < d; j++) {
		struct scored *row = sc + j * nc;
		/* gridded and categorical candidates repeat: each value is scored once */
		for (size_t c = 0; c < nc; c++) {
			double v = kernel_draw(t, l, j, pick_kernel(l, rng), rng);
			size_t r;
			for (r = 0; r < nseen[j] && row[r].v != v; r++)
				;
			if (r == nseen[j]) {
				row[r].v = v;
				row[r].c = r;
				row[r].s = dim_log(t, l, j, v) - dim_log(t, g, j, v);
				nseen[j]++;
			}
		}
		qsort(row, nseen[j], sizeof(*row), cmp_scored);
		x[j] = row[0].v;
	}
	if (d > 0 && is_known(t, x)) {
		double combos = 1;
		for (size_t j = 0; j < d; j++)
			combos *= (double)nseen[j];
		if (combos <= TPE_COMBOS) {
			/* few: the best-scoring combination of the values seen */
			size_t *at = xcalloc(d, sizeof(size_t));
			double *y = xreallocarray(NULL, d, sizeof(double)), best = -INFINITY;

			for (;;) {
				double total = 0;
				size_t j;
				for (j = 0; j < d; j++) {
					y[j] = sc[j * nc + at[j]].v;
					total += sc[j * nc + at[j]].s;
				}
				if (total > best && !is_known(t, y)) {
					best = total;
					memcpy(x, y, d * sizeof(double));
				}
				for (j = 0; j < d && ++at[j] == nseen[j]; j++)
					at[j] = 0;
				if (j == d)
					break;
			}
			free(at);
			free(y);
		} else {
			/* many: the single change of a coordinate to a lower-ranked
			 * value that costs the least */
			alt = xreallocarray(NULL, d * nc, sizeof(*alt));
			for (size_t j = 0; j < d; j++)
				for (size_t r = 1; r < nseen[j]; r++) {
					alt[nalt].s = sc[j * nc + r].s - sc[j * nc].s;
					alt[nalt].c = j * nc + r;
					nalt++;
				}
			qsort(alt, nalt, sizeof(*alt), cmp_scored);
			for (size_t a = 0; a < nalt; a++) {
				size_t j = alt[a].c / nc;
				x[j] = sc[alt[a].c].v;
				if (!is_known(t, x))
					break;
				x[j] = sc[j * nc].v;
			}
		}
	}
	free(alt);
	free(sc);
	free(nseen);
}

/* Coordinate j's own log ratio lu(v) / gu(v); a gridded or categorical
 * value is scored once (seen[0 .. *nseen-1]: the values scored so far). */
static double
own_score(const struct tpe *t, const struct parzen *lu, const struct parzen *gu, size_t j,
	  double v, struct scored *seen, size_t *nseen)
{
	const struct hpo_enc_dim *dim = &t->enc->dims[j];
	double s;

	if (dim->kind == HPO_ENC_CAT || dim->step > 0)
		for (size_t r = 0; r < *nseen; r++)
			if (seen[r].v == v)
				return seen[r].s;
	s = dim_log(t, lu, j, v) - dim_log(t, gu, j, v);
	if (dim->kind == HPO_ENC_CAT || dim->step > 0) {
		seen[*nseen].v = v;
		seen[(*nseen)++].s = s;
	}
	return s;
}

/* Whole candidates, the best one that is not known already (the best one
 * when all are).  Joint (lu NULL): each drawn from one kernel of l, scored
 * by the joint densities l(x) / g(x).  Both: each coordinate drawn from a
 * kernel of its own of lu, scored by the joint ratio times the product of
 * the coordinates' own ratios lu(x_j) / gu(x_j). */
static void
tpe_point_whole(const struct tpe *t, const struct parzen *l, const struct parzen *g,
		const struct parzen *lu, const struct parzen *gu, struct hpo_rng *rng, double *x)
{
	size_t nc = (size_t)t->cfg.n_cand, dd = t->dd, c;
	double *cand = xreallocarray(NULL, nc * dd, sizeof(double));
	double *scratch = xreallocarray(NULL, l->m > g->m ? l->m + 1 : g->m + 1, sizeof(double));
	struct scored *sc = xreallocarray(NULL, nc, sizeof(*sc));
	struct scored *seen = lu ? xreallocarray(NULL, dd * nc, sizeof(*seen)) : NULL;
	size_t *nseen = lu ? xcalloc(dd, sizeof(size_t)) : NULL;

	for (c = 0; c < nc; c++) {
		double *y = cand + c * dd;
		if (lu == NULL) {
			size_t k = pick_kernel(l, rng);
			for (size_t j = 0; j < t->d; j++)
				y[j] = kernel_draw(t, l, j, k, rng);
		} else {
			for (size_t j = 0; j < t->d; j++)
				y[j] = kernel_draw(t, lu, j, pick_kernel(lu, rng), rng);
		}
		sc[c].s = joint_log(t, l, y, scratch) - joint_log(t, g, y, scratch);
		if (lu != NULL)
			for (size_t j = 0; j < t->d; j++)
				sc[c].s += own_score(t, lu, gu, j, y[j], seen + j * nc, nseen + j);
		sc[c].c = c;
	}
	qsort(sc, nc, sizeof(*sc), cmp_scored);
	for (c = 0; c < nc && is_known(t, cand + sc[c].c * dd); c++)
		;
	memcpy(x, cand + sc[c < nc ? c : 0].c * dd, t->d * sizeof(double));
	free(cand);
	free(scratch);
	free(sc);
	free(seen);
	free(nseen);
}

/* Entry i of a call: a history point, or point i - n of this call. */
static const double *
entry(const struct tpe *t, size_t i)
{
	const struct hpo_optim_hist *h = t->req->hist;

	return i < h->n ? h->obs[i].x : t->batch + (i - h->n) * t->dd;
}

/* The loss a pending point is believed to have: the loss of the nearest
 * finished point (coordinates as encoded, a category 1 apart from the
 * others), NaN when there is none. */
static double
believed(const struct tpe *t, const double *x)
{
	const struct hpo_optim_hist *h = t->req->hist;
	double best = INFINITY, v = NAN;

	for (size_t i = 0; i < h->n; i++) {
		const double *y = h->obs[i].x;
		double r2 = 0;

		if (h->obs[i].state != HPO_OBS_DONE)
			continue;
		for (size_t j = 0; j < t->d && r2 < best; j++) {
			double e = t->enc->dims[j].kind == HPO_ENC_CAT ? x[j] != y[j] : x[j] - y[j];
			r2 += e * e;
		}
		if (r2 < best) {
			best = r2;
			v = h->obs[i].loss;
		}
	}
	return v;
}

/* The groups of entries 0 .. ne-1 (in that order, for the forgetting
 * weights): the good ones are the best of the finished and (believer)
 * the pending ones by val; the bad ones the rest, the failed and (liar)
 * the pending. */
static void
split(struct tpe *t, const double *val, size_t ne, struct sortv *rank, char *isgood)
{
	const struct hpo_optim_hist *h = t->req->hist;
	size_t nr = 0, ng;

	for (size_t i = 0; i < ne; i++) {
		int st = i < h->n ? h->obs[i].state : HPO_OBS_PENDING;

		isgood[i] = 0;
		if (st == HPO_OBS_DONE || (st == HPO_OBS_PENDING && t->cfg.pending == PEND_BELIEVE &&
					   !isnan(val[i]))) {
			rank[nr].key = sort_key(val[i]);
			rank[nr++].k = i;
		}
	}
	sort_keys(rank, rank + nr, nr);	/* by loss, then order */
	ng = (size_t)ceil(t->cfg.gamma * (double)nr);
	if (ng > (size_t)t->cfg.max_good)
		ng = (size_t)t->cfg.max_good;
	if (ng < 1)
		ng = 1;
	for (size_t r = 0; r < ng && r < nr; r++)
		isgood[rank[r].k] = 1;
	t->ngood = t->nbad = 0;
	t->narrow = 0;
	for (size_t i = 0; i < ne; i++) {
		int st = i < h->n ? h->obs[i].state : HPO_OBS_PENDING;
		int b = st == HPO_OBS_PENDING && t->cfg.pending == PEND_BELIEVE;

		if (isgood[i]) {
			t->goodb[t->ngood] = (char)b;
			t->good[t->ngood++] = entry(t, i);
		} else if (st != HPO_OBS_PENDING || t->cfg.pending != PEND_IGNORE) {
			t->badb[t->nbad] = (char)b;
			t->bad[t->nbad++] = entry(t, i);
		}
		t->narrow |= b;
	}
}

static int
read_cfg(const json_t *s, const struct hpo_enc *enc, struct tpe_cfg *c, struct hpo_err *err)
{
	static const char *const names[] = {"believe", "liar", "ignore", NULL};
	static const int kinds[] = {PEND_BELIEVE, PEND_LIAR, PEND_IGNORE};
	static const char *const densities[] = {"both", "joint", "independent", NULL};
	size_t d = enc->d;
	json_t *v;
	int i, mv, cat = 0;

	if (hpo_optim_setting_int(s, "n_startup", 10, 0, 1000000, &c->n_startup, err) < 0 ||
	    hpo_optim_setting_num(s, "gamma", d > 4 ? 1.0 / (double)d : 0.25, 1e-9, 1, &c->gamma,
				  err) < 0 ||
	    hpo_optim_setting_int(s, "max_good", 25, 1, 1000000, &c->max_good, err) < 0 ||
	    hpo_optim_setting_int(s, "n_ei_candidates", 24, 1, 100000, &c->n_cand, err) < 0 ||
	    hpo_optim_setting_num(s, "prior_weight", 1, 1e-9, 1e9, &c->prior_weight, err) < 0 ||
	    hpo_optim_setting_num(s, "pending_weight", 0.1, 0, 1, &c->pending_weight, err) < 0 ||
	    hpo_optim_setting_num(s, "pending_width", 0.6, 0.01, 10, &c->pending_width, err) < 0 ||
	    hpo_optim_setting_bool(s, "multivariate", 1, &mv, err) < 0 ||
	    hpo_optim_setting_choice(s, "density", densities, &c->density, err) < 0 ||
	    hpo_optim_setting_bool(s, "constant_liar", 1, &c->liar, err) < 0)
		return -1;
	/* multivariate, the older name: true for joint, false for independent;
	 * neither: both, but joint in a space with a categorical parameter, as
	 * on the SVC task of bench/real-tasks, whose kernel (a category) decides
	 * what the other parameters' good values are, both left a plateau less
	 * often (23 seeds of 60, joint 32) */
	for (size_t j = 0; j < d; j++)
		cat |= enc->dims[j].kind == HPO_ENC_CAT;
	if (json_object_get(s, "density") == NULL)
		c->density = json_object_get(s, "multivariate") != NULL ?
			     (mv ? DENS_JOINT : DENS_INDEPENDENT) : cat ? DENS_JOINT : DENS_BOTH;
	v = json_object_get(s, "pending");
	if (v == NULL) {
		/* constant_liar, the older name: true for liar, false for ignore */
		c->pending = json_object_get(s, "constant_liar") == NULL ? PEND_BELIEVE :
			     c->liar ? PEND_LIAR : PEND_IGNORE;
		return 0;
	}
	if (hpo_optim_setting_choice(s, "pending", names, &i, err) < 0)
		return -1;
	c->pending = kinds[i];
	return 0;
}

int
hpo_optim_tpe(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err)
{
	const struct hpo_optim_hist *h = req->hist;
	struct tpe t = {0};
	struct sortv *done = NULL;
	struct sortv *scratch = NULL;
	double *batch = NULL;
	char *isgood = NULL;
	double *val = NULL;
	size_t nd = 0, n = h->n, d = h->enc.d, dd = d ? d : 1, num = (size_t)req->num;
	int rc = -1;

	t.req = req;
	t.enc = &h->enc;
	t.d = d;
	t.dd = dd;
	if (read_cfg(req->settings, &h->enc, &t.cfg, err) < 0)
		return -1;
	done = xcalloc(2 * (n + num + 1), sizeof(*done));
	val = xcalloc(n + num + 1, sizeof(double));
	t.good = xcalloc(n + num + 1, sizeof(double *));
	t.bad = xcalloc(n + num + 1, sizeof(double *));
	t.goodb = xcalloc(n + num + 1, 1);
	t.badb = xcalloc(n + num + 1, 1);
	t.batch = batch = xcalloc(num * dd, sizeof(double));
	scratch = xcalloc(2 * (n + num + 2), sizeof(*scratch));
	isgood = xcalloc(n + num + 1, 1);
	t.order = xcalloc(dd, sizeof(size_t));
	/* continuous coordinates, then categorical, then gridded */
	for (int pass = 0, o = 0; pass < 3; pass++)
		for (size_t j = 0; j < d; j++) {
			const struct hpo_enc_dim *dim = &h->enc.dims[j];
			int cls = dim->kind == HPO_ENC_CAT ? 1 : dim->step > 0 ? 2 : 0;
			if (cls == pass)
				t.order[o++] = j;
		}
	for (size_t i = 0; i < n; i++)
		if (h->obs[i].state == HPO_OBS_DONE) {
			nd++;
			val[i] = h->obs[i].loss;
		}
	for (size_t i = 0; i < n; i++)
		if (h->obs[i].state == HPO_OBS_PENDING)
			val[i] = believed(&t, h->obs[i].x);

	for (size_t i = 0; i < num; i++) {
		struct hpo_rng rng;
		double *x = batch + i * dd;
		json_t *pt;

		hpo_rng_seed2(&rng, req->seed, (uint64_t)(n + i));
		if (n + i < (size_t)t.cfg.n_startup || nd == 0) {
			/* the point random search proposes here */
			pt = hpo_space_sample(req->space, &rng);
			if (pt != NULL && hpo_enc_point(t.enc, pt, x, err) < 0) {
				json_decref(pt);
				goto out;
			}
		} else {
			struct parzen l, g, lu, gu;
			int joint = t.cfg.density != DENS_INDEPENDENT;
			int own = t.cfg.density != DENS_JOINT;

			split(&t, val, n + i, done, isgood);
			if (joint) {
				parzen_build(&t, t.good, t.ngood, 0, 1, &l, scratch);
				parzen_build(&t, t.bad, t.nbad, 1, 1, &g, scratch);
			}
			if (own && joint) {
				parzen_own(&t, &l, 0, &lu);
				parzen_own(&t, &g, 1, &gu);
			} else if (own) {
				parzen_build(&t, t.good, t.ngood, 0, 0, &lu, scratch);
				parzen_build(&t, t.bad, t.nbad, 1, 0, &gu, scratch);
			}
			/* a point known already: fresh candidates, a few times */
			for (int round = 0; round < TPE_ROUNDS; round++) {
				if (!joint)
					tpe_point_uni(&t, &lu, &gu, &rng, x);
				else
					tpe_point_whole(&t, &l, &g, own ? &lu : NULL, own ? &gu : NULL,
							&rng, x);
				if (!is_known(&t, x))
					break;
			}
			if (joint) {
				parzen_free(&l);
				parzen_free(&g);
			}
			if (own) {
				parzen_free(&lu);
				parzen_free(&gu);
			}
			pt = hpo_enc_decode(t.enc, x);
		}
		if (pt == NULL) {
			hpo_err_set(err, HPO_E_SYS, "a proposed value is not a finite number");
			goto out;
		}
		json_array_append_new(out, pt);
		val[n + i] = believed(&t, x);
		t.nbatch++;
	}
	rc = 0;
out:
	free(done);
	free(val);
	free(t.good);
	free(t.bad);
	free(t.goodb);
	free(t.badb);
	free(batch);
	free(scratch);
	free(isgood);
	free(t.order);
	return rc;
}
