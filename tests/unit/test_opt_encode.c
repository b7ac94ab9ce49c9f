/* test_opt_encode.c - points as vectors for the optimisers, and parsed histories */
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

#include "optim.h"
#include "optim_fixtures.h"

/* Every method, with integral and non-integral q. */

static void
assert_valid(const struct hpo_space *s, const json_t *point)
{
	struct hpo_err err = {0};

	if (hpo_space_check_point(s, point, "decoded", &err) < 0)
		fail_msg("%s", err.msg);
}

/* The same JSON type (integer, real, ...) for every parameter of a and b. */
static void
assert_same_types(const struct hpo_space *s, const json_t *a, const json_t *b)
{
	for (size_t i = 0; i < s->n; i++) {
		const char *name = s->params[i].name;
		if (s->params[i].method == HPO_CATEGORICAL)
			continue;
		if (json_typeof(json_object_get(a, name)) != json_typeof(json_object_get(b, name)))
			fail_msg("parameter '%s': JSON types differ", name);
	}
}

static void
test_dims(void **state)
{
	struct hpo_space *s = space_ok(all_methods);
	struct hpo_enc enc;

	(void)state;
	hpo_enc_init(s, &enc);
	assert_int_equal(enc.d, 11);	/* the fixed one has no coordinate */
	assert_int_equal(enc.dims[0].kind, HPO_ENC_UNIT);
	assert_int_equal(enc.dims[1].kind, HPO_ENC_UNIT);
	assert_true(fabs(enc.dims[1].step - 0.1) < 1e-15);
	assert_true(fabs(enc.dims[2].step - 0.2) < 1e-15);
	assert_int_equal(enc.dims[4].kind, HPO_ENC_UNIT);
	assert_int_equal(enc.dims[6].kind, HPO_ENC_REAL);
	assert_true(fabs(enc.dims[7].step - 1.0 / 3) < 1e-15);
	assert_int_equal(enc.dims[10].kind, HPO_ENC_CAT);
	assert_int_equal(enc.dims[10].ncat, 6);
	assert_int_equal(enc.dims[10].param, 10);
	hpo_enc_free(&enc);
	hpo_space_free(s);
}

/* decode(encode(p)) == p for random points of every method. */
static void
test_round_trip(void **state)
{
	struct hpo_space *s = space_ok(all_methods);
	struct hpo_enc enc;
	struct hpo_err err = {0};
	double x[16];

	(void)state;
	hpo_enc_init(s, &enc);
	for (uint64_t k = 0; k < 300; k++) {
		struct hpo_rng rng;
		json_t *p, *back;
		hpo_rng_seed2(&rng, 7, k);
		p = hpo_space_sample(s, &rng);
		if (hpo_enc_point(&enc, p, x, &err) < 0)
			fail_msg("%s", err.msg);
		back = hpo_enc_decode(&enc, x);
		assert_non_null(back);
		assert_valid(s, back);
		assert_same_types(s, p, back);
		for (size_t i = 0; i < s->n; i++) {
			const struct hpo_param *par = &s->params[i];
			json_t *a = json_object_get(p, par->name), *b = json_object_get(back, par->name);
			if (par->method == HPO_UNIFORM || par->method == HPO_LOGUNIFORM ||
			    par->method == HPO_NORMAL || par->method == HPO_LOGNORMAL) {
				double va = json_number_value(a), vb = json_number_value(b);
				if (fabs(va - vb) > 1e-12 * fmax(1, fabs(va)))
					fail_msg("%s: %.17g came back as %.17g", par->name, va, vb);
			} else if (!json_equal(a, b)) {
				fail_msg("%s: %s came back as %s", par->name,
					 json_dumps(a, JSON_ENCODE_ANY), json_dumps(b, JSON_ENCODE_ANY));
			}
		}
		json_decref(p);
		json_decref(back);
	}
	hpo_enc_free(&enc);
	hpo_space_free(s);
}

