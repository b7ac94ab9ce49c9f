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

/* After the initial design (5 points in 3-D), a generation (7 points)
 * updates the state only once all its points are evaluated: the losses of
 * an incomplete one change nothing. */
static void
test_generations(void **state)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n"
					     "b: {method: uniform, low: -1, high: 1}\n"
					     "c: {method: categorical, categories: [x, y, z]}\n");
	json_t *h = optcheck_history(s, 12, 8, 0), *pending = json_deep_copy(h);
	json_t *fresh, *updated, *waiting, *other;

	(void)state;
	updated = optcheck_ask(hpo_optim_cmaes, s, h, 2, 3, NULL);
	json_array_set_new(json_array_get(pending, 11), 1, json_null());
	waiting = optcheck_ask(hpo_optim_cmaes, s, pending, 2, 3, NULL);
	for (size_t i = 5; i < 11; i++)
		json_array_set_new(json_array_get(pending, i), 1, json_real((double)i));
	other = optcheck_ask(hpo_optim_cmaes, s, pending, 2, 3, NULL);
	assert_true(json_equal(waiting, other));
	/* as if none had been evaluated */
	for (size_t i = 5; i < 11; i++)
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
