/* ckpt.h - training checkpoints as generations in a location
 *
 * A checkpoint location (a directory, a WebDAV collection, ...) holds
 * generations, one file each:
 *
 *     gen-<NNNNNNNN>-<adler32, 8 hex>-<size>.tar.zst     (or .tar.gz)
 *
 * NNNNNNNN is the generation's number (8 digits or more, counting up from
 * 1), the adler32 and size are those of the file's bytes.  So a listing
 * alone gives every generation's number, size and checksum, and a file
 * whose size differs from its name is incomplete.  A save streams into a
 * temporary
 *
 *     .gen-<NNNNNNNN>.<random>.part
 *
 * asks the location for the size (and adler32 where its storage computes it),
 * compares them with what was streamed, and only then renames the
 * temporary to the generation's name: the name appears atomically, and a
 * killed or failed save leaves at most a temporary, which listings and
 * loads ignore and the next save removes.  Generations beyond the newest
 * K good ones (below) are removed only after the new one is in place.  One
 * writer per location at a time (the next save removes every temporary).
 *
 * A load takes the newest generation, verifies adler32 and size while
 * extracting (tarstream.h), and falls back to the previous generation when
 * one is damaged, incomplete or refused, saying so.  A generation whose
 * bytes, read to the end, are not the adler32 and size of its name is
 * renamed to
 *
 *     gen-<NNNNNNNN>-<adler32>-<size>.tar.zst.damaged
 *
 * (the marker: no other state is kept anywhere), which later loads skip
 * without reading it.  A prune (and so a save's --keep K) counts only good
 * generations, neither marked damaged nor incomplete: it keeps the newest
 * K good ones and removes everything else, so a good generation is never
 * removed while a damaged one stays.  A generation refused for its
 * content (tarstream.h: never one hpo-ckpt wrote) is not marked.
 *
 * A location is a small table of functions (struct hpo_ckpt_loc); ckpt never
 * asks which kind it holds.
 * File URLs and plain paths: ckpt_file.c; WebDAV (davs://, https://):
 * ckpt_davs.c; the PanDA server (panda://): ckpt_panda.c.
 */
#ifndef HPO_CKPT_H
#define HPO_CKPT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "tarstream.h"

/* ---- locations --------------------------------------------------------------- */

struct hpo_ckpt_loc;

struct hpo_ckpt_entry {
	char *name;		/* a plain file name in the location */
	uint64_t size;
	double mtime;		/* seconds since the epoch */
};

struct hpo_ckpt_loc_ops {
	/* Every file in the location.  A missing location is an empty list. */
	int (*list)(struct hpo_ckpt_loc *s, struct hpo_ckpt_entry **out, size_t *n,
		    struct hpo_err *err);
	/* Start writing a new file name (the location is created if missing);
	 * bytes go in with put; finish makes them durable and ends the upload,
	 * cancel abandons it (what was written may stay). Both free w. */
	int (*create)(struct hpo_ckpt_loc *s, const char *name, void **w, struct hpo_err *err);
	int (*put)(void *w, const void *buf, size_t len, struct hpo_err *err);
	int (*finish)(void *w, struct hpo_err *err);
	void (*cancel)(void *w);
	/* The size of a file as the storage has it, and its adler32 when the
	 * storage can compute it (*has_adler = 1). */
	int (*stat)(struct hpo_ckpt_loc *s, const char *name, uint64_t *size, int *has_adler,
		    uint32_t *adler, struct hpo_err *err);
	/* Atomic rename within the location. */
	int (*rename)(struct hpo_ckpt_loc *s, const char *from, const char *to, struct hpo_err *err);
	/* Read a file from offset on (resume: HTTP Range); read returns the
	 * number of bytes, 0 at the end, -1 with err set.  HPO_E_NET errors
	 * are transient: ckpt reopens at the offset reached. */
	int (*open)(struct hpo_ckpt_loc *s, const char *name, uint64_t offset, void **r,
		    struct hpo_err *err);
	ssize_t (*read)(void *r, void *buf, size_t len, struct hpo_err *err);
	void (*close)(void *r);
	/* Remove a file; a missing one is success. */
	int (*remove)(struct hpo_ckpt_loc *s, const char *name, struct hpo_err *err);
	void (*free)(struct hpo_ckpt_loc *s);
};

