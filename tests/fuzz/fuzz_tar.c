/* fuzz_tar.c - checkpoint archives: tarstream unpacking any bytes (gzip,
 * zstd or plain tar, hostile names, links, devices, truncation, huge
 * sizes) into a temporary directory.  The first byte sets the size of
 * the source's reads, so short reads at every boundary are tried.
 * Invariants: nothing appears beside the target directory; what is inside
 * holds no device, FIFO or socket and no link that leads out. */
#define _XOPEN_SOURCE 700
#include "autoconf.h"

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "fuzz.h"
#include "log.h"
#include "tarstream.h"

struct mem {
	const uint8_t *p;
	size_t left, chunk;
};

static ssize_t
mem_read(void *ctx, void *buf, size_t len, struct hpo_err *err)
{
	struct mem *m = ctx;
	size_t n = len < m->chunk ? len : m->chunk;

	(void)err;
	if (n > m->left)
		n = m->left;
	memcpy(buf, m->p, n);
	m->p += n;
	m->left -= n;
	return (ssize_t)n;
}

static size_t target_len;

static int
check_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char target[4096];
	ssize_t n;

	(void)ftw;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISFIFO(st->st_mode) ||
	    S_ISSOCK(st->st_mode))
		abort();
	if (type == FTW_SL) {
		if ((n = readlink(path, target, sizeof target - 1)) < 0)
			abort();
		target[n] = '\0';
		if (hpo_tar_link_ok(path + target_len + 1, target) != 0)
			abort();
	}
	return 0;
}

/* the directory every input is unpacked under, made by the first input and
 * removed when the process ends (libFuzzer and the replay both exit) */
static char top[64];

static void
remove_top(void)
{
	struct hpo_err err;

	if (top[0] != '\0')
		(void)hpo_rmtree(top, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char target[80];
	struct mem m;
	struct hpo_err err;
	struct dirent *e;
	DIR *d;
	int found = 0;

	if (size < 1)
		return 0;
	hpo_log_init("fuzz", HPO_LOG_QUIET);
	if (top[0] == '\0') {
		snprintf(top, sizeof top, "%s/hpo-fuzz-tar.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (strlen(top) >= sizeof top - 1 || mkdtemp(top) == NULL)
			abort();
		atexit(remove_top);
	}
	snprintf(target, sizeof target, "%s/t", top);
	if (mkdir(target, 0700) < 0)
		abort();
	m.p = data + 1;
	m.left = size - 1;
	m.chunk = 1 + (size_t)data[0] * 37;
	if (hpo_tar_unpack(mem_read, &m, target, NULL, NULL, &err) < 0 && err.msg[0] == '\0')
		abort();
	target_len = strlen(target);
	if (nftw(target, check_entry, 16, FTW_PHYS) != 0)
		abort();
	/* nothing beside the target */
	if ((d = opendir(top)) == NULL)
		abort();
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strcmp(e->d_name, "t") != 0)
			abort();
		found++;
	}
	closedir(d);
	if (found != 1 || hpo_rmtree(target, &err) < 0)
		abort();
	return 0;
}
