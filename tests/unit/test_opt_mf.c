/* test_opt_mf.c - asha and hyperband: promotion, brackets, trials, TPE-guided starts */
#include "autoconf.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "optcheck.h"

#define SPACE "x: {method: uniform, low: 0, high: 1}\n" \
	      "c: {method: categorical, categories: [a, b]}\n" \
	      "epochs: {method: fidelity, low: 1, high: 81, eta: 3}\n"

static long
budget(const json_t *p)
{
	return (long)json_integer_value(json_object_get(p, "epochs"));
}

static const char *
trial(const json_t *p)
{
	return json_string_value(json_object_get(p, HPO_KEY_TRIAL));
}

/* A finished (loss) or pending (NAN) entry of trial name at budget b. */
static void
add(json_t *h, double x, const char *name, long b, long continues, double loss)
{
	json_t *p = json_pack("{s:f, s:s, s:I, s:s}", "x", x, "c", "a", "epochs", (json_int_t)b,
			      HPO_KEY_TRIAL, name);

	if (continues > 0)
		json_object_set_new(p, HPO_KEY_CONTINUES, json_integer(continues));
	/* Python's json writes a failed point's infinite loss as Infinity */
	json_array_append_new(h, json_pack("[o, o]", p, isnan(loss) ? json_null() :
					   isinf(loss) ? json_string("Infinity") : json_real(loss)));
}

static void
test_needs_fidelity(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space("x: {method: uniform, low: 0, high: 1}\n");
	struct hpo_err err = {0};
	json_t *pts;

	assert_int_equal(hpo_optim_propose("asha", s, NULL, 1, 10, 0, NULL, &pts, &err), -1);
	assert_string_equal(err.msg, "algorithm 'asha' needs a fidelity parameter in the search "
				     "space (method: fidelity, hpo-task(5))");
	hpo_space_free(s);
}

static void
test_first_trials(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *out = optcheck_ask(hpo_optim_asha, s, NULL, 4, 1, NULL), *p;
	char want[8];
	size_t i;

	json_array_foreach(out, i, p) {
		snprintf(want, sizeof(want), "t%zu", i);
		assert_string_equal(trial(p), want);
		assert_int_equal(budget(p), 1);
		assert_null(json_object_get(p, HPO_KEY_CONTINUES));
	}
	json_decref(out);
	/* the other algorithms train every point fully, without the keys */
	out = optcheck_ask(hpo_optim_tpe, s, NULL, 2, 1, NULL);
	json_array_foreach(out, i, p) {
		assert_int_equal(budget(p), 81);
		assert_null(json_object_get(p, HPO_KEY_TRIAL));
	}
	json_decref(out);
	hpo_space_free(s);
}

/* The best third of a rung's finished trials goes on, continuing itself. */
static void
test_promotion(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *h = json_array(), *out, *p;

	add(h, 0.1, "t0", 1, 0, 5);
	add(h, 0.2, "t1", 1, 0, 1);
	add(h, 0.3, "t2", 1, 0, 3);
	out = optcheck_ask(hpo_optim_asha, s, h, 2, 1, NULL);
	p = json_array_get(out, 0);
	assert_string_equal(trial(p), "t1");
	assert_int_equal(budget(p), 3);
	assert_int_equal(json_integer_value(json_object_get(p, HPO_KEY_CONTINUES)), 1);
	assert_true(json_real_value(json_object_get(p, "x")) == 0.2);
	/* one of three goes on: the second point of the batch is a new trial */
	p = json_array_get(out, 1);
	assert_string_equal(trial(p), "t3");
	assert_int_equal(budget(p), 1);
	json_decref(out);

	/* a sequence of calls proposes what the batch did */
	add(h, 0.2, "t1", 3, 1, NAN);
	out = optcheck_ask(hpo_optim_asha, s, h, 1, 1, NULL);
	assert_string_equal(trial(json_array_get(out, 0)), "t3");
	json_decref(out);

	/* t1 finished at 3: alone at its rung, it waits for two more */
	json_array_remove(h, 3);
	add(h, 0.2, "t1", 3, 1, 0.5);
	add(h, 0.4, "t3", 1, 0, 4);
	add(h, 0.5, "t4", 1, 0, 0.7);
	add(h, 0.6, "t5", 1, 0, 9);
	out = optcheck_ask(hpo_optim_asha, s, h, 1, 1, NULL);
	/* six at rung 1: the best two go on, t1 already has: t4 */
	p = json_array_get(out, 0);
	assert_string_equal(trial(p), "t4");
	assert_int_equal(budget(p), 3);
	json_decref(out);
	json_decref(h);
	hpo_space_free(s);
}

