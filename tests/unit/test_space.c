/* test_space.c - search spaces: parsing, errors, JSON form, sampling, grids */
#include "autoconf.h"

#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "space.h"

#define NSAMPLES 10000

static struct hpo_space *
space_ok(const char *text)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_space *s = NULL;

	if (hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err) < 0)
		fail_msg("unexpected parse error: %s", err.msg);
	if (hpo_space_from_json(doc, hpo_doc_root(doc), &s, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	hpo_doc_free(doc);
	assert_non_null(s);
	return s;
}

/* The space must be rejected with exactly the message expect. */
static void
space_fails(const char *text, const char *expect)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_space *s = NULL;

	if (hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err) < 0)
		fail_msg("unexpected parse error: %s", err.msg);
	assert_int_equal(hpo_space_from_json(doc, hpo_doc_root(doc), &s, &err), -1);
	assert_null(s);
	assert_int_equal(err.kind, HPO_E_INPUT);
	if (strcmp(err.msg, expect) != 0)
		fail_msg("error '%s', expected '%s'", err.msg, expect);
	hpo_doc_free(doc);
}

/* The JSON text, compact, keys in order (malloc'ed). */
static char *
dumps(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	assert_non_null(s);
	return s;
}

static void
assert_json_text(const json_t *v, const char *expect)
{
	char *s = dumps(v);

	if (strcmp(s, expect) != 0) {
		fprintf(stderr, "got      %s\nexpected %s\n", s, expect);
		free(s);
		fail();
	}
	free(s);
}

static char *
space_text(const struct hpo_space *s)
{
	json_t *j = hpo_space_to_json(s);
	char *t;

	assert_non_null(j);
	t = dumps(j);
	json_decref(j);
	return t;
}

static const struct hpo_param *
param(const struct hpo_space *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->params[i].name, name) == 0)
			return &s->params[i];
	fail_msg("no parameter '%s'", name);
	return NULL;
}

static void
point_ok(const struct hpo_space *s, const json_t *point)
{
	struct hpo_err err = {0};

	if (hpo_space_check_point(s, point, "p", &err) < 0) {
		char *t = dumps(point);
		fprintf(stderr, "point %s\n", t);
		free(t);
		fail_msg("unexpected error: %s", err.msg);
	}
}

