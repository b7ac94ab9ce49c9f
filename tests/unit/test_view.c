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

/* A multi-fidelity Grid task: iDDS's points carry the reserved keys; the
 * view names each point's trial, budget and the point it continues, and
 * the best point is the best at the highest budget a finished point
 * reached, not the lowest loss of any budget. */
static void
test_grid_rungs(void **state)
{
	json_t *in = info("running");
	json_t *hrd = json_object_get(json_object_get(in, "raw_task_params"), "hpoRequestData");
	json_t *pts = json_pack("["
		"{s:s, s:{s:f, s:i, s:s}, s:f},"		/* 10: t0 at 1 */
		"{s:s, s:{s:f, s:i, s:s}, s:f},"		/* 11: t1 at 1, the lowest loss */
		"{s:s, s:{s:f, s:i, s:s, s:i}, s:f},"		/* 12: t0 at 3, from 10 */
		"{s:s, s:{s:f, s:i, s:s, s:i}, s:f},"		/* 13: t1 at 3, from 11 */
		"{s:s, s:{s:f, s:i, s:s, s:i}, s:n},"		/* 14: t0 at 9, pending */
		"{s:s, s:{s:f, s:i, s:s, s:i}, s:f}]",		/* 15: t2 at 3, from none */
		"id", "10", "parameters", "x", 0.5, "epochs", 1, "__hpo_trial", "t0", "loss", 0.9,
		"id", "11", "parameters", "x", 0.1, "epochs", 1, "__hpo_trial", "t1", "loss", 0.05,
		"id", "12", "parameters", "x", 0.5, "epochs", 3, "__hpo_trial", "t0",
		"__hpo_continues", 1, "loss", 0.4,
		"id", "13", "parameters", "x", 0.1, "epochs", 3, "__hpo_trial", "t1",
		"__hpo_continues", 1, "loss", 0.6,
		"id", "14", "parameters", "x", 0.5, "epochs", 9, "__hpo_trial", "t0",
		"__hpo_continues", 3, "loss",
		"id", "15", "parameters", "x", 0.7, "epochs", 3, "__hpo_trial", "t2",
		"__hpo_continues", 1, "loss", 0.5);
	json_t *v, *p;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	json_object_set_new(hrd, "opt_space", json_pack(
		"{s:{s:s, s:{s:i, s:i}}, s:{s:s, s:{s:i, s:i, s:i}}}",
		"x", "method", "uniform", "dimension", "low", 0, "high", 1,
		"epochs", "method", "fidelity", "dimension", "low", 1, "high", 9, "eta", 3));
	v = hpo_view_panda(41, in, pts, NULL);
	assert_non_null(v);
	p = json_array_get(json_object_get(v, "points"), 2);
	assert_string_equal(str(p, "trial"), "t0");
	assert_int_equal(json_integer_value(json_object_get(p, "budget")), 3);
	assert_int_equal(json_integer_value(json_object_get(p, "continues")), 10);
	p = json_array_get(json_object_get(v, "points"), 4);
	assert_int_equal(json_integer_value(json_object_get(p, "continues")), 12);
	p = json_array_get(json_object_get(v, "points"), 0);
	assert_true(json_is_null(json_object_get(p, "continues")));
	/* t2's first point names a budget no point of t2 has */
	p = json_array_get(json_object_get(v, "points"), 5);
	assert_true(json_is_null(json_object_get(p, "continues")));
	/* 11's 0.05 at 1 epoch does not count: the best at 3 epochs is 12 */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "best"), "id")), 12);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "best"), "budget")), 3);
	/* the table: the rungs' columns; the reserved keys and the budget not
	 * shown as parameters */
	f = open_memstream(&out, &len);
	hpo_view_print_points(f, v);
	fclose(f);
	assert_non_null(strstr(out, "TRIAL  BUDGET  CONTINUES  PARAMETERS"));
	assert_non_null(strstr(out, "   12  finished   0.4         -  t0          3         10  {\"x\":0.5}"));
	assert_null(strstr(out, "__hpo"));
	assert_null(strstr(out, "epochs"));
	free(out);
	json_decref(v);
	/* without a fidelity parameter in the space: no rungs, the lowest loss */
	json_object_set_new(hrd, "opt_space", json_null());
	v = hpo_view_panda(41, in, pts, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "best"), "id")), 11);
	assert_null(json_object_get(json_array_get(json_object_get(v, "points"), 0), "trial"));
	json_decref(v);
	json_decref(pts);
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
		cmocka_unit_test(test_grid_rungs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
