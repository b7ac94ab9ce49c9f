/* test_buf.c - the growable string buffer */
#include "autoconf.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "exitcode.h"

static void
test_empty(void **state)
{
	struct hpo_buf b = {0};
	char *s;

	(void)state;
	assert_string_equal(hpo_buf_str(&b), "");
	s = hpo_buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	hpo_buf_free(&b);
}

static void
test_grows(void **state)
{
	struct hpo_buf b = {0};
	char *s;

	(void)state;
	/* past the first block many times: every byte kept, NUL-terminated */
	for (int i = 0; i < 10000; i++)
		assert_int_equal(hpo_buf_add(&b, "abc", i % 4), 0);
	assert_int_equal(b.len, 2500 * (0 + 1 + 2 + 3));
	assert_int_equal(b.s[b.len], '\0');
	assert_memory_equal(b.s, "aababc", 6);
	assert_true(b.cap > b.len);
	s = hpo_buf_take(&b);
	assert_int_equal(strlen(s), 15000);
	assert_null(b.s);
	assert_int_equal(b.len, 0);
	free(s);
}

static void
test_strings(void **state)
{
	struct hpo_buf b = {0};
	char big[1000];

	(void)state;
	assert_int_equal(hpo_buf_adds(&b, "x="), 0);
	assert_int_equal(hpo_buf_addf(&b, "%d,%s", 42, "y"), 0);
	assert_string_equal(hpo_buf_str(&b), "x=42,y");
	/* longer than addf's own small buffer: not cut */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(hpo_buf_addf(&b, "[%s]", big), 0);
	assert_int_equal(b.len, 6 + 2 + 999);
	assert_int_equal(b.s[b.len - 1], ']');
	hpo_buf_reset(&b);
	assert_string_equal(hpo_buf_str(&b), "");
	assert_int_equal(hpo_buf_adds(&b, "again"), 0);
	assert_string_equal(hpo_buf_str(&b), "again");
	hpo_buf_free(&b);
	assert_null(b.s);
}

static void
test_max(void **state)
{
	struct hpo_buf b = {.max = 8};
	char *s;

	(void)state;
	assert_int_equal(hpo_buf_adds(&b, "12345"), 0);
	/* over the limit: refused whole, the content as it was, not a failure */
	assert_int_equal(hpo_buf_adds(&b, "6789"), -1);
	assert_string_equal(hpo_buf_str(&b), "12345");
	assert_int_equal(hpo_buf_adds(&b, "678"), 0);
	assert_int_equal(hpo_buf_adds(&b, ""), 0);
	assert_int_equal(hpo_buf_adds(&b, "9"), -1);
	assert_int_equal(hpo_buf_add(&b, "9", SIZE_MAX), -1);
	s = hpo_buf_take(&b);
	assert_string_equal(s, "12345678");
	free(s);
	assert_int_equal(b.max, 8);	/* kept for the next use */
	hpo_buf_free(&b);
}

/* a size no allocator gives ends the process as out of memory does
 * (xmalloc.h), rather than leaving a buffer short of what was added */
static void
test_impossible_size(void **state)
{
	struct hpo_buf b = {0};
	int status, null;
	pid_t pid;

	(void)state;
	assert_int_equal(hpo_buf_adds(&b, "kept"), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) >= 0)
			dup2(null, 2);
		hpo_buf_add(&b, "x", SIZE_MAX - 2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), HPO_EXIT_ERROR);
	hpo_buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_grows),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_max),
		cmocka_unit_test(test_impossible_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
