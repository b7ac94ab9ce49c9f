/* test_steer.c - built-in steering, the steering command and its files */
#include "autoconf.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "file.h"
#include "optim_fixtures.h"
#include "rng.h"
#include "steer.h"

/* Compact text, keys in order (malloc'ed). */
static char *
dumps(const json_t *v, size_t flags)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | flags);

	assert_non_null(s);
	return s;
}

static void
assert_json_text(const json_t *v, const char *expect)
{
	char *s = dumps(v, JSON_PRESERVE_ORDER);

	if (strcmp(s, expect) != 0) {
		fprintf(stderr, "got      %s\nexpected %s\n", s, expect);
		free(s);
		fail();
	}
	free(s);
}

/* ---- the steering command ----------------------------------------------- */

static void
assert_command(const char *exec, const char *in, const char *out, long num, long max,
	       const char *expect)
{
	char *cmd = hpo_steer_command(exec, in, out, num, max);

	assert_non_null(cmd);
	assert_string_equal(cmd, expect);
	free(cmd);
}

static void
test_command(void **state)
{
	(void)state;
	assert_command("python opt.py --in %IN --out %OUT -n %NUM_POINTS -m %MAX_POINTS",
		       "/w/in.json", "/w/out.json", 3, 20,
		       "python opt.py --in /w/in.json --out /w/out.json -n 3 -m 20");
	/* repeated and adjacent */
	assert_command("%IN%IN %OUT,%OUT %NUM_POINTS%MAX_POINTS%NUM_POINTS", "i", "o", 7, 100,
		       "ii o,o 71007");
	/* other % text is left alone */
	assert_command("printf '%d %s 100%% %' %NUM %MAX %in %I %OU %IN%", "a", "b", 1, 2,
		       "printf '%d %s 100%% %' %NUM %MAX %in %I %OU a%");
	assert_command("no placeholders", "a", "b", 1, 2, "no placeholders");
	assert_command("", "a", "b", 1, 2, "");
	assert_command("%", "a", "b", 1, 2, "%");
	/* values are not scanned again */
	assert_command("%IN %OUT", "%OUT", "%IN", 0, 0, "%OUT %IN");
	assert_command("%NUM_POINTS %MAX_POINTS", "", "", -1, 9223372036854775807L,
		       "-1 9223372036854775807");
}

static void
test_command_long_values(void **state)
{
	(void)state;
	char *in = malloc(4097), *out = malloc(4097), *expect, *cmd;
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	memset(in, 'i', 4096);
	memset(out, 'o', 4096);
	in[0] = out[0] = '/';
	in[4096] = out[4096] = '\0';

	/* the shortest placeholders, as often as they fit */
	cmd = hpo_steer_command("%IN%IN%IN%IN%IN%IN", in, out, 1, 1);
	assert_non_null(cmd);
	assert_int_equal(strlen(cmd), 6 * 4096);
	for (size_t k = 0; k < 6; k++)
		assert_memory_equal(cmd + k * 4096, in, 4096);
	free(cmd);

	cmd = hpo_steer_command("x %OUT%IN%OUT %NUM_POINTS", in, out, 12345, 1);
	assert_non_null(cmd);
	n = 2 + 3 * 4096 + 6;
	expect = malloc(n + 1);
	assert_non_null(expect);
	snprintf(expect, n + 1, "x %s%s%s 12345", out, in, out);
	assert_string_equal(cmd, expect);
	free(expect);
	free(cmd);

	/* a long command with one long value */
	char *exec = malloc(3 * 1000 + 1);
	assert_non_null(exec);
	for (int k = 0; k < 1000; k++)
		memcpy(exec + 3 * k, "%IN", 3);
	exec[3000] = '\0';
	cmd = hpo_steer_command(exec, in, "", 0, 0);
	assert_non_null(cmd);
	assert_int_equal(strlen(cmd), 1000 * 4096);
	assert_memory_equal(cmd + 999 * 4096, in, 4096);
	free(cmd);
	free(exec);
	free(in);
	free(out);
}

/* ---- built-in algorithms ------------------------------------------------------ */

static const char mixed_space[] =
	"x: {method: uniform, low: -1, high: 1}\n"
	"n: {method: uniformint, low: 1, high: 100}\n"
	"lr: {method: loguniform, low: 0.0001, high: 0.1}\n"
	"act: {method: categorical, categories: [relu, tanh, elu]}\n"
	"q: {method: qnormal, mu: 0, sigma: 5, q: 0.5}\n"
	"f: {method: fixed, value: 7}\n";

