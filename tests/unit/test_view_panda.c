/* test_view_panda.c - a Grid task's points: their status from their loss */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "view.h"

/* iDDS marks no point failed: its loss does (1e5 or more, NaN, Infinity) */
static void
test_failed_losses(void **state)
{
	json_t *info = json_pack("{s:s, s:s, s:{s:{s:i}}}", "status", "running", "taskName", "t",
				 "raw_task_params", "hpoRequestData", "max_points", 6);
	json_t *points = json_loads("[{\"id\": \"1\", \"loss\": 0.5}, {\"id\": \"2\", \"loss\": 100000},"
				    " {\"id\": \"3\", \"loss\": 3e5}, {\"id\": \"4\", \"loss\": \"NaN\"},"
				    " {\"id\": \"5\", \"loss\": \"-Infinity\"}, {\"id\": \"6\", \"loss\": null}]",
				    0, NULL);
	json_t *v;
	char *s;

	(void)state;
	assert_non_null(points);
	v = hpo_view_panda(7, info, points, NULL);
	assert_non_null(v);
	s = json_dumps(json_object_get(v, "counts"), JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"points\":6,\"pending\":1,\"running\":0,\"finished\":1,\"failed\":4,"
			       "\"cancelled\":0}");
	free(s);
	static const char *const want[] = {"finished", "failed", "failed", "failed", "failed", "pending"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(json_string_value(json_object_get(
			json_array_get(json_object_get(v, "points"), i), "status")), want[i]);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "best"), "id")), 1);
	json_decref(v);
	json_decref(info);
	json_decref(points);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_losses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
