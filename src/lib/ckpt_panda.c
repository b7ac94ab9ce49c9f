/* ckpt_panda.c - checkpoints on the PanDA server (panda://TASK/SUB)
 *
 * The PanDA server keeps one HPO checkpoint file per task and sub ID (the
 * point): POST file_server/upload_hpo_checkpoint (multipart "file" named
 * TASK_SUB) stores it as hpo_cp_TASK_SUB in the server's cache directory,
 * replacing what was there, and refuses bodies over 500 MB or without a
 * Content-Length; the server's web server publishes that directory as
 * <cache server>/cache/ (panda-server's httpd template: Alias /cache/), so
 * the file comes back with a plain GET (Range works); POST
 * file_server/delete_hpo_checkpoint removes it.  Requests go with PanDA's
 * credential (hpo_auth_load) to one particular cache server: each keeps its
 * own cache directory, and phpo's job runner (runHPO) uploads the job's
 * checkpoint to the job's --sourceURL, the cache host that holds the
 * task's sandbox, and fetches it from there for a retried job.  So the
 * host is, in this order: HPO_SOURCE_URL; the --sourceURL in the command
 * line of the runner, an ancestor process of hpo-ckpt in a Grid job (the
 * pilot gives the payload no variable naming it, and its
 * container_script.sh holds the same command line); PANDACACHE_URL when
 * set (outside a job, naming a cache host); else an error saying to set
 * HPO_SOURCE_URL.
 *
 * One file means one generation at a time: a location of this kind holds
 * the newest generation only, whatever --keep says.  The server replaces
 * the file only once the whole body has arrived, so a killed upload leaves
 * the previous generation in place.
 *
 * What the generation's name would say lives in a fixed-size header in
 * front of the archive, ignored by decompressors:
 *
 *   tar.zst  a zstd skippable frame: magic 0x184D2A50, length 146, then
 *            the payload
 *   tar.gz   an empty gzip member whose FEXTRA field "HC" holds a 128-byte
 *            payload (gzip tools read a file of several members as one)
 *
 * both HEADER_SIZE bytes long; the payload is JSON padded with spaces:
 * {"hpo-ckpt": 1, "name": "<the generation's name>", "time": <unix time>}.
 * So `tar xzf hpo_cp_T_S` (as phpo's runner does) still unpacks the file.
 *
 * Archives here are always gzip: phpo's job runner, which fetches this
 * file for a retried job, unpacks it with `tar xzf`.
 *
 * Saving: the archive is spooled to an unlinked temporary file under
 * TMPDIR (the server needs the size before the body) with room for the
 * header; rename() writes the header, uploads, and confirms the size and
 * the header the server then serves.  Loading: GET from the header's end
 * on (ckpt_davs.c reads the file).
 *
 * A phpo Grid job's own location (hpo-ckpt's default there): the runner's
 * __hpo_sample.txt names the task and the point, panda://TASK/POINT; a
 * point of a multi-fidelity trial (__hpo_trial in its point file: the
 * runner's --inSampleFile, else the engine's HPO_INPUT, else input.json)
 * has its trial's,
 * panda://TASK/TRIAL, shared by the trial's points, so that a point that
 * continues the trial's earlier one loads what that one saved.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "auth.h"
#include "ckpt.h"
#include "config.h"
#include "file.h"
#include "log.h"
#include "panda.h"
#include "space.h"
#include "xmalloc.h"

#define HEADER_SIZE 154
#define ZSTD_SKIP_MAGIC 0x184D2A50u
#define GZIP_PAYLOAD 128	/* HEADER_SIZE - 10 - 2 - 4 - 2 - 8 */
#define ZSTD_PAYLOAD 146	/* HEADER_SIZE - 8 */
#define MULTIPART_ROOM 4096	/* the multipart envelope around the file */

struct panda_loc {
	struct hpo_auth *auth;
	struct hpo_panda *panda;
	struct hpo_ckpt_loc *reader;	/* <cache server>/cache/ */
	char *task, *sub, *slot;	/* slot: hpo_cp_TASK_SUB */
	/* the spool of the last save, from finish to rename */
	int spool;
	char spool_name[64];
	uint64_t spool_size;
};

struct pwrite {
	struct panda_loc *p;
	int fd;
	char name[64];
	uint64_t size;
};

struct pread {
	struct hpo_ckpt_loc *reader;
	void *r;
};