struct hpo_ckpt_loc {
	const struct hpo_ckpt_loc_ops *ops;
	char *where;		/* the location for messages: a path or URL */
	int gzip;		/* its readers expect gzip: save with it whatever was asked */
	void *priv;
};

/* A location for a URL: file:///path, file://localhost/path or a plain path;
 * davs://host/path and https://host/path (WebDAV, ckpt_davs.c: finds and
 * checks the credential, HPO_E_AUTH); panda://TASK/SUB (ckpt_panda.c). */
int hpo_ckpt_open(const char *url, struct hpo_ckpt_loc **out, struct hpo_err *err);
int hpo_ckpt_loc_file(const char *path, struct hpo_ckpt_loc **out, struct hpo_err *err);
int hpo_ckpt_loc_davs(const char *url, struct hpo_ckpt_loc **out, struct hpo_err *err);
/* The same with the caller's credential instead of the storage's discovery
 * (auth is copied; NULL: discovery), and the host name checked or not: 0
 * only for the PanDA server's cache under PANDA_VERIFY_HOST=off, which its
 * caller has warned about. */
struct hpo_auth;
int hpo_ckpt_loc_davs_auth(const char *url, const struct hpo_auth *auth, int verify_host,
			     struct hpo_ckpt_loc **out, struct hpo_err *err);
/* The size of a file in a WebDAV location: 0, or 1 when there is none. */
int hpo_ckpt_davs_size(struct hpo_ckpt_loc *s, const char *name, uint64_t *size,
		       struct hpo_err *err);
/* The first len bytes of a file in a WebDAV location (one ranged GET): 0,
 * or 1 when there is no such file. */
int hpo_ckpt_davs_peek(struct hpo_ckpt_loc *s, const char *name, void *buf, size_t len,
		       struct hpo_err *err);
/* panda://TASK/SUB (ckpt_panda.c): the PanDA cache server's HPO checkpoint
 * of a task's point; one generation at a time; on the job's cache host
 * (HPO_SOURCE_URL, the runner's --sourceURL, PANDACACHE_URL). */
int hpo_ckpt_loc_panda(const char *url, struct hpo_ckpt_loc **out, struct hpo_err *err);
/* The value of an option (--sourceURL) in a command line (NUL-separated
 * arguments, or a shell command line in one): malloc'ed, NULL if none. */
char *hpo_ckpt_panda_cmdline_arg(const char *cmdline, size_t len, const char *opt);
/* What a point file (the point as a JSON object, hpo-task(5)) says of
 * the trial of a multi-fidelity task the point belongs to. */
struct hpo_ckpt_point {
	char trial[65];		/* HPO_TRIAL_MAX + 1; "" when the point has no __hpo_trial */
	int continues;		/* 1 when it continues the trial's earlier point */
	double from;		/* then that point's budget (__hpo_continues) */
};
/* phpo's evaluationInput default: where a Grid job's runner writes the point */
#define HPO_CKPT_POINT_FILE "input.json"
/* The point file of an evaluation in dir (malloc'ed): the --inSampleFile of
 * phpo's runner (phpo's evaluationInput) when an ancestor process's command
 * line has one, else HPO_INPUT (the local engine's evaluation.input) when
 * set, else HPO_CKPT_POINT_FILE; relative to dir unless absolute. */
char *hpo_ckpt_point_file(const char *dir);
/* Reads a point file: 0 and *pt; 1 when there is no such file; -1 when it
 * cannot be read, is no JSON object, or its __hpo_trial is not a trial
 * name or its __hpo_continues not a number. */
