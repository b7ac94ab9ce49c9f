/* opt_mf.c - multi-fidelity: asynchronous successive halving (asha) and
 * Hyperband (hyperband), with random or TPE-guided new configurations
 *
 * The space has one fidelity parameter (space.h): its rungs are the
 * budgets r_0 < r_1 < ... < r_K, a factor eta apart.  A trial is one
 * configuration (the values of the searched parameters), named by the
 * reserved key HPO_KEY_TRIAL; its points are its evaluations at rising
 * budgets, each after the first carrying HPO_KEY_CONTINUES, the budget of
 * the point it resumes from, so that the evaluation loads that point's
 * checkpoint instead of training again from the start.
 *
 * Everything follows from the history, as iDDS gives it to a steering
 * program: no state is kept between calls.  For each point to propose:
 *
 *  1. Promotion (ASHA, Li et al. 2020): for the rungs from the top down, a
 *     trial whose point at rung k finished among the best floor(n_k / eta)
 *     of the n_k finished at rung k (of its bracket), and that has no
 *     point at rung k + 1 yet, continues at rung k + 1.  A failed point
 *     counts as the worst loss.  Ties go to the earlier trial.
 *  2. Otherwise a new trial.  asha starts every trial at r_0.  hyperband
 *     starts it in a bracket m (at r_m), chosen so that the brackets' trial
 *     counts follow Hyperband's n_m = ceil((K + 1) / (K - m + 1) * eta^(K - m))
 *     (the bracket whose next trial is most due: (count + 1) / n_m least,
 *     ties to the lowest); a
 *     trial competes for promotion only with the trials of its bracket.
 *     Its configuration is random (setting sampler: random) or, with
 *     sampler: tpe (the default), proposed by TPE.  With model: trials (the
 *     default), TPE's history has one entry a trial: its point at the
 *     highest rung where it finished, the trials ranked by that rung (the
 *     higher the better) and then by their loss there, as Optuna's TPE
 *     ranks pruned trials by the last step they reached and then by their
 *     value there (optuna/samplers/_tpe/sampler.py, _get_observation_pairs);
 *     the trials not finished at any rung yet are pending.  With model:
 *     rung, as BOHB does, TPE models the points of the highest rung where
 *     at least min_points finished, and the trials under way at their
 *     first rung as pending.  TPE needs min_points finished entries
 *     (default d + 1, at least 3: d the searched coordinates); a fraction
 *     random_fraction (default 1/3) of new trials, and every trial until
 *     there are enough, are random.  The trials started earlier in the call
 *     join TPE's model as pending points.
 *
 *     BOHB's model learns from the few points of the highest rung, or from
 *     a low rung whose ranking differs from the top's (a network's loss
 *     after 1 epoch favours the configurations that learn fast, not the
 *     ones that end best); ranking every trial by how far it went uses all
 *     of them and trusts the higher rungs first (bench/README.md,
 *     multi-fidelity).
 *
 * Points proposed earlier in a call count as pending for the later ones,
 * so a batch promotes and starts what a sequence of calls would.  Trial
 * k of a task is named "t<k>" (k counting the history's trials) and its
 * random draws come from the stream (seed, k): the same history and seed
 * give the same points.
 */
#include "autoconf.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"
#include "xmalloc.h"

/* One entry of the history, or a point proposed earlier in the call. */
struct mf_entry {
	json_t *point;		/* borrowed (history) or owned (proposed) */
	const double *x;	/* encoded searched coordinates */
	int rung;		/* index into the rungs, -1 when the budget is not one */
	int trial;		/* index into trials, -1 without a trial name */
	int state;		/* HPO_OBS_* */
	double loss;		/* HUGE_VAL for failed */
};

struct mf_trial {
	const char *name;
	int base;		/* its lowest rung: its bracket */
	int at[HPO_RUNGS_MAX];	/* its entry at each rung, -1 for none */
};

