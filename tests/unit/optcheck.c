/* optcheck.c - checks every optimiser of optim.h must pass */
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
#include "optim_fixtures.h"
#include "rng.h"

struct hpo_space *
optcheck_space(const char *text)
{
	return space_ok(text);
}

json_t *
optcheck_ask(hpo_optim_fn fn, const struct hpo_space *s, const json_t *history, long num,
	     uint64_t seed, const json_t *settings)
{
	struct hpo_optim_hist h;
	struct hpo_err err = {0};
	struct hpo_rng rng;
	json_t *out = json_array(), *ref, *p;
	struct hpo_optim_req req = {s, &h, num, seed, settings, history};
	size_t k;

	if (hpo_optim_hist_init(s, history, &h, &err) < 0)
		fail_msg("history: %s", err.msg);
	if (fn(&req, out, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	hpo_optim_hist_free(&h);
	assert_int_equal(json_array_size(out), num);
	hpo_rng_seed(&rng, 1);
	ref = hpo_space_sample(s, &rng);
	json_array_foreach(out, k, p) {
		if (hpo_space_check_point(s, p, "proposed", &err) < 0)
			fail_msg("point %zu: %s", k, err.msg);
		for (size_t i = 0; i < s->n; i++) {
			const char *name = s->params[i].name;

			if (s->params[i].method != HPO_CATEGORICAL &&
			    json_typeof(json_object_get(ref, name)) !=
				    json_typeof(json_object_get(p, name)))
				fail_msg("point %zu: parameter '%s': not typed as the space says", k,
					 name);
		}
	}
	json_decref(ref);
	return out;
}

/* The test function: a sphere around 0.3 in encoded coordinates (indices
 * for categories, where 0 is best). */
static double
sphere(const struct hpo_enc *enc, const double *x)
{
	double f = 0;

	for (size_t j = 0; j < enc->d; j++) {
		double t = enc->dims[j].kind == HPO_ENC_CAT ? x[j] : x[j] - 0.3;

		f += t * t;
	}
	return f;
}

static double
loss_of(const struct hpo_space *s, const json_t *p)
{
	struct hpo_enc enc;
	struct hpo_err err = {0};
	double x[32], f;

	hpo_enc_init(s, &enc);
	assert_true(enc.d <= 32);
	if (hpo_enc_point(&enc, p, x, &err) < 0)
		fail_msg("%s", err.msg);
	f = sphere(&enc, x);
	hpo_enc_free(&enc);
	return f;
}

json_t *
optcheck_history(const struct hpo_space *s, size_t n, uint64_t seed, size_t failed_every)
{
	json_t *h = json_array();

	for (size_t k = 0; k < n; k++) {
		struct hpo_rng rng;
		json_t *p;

		hpo_rng_seed2(&rng, seed, k);
		p = hpo_space_sample(s, &rng);
		json_array_append_new(h, json_pack("[o, f]", p,
						   failed_every && k % failed_every == 0
							   ? HPO_OPTIM_FAILED
							   : loss_of(s, p)));
	}
	return h;
}

void
optcheck_types(hpo_optim_fn fn)
{
	struct hpo_space *s = optcheck_space(all_methods);
	static const size_t sizes[] = {0, 3, 30};

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		json_t *h = optcheck_history(s, sizes[i], 5, 7);

		for (uint64_t seed = 1; seed <= 2; seed++)
			json_decref(optcheck_ask(fn, s, h, 5, seed, NULL));
		json_decref(h);
	}
	hpo_space_free(s);
}

static void
append(json_t *h, const char *point, json_t *loss)
{
	json_array_append_new(h, json_pack("[o, o]", json_ok(point), loss));
}

void
optcheck_degenerate(hpo_optim_fn fn)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n"
					     "k: {method: uniformint, low: 1, high: 3}\n"
					     "c: {method: categorical, categories: [x, y]}\n");
	struct hpo_space *fixed = optcheck_space("f: {method: fixed, value: 7}\n");
	json_t *h, *out;

	/* nothing yet */
	h = json_array();
	json_decref(optcheck_ask(fn, s, h, 4, 1, NULL));
	json_decref(optcheck_ask(fn, s, NULL, 1, 1, NULL));

	/* every point failed */
	for (int k = 0; k < 40; k++)
		append(h, "{\"a\": 1, \"k\": 2, \"c\": \"x\"}", json_real(k % 2 ? 1e5 : 1e300));
	json_decref(optcheck_ask(fn, s, h, 3, 1, NULL));
	json_decref(h);

	/* huge and tiny losses beside ordinary ones */
	h = optcheck_history(s, 30, 2, 0);
	append(h, "{\"a\": 0, \"k\": 1, \"c\": \"y\"}", json_real(-1e300));
	append(h, "{\"a\": 4, \"k\": 3, \"c\": \"y\"}", json_real(99999.5));
	append(h, "{\"a\": 3, \"k\": 3, \"c\": \"x\"}", json_real(1e-300));
	append(h, "{\"a\": 2, \"k\": 3, \"c\": \"x\"}", json_real(-1e308));
	json_decref(optcheck_ask(fn, s, h, 3, 1, NULL));
	json_decref(h);

	/* the same point again and again, with the same or other losses */
	h = json_array();
	for (int k = 0; k < 40; k++)
		append(h, "{\"a\": 1, \"k\": 2, \"c\": \"x\"}", json_real(k < 20 ? 0.5 : k));
	json_decref(optcheck_ask(fn, s, h, 3, 1, NULL));
	json_decref(h);

	/* only fixed parameters: the one point */
	h = json_array();
	append(h, "{\"f\": 7}", json_real(1));
	out = optcheck_ask(fn, fixed, h, 2, 1, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(out, 1), "f")), 7);
	json_decref(out);
	json_decref(h);
	hpo_space_free(fixed);
	hpo_space_free(s);
}

