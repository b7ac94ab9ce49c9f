/* test_ckpt.c - generations: names, save and list, keep K, temporaries,
 * load with fallback, the archive handed over, store URLs */
#include "autoconf.h"

#include <fcntl.h>
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

#include "ckpt.h"
#include "file.h"
#include "log.h"

struct fix {
	char top[PATH_MAX];
	char old[PATH_MAX];
	struct hpo_ckpt_loc *s;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	struct hpo_err err = {0};

	hpo_log_init("test_ckpt", HPO_LOG_QUIET);
	if (f == NULL || getcwd(f->old, sizeof(f->old)) == NULL)
		return -1;
	snprintf(f->top, sizeof(f->top), "/tmp/test_ckpt.XXXXXX");
	if (mkdtemp(f->top) == NULL || chdir(f->top) < 0 || mkdir("out", 0755) < 0)
		return -1;
	if (hpo_ckpt_open("file://localhost/tmp/../tmp/nonexistent-test-ckpt", &f->s, &err) < 0)
		return -1;
	hpo_ckpt_loc_free(f->s);
	if (hpo_ckpt_open("store/sub", &f->s, &err) < 0)
		return -1;
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

static void
put(const char *rel, const char *text)
{
	struct hpo_err err = {0};

	assert_int_equal(hpo_file_write_atomic(rel, text, strlen(text), 0644, &err), 0);
}

static char *
get(const char *rel)
{
	struct hpo_err err = {0};
	char *buf = NULL;
	size_t len;

	if (hpo_file_read(rel, 1 << 20, &buf, &len, &err) < 0)
		return NULL;
	return buf;
}

static void
save(struct fix *f, const char *text, struct hpo_ckpt_gen *g)
{
	const char *paths[] = {"model.txt"};
	struct hpo_ckpt_save opt = {paths, 1, HPO_TAR_ZSTD, 2, 0};
	struct hpo_err err = {0};

	put("model.txt", text);
	if (hpo_ckpt_save(f->s, &opt, g, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
test_names(void **state)
{
	struct hpo_ckpt_gen g;
	struct hpo_tar_sum sum = {0x0a1b2c3d, 12345};
	char name[128];

	(void)state;
	hpo_ckpt_format(name, sizeof(name), 7, &sum, HPO_TAR_ZSTD);
	assert_string_equal(name, "gen-00000007-0a1b2c3d-12345.tar.zst");
	assert_int_equal(hpo_ckpt_parse(name, &g), 0);
	assert_int_equal(g.number, 7);
	assert_int_equal(g.sum.adler32, 0x0a1b2c3d);
	assert_int_equal(g.sum.size, 12345);
	assert_int_equal(g.comp, HPO_TAR_ZSTD);
	assert_int_equal(hpo_ckpt_parse("gen-123456789-0a1b2c3d-1.tar.gz", &g), 0);
	assert_int_equal(g.number, 123456789);
	assert_int_equal(g.comp, HPO_TAR_GZIP);
	assert_int_equal(hpo_ckpt_parse("gen-0000007-0a1b2c3d-1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3-1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3d-.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3d-+1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3d-1.tar", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3d-1.tar.zst.part", &g), -1);
	assert_int_equal(hpo_ckpt_parse(".gen-00000007.1234abcd.part", &g), -1);
	/* one generation, one name: only what hpo_ckpt_format writes (a
	 * fuzzing find: sscanf took overflowing numbers, signs, 0x, spaces) */
	assert_int_equal(hpo_ckpt_parse("gen-18446744073709551616-0a1b2c3d-1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3d-18446744073709551616.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3d-01.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-012345678-0a1b2c3d-1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0x1b2c3d-1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-+a1b2c3d-1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0A1B2C3D-1.tar.zst", &g), -1);
	assert_int_equal(hpo_ckpt_parse("gen-00000007-0a1b2c3d-0.tar.zst", &g), 0);
	assert_int_equal(g.sum.size, 0);
	assert_int_equal(hpo_ckpt_parse("gen-18446744073709551615-ffffffff-18446744073709551615.tar.gz",
					&g), 0);
	assert_true(g.number == ULONG_MAX && g.sum.adler32 == 0xffffffffu &&
		    g.sum.size == UINT64_MAX);
	assert_true(hpo_ckpt_is_temp(".gen-00000007.1234abcd.part"));
	assert_false(hpo_ckpt_is_temp("gen-00000007-0a1b2c3d-1.tar.zst"));
}

static void
test_urls(void **state)
{
	struct hpo_ckpt_loc *s = NULL;
	struct hpo_err err = {0};

	(void)state;
	assert_int_equal(hpo_ckpt_open("file:///tmp/x", &s, &err), 0);
	assert_string_equal(s->where, "/tmp/x");
	hpo_ckpt_loc_free(s);
	assert_int_equal(hpo_ckpt_open("relative/dir", &s, &err), 0);
	hpo_ckpt_loc_free(s);
	assert_int_equal(hpo_ckpt_open("file://host/x", &s, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_int_equal(hpo_ckpt_open("http://h/x", &s, &err), -1);
	assert_int_equal(hpo_ckpt_open("gopher://h/x", &s, &err), -1);
	assert_string_equal(err.msg, "gopher://h/x: unknown scheme 'gopher'");
	assert_int_equal(hpo_ckpt_open("davs://h/x", &s, &err), -1);
	assert_int_equal(hpo_ckpt_open("", &s, &err), -1);
}

/* Generations count up, the store directory is made 0700, keep 2 prunes
 * the oldest only after the new one is in place. */
static void
test_save_keep(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_gen g, *gens;
	struct hpo_err err = {0};
	struct stat st;
	size_t n, ntemp;

	save(f, "one", &g);
	assert_int_equal(g.number, 1);
	assert_int_equal(stat("store/sub", &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	save(f, "two", &g);
	save(f, "three", &g);
	assert_int_equal(g.number, 3);
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, &ntemp, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ntemp, 0);
	assert_int_equal(gens[0].number, 3);
	assert_int_equal(gens[1].number, 2);
	assert_int_equal(gens[0].stored, gens[0].sum.size);
	free(gens);
	assert_int_equal(hpo_ckpt_prune(f->s, 0, 1, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, NULL, &err), 0);
	assert_int_equal(n, 0);
	free(gens);
}

/* A killed save's temporary is ignored, then removed by the next save. */
static void
test_temporaries(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_load lo = {"out", NULL, 0};
	struct hpo_ckpt_loaded res;
	struct hpo_ckpt_gen g, *gens;
	struct hpo_err err = {0};
	size_t n, ntemp;
	char *s;

	save(f, "good", &g);
	put("store/sub/.gen-00000002.deadbeef.part", "half an archive");
	put("store/sub/unrelated.txt", "not ours");
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, &ntemp, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ntemp, 1);
	free(gens);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), 0);
	assert_int_equal(res.gen.number, 1);
	assert_non_null(s = get("out/model.txt"));
	assert_string_equal(s, "good");
	free(s);
	save(f, "better", &g);
	assert_int_equal(g.number, 2);
	assert_int_equal(access("store/sub/.gen-00000002.deadbeef.part", F_OK), -1);
	assert_int_equal(access("store/sub/unrelated.txt", F_OK), 0);
}

/* A save lists the location twice, not more: once for the next number
 * and an earlier save's temporaries, once after the rename for keep K (a
 * listing is a round trip to Grid storage, and a fresh TLS connection
 * where a missing collection's 404 closed the last one). */
static const struct hpo_ckpt_loc_ops *real_ops;
static int listings;

static int
counting_list(struct hpo_ckpt_loc *s, struct hpo_ckpt_entry **out, size_t *n,
	      struct hpo_err *err)
{
	listings++;
	return real_ops->list(s, out, n, err);
}

static void
test_save_lists_twice(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_loc_ops counted;
	struct hpo_ckpt_gen g;

	save(f, "first", &g);
	put("store/sub/.gen-00000002.deadbeef.part", "half an archive");
	real_ops = f->s->ops;
	counted = *real_ops;
	counted.list = counting_list;
	f->s->ops = &counted;
	listings = 0;
	save(f, "second", &g);
	f->s->ops = real_ops;
	assert_int_equal(listings, 2);
	assert_int_equal(g.number, 2);
	assert_int_equal(access("store/sub/.gen-00000002.deadbeef.part", F_OK), -1);
}

/* A damaged newest generation: load says so and takes the previous one;
 * all damaged: unusable. An incomplete one (size not its name's) too. */
static void
test_fallback(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_load lo = {"out", NULL, 0};
	struct hpo_ckpt_loaded res;
	struct hpo_ckpt_gen g1, g2;
	struct hpo_err err = {0};
	char p1[PATH_MAX], p2[PATH_MAX], *s;
	int fd;

	save(f, "first", &g1);
	save(f, "second", &g2);
	snprintf(p1, sizeof(p1), "store/sub/%s", g1.name);
	snprintf(p2, sizeof(p2), "store/sub/%s", g2.name);
	fd = open(p2, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, (off_t)g2.sum.size / 2), 1);
	close(fd);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), 0);
	assert_int_equal(res.gen.number, 1);
	assert_int_equal(res.skipped, 1);
	assert_non_null(s = get("out/model.txt"));
	assert_string_equal(s, "first");
	free(s);

	assert_int_equal(truncate(p1, (off_t)g1.sum.size - 3), 0);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), -1);
	assert_true(res.unusable);
	assert_false(res.none);
	assert_int_equal(res.skipped, 2);
	assert_non_null(strstr(err.msg, "no usable checkpoint"));
}

/* After a load fell back past a damaged newest generation, the next save
 * with keep 2 keeps the new one and the good one the load used; the
 * damaged one (marked by the load) goes, as does an incomplete one. */
static void
test_keep_counts_good(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_load lo = {"out", NULL, 0};
	struct hpo_ckpt_loaded res;
	struct hpo_ckpt_gen g1, g2, g3, g4, *gens;
	struct hpo_err err = {0};
	char p2[PATH_MAX], *s;
	size_t n;
	int fd;

	save(f, "first", &g1);
	save(f, "second", &g2);
	snprintf(p2, sizeof(p2), "store/sub/%s", g2.name);
	fd = open(p2, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "X", 1, (off_t)g2.sum.size / 2), 1);
	close(fd);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), 0);
	assert_int_equal(res.gen.number, 1);

	/* the load marked it: the listing says so, the next load skips it */
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, NULL, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(gens[0].number, 2);
	assert_true(gens[0].damaged);
	assert_false(gens[1].damaged);
	free(gens);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), 0);
	assert_int_equal(res.gen.number, 1);
	assert_int_equal(res.skipped, 1);

	save(f, "third", &g3);
	assert_int_equal(g3.number, 3);
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, NULL, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(gens[0].number, 3);
	assert_int_equal(gens[1].number, 1);	/* the good one stays, not the damaged 2 */
	free(gens);

	/* an incomplete generation (its size is not its name's) counts as none */
	save(f, "fourth", &g4);
	snprintf(p2, sizeof(p2), "store/sub/%s", g4.name);
	assert_int_equal(truncate(p2, (off_t)g4.sum.size - 3), 0);
	save(f, "fifth", &g4);
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, NULL, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(gens[0].number, 5);
	assert_int_equal(gens[1].number, 3);
	free(gens);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), 0);
	assert_non_null(s = get("out/model.txt"));
	assert_string_equal(s, "fifth");
	free(s);
}

