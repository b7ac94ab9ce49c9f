/* test_proc.c - hpo_spawn: the command runs in its directory, in a process
 * group of its own, with the engine's environment and its own strings over
 * it, stdin from /dev/null, stdout and stderr appended to the log, the
 * signals the engine handles or ignores back at their defaults; a
 * directory it cannot enter is said in the log (exit 126) */
#include "autoconf.h"

#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "file.h"
#include "proc.h"

static int
setup(void **state)
{
	char *dir = strdup("/tmp/test_proc.XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL)
		return -1;
	*state = dir;
	return 0;
}

static int
teardown(void **state)
{
	struct hpo_err err = {0};
	int rc = hpo_rmtree(*state, &err);

	free(*state);
	return rc;
}

/* Run shell in dir with env, the log in the test's directory: its wait
 * status, the log's text in *log (malloc'ed). */
static int
run(void **state, const char *dir, const char *shell, const char *const *env, char **log)
{
	struct hpo_err err = {0};
	struct hpo_command cmd = {0};
	char *logpath = hpo_path_join(*state, "job.log");
	size_t len;
	int status;
	pid_t pid, got;

	unlink(logpath);
	cmd.dir = dir;
	cmd.shell = shell;
	cmd.log = logpath;
	cmd.env = env;
	assert_int_equal(hpo_spawn(&cmd, &pid, &err), 0);
	while ((got = waitpid(pid, &status, 0)) < 0)
		;
	assert_int_equal(got, pid);
	assert_int_equal(hpo_file_read(logpath, 1 << 20, log, &len, &err), 0);
	free(logpath);
	return status;
}

static void
test_runs_in_its_world(void **state)
{
	const char *env[] = {"HPO_TEST_A=new", "HPO_TEST_B=b", NULL};
	char expect[PATH_MAX + 256], *log;
	int status;

	setenv("HPO_TEST_A", "old", 1);
	setenv("HPO_TEST_KEPT", "kept", 1);
	status = run(state, *state,
		     "echo \"dir=$(pwd) a=$HPO_TEST_A b=$HPO_TEST_B kept=$HPO_TEST_KEPT\"; "
		     "echo \"pgid=$(cut -d' ' -f5 /proc/$$/stat) pid=$$\"; "
		     "echo err >&2; cat; echo \"stdin=$?\"", env, &log);
	unsetenv("HPO_TEST_A");
	unsetenv("HPO_TEST_KEPT");
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(expect, sizeof(expect), "dir=%s a=new b=b kept=kept\n", (char *)*state);
	assert_non_null(strstr(log, expect));
	/* its own group: the pgid is its pid */
	{
		long pgid = -1, pid = -2;
		const char *p = strstr(log, "pgid=");
		assert_non_null(p);
		assert_int_equal(sscanf(p, "pgid=%ld pid=%ld", &pgid, &pid), 2);
		assert_int_equal(pgid, pid);
	}
	assert_non_null(strstr(log, "\nerr\n"));
	assert_non_null(strstr(log, "stdin=0\n"));	/* /dev/null: cat ends at once */
	free(log);
}

static unsigned long long
bit(int sig)
{
	return 1ULL << (sig - 1);
}

/* the hexadecimal mask after name in a /proc/PID/status text */
static unsigned long long
mask(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	assert_non_null(p);
	return strtoull(p + strlen(name), NULL, 16);
}

/* the engine ignores SIGPIPE and blocks what its loop handles: the command
 * gets them back */
static void
test_signals_back(void **state)
{
	sigset_t block, old;
	char *log;
	int status;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	/* the shell reads its own status with builtins only: a command it
	 * forked would see the shell while it blocks signals around the fork */
	status = run(state, *state,
		     "while read -r k v; do case $k in SigIgn:|SigBlk:) echo \"$k $v\";; esac; "
		     "done </proc/$$/status", NULL, &log);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, SIG_DFL);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* what the test's own caller ignores (a background job: SIGINT,
	 * SIGQUIT) may stay ignored; the engine's five are back */
	assert_int_equal(mask(log, "SigIgn:") & (bit(SIGPIPE) | bit(SIGCHLD) | bit(SIGTERM) |
						 bit(SIGINT) | bit(SIGHUP)), 0);
	assert_int_equal(mask(log, "SigBlk:"), 0);
	free(log);
}

static void
test_log_appended(void **state)
{
	struct hpo_err err = {0};
	struct hpo_command cmd = {0};
	char *logpath = hpo_path_join(*state, "job.log"), *log;
	size_t len;
	int status;
	pid_t pid;

	cmd.dir = *state;
	cmd.log = logpath;
	for (int i = 0; i < 2; i++) {
		cmd.shell = i == 0 ? "echo one" : "echo two";
		assert_int_equal(hpo_spawn(&cmd, &pid, &err), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
	}
	assert_int_equal(hpo_file_read(logpath, 1 << 20, &log, &len, &err), 0);
	assert_string_equal(log, "one\ntwo\n");
	free(log);
	free(logpath);
}

static void
test_missing_directory(void **state)
{
	char *gone = hpo_path_join(*state, "gone"), expect[PATH_MAX + 64], *log;
	int status;

	status = run(state, gone, "echo ran", NULL, &log);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 126);
	snprintf(expect, sizeof(expect), "hpo: cannot enter %s: No such file or directory\n", gone);
	assert_string_equal(log, expect);
	free(log);
	free(gone);
}

static void
test_log_unwritable(void **state)
{
	struct hpo_err err = {0};
	struct hpo_command cmd = {0};
	char *logpath = hpo_path_join(*state, "no/such/job.log");
	pid_t pid = 0;

	cmd.dir = *state;
	cmd.shell = "true";
	cmd.log = logpath;
	assert_int_equal(hpo_spawn(&cmd, &pid, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	assert_non_null(strstr(err.msg, "no/such/job.log"));
	free(logpath);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_runs_in_its_world, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_appended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_unwritable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