static void
put_le16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p + 2, v >> 16);
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The header for a generation; -1 when the payload does not fit. */
static int
make_header(unsigned char h[HEADER_SIZE], const struct hpo_ckpt_gen *g, long long when)
{
	size_t room = g->comp == HPO_TAR_GZIP ? GZIP_PAYLOAD : ZSTD_PAYLOAD;
	char payload[ZSTD_PAYLOAD + 1];
	int n = snprintf(payload, sizeof(payload), "{\"hpo-ckpt\": 1, \"name\": \"%s\", \"time\": %lld}",
			 g->name, when);
	unsigned char *p = h;

	if (n < 0 || (size_t)n > room)
		return -1;
	memset(payload + n, ' ', room - (size_t)n);
	if (g->comp == HPO_TAR_GZIP) {
		static const unsigned char head[10] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff};
		memcpy(p, head, 10);
		p += 10;
		put_le16(p, 4 + GZIP_PAYLOAD);
		p[2] = 'H';
		p[3] = 'C';
		put_le16(p + 4, GZIP_PAYLOAD);
		p += 6;
		memcpy(p, payload, GZIP_PAYLOAD);
		p += GZIP_PAYLOAD;
		/* an empty final deflate block, CRC32 0, size 0 */
		memset(p, 0, 10);
		p[0] = 3;
	} else {
		put_le32(p, ZSTD_SKIP_MAGIC);
		put_le32(p + 4, ZSTD_PAYLOAD);
		memcpy(p + 8, payload, ZSTD_PAYLOAD);
	}
	return 0;
}

/* The generation a header names: 0 and *g (with its time), -1 when h is not
 * one of ours. */
static int
parse_header(const unsigned char h[HEADER_SIZE], struct hpo_ckpt_gen *g)
{
	static const unsigned char ghead[4] = {0x1f, 0x8b, 8, 4};
	const unsigned char *payload;
	size_t plen;
	json_t *j, *name, *when;
	int rc = -1;

	if (le32(h) == ZSTD_SKIP_MAGIC && le32(h + 4) == ZSTD_PAYLOAD) {
		payload = h + 8;
		plen = ZSTD_PAYLOAD;
	} else if (memcmp(h, ghead, 4) == 0 && h[10] == 4 + GZIP_PAYLOAD && h[11] == 0 &&
		   h[12] == 'H' && h[13] == 'C' && h[14] == GZIP_PAYLOAD && h[15] == 0) {
		payload = h + 16;
		plen = GZIP_PAYLOAD;
	} else {
		return -1;
	}
	if ((j = json_loadb((const char *)payload, plen, 0, NULL)) == NULL)
		return -1;
	name = json_object_get(j, "name");
	when = json_object_get(j, "time");
	if (json_integer_value(json_object_get(j, "hpo-ckpt")) == 1 && json_is_string(name) &&
	    hpo_ckpt_parse(json_string_value(name), g) == 0 &&
	    (g->comp == HPO_TAR_GZIP) == (payload == h + 16)) {
		g->mtime = json_is_integer(when) ? (double)json_integer_value(when) : 0;
		rc = 0;
	}
	json_decref(j);
	return rc;
}

/* What the server holds: *found 0 (nothing, or a file not ours, *foreign
 * then 1), or 1 with the generation in *g (stored: the archive's size). */
static int
probe(struct hpo_ckpt_loc *s, int *found, int *foreign, struct hpo_ckpt_gen *g,
      struct hpo_err *err)
{
	struct panda_loc *p = s->priv;
	unsigned char h[HEADER_SIZE];
	uint64_t size;
	int rc;

	*found = *foreign = 0;
	if ((rc = hpo_ckpt_davs_size(p->reader, p->slot, &size, err)) != 0)
		return rc == 1 ? 0 : -1;
	if (size < HEADER_SIZE) {
		*foreign = 1;
		return 0;
	}
	if ((rc = hpo_ckpt_davs_peek(p->reader, p->slot, h, sizeof(h), err)) != 0)
		return rc == 1 ? 0 : -1;	/* gone meanwhile: nothing */
	if (parse_header(h, g) < 0 || g->sum.size != size - HEADER_SIZE) {
		*foreign = 1;
		return 0;
	}
	g->stored = size - HEADER_SIZE;
	*found = 1;
	return 0;
}