static json_t *
builtin_ok(const char *algorithm, const struct hpo_space *s, uint64_t seed, unsigned steps,
	   long first, long n)
{
	struct hpo_err err = {0};
	json_t *points = NULL;

	if (hpo_steer_builtin(algorithm, s, seed, steps, first, n, &points, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_true(json_is_array(points));
	return points;
}

static void
test_random(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok(mixed_space);
	struct hpo_err err = {0};
	json_t *all = builtin_ok("random", s, 7, 5, 0, 10);
	json_t *late = builtin_ok("random", s, 7, 5, 5, 5);
	json_t *one = builtin_ok("random", s, 7, 5, 3, 1);
	json_t *other = builtin_ok("random", s, 8, 5, 0, 10);
	json_t *none = builtin_ok("random", s, 7, 5, 4, 0);
	struct hpo_rng rng;
	json_t *p;
	int differ = 0, distinct = 0;

	assert_int_equal(json_array_size(all), 10);
	assert_int_equal(json_array_size(late), 5);
	assert_int_equal(json_array_size(one), 1);
	assert_int_equal(json_array_size(none), 0);
	for (size_t k = 0; k < 10; k++) {
		json_t *pk = json_array_get(all, k);

		if (hpo_space_check_point(s, pk, "p", &err) < 0)
			fail_msg("point %zu: %s", k, err.msg);
		assert_int_equal(json_object_size(pk), 6);
		/* point k is the same however the points are asked for */
		if (k >= 5) {
			char *a = dumps(pk, JSON_PRESERVE_ORDER);
			char *b = dumps(json_array_get(late, k - 5), JSON_PRESERVE_ORDER);
			assert_string_equal(a, b);
			free(a);
			free(b);
		}
		differ += !json_equal(pk, json_array_get(other, k));
		if (k > 0)
			distinct += !json_equal(json_object_get(pk, "x"),
						json_object_get(json_array_get(all, k - 1), "x"));
	}
	assert_true(json_equal(json_array_get(one, 0), json_array_get(all, 3)));
	assert_int_equal(differ, 10);
	assert_int_equal(distinct, 9);

	/* point k is a sample from the stream (seed, k) */
	hpo_rng_seed2(&rng, 7, 4);
	p = hpo_space_sample(s, &rng);
	assert_true(json_equal(p, json_array_get(all, 4)));
	json_decref(p);

	/* the same seed gives the same points */
	json_decref(other);
	other = builtin_ok("random", s, 7, 5, 0, 10);
	assert_true(json_equal(other, all));

	json_decref(all);
	json_decref(late);
	json_decref(one);
	json_decref(other);
	json_decref(none);
	hpo_space_free(s);
}

static void
test_grid(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("c: {method: categorical, categories: [a, b]}\n"
				       "u: {method: uniform, low: 0, high: 1}\n"
				       "f: {method: fixed, value: on}\n");
	json_t *p;

	p = builtin_ok("grid", s, 1, 3, 0, 4);
	assert_json_text(p, "[{\"c\":\"a\",\"u\":0.0,\"f\":\"on\"},"
			    "{\"c\":\"a\",\"u\":0.5,\"f\":\"on\"},"
			    "{\"c\":\"a\",\"u\":1.0,\"f\":\"on\"},"
			    "{\"c\":\"b\",\"u\":0.0,\"f\":\"on\"}]");
	json_decref(p);
	/* the seed does not matter; the list is shorter at the end */
	p = builtin_ok("grid", s, 99, 3, 4, 5);
	assert_json_text(p, "[{\"c\":\"b\",\"u\":0.5,\"f\":\"on\"},"
			    "{\"c\":\"b\",\"u\":1.0,\"f\":\"on\"}]");
	json_decref(p);
	p = builtin_ok("grid", s, 1, 3, 6, 5);
	assert_json_text(p, "[]");
	json_decref(p);
	p = builtin_ok("grid", s, 1, 3, 1000, 1);
	assert_json_text(p, "[]");
	json_decref(p);
	/* grid-steps: values per continuous parameter */
	p = builtin_ok("grid", s, 1, 2, 0, 100);
	assert_json_text(p, "[{\"c\":\"a\",\"u\":0.0,\"f\":\"on\"},"
			    "{\"c\":\"a\",\"u\":1.0,\"f\":\"on\"},"
			    "{\"c\":\"b\",\"u\":0.0,\"f\":\"on\"},"
			    "{\"c\":\"b\",\"u\":1.0,\"f\":\"on\"}]");
	json_decref(p);
	hpo_space_free(s);
}

static void
test_builtin_errors(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("u: {method: uniform, low: 0, high: 1}\n"
				       "n: {method: normal, mu: 0, sigma: 1}\n");
	struct hpo_err err = {0};
	json_t *p = (json_t *)1;

	assert_int_equal(hpo_steer_builtin("bayes", s, 1, 5, 0, 3, &p, &err), -1);
	assert_null(p);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, "unknown steering algorithm 'bayes'");
	p = (json_t *)1;
	assert_int_equal(hpo_steer_builtin("grid", s, 1, 5, 0, 3, &p, &err), -1);
	assert_null(p);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, "parameter 'n': method 'normal' has no finite set of values "
				     "for a grid search");
	hpo_space_free(s);
}