/* A refused archive (its bytes are what its name says) is not marked. */
static void
test_refused_not_marked(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_load lo = {"out", NULL, 0};
	struct hpo_ckpt_loaded res;
	struct hpo_ckpt_gen *gens;
	struct hpo_err err = {0};
	size_t n;

	assert_int_equal(system("mkdir -p store/sub && cd store/sub && "
				"printf 'evil\\n' > /tmp/test_ckpt_evil_$$ && "
				"tar -czf x.tar.gz -P /tmp/test_ckpt_evil_$$ && rm /tmp/test_ckpt_evil_$$ && "
				"a=$(python3 -c 'import zlib,sys; print(\"%08x\" % zlib.adler32(open(\"x.tar.gz\",\"rb\").read()))') && "
				"mv x.tar.gz gen-00000001-$a-$(stat -c %s x.tar.gz).tar.gz"), 0);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), -1);
	assert_true(res.unusable);
	assert_non_null(strstr(err.msg, "refused"));
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, NULL, &err), 0);
	assert_int_equal(n, 1);
	assert_false(gens[0].damaged);
	free(gens);
}

static void
test_none(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_load lo = {"out", NULL, 0};
	struct hpo_ckpt_loaded res;
	struct hpo_err err = {0};

	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), -1);
	assert_true(res.none);
	assert_int_equal(err.kind, HPO_E_NOTFOUND);
	assert_string_equal(err.msg, "no checkpoint in store/sub");
}

