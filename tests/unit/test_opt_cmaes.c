/* test_opt_cmaes.c - CMA-ES */
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

static void
test_types(void **state)
{
	(void)state;
	optcheck_types(hpo_optim_cmaes);
}

static void
test_degenerate(void **state)
{
	(void)state;
	optcheck_degenerate(hpo_optim_cmaes);
}

static void
test_spread(void **state)
{
	(void)state;
	optcheck_spread(hpo_optim_cmaes);
}

static void
test_reproducible(void **state)
{
	(void)state;
	optcheck_reproducible(hpo_optim_cmaes);
}

static void
test_settings(void **state)
{
	(void)state;
	optcheck_settings(hpo_optim_cmaes, "cmaes", "popsize");
}

static void
test_beats_random(void **state)
{
	(void)state;
	optcheck_beats_random(hpo_optim_cmaes, 11, 60);
}

/* After the initial design (5 points in 3-D), a generation (5 points)
 * updates the state only once all its points are evaluated: the losses of
 * an incomplete one change nothing. */
static void
test_generations(void **state)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n"
					     "b: {method: uniform, low: -1, high: 1}\n"
					     "c: {method: categorical, categories: [x, y, z]}\n");
	json_t *h = optcheck_history(s, 10, 8, 0), *pending = json_deep_copy(h);
	json_t *fresh, *updated, *waiting, *other;

	(void)state;
	updated = optcheck_ask(hpo_optim_cmaes, s, h, 2, 3, NULL);
	json_array_set_new(json_array_get(pending, 9), 1, json_null());
	waiting = optcheck_ask(hpo_optim_cmaes, s, pending, 2, 3, NULL);
	for (size_t i = 5; i < 9; i++)
		json_array_set_new(json_array_get(pending, i), 1, json_real((double)i));
	other = optcheck_ask(hpo_optim_cmaes, s, pending, 2, 3, NULL);
	assert_true(json_equal(waiting, other));
	/* as if none had been evaluated */
	for (size_t i = 5; i < 9; i++)
		json_array_set_new(json_array_get(pending, i), 1, json_null());
	fresh = optcheck_ask(hpo_optim_cmaes, s, pending, 2, 3, NULL);
	assert_true(json_equal(waiting, fresh));
	assert_false(json_equal(waiting, updated));
	json_decref(fresh);
	json_decref(updated);
	json_decref(waiting);
	json_decref(other);
	json_decref(pending);
	json_decref(h);
	hpo_space_free(s);
}

/* The initial design: the middle, then a Latin hypercube (each of 4
 * points in its own quarter of a); the first generation is drawn around
 * the weighted mean of its best two points (weights ln 2.5 and ln 1.25)
 * with a step of a tenth of the range. */
static void
test_design(void **state)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n"
					     "b: {method: uniform, low: -1, high: 1}\n"
					     "c: {method: categorical, categories: [x, y, z]}\n");
	json_t *h = json_array(), *out, *p;
	int quarter[4] = {0};
	double a3, b3, w1 = log(2.5), w2 = log(1.25), ma, mb;

	(void)state;
	out = optcheck_ask(hpo_optim_cmaes, s, h, 5, 3, NULL);
	p = json_array_get(out, 0);
	assert_true(json_number_value(json_object_get(p, "a")) == 2);
	assert_true(json_number_value(json_object_get(p, "b")) == 0);
	assert_string_equal(json_string_value(json_object_get(p, "c")), "y");
	for (size_t i = 1; i < 5; i++) {
		double a = json_number_value(json_object_get(json_array_get(out, i), "a"));

		quarter[(int)a]++;
		/* the design's losses: point 3 is the best */
		json_array_append_new(h, json_pack("[O, f]", json_array_get(out, i - 1),
						   i == 4 ? 0.5 : 10.0 + (double)i));
	}
	for (int q = 0; q < 4; q++)
		assert_int_equal(quarter[q], 1);
	json_array_append_new(h, json_pack("[O, f]", json_array_get(out, 4), 20.0));
	a3 = json_number_value(json_object_get(json_array_get(out, 3), "a"));
	b3 = json_number_value(json_object_get(json_array_get(out, 3), "b"));
	/* the second best is the middle (a 2, b 0), at loss 11 */
	ma = (w1 * a3 + w2 * 2) / (w1 + w2);
	mb = (w1 * b3 + w2 * 0) / (w1 + w2);
	json_decref(out);
	out = optcheck_ask(hpo_optim_cmaes, s, h, 7, 3, NULL);
	for (size_t i = 0; i < 7; i++) {
		p = json_array_get(out, i);
		assert_true(fabs(json_number_value(json_object_get(p, "a")) - ma) < 4 * 0.4 + 1e-9);
		assert_true(fabs(json_number_value(json_object_get(p, "b")) - mb) < 4 * 0.2 + 1e-9);
	}
	json_decref(out);
	json_decref(h);
	hpo_space_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_degenerate),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_beats_random),
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_design),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
