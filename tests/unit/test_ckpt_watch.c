/* test_ckpt_watch.c - the watch supervisor: the command's status, a save
 * of what it wrote, 128+N for a signal, a stop signal passed on and the
 * last save made */
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
#include <unistd.h>

#include <cmocka.h>

#include "ckpt.h"
#include "ckpt_watch.h"
#include "file.h"
#include "log.h"

struct fix {
	char top[PATH_MAX];
	char old[PATH_MAX];
	struct hpo_ckpt_loc *s;
	struct hpo_ckpt_watch w;
	const char *paths[1];
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct hpo_err err = {0};
	char url[PATH_MAX + 16];

	hpo_log_init("test_ckpt_watch", HPO_LOG_QUIET);
	if (f == NULL || getcwd(f->old, sizeof(f->old)) == NULL)
		return -1;
	snprintf(f->top, sizeof(f->top), "/tmp/test_ckpt_watch.XXXXXX");
	if (mkdtemp(f->top) == NULL || chdir(f->top) < 0)
		return -1;
	snprintf(url, sizeof(url), "file://%s/store", f->top);
	if (hpo_ckpt_open(url, &f->s, &err) < 0)
		return -1;
	f->paths[0] = "state";
	f->w = (struct hpo_ckpt_watch){f->s, f->paths, 1, HPO_TAR_GZIP, 2, 60};
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};

	hpo_ckpt_loc_free(f->s);
	if (chdir(f->old) < 0)
		return -1;
	hpo_rmtree(f->top, &err);
	free(f);
	return 0;
}

/* the generations saved, and the newest one loaded into out/ */
static size_t
saved(struct fix *f)
{
	struct hpo_ckpt_gen *gens;
	struct hpo_err err = {0};
	size_t n;

	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, NULL, &err), 0);
	free(gens);
	return n;
}

static void
load_state(struct fix *f, char *buf, size_t len)
{
	struct hpo_ckpt_load opt = {"out", NULL, 0};
	struct hpo_ckpt_loaded res;
	struct hpo_err err = {0};
	FILE *fp;
	size_t got;

	assert_int_equal(hpo_mkdirs("out", 0755, &err), 0);
	assert_int_equal(hpo_ckpt_load(f->s, &opt, &res, &err), 0);
	assert_non_null(fp = fopen("out/state", "r"));
	got = fread(buf, 1, len - 1, fp);
	buf[got] = '\0';
	fclose(fp);
}

static void
test_status_and_save(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *cmd[] = {"sh", "-c", "echo trained > state; exit 5", NULL};
	char buf[64];

	assert_int_equal(hpo_ckpt_watch(&f->w, cmd, &err), 5);
	assert_int_equal(saved(f), 1);
	load_state(f, buf, sizeof(buf));
	assert_string_equal(buf, "trained\n");
}

static void
test_nothing_changed(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *cmd[] = {"true", NULL};

	assert_int_equal(hpo_ckpt_watch(&f->w, cmd, &err), 0);
	assert_int_equal(saved(f), 0);	/* nothing to save: no generation */
}

static void
test_killed(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *cmd[] = {"sh", "-c", "kill -KILL $$", NULL};

	assert_int_equal(hpo_ckpt_watch(&f->w, cmd, &err), 128 + SIGKILL);
}

static void
test_not_found(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *cmd[] = {"/nonexistent/test-ckpt-watch", NULL};

	assert_int_equal(hpo_ckpt_watch(&f->w, cmd, &err), 127);
}

static void
test_interval(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	/* two looks while it runs: the first sees the state, the second not */
	char *cmd[] = {"sh", "-c", "echo 1 > state; sleep 2.5; exit 0", NULL};

	f->w.interval = 1;
	assert_int_equal(hpo_ckpt_watch(&f->w, cmd, &err), 0);
	assert_int_equal(saved(f), 1);
}

/* SIGTERM to the watching process alone: passed on to the command, whose
 * trap writes its last state and exits 7; that state is saved. */
static void
test_sigterm(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *cmd[] = {"sh", "-c",
		       "trap 'echo last > state; exit 7' TERM; echo first > state; "
		       "kill -TERM $PPID; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; "
		       "exit 1", NULL};
	struct sigaction sa;
	char buf[64];

	assert_int_equal(hpo_ckpt_watch(&f->w, cmd, &err), 7);
	assert_int_equal(saved(f), 1);
	load_state(f, buf, sizeof(buf));
	assert_string_equal(buf, "last\n");
	/* the handler is the previous one again */
	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status_and_save, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_found, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
