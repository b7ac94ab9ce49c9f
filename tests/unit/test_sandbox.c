/* test_sandbox.c - the sandbox tarball: reproducible, complete, checksummed,
 * limited, in a file of no name or published atomically; its cache-server
 * name; the task's include and exclude patterns */
#include "autoconf.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
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

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "file.h"
#include "sandbox.h"

struct fix {
	char dir[PATH_MAX];	/* the task's directory */
	char out[PATH_MAX];	/* where archives go */
};

static void
put(const char *dir, const char *rel, const char *text, mode_t mode)
{
	struct hpo_err err = {0};
	char *path = hpo_path_join(dir, rel), *slash;

	assert_non_null(path);
	slash = strrchr(path, '/');
	*slash = '\0';
	assert_int_equal(hpo_mkdirs(path, 0755, &err), 0);
	*slash = '/';
	assert_int_equal(hpo_file_write_atomic(path, text, strlen(text), mode, &err), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(path);
}

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/test_sandbox.XXXXXX";

	if (f == NULL || mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/task", tmpl);
	snprintf(f->out, sizeof(f->out), "%s/out", tmpl);
	if (mkdir(f->dir, 0755) < 0 || mkdir(f->out, 0755) < 0)
		return -1;
	put(f->dir, "train.py", "print('train')\n", 0755);
	put(f->dir, "config.json", "{\"lr\": 0.1}\n", 0644);
	put(f->dir, "sub/run.sh", "#!/bin/sh\npython train.py\n", 0750);
	put(f->dir, "sub/deep/space.yaml", "x: {method: uniform, low: 0, high: 1}\n", 0600);
	put(f->dir, "notes.txt", "not in the sandbox\n", 0644);
	put(f->dir, ".hidden.py", "not in the sandbox either\n", 0644);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *top = strdup(f->dir);

	*strrchr(top, '/') = '\0';
	hpo_rmtree(top, &err);
	free(top);
	free(f);
	return 0;
}

static char *
slurp(const char *path, size_t *len)
{
	struct hpo_err err = {0};
	char *buf = NULL;

	if (hpo_file_read(path, 64u << 20, &buf, len, &err) < 0)
		fail_msg("%s", err.msg);
	return buf;
}

/* Entries of the directory whose names start with prefix. */
static int
count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

/* The archive written to out_path as a caller that keeps it would write
 * it: through a temporary beside it, published by rename
 * (hpo_file_publish), nothing left behind on failure. */
static int
tar_to(const struct hpo_sandbox *sb, const char *root, const char *out_path, uint64_t *size,
       uint32_t *crc, struct hpo_err *err)
{
	char *tmp = hpo_strf("%s.tmp.XXXXXX", out_path), *what = hpo_strf("sandbox %s", out_path);
	int fd, rc = -1;

	if ((fd = mkstemp(tmp)) < 0) {
		hpo_err_sys(err, "%s", what);
	} else if (fchmod(fd, 0644) < 0) {
		hpo_err_sys(err, "%s", what);
		close(fd);
		unlink(tmp);
	} else if (hpo_sandbox_tar_fd(sb, root, fd, what, size, crc, err) == 0) {
		rc = hpo_file_publish(fd, tmp, out_path, what, err);	/* closes fd */
	} else {
		close(fd);
		unlink(tmp);
	}
	free(what);
	free(tmp);
	return rc;
}

static void
test_reproducible(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	char *a = hpo_path_join(f->out, "a.tar"), *b = hpo_path_join(f->out, "b.tar");
	char *buf_a, *buf_b, *py = hpo_path_join(f->dir, "train.py");
	size_t len_a, len_b;
	uint64_t size_a = 0, size_b = 0;
	uint32_t crc_a = 0, crc_b = 1;

	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, NULL, &sb, &err), 0);
	assert_int_equal(sb.n, 4);
	assert_int_equal(tar_to(&sb, f->dir, a, &size_a, &crc_a, &err), 0);
	/* other times do not matter: mtime 0 in the tar, none in the gzip header */
	sleep(1);
	struct timespec ts[2] = {{12345, 0}, {67890, 0}};
	assert_int_equal(utimensat(AT_FDCWD, py, ts, 0), 0);
	assert_int_equal(tar_to(&sb, f->dir, b, &size_b, &crc_b, &err), 0);
	buf_a = slurp(a, &len_a);
	buf_b = slurp(b, &len_b);
	assert_int_equal(len_a, len_b);
	assert_memory_equal(buf_a, buf_b, len_a);
	assert_int_equal(size_a, len_a);
	assert_int_equal(size_b, len_b);
	assert_int_equal(crc_a, crc_b);

	/* the gzip header: deflate, no flags (no name), no time, unix */
	assert_true(len_a > 18);
	assert_int_equal((unsigned char)buf_a[0], 0x1f);
	assert_int_equal((unsigned char)buf_a[1], 0x8b);
	assert_int_equal(buf_a[2], 8);
	assert_int_equal(buf_a[3], 0);
	assert_int_equal(buf_a[4] | buf_a[5] | buf_a[6] | buf_a[7], 0);

	/* no temporaries left beside them */
	assert_int_equal(count_prefixed(f->out, "a.tar.tmp"), 0);
	assert_int_equal(count_prefixed(f->out, "b.tar.tmp"), 0);

	/* a changed file gives another archive */
	put(f->dir, "config.json", "{\"lr\": 0.2}\n", 0644);
	assert_int_equal(tar_to(&sb, f->dir, b, &size_b, &crc_b, &err), 0);
	free(buf_b);
	buf_b = slurp(b, &len_b);
	assert_true(len_a != len_b || memcmp(buf_a, buf_b, len_a) != 0);
	assert_true(crc_a != crc_b);

	free(buf_a);
	free(buf_b);
	free(a);
	free(b);
	free(py);
	hpo_sandbox_free(&sb);
}

