/* taskcache.c - what never changes of a PanDA task, kept between runs (taskcache.h) */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "err.h"
#include "file.h"
#include "log.h"
#include "taskcache.h"
#include "xmalloc.h"

#define FORMAT 1
#define MAX_ENTRY (4L * 1024 * 1024)	/* a task's parameters are a few kB */

struct hpo_taskcache {
	char *dir;
	char *server;
	int nowrite;	/* a write failed: said once, no more tries */
};

/* FNV-1a, 64 bits: a directory name for the server's URL */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A directory of the user's, made owner-only: 0, else -1 with errno (EPERM
 * for one owned by someone else). */
static int
own_dir(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	if ((st.st_mode & 077) != 0 && chmod(path, 0700) < 0)
		return -1;
	return 0;
}

struct hpo_taskcache *
hpo_taskcache_open(const char *url)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct hpo_err err = {0};
	struct hpo_taskcache *c;
	char *base, *top;

	/* XDG: a relative path is to be ignored */
	if (xdg != NULL && xdg[0] == '/')
		base = xstrdup(xdg);
	else if (home != NULL && home[0] == '/')
		base = hpo_path_join(home, ".cache");
	else
		return NULL;
	top = hpo_path_join(base, "hpo-tools");
	c = xcalloc(1, sizeof(*c));
	c->dir = xasprintf("%s/panda-%016llx", top, (unsigned long long)fnv1a(url));
	c->server = xstrdup(url);
	free(base);
	if (hpo_mkdirs(c->dir, 0700, &err) < 0) {
		hpo_warn("the task cache is not used: %s", err.msg);
		goto fail;
	}
	if (own_dir(top) < 0 || own_dir(c->dir) < 0) {
		hpo_warn("the task cache is not used: %s: %s", own_dir(top) < 0 ? top : c->dir,
			 errno == EPERM ? "not your directory" : strerror(errno));
		goto fail;
	}
	free(top);
	return c;
fail:
	hpo_taskcache_free(c);
	free(top);
	return NULL;
}

void
hpo_taskcache_free(struct hpo_taskcache *c)
{
	if (c == NULL)
		return;
	free(c->dir);
	free(c->server);
	free(c);
}

static char *
entry_path(const struct hpo_taskcache *c, int64_t id)
{
	return xasprintf("%s/%lld.json", c->dir, (long long)id);
}

/* The file's text, when it is a regular file of the user's that nobody
 * else may read or write, of a sane size; else NULL. */
static char *
read_own(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t r;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) != 0 || st.st_size <= 0 || st.st_size > MAX_ENTRY)
		goto fail;
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto fail;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

json_t *
hpo_taskcache_get(struct hpo_taskcache *c, int64_t id)
{
	char *path, *text;
	json_t *e;
	size_t len;

	if (c == NULL)
		return NULL;
	path = entry_path(c, id);
	text = read_own(path, &len);
	free(path);
	if (text == NULL)
		return NULL;
	e = json_loadb(text, len, 0, NULL);
	free(text);
	/* anything but an entry of this server's task, whole: absent */
	if (!json_is_object(e) || json_integer_value(json_object_get(e, "format")) != FORMAT ||
	    !json_is_string(json_object_get(e, "server")) ||
	    strcmp(json_string_value(json_object_get(e, "server")), c->server) != 0 ||
	    !json_is_integer(json_object_get(e, "jediTaskID")) ||
	    json_integer_value(json_object_get(e, "jediTaskID")) != id ||
	    !json_is_string(json_object_get(e, "taskName")) ||
	    json_object_get(e, "creationDate") == NULL ||
	    !json_is_object(json_object_get(e, "raw_task_params")) ||
	    !json_is_boolean(json_object_get(e, "listed"))) {
		json_decref(e);
		return NULL;
	}
	return e;
}

static void
write_failed(struct hpo_taskcache *c, const char *what)
{
	hpo_warn("the task cache %s cannot be written: %s: %s", c->dir, what, strerror(errno));
	c->nowrite = 1;
}

void
hpo_taskcache_put(struct hpo_taskcache *c, int64_t id, const json_t *info, int listed)
{
	json_t *name = json_object_get(info, "taskName"), *created = json_object_get(info, "creationDate");
	json_t *params = json_object_get(info, "raw_task_params"), *e;
	char *text, *tmp, *path;
	size_t len, done = 0;
	int fd;

	if (c == NULL || c->nowrite || !json_is_string(name) || created == NULL ||
	    json_is_null(created) || !json_is_object(params))
		return;
	e = json_pack("{s:i, s:s, s:I, s:O, s:O, s:O, s:b}", "format", FORMAT, "server", c->server,
		      "jediTaskID", (json_int_t)id, "taskName", name, "creationDate", created,
		      "raw_task_params", params, "listed", listed);
	text = e != NULL ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	if (text == NULL)
		hpo_oom();
	len = strlen(text);
	tmp = xasprintf("%s/.%lld.json.XXXXXX", c->dir, (long long)id);
	path = entry_path(c, id);
	/* mkstemp: 0600, and no file of that name followed */
	if ((fd = mkstemp(tmp)) < 0) {
		write_failed(c, tmp);
		goto out;
	}
	while (done < len) {
		ssize_t w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			break;
		}
		done += (size_t)w;
	}
	/* no fsync: a cache entry lost or cut short by a crash is ignored */
	if (done < len || close(fd) < 0) {
		int e2 = errno;
		if (done < len)
			close(fd);
		unlink(tmp);
		errno = e2;
		write_failed(c, tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		int e2 = errno;
		unlink(tmp);
		errno = e2;
		write_failed(c, path);
	}
out:
	free(path);
	free(tmp);
	free(text);
}

void
hpo_taskcache_fill(const json_t *entry, json_t *info)
{
	static const char *const keys[] = {"taskName", "creationDate", "raw_task_params"};

	if (entry == NULL || !json_is_object(info))
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(info, keys[i]);
		if (v == NULL || json_is_null(v))
			json_object_set(info, keys[i], json_object_get(entry, keys[i]));
	}
}