/* check_point on the JSON text must fail with exactly expect. */
static void
point_fails(const struct hpo_space *s, const char *point, const char *expect)
{
	struct hpo_err err = {0};
	json_t *p = json_loads(point, JSON_DECODE_ANY, NULL);

	assert_non_null(p);
	assert_int_equal(hpo_space_check_point(s, p, "p", &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	if (strcmp(err.msg, expect) != 0)
		fail_msg("error '%s', expected '%s'", err.msg, expect);
	json_decref(p);
}

static void
point_text_ok(const struct hpo_space *s, const char *point)
{
	json_t *p = json_loads(point, 0, NULL);

	assert_non_null(p);
	point_ok(s, p);
	json_decref(p);
}

/* ---- parsing ---------------------------------------------------------- */

static const char all_canonical[] =
	"u:\n"
	"  method: uniform\n"
	"  dimension: {low: -2, high: 3.5}\n"
	"i: {method: uniformint, dimension: {low: -3, high: 4}}\n"
	"q: {method: quniform, dimension: {low: 0.05, high: 0.95, q: 0.1}}\n"
	"l: {method: loguniform, dimension: {low: 0.001, high: 10, base: 10}}\n"
	"ql: {method: qloguniform, dimension: {low: 1, high: 1000, q: 1}}\n"
	"n: {method: normal, dimension: {mu: 1, sigma: 2}}\n"
	"qn: {method: qnormal, dimension: {mu: 0, sigma: 10, q: 0.5}}\n"
	"ln: {method: lognormal, dimension: {mu: 0, sigma: 1}}\n"
	"qln: {method: qlognormal, dimension: {mu: 0, sigma: 1, q: 0.1}}\n"
	"c: {method: categorical, dimension: {categories: [a, 2, true, 1.5], grid_search: 1}}\n"
	"f: {method: fixed, dimension: {value: {k: [1, 2]}}}\n";

static const char all_flat[] =
	"u:\n"
	"  method: uniform\n"
	"  low: -2\n"
	"  high: 3.5\n"
	"i: {method: uniformint, low: -3, high: 4}\n"
	"q: {method: quniform, low: 0.05, high: 0.95, q: 0.1}\n"
	"l: {method: loguniform, low: 0.001, high: 10, base: 10}\n"
	"ql: {method: qloguniform, low: 1, high: 1000, q: 1}\n"
	"n: {method: normal, mu: 1, sigma: 2}\n"
	"qn: {method: qnormal, mu: 0, sigma: 10, q: 0.5}\n"
	"ln: {method: lognormal, mu: 0, sigma: 1}\n"
	"qln: {method: qlognormal, mu: 0, sigma: 1, q: 0.1}\n"
	"c: {method: categorical, categories: [a, 2, true, 1.5], grid_search: true}\n"
	"f: {method: fixed, value: {k: [1, 2]}}\n";

static void
check_all_fields(const struct hpo_space *s)
{
	const struct hpo_param *p;
	json_t *v;

	assert_int_equal(s->n, 11);
	assert_string_equal(s->params[0].name, "u");
	assert_string_equal(s->params[10].name, "f");
	p = param(s, "u");
	assert_int_equal(p->method, HPO_UNIFORM);
	assert_true(p->low == -2 && p->high == 3.5 && p->q == 0);
	p = param(s, "i");
	assert_int_equal(p->method, HPO_UNIFORMINT);
	assert_true(p->low == -3 && p->high == 4);
	p = param(s, "q");
	assert_int_equal(p->method, HPO_QUNIFORM);
	assert_true(p->low == 0.05 && p->high == 0.95 && p->q == 0.1);
	p = param(s, "l");
	assert_int_equal(p->method, HPO_LOGUNIFORM);
	assert_true(p->low == 0.001 && p->high == 10 && p->base == 10);
	p = param(s, "ql");
	assert_int_equal(p->method, HPO_QLOGUNIFORM);
	assert_true(p->low == 1 && p->high == 1000 && p->q == 1 && p->base == M_E);
	p = param(s, "n");
	assert_int_equal(p->method, HPO_NORMAL);
	assert_true(p->mu == 1 && p->sigma == 2 && p->q == 0);
	p = param(s, "qn");
	assert_int_equal(p->method, HPO_QNORMAL);
	assert_true(p->mu == 0 && p->sigma == 10 && p->q == 0.5);
	p = param(s, "ln");
	assert_int_equal(p->method, HPO_LOGNORMAL);
	assert_true(p->mu == 0 && p->sigma == 1);
	p = param(s, "qln");
	assert_int_equal(p->method, HPO_QLOGNORMAL);
	assert_true(p->mu == 0 && p->sigma == 1 && p->q == 0.1);
	p = param(s, "c");
	assert_int_equal(p->method, HPO_CATEGORICAL);
	assert_int_equal(json_array_size(p->categories), 4);
	assert_string_equal(json_string_value(json_array_get(p->categories, 0)), "a");
	assert_int_equal(json_integer_value(json_array_get(p->categories, 1)), 2);
	assert_true(json_is_true(json_array_get(p->categories, 2)));
	assert_true(json_real_value(json_array_get(p->categories, 3)) == 1.5);
	assert_int_equal(p->grid_search, 1);
	p = param(s, "f");
	assert_int_equal(p->method, HPO_FIXED);
	v = json_loads("{\"k\": [1, 2]}", 0, NULL);
	assert_true(json_equal(p->value, v));
	json_decref(v);
}

static void
test_parse_canonical(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(all_canonical);

	check_all_fields(s);
	hpo_space_free(s);
}

static void
test_parse_flattened(void **state)
{
	(void)state;
	struct hpo_space *a = space_ok(all_flat), *b = space_ok(all_canonical);
	char *ta, *tb;

	check_all_fields(a);
	/* both forms have the same canonical JSON */
	ta = space_text(a);
	tb = space_text(b);
	assert_string_equal(ta, tb);
	free(ta);
	free(tb);
	hpo_space_free(a);
	hpo_space_free(b);
}

static void
test_parse_json_text(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("{\"x\": {\"method\": \"uniform\", "
				       "\"dimension\": {\"low\": 0, \"high\": 1}}}");

	assert_int_equal(s->n, 1);
	assert_int_equal(s->params[0].method, HPO_UNIFORM);
	assert_true(s->params[0].high == 1);
	hpo_space_free(s);
}

static void
test_method_names(void **state)
{
	(void)state;
	assert_string_equal(hpo_method_name(HPO_UNIFORM), "uniform");
	assert_string_equal(hpo_method_name(HPO_QLOGUNIFORM), "qloguniform");
	assert_string_equal(hpo_method_name(HPO_CATEGORICAL), "categorical");
	assert_string_equal(hpo_method_name(HPO_FIXED), "fixed");
	assert_string_equal(hpo_method_name((enum hpo_method)99), "unknown");
}

/* ---- errors -------------------------------------------------------------- */

static void
test_errors_positions(void **state)
{
	(void)state;
	space_fails("x1: {method: uniform, low: 10, high: 5}\n",
		    "t.yaml:1:23: parameter 'x1': low (10) must be below high (5)");
	space_fails("a: {method: fixed, value: 1}\n"
		    "x1:\n"
		    "  method: uniform\n"
		    "  dimension:\n"
		    "    low: 10\n"
		    "    high: 5\n",
		    "t.yaml:5:5: parameter 'x1': low (10) must be below high (5)");
	space_fails("x:\n  method: unifrom\n  low: 0\n  high: 1\n",
		    "t.yaml:2:3: parameter 'x': unknown method 'unifrom' (did you mean 'uniform'?)");
	space_fails("x: {method: uniform, low: 0, hihg: 1}\n",
		    "t.yaml:1:30: parameter 'x': unknown key 'hihg' for method 'uniform' "
		    "(did you mean 'high'?)");
	space_fails("x:\n  method: quniform\n  low: 0\n  high: 1\n",
		    "t.yaml:1:1: parameter 'x': method 'quniform' needs 'q'");
	space_fails("\"\": {method: fixed, value: 1}\n",
		    "t.yaml:1:1: a parameter name must not be empty");
	space_fails("x: 3\n", "t.yaml:1:1: parameter 'x': the specification must be a mapping, "
			      "not a number");
	space_fails("- 1\n", "t.yaml:1:1: the search space must be a mapping of parameter "
			     "names to specifications, not a list");
	space_fails("{}\n", "t.yaml:1:1: the search space is empty");
	space_fails("x: {method: loguniform, low: 0, high: 1}\n",
		    "t.yaml:1:25: parameter 'x': low (0) must be positive for method 'loguniform'");
	space_fails("c: {method: categorical, categories: [a, b, a]}\n",
		    "t.yaml:1:26: parameter 'c': category \"a\" appears twice");
	space_fails("ok: {method: fixed, value: 1}\n"
		    "x: {method: normal, mu: 0, sigma: -1}\n",
		    "t.yaml:2:28: parameter 'x': sigma (-1) must be positive");
}

static void
test_errors_structure(void **state)
{
	(void)state;
	space_fails("", "t.yaml: the search space must be a mapping of parameter names to "
			"specifications, not null");
	space_fails("x: {low: 0, high: 1}\n", "t.yaml:1:1: parameter 'x': no method given");
	space_fails("x: {method: 3}\n", "t.yaml:1:5: parameter 'x': method must be a string, "
					"not a number");
	space_fails("x: {method: banana}\n", "t.yaml:1:5: parameter 'x': unknown method 'banana'");
	space_fails("x: {method: Uniform, low: 0, high: 1}\n",
		    "t.yaml:1:5: parameter 'x': unknown method 'Uniform' (did you mean 'uniform'?)");
	space_fails("x: {method: uniforint, low: 0, high: 1}\n",
		    "t.yaml:1:5: parameter 'x': unknown method 'uniforint' "
		    "(did you mean 'uniformint'?)");
	space_fails("x: {method: uniform, dimension: [0, 1]}\n",
		    "t.yaml:1:22: parameter 'x': dimension must be a mapping, not a list");
	space_fails("x: {method: uniform, dimension: {low: 0}, high: 1}\n",
		    "t.yaml:1:43: parameter 'x': 'high' must be inside 'dimension'");
	space_fails("x: {method: uniform, dimension: {low: 0, high: 1}, methd: 1}\n",
		    "t.yaml:1:52: parameter 'x': unknown key 'methd' (did you mean 'method'?)");
	space_fails("x: {method: uniform, dimension: {low: 0, high: 1}, zzz: 1}\n",
		    "t.yaml:1:52: parameter 'x': unknown key 'zzz'");
	space_fails("x: {method: uniform, dimension: {low: 0, high: 1, q: 1}}\n",
		    "t.yaml:1:51: parameter 'x': unknown key 'q' for method 'uniform' "
		    "(expected low, high)");
	space_fails("x: {method: uniform, dimention: {low: 0, high: 1}}\n",
		    "t.yaml:1:22: parameter 'x': unknown key 'dimention' for method 'uniform' "
		    "(did you mean 'dimension'?)");
	space_fails("x: {method: normal, mu: 0, sigmma: 1}\n",
		    "t.yaml:1:28: parameter 'x': unknown key 'sigmma' for method 'normal' "
		    "(did you mean 'sigma'?)");
	space_fails("x: {method: uniform, dimension: {low: 0}}\n",
		    "t.yaml:1:22: parameter 'x': method 'uniform' needs 'high'");
	space_fails("x: {method: fixed}\n", "t.yaml:1:1: parameter 'x': method 'fixed' needs 'value'");
}

static void
test_errors_values(void **state)
{
	(void)state;
	space_fails("x: {method: uniform, low: '0', high: 1}\n",
		    "t.yaml:1:22: parameter 'x': low must be a number, not a string");
	space_fails("x: {method: uniform, low: 0, high: true}\n",
		    "t.yaml:1:30: parameter 'x': high must be a number, not a boolean");
	space_fails("x: {method: uniform, low: 1, high: 1}\n",
		    "t.yaml:1:22: parameter 'x': low (1) must be below high (1)");
	space_fails("x: {method: quniform, low: 2.5, high: 1, q: 0.5}\n",
		    "t.yaml:1:23: parameter 'x': low (2.5) must be below high (1)");
	space_fails("x: {method: uniformint, low: 5, high: 4}\n",
		    "t.yaml:1:25: parameter 'x': low (5) must not be above high (4)");
	space_fails("x: {method: uniformint, low: 0, high: 4.5}\n",
		    "t.yaml:1:33: parameter 'x': high (4.5) must be an integer");
	space_fails("x: {method: uniformint, low: 0, high: 1e17}\n",
		    "t.yaml:1:33: parameter 'x': high (1e+17) must be between "
		    "-2^53 and 2^53");
	space_fails("x: {method: qloguniform, low: -1, high: 10, q: 1}\n",
		    "t.yaml:1:26: parameter 'x': low (-1) must be positive for method 'qloguniform'");
	space_fails("x: {method: loguniform, low: 1, high: 10, base: 1}\n",
		    "t.yaml:1:43: parameter 'x': base (1) must be above 1");
	space_fails("x: {method: loguniform, low: 1, high: 10, base: 0.5}\n",
		    "t.yaml:1:43: parameter 'x': base (0.5) must be above 1");
	space_fails("x: {method: quniform, low: 0, high: 1, q: 0}\n",
		    "t.yaml:1:40: parameter 'x': q (0) must be positive");
	space_fails("x: {method: qnormal, mu: 0, sigma: 1, q: -0.5}\n",
		    "t.yaml:1:39: parameter 'x': q (-0.5) must be positive");
	space_fails("x: {method: qlognormal, mu: 0, sigma: 0, q: 1}\n",
		    "t.yaml:1:32: parameter 'x': sigma (0) must be positive");
	space_fails("x: {method: normal, mu: x, sigma: 1}\n",
		    "t.yaml:1:21: parameter 'x': mu must be a number, not a string");
	space_fails("x: {method: quniform, low: 0.25, high: 0.27, q: 0.1}\n",
		    "t.yaml:1:46: parameter 'x': no multiple of q (0.1) lies between low (0.25) "
		    "and high (0.27)");
	space_fails("x: {method: quniform, low: 0, high: 1e300, q: 1e-300}\n",
		    "t.yaml:1:44: parameter 'x': q (1e-300) is too small for the range");
	space_fails("c: {method: categorical, categories: []}\n",
		    "t.yaml:1:26: parameter 'c': categories must not be empty");
	space_fails("c: {method: categorical, categories: a}\n",
		    "t.yaml:1:26: parameter 'c': categories must be a list, not a string");
	space_fails("c: {method: categorical, categories: [a], grid_search: 2}\n",
		    "t.yaml:1:43: parameter 'c': grid_search must be 0, 1, true or false");
	space_fails("c: {method: categorical, categories: [a], grid_search: yes}\n",
		    "t.yaml:1:43: parameter 'c': grid_search must be 0, 1, true or false");
}

static void
test_errors_without_doc(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	struct hpo_space *s = NULL;
	json_t *v = json_loads("{\"x\":{\"method\":\"uniform\",\"dimension\":{\"low\":2,\"high\":1}}}",
			       0, NULL);

	assert_int_equal(hpo_space_from_json(NULL, v, &s, &err), -1);
	assert_null(s);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, "parameter 'x': low (2) must be below high (1)");
	json_decref(v);

	v = json_loads("{\"a\":{\"method\":\"fixed\",\"dimension\":{\"value\":1}},"
		       "\"b\":{\"method\":\"catgorical\",\"dimension\":{}}}", 0, NULL);
	assert_int_equal(hpo_space_from_json(NULL, v, &s, &err), -1);
	assert_string_equal(err.msg,
			    "parameter 'b': unknown method 'catgorical' (did you mean 'categorical'?)");
	json_decref(v);
}

/* ---- JSON form ------------------------------------------------------------ */

static void
test_canonical_json(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(
		"lr: {method: loguniform, low: 0.25, high: 0.5, base: 10}\n"
		"lr2: {method: qloguniform, low: 1, high: 64.0, q: 1}\n"
		"layers: {method: uniformint, low: 1, high: 4.0}\n"
		"act:\n"
		"  method: categorical\n"
		"  dimension:\n"
		"    categories: [relu, tanh, 3, false]\n"
		"    grid_search: true\n"
		"act2: {method: categorical, categories: [x]}\n"
		"drop: {method: quniform, q: 0.1, low: 0, high: 0.5}\n"
		"w: {method: qnormal, sigma: 2, mu: -1, q: 0.5}\n"
		"opt: {method: fixed, value: adam}\n");
	json_t *j = hpo_space_to_json(s);

	assert_json_text(j,
		"{\"lr\":{\"method\":\"loguniform\",\"dimension\":{\"low\":0.25,\"high\":0.5,"
		"\"base\":10}},"
		"\"lr2\":{\"method\":\"qloguniform\",\"dimension\":{\"low\":1,\"high\":64.0,"
		"\"q\":1}},"
		"\"layers\":{\"method\":\"uniformint\",\"dimension\":{\"low\":1,\"high\":4}},"
		"\"act\":{\"method\":\"categorical\",\"dimension\":{\"categories\":"
		"[\"relu\",\"tanh\",3,false],\"grid_search\":1}},"
		"\"act2\":{\"method\":\"categorical\",\"dimension\":{\"categories\":[\"x\"]}},"
		"\"drop\":{\"method\":\"quniform\",\"dimension\":{\"q\":0.10000000000000001,"
		"\"low\":0,\"high\":0.5}},"
		"\"w\":{\"method\":\"qnormal\",\"dimension\":{\"sigma\":2,\"mu\":-1,\"q\":0.5}},"
		"\"opt\":{\"method\":\"fixed\",\"dimension\":{\"value\":\"adam\"}}}");
	/* the default base is not written */
	assert_true(param(s, "lr2")->base == M_E);
	json_decref(j);
	hpo_space_free(s);
}

static void
test_round_trip(void **state)
{
	(void)state;
	struct hpo_space *a = space_ok(all_flat), *b = NULL;
	struct hpo_err err = {0};
	json_t *j = hpo_space_to_json(a);
	char *ta, *tb;

	assert_int_equal(hpo_space_from_json(NULL, j, &b, &err), 0);
	ta = space_text(a);
	tb = space_text(b);
	assert_string_equal(ta, tb);
	check_all_fields(b);
	free(ta);
	free(tb);
	json_decref(j);
	hpo_space_free(a);
	hpo_space_free(b);
}

static void
test_to_json_hand_built(void **state)
{
	(void)state;
	struct hpo_param params[3] = {
		{.name = "l", .method = HPO_LOGUNIFORM, .low = 1, .high = 2, .base = M_E},
		{.name = "n", .method = HPO_UNIFORMINT, .low = 0, .high = 9},
		{.name = "f", .method = HPO_FIXED},
	};
	struct hpo_space s = {3, params};
	json_t *j;

	params[2].value = json_string("v");
	j = hpo_space_to_json(&s);
	assert_json_text(j, "{\"l\":{\"method\":\"loguniform\",\"dimension\":{\"low\":1.0,"
			    "\"high\":2.0}},\"n\":{\"method\":\"uniformint\",\"dimension\":"
			    "{\"low\":0,\"high\":9}},\"f\":{\"method\":\"fixed\",\"dimension\":"
			    "{\"value\":\"v\"}}}");
	json_decref(j);
	json_decref(params[2].value);
}

static void
test_load(void **state)
{
	(void)state;
	char path[] = "/tmp/test_space.XXXXXX";
	const char *text = "x: {method: uniform, low: 0, high: 1}\ny: {method: normal}\n";
	struct hpo_err err = {0};
	struct hpo_space *s = NULL;
	char expect[256];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(hpo_space_load(path, &s, &err), -1);
	assert_null(s);
	snprintf(expect, sizeof(expect), "%s:2:1: parameter 'y': method 'normal' needs 'mu'", path);
	assert_string_equal(err.msg, expect);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	text = "x: {method: uniform, low: 0, high: 1}\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(hpo_space_load(path, &s, &err), 0);
	assert_int_equal(s->n, 1);
	assert_true(s->params[0].high == 1);
	hpo_space_free(s);
	unlink(path);

	assert_int_equal(hpo_space_load(path, &s, &err), -1);
	assert_null(s);
	assert_int_equal(err.kind, HPO_E_SYS);
}

/* ---- sampling ------------------------------------------------------------- */

static double
num(const json_t *point, const char *name)
{
	const json_t *v = json_object_get(point, name);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

/* x is exactly k * q for a whole k, computed as (double)k * q. */
static int
exactly_on_grid(double x, double q)
{
	return round(x / q) * q == x;
}

static void
test_sample_all_methods(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(all_flat);
	struct hpo_rng rng;
	int seen_i[8] = {0}, seen_c[4] = {0}, seen_q[9] = {0};
	int seen_ql_low = 0, seen_qln_zero = 0, seen_qn_zero = 0;
	json_t *fixed = json_loads("{\"k\": [1, 2]}", 0, NULL);
	const json_t *cats = param(s, "c")->categories;

	hpo_rng_seed(&rng, 12345);
	for (int n = 0; n < NSAMPLES; n++) {
		json_t *p = hpo_space_sample(s, &rng);
		double x;

		assert_non_null(p);
		assert_int_equal(json_object_size(p), 11);
		point_ok(s, p);

		assert_true(json_is_real(json_object_get(p, "u")));
		x = num(p, "u");
		assert_true(x >= -2 && x <= 3.5);

		assert_true(json_is_integer(json_object_get(p, "i")));
		x = num(p, "i");
		assert_true(x >= -3 && x <= 4);
		seen_i[(int)x + 3]++;

		assert_true(json_is_real(json_object_get(p, "q")));
		x = num(p, "q");
		assert_true(exactly_on_grid(x, 0.1));
		assert_true(round(x / 0.1) >= 1 && round(x / 0.1) <= 9);
		seen_q[(int)round(x / 0.1) - 1]++;

		assert_true(json_is_real(json_object_get(p, "l")));
		x = num(p, "l");
		assert_true(x >= 0.001 && x <= 10);

		assert_true(json_is_integer(json_object_get(p, "ql")));
		x = num(p, "ql");
		assert_true(x >= 1 && x <= 1000);
		seen_ql_low += x == 1;

		assert_true(json_is_real(json_object_get(p, "n")));
		assert_true(isfinite(num(p, "n")));

		assert_true(json_is_real(json_object_get(p, "qn")));
		assert_true(exactly_on_grid(num(p, "qn"), 0.5));
		if (num(p, "qn") == 0) {
			/* round(-0.2 / 0.5) * 0.5 is -0: written as 0.0 */
			char *t = dumps(json_object_get(p, "qn"));
			assert_string_equal(t, "0.0");
			free(t);
			seen_qn_zero++;
		}

		assert_true(json_is_real(json_object_get(p, "ln")));
		assert_true(num(p, "ln") > 0);

		assert_true(json_is_real(json_object_get(p, "qln")));
		x = num(p, "qln");
		assert_true(x >= 0 && exactly_on_grid(x, 0.1));
		seen_qln_zero += x == 0;

		for (size_t k = 0; k < 4; k++)
			if (json_equal(json_object_get(p, "c"), json_array_get(cats, k)))
				seen_c[k]++;

		assert_true(json_equal(json_object_get(p, "f"), fixed));
		json_decref(p);
	}
	for (int k = 0; k < 8; k++)
		assert_true(seen_i[k] > NSAMPLES / 8 / 2);
	for (int k = 0; k < 4; k++)
		assert_true(seen_c[k] > NSAMPLES / 4 / 2);
	assert_int_equal(seen_c[0] + seen_c[1] + seen_c[2] + seen_c[3], NSAMPLES);
	for (int k = 0; k < 9; k++)
		assert_true(seen_q[k] > 0);
	/* 0.1 takes the draws in [0.05, 0.15): 1/9 of them */
	assert_true(seen_q[0] > NSAMPLES / 9 / 2 && seen_q[0] < NSAMPLES / 9 * 2);
	assert_true(seen_ql_low > 0);
	assert_true(seen_qn_zero > 0);
	/* P(exp(N(0,1)) < 0.05) = P(N < -3.0) ~ 0.0013 */
	assert_true(seen_qln_zero < NSAMPLES / 100);
	json_decref(fixed);
	hpo_space_free(s);
}

static void
test_sample_integral_q(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("a: {method: quniform, low: 0, high: 100, q: 5}\n"
				       "b: {method: quniform, low: 0.5, high: 10.0, q: 2}\n"
				       "c: {method: qnormal, mu: 0, sigma: 10, q: 2}\n"
				       "d: {method: qlognormal, mu: 2, sigma: 1, q: 1}\n"
				       "e: {method: quniform, low: 0, high: 10, q: 2.5}\n");
	struct hpo_rng rng;
	int seen_a[21] = {0};

	hpo_rng_seed(&rng, 7);
	for (int n = 0; n < NSAMPLES; n++) {
		json_t *p = hpo_space_sample(s, &rng);
		double x;

		point_ok(s, p);
		assert_true(json_is_integer(json_object_get(p, "a")));
		x = num(p, "a");
		assert_true(x >= 0 && x <= 100 && fmod(x, 5) == 0);
		seen_a[(int)x / 5]++;
		/* low 0.5 is not integral: reals */
		assert_true(json_is_real(json_object_get(p, "b")));
		x = num(p, "b");
		assert_true(x >= 2 && x <= 10 && fmod(x, 2) == 0);
		assert_true(json_is_integer(json_object_get(p, "c")));
		assert_true(json_integer_value(json_object_get(p, "c")) % 2 == 0);
		assert_true(json_is_integer(json_object_get(p, "d")));
		assert_true(json_integer_value(json_object_get(p, "d")) >= 0);
		assert_true(json_is_real(json_object_get(p, "e")));
		x = num(p, "e");
		assert_true(x == 0 || x == 2.5 || x == 5 || x == 7.5 || x == 10);
		json_decref(p);
	}
	for (int k = 0; k <= 20; k++)
		assert_true(seen_a[k] > 0);
	hpo_space_free(s);
}

/* The fidelity parameter: its rungs, its value for the other algorithms,
 * and the reserved keys of a multi-fidelity point. */
static void
test_fidelity(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("lr: {method: loguniform, low: 0.001, high: 1}\n"
				       "epochs: {method: fidelity, low: 1, high: 81}\n");
	const struct hpo_param *e = param(s, "epochs");
	double r[HPO_RUNGS_MAX];
	struct hpo_rng rng;
	json_t *p, *j;
	char *t;

	assert_int_equal(hpo_space_fidelity(s), 1);
	assert_true(e->eta == 3);
	assert_int_equal(hpo_param_rungs(e, r), 5);
	assert_true(r[0] == 1 && r[1] == 3 && r[2] == 9 && r[3] == 27 && r[4] == 81);
	/* not searched: a sample is the full budget, a JSON integer */
	hpo_rng_seed(&rng, 3);
	p = hpo_space_sample(s, &rng);
	assert_true(json_is_integer(json_object_get(p, "epochs")));
	assert_int_equal(json_integer_value(json_object_get(p, "epochs")), 81);
	json_decref(p);
	/* the canonical form keeps what was given, and eta only when given */
	j = hpo_space_to_json(s);
	t = dumps(json_object_get(j, "epochs"));
	assert_string_equal(t, "{\"method\":\"fidelity\",\"dimension\":{\"low\":1,\"high\":81}}");
	free(t);
	json_decref(j);

	point_text_ok(s, "{\"lr\": 0.1, \"epochs\": 9}");
	point_text_ok(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_trial\": \"t7\"}");
	point_text_ok(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_trial\": \"a.b-C9\", "
			 "\"__hpo_continues\": 3}");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 9.5}",
		    "p: parameter 'epochs': 9.5 is not an integer");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 100}",
		    "p: parameter 'epochs': 100 is above high (81)");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_trial\": \"../x\"}",
		    "p: '__hpo_trial' must be a string of letters, digits, '.' and '-' (at "
		    "most 64), starting with a letter");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_trial\": 7}",
		    "p: '__hpo_trial' must be a string of letters, digits, '.' and '-' (at "
		    "most 64), starting with a letter");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_trial\": \"7\"}",
		    "p: '__hpo_trial' must be a string of letters, digits, '.' and '-' (at "
		    "most 64), starting with a letter");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_trial\": \"t1\", "
		       "\"__hpo_continues\": 9}",
		    "p: '__hpo_continues' (9) must be a budget below the point's 'epochs' (9)");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_continues\": 3}",
		    "p: '__hpo_continues' without '__hpo_trial'");
	point_fails(s, "{\"lr\": 0.1, \"epochs\": 9, \"__hpo_trial\": \"t1\", "
		       "\"__hpo_continues\": \"3\"}",
		    "p: '__hpo_continues' must be a budget (a number), not a string");
	hpo_space_free(s);

	/* without a fidelity parameter the keys are not allowed */
	s = space_ok("lr: {method: uniform, low: 0, high: 1}\n");
	assert_int_equal(hpo_space_fidelity(s), -1);
	point_fails(s, "{\"lr\": 0.1, \"__hpo_trial\": \"t1\"}",
		    "p: '__hpo_trial' is reserved for tasks with a fidelity parameter");
	hpo_space_free(s);

	/* reals, another eta, rungs from the top down */
	s = space_ok("f: {method: fidelity, dimension: {low: 0.1, high: 1.0, eta: 2}}\n");
	e = param(s, "f");
	assert_int_equal(hpo_param_rungs(e, r), 4);
	assert_true(r[0] == 0.125 && r[1] == 0.25 && r[2] == 0.5 && r[3] == 1.0);
	hpo_rng_seed(&rng, 3);
	p = hpo_space_sample(s, &rng);
	assert_true(json_is_real(json_object_get(p, "f")));
	json_decref(p);
	hpo_space_free(s);
	/* rounded to whole numbers, a rung is never twice */
	s = space_ok("f: {method: fidelity, low: 1, high: 5, eta: 1.5}\n");
	assert_int_equal(hpo_param_rungs(param(s, "f"), r), 4);
	assert_true(r[0] == 1 && r[1] == 2 && r[2] == 3 && r[3] == 5);
	hpo_space_free(s);

	space_fails("a: {method: fidelity, low: 0, high: 10}\n",
		    "t.yaml:1:23: parameter 'a': low (0) must be positive for method 'fidelity'");
	space_fails("a: {method: fidelity, low: 1, high: 10, eta: 1}\n",
		    "t.yaml:1:41: parameter 'a': eta (1) must be above 1");
	space_fails("a: {method: fidelity, low: 1, high: 10}\nb: {method: fidelity, low: 1, high: 9}\n",
		    "t.yaml:2:1: parameter 'b': a second fidelity parameter (the first is 'a'): "
		    "a task has one budget");
	space_fails("__hpo_x: {method: uniform, low: 0, high: 1}\n",
		    "t.yaml:1:1: parameter names starting with '__hpo_' are reserved");
}

