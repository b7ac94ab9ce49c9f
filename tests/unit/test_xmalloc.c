/* test_xmalloc.c - allocation that cannot fail */
#include "autoconf.h"

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
#include <jansson.h>

#include "exitcode.h"
#include "log.h"
#include "xmalloc.h"

/* Under AddressSanitizer an absurd request aborts the program by default;
 * the C library (and ASan with this option) returns NULL, which is what
 * the failure path under test handles.  Read by the ASan runtime only;
 * ASAN_OPTIONS from the environment still wins. */
const char *__asan_default_options(void);
const char *
__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static void
test_strings(void **state)
{
	char *s;

	(void)state;
	s = xasprintf("%s-%d-%.2f-%c", "ab", 42, 1.5, 'z');
	assert_string_equal(s, "ab-42-1.50-z");
	free(s);
	s = xasprintf("%s", "");
	assert_string_equal(s, "");
	free(s);
	s = xstrdup("hello");
	assert_string_equal(s, "hello");
	free(s);
	s = xstrndup("hello", 3);
	assert_string_equal(s, "hel");
	free(s);
	s = xstrndup("hi", 10);
	assert_string_equal(s, "hi");
	free(s);
}

static void
test_arrays(void **state)
{
	int *a;

	(void)state;
	a = xcalloc(8, sizeof(*a));
	for (int i = 0; i < 8; i++)
		assert_int_equal(a[i], 0);
	a = xreallocarray(a, 1000, sizeof(*a));
	a[999] = 7;
	assert_int_equal(a[0], 0);
	free(a);
	/* zero sizes give a pointer to free, never NULL */
	a = xmalloc(0);
	assert_non_null(a);
	free(a);
	a = xcalloc(0, 4);
	assert_non_null(a);
	free(a);
}

/* Run f in a child with stderr on a pipe: its exit status and message. */
static int
in_child(void (*f)(void), char *msg, size_t len)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		f();
		_exit(0);
	}
	close(fds[1]);
	/* all of it, to the end: a reader that stops early would kill the
	 * child with SIGPIPE (AddressSanitizer writes a warning first) */
	size_t got = 0;
	char junk[256];
	while ((n = read(fds[0], got < len - 1 ? msg + got : junk,
			 got < len - 1 ? len - 1 - got : sizeof(junk))) > 0)
		if (got < len - 1)
			got += (size_t)n;
	msg[got] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* the last line of s (with its newline) */
static const char *
last_line(const char *s)
{
	size_t n = strlen(s);
	const char *p;

	if (n < 2)
		return s;
	for (p = s + n - 2; p > s && p[-1] != '\n'; p--)
		;
	return p;
}

static void
huge_malloc(void)
{
	hpo_log_init("/usr/bin/hpo-test", HPO_LOG_NORMAL);
	free(xmalloc(SIZE_MAX - 4096));
}

static void
overflowing_array(void)
{
	hpo_log_init("hpo-test", HPO_LOG_NORMAL);
	free(xreallocarray(NULL, SIZE_MAX / 2, 3));
}

static void
huge_json(void)
{
	json_malloc_t m;
	json_free_t f;

	hpo_log_init("hpo-test", HPO_LOG_NORMAL);
	/* jansson allocates through xmalloc now: a failing allocation ends
	 * the process instead of returning NULL to jansson */
	json_get_alloc_funcs(&m, &f);
	f(m(SIZE_MAX - 4096));
}

static void
test_out_of_memory(void **state)
{
	char msg[256];

	(void)state;
	assert_int_equal(in_child(huge_malloc, msg, sizeof(msg)), HPO_EXIT_ERROR);
	assert_string_equal(last_line(msg), "hpo-test: out of memory\n");
	assert_int_equal(in_child(overflowing_array, msg, sizeof(msg)), HPO_EXIT_ERROR);
	assert_string_equal(last_line(msg), "hpo-test: out of memory\n");
	assert_int_equal(in_child(huge_json, msg, sizeof(msg)), HPO_EXIT_ERROR);
	assert_string_equal(last_line(msg), "hpo-test: out of memory\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_arrays),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