/* Failed points count at their rung but never go on; names never repeat. */
static void
test_failed_and_names(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *h = json_array(), *out;

	add(h, 0.1, "t1", 1, 0, 1e5);
	add(h, 0.2, "x", 1, 0, INFINITY);
	add(h, 0.3, "t0", 1, 0, 1e5);
	out = optcheck_ask(hpo_optim_asha, s, h, 2, 1, NULL);
	/* three trials known: the next name is t3, then t4 */
	assert_string_equal(trial(json_array_get(out, 0)), "t3");
	assert_string_equal(trial(json_array_get(out, 1)), "t4");
	assert_int_equal(budget(json_array_get(out, 0)), 1);
	json_decref(out);
	json_decref(h);
	hpo_space_free(s);
}

/* Hyperband starts trials in the brackets in Hyperband's proportions. */
static void
test_hyperband_brackets(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *set = json_pack("{s:s}", "sampler", "random"), *out, *p;
	long count[82] = {0};
	size_t i;

	out = optcheck_ask(hpo_optim_hyperband, s, NULL, 143, 5, set);
	json_array_foreach(out, i, p) {
		assert_null(json_object_get(p, HPO_KEY_CONTINUES));
		count[budget(p)]++;
	}
	assert_int_equal(count[1], 81);
	assert_int_equal(count[3], 34);
	assert_int_equal(count[9], 15);
	assert_int_equal(count[27], 8);
	assert_int_equal(count[81], 5);
	/* the first trials go to the most aggressive bracket */
	assert_int_equal(budget(json_array_get(out, 0)), 1);
	json_decref(out);
	json_decref(set);
	hpo_space_free(s);
}

/* A trial competes with the trials of its own bracket only. */
static void
test_hyperband_promotion(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *h = json_array(), *out, *p;

	/* bracket 0 (at 1): two trials, too few; bracket 1 (at 3): three */
	add(h, 0.1, "t0", 1, 0, 0.1);
	add(h, 0.2, "t1", 1, 0, 0.2);
	add(h, 0.3, "t2", 3, 0, 7);
	add(h, 0.4, "t3", 3, 0, 6);
	add(h, 0.5, "t4", 3, 0, 8);
	out = optcheck_ask(hpo_optim_hyperband, s, h, 1, 1, NULL);
	p = json_array_get(out, 0);
	assert_string_equal(trial(p), "t3");
	assert_int_equal(budget(p), 9);
	assert_int_equal(json_integer_value(json_object_get(p, HPO_KEY_CONTINUES)), 3);
	json_decref(out);
	json_decref(h);
	hpo_space_free(s);
}

static void
test_reproducible(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *h = json_array(), *a, *b, *c;

	for (int i = 0; i < 12; i++) {
		char name[8];
		snprintf(name, sizeof(name), "t%d", i);
		add(h, i / 12.0, name, 1, 0, fabs(i / 12.0 - 0.3));
	}
	a = optcheck_ask(hpo_optim_asha, s, h, 6, 5, NULL);
	b = optcheck_ask(hpo_optim_asha, s, h, 6, 5, NULL);
	c = optcheck_ask(hpo_optim_asha, s, h, 6, 6, NULL);
	assert_true(json_equal(a, b));
	assert_false(json_equal(a, c));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(h);
	hpo_space_free(s);
}

/* How far from x = target the trial lies that asha starts next after the
 * history h (seed, settings): it must be a new trial. */
static double
new_trial_off(const struct hpo_space *s, const json_t *h, int seed, const json_t *set,
	      double target)
{
	json_t *out = optcheck_ask(hpo_optim_asha, s, h, 1, (uint64_t)seed, set), *p;
	double off;

	assert_int_equal(json_array_size(out), 1);
	p = json_array_get(out, 0);
	assert_null(json_object_get(p, HPO_KEY_CONTINUES));
	off = fabs(json_real_value(json_object_get(p, "x")) - target);
	json_decref(out);
	return off;
}

/* TPE-guided starts (sampler tpe, no random fraction) go where the rung's
 * good points are; random ones do not. */
static void
test_tpe_guided(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *h = json_array(), *tpe = json_pack("{s:f}", "random_fraction", 0.0),
	       *rnd = json_pack("{s:s}", "sampler", "random");
	double near_tpe = 0, near_rnd = 0;

	/* 30 trials at rung 0 with the best near x = 0.8, and the ten best
	 * promoted (pending) so that the next points are new trials */
	for (int k = 0; k < 30; k++) {
		char name[8];
		double x = (k + 0.5) / 30;
		snprintf(name, sizeof(name), "t%d", k);
		add(h, x, name, 1, 0, fabs(x - 0.8));
	}
	for (int k = 0; k < 30; k++) {
		char name[8];
		double x = (k + 0.5) / 30;
		snprintf(name, sizeof(name), "t%d", k);
		if (fabs(x - 0.8) <= 0.17)
			add(h, x, name, 3, 1, NAN);
	}
	for (int seed = 0; seed < 10; seed++) {
		near_tpe += new_trial_off(s, h, seed, tpe, 0.8);
		near_rnd += new_trial_off(s, h, seed, rnd, 0.8);
	}
	assert_true(near_tpe < near_rnd / 2);
	json_decref(tpe);
	json_decref(rnd);
	json_decref(h);
	hpo_space_free(s);
}