static void
test_contents(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	char *out = hpo_path_join(f->out, "c.tar");
	static const struct {
		const char *name, *text;
		int mode;
	} expect[] = {
		{"./config.json", "{\"lr\": 0.1}\n", 0644},
		{"./sub/deep/space.yaml", "x: {method: uniform, low: 0, high: 1}\n", 0600},
		{"./sub/run.sh", "#!/bin/sh\npython train.py\n", 0750},
		{"./train.py", "print('train')\n", 0755},
	};
	struct archive *a;
	struct archive_entry *e;
	size_t i = 0;

	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, NULL, &sb, &err), 0);
	assert_int_equal(tar_to(&sb, f->dir, out, NULL, NULL, &err), 0);

	assert_non_null(a = archive_read_new());
	archive_read_support_filter_all(a);
	archive_read_support_format_all(a);
	assert_int_equal(archive_read_open_filename(a, out, 10240), ARCHIVE_OK);
	assert_int_equal(archive_filter_code(a, 0), ARCHIVE_FILTER_GZIP);
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		char data[256];
		la_ssize_t n;

		assert_true(i < 4);
		assert_string_equal(archive_entry_pathname(e), expect[i].name);
		assert_int_equal(archive_entry_filetype(e), AE_IFREG);
		assert_int_equal(archive_entry_perm(e), expect[i].mode);
		assert_int_equal(archive_entry_mtime(e), 0);
		assert_int_equal(archive_entry_uid(e), 0);
		assert_int_equal(archive_entry_gid(e), 0);
		assert_true(archive_entry_uname(e) == NULL || *archive_entry_uname(e) == '\0');
		assert_true(archive_entry_gname(e) == NULL || *archive_entry_gname(e) == '\0');
		assert_int_equal(archive_entry_size(e), strlen(expect[i].text));
		n = archive_read_data(a, data, sizeof(data));
		assert_int_equal(n, strlen(expect[i].text));
		assert_memory_equal(data, expect[i].text, (size_t)n);
		i++;
	}
	assert_int_equal(i, 4);
	/* GNU tar's format, as phpo's tar writes */
	assert_int_equal(archive_format(a), ARCHIVE_FORMAT_TAR_GNUTAR);
	archive_read_free(a);
	free(out);
	hpo_sandbox_free(&sb);
}