static int
p_list(struct hpo_ckpt_loc *s, struct hpo_ckpt_entry **out, size_t *n, struct hpo_err *err)
{
	struct hpo_ckpt_gen g;
	int found, foreign;

	*out = NULL;
	*n = 0;
	if (probe(s, &found, &foreign, &g, err) < 0)
		return -1;
	if (foreign)
		hpo_warn("%s: the server holds a checkpoint that hpo-ckpt did not write: ignored",
			 s->where);
	if (!found)
		return 0;
	*out = xcalloc(1, sizeof(**out));
	(*out)->name = xstrdup(g.name);
	(*out)->size = g.stored;
	(*out)->mtime = g.mtime;
	*n = 1;
	return 0;
}

static void
spool_drop(struct panda_loc *p)
{
	if (p->spool >= 0)
		close(p->spool);
	p->spool = -1;
	p->spool_name[0] = '\0';
	p->spool_size = 0;
}

static int
p_create(struct hpo_ckpt_loc *s, const char *name, void **wp, struct hpo_err *err)
{
	static const unsigned char zero[HEADER_SIZE];
	struct pwrite *w = xcalloc(1, sizeof(*w));

	if (strlen(name) >= sizeof(w->name) || !hpo_ckpt_is_temp(name)) {
		free(w);
		return hpo_err_set(err, HPO_E_INPUT, "%s: %s: only a save's temporary is written here",
				   s->where, name);
	}
	w->p = s->priv;
	strcpy(w->name, name);
	if ((w->fd = hpo_file_anon(err)) < 0) {
		free(w);
		return -1;
	}
	if (write(w->fd, zero, sizeof(zero)) != (ssize_t)sizeof(zero)) {
		hpo_err_set(err, HPO_E_SYS, "temporary file: %s", strerror(errno));
		close(w->fd);
		free(w);
		return -1;
	}
	*wp = w;
	return 0;
}