static void
assert_distinct(const json_t *points, const json_t *also)
{
	for (size_t a = 0; a < json_array_size(points); a++) {
		for (size_t b = 0; b < a; b++)
			if (json_equal(json_array_get(points, a), json_array_get(points, b)))
				fail_msg("points %zu and %zu are the same", a, b);
		for (size_t b = 0; also && b < json_array_size(also); b++)
			if (json_equal(json_array_get(points, a),
				       json_array_get(json_array_get(also, b), 0)))
				fail_msg("point %zu is the pending point %zu", a, b);
	}
}

void
optcheck_spread(hpo_optim_fn fn)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n"
					     "b: {method: loguniform, low: 0.001, high: 1}\n"
					     "c: {method: categorical, categories: [x, y, z]}\n");
	json_t *h, *out, *pending = json_array();
	size_t k;
	json_t *p;

	/* early and late in the search: four at once are four points */
	for (size_t n = 0; n <= 40; n += 40) {
		h = optcheck_history(s, n, 3, 0);
		out = optcheck_ask(fn, s, h, 4, 9, NULL);
		assert_distinct(out, NULL);
		/* those four pending: four more differ from them */
		json_array_foreach(out, k, p) {
			json_array_append_new(h, json_pack("[O, n]", p));
			json_array_append_new(pending, json_pack("[O, n]", p));
		}
		json_decref(out);
		out = optcheck_ask(fn, s, h, 4, 9, NULL);
		assert_distinct(out, pending);
		json_decref(out);
		json_array_clear(pending);
		json_decref(h);
	}
	json_decref(pending);
	hpo_space_free(s);
}

void
optcheck_reproducible(hpo_optim_fn fn)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n"
					     "n: {method: normal, mu: 0, sigma: 1}\n"
					     "c: {method: categorical, categories: [x, y, z]}\n");

	for (size_t n = 0; n <= 30; n += 30) {
		json_t *h = optcheck_history(s, n, 4, 0);
		json_t *a = optcheck_ask(fn, s, h, 3, 11, NULL);
		json_t *b = optcheck_ask(fn, s, h, 3, 11, NULL);
		json_t *c = optcheck_ask(fn, s, h, 3, 12, NULL);

		assert_true(json_equal(a, b));
		assert_false(json_equal(a, c));
		json_decref(a);
		json_decref(b);
		json_decref(c);
		json_decref(h);
	}
	hpo_space_free(s);
}

