/* tarstream.c - checkpoint archives as byte streams */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "file.h"
#include "log.h"
#include "tarstream.h"
#include "xmalloc.h"

#define BUFSZ 65536
#define MAXDEPTH 256

const char *
hpo_tar_suffix(enum hpo_tar_comp comp)
{
	return comp == HPO_TAR_GZIP ? ".tar.gz" : ".tar.zst";
}

static void
sum_add(struct hpo_tar_sum *s, const void *buf, size_t len)
{
	s->adler32 = (uint32_t)adler32(s->adler32, buf, (uInt)len);
	s->size += len;
}

static void
sum_init(struct hpo_tar_sum *s)
{
	s->adler32 = (uint32_t)adler32(0L, Z_NULL, 0);
	s->size = 0;
}

/* ---- names -------------------------------------------------------------- */

int
hpo_tar_clean_name(const char *name, char *out, size_t outlen)
{
	size_t o = 0;
	const char *p = name;

	if (name[0] == '/' || outlen == 0)
		return -1;
	while (*p != '\0') {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (o + (o > 0) + len + 1 > outlen)
				return -1;
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p, len);
			o += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
	return o == 0 ? 1 : 0;
}

int
hpo_tar_link_ok(const char *name, const char *target)
{
	int depth = 0, up = 0, seen_name = 0;
	const char *p;

	if (target[0] == '\0' || target[0] == '/')
		return -1;
	for (p = name; *p; p++)
		if (*p == '/')
			depth++;	/* the link's directory is depth levels down */
	for (p = target; *p != '\0';) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			/* '..' after a name could climb out of a linked directory */
			if (seen_name || ++up > depth)
				return -1;
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			seen_name = 1;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return 0;
}

/* ---- packing ------------------------------------------------------------- */

struct pack {
	struct archive *a;
	struct archive_entry *e;
	hpo_sink_fn sink;
	void *ctx;
	struct hpo_tar_sum sum;
	struct hpo_err *err;
	int sink_failed;
	char buf[BUFSZ];
};

static la_ssize_t
pack_write(struct archive *a, void *data, const void *buf, size_t len)
{
	struct pack *p = data;

	if (p->sink_failed)
		return -1;
	if (p->sink(p->ctx, buf, len, p->err) < 0) {
		p->sink_failed = 1;
		archive_set_error(a, EIO, "%s", p->err->msg);
		return -1;
	}
	sum_add(&p->sum, buf, len);
	return (la_ssize_t)len;
}

static int
pack_fail(struct pack *p, const char *what)
{
	if (p->sink_failed)
		return -1;
	if (archive_errno(p->a) == ENOSPC)
		return hpo_err_set(p->err, HPO_E_SYS, "%s: disk full", what);
	return hpo_err_set(p->err, HPO_E_SYS, "%s: %s", what, archive_error_string(p->a));
}

static void
entry_from_stat(struct archive_entry *e, const char *name, const struct stat *st)
{
	archive_entry_clear(e);
	archive_entry_set_pathname(e, name);
	archive_entry_set_perm(e, st->st_mode & 07777);
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
}

static int pack_path(struct pack *p, const char *name, int depth);