/* q = 0.1: grid values are (double)k * 0.1, e.g. 0.30000000000000004. */
static void
test_sample_float_grid(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("q: {method: quniform, low: 0, high: 1, q: 0.1}\n");
	struct hpo_rng rng;
	int seen3 = 0, seen_high = 0;

	hpo_rng_seed(&rng, 99);
	for (int n = 0; n < NSAMPLES; n++) {
		json_t *p = hpo_space_sample(s, &rng);
		double x = num(p, "q");
		char *t;

		assert_true(exactly_on_grid(x, 0.1));
		assert_true(x >= 0 && x <= 1);
		if (round(x / 0.1) == 3) {
			assert_true(x == 3.0 * 0.1);
			t = dumps(p);
			assert_string_equal(t, "{\"q\":0.30000000000000004}");
			free(t);
			seen3++;
		}
		seen_high += x == 1.0;
		json_decref(p);
	}
	assert_true(seen3 > 0);
	assert_true(seen_high > 0);
	/* both spellings of three tenths are on the grid */
	point_text_ok(s, "{\"q\": 0.3}");
	point_text_ok(s, "{\"q\": 0.30000000000000004}");
	point_text_ok(s, "{\"q\": 0.7000000000000001}");
	point_text_ok(s, "{\"q\": 0}");
	hpo_space_free(s);
}

