/* ckpt.c - training checkpoints as generations in a location */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "ckpt.h"
#include "xmalloc.h"
#include "clock.h"
#include "file.h"
#include "log.h"
#include "retry.h"

#define SAVE_TRIES 3
#define READ_TRIES 5
#define DAMAGED ".damaged"	/* appended to a generation's name: the marker */

/* ---- locations --------------------------------------------------------------- */

void
hpo_ckpt_loc_free(struct hpo_ckpt_loc *s)
{
	if (s == NULL)
		return;
	s->ops->free(s);
	free(s->where);
	free(s);
}

void
hpo_ckpt_entries_free(struct hpo_ckpt_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

/* ---- generations ------------------------------------------------------------ */

/* A generation's name, or one marked damaged (g->damaged). */
static int
parse_entry(const char *name, struct hpo_ckpt_gen *g)
{
	size_t len = strlen(name), mark = strlen(DAMAGED);
	char base[sizeof(g->name)];

	if (hpo_ckpt_parse(name, g) == 0)
		return 0;
	if (len <= mark || len >= sizeof(base) || strcmp(name + len - mark, DAMAGED) != 0)
		return -1;
	memcpy(base, name, len - mark);
	base[len - mark] = '\0';
	if (hpo_ckpt_parse(base, g) < 0)
		return -1;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->damaged = 1;
	return 0;
}

static int
newest_first(const void *a, const void *b)
{
	const struct hpo_ckpt_gen *x = a, *y = b;

	return x->number < y->number ? 1 : x->number > y->number ? -1 : 0;
}

/* The location's entries and the generations among them. */
static int
list_all(struct hpo_ckpt_loc *s, struct hpo_ckpt_entry **ents, size_t *nents,
	 struct hpo_ckpt_gen **gens, size_t *n, size_t *ntemp, struct hpo_err *err)
{
	struct hpo_ckpt_gen *g;
	size_t k = 0, t = 0;

	if (s->ops->list(s, ents, nents, err) < 0)
		return -1;
	g = xcalloc(*nents + 1, sizeof(*g));
	for (size_t i = 0; i < *nents; i++) {
		if (parse_entry((*ents)[i].name, &g[k]) == 0) {
			g[k].stored = (*ents)[i].size;
			g[k].mtime = (*ents)[i].mtime;
			k++;
		} else if (hpo_ckpt_is_temp((*ents)[i].name)) {
			t++;
		}
	}
	if (k > 1)
		qsort(g, k, sizeof(*g), newest_first);
	*gens = g;
	*n = k;
	if (ntemp != NULL)
		*ntemp = t;
	return 0;
}

int
hpo_ckpt_list(struct hpo_ckpt_loc *s, struct hpo_ckpt_gen **gens, size_t *n, size_t *ntemp,
	      struct hpo_err *err)
{
	struct hpo_ckpt_entry *ents;
	size_t nents;

	if (list_all(s, &ents, &nents, gens, n, ntemp, err) < 0)
		return -1;
	hpo_ckpt_entries_free(ents, nents);
	return 0;
}

/* A generation a load can use, as far as the listing and the markers tell. */
static int
good(const struct hpo_ckpt_gen *g)
{
	return !g->damaged && g->stored == g->sum.size;
}

/* The temporaries among a listing's entries removed; *count goes up by
 * those removed. */
static int
remove_temps(struct hpo_ckpt_loc *s, const struct hpo_ckpt_entry *ents, size_t nents,
	     size_t *count, struct hpo_err *err)
{
	for (size_t i = 0; i < nents; i++)
		if (hpo_ckpt_is_temp(ents[i].name)) {
			if (s->ops->remove(s, ents[i].name, err) < 0)
				return -1;
			(*count)++;
		}
	return 0;
}

/* hpo_ckpt_prune; the generation named saved (may be NULL), which a save
 * has just verified, counts as good whatever the listing says. */
static int
prune(struct hpo_ckpt_loc *s, int keep, int temps, const char *saved, size_t *removed,
      struct hpo_err *err)
{
	struct hpo_ckpt_entry *ents;
	struct hpo_ckpt_gen *gens;
	size_t nents, n, count = 0, kept = 0;
	int rc = 0;

	if (list_all(s, &ents, &nents, &gens, &n, NULL, err) < 0)
		return -1;
	for (size_t i = 0; keep >= 0 && rc == 0 && i < n; i++) {
		int is_saved = saved != NULL && strcmp(gens[i].name, saved) == 0;
		if ((is_saved || good(&gens[i])) && kept < (size_t)keep) {
			kept++;
			continue;
		}
		rc = s->ops->remove(s, gens[i].name, err);
		count += rc == 0;
	}
	if (temps && rc == 0)
		rc = remove_temps(s, ents, nents, &count, err);
	free(gens);
	hpo_ckpt_entries_free(ents, nents);
	if (removed != NULL)
		*removed = count;
	return rc;
}

int
hpo_ckpt_prune(struct hpo_ckpt_loc *s, int keep, int temps, size_t *removed, struct hpo_err *err)
{
	return prune(s, keep, temps, NULL, removed, err);
}

/* ---- progress ------------------------------------------------------------------ */

struct progress {
	int on;
	const char *what;
	uint64_t done, total;
	struct timespec start, last;
};

static void
progress(struct progress *p, size_t more)
{
	struct timespec now;
	double elapsed, rate;

	p->done += more;
	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (p->start.tv_sec == 0 && p->start.tv_nsec == 0)
		p->start = p->last = now;
	if ((now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000 < 200)
		return;
	p->last = now;
	elapsed = (double)(now.tv_sec - p->start.tv_sec) + (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
	rate = elapsed > 0 ? (double)p->done / 1e6 / elapsed : 0;
	if (p->total > 0) {
		int pct = (int)(100.0 * (double)p->done / (double)p->total);
		char bar[21];
		for (int i = 0; i < 20; i++)
			bar[i] = i < pct / 5 ? '#' : '.';
		bar[20] = '\0';
		hpo_status_line("%s [%s] %3d%% %.1f of %.1f MB, %.1f MB/s", p->what, bar, pct,
				(double)p->done / 1e6, (double)p->total / 1e6, rate);
	} else {
		hpo_status_line("%s %.1f MB, %.1f MB/s", p->what, (double)p->done / 1e6, rate);
	}
}

static void
progress_end(struct progress *p)
{
	if (p->on)
		hpo_status_clear();
}

/* Before another try of a whole save or a resumed read: the suite's rule
 * (retry.h) from 0.5 s; the transfer under it has retried on its own. */
static void
backoff(int attempt)
{
	unsigned int r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned int)getpid();
	hpo_sleep(hpo_retry_delay(0.5, attempt, -1, (double)(r % 1000) / 1000.0));
}

/* ---- save ------------------------------------------------------------------------ */

struct sink {
	struct hpo_ckpt_loc *s;
	void *w;
	struct progress p;
};

static int
sink_put(void *ctx, const void *buf, size_t len, struct hpo_err *err)
{
	struct sink *k = ctx;

	if (k->s->ops->put(k->w, buf, len, err) < 0)
		return -1;
	progress(&k->p, len);
	return 0;
}

static int
save_once(struct hpo_ckpt_loc *s, const struct hpo_ckpt_save *opt, struct hpo_ckpt_gen *out,
	  struct hpo_err *err)
{
	struct hpo_ckpt_entry *ents;
	struct hpo_ckpt_gen *gens, g;
	struct hpo_tar_sum sum;
	struct sink k = {0};
	char tmp[64], what[96];
	unsigned long next;
	unsigned int r;
	size_t nents, n, removed;
	uint64_t size;
	uint32_t adler;
	int has_adler = 0, rc;

	/* one listing: the next number, and a killed save's temporaries,
	 * which go first (one writer per location) */
	if (list_all(s, &ents, &nents, &gens, &n, NULL, err) < 0)
		return hpo_err_prefix(err, "save");
	next = n > 0 ? gens[0].number + 1 : 1;
	free(gens);
	removed = 0;
	rc = remove_temps(s, ents, nents, &removed, err);
	hpo_ckpt_entries_free(ents, nents);
	if (rc < 0)
		return hpo_err_prefix(err, "save");
	if (removed > 0)
		hpo_debug("%s: removed %zu temporary file(s) of an earlier save", s->where, removed);
	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (unsigned int)getpid() ^ (unsigned int)time(NULL);
	snprintf(tmp, sizeof(tmp), ".gen-%08lu.%08x.part", next, r);

	if (s->ops->create(s, tmp, &k.w, err) < 0)
		return hpo_err_prefix(err, "save");
	k.s = s;
	k.p.on = opt->progress && hpo_log_isatty();
	snprintf(what, sizeof(what), "saving generation %lu:", next);
	k.p.what = what;
	if (hpo_tar_pack(opt->paths, opt->npaths, opt->comp, sink_put, &k, &sum, err) < 0) {
		struct hpo_err e2 = {0};
		progress_end(&k.p);
		s->ops->cancel(k.w);
		s->ops->remove(s, tmp, &e2);	/* free the space now if we can */
		return -1;
	}
	progress_end(&k.p);
	if (s->ops->finish(k.w, err) < 0) {
		struct hpo_err e2 = {0};
		s->ops->remove(s, tmp, &e2);
		return hpo_err_prefix(err, "save");
	}
	/* what the storage has must be what was sent */
	if (s->ops->stat(s, tmp, &size, &has_adler, &adler, err) < 0)
		return hpo_err_prefix(err, "save: %s", tmp);
	if (size != sum.size || (has_adler && adler != sum.adler32)) {
		struct hpo_err e2 = {0};
		s->ops->remove(s, tmp, &e2);
		return hpo_err_set(err, HPO_E_NET,
				   "save: %s/%s: the storage has %llu bytes (adler32 %08x), "
				   "%llu bytes (adler32 %08x) were sent",
				   s->where, tmp, (unsigned long long)size, has_adler ? adler : 0,
				   (unsigned long long)sum.size, sum.adler32);
	}
	memset(&g, 0, sizeof(g));
	g.number = next;
	g.sum = sum;
	g.comp = opt->comp;
	g.stored = size;
	g.mtime = (double)time(NULL);
	hpo_ckpt_format(g.name, sizeof(g.name), next, &sum, opt->comp);
	if (s->ops->rename(s, tmp, g.name, err) < 0)
		return hpo_err_prefix(err, "save");
	if (out != NULL)
		*out = g;
	/* only now that the new generation is in place */
	if (prune(s, opt->keep < 1 ? 1 : opt->keep, 0, g.name, &removed, err) < 0)
		hpo_warn("%s: removing old generations: %s", s->where, err->msg);
	return 0;
}

int
hpo_ckpt_save(struct hpo_ckpt_loc *s, const struct hpo_ckpt_save *opt, struct hpo_ckpt_gen *out,
	      struct hpo_err *err)
{
	struct hpo_ckpt_gen g;
	double t0 = hpo_mono();

	/* the user's mistakes before the location is made or listed */
	if (hpo_tar_check_paths(opt->paths, opt->npaths, err) < 0)
		return -1;
	for (int attempt = 0;; attempt++) {
		if (save_once(s, opt, &g, err) == 0) {
			hpo_info("saved generation %lu to %s: %.1f MB, adler32 %08x, %.2f s", g.number,
				 s->where, (double)g.sum.size / 1e6, g.sum.adler32, hpo_mono() - t0);
			if (out != NULL)
				*out = g;
			return 0;
		}
		if (err->kind != HPO_E_NET || attempt + 1 >= SAVE_TRIES)
			return -1;
		hpo_warn("%s (trying again)", err->msg);
		backoff(attempt);
	}
}

/* ---- load ------------------------------------------------------------------------ */

struct source {
	struct hpo_ckpt_loc *s;
	const char *name;
	void *r;
	uint64_t off;		/* the bytes read so far ... */
	uLong adler;		/* ... and their adler32 */
	int tries;
	struct progress p;
};

static ssize_t
source_read(void *ctx, void *buf, size_t len, struct hpo_err *err)
{
	struct source *c = ctx;

	for (;;) {
		ssize_t n;

		if (c->r == NULL && c->s->ops->open(c->s, c->name, c->off, &c->r, err) < 0) {
			c->r = NULL;
			goto retry;
		}
		if ((n = c->s->ops->read(c->r, buf, len, err)) >= 0) {
			c->off += (uint64_t)n;
			c->adler = adler32(c->adler, buf, (uInt)n);
			progress(&c->p, (size_t)n);
			return n;
		}
		c->s->ops->close(c->r);
		c->r = NULL;
retry:
		if (err->kind != HPO_E_NET || ++c->tries >= READ_TRIES)
			return -1;
		hpo_warn("%s (resuming at byte %llu)", err->msg, (unsigned long long)c->off);
		backoff(c->tries - 1);
	}
}

static void
source_close(struct source *c)
{
	if (c->r != NULL)
		c->s->ops->close(c->r);
	c->r = NULL;
	progress_end(&c->p);
}

/* Copy a generation to path: a temporary beside it, verified, renamed. */
static int
load_archive(struct source *c, const struct hpo_ckpt_gen *g, const char *path,
	     struct hpo_err *err)
{
	char *tmp = hpo_strf("%s.XXXXXX", path);
	char buf[65536];
	uLong a = adler32(0L, Z_NULL, 0);
	uint64_t size = 0;
	int fd, rc = -1;

	if ((fd = mkstemp(tmp)) < 0) {
		hpo_err_sys(err, "%s", path);
		free(tmp);
		return -1;
	}
	for (;;) {
		ssize_t n = source_read(c, buf, sizeof(buf), err);
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		a = adler32(a, (const Bytef *)buf, (uInt)n);
		size += (uint64_t)n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				if (errno == ENOSPC)
					hpo_err_set(err, HPO_E_SYS, "%s: disk full", path);
				else
					hpo_err_sys(err, "%s", path);
				goto out;
			}
			off += w;
		}
	}
	if (size != g->sum.size || (uint32_t)a != g->sum.adler32) {
		hpo_err_set(err, HPO_E_INPUT,
			    "damaged: %llu bytes with adler32 %08x, expected %llu bytes with %08x",
			    (unsigned long long)size, (unsigned int)a,
			    (unsigned long long)g->sum.size, g->sum.adler32);
		goto out;
	}
	if (fchmod(fd, 0644) < 0) {
		hpo_err_sys(err, "%s", path);
		goto out;
	}
	rc = hpo_file_publish(fd, tmp, path, path, err);
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* After a load of g failed on its content: 1 when the bytes are proven not
 * to be what g's name says (read to the end, their size or adler32
 * differ), 0 when they are or it cannot be told. */