static int
pack_file(struct pack *p, const char *name)
{
	struct stat st;
	int64_t left;
	int fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return hpo_err_sys(p->err, "%s", name);
	if (fstat(fd, &st) < 0) {
		hpo_err_sys(p->err, "%s", name);
		close(fd);
		return -1;
	}
	entry_from_stat(p->e, name, &st);
	archive_entry_set_filetype(p->e, AE_IFREG);
	archive_entry_set_size(p->e, st.st_size);
	if (archive_write_header(p->a, p->e) != ARCHIVE_OK) {
		close(fd);
		return pack_fail(p, name);
	}
	for (left = st.st_size; left > 0;) {
		size_t want = left < BUFSZ ? (size_t)left : BUFSZ;
		ssize_t n = read(fd, p->buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hpo_err_sys(p->err, "%s", name);
			close(fd);
			return -1;
		}
		if (n == 0) {
			/* shrank while being read: libarchive pads with zeros */
			hpo_warn("%s: changed while being saved", name);
			break;
		}
		if (archive_write_data(p->a, p->buf, (size_t)n) != n) {
			close(fd);
			return pack_fail(p, name);
		}
		left -= n;
	}
	close(fd);
	if (archive_write_finish_entry(p->a) != ARCHIVE_OK)
		return pack_fail(p, name);
	return 0;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
pack_dir(struct pack *p, const char *name, const struct stat *st, int depth)
{
	DIR *d;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	if (depth > MAXDEPTH)
		return hpo_err_set(p->err, HPO_E_INPUT, "%s: directories nested too deep", name);
	entry_from_stat(p->e, name, st);
	archive_entry_set_filetype(p->e, AE_IFDIR);
	if (archive_write_header(p->a, p->e) != ARCHIVE_OK)
		return pack_fail(p, name);
	if ((d = opendir(name)) == NULL)
		return hpo_err_sys(p->err, "%s", name);
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = hpo_path_join(name, de->d_name);
	}
	closedir(d);
	if (rc == 0 && n > 1)
		qsort(names, n, sizeof(*names), namecmp);
	for (size_t i = 0; i < n; i++) {
		if (rc == 0)
			rc = pack_path(p, names[i], depth + 1);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
pack_path(struct pack *p, const char *name, int depth)
{
	struct stat st;

	if (lstat(name, &st) < 0) {
		if (errno == ENOENT && depth == 0)
			return hpo_err_set(p->err, HPO_E_SYS, "%s: no such file or directory",
					   name);
		if (errno == ENOENT) {
			hpo_warn("%s: removed while being saved", name);
			return 0;
		}
		return hpo_err_sys(p->err, "%s", name);
	}
	if (S_ISDIR(st.st_mode))
		return pack_dir(p, name, &st, depth);
	if (S_ISREG(st.st_mode))
		return pack_file(p, name);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(name, target, sizeof(target) - 1);

		if (n < 0)
			return hpo_err_sys(p->err, "%s", name);
		target[n] = '\0';
		entry_from_stat(p->e, name, &st);
		archive_entry_set_filetype(p->e, AE_IFLNK);
		archive_entry_set_perm(p->e, 0777);
		archive_entry_set_symlink(p->e, target);
		if (archive_write_header(p->a, p->e) != ARCHIVE_OK)
			return pack_fail(p, name);
		return 0;
	}
	hpo_warn("%s: not a file, directory or symbolic link: not saved", name);
	return 0;
}

int
hpo_tar_check_paths(const char *const *paths, size_t npaths, struct hpo_err *err)
{
	char clean[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < npaths; i++)
		if (hpo_tar_clean_name(paths[i], clean, sizeof(clean)) != 0)
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: give paths below the working directory, "
					   "relative and without '..'", paths[i]);
	for (size_t i = 0; i < npaths; i++) {
		hpo_tar_clean_name(paths[i], clean, sizeof(clean));
		if (lstat(clean, &st) < 0 && errno == ENOENT)
			return hpo_err_set(err, HPO_E_SYS, "%s: no such file or directory", clean);
	}
	return 0;
}

int
hpo_tar_pack(const char *const *paths, size_t npaths, enum hpo_tar_comp comp,
	     hpo_sink_fn sink, void *ctx, struct hpo_tar_sum *sum, struct hpo_err *err)
{
	struct pack *p;
	char clean[PATH_MAX];
	int rc = -1;

	if (hpo_tar_check_paths(paths, npaths, err) < 0)
		return -1;
	p = xcalloc(1, sizeof(*p));
	p->sink = sink;
	p->ctx = ctx;
	p->err = err;
	sum_init(&p->sum);
	if ((p->a = archive_write_new()) == NULL || (p->e = archive_entry_new()) == NULL)
		hpo_oom();
	if (archive_write_set_format_pax_restricted(p->a) != ARCHIVE_OK ||
	    (comp == HPO_TAR_GZIP ? archive_write_add_filter_gzip(p->a)
				  : archive_write_add_filter_zstd(p->a)) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(p->a, BUFSZ) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(p->a, 1) != ARCHIVE_OK) {
		hpo_err_set(err, HPO_E_SYS, "archive: %s", archive_error_string(p->a));
		goto out;
	}
	if (archive_write_open2(p->a, p, NULL, pack_write, NULL, NULL) != ARCHIVE_OK) {
		pack_fail(p, "archive");
		goto out;
	}
	for (size_t i = 0; i < npaths; i++) {
		hpo_tar_clean_name(paths[i], clean, sizeof(clean));
		if (pack_path(p, clean, 0) < 0)
			goto out;
	}
	if (archive_write_close(p->a) != ARCHIVE_OK) {
		pack_fail(p, "archive");
		goto out;
	}
	if (sum != NULL)
		*sum = p->sum;
	rc = 0;
out:
	if (p->a != NULL)
		archive_write_free(p->a);	/* closes first when still open */
	archive_entry_free(p->e);
	free(p);
	return rc;
}

