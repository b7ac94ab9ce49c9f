/* test_steer.c - the steering command and its files */
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
#include "steer.h"

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
		cmocka_unit_test(test_input),
		cmocka_unit_test_setup_teardown(test_read_output, setup_files, teardown_files),
		cmocka_unit_test_setup_teardown(test_read_output_errors, setup_files,
						teardown_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