/* Any vector decodes to a valid point, typed like hpo_space_sample's. */
static void
test_decode_anything(void **state)
{
	struct hpo_space *s = space_ok(all_methods);
	struct hpo_enc enc;
	struct hpo_rng rng, rs;
	double x[16];
	const double odd[] = {NAN, INFINITY, -INFINITY, 1e308, -1e308, -0.0, 0.5, 1, 0};
	json_t *ref;

	(void)state;
	hpo_enc_init(s, &enc);
	hpo_rng_seed(&rs, 1);
	ref = hpo_space_sample(s, &rs);
	hpo_rng_seed(&rng, 3);
	for (int k = 0; k < 300; k++) {
		json_t *p;
		for (size_t j = 0; j < enc.d; j++)
			x[j] = k < 9 ? odd[k] : 8 * hpo_rng_uniform(&rng) - 4;
		p = hpo_enc_decode(&enc, x);
		assert_non_null(p);
		assert_valid(s, p);
		if (k >= 9)	/* beyond 2^53 every number is a JSON real */
			assert_same_types(s, ref, p);
		assert_true(json_equal(json_object_get(p, "f"), json_object_get(ref, "f")));
		for (size_t j = 0; j < enc.d && k >= 9; j++) {
			/* snapping agrees with decoding (at the edge of the double
			 * range exp(log(x)) is not x) */
			double y[16], sj;
			memcpy(y, x, sizeof(y));
			sj = hpo_enc_snap(&enc, j, x[j]);
			assert_true(isfinite(sj));
			y[j] = sj;
			json_t *p2 = hpo_enc_decode(&enc, y);
			if (!json_equal(p, p2))
				fail_msg("k %d coordinate %zu: %.17g snapped to %.17g: %s vs %s", k, j,
					 x[j], sj, json_dumps(p, JSON_COMPACT), json_dumps(p2, JSON_COMPACT));
			json_decref(p2);
		}
		json_decref(p);
	}
	json_decref(ref);
	hpo_enc_free(&enc);
	hpo_space_free(s);
}

static json_t *
decode1(const struct hpo_enc *enc, double x0)
{
	double x[1] = {x0};

	return hpo_enc_decode(enc, x);
}

static void
assert_decodes(const char *space, double x, const char *expect)
{
	struct hpo_space *s = space_ok(space);
	struct hpo_enc enc;
	json_t *p;
	char *text;

	hpo_enc_init(s, &enc);
	p = decode1(&enc, x);
	text = json_dumps(p, JSON_COMPACT);
	if (strcmp(text, expect) != 0)
		fail_msg("%g decoded to %s, expected %s", x, text, expect);
	free(text);
	json_decref(p);
	hpo_enc_free(&enc);
	hpo_space_free(s);
}