/* ---- fingerprint ---------------------------------------------------------- */

static uint64_t
fnv(uint64_t h, const void *buf, size_t len)
{
	const unsigned char *b = buf;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static uint64_t
fp_path(uint64_t h, const char *name, int depth)
{
	struct stat st;

	h = fnv(h, name, strlen(name) + 1);
	if (lstat(name, &st) < 0) {
		h = fnv(h, "-", 1);
		return h;
	}
	int64_t v[6] = {(int64_t)st.st_mode, (int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec,
			(int64_t)st.st_mtim.tv_nsec, (int64_t)st.st_ino, (int64_t)st.st_ctim.tv_nsec};
	h = fnv(h, v, sizeof(v));
	if (S_ISLNK(st.st_mode)) {
		char t[PATH_MAX];
		ssize_t n = readlink(name, t, sizeof(t));
		if (n > 0)
			h = fnv(h, t, (size_t)n);
	} else if (S_ISDIR(st.st_mode) && depth < MAXDEPTH) {
		DIR *d = opendir(name);
		char **names = NULL;
		size_t n = 0, cap = 0;

		if (d == NULL)
			return h;
		for (struct dirent *de; (de = readdir(d)) != NULL;) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			if (n == cap) {
				char **nn = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*names));
				if (nn == NULL)
					break;
				names = nn;
			}
			if ((names[n] = hpo_path_join(name, de->d_name)) == NULL)
				break;
			n++;
		}
		closedir(d);
		if (n > 1)
			qsort(names, n, sizeof(*names), namecmp);
		for (size_t i = 0; i < n; i++) {
			h = fp_path(h, names[i], depth + 1);
			free(names[i]);
		}
		free(names);
	}
	return h;
}

int
hpo_tar_fingerprint(const char *const *paths, size_t npaths, uint64_t *fp, struct hpo_err *err)
{
	uint64_t h = 14695981039346656037ULL;
	char clean[PATH_MAX];

	for (size_t i = 0; i < npaths; i++) {
		if (hpo_tar_clean_name(paths[i], clean, sizeof(clean)) != 0)
			return hpo_err_set(err, HPO_E_INPUT, "%s: not a relative path", paths[i]);
		h = fp_path(h, clean, 0);
	}
	*fp = h;
	return 0;
}

/* ---- unpacking ------------------------------------------------------------ */

struct unpack {
	hpo_source_fn src;
	void *ctx;
	struct hpo_err *err;
	struct hpo_tar_sum sum;
	int src_failed, eof;
	char buf[BUFSZ];
};

static la_ssize_t
unpack_read(struct archive *a, void *data, const void **out)
{
	struct unpack *u = data;
	ssize_t n;

	if (u->eof)
		return 0;
	n = u->src(u->ctx, u->buf, sizeof(u->buf), u->err);
	if (n < 0) {
		u->src_failed = 1;
		archive_set_error(a, EIO, "%s", u->err->msg);
		return -1;
	}
	if (n == 0)
		u->eof = 1;
	sum_add(&u->sum, u->buf, (size_t)n);
	*out = u->buf;
	return n;
}

/* An error for errno e about what, a name inside the target (NULL: the
 * target itself, which the caller names): disk full, permission denied,
 * or the system's words. */
static int
target_fail(struct hpo_err *err, int e, const char *what)
{
	const char *why = strerror(e);

	if (e == ENOSPC
#ifdef EDQUOT
	    || e == EDQUOT
#endif
	)
		why = "disk full";
	else if (e == EACCES || e == EPERM)
		why = "permission denied";
	else if (e == EROFS)
		why = "read-only file system";
	if (what == NULL || *what == '\0')
		return hpo_err_set(err, HPO_E_SYS, "%s", why);
	return hpo_err_set(err, HPO_E_SYS, "%s: %s", what, why);
}

