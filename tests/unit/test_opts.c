/* test_opts.c - the option parser, the shared options and the exit table */
#include "autoconf.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exitcode.h"
#include "opts.h"

enum { T_LOCAL, T_DB, T_NUM, T_FLAG, T_QUIET, T_HELP, T_VERSION, T_END };

static const struct hpo_option topts[] = {
	[T_LOCAL] = HPO_OPTION_LOCAL,
	[T_DB] = HPO_OPTION_DB,
	[T_NUM] = {"num", 'n', "N", "a number"},
	[T_FLAG] = {"flag", 0, NULL, "a flag"},
	[T_QUIET] = HPO_OPTION_QUIET,
	[T_HELP] = HPO_OPTION_HELP,
	[T_VERSION] = HPO_OPTION_VERSION,
	[T_END] = {NULL, 0, NULL, NULL},
};

static const char *const tusage[] = {"[options] FILE", NULL};

static const struct hpo_tool ttool = {
	"hpo-test", tusage, "A tool of the tests.", topts, "after the codes\n",
	(const struct hpo_exitcode[]){
		{3, NULL, "a note on not found"},
		{4, "OWN", "the tool's own result"},
		{0, NULL, NULL},
	},
};

/* Parse argv (NULL-terminated, copied: the parser moves operands), and
 * return the options seen as a string: "n=5 flag ! " and so on, "!" for
 * an error; the operands after "|". */
static char *
parse(const char *const *words)
{
	static char out[512];
	char *argv[32];
	int argc = 0;
	struct hpo_optstate st = {0};
	const struct hpo_option *o;

	while (words[argc] != NULL) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	out[0] = '\0';
	while ((o = hpo_opts_next(&ttool, argc, argv, &st)) != NULL) {
		size_t len = strlen(out);
		if (o == HPO_OPT_ERROR) {
			snprintf(out + len, sizeof(out) - len, "! ");
			return out;
		}
		snprintf(out + len, sizeof(out) - len, "%s%s%s ", o->name, st.arg ? "=" : "",
			 st.arg ? st.arg : "");
	}
	for (int i = -1; i < st.nops; i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof(out) - len, "%s", i < 0 ? "|" : " ");
		len = strlen(out);
		snprintf(out + len, sizeof(out) - len, "%s", i < 0 ? "" : st.ops[i]);
	}
	return out;
}

#define P(...) parse((const char *const[]){"hpo-test", __VA_ARGS__, NULL})

static void
test_parse(void **state)
{
	(void)state;
	assert_string_equal(P("--num", "5", "--flag"), "num=5 flag |");
	assert_string_equal(P("--num=5", "a", "-n7", "b"), "num=5 num=7 | a b");
	assert_string_equal(P("-n", "5", "-l"), "num=5 local |");
	/* operands and options in any order; "--" ends the options */
	assert_string_equal(P("a", "--flag", "--", "--num", "-x"), "flag | a --num -x");
	assert_string_equal(P("-", "x"), "| - x");
	/* errors */
	assert_string_equal(P("--nope"), "! ");
	assert_string_equal(P("--flag=1"), "! ");
	assert_string_equal(P("--num"), "! ");
	assert_string_equal(P("-n"), "! ");
	assert_string_equal(P("-z"), "! ");
	assert_string_equal(P("-lq"), "! ");	/* no clusters */
	assert_string_equal(P("--nu", "1"), "! ");	/* no abbreviations */
}