int hpo_ckpt_point_read(const char *path, struct hpo_ckpt_point *pt, struct hpo_err *err);
/* The location of a phpo Grid job's point: its runner leaves
 * __hpo_sample.txt ("<event range ID>,<point ID>", the event range ID
 * starting "<task ID>-") in the working directory dir before running the
 * evaluation, and the point in its point file there (hpo_ckpt_point_file).  0 and *url
 * (malloc'ed): panda://TASK/TRIAL when the point belongs to a trial (every
 * point of a trial shares its checkpoint), else panda://TASK/POINT; 1 when
 * there is no __hpo_sample.txt; -1 when either file cannot be read or is
 * damaged. */
int hpo_ckpt_panda_job_url(const char *dir, char **url, struct hpo_err *err);
void hpo_ckpt_loc_free(struct hpo_ckpt_loc *s);
void hpo_ckpt_entries_free(struct hpo_ckpt_entry *e, size_t n);

/* ---- generations -------------------------------------------------------------- */

struct hpo_ckpt_gen {
	unsigned long number;
	struct hpo_tar_sum sum;		/* from the name */
	enum hpo_tar_comp comp;
	char name[128];
	uint64_t stored;		/* the size the location lists */
	double mtime;
	int damaged;			/* marked damaged by a load (name ends ".damaged") */
};

/* 0 and *g filled when name is a generation's; -1 otherwise (a name
 * marked damaged is not: hpo_ckpt_list tells those). */
int hpo_ckpt_parse(const char *name, struct hpo_ckpt_gen *g);
/* 1 when name is a save's temporary. */
int hpo_ckpt_is_temp(const char *name);
void hpo_ckpt_format(char *buf, size_t len, unsigned long number, const struct hpo_tar_sum *sum,
		     enum hpo_tar_comp comp);

/* The generations, newest first, those marked damaged among them
 * (g->damaged); *ntemp (may be NULL) gets the number of temporaries seen. */
int hpo_ckpt_list(struct hpo_ckpt_loc *s, struct hpo_ckpt_gen **gens, size_t *n, size_t *ntemp,
		  struct hpo_err *err);

struct hpo_ckpt_save {
	const char *const *paths;
	size_t npaths;
	enum hpo_tar_comp comp;
	int keep;		/* generations to keep, at least 1 */
	int progress;		/* a progress line on a terminal */
};

/* Save a new generation (*out, may be NULL); retried on HPO_E_NET errors. */
int hpo_ckpt_save(struct hpo_ckpt_loc *s, const struct hpo_ckpt_save *opt, struct hpo_ckpt_gen *out,
		  struct hpo_err *err);

struct hpo_ckpt_load {
	const char *dir;	/* extract here (must exist) ... */
	const char *archive;	/* ... or write the archive itself to this path */
	int progress;
};

/* What a load did. */
struct hpo_ckpt_loaded {
	struct hpo_ckpt_gen gen;	/* the generation loaded */
	int skipped;			/* newer generations found damaged and skipped */
	int none;			/* no generation at all (err: HPO_E_NOTFOUND) */
	int unusable;			/* generations but every one damaged */
};

/* Load the newest good generation.  A damaged generation is reported with
 * hpo_warn, marked (above) and the previous one tried; transport,
 * credential and local disk errors end the load. */
int hpo_ckpt_load(struct hpo_ckpt_loc *s, const struct hpo_ckpt_load *opt,
		  struct hpo_ckpt_loaded *res, struct hpo_err *err);

/* Remove every generation but the newest keep good ones (0: all, -1: none):
 * those marked damaged and incomplete ones go whatever their age; with
 * temps, every temporary too.  *removed (may be NULL) counts the files
 * removed. */
int hpo_ckpt_prune(struct hpo_ckpt_loc *s, int keep, int temps, size_t *removed,
		   struct hpo_err *err);

#endif
