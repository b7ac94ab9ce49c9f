/* sandbox.c - the task's files */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "file.h"
#include "sandbox.h"
#include "xmalloc.h"
#include "secret.h"

static const char *const patterns[] = {"*.json", "*.py", "*.sh", "*.yaml", NULL};

int
hpo_sandbox_match(const char *pattern, const char *rel)
{
	const char *base = strrchr(rel, '/');

	while (pattern[0] == '.' && pattern[1] == '/')
		for (pattern += 2; *pattern == '/'; pattern++)
			;
	return fnmatch(pattern, strchr(pattern, '/') ? rel : base ? base + 1 : rel, 0) == 0;
}

static int
any_match(const json_t *list, const char *rel)
{
	size_t i;
	const json_t *p;

	json_array_foreach(list, i, p)
		if (json_is_string(p) && hpo_sandbox_match(json_string_value(p), rel))
			return 1;
	return 0;
}

/* phpo's patterns or the task's include, and not the task's exclude */
static int
selected(const json_t *include, const json_t *exclude, const char *rel)
{
	int in = 0;

	for (size_t i = 0; !in && patterns[i] != NULL; i++)
		in = hpo_sandbox_match(patterns[i], rel);
	if (!in)
		in = any_match(include, rel);
	return in && !any_match(exclude, rel);
}

/* named in include: by a pattern with no wildcard */
static int
named(const json_t *include, const char *rel)
{
	size_t i;
	const json_t *p;

	json_array_foreach(include, i, p)
		if (json_is_string(p) && strpbrk(json_string_value(p), "*?[") == NULL &&
		    hpo_sandbox_match(json_string_value(p), rel))
			return 1;
	return 0;
}

/* A file holding a credential goes to a cache anyone can read: only when
 * the task names it */
static int
check_secret(const char *path, const char *rel, const json_t *include, struct hpo_err *err)
{
	char *buf = NULL;
	const char *what;
	size_t len, line;
	int rc = 0;

	if (named(include, rel))
		return 0;
	if (hpo_file_read(path, HPO_SANDBOX_MAX + 1, &buf, &len, err) < 0)
		return -1;
	if (hpo_secret_find(buf, len, rel, &what, &line))
		rc = hpo_err_set(err, HPO_E_INPUT,
				 "sandbox: %s:%zu holds %s, and the sandbox is public on PanDA's cache "
				 "server: leave the file out (sandbox.exclude: [%s]) or, to send it "
				 "anyway, name it in sandbox.include", rel, line, what, rel);
	free(buf);
	return rc;
}

static int
add(struct hpo_sandbox *sb, const char *rel, struct hpo_err *err)
{
	char **f;

	if (sb->n == HPO_SANDBOX_MAX_FILES)
		return hpo_err_set(err, HPO_E_INPUT, "sandbox: more than %d files",
				   HPO_SANDBOX_MAX_FILES);
	sb->files = f = xreallocarray(sb->files, sb->n + 1, sizeof(*f));
	f[sb->n] = xstrdup(rel);
	sb->n++;
	return 0;
}

struct walk {
	const char *root;
	struct hpo_sandbox *sb;
	const json_t *include, *exclude;
	dev_t skip_dev;
	ino_t skip_ino;
	int has_skip;
};

