/* test_taskcache.c - the Grid task cache: entries kept whole, the user's alone,
 * anything damaged or foreign taken as absent */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "err.h"
#include "file.h"
#include "taskcache.h"

#define SERVER "https://panda.example:25443/api/v1"

static char base[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/hpo-taskcache.XXXXXX");
	if (mkdtemp(base) == NULL)
		return -1;
	return setenv("XDG_CACHE_HOME", base, 1);
}

static int
teardown(void **state)
{
	struct hpo_err err = {0};

	(void)state;
	return hpo_rmtree(base, &err);
}

static json_t *
task_info(const char *name)
{
	return json_pack("{s:s, s:{s:s}, s:s, s:{s:{s:i}}}", "taskName", name, "creationDate",
			 "__datetime__", "2026-12-06T12:00:00", "status", "running", "raw_task_params",
			 "hpoRequestData", "max_points", 10);
}

/* the entry file of task id of SERVER's cache */
static char *
entry_file(int64_t id)
{
	char *dir = xasprintf("%s/hpo-tools", base), *cmd, *path = NULL;
	FILE *f;

	cmd = xasprintf("ls -d %s/panda-*", dir);
	f = popen(cmd, "r");
	if (f != NULL) {
		char line[256];
		if (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			path = xasprintf("%s/%lld.json", line, (long long)id);
		}
		pclose(f);
	}
	free(cmd);
	free(dir);
	return path;
}

static void
write_text(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_round_trip(void **state)
{
	struct hpo_taskcache *c = hpo_taskcache_open(SERVER);
	json_t *info = task_info("user.me.a/"), *e;
	struct stat st;
	char *path;

	(void)state;
	assert_non_null(c);
	assert_null(hpo_taskcache_get(c, 12));
	hpo_taskcache_put(c, 12, info, 1);
	e = hpo_taskcache_get(c, 12);
	assert_non_null(e);
	assert_string_equal(json_string_value(json_object_get(e, "taskName")), "user.me.a/");
	assert_true(json_is_true(json_object_get(e, "listed")));
	/* what changes is not kept */
	assert_null(json_object_get(e, "status"));
	json_decref(e);
	path = entry_file(12);
	assert_non_null(path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	*strrchr(path, '/') = '\0';
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(path);
	/* listed: false is kept too */
	hpo_taskcache_put(c, 12, info, 0);
	e = hpo_taskcache_get(c, 12);
	assert_true(json_is_false(json_object_get(e, "listed")));
	json_decref(e);
	hpo_taskcache_free(c);
	/* another server's cache has none of it */
	c = hpo_taskcache_open("https://other.example/api/v1");
	assert_null(hpo_taskcache_get(c, 12));
	hpo_taskcache_free(c);
	json_decref(info);
}

static void
test_damaged(void **state)
{
	struct hpo_taskcache *c = hpo_taskcache_open(SERVER);
	json_t *info = task_info("user.me.b/"), *e;
	char *path, *other;

	(void)state;
	hpo_taskcache_put(c, 20, info, 1);
	path = entry_file(20);
	other = entry_file(21);
	/* cut short, not JSON, another format */
	write_text(path, "{\"format\": 1, \"server\": \"" SERVER "\", \"jediTask", 0600);
	assert_null(hpo_taskcache_get(c, 20));
	write_text(path, "\x01\x02 garbage", 0600);
	assert_null(hpo_taskcache_get(c, 20));
	write_text(path, "[]", 0600);
	assert_null(hpo_taskcache_get(c, 20));
	write_text(path, "", 0600);
	assert_null(hpo_taskcache_get(c, 20));
	/* a whole entry written again is read again */
	hpo_taskcache_put(c, 20, info, 1);
	e = hpo_taskcache_get(c, 20);
	assert_non_null(e);
	json_decref(e);
	/* task 20's entry under task 21's name: not task 21's */
	assert_int_equal(rename(path, other), 0);
	assert_null(hpo_taskcache_get(c, 21));
	/* an entry others may read or write is not trusted */
	hpo_taskcache_put(c, 20, info, 1);
	assert_int_equal(chmod(path, 0644), 0);
	assert_null(hpo_taskcache_get(c, 20));
	/* a directory in its place */
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(hpo_taskcache_get(c, 20));
	rmdir(path);
	free(path);
	free(other);
	hpo_taskcache_free(c);
	json_decref(info);
}

static void
test_not_kept(void **state)
{
	struct hpo_taskcache *c = hpo_taskcache_open(SERVER);
	json_t *info = json_pack("{s:s, s:s}", "taskName", "user.me.c/", "status", "running");

	(void)state;
	/* no parameters (a server that could not read them): nothing kept */
	hpo_taskcache_put(c, 30, info, 1);
	assert_null(hpo_taskcache_get(c, 30));
	/* a NULL cache takes every call */
	hpo_taskcache_put(NULL, 30, info, 1);
	assert_null(hpo_taskcache_get(NULL, 30));
	json_decref(info);
	hpo_taskcache_free(NULL);
	hpo_taskcache_free(c);
}

static void
test_fill(void **state)
{
	struct hpo_taskcache *c = hpo_taskcache_open(SERVER);
	json_t *info = task_info("user.me.d/"), *fresh, *e;

	(void)state;
	hpo_taskcache_put(c, 40, info, 1);
	e = hpo_taskcache_get(c, 40);
	fresh = json_pack("{s:s, s:n}", "status", "done", "raw_task_params");
	hpo_taskcache_fill(e, fresh);
	assert_string_equal(json_string_value(json_object_get(fresh, "status")), "done");
	assert_string_equal(json_string_value(json_object_get(fresh, "taskName")), "user.me.d/");
	assert_true(json_equal(json_object_get(fresh, "raw_task_params"),
			       json_object_get(info, "raw_task_params")));
	json_decref(fresh);
	json_decref(e);
	json_decref(info);
	hpo_taskcache_free(c);
}

static void
test_no_place(void **state)
{
	char *home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;

	(void)state;
	/* a relative XDG_CACHE_HOME is ignored, and without HOME there is no place */
	setenv("XDG_CACHE_HOME", "relative", 1);
	unsetenv("HOME");
	assert_null(hpo_taskcache_open(SERVER));
	assert_int_equal(access("relative", F_OK), -1);
	if (home != NULL)
		setenv("HOME", home, 1);
	free(home);
	setenv("XDG_CACHE_HOME", base, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_place, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
