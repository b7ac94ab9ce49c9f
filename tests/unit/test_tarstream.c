/* test_tarstream.c - checkpoint archives: round trips through a memory
 * sink, adler32 and size, verification, safe names and links, hostile
 * archives refused without a byte outside the target, fingerprints */
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "file.h"
#include "tarstream.h"

struct fix {
	char top[PATH_MAX];	/* scratch; the working directory during a test */
	char old[PATH_MAX];
};

struct mem {
	unsigned char *buf;
	size_t len, cap, pos;
	int fail_after;		/* sink: fail once this many bytes went in (0: never) */
};

static int
mem_sink(void *ctx, const void *buf, size_t len, struct hpo_err *err)
{
	struct mem *m = ctx;

	if (m->fail_after > 0 && m->len + len > (size_t)m->fail_after)
		return hpo_err_set(err, HPO_E_NET, "sink broke");
	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		m->buf = realloc(m->buf, m->cap);
		assert_non_null(m->buf);
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

static ssize_t
mem_source(void *ctx, void *buf, size_t len, struct hpo_err *err)
{
	struct mem *m = ctx;
	size_t n = m->len - m->pos < len ? m->len - m->pos : len;

	(void)err;
	if (n > 1000)
		n = 1000;	/* small reads, like a network */
	memcpy(buf, m->buf + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void
put(const char *rel, const void *data, size_t len)
{
	struct hpo_err err = {0};
	char *dir = strdup(rel), *slash = strrchr(dir, '/');

	if (slash != NULL) {
		*slash = '\0';
		assert_int_equal(hpo_mkdirs(dir, 0755, &err), 0);
	}
	free(dir);
	assert_int_equal(hpo_file_write_atomic(rel, data, len, 0644, &err), 0);
}

static char *
slurp(const char *path, size_t *len)
{
	struct hpo_err err = {0};
	char *buf = NULL;

	if (hpo_file_read(path, 1 << 26, &buf, len, &err) < 0)
		return NULL;
	return buf;
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || getcwd(f->old, sizeof(f->old)) == NULL)
		return -1;
	snprintf(f->top, sizeof(f->top), "/tmp/test_tarstream.XXXXXX");
	if (mkdtemp(f->top) == NULL || chdir(f->top) < 0)
		return -1;
	mkdir("src", 0755);
	mkdir("out", 0755);
	mkdir("outside", 0755);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};

	if (chdir(f->old) < 0)
		return -1;
	hpo_rmtree(f->top, &err);
	free(f);
	return 0;
}

/* The tree of a training job: nested directories, an empty file and an
 * empty directory, a symbolic link, binary data with every byte value. */
static void
make_tree(void)
{
	unsigned char bin[300000];

	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7919 + (i >> 8));
	put("ckpt/model.bin", bin, sizeof(bin));
	put("ckpt/deep/er/state.json", "{\"epoch\": 3}\n", 13);
	put("ckpt/empty", "", 0);
	assert_int_equal(mkdir("ckpt/emptydir", 0700), 0);
	assert_int_equal(symlink("model.bin", "ckpt/latest"), 0);
	assert_int_equal(symlink("../ckpt/deep", "ckpt/deep/up"), 0);
	put("log.txt", "epoch 3\n", 8);
}

static void
same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = slurp(a, &la), *y = slurp(b, &lb);

	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(la, lb);
	assert_memory_equal(x, y, la);
	free(x);
	free(y);
}