struct mf {
	const struct hpo_optim_req *req;
	const struct hpo_param *fid;
	double rungs[HPO_RUNGS_MAX];
	int K;			/* the top rung's index */
	double eta;
	int hyperband, tpe;
	int by_trial;		/* TPE's model: every trial at its highest rung */
	double random_fraction;
	long min_points;
	struct mf_entry *e;
	size_t ne, ecap;
	struct mf_trial *t;
	size_t nt, tcap;
	double *xs;		/* coordinates of proposed points, owned */
	size_t nx;
	long next_name;		/* the k of the next "t<k>" to try */
};

static int
rung_of(const struct mf *m, const json_t *v)
{
	double b;

	if (!json_is_number(v))
		return -1;
	b = json_number_value(v);
	for (int k = 0; k <= m->K; k++)
		if (fabs(b - m->rungs[k]) <= 1e-9 * fabs(m->rungs[k]))
			return k;
	return -1;
}

static int
find_trial(const struct mf *m, const char *name)
{
	for (size_t i = 0; i < m->nt; i++)
		if (strcmp(m->t[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
add_trial(struct mf *m, const char *name, int base)
{
	struct mf_trial *t;

	if (m->nt == m->tcap) {
		m->tcap = m->tcap ? 2 * m->tcap : 16;
		m->t = xreallocarray(m->t, m->tcap, sizeof(*m->t));
	}
	t = &m->t[m->nt];
	t->name = name;
	t->base = base;
	for (int k = 0; k < HPO_RUNGS_MAX; k++)
		t->at[k] = -1;
	return (int)m->nt++;
}

static size_t
add_entry(struct mf *m, json_t *point, const double *x, int state, double loss)
{
	struct mf_entry *e;
	const json_t *tv = json_object_get(point, HPO_KEY_TRIAL);

	if (m->ne == m->ecap) {
		m->ecap = m->ecap ? 2 * m->ecap : 64;
		m->e = xreallocarray(m->e, m->ecap, sizeof(*m->e));
	}
	e = &m->e[m->ne];
	e->point = point;
	e->x = x;
	e->state = state;
	e->loss = state == HPO_OBS_DONE ? loss : HUGE_VAL;
	e->rung = rung_of(m, json_object_get(point, m->fid->name));
	e->trial = -1;
	if (json_is_string(tv) && hpo_trial_name_ok(json_string_value(tv)) && e->rung >= 0) {
		int ti = find_trial(m, json_string_value(tv));
		if (ti < 0)
			ti = add_trial(m, json_string_value(tv), e->rung);
		if (e->rung < m->t[ti].base)
			m->t[ti].base = e->rung;
		/* two points of a trial at one rung (a user's steering): the later counts */
		m->t[ti].at[e->rung] = (int)m->ne;
		e->trial = ti;
	}
	return m->ne++;
}

/* The number of trials Hyperband starts in the bracket whose lowest rung is b. */
static double
bracket_share(const struct mf *m, int b)
{
	return ceil((double)(m->K + 1) / (double)(m->K - b + 1) * pow(m->eta, m->K - b) - 1e-9);
}

static int
by_loss(const void *a, const void *b)
{
	const double *x = a, *y = b;	/* {loss, order} */

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* A trial to promote from rung k of bracket b, or -1. */
static int
promotable(const struct mf *m, int b, int k, double *scratch)
{
	size_t n = 0, top;

	for (size_t i = 0; i < m->nt; i++) {
		const struct mf_trial *t = &m->t[i];
		if (t->base != b || t->at[k] < 0 || m->e[t->at[k]].state == HPO_OBS_PENDING)
			continue;
		scratch[2 * n] = m->e[t->at[k]].loss;
		scratch[2 * n + 1] = (double)i;
		n++;
	}
	top = (size_t)floor((double)n / m->eta + 1e-9);
	qsort(scratch, n, 2 * sizeof(double), by_loss);
	for (size_t r = 0; r < top; r++) {
		int i = (int)scratch[2 * r + 1];
		if (m->t[i].at[k + 1] < 0 && isfinite(scratch[2 * r]))
			return i;
	}
	return -1;
}

/* The point of trial ti at rung k + 1, continuing its point at rung k: the
 * same values, or, when the history's point does not fit the space (a
 * steering command's), the nearest valid ones. */
static json_t *
promote(struct mf *m, int ti, int k)
{
	const struct mf_entry *e = &m->e[m->t[ti].at[k]];
	const struct hpo_space *space = m->req->space;
	json_t *p = json_object();

	for (size_t i = 0; i < space->n; i++) {
		json_t *v = json_object_get(e->point, space->params[i].name);
		json_object_set_new(p, space->params[i].name,
				    v != NULL ? json_deep_copy(v) : json_null());
	}
	json_object_set_new(p, m->fid->name, hpo_param_value(m->fid, m->rungs[k + 1]));
	json_object_set_new(p, HPO_KEY_TRIAL, json_string(m->t[ti].name));
	json_object_set_new(p, HPO_KEY_CONTINUES, hpo_param_value(m->fid, m->rungs[k]));
	if (hpo_space_check_point(space, p, "point", NULL) < 0) {
		json_t *fit = hpo_enc_decode(&m->req->hist->enc, e->x);
		json_object_set_new(fit, m->fid->name, hpo_param_value(m->fid, m->rungs[k + 1]));
		json_object_update_missing(fit, p);
		json_decref(p);
		p = fit;
	}
	return p;
}

static int
new_bracket(const struct mf *m)
{
	size_t count[HPO_RUNGS_MAX] = {0};
	int best = 0;

	if (!m->hyperband)
		return 0;
	for (size_t i = 0; i < m->nt; i++)
		count[m->t[i].base]++;
	/* the bracket whose next trial is most due: its (count + 1) / share least */
	for (int b = 1; b <= m->K; b++)
		if ((double)(count[b] + 1) / bracket_share(m, b) <
		    (double)(count[best] + 1) / bracket_share(m, best))
			best = b;
	return best;
}

/* {-rung, loss, order} of two trials' best finished points */
static int
by_rung_loss(const void *a, const void *b)
{
	const double *x = a, *y = b;

	for (int i = 0; i < 3; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* Appends an entry to TPE's history, counted by its state. */
static void
sub_add(struct hpo_optim_hist *sub, const double *x, int state, double loss)
{
	sub->obs[sub->n].x = (double *)x;
	sub->obs[sub->n].state = state;
	sub->obs[sub->n].loss = loss;
	if (state == HPO_OBS_DONE)
		sub->ndone++;
	else if (state == HPO_OBS_PENDING)
		sub->npending++;
	else
		sub->nfailed++;
	sub->n++;
}

/* model: trials.  TPE's history with one entry a trial: its point at the
 * highest rung where it finished, ranked first by that rung (higher
 * first), then by its loss there; the rank is the entry's loss.  A trial
 * with no finished point yet is pending.  Whether min_points trials
 * finished. */
static int
trials_hist(const struct mf *m, struct hpo_optim_hist *sub)
{
	double *key = xcalloc(3 * (m->ne + 1), sizeof(double));
	size_t nk = 0;

	for (size_t i = 0; i < m->ne; i++) {
		const struct mf_entry *e = &m->e[i];

		if (e->trial >= 0) {
			/* the trial's entry that stands for it: its highest
			 * finished one, else its first (pending) */
			const struct mf_trial *t = &m->t[e->trial];
			int top = t->at[t->base];
			for (int k = m->K; k >= t->base; k--)
				if (t->at[k] >= 0 && m->e[t->at[k]].state != HPO_OBS_PENDING) {
					top = t->at[k];
					break;
				}
			if ((size_t)top != i)
				continue;
		}
		if (e->state == HPO_OBS_DONE) {
			key[3 * nk] = -(double)e->rung;
			key[3 * nk + 1] = e->loss;
			key[3 * nk + 2] = (double)sub->n;
			nk++;
		}
		sub_add(sub, e->x, e->state, NAN);
	}
	qsort(key, nk, 3 * sizeof(double), by_rung_loss);
	for (size_t r = 0; r < nk; r++)
		sub->obs[(size_t)key[3 * r + 2]].loss = (double)r;
	free(key);
	return (long)(sub->ndone + sub->nfailed) >= m->min_points;
}

/* model: rung.  TPE's history: the points of the highest rung where at
 * least min_points finished, and the trials now under way at their first
 * rung as pending, so that new trials spread out.  Whether there is such a
 * rung. */
static int
rung_hist(const struct mf *m, struct hpo_optim_hist *sub)
{
	int k;

	for (k = m->K; k >= 0; k--) {
		long n = 0;
		for (size_t i = 0; i < m->ne; i++)
			if (m->e[i].rung == k && m->e[i].state != HPO_OBS_PENDING)
				n++;
		if (n >= m->min_points)
			break;
	}
	if (k < 0)
		return 0;
	for (size_t i = 0; i < m->ne; i++) {
		const struct mf_entry *e = &m->e[i];
		int pend = e->state == HPO_OBS_PENDING;

		if (e->rung == k)
			sub_add(sub, e->x, e->state, e->state == HPO_OBS_DONE ? e->loss : NAN);
		else if (pend && e->trial >= 0 && m->t[e->trial].base == e->rung)
			sub_add(sub, e->x, HPO_OBS_PENDING, NAN);
	}
	return 1;
}

/* TPE's proposal from the history the setting model gives, or NULL when it
 * has not enough finished points (then the caller draws at random). */
static json_t *
tpe_config(struct mf *m, uint64_t seed, struct hpo_err *err, int *failed)
{
	struct hpo_optim_hist sub;
	struct hpo_optim_req r;
	json_t *out, *pt = NULL, *settings;

	*failed = 0;
	memset(&sub, 0, sizeof(sub));
	sub.enc = m->req->hist->enc;	/* borrowed: not freed here */
	sub.obs = xcalloc(m->ne + 1, sizeof(*sub.obs));
	if (!(m->by_trial ? trials_hist(m, &sub) : rung_hist(m, &sub))) {
		free(sub.obs);
		return NULL;
	}
	/* the joint density and pending points believed at full weight, tpe's
	 * defaults when bench/multifidelity measured this (bench/README.md);
	 * its later defaults were not measured here */
	settings = json_pack("{s:i, s:s, s:f, s:f}", "n_startup", 0, "density", "joint",
			     "pending_weight", 1.0, "pending_width", 1.0);
	r.space = m->req->space;
	r.hist = &sub;
	r.history = NULL;
	r.num = 1;
	r.seed = seed;
	r.settings = settings;
	out = json_array();
	if (hpo_optim_tpe(&r, out, err) < 0)
		*failed = 1;
	else
		pt = json_incref(json_array_get(out, 0));
	json_decref(out);
	json_decref(settings);
	free(sub.obs);
	return pt;
}

/* A new trial's point: its configuration, the bracket's budget, its name. */
static json_t *
start(struct mf *m, struct hpo_err *err)
{
	long k = (long)m->nt;	/* the trial's number: its random stream */
	int b = new_bracket(m), failed = 0;
	json_t *p = NULL;
	struct hpo_rng rng;
	char name[32];

	hpo_rng_seed2(&rng, m->req->seed, (uint64_t)k);
	if (m->tpe && hpo_rng_uniform(&rng) >= m->random_fraction) {
		p = tpe_config(m, m->req->seed ^ ((uint64_t)k * UINT64_C(0x9E3779B97F4A7C15)), err,
			       &failed);
		if (failed)
			return NULL;
	}
	if (p == NULL)
		p = hpo_space_sample(m->req->space, &rng);
	json_object_set_new(p, m->fid->name, hpo_param_value(m->fid, m->rungs[b]));
	do
		snprintf(name, sizeof(name), "t%ld", m->next_name++);
	while (find_trial(m, name) >= 0);
	json_object_set_new(p, HPO_KEY_TRIAL, json_string(name));
	return p;
}

static int
propose(struct mf *m, json_t *out, struct hpo_err *err)
{
	double *scratch = xcalloc(2 * (m->nt + m->req->num + 1), sizeof(double));
	int rc = -1;

	for (long i = 0; i < m->req->num; i++) {
		json_t *p = NULL;
		double *x;

		scratch = xreallocarray(scratch, 2 * (m->nt + 1), sizeof(double));
		for (int k = m->K - 1; k >= 0 && p == NULL; k--)
			for (int b = 0; b <= k && p == NULL; b++) {
				int ti = promotable(m, b, k, scratch);
				if (ti >= 0)
					p = promote(m, ti, k);
			}
		if (p == NULL && (p = start(m, err)) == NULL)
			goto out;
		x = m->xs + m->nx * (m->req->hist->enc.d ? m->req->hist->enc.d : 1);
		if (hpo_enc_point(&m->req->hist->enc, p, x, err) < 0) {
			json_decref(p);
			goto out;
		}
		m->nx++;
		json_array_append_new(out, p);
		add_entry(m, p, x, HPO_OBS_PENDING, NAN);
	}
	rc = 0;
out:
	free(scratch);
	return rc;
}

static int
mf_run(const struct hpo_optim_req *req, int hyperband, json_t *out, struct hpo_err *err)
{
	const struct hpo_optim_hist *h = req->hist;
	static const char *const samplers[] = {"tpe", "random", NULL};
	static const char *const models[] = {"trials", "rung", NULL};
	struct mf m;
	long dflt_min;
	int f = hpo_space_fidelity(req->space), rc;

	memset(&m, 0, sizeof(m));
	if (f < 0)
		return hpo_err_set(err, HPO_E_INPUT,
				   "algorithm '%s' needs a fidelity parameter in the search space "
				   "(method: fidelity, hpo-task(5))", hyperband ? "hyperband" : "asha");
	m.req = req;
	m.fid = &req->space->params[f];
	m.K = (int)hpo_param_rungs(m.fid, m.rungs) - 1;
	m.eta = m.fid->eta;
	m.hyperband = hyperband;
	if (hpo_optim_setting_choice(req->settings, "sampler", samplers, &m.tpe, err) < 0 ||
	    hpo_optim_setting_choice(req->settings, "model", models, &m.by_trial, err) < 0)
		return -1;
	m.tpe = m.tpe == 0;		/* "tpe" is the first */
	m.by_trial = m.by_trial == 0;	/* "trials" is the first */
	dflt_min = (long)h->enc.d + 1 < 3 ? 3 : (long)h->enc.d + 1;
	if (hpo_optim_setting_num(req->settings, "random_fraction", 1.0 / 3, 0, 1,
				  &m.random_fraction, err) < 0 ||
	    hpo_optim_setting_int(req->settings, "min_points", dflt_min, 2, 1000000, &m.min_points,
				  err) < 0)
		return -1;
	if (req->history != NULL && json_array_size(req->history) != h->n)
		return hpo_err_set(err, HPO_E_SYS, "the history and its parsed form differ");
	m.xs = xcalloc((size_t)req->num * (h->enc.d ? h->enc.d : 1), sizeof(double));
	for (size_t i = 0; i < h->n; i++) {
		json_t *pt = json_array_get(json_array_get(req->history, i), 0);
		add_entry(&m, pt, h->obs[i].x, h->obs[i].state, h->obs[i].loss);
	}
	m.next_name = (long)m.nt;
	rc = propose(&m, out, err);
	free(m.xs);
	free(m.e);
	free(m.t);
	return rc;
}

int
hpo_optim_asha(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err)
{
	return mf_run(req, 0, out, err);
}

int
hpo_optim_hyperband(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err)
{
	return mf_run(req, 1, out, err);
}