static void
test_sample_means(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("u: {method: uniform, low: -2, high: 3}\n"
				       "n: {method: normal, mu: 1, sigma: 2}\n"
				       "i: {method: uniformint, low: -3, high: 4}\n"
				       "l: {method: loguniform, low: 0.001, high: 10}\n"
				       "ln: {method: lognormal, mu: 0.5, sigma: 1}\n");
	struct hpo_rng rng;
	double su = 0, sn = 0, sn2 = 0, si = 0, sl = 0, sln = 0, se;

	hpo_rng_seed(&rng, 2024);
	for (int n = 0; n < NSAMPLES; n++) {
		json_t *p = hpo_space_sample(s, &rng);
		su += num(p, "u");
		sn += num(p, "n");
		sn2 += (num(p, "n") - 1) * (num(p, "n") - 1);
		si += num(p, "i");
		sl += log(num(p, "l"));
		sln += log(num(p, "ln"));
		json_decref(p);
	}
	/* mean within 5 standard errors of the expected one */
	se = 5 / sqrt(12.0) / sqrt(NSAMPLES);
	assert_true(fabs(su / NSAMPLES - 0.5) < 5 * se);
	se = 2 / sqrt(NSAMPLES);
	assert_true(fabs(sn / NSAMPLES - 1) < 5 * se);
	/* sample sd near 2 */
	assert_true(fabs(sqrt(sn2 / NSAMPLES) - 2) < 0.1);
	se = sqrt((64 - 1) / 12.0) / sqrt(NSAMPLES);
	assert_true(fabs(si / NSAMPLES - 0.5) < 5 * se);
	/* log of a loguniform value is uniform on [ln 0.001, ln 10] */
	se = (log(10) - log(0.001)) / sqrt(12.0) / sqrt(NSAMPLES);
	assert_true(fabs(sl / NSAMPLES - (log(0.001) + log(10)) / 2) < 5 * se);
	se = 1 / sqrt(NSAMPLES);
	assert_true(fabs(sln / NSAMPLES - 0.5) < 5 * se);
	hpo_space_free(s);
}

