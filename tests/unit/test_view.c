/* test_view.c - Grid task views, task results and the task filters */
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

/* A task of task/get_detailed_info as the server sends it (datetimes
 * marked as the API encodes them). */
static json_t *
info(const char *status)
{
	return json_pack("{s:I, s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:s, s:{s:{s:i}}}",
			 "jediTaskID", (json_int_t)41, "taskName", "user.jdoe.x/", "status", status,
			 "creationDate", "__datetime__", "2026-11-27T14:00:01.123456",
			 "modificationTime", "__datetime__", "2026-11-27T15:00:02",
			 "endTime", "__datetime__", "2026-11-27 15:00:03",
			 "errorDialog", "failed since no file was successfully processed",
			 "raw_task_params", "hpoRequestData", "max_points", 3);
}

static const char *
str(const json_t *task, const char *key)
{
	return json_string_value(json_object_get(task, key));
}

static void
test_grid_view(void **state)
{
	json_t *in = info("finished");
	json_t *pts = json_pack("[{s:s, s:{s:f}, s:f}, {s:s, s:{s:f}, s:f}, {s:s, s:{s:f}, s:f}]",
				"id", "0", "parameters", "x", 1.0, "loss", 0.5,
				"id", "1", "parameters", "x", 2.0, "loss", 1e5,
				"id", "2", "parameters", "x", 3.0, "loss", 0.25);
	json_t *v = hpo_view_panda(41, in, pts, NULL);

	(void)state;
	assert_non_null(v);
	/* the dates and the error dialog of get_detailed_info */
	assert_string_equal(str(v, "created"), "2026-11-27T14:00:01Z");
	assert_string_equal(str(v, "updated"), "2026-11-27T15:00:02Z");
	assert_string_equal(str(v, "ended"), "2026-11-27T15:00:03Z");
	assert_string_equal(str(v, "message"), "failed since no file was successfully processed");
	assert_string_equal(str(v, "name"), "user.jdoe.x/");
	assert_int_equal(json_integer_value(json_object_get(v, "max_points")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "best"), "id")), 2);
	/* every point evaluated: the finished task succeeded */
	assert_string_equal(str(v, "outcome"), "success");
	assert_true(json_is_null(json_object_get(v, "points_error")));
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(v, "points"), 0),
						 "attempts")));
	json_decref(v);
	/* a point left without a loss: finished early */
	json_object_set_new(json_array_get(pts, 2), "loss", json_null());
	v = hpo_view_panda(41, in, pts, NULL);
	assert_string_equal(str(v, "outcome"), "incomplete");
	json_decref(v);
	json_decref(pts);
	json_decref(in);
}

static void
test_grid_view_without_points(void **state)
{
	json_t *in = info("finished"), *v = hpo_view_panda(41, in, NULL, "iDDS: down");

	(void)state;
	assert_string_equal(str(v, "status"), "finished");
	assert_string_equal(str(v, "created"), "2026-11-27T14:00:01Z");
	assert_string_equal(str(v, "points_error"), "iDDS: down");
	assert_string_equal(str(v, "outcome"), "unknown");
	assert_int_equal(json_array_size(json_object_get(v, "points")), 0);
	assert_true(json_is_null(json_object_get(v, "best")));
	json_decref(v);
	json_decref(in);
	/* not final: no result, no end time, whatever PanDA's endTime says */
	in = info("running");
	v = hpo_view_panda(41, in, NULL, "iDDS: down");
	assert_true(json_is_null(json_object_get(v, "outcome")));
	assert_true(json_is_null(json_object_get(v, "ended")));
	json_decref(v);
	json_decref(in);
}

static void
test_outcome(void **state)
{
	static const struct { const char *status; int points, pending; const char *want; } cases[] = {
		{"done", 3, 0, "success"}, {"finished", 3, 0, "success"},
		{"finished", 3, 1, "incomplete"}, {"finished", 0, 0, "incomplete"},
		{"failed", 3, 0, "failure"}, {"broken", 0, 0, "failure"},
		{"aborted", 3, 2, "failure"}, {"exhausted", 3, 0, "failure"},
		{"running", 3, 0, NULL}, {"paused", 3, 1, NULL}, {"finishing", 3, 0, NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *t = json_pack("{s:s, s:{s:i, s:i, s:i}}", "status", cases[i].status, "counts",
				      "points", cases[i].points, "pending", cases[i].pending, "running", 0);
		const char *got = hpo_view_outcome(t);
		if (cases[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
		json_decref(t);
	}
}

static void
test_match(void **state)
{
	json_t *t = json_pack("{s:s, s:s}", "status", "finished", "name", "user.jdoe.mlp-scan.v1/");

	(void)state;
	assert_true(hpo_view_match(t, NULL, NULL));
	assert_true(hpo_view_match(t, "finished", NULL));
	assert_true(hpo_view_match(t, "failed,finished", NULL));
	assert_false(hpo_view_match(t, "failed,finishing", NULL));
	assert_false(hpo_view_match(t, "finishe", NULL));
	assert_true(hpo_view_match(t, NULL, "user.jdoe.mlp-*"));
	assert_true(hpo_view_match(t, "finished", "user.jdoe.mlp-scan.v[0-9]/"));
	assert_false(hpo_view_match(t, NULL, "user.jdoe.mlp-"));
	assert_false(hpo_view_match(t, "failed", "user.jdoe.*"));
	json_decref(t);
}

/* a server's date that is no date is no time, never a view that fails to
 * build (the pandaview fuzzer: a character of two bytes cut at the 19th
 * made jansson refuse the string, and the whole view was lost) */
static void
test_bad_dates(void **state)
{
	json_t *in = info("running"), *v;

	(void)state;
	json_object_set_new(in, "creationDate", json_pack("{s:s}", "__datetime__",
							  "2026-11-27T14:00:0\xca\xac" "9"));
	json_object_set_new(in, "modificationTime", json_string("not a date, 19 characters or more"));
	v = hpo_view_panda(41, in, NULL, "iDDS: down");
	assert_non_null(v);
	assert_true(json_is_null(json_object_get(v, "created")));
	assert_true(json_is_null(json_object_get(v, "updated")));
	json_decref(v);
	json_decref(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid_view),
		cmocka_unit_test(test_grid_view_without_points),
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_bad_dates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