static void
test_crc32(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	char *out = hpo_path_join(f->out, "d.tar"), buf[4096];
	uint64_t size = 0;
	uint32_t crc = 0;
	uLong want = crc32(0L, Z_NULL, 0);
	size_t total = 0;
	struct stat st;
	gzFile gz;
	int n;

	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, NULL, &sb, &err), 0);
	assert_int_equal(tar_to(&sb, f->dir, out, &size, &crc, &err), 0);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(size, (uint64_t)st.st_size);
	/* the CRC32 of the uncompressed tar, computed by zlib */
	assert_non_null(gz = gzopen(out, "rb"));
	while ((n = gzread(gz, buf, sizeof(buf))) > 0) {
		want = crc32(want, (const Bytef *)buf, (uInt)n);
		total += (size_t)n;
	}
	assert_int_equal(n, 0);
	gzclose(gz);
	assert_true(total >= 4 * 512 + 1024);
	assert_int_equal(crc, (uint32_t)want);
	free(out);
	hpo_sandbox_free(&sb);
}

static void
test_size_limit(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *big = hpo_path_join(f->dir, "big.py"), *out = hpo_path_join(f->out, "big.tar");
	char *files[] = {"big.py"};
	struct hpo_sandbox sb = {files, 1, 0};
	uint64_t x = 88172645463325252ull;
	size_t n = HPO_SANDBOX_MAX + (1u << 20);
	unsigned char *data = malloc(n);
	FILE *fp;

	/* incompressible: gzip cannot bring it under the limit */
	assert_non_null(data);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = (unsigned char)(x >> 24);
	}
	assert_non_null(fp = fopen(big, "wb"));
	assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	free(data);

	assert_int_equal(tar_to(&sb, f->dir, out, NULL, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_non_null(strstr(err.msg, "over PanDA's limit of 10485760 bytes (10 MB)"));
	assert_true(strncmp(err.msg, "sandbox: the archive of the files below ", 40) == 0);
	assert_non_null(strstr(err.msg, "with the upload's multipart envelope (297 bytes)"));
	assert_int_equal(access(out, F_OK), -1);
	assert_int_equal(count_prefixed(f->out, "big.tar"), 0);
	unlink(big);
	free(big);
	free(out);
}

static void
test_atomic(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	char *files[] = {"config.json", "missing.py", "train.py"};
	struct hpo_sandbox sb = {files, 3, 0};
	char *out = hpo_path_join(f->out, "e.tar"), *nodir = hpo_path_join(f->out, "no/such/e.tar");
	char *buf, expect[PATH_MAX + 64];
	size_t len;

	/* a failure half-way leaves the old archive as it was, and no temporary */
	put(f->out, "e.tar", "old archive", 0644);
	assert_int_equal(tar_to(&sb, f->dir, out, NULL, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect), "%s/missing.py: No such file or directory", f->dir);
	assert_string_equal(err.msg, expect);
	buf = slurp(out, &len);
	assert_string_equal(buf, "old archive");
	free(buf);
	assert_int_equal(count_prefixed(f->out, "e.tar"), 1);

	/* a directory that cannot be written to: nothing is created */
	sb.n = 1;
	assert_int_equal(tar_to(&sb, f->dir, nodir, NULL, NULL, &err), -1);
	assert_int_equal(err.kind, HPO_E_SYS);
	snprintf(expect, sizeof(expect), "sandbox %s: No such file or directory", nodir);
	assert_string_equal(err.msg, expect);
	assert_int_equal(access(nodir, F_OK), -1);

	/* a symbolic link put in place of a file after collecting is not followed */
	char *link = hpo_path_join(f->dir, "train.py");
	files[0] = "train.py";
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	assert_int_equal(tar_to(&sb, f->dir, out, NULL, NULL, &err), -1);
	snprintf(expect, sizeof(expect), "%s: Too many levels of symbolic links", link);
	assert_string_equal(err.msg, expect);
	assert_int_equal(count_prefixed(f->out, "e.tar"), 1);
	free(link);
	free(out);
	free(nodir);
}

/* ---- sandbox.include and sandbox.exclude ------------------------------------ */

/* A JSON list of the patterns (NULL-terminated), or NULL for none. */
static json_t *
list_of(const char *const *pats)
{
	json_t *l;

	if (pats == NULL)
		return NULL;
	assert_non_null(l = json_array());
	for (size_t i = 0; pats[i] != NULL; i++)
		assert_int_equal(json_array_append_new(l, json_string(pats[i])), 0);
	return l;
}

/* Collect with the patterns and compare the files, joined by spaces. */
static void
collected(const struct fix *f, const char *const *inc, const char *const *exc, const char *expect)
{
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	json_t *il = list_of(inc), *el = list_of(exc);
	char got[4096] = "";

	if (hpo_sandbox_collect(f->dir, NULL, il, el, &sb, &err) < 0)
		fail_msg("collect: %s", err.msg);
	for (size_t i = 0; i < sb.n; i++) {
		if (i > 0)
			strcat(got, " ");
		assert_true(strlen(got) + strlen(sb.files[i]) < sizeof(got) - 1);
		strcat(got, sb.files[i]);
	}
	if (strcmp(got, expect) != 0)
		fail_msg("collected '%s', expected '%s'", got, expect);
	hpo_sandbox_free(&sb);
	json_decref(il);
	json_decref(el);
}

static void
more_files(const struct fix *f)
{
	char *link = hpo_path_join(f->dir, "link.txt"), *dirlink = hpo_path_join(f->dir, "lnk");

	put(f->dir, "secrets.json", "{\"token\": \"x\"}\n", 0600);
	put(f->dir, "tests/t.py", "assert True\n", 0644);
	put(f->dir, "tests/deep/u.sh", "true\n", 0755);
	put(f->dir, "data/a.csv", "a,b\n", 0644);
	put(f->dir, "data/sub/b.csv", "c,d\n", 0644);
	put(f->dir, "x.csv", "e,f\n", 0644);
	put(f->dir, ".git/notes.txt", "hidden directory\n", 0644);
	put(f->dir, ".hidden.txt", "hidden file\n", 0644);
	/* symbolic links, to a file and to a directory: never followed */
	assert_int_equal(symlink("notes.txt", link), 0);
	assert_int_equal(symlink("data", dirlink), 0);
	free(link);
	free(dirlink);
}

#define DEFAULTS_ALL "config.json secrets.json sub/deep/space.yaml sub/run.sh " \
		     "tests/deep/u.sh tests/t.py train.py"

static void
test_patterns_default(void **state)
{
	struct fix *f = *state;
	static const char *const none[] = {NULL};

	more_files(f);
	/* phpo's patterns: no lists and empty lists are the same */
	collected(f, NULL, NULL, DEFAULTS_ALL);
	collected(f, none, none, DEFAULTS_ALL);
}

static void
test_patterns_include(void **state)
{
	struct fix *f = *state;
	static const char *const txt_csv[] = {"*.txt", "data/*.csv", NULL};
	static const char *const dot[] = {"./data/a.csv", "s?b/*", NULL};
	static const char *const base[] = {"b.csv", "*/*.csv", NULL};

	more_files(f);
	/* added to the defaults; '*' crosses '/'; a pattern with '/' is
	 * anchored at the task directory; no hidden entries, no links */
	collected(f, txt_csv, NULL,
		  "config.json data/a.csv data/sub/b.csv notes.txt secrets.json "
		  "sub/deep/space.yaml sub/run.sh tests/deep/u.sh tests/t.py train.py");
	/* a leading ./ is ignored; a matched file is not added twice */
	collected(f, dot, NULL, "config.json data/a.csv secrets.json sub/deep/space.yaml "
				"sub/run.sh tests/deep/u.sh tests/t.py train.py");
	/* without '/', the name at any depth; with it, the whole path */
	collected(f, base, NULL, "config.json data/a.csv data/sub/b.csv secrets.json "
				 "sub/deep/space.yaml sub/run.sh tests/deep/u.sh tests/t.py "
				 "train.py");
}

static void
test_patterns_exclude(void **state)
{
	struct fix *f = *state;
	static const char *const secrets_tests[] = {"secrets.json", "tests/*", NULL};
	static const char *const txt[] = {"*.txt", "*.csv", NULL};
	static const char *const wins[] = {"notes.txt", "data/*", "*.yaml", NULL};
	static const char *const deep[] = {"deep", "*/deep/*", NULL};

	more_files(f);
	/* applied to the defaults too; "tests/" and a star leave out all below tests */
	collected(f, NULL, secrets_tests, "config.json sub/deep/space.yaml sub/run.sh train.py");
	/* exclude wins over include, and over phpo's patterns */
	collected(f, txt, wins, "config.json secrets.json sub/run.sh tests/deep/u.sh tests/t.py "
				"train.py x.csv");
	/* a pattern without '/' is a file name, never a directory's */
	collected(f, NULL, deep, "config.json secrets.json sub/run.sh tests/t.py train.py");
}

static void
test_patterns_match(void **state)
{
	(void)state;
	static const struct {
		const char *pattern, *rel;
		int match;
	} cases[] = {
		{"*.txt", "a.txt", 1},
		{"*.txt", "d/e/a.txt", 1},		/* the name */
		{"a.txt", "d/a.txt", 1},
		{"d/*.txt", "d/a.txt", 1},
		{"d/*.txt", "d/e/a.txt", 1},		/* '*' crosses '/' */
		{"d/*.txt", "x/d/a.txt", 0},		/* anchored */
		{"*/a.txt", "d/e/a.txt", 1},
		{"*/a.txt", "a.txt", 0},
		{"./a.txt", "a.txt", 1},
		{".//d/*", "d/a", 1},
		{"d", "d/a", 0},			/* files, not directories */
		{"d/", "d/a", 0},
		{"[ab].py", "b.py", 1},
		{"?.py", "ab.py", 0},
		{"*.TXT", "a.txt", 0},			/* case counts */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (hpo_sandbox_match(cases[i].pattern, cases[i].rel) != cases[i].match)
			fail_msg("'%s' on '%s': expected %s", cases[i].pattern, cases[i].rel,
				 cases[i].match ? "a match" : "no match");
}

/* a file holding a credential is refused unless the task names it */
static void
test_secrets(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	static const char *const named[] = {"conf/db.yaml", NULL};
	static const char *const wild[] = {"conf/*.yaml", NULL};
	static const char *const exc[] = {"db.yaml", NULL};
	json_t *l;

	put(f->dir, "conf/db.yaml", "db:\n  user: me\n  password: hunter2\n", 0600);
	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, NULL, &sb, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, "sandbox: conf/db.yaml:3 holds a password, and the sandbox is "
				     "public on PanDA's cache server: leave the file out "
				     "(sandbox.exclude: [conf/db.yaml]) or, to send it anyway, name it "
				     "in sandbox.include");
	assert_null(sb.files);
	/* a pattern with wildcards does not name it; its path or name does */
	l = list_of(wild);
	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, l, NULL, &sb, &err), -1);
	json_decref(l);
	collected(f, named, NULL, "conf/db.yaml config.json sub/deep/space.yaml sub/run.sh train.py");
	collected(f, NULL, exc, "config.json sub/deep/space.yaml sub/run.sh train.py");
	/* a grid proxy among the task's files */
	put(f->dir, "x509up_u1000.json", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"
					  "-----BEGIN RSA PRIVATE KEY-----\nMII\n", 0600);
	l = list_of(exc);
	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, l, &sb, &err), -1);
	json_decref(l);
	assert_non_null(strstr(err.msg, "sandbox: x509up_u1000.json:4 holds a private key"));
}