static int
walk(struct walk *w, const char *rel, int depth, struct hpo_err *err)
{
	const char *root = w->root;
	struct hpo_sandbox *sb = w->sb;
	char *path = *rel ? hpo_path_join(root, rel) : xstrdup(root);
	DIR *d;
	int rc = 0;

	if (depth > 32) {
		free(path);
		return 0;
	}
	if ((d = opendir(path)) == NULL) {
		hpo_err_sys(err, "%s", path);
		free(path);
		return -1;
	}
	for (struct dirent *e; rc == 0 && (e = readdir(d)) != NULL;) {
		struct stat st;
		char *child, *childrel;

		if (e->d_name[0] == '.')
			continue;
		child = hpo_path_join(path, e->d_name);
		childrel = *rel ? hpo_path_join(rel, e->d_name) : xstrdup(e->d_name);
		if (lstat(child, &st) < 0)
			rc = hpo_err_sys(err, "%s", child);
		else if (S_ISDIR(st.st_mode)) {
			if (!(w->has_skip && st.st_dev == w->skip_dev && st.st_ino == w->skip_ino))
				rc = walk(w, childrel, depth + 1, err);
		}
		else if (S_ISREG(st.st_mode) && selected(w->include, w->exclude, childrel)) {
			sb->bytes += (uint64_t)st.st_size;
			if (sb->bytes <= HPO_SANDBOX_MAX)
				rc = check_secret(child, childrel, w->include, err);
			if (rc == 0)
				rc = add(sb, childrel, err);
			if (rc == 0 && sb->bytes > HPO_SANDBOX_MAX)
				rc = hpo_err_set(err, HPO_E_INPUT,
						 "sandbox: the *.json, *.py, *.sh and *.yaml "
						 "files%s below %s exceed PanDA's %u MB limit",
						 json_array_size(w->include) > 0
							 ? " and those of sandbox.include" : "",
						 root, HPO_SANDBOX_MAX >> 20);
		}
		free(child);
		free(childrel);
	}
	closedir(d);
	free(path);
	return rc;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
hpo_sandbox_collect(const char *dir, const char *skip, const json_t *include,
		    const json_t *exclude, struct hpo_sandbox *sb, struct hpo_err *err)
{
	struct walk w = {dir, sb, include, exclude, 0, 0, 0};
	struct stat st;

	memset(sb, 0, sizeof(*sb));
	if (skip != NULL && stat(skip, &st) == 0) {
		w.skip_dev = st.st_dev;
		w.skip_ino = st.st_ino;
		w.has_skip = 1;
	}
	if (walk(&w, "", 0, err) < 0) {
		hpo_sandbox_free(sb);
		return -1;
	}
	if (sb->n > 1)
		qsort(sb->files, sb->n, sizeof(*sb->files), cmp);
	return 0;
}

int
hpo_sandbox_copy(const struct hpo_sandbox *sb, const char *src, const char *dest,
		 struct hpo_err *err)
{
	if (sb->n > 0 && hpo_mkdirs(dest, 0755, err) < 0)
		return -1;
	for (size_t i = 0; i < sb->n; i++) {
		char *from = hpo_path_join(src, sb->files[i]);
		char *to = hpo_path_join(dest, sb->files[i]);
		char *slash;
		int rc = -1;

		/* dest is there: only a file in a subdirectory needs one made */
		if (strchr(sb->files[i], '/') != NULL) {
			slash = strrchr(to, '/');
			*slash = '\0';
			if (hpo_mkdirs(to, 0755, err) < 0)
				goto next;
			*slash = '/';
		}
		rc = hpo_copy_file(from, to, err);
next:
		free(from);
		free(to);
		if (rc < 0)
			return -1;
	}
	return 0;
}

void
hpo_sandbox_free(struct hpo_sandbox *sb)
{
	for (size_t i = 0; i < sb->n; i++)
		free(sb->files[i]);
	free(sb->files);
	memset(sb, 0, sizeof(*sb));
}

/* Add one file to the archive; -1 with err set. */
static int
tar_add(struct archive *a, struct archive_entry *e, const char *root, const char *rel,
	const char *what, struct hpo_err *err)
{
	char *path = hpo_path_join(root, rel), *name = hpo_strf("./%s", rel);
	char buf[65536];
	struct stat st;
	uint64_t total = 0;
	ssize_t n;
	int fd = -1, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		hpo_err_sys(err, "%s", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		hpo_err_set(err, HPO_E_INPUT, "%s: not a regular file", path);
		goto out;
	}
	archive_entry_clear(e);
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, st.st_mode & 07777);
	archive_entry_set_size(e, st.st_size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK) {
		hpo_err_set(err, HPO_E_SYS, "%s: %s: %s", what, rel,
			    archive_error_string(a));
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if ((uint64_t)n > (uint64_t)st.st_size - total)
			break;	/* grew: caught below */
		if (archive_write_data(a, buf, (size_t)n) != n) {
			hpo_err_set(err, HPO_E_SYS, "%s: %s: %s", what, rel,
				    archive_error_string(a));
			goto out;
		}
		total += (uint64_t)n;
	}
	if (n < 0) {
		hpo_err_sys(err, "%s", path);
		goto out;
	}
	if (total != (uint64_t)st.st_size || n > 0) {
		hpo_err_set(err, HPO_E_INPUT, "%s: changed while the sandbox was made", path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	free(name);
	return rc;
}

int
hpo_sandbox_tar_fd(const struct hpo_sandbox *sb, const char *root, int fd, const char *what,
		   uint64_t *size, uint32_t *crc32_trailer, struct hpo_err *err)
{
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	unsigned char trailer[8];
	struct stat st;
	int rc = -1;

	if ((a = archive_write_new()) == NULL || (e = archive_entry_new()) == NULL)
		hpo_oom();
	/* GNU tar's own format, as phpo's tar writes by default; a gzip
	 * header without time (libarchive writes no name); no padding after
	 * the gzip stream, so that its last 8 bytes are the trailer */
	if (archive_write_set_format_gnutar(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		hpo_err_set(err, HPO_E_SYS, "%s: %s", what, archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; i < sb->n; i++)
		if (tar_add(a, e, root, sb->files[i], what, err) < 0)
			goto out;
	if (archive_write_close(a) != ARCHIVE_OK) {
		hpo_err_set(err, HPO_E_SYS, "%s: %s", what, archive_error_string(a));
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		hpo_err_sys(err, "%s", what);
		goto out;
	}
	if ((uint64_t)st.st_size + HPO_SANDBOX_ENVELOPE > HPO_SANDBOX_MAX) {
		hpo_err_set(err, HPO_E_INPUT,
			    "sandbox: the archive of the files below %s has %lld bytes, with the "
			    "upload's multipart envelope (%d bytes) over PanDA's limit of %u bytes "
			    "(10 MB) for a sandbox upload: remove large *.json, *.py, *.sh or *.yaml "
			    "files, or leave them out with sandbox.exclude",
			    root, (long long)st.st_size, HPO_SANDBOX_ENVELOPE, HPO_SANDBOX_MAX);
		goto out;
	}
	if (st.st_size < 18 || pread(fd, trailer, 8, st.st_size - 8) != 8) {
		hpo_err_set(err, HPO_E_SYS, "%s: cannot read the gzip trailer", what);
		goto out;
	}
	if (size != NULL)
		*size = (uint64_t)st.st_size;
	/* the gzip trailer: CRC32, then ISIZE, both little-endian */
	if (crc32_trailer != NULL)
		*crc32_trailer = (uint32_t)trailer[0] | (uint32_t)trailer[1] << 8 |
				 (uint32_t)trailer[2] << 16 | (uint32_t)trailer[3] << 24;
	rc = 0;
out:
	if (a != NULL)
		archive_write_free(a);	/* closes nothing: fd is the caller's */
	archive_entry_free(e);
	return rc;
}

char *
hpo_sandbox_name(const char *tar_path, const char *user, time_t when, struct hpo_err *err)
{
	static const char tag[] = "hpo-tools sandbox name 1";
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int mdlen = 0;
	char day[16];
	struct tm tm;
	EVP_MD_CTX *ctx = NULL;
	ssize_t n;
	int fd, ok;
	char *name = NULL;

	if (gmtime_r(&when, &tm) == NULL || strftime(day, sizeof(day), "%Y%m%d", &tm) == 0) {
		hpo_err_set(err, HPO_E_INPUT, "sandbox name: bad time");
		return NULL;
	}
	if ((fd = open(tar_path, O_RDONLY | O_CLOEXEC)) < 0) {
		hpo_err_sys(err, "%s", tar_path);
		return NULL;
	}
	ok = (ctx = EVP_MD_CTX_new()) != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, tag, sizeof(tag)) == 1 &&
	     EVP_DigestUpdate(ctx, user ? user : "", strlen(user ? user : "") + 1) == 1 &&
	     EVP_DigestUpdate(ctx, day, strlen(day) + 1) == 1;
	while (ok && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			hpo_err_sys(err, "%s", tar_path);
			goto out;
		}
		ok = EVP_DigestUpdate(ctx, buf, (size_t)n) == 1;
	}
	if (!ok || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 || mdlen < 16) {
		hpo_err_set(err, HPO_E_SYS, "sandbox name: sha-256 failed");
		goto out;
	}
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x80);	/* version 8 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);	/* RFC 9562 variant */
	name = hpo_strf("jobO.%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			"%02x%02x%02x%02x%02x%02x.tar",
			md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9],
			md[10], md[11], md[12], md[13], md[14], md[15]);
out:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return name;
}