static void
test_sample_seeds(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(all_flat);
	struct hpo_rng a, b, c;
	int differ = 0;

	hpo_rng_seed(&a, 1);
	hpo_rng_seed(&b, 1);
	hpo_rng_seed(&c, 2);
	for (int n = 0; n < 100; n++) {
		json_t *pa = hpo_space_sample(s, &a);
		json_t *pb = hpo_space_sample(s, &b);
		json_t *pc = hpo_space_sample(s, &c);
		char *ta = dumps(pa), *tb = dumps(pb);

		assert_string_equal(ta, tb);
		differ += !json_equal(json_object_get(pa, "u"), json_object_get(pc, "u"));
		free(ta);
		free(tb);
		json_decref(pa);
		json_decref(pb);
		json_decref(pc);
	}
	assert_int_equal(differ, 100);
	hpo_space_free(s);
}

/* Extreme but valid spaces still give valid, finite samples. */
static void
test_sample_extremes(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(
		"wide: {method: uniform, low: -1e308, high: 1e308}\n"
		"big: {method: uniformint, low: -9007199254740992, high: 9007199254740992}\n"
		"one: {method: uniformint, low: 7, high: 7}\n"
		"tiny: {method: lognormal, mu: -800, sigma: 1}\n"
		"huge: {method: lognormal, mu: 800, sigma: 1}\n"
		"neg: {method: quniform, low: -0.3, high: -0.1, q: 0.1}\n");
	struct hpo_rng rng;
	int seen_neg3 = 0;

	hpo_rng_seed(&rng, 5);
	for (int n = 0; n < 1000; n++) {
		json_t *p = hpo_space_sample(s, &rng);
		double x;

		assert_non_null(p);
		point_ok(s, p);
		assert_true(isfinite(num(p, "wide")));
		assert_true(json_is_integer(json_object_get(p, "big")));
		assert_int_equal(json_integer_value(json_object_get(p, "one")), 7);
		assert_true(num(p, "tiny") > 0);
		assert_true(isfinite(num(p, "huge")));
		x = num(p, "neg");
		seen_neg3 += x == -3.0 * 0.1;
		json_decref(p);
	}
	assert_true(seen_neg3 > 0);
	hpo_space_free(s);
}