static void
test_patterns_limit(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	static const char *const bin[] = {"*.bin", NULL};
	json_t *il = list_of(bin), *el;
	char *big = hpo_path_join(f->dir, "big.bin"), expect[PATH_MAX + 128];

	/* an included file counts towards PanDA's limit... */
	put(f->dir, "big.bin", "", 0644);
	assert_int_equal(truncate(big, HPO_SANDBOX_MAX + 1), 0);
	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, il, NULL, &sb, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	snprintf(expect, sizeof(expect),
		 "sandbox: the *.json, *.py, *.sh and *.yaml files and those of "
		 "sandbox.include below %s exceed PanDA's 10 MB limit", f->dir);
	assert_string_equal(err.msg, expect);
	assert_null(sb.files);
	/* ...and an excluded one does not */
	el = list_of(bin);
	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, il, el, &sb, &err), 0);
	assert_int_equal(sb.n, 4);
	hpo_sandbox_free(&sb);
	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, NULL, &sb, &err), 0);
	assert_int_equal(sb.n, 4);
	hpo_sandbox_free(&sb);
	json_decref(il);
	json_decref(el);
	unlink(big);
	free(big);
}

/* Packed into a file of no name (as hpo-submit packs for the Grid): the
 * same bytes, size, CRC32 and cache name as the file's, and nothing in
 * TMPDIR at any time */