static void
test_long(void **state)
{
	long v = 0;

	(void)state;
	assert_int_equal(hpo_opts_long("42", 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(hpo_opts_long("0", 1, 100, &v), -1);
	assert_int_equal(hpo_opts_long("101", 1, 100, &v), -1);
	assert_int_equal(hpo_opts_long("", 1, 100, &v), -1);
	assert_int_equal(hpo_opts_long("4x", 1, 100, &v), -1);
	assert_int_equal(hpo_opts_long("99999999999999999999999", 1, 100, &v), -1);
	assert_int_equal(v, 42);
}

static void
test_common(void **state)
{
	char *argv[] = {"hpo-test", "--db", "x.db", "-q", "--local", "--num", "3", NULL};
	struct hpo_optstate st = {0};
	struct hpo_common c = {0};
	const struct hpo_option *o;
	int own = 0;

	(void)state;
	while ((o = hpo_opts_next(&ttool, 7, argv, &st)) != NULL) {
		int r = hpo_opts_common(&ttool, o, &st, &c);
		assert_true(r == 0 || r == 1);
		if (r == 0) {
			assert_ptr_equal(o, &topts[T_NUM]);
			own++;
		}
	}
	assert_int_equal(own, 1);
	assert_int_equal(c.local, 1);
	assert_int_equal(c.quiet, 1);
	assert_string_equal(c.db, "x.db");
}

/* The shared options are the same entries in every table. */
static void
test_shared_entries(void **state)
{
	static const struct hpo_option shared[] = {
		HPO_OPTION_LOCAL, HPO_OPTION_DB, HPO_OPTION_QUIET, HPO_OPTION_HELP, HPO_OPTION_VERSION,
	};

	(void)state;
	assert_string_equal(shared[0].name, "local");
	assert_int_equal(shared[0].shrt, 'l');
	assert_string_equal(shared[1].name, "db");
	assert_string_equal(shared[1].arg, "PATH");
	assert_int_equal(shared[2].shrt, 'q');
	assert_int_equal(shared[3].shrt, 'h');
	assert_int_equal(shared[4].shrt, 'V');
	for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++) {
		size_t n = strlen(shared[i].help);
		assert_true(islower((unsigned char)shared[i].help[0]));
		assert_true(shared[i].help[n - 1] != '.');
	}
}

static char *
captured(void (*fn)(FILE *, const struct hpo_tool *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, &ttool);
	fclose(f);
	return buf;
}

static void
test_help(void **state)
{
	char *h = captured(hpo_opts_help);

	(void)state;
	assert_non_null(strstr(h, "usage: hpo-test [options] FILE\n"));
	assert_non_null(strstr(h, "  -n, --num N "));
	assert_non_null(strstr(h, "      --db PATH "));
	/* every shared code, the tool's own code in its place, the note under
	 * its code, then the footer */
	assert_non_null(strstr(h, "\nexit status"));
	for (const struct hpo_exitcode *e = hpo_exit_table; e->name != NULL; e++) {
		char row[160];
		snprintf(row, sizeof(row), "%-4d %-12s %s\n", e->code, e->name, e->help);
		assert_non_null(strstr(h, row));
	}
	assert_non_null(strstr(h, "no such task, point, database or checkpoint\n"
				  "                    a note on not found\n"
				  "  4    OWN          the tool's own result\n"
				  "  9    TIMEOUT"));
	assert_non_null(strstr(h, "(SIGINT)\nafter the codes\n"));
	free(h);
}

static void
test_dump(void **state)
{
	char *d = captured(hpo_opts_dump);

	(void)state;
	assert_string_equal(strstr(d, "--num"), "--num -n N a number\n--flag - - a flag\n"
			"--quiet -q - print only errors on stderr\n"
			"--help -h - show this help and exit\n"
			"--version -V - show the version and exit\n");
	assert_true(strncmp(d, "--local -l - use the local engine", 33) == 0);
	free(d);
	/* --dump-options is hidden: not in the table, yet known */
	assert_string_equal(P("--dump-options"), "dump-options |");
}

static void
test_exit_table(void **state)
{
	int last = -1;

	(void)state;
	for (const struct hpo_exitcode *e = hpo_exit_table; e->name != NULL; e++) {
		size_t n = strlen(e->help);
		assert_true(e->code > last);	/* ascending, distinct */
		last = e->code;
		/* the tools' own range is free */
		assert_false(e->code >= HPO_EXIT_TOOL_FIRST && e->code <= HPO_EXIT_TOOL_LAST);
		assert_true(islower((unsigned char)e->help[0]));
		assert_true(e->help[n - 1] != '.' && strchr(e->help, '\n') == NULL);
		assert_ptr_equal(hpo_exit_lookup(e->code), e);
	}
	assert_null(hpo_exit_lookup(4));
	assert_int_equal(hpo_exit_lookup(HPO_EXIT_AUTH)->code, 10);
}

static void
test_exit_for(void **state)
{
	static const struct { enum hpo_errkind kind; int code; } map[] = {
		{HPO_E_OK, 0}, {HPO_E_SYS, 1}, {HPO_E_RUNTIME, 1}, {HPO_E_NOTFOUND, 3},
		{HPO_E_AUTH, 10}, {HPO_E_NET, 11}, {HPO_E_SERVER, 12}, {HPO_E_INPUT, 13},
		{HPO_E_BUSY, 14},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct hpo_err err = {map[i].kind, ""};
		assert_int_equal(hpo_exit_for(&err), map[i].code);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_common),
		cmocka_unit_test(test_shared_entries),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_exit_table),
		cmocka_unit_test(test_exit_for),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