static int
p_put(void *wp, const void *buf, size_t len, struct hpo_err *err)
{
	struct pwrite *w = wp;
	const char *b = buf;

	if (HEADER_SIZE + w->size + len + MULTIPART_ROOM > (uint64_t)HPO_PANDA_CKPT_LIMIT)
		return hpo_err_set(err, HPO_E_INPUT, "the checkpoint is over the PanDA server's limit "
				   "of %lld MB: save less, or use Grid storage (davs://)",
				   HPO_PANDA_CKPT_LIMIT / (1024 * 1024));
	while (len > 0) {
		ssize_t n = write(w->fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return hpo_err_set(err, HPO_E_SYS, "temporary file: %s", strerror(errno));
		b += n;
		len -= (size_t)n;
		w->size += (uint64_t)n;
	}
	return 0;
}

static void
p_cancel(void *wp)
{
	struct pwrite *w = wp;

	close(w->fd);
	free(w);
}

static int
p_finish(void *wp, struct hpo_err *err)
{
	struct pwrite *w = wp;
	struct panda_loc *p = w->p;

	(void)err;
	spool_drop(p);
	p->spool = w->fd;
	strcpy(p->spool_name, w->name);
	p->spool_size = w->size;
	free(w);
	return 0;
}

static int
p_stat(struct hpo_ckpt_loc *s, const char *name, uint64_t *size, int *has_adler,
       uint32_t *adler, struct hpo_err *err)
{
	struct panda_loc *p = s->priv;
	struct hpo_ckpt_gen g;
	int found, foreign;

	*has_adler = 0;
	*adler = 0;
	if (p->spool >= 0 && strcmp(name, p->spool_name) == 0) {
		/* what goes up at rename, checked there against the server */
		*size = p->spool_size;
		return 0;
	}
	if (probe(s, &found, &foreign, &g, err) < 0)
		return -1;
	if (!found || strcmp(g.name, name) != 0)
		return hpo_err_set(err, HPO_E_NET, "%s: %s: not on the server", s->where, name);
	*size = g.stored;
	return 0;
}

/* Publishing: the upload of the spool with the header of `to`. */
static int
p_rename(struct hpo_ckpt_loc *s, const char *from, const char *to, struct hpo_err *err)
{
	struct panda_loc *p = s->priv;
	struct hpo_ckpt_gen want, got;
	unsigned char h[HEADER_SIZE];
	char path[64];
	int found, foreign;

	if (p->spool < 0 || strcmp(from, p->spool_name) != 0)
		return hpo_err_set(err, HPO_E_INPUT, "%s: %s: no such upload", s->where, from);
	if (hpo_ckpt_parse(to, &want) < 0 || want.sum.size != p->spool_size ||
	    make_header(h, &want, (long long)time(NULL)) < 0)
		return hpo_err_set(err, HPO_E_INPUT, "%s: %s: not a generation of this upload",
				   s->where, to);
	if (pwrite(p->spool, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return hpo_err_set(err, HPO_E_SYS, "temporary file: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p->spool);
	if (hpo_panda_ckpt_upload(p->panda, path, p->task, p->sub, err) < 0)
		return hpo_err_prefix(err, "%s", s->where);
	/* what the server serves now must be this generation, whole */
	if (probe(s, &found, &foreign, &got, err) < 0)
		return -1;
	if (!found || strcmp(got.name, to) != 0)
		return hpo_err_set(err, HPO_E_NET, "%s: after the upload the server serves %s", s->where,
				   found ? got.name : "something else");
	spool_drop(p);
	return 0;
}

static int
p_remove(struct hpo_ckpt_loc *s, const char *name, struct hpo_err *err)
{
	struct panda_loc *p = s->priv;
	struct hpo_ckpt_gen g;
	int found, foreign;

	if (hpo_ckpt_is_temp(name)) {
		if (strcmp(name, p->spool_name) == 0)
			spool_drop(p);
		return 0;
	}
	if (probe(s, &found, &foreign, &g, err) < 0)
		return -1;
	if (!found || strcmp(g.name, name) != 0)
		return 0;
	if (hpo_panda_ckpt_delete(p->panda, p->task, p->sub, err) < 0)
		return hpo_err_prefix(err, "%s", s->where);
	return 0;
}

static int
p_open(struct hpo_ckpt_loc *s, const char *name, uint64_t offset, void **rp,
       struct hpo_err *err)
{
	struct panda_loc *p = s->priv;
	struct pread *r;

	/* no second look at the header: a file replaced since the listing
	 * fails the size and adler32 check of the generation's name, which
	 * every load makes */
	(void)name;
	r = xcalloc(1, sizeof(*r));
	r->reader = p->reader;
	if (p->reader->ops->open(p->reader, p->slot, HEADER_SIZE + offset, &r->r, err) < 0) {
		free(r);
		return -1;
	}
	*rp = r;
	return 0;
}

static ssize_t
p_read(void *rp, void *buf, size_t len, struct hpo_err *err)
{
	struct pread *r = rp;

	return r->reader->ops->read(r->r, buf, len, err);
}

static void
p_close(void *rp)
{
	struct pread *r = rp;

	r->reader->ops->close(r->r);
	free(r);
}

static void
p_free(struct hpo_ckpt_loc *s)
{
	struct panda_loc *p = s->priv;

	if (p == NULL)
		return;
	spool_drop(p);
	hpo_ckpt_loc_free(p->reader);
	hpo_panda_free(p->panda);
	hpo_auth_free(p->auth);
	free(p->task);
	free(p->sub);
	free(p->slot);
	free(p);
}

static const struct hpo_ckpt_loc_ops panda_ops = {
	p_list, p_create, p_put, p_finish, p_cancel, p_stat, p_rename,
	p_open, p_read, p_close, p_remove, p_free,
};

/* TASK is a number, SUB letters, digits, '.' and '-' (the server splits
 * TASK_SUB at the '_'). */
static int
parse_url(const char *url, char **task, char **sub, struct hpo_err *err)
{
	const char *t = url + 8, *slash = strchr(t, '/'), *q;
	size_t tl, sl;

	if (slash == NULL)
		goto bad;
	tl = (size_t)(slash - t);
	sl = strlen(slash + 1);
	while (sl > 0 && slash[sl] == '/')
		sl--;
	if (tl == 0 || tl > 20 || sl == 0 || sl > 64)
		goto bad;
	for (q = t; q < slash; q++)
		if (!isdigit((unsigned char)*q))
			goto bad;
	for (q = slash + 1; q < slash + 1 + sl; q++)
		if (!isalnum((unsigned char)*q) && *q != '.' && *q != '-')
			goto bad;
	*task = xstrndup(t, tl);
	*sub = xstrndup(slash + 1, sl);
	return 0;
bad:
	return hpo_err_set(err, HPO_E_INPUT, "%s: a PanDA checkpoint is panda://TASKID/SUBID "
			   "(the task's number; the point's ID: letters, digits, '.', '-')", url);
}

/* The value of the option opt ("--sourceURL") in a command line (argv's
 * NUL-separated strings, or a shell command in one of them): "opt VALUE"
 * or "opt=VALUE"; NULL if none. */
char *
hpo_ckpt_panda_cmdline_arg(const char *cmdline, size_t len, const char *opt)
{
	size_t ol = strlen(opt);
	char *found = NULL;

	for (size_t i = 0; i + ol < len; i++) {
		const char *v = cmdline + i + ol, *end = cmdline + len;
		size_t n;

		if (memcmp(cmdline + i, opt, ol) != 0 ||
		    (i > 0 && !isspace((unsigned char)cmdline[i - 1]) && cmdline[i - 1] != '\0' &&
		     cmdline[i - 1] != '"' && cmdline[i - 1] != '\''))
			continue;
		if (v < end && (*v == '=' || *v == ' ' || *v == '\0'))
			v++;
		else
			continue;
		while (v < end && (*v == ' ' || *v == '"' || *v == '\''))
			v++;
		for (n = 0; v + n < end && v[n] != '\0' && !isspace((unsigned char)v[n]) &&
			    v[n] != '"' && v[n] != '\'' && v[n] != ';'; n++)
			;
		if (n > 0) {
			free(found);
			found = strndup(v, n);	/* the last one wins, as with getopt */
		}
	}
	return found;
}

/* The value of the option opt of the nearest ancestor process whose
 * command line has it (Linux /proc): phpo's runner, in a Grid job; or
 * NULL. */
static char *
runner_arg(const char *opt)
{
	pid_t pid = getppid();

	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		char path[64], *buf = NULL, *v, *rp;
		size_t len;
		struct hpo_err e;
		long ppid = 0;

		snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)pid);
		if (hpo_file_read(path, 1 << 20, &buf, &len, &e) < 0)
			return NULL;
		v = hpo_ckpt_panda_cmdline_arg(buf, len, opt);
		free(buf);
		if (v != NULL)
			return v;
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
		if (hpo_file_read(path, 4096, &buf, &len, &e) < 0)
			return NULL;
		/* pid (comm) state ppid: comm may hold anything, even ')' */
		if ((rp = strrchr(buf, ')')) == NULL || sscanf(rp + 1, " %*c %ld", &ppid) != 1)
			ppid = 0;
		free(buf);
		pid = (pid_t)ppid;
	}
	return NULL;
}

/* The cache server of the task's files: scheme://host[:port] (malloc'ed) */
static int
cache_host(const char *url, char **root, struct hpo_err *err)
{
	const char *env = hpo_config_get("HPO_SOURCE_URL"), *what = "HPO_SOURCE_URL";
	char *v = NULL;

	*root = NULL;
	if (env == NULL || *env == '\0') {
		if ((v = runner_arg("--sourceURL")) != NULL)
			what = "the job's --sourceURL";
		else if ((env = hpo_config_get("PANDACACHE_URL")) != NULL && *env != '\0')
			what = "PANDACACHE_URL";
		else
			return hpo_err_set(err, HPO_E_INPUT, "%s: no cache server known for the task's "
					   "files (no runner's --sourceURL: not in a phpo Grid job): "
					   "set HPO_SOURCE_URL to the task's --sourceURL", url);
	}
	if (v == NULL)
		v = xstrdup(env);
	if (strncmp(v, "https://", 8) != 0 || v[8] == '\0' || v[8] == '/') {
		hpo_err_set(err, HPO_E_INPUT, "%s: %s must be an https:// URL, not '%s'", url, what, v);
		free(v);
		return -1;
	}
	hpo_debug("%s: the cache server from %s: %s", url, what, v);
	*root = v;
	return 0;
}

int
hpo_ckpt_loc_panda(const char *url, struct hpo_ckpt_loc **out, struct hpo_err *err)
{
	struct hpo_ckpt_loc *s = xcalloc(1, sizeof(*s));
	struct panda_loc *p = xcalloc(1, sizeof(*p));
	char *cache = NULL, *host = NULL;
	const char *root;

	*out = NULL;
	s->ops = &panda_ops;
	s->priv = p;
	s->gzip = 1;
	p->spool = -1;
	s->where = xstrdup(url);
	if (parse_url(url, &p->task, &p->sub, err) < 0)
		goto fail;
	p->slot = hpo_strf("hpo_cp_%s_%s", p->task, p->sub);
	if (cache_host(url, &host, err) < 0)
		goto fail;
	if (hpo_auth_load(600, &p->auth, err) < 0 || hpo_panda_new(p->auth, &p->panda, err) < 0 ||
	    hpo_panda_set_cache_root(p->panda, host, err) < 0) {
		hpo_err_prefix(err, "%s", url);
		goto fail;
	}
	root = hpo_panda_source_url(p->panda);
	cache = hpo_strf("%s/cache/", root);
	/* the PanDA server's cache: PANDA_VERIFY_HOST applies, as to its API */
	if (hpo_ckpt_loc_davs_auth(cache, p->auth, hpo_config_verify_host(), &p->reader, err) < 0)
		goto fail;
	free(cache);
	free(host);
	*out = s;
	return 0;
fail:
	free(cache);
	free(host);
	hpo_ckpt_loc_free(s);
	return -1;
}

_Static_assert(sizeof(((struct hpo_ckpt_point *)0)->trial) == HPO_TRIAL_MAX + 1,
	       "a trial name fits struct hpo_ckpt_point");

int
hpo_ckpt_point_read(const char *path, struct hpo_ckpt_point *pt, struct hpo_err *err)
{
	char *buf = NULL;
	size_t len;
	json_t *point = NULL, *v;
	json_error_t jerr;
	int rc = -1;

	memset(pt, 0, sizeof(*pt));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 1;
	if (hpo_file_read(path, 1 << 20, &buf, &len, err) < 0)
		return -1;
	point = json_loadb(buf, len, 0, &jerr);
	if (!json_is_object(point)) {
		hpo_err_set(err, HPO_E_INPUT, "%s: not the point as a JSON object%s%s", path,
			    point == NULL ? ": " : "", point == NULL ? jerr.text : "");
		goto out;
	}
	if ((v = json_object_get(point, HPO_KEY_TRIAL)) != NULL) {
		if (!json_is_string(v) || !hpo_trial_name_ok(json_string_value(v))) {
			/* (the message's control characters are err.c's to hide) */
			hpo_err_set(err, HPO_E_INPUT, "%s: %s%s%.80s%s is not a trial name (letters, "
				    "digits, '.' and '-', at most %d, starting with a letter)",
				    path, HPO_KEY_TRIAL, json_is_string(v) ? " '" : "",
				    json_is_string(v) ? json_string_value(v) : "",
				    json_is_string(v) ? "'" : "", HPO_TRIAL_MAX);
			goto out;
		}
		snprintf(pt->trial, sizeof(pt->trial), "%s", json_string_value(v));
	}
	if ((v = json_object_get(point, HPO_KEY_CONTINUES)) != NULL) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)) || pt->trial[0] == '\0') {
			hpo_err_set(err, HPO_E_INPUT, "%s: %s must be a number, the budget of the "
				    "point of its %s it continues", path, HPO_KEY_CONTINUES,
				    HPO_KEY_TRIAL);
			goto out;
		}
		pt->continues = 1;
		pt->from = json_number_value(v);
	}
	rc = 0;