/* path without its first skip bytes; NULL when that is nothing (the top) */
static const char *
rel(const char *path, size_t skip)
{
	return strlen(path) > skip ? path + skip : NULL;
}

/* Move the entries of from into to: directories merge, anything else
 * replaces what is there (a directory in the way is removed first).
 * Messages name paths without their first skip bytes: relative to the
 * target. */
static int
merge(const char *from, const char *to, size_t skip_from, size_t skip_to, int depth,
      struct hpo_err *err)
{
	DIR *d;
	int rc = 0;

	if (depth > MAXDEPTH)
		return hpo_err_set(err, HPO_E_INPUT, "%s: directories nested too deep",
				   rel(from, skip_from));
	if ((d = opendir(from)) == NULL)
		return target_fail(err, errno, rel(from, skip_from));
	for (struct dirent *de; rc == 0 && (de = readdir(d)) != NULL;) {
		char *src, *dst;
		struct stat s, t;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		src = hpo_path_join(from, de->d_name);
		dst = hpo_path_join(to, de->d_name);
		if (lstat(src, &s) < 0) {
			rc = target_fail(err, errno, rel(src, skip_from));
		} else if (lstat(dst, &t) < 0 && errno != ENOENT) {
			rc = target_fail(err, errno, rel(dst, skip_to));
		} else {
			int exists = lstat(dst, &t) == 0;
			if (exists && S_ISDIR(s.st_mode) && S_ISDIR(t.st_mode))
				rc = merge(src, dst, skip_from, skip_to, depth + 1, err);
			else if (exists && (S_ISDIR(t.st_mode) || S_ISDIR(s.st_mode)) &&
				 (rc = hpo_rmtree(dst, err)) < 0)
				;
			else if (rename(src, dst) < 0)
				rc = target_fail(err, errno, rel(dst, skip_to));
		}
		free(src);
		free(dst);
	}
	closedir(d);
	return rc;
}

static int target_fail(struct hpo_err *err, int e, const char *what);

static int
disk_fail(struct archive *w, const char *what, struct hpo_err *err)
{
	int e = archive_errno(w);

	if (e == ENOSPC
#ifdef EDQUOT
	    || e == EDQUOT
#endif
	)
		return target_fail(err, e, what);
	if (what == NULL)
		return hpo_err_set(err, HPO_E_SYS, "%s", archive_error_string(w));
	return hpo_err_set(err, HPO_E_SYS, "%s: %s", what, archive_error_string(w));
}