static void
assert_refused(hpo_optim_fn fn, const struct hpo_space *s, const char *settings,
	       const char *expect)
{
	struct hpo_optim_hist h;
	struct hpo_err err = {0};
	json_t *out = json_array(), *set = json_ok(settings);
	struct hpo_optim_req req = {s, &h, 1, 1, set, NULL};

	/* called directly, as the registry would after checking the names */
	assert_int_equal(hpo_optim_hist_init(s, NULL, &h, &err), 0);
	assert_int_equal(fn(&req, out, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	if (!strstr(err.msg, expect))
		fail_msg("got '%s', expected '%s'", err.msg, expect);
	assert_int_equal(json_array_size(out), 0);
	hpo_optim_hist_free(&h);
	json_decref(out);
	json_decref(set);
}

void
optcheck_settings(hpo_optim_fn fn, const char *algorithm, const char *setting)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n");
	const struct hpo_optim_algo *a = hpo_optim_find(algorithm);
	struct hpo_err err = {0};
	char text[256], expect[256];
	json_t *set, *pts;

	/* registered under its name, with its settings */
	assert_non_null(a);
	assert_ptr_equal(a->fn, fn);
	snprintf(text, sizeof text, "{\"%s\": 5}", setting);
	set = json_ok(text);
	assert_int_equal(hpo_optim_check_settings(a, s, set, &err), 0);
	json_decref(set);
	set = json_ok("{\"bogus\": 1}");
	assert_int_equal(hpo_optim_propose(algorithm, s, NULL, 1, 10, 1, set, &pts, &err), -1);
	snprintf(expect, sizeof expect, "unknown setting 'bogus' for algorithm '%s'", algorithm);
	assert_string_equal(err.msg, expect);
	json_decref(set);

	/* values out of range or of the wrong type */
	snprintf(text, sizeof text, "{\"%s\": -1}", setting);
	snprintf(expect, sizeof expect, "setting '%s' (-1) must be between", setting);
	set = json_ok(text);
	assert_int_equal(hpo_optim_check_settings(a, s, set, &err), -1);
	assert_non_null(strstr(err.msg, expect));
	json_decref(set);
	snprintf(text, sizeof text, "{\"%s\": \"many\"}", setting);
	snprintf(expect, sizeof expect, "setting '%s' must be a", setting);
	assert_refused(fn, s, text, expect);
	hpo_space_free(s);
}

int
optcheck_by_double(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return p < q ? -1 : p > q;
}

void
optcheck_beats_random(hpo_optim_fn fn, int seeds, int evals)
{
	struct hpo_space *s = optcheck_space("a: {method: uniform, low: 0, high: 4}\n"
					     "b: {method: uniform, low: -1, high: 1}\n"
					     "c: {method: loguniform, low: 0.001, high: 1}\n");
	double ours[64], theirs[64];

	assert_true(seeds <= 64);
	for (int seed = 0; seed < seeds; seed++) {
		json_t *h = json_array(), *rnd = optcheck_history(s, (size_t)evals, 100 + seed, 0);

		ours[seed] = theirs[seed] = INFINITY;
		for (int k = 0; k < evals; k++) {
			json_t *out = optcheck_ask(fn, s, h, 1, 100 + (uint64_t)seed, NULL);
			json_t *p = json_array_get(out, 0);
			double f = loss_of(s, p);

			json_array_append_new(h, json_pack("[O, f]", p, f));
			json_decref(out);
			ours[seed] = fmin(ours[seed], f);
			theirs[seed] = fmin(theirs[seed],
					    json_real_value(json_array_get(json_array_get(rnd, k), 1)));
		}
		json_decref(h);
		json_decref(rnd);
	}
	qsort(ours, (size_t)seeds, sizeof ours[0], optcheck_by_double);
	qsort(theirs, (size_t)seeds, sizeof theirs[0], optcheck_by_double);
	if (!(ours[seeds / 2] < theirs[seeds / 2] / 4))
		fail_msg("median best %g, random search's %g", ours[seeds / 2], theirs[seeds / 2]);
	hpo_space_free(s);
}
