/* file.c - small file-system helpers */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "xmalloc.h"

int
hpo_file_read(const char *path, size_t max, char **buf, size_t *len, struct hpo_err *err)
{
	size_t cap = 4096, n = 0;
	char *b = NULL;
	struct stat st;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hpo_err_sys(err, "%s", path);
	/* a regular file in one buffer of its size (and one byte more, for
	 * the read that finds its end): no copies, no pages touched twice */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = ((uintmax_t)st.st_size < max ? (size_t)st.st_size : max) + 2;
	for (;;) {
		ssize_t r;
		if (b == NULL || n + 1 >= cap) {
			if (b != NULL)
				cap *= 2;
			b = xreallocarray(b, cap, 1);
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hpo_err_sys(err, "%s", path);
			free(b);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			close(fd);
			return hpo_err_set(err, HPO_E_INPUT, "%s: larger than %zu bytes", path, max);
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
hpo_file_publish(int fd, const char *tmp, const char *path, const char *what, struct hpo_err *err)
{
	if (fsync(fd) < 0) {
		hpo_err_sys(err, "%s", what);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		hpo_err_sys(err, "%s", what);
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
hpo_file_anon(struct hpo_err *err)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	path = xasprintf("%s/.hpo-tmp.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	else
		hpo_err_set(err, HPO_E_SYS, "%s: cannot make a temporary file: %s", dir,
			    strerror(errno));
	free(path);
	return fd;
}

static int
write_renamed(const char *path, const void *buf, size_t len, mode_t mode, int sync,
	      struct hpo_err *err)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, rc;

	/* errors name path: the temporary is ours, not the user's */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		hpo_err_sys(err, "%s", path);
		free(tmp);
		return -1;
	}
	if (write_all(fd, buf, len) < 0) {
		hpo_err_sys(err, "%s", path);
		close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (sync) {
		rc = hpo_file_publish(fd, tmp, path, path, err);
	} else if (close(fd) < 0 || rename(tmp, path) < 0) {
		rc = hpo_err_sys(err, "%s", path);
		unlink(tmp);
	} else {
		rc = 0;
	}
	free(tmp);
	return rc;
}

int
hpo_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
		      struct hpo_err *err)
{
	return write_renamed(path, buf, len, mode, 1, err);
}

int
hpo_file_replace(const char *path, const void *buf, size_t len, mode_t mode,
		 struct hpo_err *err)
{
	return write_renamed(path, buf, len, mode, 0, err);
}

int
hpo_file_write(const char *path, const void *buf, size_t len, mode_t mode, struct hpo_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return hpo_err_sys(err, "%s", path);
	if (write_all(fd, buf, len) < 0) {
		hpo_err_sys(err, "%s", path);
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return hpo_err_sys(err, "%s", path);
	return 0;
}

/* mkdir p, and its missing parents first: from the deepest existing one
 * down, so that the common cases (p there, or only p missing) cost one or
 * two calls. */
static int
mkdirs_in(char *p, mode_t mode, struct hpo_err *err)
{
	struct stat st;
	char *slash;

	if (mkdir(p, mode) == 0)
		return 0;
	if ((errno == ENOENT || errno == ENOTDIR) && (slash = strrchr(p, '/')) != NULL &&
	    slash != p) {
		*slash = '\0';
		int rc = mkdirs_in(p, mode, err);
		*slash = '/';
		if (rc < 0)
			return -1;
		if (mkdir(p, mode) == 0)
			return 0;
	}
	if (errno == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	if (errno == EEXIST)
		errno = ENOTDIR;	/* a file stands there */
	return hpo_err_sys(err, "%s", p);
}

int
hpo_mkdirs(const char *path, mode_t mode, struct hpo_err *err)
{
	char *p = xstrdup(path);
	int rc = mkdirs_in(p, mode, err);

	free(p);
	return rc;
}

static int
rmtree_at(int parent, const char *name, struct hpo_err *err, const char *top)
{
	struct stat st;
	DIR *d;
	int fd;

	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hpo_err_sys(err, "%s", top);
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return hpo_err_sys(err, "%s", top);
		return 0;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hpo_err_sys(err, "%s", top);
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return hpo_err_sys(err, "%s", top);
	}
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (rmtree_at(dirfd(d), e->d_name, err, top) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return hpo_err_sys(err, "%s", top);
	return 0;
}

int
hpo_rmtree(const char *path, struct hpo_err *err)
{
	return rmtree_at(AT_FDCWD, path, err, path);
}

int
hpo_copy_file(const char *from, const char *to, struct hpo_err *err)
{
	char buf[65536];
	struct stat st;
	int in, out;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return hpo_err_sys(err, "%s", from);
	if (fstat(in, &st) < 0) {
		close(in);
		return hpo_err_sys(err, "%s", from);
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st.st_mode & 07777);
	if (out < 0) {
		close(in);
		return hpo_err_sys(err, "%s", to);
	}
	for (;;) {
		ssize_t r = read(in, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			hpo_err_sys(err, "%s", from);
			goto fail;
		}
		if (r == 0)
			break;
		if (write_all(out, buf, (size_t)r) < 0) {
			hpo_err_sys(err, "%s", to);
			goto fail;
		}
	}
	close(in);
	if (close(out) < 0)
		return hpo_err_sys(err, "%s", to);
	return 0;
fail:
	close(in);
	close(out);
	unlink(to);
	return -1;
}

char *
hpo_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);

	if (la > 0 && a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}