static void
test_anonymous(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	char *a = hpo_path_join(f->out, "a.tar"), *tmpdir = hpo_path_join(f->out, "tmp");
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL, *buf_a, *buf_b, *n1, *n2;
	char path[32];
	size_t len_a;
	uint64_t size_a = 0, size_b = 0;
	uint32_t crc_a = 0, crc_b = 1;
	time_t day = 1767225600;
	int fd;

	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, NULL, &sb, &err), 0);
	assert_int_equal(tar_to(&sb, f->dir, a, &size_a, &crc_a, &err), 0);
	assert_int_equal(mkdir(tmpdir, 0700), 0);
	setenv("TMPDIR", tmpdir, 1);
	fd = hpo_file_anon(&err);
	assert_true(fd >= 0);
	assert_int_equal(hpo_sandbox_tar_fd(&sb, f->dir, fd, "sandbox", &size_b, &crc_b, &err), 0);
	assert_int_equal(rmdir(tmpdir), 0);	/* empty */
	assert_int_equal(size_a, size_b);
	assert_int_equal(crc_a, crc_b);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	buf_a = slurp(a, &len_a);
	buf_b = malloc(len_a + 1);
	assert_non_null(buf_b);
	assert_int_equal(pread(fd, buf_b, len_a + 1, 0), (ssize_t)len_a);
	assert_memory_equal(buf_a, buf_b, len_a);
	n1 = hpo_sandbox_name(a, "jdoe", day, &err);
	n2 = hpo_sandbox_name(path, "jdoe", day, &err);
	assert_non_null(n1);
	assert_non_null(n2);
	assert_string_equal(n1, n2);
	close(fd);

	/* a TMPDIR that is not there is named */
	setenv("TMPDIR", "/nonexistent/tmp", 1);
	assert_int_equal(hpo_file_anon(&err), -1);
	assert_string_equal(err.msg, "/nonexistent/tmp: cannot make a temporary file: "
				     "No such file or directory");
	if (old != NULL)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	free(n1);
	free(n2);
	free(buf_a);
	free(buf_b);
	free(a);
	free(tmpdir);
	hpo_sandbox_free(&sb);
}