static void
test_clamp_and_round(void **state)
{
	(void)state;
	assert_decodes("x: {method: uniform, low: -2, high: 3}", -0.5, "{\"x\":-2.0}");
	assert_decodes("x: {method: uniform, low: -2, high: 3}", 7, "{\"x\":3.0}");
	assert_decodes("x: {method: uniform, low: -2, high: 3}", 0.5, "{\"x\":0.5}");
	assert_decodes("x: {method: uniformint, low: 1, high: 5}", 0.6, "{\"x\":3}");
	assert_decodes("x: {method: uniformint, low: 1, high: 5}", 0.99, "{\"x\":5}");
	assert_decodes("x: {method: uniformint, low: 4, high: 4}", 0.3, "{\"x\":4}");
	assert_decodes("x: {method: quniform, low: 0, high: 10, q: 2}", 0.33, "{\"x\":4}");
	assert_decodes("x: {method: quniform, low: 0, high: 1, q: 0.25}", 0.4, "{\"x\":0.5}");
	/* the grid point nearest high is inside the bounds */
	assert_decodes("x: {method: quniform, low: 1, high: 10, q: 4}", 1, "{\"x\":8}");
	assert_decodes("x: {method: quniform, low: 1, high: 10, q: 4}", 0, "{\"x\":4}");
	assert_decodes("x: {method: loguniform, low: 1, high: 100}", 1, "{\"x\":100.0}");
	assert_decodes("x: {method: loguniform, low: 1, high: 100}", -3, "{\"x\":1.0}");
	assert_decodes("x: {method: qloguniform, low: 1, high: 100, q: 3}", 0.5, "{\"x\":9}");
	assert_decodes("x: {method: normal, mu: 1, sigma: 2}", 1.5, "{\"x\":4.0}");
	assert_decodes("x: {method: qnormal, mu: 1, sigma: 2, q: 0.5}", 1.2, "{\"x\":3.5}");
	assert_decodes("x: {method: qnormal, mu: 1, sigma: 2, q: 2}", 1.2, "{\"x\":4}");
	assert_decodes("x: {method: lognormal, mu: 0, sigma: 1}", 0, "{\"x\":1.0}");
	assert_decodes("x: {method: qlognormal, mu: 0, sigma: 1, q: 1}", -5, "{\"x\":0}");
	assert_decodes("x: {method: categorical, categories: [a, b, c]}", 1.4, "{\"x\":\"b\"}");
	assert_decodes("x: {method: categorical, categories: [a, b, c]}", 9, "{\"x\":\"c\"}");
	assert_decodes("x: {method: categorical, categories: [a, b, c]}", -1, "{\"x\":\"a\"}");
}

static void
test_encode_values(void **state)
{
	struct hpo_space *s = space_ok("a: {method: uniform, low: 0, high: 4}\n"
				       "b: {method: loguniform, low: 0.01, high: 100}\n"
				       "c: {method: categorical, categories: [x, 1, 2]}\n"
				       "d: {method: lognormal, mu: 1, sigma: 2}\n"
				       "e: {method: fixed, value: 3}\n");
	struct hpo_enc enc;
	struct hpo_err err = {0};
	double x[4];
	json_t *p;

	(void)state;
	hpo_enc_init(s, &enc);
	assert_int_equal(enc.d, 4);
	/* 2.0 == 2 among the categories; a fixed value may be missing;
	 * out-of-range numbers are clamped */
	p = json_ok("{\"a\": 1, \"b\": 1, \"c\": 2.0, \"d\": 2.718281828459045}");
	assert_int_equal(hpo_enc_point(&enc, p, x, &err), 0);
	assert_true(fabs(x[0] - 0.25) < 1e-15);
	assert_true(fabs(x[1] - 0.5) < 1e-15);
	assert_true(x[2] == 2);
	assert_true(fabs(x[3] - 0) < 1e-15);
	json_decref(p);
	p = json_ok("{\"a\": 9, \"b\": 1e-9, \"c\": \"x\", \"d\": 1, \"e\": 3}");
	assert_int_equal(hpo_enc_point(&enc, p, x, &err), 0);
	assert_true(x[0] == 1 && x[1] == 0 && x[2] == 0 && fabs(x[3] + 0.5) < 1e-15);
	json_decref(p);

	p = json_ok("{\"a\": 1, \"b\": 1, \"c\": \"y\", \"d\": 1}");
	assert_int_equal(hpo_enc_point(&enc, p, x, &err), -1);
	assert_string_equal(err.msg, "parameter 'c': \"y\" is not one of the categories");
	json_decref(p);
	p = json_ok("{\"a\": \"1\", \"b\": 1, \"c\": \"x\", \"d\": 1}");
	assert_int_equal(hpo_enc_point(&enc, p, x, &err), -1);
	assert_string_equal(err.msg, "parameter 'a': expected a number, not a string");
	json_decref(p);
	p = json_ok("{\"a\": 1, \"c\": \"x\", \"d\": 1}");
	assert_int_equal(hpo_enc_point(&enc, p, x, &err), -1);
	assert_string_equal(err.msg, "parameter 'b' is missing");
	json_decref(p);
	p = json_ok("[1]");
	assert_int_equal(hpo_enc_point(&enc, p, x, &err), -1);
	assert_string_equal(err.msg, "a point must be a mapping, not a list");
	json_decref(p);
	hpo_enc_free(&enc);
	hpo_space_free(s);
}