static int
proven_damaged(struct source *c, const struct hpo_ckpt_gen *g, const struct hpo_err *why)
{
	struct hpo_err e2 = {0};
	char buf[65536];
	ssize_t n;

	if (strncmp(why->msg, "damaged", 7) != 0)
		return 0;	/* refused: bytes as written, content not acceptable */
	while ((n = source_read(c, buf, sizeof(buf), &e2)) > 0)
		if (c->off > g->sum.size)
			break;
	if (n < 0)
		return 0;
	return c->off != g->sum.size || (uint32_t)c->adler != g->sum.adler32;
}

/* Rename a damaged generation to its marked name (ckpt.h). */
static void
mark_damaged(struct hpo_ckpt_loc *s, const struct hpo_ckpt_gen *g)
{
	struct hpo_err e2 = {0};
	char marked[sizeof(g->name) + sizeof(DAMAGED)];

	snprintf(marked, sizeof(marked), "%s%s", g->name, DAMAGED);
	if (s->ops->rename(s, g->name, marked, &e2) == 0) {
		hpo_debug("%s/%s: marked damaged: renamed to %s", s->where, g->name, marked);
	} else if (e2.kind == HPO_E_INPUT) {
		/* a location that cannot rename a generation: panda:// holds one,
		 * which the next save replaces */
		hpo_debug("%s/%s: not marked damaged: %s", s->where, g->name, e2.msg);
	} else {
		hpo_warn("%s/%s: could not be marked damaged (%s): the next save may count it "
			 "among the generations it keeps", s->where, g->name, e2.msg);
	}
}