/* --keep-archive: the archive itself, verified, under the given name. */
static void
test_archive(void **state)
{
	struct fix *f = *state;
	struct hpo_ckpt_load lo = {NULL, "out/ckpt.tar.zst", 0};
	struct hpo_ckpt_loaded res;
	struct hpo_ckpt_gen g;
	struct hpo_err err = {0};
	struct stat st;
	char path[PATH_MAX], cmd[2 * PATH_MAX];

	save(f, "archived", &g);
	assert_int_equal(hpo_ckpt_load(f->s, &lo, &res, &err), 0);
	assert_int_equal(stat("out/ckpt.tar.zst", &st), 0);
	assert_int_equal((uint64_t)st.st_size, g.sum.size);
	snprintf(path, sizeof(path), "store/sub/%s", g.name);
	snprintf(cmd, sizeof(cmd), "cmp -s out/ckpt.tar.zst %s", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(system("test $(ls out | wc -l) -eq 1"), 0);	/* no temporary left */
}

/* A path that cannot be saved: the save fails, the store keeps what it had
 * and no temporary stays. */
static void
test_save_fails(void **state)
{
	struct fix *f = *state;
	const char *paths[] = {"model.txt", "missing"}, *deep[] = {"model.txt", "d"};
	struct hpo_ckpt_save opt = {paths, 2, HPO_TAR_ZSTD, 2, 0};
	struct hpo_ckpt_gen g, *gens;
	struct hpo_err err = {0};
	char dir[1024] = "d";
	size_t n, ntemp;

	/* a missing path: refused before anything is made */
	put("model.txt", "x");
	assert_int_equal(hpo_ckpt_save(f->s, &opt, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	assert_string_equal(err.msg, "missing: no such file or directory");
	assert_int_equal(access("store", F_OK), -1);

	/* packing fails midway (directories nested too deep): no temporary
	 * is left, the generation before stays the only one */
	save(f, "kept", &g);
	for (int i = 0; i < 300; i++) {
		assert_int_equal(mkdir(dir, 0755), 0);
		strcat(dir, "/d");
	}
	opt.paths = deep;
	assert_int_equal(hpo_ckpt_save(f->s, &opt, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_non_null(strstr(err.msg, "nested too deep"));
	assert_int_equal(hpo_ckpt_list(f->s, &gens, &n, &ntemp, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ntemp, 0);
	free(gens);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_urls),
		cmocka_unit_test_setup_teardown(test_save_keep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_temporaries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_lists_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_counts_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_not_marked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_none, setup, teardown),
		cmocka_unit_test_setup_teardown(test_archive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_fails, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