static void
round_trip(enum hpo_tar_comp comp)
{
	const char *paths[] = {"ckpt", "./log.txt"};
	struct mem m = {0};
	struct hpo_tar_sum sum, got;
	struct hpo_err err = {0};
	char link[64];
	struct stat st;
	ssize_t n;

	make_tree();
	assert_int_equal(hpo_tar_pack(paths, 2, comp, mem_sink, &m, &sum, &err), 0);
	assert_int_equal(sum.size, m.len);
	assert_int_equal(sum.adler32, (uint32_t)adler32(adler32(0, NULL, 0), m.buf, (uInt)m.len));
	if (comp == HPO_TAR_ZSTD)
		assert_memory_equal(m.buf, "\x28\xb5\x2f\xfd", 4);	/* zstd magic */
	else
		assert_memory_equal(m.buf, "\x1f\x8b", 2);

	assert_int_equal(hpo_tar_unpack(mem_source, &m, "out", &sum, &got, &err), 0);
	assert_int_equal(got.size, sum.size);
	same_file("ckpt/model.bin", "out/ckpt/model.bin");
	same_file("ckpt/deep/er/state.json", "out/ckpt/deep/er/state.json");
	same_file("log.txt", "out/log.txt");
	assert_int_equal(stat("out/ckpt/empty", &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(stat("out/ckpt/emptydir", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	n = readlink("out/ckpt/latest", link, sizeof(link) - 1);
	assert_int_equal(n, 9);
	link[n] = '\0';
	assert_string_equal(link, "model.bin");
	/* no temporary directory is left behind */
	assert_int_equal(system("test -z \"$(ls -A out | grep hpo-ckpt)\""), 0);
	free(m.buf);
}

static void
test_round_trip_zstd(void **state)
{
	(void)state;
	round_trip(HPO_TAR_ZSTD);
}

static void
test_round_trip_gzip(void **state)
{
	(void)state;
	round_trip(HPO_TAR_GZIP);
}

/* Loading over an existing tree: directories merge, files are replaced,
 * what the archive does not have stays. */
static void
test_merge(void **state)
{
	const char *paths[] = {"ckpt"};
	struct mem m = {0};
	struct hpo_tar_sum sum;
	struct hpo_err err = {0};
	size_t len;
	char *s;

	(void)state;
	put("ckpt/a", "new a", 5);
	put("ckpt/sub/b", "new b", 5);
	assert_int_equal(hpo_tar_pack(paths, 1, HPO_TAR_ZSTD, mem_sink, &m, &sum, &err), 0);
	put("out/ckpt/a", "old a", 5);
	put("out/ckpt/other", "keep me", 7);
	put("out/ckpt/sub", "a file where the archive has a directory", 40);
	if (hpo_tar_unpack(mem_source, &m, "out", &sum, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	assert_non_null(s = slurp("out/ckpt/a", &len));
	assert_string_equal(s, "new a");
	free(s);
	assert_non_null(s = slurp("out/ckpt/sub/b", &len));
	assert_string_equal(s, "new b");
	free(s);
	assert_non_null(s = slurp("out/ckpt/other", &len));
	assert_string_equal(s, "keep me");
	free(s);
	free(m.buf);
}

/* A damaged, truncated or mismatching stream leaves the target alone. */
static void
test_damaged(void **state)
{
	const char *paths[] = {"ckpt"};
	struct mem m = {0};
	struct hpo_tar_sum sum, other;
	struct hpo_err err = {0};

	(void)state;
	make_tree();
	assert_int_equal(hpo_tar_pack(paths, 1, HPO_TAR_ZSTD, mem_sink, &m, &sum, &err), 0);

	m.buf[m.len / 2] ^= 0x40;
	assert_int_equal(hpo_tar_unpack(mem_source, &m, "out", &sum, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_memory_equal(err.msg, "damaged", 7);
	assert_int_equal(system("test -z \"$(ls -A out)\""), 0);
	m.buf[m.len / 2] ^= 0x40;

	m.pos = 0;
	m.len -= 100;
	assert_int_equal(hpo_tar_unpack(mem_source, &m, "out", NULL, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_int_equal(system("test -z \"$(ls -A out)\""), 0);
	m.len += 100;

	/* intact bytes, but not the ones expected */
	other = sum;
	other.adler32 ^= 1;
	m.pos = 0;
	assert_int_equal(hpo_tar_unpack(mem_source, &m, "out", &other, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_non_null(strstr(err.msg, "expected"));
	assert_int_equal(system("test -z \"$(ls -A out)\""), 0);
	free(m.buf);
}

/* A sink that fails ends the pack with the sink's error. */
static void
test_sink_fails(void **state)
{
	const char *paths[] = {"ckpt"};
	struct mem m = {0};
	struct hpo_tar_sum sum;
	struct hpo_err err = {0};

	(void)state;
	make_tree();
	m.fail_after = 10;
	assert_int_equal(hpo_tar_pack(paths, 1, HPO_TAR_ZSTD, mem_sink, &m, &sum, &err), -1);
	assert_int_equal(err.kind, HPO_E_NET);
	assert_string_equal(err.msg, "sink broke");
	free(m.buf);
}

static void
test_pack_refuses(void **state)
{
	const char *abs[] = {"/etc/hostname"}, *up[] = {"../x"}, *missing[] = {"nope"};
	struct mem m = {0};
	struct hpo_err err = {0};

	(void)state;
	assert_int_equal(hpo_tar_pack(abs, 1, HPO_TAR_ZSTD, mem_sink, &m, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_int_equal(hpo_tar_pack(up, 1, HPO_TAR_ZSTD, mem_sink, &m, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_int_equal(hpo_tar_pack(missing, 1, HPO_TAR_ZSTD, mem_sink, &m, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);	/* exit 1, as hpo-ckpt(1) says */
	assert_string_equal(err.msg, "nope: no such file or directory");
	free(m.buf);
}

static void
test_names(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(hpo_tar_clean_name("./a//b/./c/", out, sizeof(out)), 0);
	assert_string_equal(out, "a/b/c");
	assert_int_equal(hpo_tar_clean_name("./", out, sizeof(out)), 1);
	assert_int_equal(hpo_tar_clean_name(".", out, sizeof(out)), 1);
	assert_int_equal(hpo_tar_clean_name("/etc/passwd", out, sizeof(out)), -1);
	assert_int_equal(hpo_tar_clean_name("../x", out, sizeof(out)), -1);
	assert_int_equal(hpo_tar_clean_name("a/../../x", out, sizeof(out)), -1);
	assert_int_equal(hpo_tar_clean_name("a/..", out, sizeof(out)), -1);
	assert_int_equal(hpo_tar_clean_name("a..b/..c", out, sizeof(out)), 0);
	assert_int_equal(hpo_tar_clean_name("abcdefgh", out, 8), -1);	/* too long */

	assert_int_equal(hpo_tar_link_ok("a/l", "b"), 0);
	assert_int_equal(hpo_tar_link_ok("a/l", "../b"), 0);
	assert_int_equal(hpo_tar_link_ok("a/l", "./../b/./c"), 0);
	assert_int_equal(hpo_tar_link_ok("a/l", "../../b"), -1);
	assert_int_equal(hpo_tar_link_ok("l", "../b"), -1);
	assert_int_equal(hpo_tar_link_ok("l", "/etc"), -1);
	assert_int_equal(hpo_tar_link_ok("l", ""), -1);
	/* s -> "." then t -> "s/.." would leave the top: '..' after a name is refused */
	assert_int_equal(hpo_tar_link_ok("t", "s/.."), -1);
	assert_int_equal(hpo_tar_link_ok("a/b/t", "x/../y"), -1);
}

/* ---- hostile archives, made with libarchive ----------------------------- */

enum kind { REG, DIRE, LNK, HARD, CHR, FIFO };

struct ent {
	enum kind kind;
	const char *name;
	const char *target;	/* link target, or file contents */
};

static void
hostile(const struct ent *ents, size_t n, struct mem *m)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t used = 0;

	m->cap = 1 << 20;
	m->buf = malloc(m->cap);
	assert_non_null(m->buf);
	archive_write_set_format_pax_restricted(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open_memory(a, m->buf, m->cap, &used), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, ents[i].name);
		archive_entry_set_perm(e, 0644);
		switch (ents[i].kind) {
		case REG:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)strlen(ents[i].target));
			break;
		case DIRE: archive_entry_set_filetype(e, AE_IFDIR); break;
		case LNK:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].target);
			break;
		case HARD:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_hardlink(e, ents[i].target);
			break;
		case CHR:
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_rdev(e, makedev(1, 3));
			break;
		case FIFO: archive_entry_set_filetype(e, AE_IFIFO); break;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (ents[i].kind == REG)
			archive_write_data(a, ents[i].target, strlen(ents[i].target));
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	m->len = used;
	m->pos = 0;
}

/* The archive is refused, out/ (the target) is as before, and nothing
 * appeared in outside/, beside it. */
static void
refused(const struct ent *ents, size_t n, const char *why)
{
	struct mem m = {0};
	struct hpo_err err = {0};

	hostile(ents, n, &m);
	assert_int_equal(hpo_tar_unpack(mem_source, &m, "out", NULL, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	if (strstr(err.msg, why) == NULL)
		fail_msg("'%s' does not say '%s'", err.msg, why);
	assert_int_equal(system("test -z \"$(ls -A out outside | grep -v : )\""), 0);
	assert_int_equal(access("/tmp/hpo-ckpt-test-evil", F_OK), -1);
	free(m.buf);
}

static void
test_hostile(void **state)
{
	const struct ent absolute[] = {{REG, "ok", "fine"}, {REG, "/tmp/hpo-ckpt-test-evil", "x"}};
	const struct ent dotdot[] = {{REG, "ok", "fine"}, {REG, "../outside/x", "x"}};
	const struct ent dotdot2[] = {{DIRE, "a", NULL}, {REG, "a/../../outside/x", "x"}};
	const struct ent link_out[] = {{LNK, "etc", "/etc"}, {REG, "etc/evil", "x"}};
	const struct ent link_up[] = {{LNK, "up", "../outside"}, {REG, "up/x", "x"}};
	const struct ent link_chain[] = {{LNK, "s", "."}, {LNK, "t", "s/.."}, {REG, "t/outside/x", "x"}};
	const struct ent hard_out[] = {{HARD, "h", "../outside/x"}};
	const struct ent hard_abs[] = {{HARD, "h", "/etc/passwd"}};
	const struct ent device[] = {{REG, "ok", "fine"}, {CHR, "null", NULL}};
	const struct ent fifo[] = {{FIFO, "pipe", NULL}};

	(void)state;
	refused(absolute, 2, "absolute");
	refused(dotdot, 2, "'..'");
	refused(dotdot2, 2, "'..'");
	refused(link_out, 2, "outside the target");
	refused(link_up, 2, "outside the target");
	refused(link_chain, 3, "outside the target");
	refused(hard_out, 1, "outside the target");
	refused(hard_abs, 1, "outside the target");
	refused(device, 2, "device");
	refused(fifo, 1, "FIFO");
}

/* A link inside and a file written through a real directory are fine;
 * a file written through a link (even one inside) is refused by
 * libarchive's ARCHIVE_EXTRACT_SECURE_SYMLINKS. */
static void
test_links_inside(void **state)
{
	const struct ent good[] = {{DIRE, "d", NULL}, {REG, "d/f", "data"}, {LNK, "d/l", "f"},
				   {LNK, "top", "d/f"}, {HARD, "h", "d/f"}};
	const struct ent through[] = {{DIRE, "d", NULL}, {LNK, "l", "d"}, {REG, "l/f", "x"}};
	struct mem m = {0};
	struct hpo_err err = {0};
	size_t len;
	char *s;

	(void)state;
	hostile(good, 5, &m);
	assert_int_equal(hpo_tar_unpack(mem_source, &m, "out", NULL, NULL, &err), 0);
	assert_non_null(s = slurp("out/top", &len));
	assert_string_equal(s, "data");
	free(s);
	assert_non_null(s = slurp("out/h", &len));
	assert_string_equal(s, "data");
	free(s);
	free(m.buf);
	assert_int_equal(hpo_rmtree("out", &err), 0);
	assert_int_equal(mkdir("out", 0755), 0);
	refused(through, 3, "refused");
}

static void
test_fingerprint(void **state)
{
	const char *paths[] = {"ckpt", "later"};
	struct hpo_err err = {0};
	uint64_t a, b, c, d;

	(void)state;
	make_tree();
	assert_int_equal(hpo_tar_fingerprint(paths, 2, &a, &err), 0);
	assert_int_equal(hpo_tar_fingerprint(paths, 2, &b, &err), 0);
	assert_true(a == b);
	put("ckpt/deep/er/state.json", "{\"epoch\": 4}\n", 13);
	assert_int_equal(hpo_tar_fingerprint(paths, 2, &c, &err), 0);
	assert_true(c != b);
	put("later", "x", 1);	/* a path that appears */
	assert_int_equal(hpo_tar_fingerprint(paths, 2, &d, &err), 0);
	assert_true(d != c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip_zstd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip_gzip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sink_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pack_refuses, setup, teardown),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_hostile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fingerprint, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