/* ---- the steering files ------------------------------------------------------ */

static void
test_input(void **state)
{
	(void)state;
	struct hpo_space *s = space_ok("x: {method: uniform, low: 0, high: 2}\n"
				       "c: {method: categorical, categories: [a, b]}\n");
	json_t *history = json_loads("[[{\"x\":0.5,\"c\":\"a\"},1.25],[{\"x\":1.5,\"c\":\"b\"},null]]",
				     0, NULL);
	json_t *in = hpo_steer_input(history, s);
	json_t *empty = json_array(), *in2;

	assert_non_null(in);
	assert_json_text(in, "{\"points\":[[{\"x\":0.5,\"c\":\"a\"},1.25],"
			     "[{\"x\":1.5,\"c\":\"b\"},null]],"
			     "\"opt_space\":{\"x\":{\"method\":\"uniform\","
			     "\"dimension\":{\"low\":0,\"high\":2}},"
			     "\"c\":{\"method\":\"categorical\","
			     "\"dimension\":{\"categories\":[\"a\",\"b\"]}}}}");
	/* the history is the caller's still */
	json_decref(in);
	assert_int_equal(history->refcount, 1);
	assert_int_equal(json_array_size(history), 2);
	json_decref(history);

	in2 = hpo_steer_input(empty, s);
	assert_int_equal(json_object_size(in2), 2);
	assert_int_equal(json_array_size(json_object_get(in2, "points")), 0);
	json_decref(in2);
	json_decref(empty);
	hpo_space_free(s);
}

struct files {
	char dir[PATH_MAX];
	char *out;
	struct hpo_space *space;
};

static int
setup_files(void **state)
{
	struct files *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	strcpy(f->dir, "/tmp/test_steer.XXXXXX");
	if (mkdtemp(f->dir) == NULL || (f->out = hpo_path_join(f->dir, "out.json")) == NULL)
		return -1;
	f->space = space_ok("x: {method: uniform, low: 0, high: 1}\n"
			    "n: {method: uniformint, low: 1, high: 5}\n");
	*state = f;
	return 0;
}

static int
teardown_files(void **state)
{
	struct files *f = *state;
	struct hpo_err err = {0};
	int rc = hpo_rmtree(f->dir, &err);

	hpo_space_free(f->space);
	free(f->out);
	free(f);
	return rc;
}