static void
test_history(void **state)
{
	struct hpo_space *s = space_ok("a: {method: uniform, low: 0, high: 4}\n"
				       "c: {method: categorical, categories: [x, y]}\n");
	struct hpo_optim_hist h;
	struct hpo_err err = {0};
	json_t *v;

	(void)state;
	v = json_ok("[[{\"a\": 1, \"c\": \"y\"}, 0.5], [{\"a\": 2, \"c\": \"x\"}, null],"
		    " [{\"a\": 3, \"c\": \"x\"}, 100000], [{\"a\": 4, \"c\": \"x\"}, 1e300],"
		    " [{\"a\": 0, \"c\": \"x\"}, -1e300], [{\"a\": 0, \"c\": \"x\"}, 99999.5]]");
	assert_int_equal(hpo_optim_hist_init(s, v, &h, &err), 0);
	assert_int_equal(h.n, 6);
	assert_int_equal(h.ndone, 3);
	assert_int_equal(h.npending, 1);
	assert_int_equal(h.nfailed, 2);
	assert_int_equal(h.obs[0].state, HPO_OBS_DONE);
	assert_true(h.obs[0].loss == 0.5);
	assert_true(h.obs[0].x[0] == 0.25 && h.obs[0].x[1] == 1);
	assert_int_equal(h.obs[1].state, HPO_OBS_PENDING);
	assert_int_equal(h.obs[2].state, HPO_OBS_FAILED);
	assert_int_equal(h.obs[3].state, HPO_OBS_FAILED);
	assert_int_equal(h.obs[4].state, HPO_OBS_DONE);
	assert_true(h.obs[4].loss == -1e300);
	assert_true(h.obs[3].x[0] == 1);
	hpo_optim_hist_free(&h);
	json_decref(v);

	/* nothing yet */
	v = json_ok("[]");
	assert_int_equal(hpo_optim_hist_init(s, v, &h, &err), 0);
	assert_int_equal(h.n, 0);
	assert_int_equal(h.enc.d, 2);
	hpo_optim_hist_free(&h);
	json_decref(v);
	hpo_space_free(s);
}

static void
assert_hist_error(const char *history, const char *expect)
{
	struct hpo_space *s = space_ok("a: {method: uniform, low: 0, high: 4}\n"
				       "c: {method: categorical, categories: [x, y]}\n");
	struct hpo_optim_hist h;
	struct hpo_err err = {0};
	json_t *v = json_ok(history);

	assert_int_equal(hpo_optim_hist_init(s, v, &h, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, expect);
	assert_int_equal(h.n, 0);
	assert_null(h.obs);
	json_decref(v);
	hpo_space_free(s);
}

static void
test_history_errors(void **state)
{
	(void)state;
	assert_hist_error("{}", "points must be a list, not a mapping");
	assert_hist_error("[[{\"a\": 1, \"c\": \"x\"}, 1], 3]",
			  "points[1]: expected a list [point, loss], not a number");
	assert_hist_error("[[{\"a\": 1, \"c\": \"x\"}]]",
			  "points[0]: expected a list [point, loss], not a list of another length");
	assert_hist_error("[[{\"a\": 1, \"c\": \"x\"}, \"0.5\"]]",
			  "points[0]: the loss must be a number or null, not a string");
	assert_hist_error("[[{\"a\": 1, \"c\": \"x\"}, 1], [{\"a\": 1, \"c\": \"z\"}, 1]]",
			  "points[1]: parameter 'c': \"z\" is not one of the categories");
	assert_hist_error("[[{\"a\": true, \"c\": \"x\"}, 1]]",
			  "points[0]: parameter 'a': expected a number, not a boolean");
	assert_hist_error("[[[], 1]]", "points[0]: a point must be a mapping, not a list");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dims),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_decode_anything),
		cmocka_unit_test(test_clamp_and_round),
		cmocka_unit_test(test_encode_values),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
