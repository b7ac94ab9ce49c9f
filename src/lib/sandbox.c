/* sandbox.c - the task's files */
#include "autoconf.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "sandbox.h"

static const char *const patterns[] = {"*.json", "*.py", "*.sh", "*.yaml", NULL};

static int
matches(const char *name)
{
	for (size_t i = 0; patterns[i] != NULL; i++)
		if (fnmatch(patterns[i], name, 0) == 0)
			return 1;
	return 0;
}

static int
add(struct hpo_sandbox *sb, const char *rel, struct hpo_err *err)
{
	char **f;

	if (sb->n == HPO_SANDBOX_MAX_FILES)
		return hpo_err_set(err, HPO_E_INPUT, "sandbox: more than %d files",
				   HPO_SANDBOX_MAX_FILES);
	if ((f = realloc(sb->files, (sb->n + 1) * sizeof(*f))) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	sb->files = f;
	if ((f[sb->n] = strdup(rel)) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	sb->n++;
	return 0;
}

struct walk {
	const char *root;
	struct hpo_sandbox *sb;
	dev_t skip_dev;
	ino_t skip_ino;
	int has_skip;
};

static int
walk(struct walk *w, const char *rel, int depth, struct hpo_err *err)
{
	const char *root = w->root;
	struct hpo_sandbox *sb = w->sb;
	char *path = *rel ? hpo_path_join(root, rel) : strdup(root);
	DIR *d;
	int rc = 0;

	if (path == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
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
		childrel = *rel ? hpo_path_join(rel, e->d_name) : strdup(e->d_name);
		if (child == NULL || childrel == NULL)
			rc = hpo_err_set(err, HPO_E_SYS, "out of memory");
		else if (lstat(child, &st) < 0)
			rc = hpo_err_sys(err, "%s", child);
		else if (S_ISDIR(st.st_mode)) {
			if (!(w->has_skip && st.st_dev == w->skip_dev && st.st_ino == w->skip_ino))
				rc = walk(w, childrel, depth + 1, err);
		}
		else if (S_ISREG(st.st_mode) && matches(e->d_name)) {
			sb->bytes += (uint64_t)st.st_size;
			rc = add(sb, childrel, err);
			if (rc == 0 && sb->bytes > HPO_SANDBOX_MAX)
				rc = hpo_err_set(err, HPO_E_INPUT,
						 "sandbox: the *.json, *.py, *.sh and *.yaml files "
						 "below %s exceed PanDA's %u MB limit",
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
hpo_sandbox_collect(const char *dir, const char *skip, struct hpo_sandbox *sb,
		    struct hpo_err *err)
{
	struct walk w = {dir, sb, 0, 0, 0};
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
	for (size_t i = 0; i < sb->n; i++) {
		char *from = hpo_path_join(src, sb->files[i]);
		char *to = hpo_path_join(dest, sb->files[i]);
		char *slash;
		int rc = -1;

		if (from == NULL || to == NULL) {
			hpo_err_set(err, HPO_E_SYS, "out of memory");
			goto next;
		}
		slash = strrchr(to, '/');
		*slash = '\0';
		if (hpo_mkdirs(to, 0755, err) < 0)
			goto next;
		*slash = '/';
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