/* ---- checking points --------------------------------------------------------- */

static const char check_space[] =
	"x: {method: uniform, low: 0, high: 10}\n"
	"n: {method: uniformint, low: 1, high: 5}\n"
	"q: {method: quniform, low: 0, high: 1, q: 0.25}\n"
	"c: {method: categorical, categories: [a, b, 3]}\n"
	"f: {method: fixed, value: 7}\n"
	"ln: {method: lognormal, mu: 0, sigma: 1}\n"
	"qn: {method: qnormal, mu: 0, sigma: 1, q: 0.5}\n"
	"ql: {method: qlognormal, mu: 0, sigma: 1, q: 1}\n";

static void
test_check_point_accepts(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(check_space);

	point_text_ok(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"a\", \"f\": 7, \"ln\": 1.5,"
			 " \"qn\": -1.5, \"ql\": 0}");
	/* other key order, integral reals, bounds, categories by value */
	point_text_ok(s, "{\"ql\": 4, \"qn\": 0, \"ln\": 1e-300, \"f\": 7, \"c\": 3,"
			 " \"q\": 1, \"n\": 5.0, \"x\": 0}");
	/* within the relative tolerance of the bounds and the grid */
	point_text_ok(s, "{\"x\": 10.000000001, \"n\": 1, \"q\": 0.7500000001, \"c\": \"b\","
			 " \"f\": 7, \"ln\": 100, \"qn\": 1e6, \"ql\": 2.0000000001}");
	hpo_space_free(s);
}