static void
write_out(const struct files *f, const char *text)
{
	FILE *fp = fopen(f->out, "w");

	assert_non_null(fp);
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

static json_t *
read_ok(const struct files *f, long limit)
{
	struct hpo_err err = {0};
	json_t *points = NULL;

	if (hpo_steer_read_output(f->out, f->space, limit, &points, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return points;
}

static void
read_fails(const struct files *f, const char *text, const char *expect_after_path)
{
	struct hpo_err err = {0};
	json_t *points = (json_t *)1;
	char expect[PATH_MAX + 256];

	write_out(f, text);
	assert_int_equal(hpo_steer_read_output(f->out, f->space, 10, &points, &err), -1);
	assert_null(points);
	assert_int_equal(err.kind, HPO_E_INPUT);
	snprintf(expect, sizeof(expect), "%s%s", f->out, expect_after_path);
	assert_string_equal(err.msg, expect);
}

static void
test_read_output(void **state)
{
	struct files *f = *state;
	json_t *p;

	/* no file: no points, and no list */
	p = (json_t *)1;
	assert_int_equal(hpo_steer_read_output(f->out, f->space, 10, &p, NULL), 0);
	assert_null(p);

	write_out(f, "[]\n");
	p = read_ok(f, 10);
	assert_non_null(p);
	assert_json_text(p, "[]");
	json_decref(p);

	write_out(f, "[{\"x\": 0.25, \"n\": 1},\n {\"n\": 5, \"x\": 1},\n {\"x\": 0, \"n\": 3.0}]\n");
	p = read_ok(f, 10);
	assert_json_text(p, "[{\"x\":0.25,\"n\":1},{\"n\":5,\"x\":1},{\"x\":0,\"n\":3.0}]");
	json_decref(p);
	p = read_ok(f, 3);
	assert_int_equal(json_array_size(p), 3);
	json_decref(p);
	p = read_ok(f, 2);
	assert_json_text(p, "[{\"x\":0.25,\"n\":1},{\"n\":5,\"x\":1}]");
	json_decref(p);
	p = read_ok(f, 0);
	assert_json_text(p, "[]");
	json_decref(p);
}

static void
test_read_output_errors(void **state)
{
	struct files *f = *state;

	read_fails(f, "{\"x\": 0.5, \"n\": 1}\n", ": must hold a JSON list of points");
	read_fails(f, "3\n", ": must hold a JSON list of points");
	read_fails(f, "\"[]\"\n", ": must hold a JSON list of points");
	read_fails(f, "null", ": must hold a JSON list of points");
	read_fails(f, "[{\"x\": 0.5, \"n\": 1},\n {\"x\": }]\n",
		   ":2:8: unexpected token near '}'");
	read_fails(f, "", ":1:0: unexpected token near end of file");
	read_fails(f, "[{\"x\": 0.5, \"n\": 1}, {\"x\": 0.5}]",
		   ": point 2: parameter 'n' is missing");
	read_fails(f, "[{\"x\": 0.5, \"n\": 1, \"z\": 0}]", ": point 1: unknown parameter 'z'");
	read_fails(f, "[{\"x\": 0.5, \"n\": 1}, {\"x\": 0.5, \"n\": 1}, [0.5, 1]]",
		   ": point 3: a point must be a mapping, not a list");
	read_fails(f, "[{\"x\": 1.5, \"n\": 1}]", ": point 1: parameter 'x': 1.5 is above high (1)");
	read_fails(f, "[{\"x\": 0.5, \"n\": 1, \"x\": 0.25}]",
		   ":1:23: duplicate object key near '\"x\"'");

	/* a directory where the file should be */
	struct hpo_err err = {0};
	json_t *points = (json_t *)1;
	char expect[PATH_MAX + 64];
	unlink(f->out);
	assert_int_equal(mkdir(f->out, 0700), 0);
	assert_int_equal(hpo_steer_read_output(f->out, f->space, 10, &points, &err), -1);
	assert_null(points);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect), "%s: Is a directory", f->out);
	assert_string_equal(err.msg, expect);
}

/* The Grid's command for a built-in algorithm: settings quoted for sh. */
static void
test_exec_builtin(void **state)
{
	json_t *set = json_pack("{s:s, s:f}", "note", "it's", "gamma", 0.25);
	char *cmd;

	(void)state;
	cmd = hpo_steer_exec_builtin("tpe", set, 18446744073709551615ULL, 1);
	assert_non_null(cmd);
	assert_string_equal(cmd, "hpo-steer --algorithm tpe --in %IN --out %OUT --num-points "
				 "%NUM_POINTS --max-points %MAX_POINTS --seed 18446744073709551615 "
				 "--setting '{\"note\":\"it'\\''s\",\"gamma\":0.25}'");
	free(cmd);
	cmd = hpo_steer_exec_builtin("random", NULL, 3, 0);
	assert_string_equal(cmd, "hpo-steer --algorithm random --in %IN --out %OUT --num-points "
				 "%NUM_POINTS --max-points %MAX_POINTS");
	free(cmd);
	json_decref(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_command_long_values),
		cmocka_unit_test(test_exec_builtin),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_grid),
		cmocka_unit_test(test_builtin_errors),
		cmocka_unit_test(test_input),
		cmocka_unit_test_setup_teardown(test_read_output, setup_files, teardown_files),
		cmocka_unit_test_setup_teardown(test_read_output_errors, setup_files,
						teardown_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