int
hpo_ckpt_load(struct hpo_ckpt_loc *s, const struct hpo_ckpt_load *opt, struct hpo_ckpt_loaded *res,
	      struct hpo_err *err)
{
	struct hpo_ckpt_gen *gens;
	size_t n;
	int rc = -1, i_failed = 0;

	memset(res, 0, sizeof(*res));
	if (hpo_ckpt_list(s, &gens, &n, NULL, err) < 0)
		return -1;
	if (n == 0) {
		res->none = 1;
		free(gens);
		return hpo_err_set(err, HPO_E_NOTFOUND, "no checkpoint in %s", s->where);
	}
	for (size_t i = 0; i < n; i++) {
		struct hpo_ckpt_gen *g = &gens[i];
		struct source c = {0};
		char what[96];

		if (g->damaged) {
			hpo_warn("%s/%s: damaged (found by an earlier load)%s", s->where, g->name,
				 i + 1 < n ? ": trying the previous generation" : "");
			res->skipped++;
			continue;
		}
		if (g->stored != g->sum.size) {
			hpo_warn("%s/%s: incomplete (%llu of %llu bytes)%s", s->where, g->name,
				 (unsigned long long)g->stored, (unsigned long long)g->sum.size,
				 i + 1 < n ? ": trying the previous generation" : "");
			res->skipped++;
			continue;
		}
		c.s = s;
		c.name = g->name;
		c.adler = adler32(0L, Z_NULL, 0);
		c.p.on = opt->progress && hpo_log_isatty();
		c.p.total = g->sum.size;
		snprintf(what, sizeof(what), "loading generation %lu:", g->number);
		c.p.what = what;
		if (opt->archive != NULL)
			rc = load_archive(&c, g, opt->archive, err);
		else if ((rc = hpo_tar_unpack(source_read, &c, opt->dir, &g->sum, NULL, err)) < 0 &&
			 err->kind == HPO_E_SYS)
			hpo_err_prefix(err, "%s", opt->dir);	/* names the member, not where */
		if (rc == 0) {
			source_close(&c);
			res->gen = *g;
			break;
		}
		if (err->kind != HPO_E_INPUT) {
			source_close(&c);
			break;
		}
		i_failed = 1;
		progress_end(&c.p);
		c.p.on = 0;
		hpo_warn("%s/%s: %s%s", s->where, g->name, err->msg,
			 i + 1 < n ? ": trying the previous generation" : "");
		if (proven_damaged(&c, g, err))
			mark_damaged(s, g);
		source_close(&c);
		res->skipped++;
	}
	if (rc < 0 && res->skipped == (int)n) {
		res->unusable = 1;
		char last[sizeof(err->msg)];
		snprintf(last, sizeof(last), "%s", err->msg);
		hpo_err_set(err, HPO_E_INPUT,
			    "no usable checkpoint in %s: %zu generation%s damaged, incomplete or refused%s%s",
			    s->where, n, n == 1 ? "" : "s", rc < 0 && i_failed ? " (the last: " : "",
			    rc < 0 && i_failed ? last : "");
		if (i_failed)
			strncat(err->msg, ")", sizeof(err->msg) - strlen(err->msg) - 1);
	}
	free(gens);
	return rc;
}
