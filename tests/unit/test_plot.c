/* test_plot.c - plot data from a task view, scales and ticks, importance */
#include "autoconf.h"

#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plot.h"

static json_t *
json_ok(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (v == NULL)
		fail_msg("bad JSON in the test: %s: %s", jerr.text, text);
	return v;
}

static struct hpo_plot_data *
data_ok(const json_t *task)
{
	struct hpo_err err = {0};
	struct hpo_plot_data *d = NULL;

	if (hpo_plot_data_new(task, &d, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return d;
}

/* ---- the data ------------------------------------------------------------------ */

static void
test_data(void **state)
{
	(void)state;
	json_t *task = json_ok(
		"{\"id\": 7, \"name\": \"t\", \"status\": \"finished\", \"backend\": \"local\","
		" \"space\": {\"lr\": {\"method\": \"loguniform\", \"dimension\": {\"low\": 0.001, \"high\": 0.1}}},"
		" \"points\": ["
		"  {\"id\": 1, \"status\": \"finished\", \"loss\": 0.5,"
		"   \"parameters\": {\"lr\": 0.01, \"opt\": \"adam\", \"n\": 3}, \"intermediate\": [2, 1, 0.5]},"
		"  {\"id\": 2, \"status\": \"failed\", \"loss\": 100000,"
		"   \"parameters\": {\"lr\": 0.05, \"opt\": \"sgd\", \"n\": 4}},"
		"  {\"id\": 3, \"status\": \"finished\", \"loss\": \"NaN\","
		"   \"parameters\": {\"lr\": 0.002, \"opt\": \"adam\", \"n\": 5}},"
		"  {\"id\": 4, \"status\": \"finished\", \"loss\": 0.25,"
		"   \"parameters\": {\"lr\": 0.02, \"opt\": 7, \"n\": 6}, \"intermediate\": [1, null, 0.25]},"
		"  {\"id\": 5, \"status\": \"pending\", \"loss\": null, \"parameters\": {\"lr\": 0.03}}"
		" ]}");
	struct hpo_plot_data *d = data_ok(task);

	assert_int_equal(d->id, 7);
	assert_string_equal(d->name, "t");
	assert_int_equal(d->np, 5);
	assert_int_equal(d->nok, 2);
	assert_int_equal(d->nfailed, 1);
	assert_int_equal(d->nbad, 1);
	assert_int_equal(d->npending, 1);
	assert_int_equal(d->best, 3);
	assert_true(d->lo == 0.25 && d->hi == 0.5);
	/* the failed point's 1e5 is not a loss to draw */
	assert_true(isnan(d->pts[1].loss));
	assert_int_equal(d->pts[2].state, HPO_PT_BADLOSS);
	assert_true(isnan(d->pts[2].loss));
	/* parameters sorted by name: lr, n, opt */
	assert_int_equal(d->nparams, 3);
	assert_string_equal(d->params[0].name, "lr");
	assert_string_equal(d->params[1].name, "n");
	assert_string_equal(d->params[2].name, "opt");
	assert_int_equal(d->params[0].axis, HPO_AXIS_LOG);
	assert_int_equal(d->params[1].axis, HPO_AXIS_LINEAR);
	assert_true(d->params[1].lo == 3 && d->params[1].hi == 6);
	/* a parameter with a string is categorical; numbers become text */
	assert_int_equal(d->params[2].axis, HPO_AXIS_CAT);
	assert_int_equal(d->params[2].ncats, 3);
	assert_string_equal(d->params[2].cats[0], "adam");
	assert_string_equal(d->params[2].cats[1], "sgd");
	assert_string_equal(d->params[2].cats[2], "7");
	assert_true(hpo_plot_x(d, 2, 2) == 0);
	assert_true(hpo_plot_x(d, 3, 2) == 2);
	/* a missing value is NaN */
	assert_true(isnan(hpo_plot_x(d, 4, 1)));
	assert_true(isnan(hpo_plot_x(d, 4, 2)));
	assert_true(hpo_plot_x(d, 4, 0) == 0.03);
	/* learning curves, a null step as NaN */
	assert_int_equal(d->ncurves, 2);
	assert_int_equal(d->pts[0].curve_len, 3);
	assert_true(d->curve[d->pts[0].curve_off + 1] == 1);
	assert_int_equal(d->pts[3].curve_len, 3);
	assert_true(isnan(d->curve[d->pts[3].curve_off + 1]));
	assert_int_equal(d->pts[1].curve_len, 0);
	assert_int_equal(hpo_plot_param_index(d, "opt"), 2);
	assert_int_equal(hpo_plot_param_index(d, "nope"), -1);

	double best[5];
	hpo_plot_running_best(d, best);
	assert_true(best[0] == 0.5 && best[1] == 0.5 && best[2] == 0.5);
	assert_true(best[3] == 0.25 && best[4] == 0.25);
	hpo_plot_data_free(d);
	json_decref(task);
}

/* Without a space, a wide positive range is a log axis. */
static void
test_log_without_space(void **state)
{
	(void)state;
	/* a: log-spread; b: narrow; c: not positive; u: uniform from near 0;
	 * z: no number at all (a column of nulls: its range is empty) */
	json_t *task = json_ok(
		"{\"points\": ["
		" {\"status\": \"finished\", \"loss\": 1, \"parameters\": {\"a\": 0.0001, \"b\": 1, \"c\": -1, \"u\": 0.001, \"z\": null}},"
		" {\"status\": \"finished\", \"loss\": 2, \"parameters\": {\"a\": 0.001, \"b\": 2, \"c\": 1, \"u\": 3, \"z\": null}},"
		" {\"status\": \"finished\", \"loss\": 2, \"parameters\": {\"a\": 0.01, \"b\": 3, \"c\": 10, \"u\": 5, \"z\": null}},"
		" {\"status\": \"finished\", \"loss\": 2, \"parameters\": {\"a\": 0.1, \"b\": 4, \"c\": 100, \"u\": 7, \"z\": null}},"
		" {\"status\": \"finished\", \"loss\": 2, \"parameters\": {\"a\": 1, \"b\": 10, \"c\": 1000, \"u\": 10, \"z\": null}}]}");
	struct hpo_plot_data *d = data_ok(task);

	assert_int_equal(d->params[0].axis, HPO_AXIS_LOG);
	assert_int_equal(d->params[1].axis, HPO_AXIS_LINEAR);
	assert_int_equal(d->params[2].axis, HPO_AXIS_LINEAR);
	assert_int_equal(d->params[3].axis, HPO_AXIS_LINEAR);
	assert_string_equal(d->params[4].name, "z");
	assert_int_equal(d->params[4].axis, HPO_AXIS_LINEAR);
	/* no ids: their place */
	assert_int_equal(d->pts[1].id, 2);
	hpo_plot_data_free(d);
	json_decref(task);
}

static void
test_empty_and_bad(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	struct hpo_plot_data *d = NULL;
	json_t *task = json_ok("{\"id\": 1, \"points\": []}");

	d = data_ok(task);
	assert_int_equal(d->np, 0);
	assert_int_equal(d->nparams, 0);
	assert_int_equal(d->best, HPO_PLOT_NONE);
	hpo_plot_data_free(d);
	json_decref(task);

	task = json_ok("{\"points\": [{\"status\": \"finished\", \"loss\": 1, \"parameters\": 3}]}");
	assert_int_equal(hpo_plot_data_new(task, &d, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, "point 1: \"parameters\" is not an object");
	json_decref(task);

	task = json_ok("{\"points\": [{\"parameters\": {}, \"intermediate\": [1, \"x\"]}]}");
	assert_int_equal(hpo_plot_data_new(task, &d, &err), -1);
	assert_string_equal(err.msg, "point 1: \"intermediate\"[1] is not a number");
	json_decref(task);
}

static void
test_view_task(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	const json_t *t = NULL;
	json_t *doc = json_ok("{\"schema\": \"hpo-tools/task-view\", \"version\": 1, \"tasks\": ["
			      "{\"id\": 4, \"points\": []}, {\"id\": 9, \"points\": []}]}");

	assert_int_equal(hpo_plot_view_task(doc, "v.json", 9, &t, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(t, "id")), 9);
	assert_int_equal(hpo_plot_view_task(doc, "v.json", 5, &t, &err), -1);
	assert_int_equal(err.kind, HPO_E_NOTFOUND);
	assert_string_equal(err.msg, "v.json: no task 5");
	assert_int_equal(hpo_plot_view_task(doc, "v.json", -1, &t, &err), -1);
	assert_string_equal(err.msg, "v.json: holds 2 tasks: name one by its ID");
	json_decref(doc);

	doc = json_ok("{\"schema\": \"other\", \"tasks\": []}");
	assert_int_equal(hpo_plot_view_task(doc, "x.json", -1, &t, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	json_decref(doc);
	doc = json_ok("{\"schema\": \"hpo-tools/task-view\", \"version\": 2, \"tasks\": []}");
	assert_int_equal(hpo_plot_view_task(doc, "x.json", -1, &t, &err), -1);
	assert_string_equal(err.msg, "x.json: task view version 2, this hpo-plot reads 1");
	json_decref(doc);
}

/* hpo_plot_read: the view's text read with no tree, as the tree is read */
static void
test_read(void **state)
{
	(void)state;
	static const char task[] =
		"{\"id\": 9, \"name\": \"t\\u00e9\", \"status\": \"finished\", \"backend\": \"local\","
		" \"space\": {\"lr\": {\"dimension\": {}, \"method\": \"loguniform\"}, \"n\": 3},"
		" \"points\": ["
		"  {\"loss\": 0.5, \"id\": 1, \"status\": \"finished\", \"message\": \"a<b\","
		"   \"parameters\": {\"lr\": 0.01, \"opt\": \"adam\", \"n\": 3, \"f\": {\"b\": 1, \"a\": [true]}},"
		"   \"intermediate\": [2, null, \"inf\"]},"
		"  {\"id\": 2, \"status\": \"failed\", \"loss\": 100000, \"parameters\": {\"lr\": 0.05, \"opt\": 7}},"
		"  {\"id\": 3, \"status\": \"finished\", \"loss\": \"NaN\", \"parameters\": {\"lr\": 0.002, \"n\": 1.5}},"
		"  {\"status\": \"running\", \"loss\": null, \"parameters\": null, \"extra\": [{}, []]}"
		" ]}";
	char text[2048];
	struct hpo_err err = {0};
	struct hpo_plot_data *a, *b;
	json_t *t = json_ok(task);

	a = data_ok(t);
	snprintf(text, sizeof(text), "{\"tasks\": [{\"id\": 4, \"points\": 3}, %s],\n"
		 "\"version\": 1, \"schema\": \"hpo-tools/task-view\"}", task);
	assert_int_equal(hpo_plot_read("v.json", text, strlen(text), 9, &b, &err), 0);
	assert_int_equal(b->id, 9);
	assert_string_equal(b->name, a->name);
	assert_int_equal(b->np, a->np);
	assert_int_equal(b->nparams, a->nparams);
	assert_int_equal(b->nok, a->nok);
	assert_int_equal(b->nbad, a->nbad);
	assert_int_equal(b->best, a->best);
	assert_int_equal(b->ncurve, a->ncurve);
	for (size_t k = 0; k < a->nparams; k++) {
		assert_string_equal(b->params[k].name, a->params[k].name);
		assert_int_equal(b->params[k].axis, a->params[k].axis);
		assert_int_equal(b->params[k].ncats, a->params[k].ncats);
		for (size_t c = 0; c < a->params[k].ncats; c++)
			assert_string_equal(b->params[k].cats[c], a->params[k].cats[c]);
		for (size_t i = 0; i < a->np; i++)
			assert_true(hpo_plot_x(a, i, k) == hpo_plot_x(b, i, k) ||
				    (isnan(hpo_plot_x(a, i, k)) && isnan(hpo_plot_x(b, i, k))));
	}
	assert_int_equal(a->params[0].axis, HPO_AXIS_CAT);	/* f */
	assert_string_equal(b->params[0].cats[0], "{\"a\":[true],\"b\":1}");
	assert_int_equal(b->params[1].axis, HPO_AXIS_LOG);	/* lr */
	assert_string_equal(b->pts[0].message, "a<b");
	assert_string_equal(b->pts[3].status, "running");
	assert_int_equal(b->pts[3].id, 4);
	assert_true(isinf(b->curve[2]) && isnan(b->curve[1]));
	hpo_plot_data_free(a);
	hpo_plot_data_free(b);
	json_decref(t);

	/* the tree's messages, and syntax errors with their place */
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"{\"schema\": \"other\", \"tasks\": []}",
		 "v.json: not a task view (no \"schema\": \"hpo-tools/task-view\")"},
		{"[]", "v.json: not a task view (no \"schema\": \"hpo-tools/task-view\")"},
		{"{\"schema\": \"hpo-tools/task-view\", \"version\": 1.0, \"tasks\": []}",
		 "v.json: task view version 0, this hpo-plot reads 1"},
		{"{\"schema\": \"hpo-tools/task-view\", \"version\": 1, \"tasks\": {}}",
		 "v.json: \"tasks\" is not a list"},
		{"{\"schema\": \"hpo-tools/task-view\", \"version\": 1, \"tasks\": []}",
		 "v.json: holds 0 tasks: name one by its ID"},
		{"{\"schema\": \"hpo-tools/task-view\", \"version\": 1, \"tasks\": [{\"points\": {}}]}",
		 "v.json: a task without a \"points\" list"},
		{"{\"schema\": \"hpo-tools/task-view\", \"version\": 1, \"tasks\": [{\"points\": "
		 "[{\"parameters\": {}, \"intermediate\": [1, \"x\"]}, {\"parameters\": 3}]}]}",
		 "point 2: \"parameters\" is not an object"},
		{"{\"schema\": \"hpo-tools/task-view\", \"version\": 1, \"tasks\": [{\"points\": "
		 "[{\"parameters\": {}, \"intermediate\": [1, \"x\"]}]}]}",
		 "point 1: \"intermediate\"[1] is not a number"},
		{"{\"schema\": \"hpo-tools/task-view\",\n \"tasks\": [}", "v.json:2:12: a value expected"},
		{"{\"a\": \"\\ud800\"}", "v.json:1:8: a high surrogate \\uD800 without its low one"},
		{"{\"a\": 1e999}", "v.json:1:7: real number overflow"},
		{"{\"a\": 1} 2", "v.json:1:10: the end of the text expected"},
		{"", "v.json:1:1: no JSON value, the text is empty"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = NULL;
		assert_int_equal(hpo_plot_read("v.json", bad[i].text, strlen(bad[i].text), -1, &b, &err),
				 -1);
		assert_null(b);
		assert_string_equal(err.msg, bad[i].msg);
	}
}

/* A local point's columns, and the k-th smallest value */
static void
test_read_columns_and_kth(void **state)
{
	(void)state;
	struct hpo_plot_build *b = hpo_plot_build_new();
	struct hpo_plot_data *d;
	struct hpo_err err = {0};
	double v[200], w[200];

	hpo_plot_build_point(b);
	assert_int_equal(hpo_plot_read_params(b, "{\"x\": 1.5, \"o\": \"a\"}"), 0);
	assert_int_equal(hpo_plot_read_curve(b, "[3, 2.5, \"-Infinity\"]"), 0);
	hpo_plot_build_point(b);
	assert_int_equal(hpo_plot_read_params(b, " {} "), 0);
	assert_int_equal(hpo_plot_read_curve(b, "[]"), 0);
	assert_int_equal(hpo_plot_build_finish(b, &d, &err), 0);
	assert_int_equal(d->nparams, 2);
	assert_true(hpo_plot_x(d, 0, 1) == 1.5 && isnan(hpo_plot_x(d, 1, 1)));
	assert_int_equal(d->pts[0].curve_len, 3);
	assert_true(d->curve[1] == 2.5 && isinf(d->curve[2]) && d->curve[2] < 0);
	hpo_plot_data_free(d);
	b = hpo_plot_build_new();
	hpo_plot_build_point(b);
	assert_int_equal(hpo_plot_read_params(b, "[1]"), -1);
	assert_int_equal(hpo_plot_read_params(b, "{\"x\": 1,"), -1);
	assert_int_equal(hpo_plot_read_curve(b, "[1, null]"), -1);
	assert_int_equal(hpo_plot_read_curve(b, "{}"), -1);
	hpo_plot_build_free(b);

	srand(7);
	for (int round = 0; round < 50; round++) {
		size_t n = 1 + (size_t)(rand() % 200), k = (size_t)rand() % n;
		for (size_t i = 0; i < n; i++)
			v[i] = w[i] = (double)(rand() % (round % 5 ? 1000 : 3));
		double got = hpo_plot_kth(v, n, k);
		size_t below = 0, equal = 0;
		for (size_t i = 0; i < n; i++) {
			below += w[i] < got;
			equal += w[i] == got;
		}
		assert_true(below <= k && k < below + equal);
	}
}

/* ---- scales and ticks -------------------------------------------------------------- */

static void
test_scales(void **state)
{
	(void)state;
	struct hpo_scale s;
	double t[16];
	size_t n;
	char buf[32];

	hpo_scale_fit(&s, 0, 10, 0);
	/* a margin above, none below zero: losses >= 0 show no negative labels */
	assert_true(s.lo == 0 && s.hi > 10 && !s.log);
	hpo_scale_fit(&s, 2, 10, 0);
	assert_true(s.lo < 2 && s.lo >= 0 && s.hi > 10);
	hpo_scale_fit(&s, 0.5, 1000, 0);
	assert_true(s.lo == 0);
	hpo_scale_fit(&s, -10, -1, 0);
	assert_true(s.lo < -10 && s.hi > -1 && s.hi <= 0);
	hpo_scale_fit(&s, -10, -0.1, 0);
	assert_true(s.lo < -10 && s.hi == 0);
	hpo_scale_fit(&s, -5, 5, 0);
	assert_true(s.lo < -5 && s.hi > 5);
	hpo_scale_fit(&s, 0, 10, 0);
	n = hpo_scale_ticks(&s, t, 10);
	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++) {
		/* nice values: multiples of 1, 2 or 5 times a power of ten */
		assert_true(t[i] >= s.lo && t[i] <= s.hi);
		if (i > 0)
			assert_true(t[i] > t[i - 1]);
	}
	assert_true(t[0] == 0 || t[0] == -1 || t[0] == -2);

	/* equal ends are widened, never an empty scale */
	hpo_scale_fit(&s, 3, 3, 0);
	assert_true(s.lo < 3 && s.hi > 3);
	assert_true(fabs(hpo_scale_map(&s, 3) - 0.5) < 1e-12);
	assert_true(hpo_scale_ticks(&s, t, 6) >= 2);
	hpo_scale_fit(&s, 0, 0, 0);
	assert_true(s.lo < 0 && s.hi > 0);

	/* no data */
	hpo_scale_fit(&s, INFINITY, -INFINITY, 0);
	assert_true(s.lo == 0 && s.hi == 1);
	hpo_scale_fit(&s, NAN, 1, 1);
	assert_true(s.lo == 0 && s.hi == 1 && !s.log);

	/* log: decades; not possible with 0 */
	hpo_scale_fit(&s, 0.001, 10, 1);
	assert_true(s.log);
	n = hpo_scale_ticks(&s, t, 10);
	assert_int_equal(n, 5);
	assert_true(fabs(t[0] - 0.001) < 1e-15 && fabs(t[4] - 10) < 1e-12);
	assert_true(fabs(hpo_scale_map(&s, 0.1) - hpo_scale_map(&s, 0.001) -
			 2 * (hpo_scale_map(&s, 10) - hpo_scale_map(&s, 0.1)) / 2) < 1e-9);
	assert_true(isnan(hpo_scale_map(&s, 0)));
	hpo_scale_fit(&s, 0, 10, 1);
	assert_false(s.log);
	/* less than a decade: 1-2-5 ticks */
	hpo_scale_fit(&s, 2, 6, 1);
	n = hpo_scale_ticks(&s, t, 10);
	assert_true(n >= 2);

	/* huge ranges stay finite */
	hpo_scale_fit(&s, -1e308, 1e308, 0);
	assert_true(isfinite(s.lo) && isfinite(s.hi));
	assert_true(fabs(hpo_scale_map(&s, 0) - 0.5) < 1e-9);
	n = hpo_scale_ticks(&s, t, 10);
	for (size_t i = 0; i < n; i++)
		assert_true(isfinite(t[i]));
	/* tiny ones too */
	hpo_scale_fit(&s, 1e-300, 1.0000001e-300, 0);
	n = hpo_scale_ticks(&s, t, 10);
	assert_true(n >= 1);

	hpo_plot_fmt(buf, sizeof(buf), 0.478582);
	assert_string_equal(buf, "0.4786");
	hpo_plot_fmt(buf, sizeof(buf), 100000);
	assert_string_equal(buf, "1e+05");
	hpo_plot_fmt(buf, sizeof(buf), -0.0);
	assert_string_equal(buf, "0");
	hpo_plot_fmt(buf, sizeof(buf), NAN);
	assert_string_equal(buf, "nan");
	hpo_plot_fmt(buf, sizeof(buf), -INFINITY);
	assert_string_equal(buf, "-inf");
}

/* ---- importance ------------------------------------------------------------------------ */

/* loss = f(x) exactly, y noise, z constant, c a category that decides it */
static void
test_importance(void **state)
{
	(void)state;
	json_t *points = json_array();
	struct hpo_plot_data *d;
	double imp[4];

	uint64_t z = 88172645463325252ULL;
	for (int i = 0; i < 100; i++) {
		/* y from xorshift64: unrelated to x */
		z ^= z << 13;
		z ^= z >> 7;
		z ^= z << 17;
		double x = (double)((i * 37) % 100) / 100, y = (double)(z >> 11) / 9007199254740992.0;
		json_array_append_new(points, json_pack("{s:s, s:f, s:{s:f, s:f, s:i}}", "status",
							"finished", "loss", x * x, "parameters", "x",
							x, "y", y, "z", 1));
	}
	json_t *task = json_pack("{s:o}", "points", points);
	d = data_ok(task);
	assert_int_equal(hpo_plot_importance(d, imp), 0);
	/* x, y, z */
	assert_true(imp[0] > 0.8);
	assert_true(imp[1] < 0.2);
	assert_true(imp[2] == 0);
	assert_true(fabs(imp[0] + imp[1] + imp[2] - 1) < 1e-12);
	hpo_plot_data_free(d);
	json_decref(task);

	/* a category that decides the loss, a number that does not */
	points = json_array();
	for (int i = 0; i < 60; i++)
		json_array_append_new(points, json_pack("{s:s, s:f, s:{s:s, s:i}}", "status", "finished",
							"loss", (double)(i % 3) * 10 + (double)i / 100,
							"parameters", "c", (const char *[]){"a", "b", "c"}[i % 3],
							"n", (i * 7) % 11));
	task = json_pack("{s:o}", "points", points);
	d = data_ok(task);
	assert_int_equal(hpo_plot_importance(d, imp), 0);
	assert_int_equal(d->params[0].axis, HPO_AXIS_CAT);
	assert_true(imp[0] > 0.9);
	hpo_plot_data_free(d);
	json_decref(task);

	/* equal losses, or too few points: all 0 */
	task = json_ok("{\"points\": ["
		       "{\"status\": \"finished\", \"loss\": 1, \"parameters\": {\"x\": 1}},"
		       "{\"status\": \"finished\", \"loss\": 1, \"parameters\": {\"x\": 2}},"
		       "{\"status\": \"finished\", \"loss\": 1, \"parameters\": {\"x\": 3}},"
		       "{\"status\": \"finished\", \"loss\": 1, \"parameters\": {\"x\": 4}}]}");
	d = data_ok(task);
	imp[0] = 5;
	assert_int_equal(hpo_plot_importance(d, imp), 0);
	assert_true(imp[0] == 0);
	hpo_plot_data_free(d);
	json_decref(task);
	task = json_ok("{\"points\": ["
		       "{\"status\": \"finished\", \"loss\": 1, \"parameters\": {\"x\": 1}},"
		       "{\"status\": \"finished\", \"loss\": 2, \"parameters\": {\"x\": 2}}]}");
	d = data_ok(task);
	imp[0] = 5;
	assert_int_equal(hpo_plot_importance(d, imp), 0);
	assert_true(imp[0] == 0);
	hpo_plot_data_free(d);
	json_decref(task);
}

static void
test_kinds_and_formats(void **state)
{
	(void)state;
	for (int k = 0; k < HPO_PLOT_NKINDS; k++)
		assert_int_equal(hpo_plot_kind_parse(hpo_plot_kind_name((enum hpo_plot_kind)k)), k);
	assert_int_equal(hpo_plot_kind_parse("histogram"), -1);
	assert_int_equal(hpo_plot_format_of("a/b.PNG"), HPO_FMT_PNG);
	assert_int_equal(hpo_plot_format_of("x.svg"), HPO_FMT_SVG);
	assert_int_equal(hpo_plot_format_of("x.pdf"), HPO_FMT_PDF);
	assert_int_equal(hpo_plot_format_of("x.htm"), HPO_FMT_HTML);
	assert_int_equal(hpo_plot_format_of("x.html"), HPO_FMT_HTML);
	assert_int_equal(hpo_plot_format_of("x.jpg"), -1);
	assert_int_equal(hpo_plot_format_of("dir.png/x"), -1);
	assert_int_equal(hpo_plot_format_of("png"), -1);
}

/* ---- multi-fidelity -------------------------------------------------------------- */

static const char rungs_task[] =
	"{\"id\": 3, \"name\": \"mf\", \"status\": \"running\", \"backend\": \"local\","
	" \"space\": {\"x\": {\"method\": \"uniform\", \"dimension\": {\"low\": 0, \"high\": 1}},"
	"  \"epochs\": {\"method\": \"fidelity\", \"dimension\": {\"low\": 1, \"high\": 9, \"eta\": 3}}},"
	" \"points\": ["
	"  {\"id\": 1, \"status\": \"finished\", \"loss\": 0.9,"
	"   \"parameters\": {\"x\": 0.5, \"epochs\": 1, \"__hpo_trial\": \"t0\"}},"
	"  {\"id\": 2, \"status\": \"finished\", \"loss\": 0.05,"
	"   \"parameters\": {\"x\": 0.1, \"epochs\": 1, \"__hpo_trial\": \"t1\"}},"
	"  {\"id\": 3, \"status\": \"finished\", \"loss\": 0.7,"
	"   \"parameters\": {\"x\": 0.9, \"epochs\": 1, \"__hpo_trial\": \"t2\"}},"
	"  {\"id\": 4, \"status\": \"finished\", \"loss\": 0.4, \"parameters\":"
	"   {\"x\": 0.5, \"epochs\": 3, \"__hpo_trial\": \"t0\", \"__hpo_continues\": 1}},"
	"  {\"id\": 5, \"status\": \"finished\", \"loss\": 0.6, \"parameters\":"
	"   {\"x\": 0.1, \"epochs\": 3, \"__hpo_trial\": \"t1\", \"__hpo_continues\": 1}},"
	"  {\"id\": 6, \"status\": \"failed\", \"loss\": 100000, \"parameters\":"
	"   {\"x\": 0.9, \"epochs\": 3, \"__hpo_trial\": \"t2\", \"__hpo_continues\": 1}},"
	"  {\"id\": 7, \"status\": \"finished\", \"loss\": 0.3, \"parameters\":"
	"   {\"x\": 0.5, \"epochs\": 9, \"__hpo_trial\": \"t0\", \"__hpo_continues\": 3}},"
	"  {\"id\": 8, \"status\": \"pending\", \"loss\": null,"
	"   \"parameters\": {\"x\": 0.3, \"epochs\": 1, \"__hpo_trial\": \"t3\"}}"
	" ]}";

/* A multi-fidelity task: the budget and the reserved keys are no
 * parameters; each point's trial, budget and the point it continues; the
 * best of the top budget; the parameter plots' rung and its copy. */
static void
test_rungs(void **state)
{
	(void)state;
	json_t *task = json_ok(rungs_task);
	struct hpo_plot_data *d = data_ok(task), *r, *b;
	struct hpo_err err = {0};
	char text[4096];
	double best[8], imp[1], imp2[1];

	assert_int_equal(d->nparams, 1);
	assert_string_equal(d->params[0].name, "x");
	assert_string_equal(d->budget_name, "epochs");
	assert_int_equal(d->ntrials, 4);
	assert_string_equal(d->trials[d->pts[3].trial], "t0");
	assert_true(d->pts[3].budget == 3 && d->pts[3].continues == 1);
	assert_int_equal(d->pts[3].from, 0);
	assert_int_equal(d->pts[6].from, 3);
	assert_int_equal(d->pts[5].from, 2);
	assert_int_equal(d->pts[0].from, HPO_PLOT_NONE);
	assert_true(isnan(d->pts[0].continues));
	assert_int_equal(d->nbudgets, 3);
	assert_true(d->budgets[0] == 1 && d->budgets[1] == 3 && d->budgets[2] == 9);
	assert_true(d->budget_log);
	/* 0.05 after 1 epoch is not the best: 0.3 after 9 is */
	assert_true(d->top == 9);
	assert_int_equal(d->best, 6);
	hpo_plot_running_best(d, best);
	assert_true(isnan(best[5]) && best[6] == 0.3 && best[7] == 0.3);
	/* the rung of the parameter plots: the highest with 3 OK points */
	assert_true(d->rung == 1);
	assert_true(hpo_plot_in_rung(d, 1) && !hpo_plot_in_rung(d, 3));
	assert_true(hpo_plot_in_top(d, 6) && !hpo_plot_in_top(d, 1));
	assert_int_equal(hpo_plot_importance(d, imp), 0);
	r = hpo_plot_rung(d);
	assert_non_null(r);
	/* the importance of the rung's points, as of its copy */
	assert_int_equal(hpo_plot_importance(r, imp2), 0);
	assert_true(imp[0] == imp2[0]);
	assert_int_equal(r->np, 4);	/* 1, 2, 3 and the pending 8 */
	assert_int_equal(r->nok, 3);
	assert_int_equal(r->npending, 1);
	assert_int_equal(r->best, 1);	/* point 2 */
	assert_int_equal(r->pts[1].id, 2);
	assert_string_equal(r->pts[3].status, "pending");
	assert_true(r->params[0].lo == 0.1 && r->params[0].hi == 0.9);
	assert_true(r->lo == 0.05 && r->hi == 0.9);
	assert_true(r->top == 1 && r->rung == 1);
	hpo_plot_data_free(r);
	assert_true(hpo_plot_all(d) & 1u << HPO_PLOT_RUNGS);
	/* drawn, in every format */
	for (int f = HPO_FMT_PNG; f <= HPO_FMT_PDF; f++) {
		unsigned char *buf;
		size_t len;
		struct hpo_plot_opts o = {0, {-1, -1}, 400, 300};
		assert_int_equal(hpo_plot_cairo((enum hpo_plot_format)f, d, hpo_plot_all(d), &o, &buf,
						&len, &err), 0);
		assert_true(len > 100);
		free(buf);
	}

	/* hpo_plot_read gives the same */
	snprintf(text, sizeof(text), "{\"schema\": \"hpo-tools/task-view\", \"version\": 1, "
		 "\"tasks\": [%s]}", rungs_task);
	assert_int_equal(hpo_plot_read("v.json", text, strlen(text), -1, &b, &err), 0);
	assert_int_equal(b->nparams, 1);
	assert_string_equal(b->budget_name, "epochs");
	assert_int_equal(b->ntrials, d->ntrials);
	assert_int_equal(b->best, d->best);
	assert_true(b->rung == d->rung && b->top == d->top);
	for (size_t i = 0; i < d->np; i++)
		assert_true(b->pts[i].from == d->pts[i].from && b->pts[i].trial == d->pts[i].trial);
	hpo_plot_data_free(b);
	hpo_plot_data_free(d);

	/* without the space: the reserved keys are still no parameters, the
	 * budget is one, and every point counts */
	json_object_set_new(task, "space", json_null());
	d = data_ok(task);
	assert_int_equal(d->nparams, 2);
	assert_null(d->budget_name);
	assert_true(isnan(d->top) && isnan(d->rung));
	assert_int_equal(d->best, 1);
	assert_int_equal(d->ntrials, 4);
	assert_null(hpo_plot_rung(d));
	assert_false(hpo_plot_all(d) & 1u << HPO_PLOT_RUNGS);
	hpo_plot_data_free(d);
	json_decref(task);
}

/* a log axis over losses up to near DBL_MAX (or down to near DBL_MIN)
 * keeps finite ends and ticks: its margin overflowed to inf, and every tick
 * past the first was inf (the view fuzzer) */
static void
test_log_scale_extremes(void **state)
{
	struct hpo_scale s;
	double t[32];
	size_t n;

	(void)state;
	hpo_scale_fit(&s, 0.25, 9.9e307, 1);
	assert_true(s.log && s.lo > 0 && s.lo <= 0.25 && s.hi >= 9.9e307 && isfinite(s.hi));
	n = hpo_scale_ticks(&s, t, 32);
	assert_true(n >= 2 && n <= 32);
	for (size_t i = 0; i < n; i++)
		assert_true(isfinite(t[i]) && t[i] >= s.lo && t[i] <= s.hi);
	hpo_scale_fit(&s, 1e-307, 1e10, 1);
	assert_true(s.log && s.lo > 0 && s.lo <= 1e-307 && isfinite(s.hi));
	n = hpo_scale_ticks(&s, t, 32);
	for (size_t i = 0; i < n; i++)
		assert_true(isfinite(t[i]) && t[i] > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_log_without_space),
		cmocka_unit_test(test_empty_and_bad),
		cmocka_unit_test(test_view_task),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_columns_and_kth),
		cmocka_unit_test(test_scales),
		cmocka_unit_test(test_log_scale_extremes),
		cmocka_unit_test(test_importance),
		cmocka_unit_test(test_kinds_and_formats),
		cmocka_unit_test(test_rungs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