/* Extract every entry of r below top (an absolute, symlink-free path). */
static int
extract(struct archive *r, struct archive *w, struct unpack *u, const char *top)
{
	struct archive_entry *e;
	char clean[PATH_MAX], link[PATH_MAX];
	int rc;

	while ((rc = archive_read_next_header(r, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e), *hard = archive_entry_hardlink(e);
		mode_t type = archive_entry_filetype(e);
		char *full;
		int c;

		if (name == NULL)
			return hpo_err_set(u->err, HPO_E_INPUT, "refused: an entry without a name");
		c = hpo_tar_clean_name(name, clean, sizeof(clean));
		if (c < 0)
			return hpo_err_set(u->err, HPO_E_INPUT,
					   "refused: entry '%s' is absolute or has '..'", name);
		if (c == 1 && type == AE_IFDIR && hard == NULL)
			continue;	/* the top directory itself */
		if (c == 1)
			return hpo_err_set(u->err, HPO_E_INPUT, "refused: entry '%s'", name);
		if (hard != NULL) {
			if (hpo_tar_clean_name(hard, link, sizeof(link)) != 0)
				return hpo_err_set(u->err, HPO_E_INPUT,
						   "refused: hard link '%s' to '%s' outside the target",
						   name, hard);
			full = hpo_path_join(top, link);
			archive_entry_set_hardlink(e, full);
			free(full);
		} else if (type == AE_IFLNK) {
			const char *t = archive_entry_symlink(e);
			if (t == NULL || hpo_tar_link_ok(clean, t) < 0)
				return hpo_err_set(u->err, HPO_E_INPUT,
						   "refused: symbolic link '%s' to '%s' outside the target",
						   name, t ? t : "");
		} else if (type != AE_IFREG && type != AE_IFDIR) {
			return hpo_err_set(u->err, HPO_E_INPUT,
					   "refused: '%s' is a device, FIFO or socket", name);
		}
		full = hpo_path_join(top, clean);
		archive_entry_set_pathname(e, full);
		free(full);
		archive_entry_set_perm(e, archive_entry_perm(e) & 01777);
		if (archive_write_header(w, e) != ARCHIVE_OK)
			return archive_errno(w) == ENOSPC ? disk_fail(w, clean, u->err)
				: hpo_err_set(u->err, HPO_E_INPUT, "refused: '%s': %s", clean,
					      archive_error_string(w));
		if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0 && type == AE_IFREG) {
			const void *buf;
			size_t len;
			la_int64_t off;
			int d;

			while ((d = archive_read_data_block(r, &buf, &len, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(w, buf, len, off) != ARCHIVE_OK)
					return disk_fail(w, clean, u->err);
			if (d != ARCHIVE_EOF)
				goto damaged;
		}
		if (archive_write_finish_entry(w) != ARCHIVE_OK)
			return disk_fail(w, clean, u->err);
	}
	if (rc == ARCHIVE_EOF)
		return 0;
damaged:
	if (u->src_failed)
		return -1;
	return hpo_err_set(u->err, HPO_E_INPUT, "damaged: %s", archive_error_string(r));
}

int
hpo_tar_unpack(hpo_source_fn src, void *ctx, const char *dir, const struct hpo_tar_sum *want,
	       struct hpo_tar_sum *got, struct hpo_err *err)
{
	struct unpack *u = NULL;
	struct archive *r = NULL, *w = NULL;
	char real[PATH_MAX], *tmp = NULL;
	int rc = -1;

	if (realpath(dir, real) == NULL)
		return target_fail(err, errno, NULL);
	tmp = hpo_strf("%s/.hpo-ckpt-unpack.XXXXXX", real);
	u = xcalloc(1, sizeof(*u));
	if (mkdtemp(tmp) == NULL) {
		target_fail(err, errno, NULL);
		free(tmp);
		free(u);
		return -1;
	}
	u->src = src;
	u->ctx = ctx;
	u->err = err;
	sum_init(&u->sum);
	r = archive_read_new();
	w = archive_write_disk_new();
	if (r == NULL || w == NULL)
		hpo_oom();
	archive_read_support_filter_zstd(r);
	archive_read_support_filter_gzip(r);
	archive_read_support_format_tar(r);
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					  ARCHIVE_EXTRACT_SECURE_NODOTDOT |
					  ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME);
	if (archive_read_open(r, u, NULL, unpack_read, NULL) != ARCHIVE_OK) {
		if (!u->src_failed)
			hpo_err_set(err, HPO_E_INPUT, "damaged: %s", archive_error_string(r));
		goto out;
	}
	if (extract(r, w, u, tmp) < 0)
		goto out;
	if (archive_write_close(w) != ARCHIVE_OK) {
		disk_fail(w, NULL, err);
		goto out;
	}
	/* what libarchive left unread (end of the compressed stream) counts too */
	while (!u->eof) {
		ssize_t n = src(ctx, u->buf, sizeof(u->buf), err);
		if (n < 0)
			goto out;
		if (n == 0)
			u->eof = 1;
		sum_add(&u->sum, u->buf, (size_t)n);
	}
	if (got != NULL)
		*got = u->sum;
	if (want != NULL && (want->size != u->sum.size || want->adler32 != u->sum.adler32)) {
		hpo_err_set(err, HPO_E_INPUT,
			    "damaged: %llu bytes with adler32 %08x, expected %llu bytes with %08x",
			    (unsigned long long)u->sum.size, u->sum.adler32,
			    (unsigned long long)want->size, want->adler32);
		goto out;
	}
	if (merge(tmp, real, strlen(tmp) + 1, strlen(real) + 1, 0, err) < 0)
		goto out;
	rc = 0;
out:
	if (r != NULL)
		archive_read_free(r);
	if (w != NULL)
		archive_write_free(w);
	{
		struct hpo_err e2 = {0};
		hpo_rmtree(tmp, &e2);
	}
	free(tmp);
	free(u);
	return rc;
}