/* model: trials ranks a trial by the highest budget it finished at before
 * its loss there: six trials near x = 0.8 that finished budget 3 (with a
 * loss larger than any at budget 1) guide the new trials; model: rung,
 * which models the highest budget with min_points finished, follows
 * budget 1's best near x = 0.2. */
static void
test_tpe_model_trials(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	json_t *h = json_array(),
	       *trials = json_pack("{s:f, s:i, s:s}", "random_fraction", 0.0, "min_points", 10,
				   "model", "trials"),
	       *rung = json_pack("{s:f, s:i, s:s}", "random_fraction", 0.0, "min_points", 10,
				 "model", "rung");
	double near_trials = 0, near_rung = 0;

	for (int k = 0; k < 24; k++) {
		char name[8];
		double x = (k + 0.5) / 24;
		snprintf(name, sizeof(name), "t%d", k);
		add(h, x, name, 1, 0, 0.3 * fabs(x - 0.2));
		/* every trial that could go on has gone on (pending), so
		 * that the next points are new trials */
		if (fabs(x - 0.2) < 0.17)
			add(h, x, name, 3, 1, NAN);
		if (fabs(x - 0.8) < 0.12) {
			add(h, x, name, 3, 1, 0.5 + fabs(x - 0.8));
			add(h, x, name, 9, 3, NAN);
		}
	}
	for (int seed = 0; seed < 10; seed++) {
		near_trials += new_trial_off(s, h, seed, trials, 0.8);
		near_rung += new_trial_off(s, h, seed, rung, 0.2);
	}
	assert_true(near_trials < 10 * 0.15);
	assert_true(near_rung < 10 * 0.15);
	json_decref(trials);
	json_decref(rung);
	json_decref(h);
	hpo_space_free(s);
}

static void
test_settings(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	const struct hpo_optim_algo *a = hpo_optim_find("hyperband");
	struct hpo_err err = {0};
	json_t *set;

	assert_non_null(a);
	set = json_pack("{s:s}", "sampler", "bohb");
	assert_int_equal(hpo_optim_check_settings(a, s, set, &err), -1);
	assert_string_equal(err.msg, "setting 'sampler' must be \"tpe\" or \"random\"");
	json_decref(set);
	set = json_pack("{s:s}", "model", "trial");
	assert_int_equal(hpo_optim_check_settings(a, s, set, &err), -1);
	assert_string_equal(err.msg, "setting 'model' must be \"trials\" or \"rung\"");
	json_decref(set);
	set = json_pack("{s:i}", "min_points", 1);
	assert_int_equal(hpo_optim_check_settings(a, s, set, &err), -1);
	json_decref(set);
	set = json_pack("{s:f}", "random_fraction", 1.5);
	assert_int_equal(hpo_optim_check_settings(a, s, set, &err), -1);
	json_decref(set);
	set = json_pack("{s:s, s:f, s:i}", "sampler", "tpe", "random_fraction", 0.5, "min_points",
			4);
	assert_int_equal(hpo_optim_check_settings(a, s, set, &err), 0);
	json_decref(set);
	hpo_space_free(s);
}

/* Through the one entry point: the budget of points counts every rung. */
static void
test_propose_budget(void **state)
{
	(void)state;
	struct hpo_space *s = optcheck_space(SPACE);
	struct hpo_err err = {0};
	json_t *h = json_array(), *pts;

	add(h, 0.1, "t0", 1, 0, 5);
	add(h, 0.2, "t1", 1, 0, 1);
	add(h, 0.3, "t2", 1, 0, 3);
	assert_int_equal(hpo_optim_propose("asha", s, h, 4, 5, 0, NULL, &pts, &err), 0);
	assert_int_equal(json_array_size(pts), 2);
	assert_string_equal(trial(json_array_get(pts, 0)), "t1");
	json_decref(pts);
	json_decref(h);
	hpo_space_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_fidelity),
		cmocka_unit_test(test_first_trials),
		cmocka_unit_test(test_promotion),
		cmocka_unit_test(test_failed_and_names),
		cmocka_unit_test(test_hyperband_brackets),
		cmocka_unit_test(test_hyperband_promotion),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_tpe_guided),
		cmocka_unit_test(test_tpe_model_trials),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_propose_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