out:
	json_decref(point);
	free(buf);
	return rc;
}

char *
hpo_ckpt_point_file(const char *dir)
{
	char *name = runner_arg("--inSampleFile"), *path;
	const char *local = getenv("HPO_INPUT");

	/* the local engine's evaluation.input */
	if (name == NULL && local != NULL && local[0] != '\0')
		name = xstrdup(local);
	if (name != NULL && name[0] == '/')
		return name;
	path = hpo_strf("%s/%s", dir, name != NULL ? name : HPO_CKPT_POINT_FILE);
	free(name);
	return path;
}

int
hpo_ckpt_panda_job_url(const char *dir, char **url, struct hpo_err *err)
{
	char *path = hpo_strf("%s/__hpo_sample.txt", dir), *buf = NULL, *comma, *dash, *input;
	struct hpo_ckpt_point pt;
	size_t len;
	int rc;

	*url = NULL;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		free(path);
		return 1;
	}
	if ((rc = hpo_file_read(path, 4096, &buf, &len, err)) < 0)
		goto out;
	while (len > 0 && isspace((unsigned char)buf[len - 1]))
		buf[--len] = '\0';
	comma = strchr(buf, ',');
	dash = strchr(buf, '-');
	if (comma == NULL || dash == NULL || dash > comma || dash == buf || comma[1] == '\0') {
		rc = hpo_err_set(err, HPO_E_INPUT, "%s: not \"<event range ID>,<point ID>\"", path);
		goto out;
	}
	*dash = '\0';
	/* a point of a trial: the trial's checkpoint, which its earlier point
	 * left and its later ones continue from */
	input = hpo_ckpt_point_file(dir);
	rc = hpo_ckpt_point_read(input, &pt, err);
	free(input);
	if (rc < 0)
		goto out;
	rc = 0;
	*url = hpo_strf("panda://%s/%s", buf, pt.trial[0] != '\0' ? pt.trial : comma + 1);
out:
	free(buf);
	free(path);
	return rc;
}