static void
test_name(void **state)
{
	struct fix *f = *state;
	struct hpo_err err = {0};
	struct hpo_sandbox sb;
	char *a = hpo_path_join(f->out, "n1.tar"), *b = hpo_path_join(f->out, "n2.tar");
	char *n1, *n2, *n3, *n4, *n5;
	time_t day = 1767225600;	/* 2026-01-01 00:00:00 UTC */
	regex_t re;

	assert_int_equal(hpo_sandbox_collect(f->dir, NULL, NULL, NULL, &sb, &err), 0);
	assert_int_equal(tar_to(&sb, f->dir, a, NULL, NULL, &err), 0);
	assert_int_equal(tar_to(&sb, f->dir, b, NULL, NULL, &err), 0);
	n1 = hpo_sandbox_name(a, "jdoe", day + 60, &err);
	n2 = hpo_sandbox_name(b, "jdoe", day + 86399, &err);	/* same content, same day */
	n3 = hpo_sandbox_name(a, "other", day, &err);		/* another user */
	n4 = hpo_sandbox_name(a, "jdoe", day + 86400, &err);	/* the next day */
	assert_non_null(n1);
	assert_non_null(n2);
	assert_non_null(n3);
	assert_non_null(n4);
	assert_string_equal(n1, n2);
	assert_string_not_equal(n1, n3);
	assert_string_not_equal(n1, n4);
	/* phpo's jobO.<uuid>.tar, the uuid in version 8 layout */
	assert_int_equal(regcomp(&re, "^jobO\\.[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
				      "[0-9a-f]{12}\\.tar$", REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regexec(&re, n1, 0, NULL, 0), 0);
	assert_int_equal(regexec(&re, n4, 0, NULL, 0), 0);
	regfree(&re);

	n5 = hpo_sandbox_name("/nonexistent/x.tar", "jdoe", day, &err);
	assert_null(n5);
	assert_string_equal(err.msg, "/nonexistent/x.tar: No such file or directory");
	free(n1);
	free(n2);
	free(n3);
	free(n4);
	free(a);
	free(b);
	hpo_sandbox_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reproducible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crc32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anonymous, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patterns_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patterns_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patterns_exclude, setup, teardown),
		cmocka_unit_test(test_patterns_match),
		cmocka_unit_test_setup_teardown(test_patterns_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secrets, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