static void
test_check_point_rejects(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(check_space);
	struct hpo_err err = {0};

#define GOOD_REST "\"c\": \"a\", \"f\": 7, \"ln\": 1, \"qn\": 0, \"ql\": 1"
	point_fails(s, "[1, 2]", "p: a point must be a mapping, not a list");
	point_fails(s, "{\"x\": 5, \"q\": 0.5, " GOOD_REST "}", "p: parameter 'n' is missing");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"z\": 1, " GOOD_REST "}",
		    "p: unknown parameter 'z'");
	point_fails(s, "{\"x\": 12, \"n\": 3, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'x': 12 is above high (10)");
	point_fails(s, "{\"x\": 10.0001, \"n\": 3, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'x': 10.0001 is above high (10)");
	point_fails(s, "{\"x\": -0.5, \"n\": 3, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'x': -0.5 is below low (0)");
	point_fails(s, "{\"x\": \"5\", \"n\": 3, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'x': expected a number, not a string");
	point_fails(s, "{\"x\": null, \"n\": 3, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'x': expected a number, not null");
	point_fails(s, "{\"x\": 5, \"n\": 2.5, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'n': 2.5 is not an integer");
	point_fails(s, "{\"x\": 5, \"n\": 6, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'n': 6 is above high (5)");
	point_fails(s, "{\"x\": 5, \"n\": true, \"q\": 0.5, " GOOD_REST "}",
		    "p: parameter 'n': expected a number, not a boolean");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.3, " GOOD_REST "}",
		    "p: parameter 'q': 0.3 is not a multiple of q (0.25)");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 1.25, " GOOD_REST "}",
		    "p: parameter 'q': 1.25 is above high (1)");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"z\", \"f\": 7, \"ln\": 1,"
		       " \"qn\": 0, \"ql\": 1}",
		    "p: parameter 'c': \"z\" is not one of the categories");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": 3.0, \"f\": 7, \"ln\": 1,"
		       " \"qn\": 0, \"ql\": 1}",
		    "p: parameter 'c': 3.0 is not one of the categories");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": [\"a\"], \"f\": 7, \"ln\": 1,"
		       " \"qn\": 0, \"ql\": 1}",
		    "p: parameter 'c': [\"a\"] is not one of the categories");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"a\", \"f\": 8, \"ln\": 1,"
		       " \"qn\": 0, \"ql\": 1}",
		    "p: parameter 'f': 8 is not the fixed value 7");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"a\", \"f\": 7.0, \"ln\": 1,"
		       " \"qn\": 0, \"ql\": 1}",
		    "p: parameter 'f': 7.0 is not the fixed value 7");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"a\", \"f\": 7, \"ln\": 0,"
		       " \"qn\": 0, \"ql\": 1}",
		    "p: parameter 'ln': 0 is not positive");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"a\", \"f\": 7, \"ln\": 1,"
		       " \"qn\": 0.25, \"ql\": 1}",
		    "p: parameter 'qn': 0.25 is not a multiple of q (0.5)");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"a\", \"f\": 7, \"ln\": 1,"
		       " \"qn\": 0, \"ql\": -1}",
		    "p: parameter 'ql': -1 is negative");
	point_fails(s, "{\"x\": 5, \"n\": 3, \"q\": 0.5, \"c\": \"a\", \"f\": 7, \"ln\": 1,"
		       " \"qn\": 0, \"ql\": 1.5}",
		    "p: parameter 'ql': 1.5 is not a multiple of q (1)");
#undef GOOD_REST
	/* what defaults to "point" */
	json_t *p = json_object();
	assert_int_equal(hpo_space_check_point(s, p, NULL, &err), -1);
	assert_string_equal(err.msg, "point: parameter 'x' is missing");
	json_decref(p);
	hpo_space_free(s);
}

/* ---- grid search ----------------------------------------------------------- */

static const char grid_space[] =
	"c: {method: categorical, categories: [relu, tanh]}\n"
	"i: {method: uniformint, low: 1, high: 3}\n"
	"u: {method: uniform, low: 0, high: 1}\n"
	"f: {method: fixed, value: x}\n"
	"q: {method: quniform, low: 0, high: 1, q: 0.5}\n"
	"l: {method: loguniform, low: 1, high: 100}\n";

static void
assert_grid_point(const struct hpo_space *s, unsigned steps, uint64_t index, const char *expect)
{
	json_t *p = hpo_space_grid_point(s, steps, index);

	assert_non_null(p);
	assert_json_text(p, expect);
	json_decref(p);
}

