/* ckpt_file.c - checkpoints in a local (or network-mounted) directory
 *
 * The location is a directory, created 0700 when missing.  Files are
 * created with O_EXCL and O_NOFOLLOW (never through a link planted in
 * the directory), fsync'ed before the rename, and the directory is
 * fsync'ed after it, so a generation's name only ever shows complete
 * contents, also after a crash of the machine.  stat reads the file back
 * to compute its adler32: what is confirmed is what the file system has.
 */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "ckpt.h"
#include "xmalloc.h"
#include "file.h"

struct file_loc {
	char *dir;
};

struct fio {
	int fd;
	char *path;
};

/* An error for errno e about what: disk full, permission (HPO_E_AUTH), or
 * the system's words. */
static int
fail(struct hpo_err *err, int e, const char *what)
{
	if (e == ENOSPC
#ifdef EDQUOT
	    || e == EDQUOT
#endif
	)
		return hpo_err_set(err, HPO_E_SYS, "%s: disk full", what);
	if (e == EACCES || e == EPERM)
		return hpo_err_set(err, HPO_E_AUTH, "%s: permission denied", what);
	errno = e;
	return hpo_err_sys(err, "%s", what);
}

static char *
path_of(struct hpo_ckpt_loc *s, const char *name)
{
	return hpo_path_join(((struct file_loc *)s->priv)->dir, name);
}

static int
f_list(struct hpo_ckpt_loc *s, struct hpo_ckpt_entry **out, size_t *n, struct hpo_err *err)
{
	struct file_loc *fs = s->priv;
	struct hpo_ckpt_entry *v = NULL;
	size_t cap = 0;
	DIR *d;
	int dfd;

	*out = NULL;
	*n = 0;
	if ((d = opendir(fs->dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return fail(err, errno, fs->dir);
	}
	dfd = dirfd(d);
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		struct stat st;

		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
					     (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[*n].name = xstrdup(de->d_name);
		v[*n].size = (uint64_t)st.st_size;
		v[*n].mtime = (double)st.st_mtim.tv_sec + (double)st.st_mtim.tv_nsec / 1e9;
		(*n)++;
	}
	closedir(d);
	*out = v;
	return 0;
}

static int
f_create(struct hpo_ckpt_loc *s, const char *name, void **w, struct hpo_err *err)
{
	struct file_loc *fs = s->priv;
	struct fio *f = xcalloc(1, sizeof(*f));

	f->path = path_of(s, name);
	if (hpo_mkdirs(fs->dir, 0700, err) < 0) {
		int e = errno;
		free(f->path);
		free(f);
		return fail(err, e, fs->dir);
	}
	f->fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (f->fd < 0) {
		fail(err, errno, f->path);
		free(f->path);
		free(f);
		return -1;
	}
	*w = f;
	return 0;
}

static int
f_put(void *w, const void *buf, size_t len, struct hpo_err *err)
{
	struct fio *f = w;
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(err, errno, f->path);
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
f_cancel(void *w)
{
	struct fio *f = w;

	if (f == NULL)
		return;
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
}

static int
f_finish(void *w, struct hpo_err *err)
{
	struct fio *f = w;
	int rc = 0;

	if (fsync(f->fd) < 0)
		rc = fail(err, errno, f->path);
	if (close(f->fd) < 0 && rc == 0)
		rc = fail(err, errno, f->path);
	f->fd = -1;
	f_cancel(f);
	return rc;
}

static int
f_stat(struct hpo_ckpt_loc *s, const char *name, uint64_t *size, int *has_adler, uint32_t *adler,
       struct hpo_err *err)
{
	char *path = path_of(s, name);
	unsigned char buf[65536];
	struct stat st;
	uLong a = adler32(0L, Z_NULL, 0);
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0) {
		fail(err, errno, path);
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(err, errno, path);
			goto out;
		}
		if (n == 0)
			break;
		a = adler32(a, buf, (uInt)n);
	}
	*size = (uint64_t)st.st_size;
	*has_adler = 1;
	*adler = (uint32_t)a;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

static int
f_rename(struct hpo_ckpt_loc *s, const char *from, const char *to, struct hpo_err *err)
{
	struct file_loc *fs = s->priv;
	char *a = path_of(s, from), *b = path_of(s, to);
	int rc = 0, dfd;

	if (rename(a, b) < 0)
		rc = fail(err, errno, b);
	else if ((dfd = open(fs->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);	/* the rename itself durable */
		close(dfd);
	}
	free(a);
	free(b);
	return rc;
}

static int
f_open(struct hpo_ckpt_loc *s, const char *name, uint64_t offset, void **r, struct hpo_err *err)
{
	struct fio *f = xcalloc(1, sizeof(*f));

	f->path = path_of(s, name);
	f->fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (f->fd < 0 || (offset > 0 && lseek(f->fd, (off_t)offset, SEEK_SET) < 0)) {
		fail(err, errno, f->path);
		f_cancel(f);
		return -1;
	}
	*r = f;
	return 0;
}

static ssize_t
f_read(void *r, void *buf, size_t len, struct hpo_err *err)
{
	struct fio *f = r;

	for (;;) {
		ssize_t n = read(f->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(err, errno, f->path);
		return n;
	}
}

static int
f_remove(struct hpo_ckpt_loc *s, const char *name, struct hpo_err *err)
{
	char *path = path_of(s, name);
	int rc = 0;

	if (unlink(path) < 0 && errno != ENOENT)
		rc = fail(err, errno, path);
	free(path);
	return rc;
}

static void
f_free(struct hpo_ckpt_loc *s)
{
	struct file_loc *fs = s->priv;

	if (fs != NULL)
		free(fs->dir);
	free(fs);
}

static const struct hpo_ckpt_loc_ops file_ops = {
	f_list, f_create, f_put, f_finish, f_cancel, f_stat, f_rename,
	f_open, f_read, f_cancel, f_remove, f_free,
};

int
hpo_ckpt_loc_file(const char *path, struct hpo_ckpt_loc **out, struct hpo_err *err)
{
	struct hpo_ckpt_loc *s = xcalloc(1, sizeof(*s));
	struct file_loc *fs = xcalloc(1, sizeof(*fs));

	if (*path == '\0') {
		free(s);
		free(fs);
		return hpo_err_set(err, HPO_E_INPUT, "an empty checkpoint location");
	}
	fs->dir = xstrdup(path);
	s->where = xstrdup(path);
	s->ops = &file_ops;
	s->priv = fs;
	*out = s;
	return 0;
}