static void
test_grid_mixed(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(grid_space);
	struct hpo_err err = {0};
	uint64_t size = 0;
	json_t *all;

	assert_int_equal(hpo_space_grid_size(s, 3, &size, &err), 0);
	assert_int_equal(size, 2 * 3 * 3 * 1 * 3 * 3);
	assert_grid_point(s, 3, 0,
		"{\"c\":\"relu\",\"i\":1,\"u\":0.0,\"f\":\"x\",\"q\":0.0,\"l\":1.0}");
	assert_grid_point(s, 3, 1,
		"{\"c\":\"relu\",\"i\":1,\"u\":0.0,\"f\":\"x\",\"q\":0.0,\"l\":10.0}");
	assert_grid_point(s, 3, 3,
		"{\"c\":\"relu\",\"i\":1,\"u\":0.0,\"f\":\"x\",\"q\":0.5,\"l\":1.0}");
	assert_grid_point(s, 3, 9,
		"{\"c\":\"relu\",\"i\":1,\"u\":0.5,\"f\":\"x\",\"q\":0.0,\"l\":1.0}");
	assert_grid_point(s, 3, 27,
		"{\"c\":\"relu\",\"i\":2,\"u\":0.0,\"f\":\"x\",\"q\":0.0,\"l\":1.0}");
	assert_grid_point(s, 3, 81,
		"{\"c\":\"tanh\",\"i\":1,\"u\":0.0,\"f\":\"x\",\"q\":0.0,\"l\":1.0}");
	assert_grid_point(s, 3, 161,
		"{\"c\":\"tanh\",\"i\":3,\"u\":1.0,\"f\":\"x\",\"q\":1.0,\"l\":100.0}");
	assert_null(hpo_space_grid_point(s, 3, 162));

	/* every point is distinct and fits the space */
	all = json_array();
	for (uint64_t k = 0; k < size; k++) {
		json_t *p = hpo_space_grid_point(s, 3, k);
		assert_non_null(p);
		point_ok(s, p);
		for (size_t j = 0; j < json_array_size(all); j++)
			assert_false(json_equal(p, json_array_get(all, j)));
		json_array_append_new(all, p);
	}
	json_decref(all);

	/* one step: the midpoints, geometric for loguniform */
	assert_int_equal(hpo_space_grid_size(s, 1, &size, &err), 0);
	assert_int_equal(size, 2 * 3 * 1 * 1 * 3 * 1);
	assert_grid_point(s, 1, 0,
		"{\"c\":\"relu\",\"i\":1,\"u\":0.5,\"f\":\"x\",\"q\":0.0,\"l\":10.0}");
	assert_grid_point(s, 1, 17,
		"{\"c\":\"tanh\",\"i\":3,\"u\":0.5,\"f\":\"x\",\"q\":1.0,\"l\":10.0}");

	assert_int_equal(hpo_space_grid_size(s, 5, &size, &err), 0);
	assert_int_equal(size, 2 * 3 * 5 * 1 * 3 * 5);
	assert_grid_point(s, 5, 5,
		"{\"c\":\"relu\",\"i\":1,\"u\":0.0,\"f\":\"x\",\"q\":0.5,\"l\":1.0}");
	assert_grid_point(s, 5, 15,
		"{\"c\":\"relu\",\"i\":1,\"u\":0.25,\"f\":\"x\",\"q\":0.0,\"l\":1.0}");
	hpo_space_free(s);
}

static void
test_grid_q_values(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("a: {method: quniform, low: 0.05, high: 0.35, q: 0.1}\n"
				       "b: {method: qloguniform, low: 3, high: 20, q: 5}\n");
	struct hpo_err err = {0};
	uint64_t size = 0;

	/* a: 0.1, 0.2, 0.30000000000000004; b: 5, 10, 15, 20 (integers) */
	assert_int_equal(hpo_space_grid_size(s, 1, &size, &err), 0);
	assert_int_equal(size, 12);
	assert_grid_point(s, 1, 0, "{\"a\":0.10000000000000001,\"b\":5}");
	assert_grid_point(s, 1, 11, "{\"a\":0.30000000000000004,\"b\":20}");
	hpo_space_free(s);
}

static void
test_grid_errors(void **state)
{
	(void)state;
	struct hpo_space *s;
	struct hpo_err err = {0};
	uint64_t size = 99;

	s = space_ok("u: {method: uniform, low: 0, high: 1}\n"
		     "n: {method: normal, mu: 0, sigma: 1}\n");
	assert_int_equal(hpo_space_grid_size(s, 3, &size, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, "parameter 'n': method 'normal' has no finite set of values "
				     "for a grid search");
	assert_int_equal(size, 0);
	assert_null(hpo_space_grid_point(s, 3, 0));
	hpo_space_free(s);

	s = space_ok("a: {method: uniform, low: 0, high: 1}\n"
		     "b: {method: uniform, low: 0, high: 1}\n"
		     "c: {method: loguniform, low: 1, high: 2}\n"
		     "d: {method: uniform, low: 0, high: 1}\n");
	assert_int_equal(hpo_space_grid_size(s, 0, &size, &err), -1);
	assert_string_equal(err.msg, "grid steps must be at least 1");
	assert_int_equal(hpo_space_grid_size(s, 1000000, &size, &err), -1);
	assert_string_equal(err.msg, "the grid has more than 18446744073709551615 points");
	assert_null(hpo_space_grid_point(s, 1000000, 0));
	assert_int_equal(hpo_space_grid_size(s, 1000001, &size, &err), -1);
	assert_string_equal(err.msg, "parameter 'a': 1000001 grid values, more than the limit "
				     "of 1000000");
	/* 65536^4 = 2^64: one too many; 65535^4 fits */
	assert_int_equal(hpo_space_grid_size(s, 65536, &size, &err), -1);
	assert_int_equal(hpo_space_grid_size(s, 65535, &size, &err), 0);
	assert_true(size == (uint64_t)65535 * 65535 * 65535 * 65535);
	hpo_space_free(s);

	s = space_ok("a: {method: uniform, low: 0, high: 1}\n"
		     "b: {method: uniform, low: 0, high: 1}\n"
		     "c: {method: uniform, low: 0, high: 1}\n");
	assert_int_equal(hpo_space_grid_size(s, 1000000, &size, &err), 0);
	assert_true(size == UINT64_C(1000000000000000000));
	assert_grid_point(s, 1000000, size - 1, "{\"a\":1.0,\"b\":1.0,\"c\":1.0}");
	hpo_space_free(s);

	s = space_ok("i: {method: uniformint, low: 0, high: 2000000}\n");
	assert_int_equal(hpo_space_grid_size(s, 1, &size, &err), -1);
	assert_string_equal(err.msg, "parameter 'i': 2000001 grid values, more than the limit "
				     "of 1000000");
	hpo_space_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_canonical),
		cmocka_unit_test(test_parse_flattened),
		cmocka_unit_test(test_parse_json_text),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test(test_errors_positions),
		cmocka_unit_test(test_errors_structure),
		cmocka_unit_test(test_errors_values),
		cmocka_unit_test(test_errors_without_doc),
		cmocka_unit_test(test_canonical_json),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_to_json_hand_built),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_sample_all_methods),
		cmocka_unit_test(test_sample_integral_q),
		cmocka_unit_test(test_sample_float_grid),
		cmocka_unit_test(test_fidelity),
		cmocka_unit_test(test_sample_means),
		cmocka_unit_test(test_sample_seeds),
		cmocka_unit_test(test_sample_extremes),
		cmocka_unit_test(test_check_point_accepts),
		cmocka_unit_test(test_check_point_rejects),
		cmocka_unit_test(test_grid_mixed),
		cmocka_unit_test(test_grid_q_values),
		cmocka_unit_test(test_grid_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
