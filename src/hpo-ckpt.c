/* hpo-ckpt - save and restore training checkpoints
 *
 * Evaluation wrappers call it inside training containers so that a job
 * killed at walltime resumes on retry.  The generations, the store
 * interface and the safety rules are in ckpt.h and tarstream.h; the exit
 * codes are a contract, documented in --help and hpo-ckpt(1).
 * watch's supervisor (signals, the interval, the last save) is
 * ckpt_watch.h's.
 */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ckpt.h"
#include "ckpt_watch.h"
#include "file.h"
#include "log.h"
#include "opts.h"
#include "schema.h"
#include "taskspec.h"
#include "xmalloc.h"

/* the shared codes are exitcode.h's ("no checkpoint yet" is the shared
 * not-found); 4 is hpo-ckpt's own */
enum {
	EXIT_OK = HPO_EXIT_OK,
	EXIT_ERROR = HPO_EXIT_ERROR,
	EXIT_USAGE = HPO_EXIT_USAGE,
	EXIT_NONE = HPO_EXIT_NOTFOUND,
	EXIT_UNUSABLE = 4,
};

static const char *const usage[] = {
	"save [-u URL] [options] PATH...",
	"load [-u URL] [options]",
	"ls [-u URL] [options]",
	"rm [-u URL] [options]",
	"watch [-u URL] [options] PATH... -- COMMAND [ARG...]",
	NULL,
};

enum {
	OPT_URL, OPT_TO, OPT_FROM, OPT_DIR, OPT_ARCHIVE, OPT_KEEP, OPT_GZIP, OPT_INTERVAL, OPT_JSON,
	OPT_QUIET, OPT_VERBOSE, OPT_HELP, OPT_VERSION, OPT_END,
};

static const struct hpo_option options[] = {
	[OPT_URL] = {"url", 'u', "URL", "every command: the checkpoint location (default $HPO_CKPT_URL)"},
	[OPT_TO] = {"to", 't', "URL", "save, watch: the same as --url (older form)"},
	[OPT_FROM] = {"from", 'f', "URL", "load: the same as --url (older form)"},
	[OPT_DIR] = {"directory", 'C', "DIR", "load: restore into DIR (default: the working directory)"},
	[OPT_ARCHIVE] = {"keep-archive", 0, "NAME", "load: write the archive itself to NAME, do not extract"},
	[OPT_KEEP] = {"keep", 'k', "K", "save, watch: keep the newest K good generations (default 2); rm: all but K"},
	[OPT_GZIP] = {"gzip", 0, NULL, "save, watch: compress with gzip, not zstd (panda:// always does)"},
	[OPT_INTERVAL] = {"interval", 'i', "TIME", "watch: look for changes every TIME: 90, 90s, 5m (default 5m)"},
	[OPT_JSON] = {"json", 0, NULL, "ls: print the generations as JSON"},
	[OPT_QUIET] = HPO_OPTION_QUIET,
	[OPT_VERBOSE] = {"verbose", 'v', NULL, "say more on stderr"},
	[OPT_HELP] = HPO_OPTION_HELP,
	[OPT_VERSION] = HPO_OPTION_VERSION,
	[OPT_END] = {NULL, 0, NULL, NULL},
};

static const struct hpo_tool tool = {
	"hpo-ckpt", usage,
	"Save training checkpoints as numbered generations and load the newest good one.\n"
	"URL: a directory, file:///path, davs:// or https:// (WebDAV), panda://TASKID/SUBID;\n"
	"every command takes it with -u/--url (ls and rm also as an operand).",
	options,
	"watch exits with the command's status (128+N when a signal N ended it).\n",
	(const struct hpo_exitcode[]){
		{1, NULL, "also a full disk, a path to save that is missing, a directory\n"
			  "to load into that cannot be written"},
		{3, NULL, "load: no checkpoint yet"},
		{4, "UNUSABLE", "load: no usable checkpoint, every generation is damaged or\n"
				"incomplete"},
		{10, NULL, "also permission: a location that may not be written"},
		{0, NULL, NULL},
	},
};

static void
fmt_time(double t, char *buf, size_t len)
{
	time_t s = (time_t)t;
	struct tm tm;

	gmtime_r(&s, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- save, load, ls, rm ------------------------------------------------------ */

static int
do_load(struct hpo_ckpt_loc *s, const char *dir, const char *archive, struct hpo_err *err)
{
	struct hpo_ckpt_load opt = {dir, archive, 1};
	struct hpo_ckpt_loaded res;
	struct hpo_ckpt_point pt;
	struct hpo_err perr = {0};
	/* the point of a multi-fidelity task's evaluation, in the working
	 * directory (the engine's and phpo's runner's): only to say what is
	 * continued, so a file that is no such point is no error here */
	char *point = hpo_ckpt_point_file(".");
	int cont = hpo_ckpt_point_read(point, &pt, &perr) == 0 && pt.continues;

	free(point);

	if (hpo_ckpt_load(s, &opt, &res, err) < 0) {
		fprintf(stderr, "%s: %s\n", tool.name, err->msg);
		if (cont && res.none)
			hpo_warn("this point continues trial %s from budget %g, but %s holds no "
				 "checkpoint of it", pt.trial, pt.from, s->where);
		return res.none ? EXIT_NONE : res.unusable ? EXIT_UNUSABLE : hpo_exit_for(err);
	}
	hpo_info("loaded generation %lu from %s (%.1f MB)%s%s", res.gen.number, s->where,
		 (double)res.gen.sum.size / 1e6, archive ? " into " : "", archive ? archive : "");
	if (cont)
		hpo_info("this point continues trial %s from budget %g", pt.trial, pt.from);
	return EXIT_OK;
}

static int
do_ls(struct hpo_ckpt_loc *s, int json, struct hpo_err *err)
{
	struct hpo_ckpt_gen *gens;
	size_t n, ntemp;
	char when[32];

	if (hpo_ckpt_list(s, &gens, &n, &ntemp, err) < 0)
		return -1;
	if (json) {
		json_t *doc = hpo_schema_doc(HPO_SCHEMA_CHECKPOINTS, json_object()), *arr = json_array();
		char hex[9];
		for (size_t i = 0; i < n; i++) {
			fmt_time(gens[i].mtime, when, sizeof(when));
			snprintf(hex, sizeof(hex), "%08x", gens[i].sum.adler32);
			json_array_append_new(arr, json_pack(
				"{s:I, s:s, s:I, s:s, s:s, s:s, s:b, s:b}",
				"generation", (json_int_t)gens[i].number,
				"name", gens[i].name,
				"size", (json_int_t)gens[i].sum.size,
				"adler32", hex,
				"compression", gens[i].comp == HPO_TAR_GZIP ? "gzip" : "zstd",
				"time", when,
				"complete", gens[i].stored == gens[i].sum.size,
				"damaged", gens[i].damaged));
		}
		json_object_set_new(doc, "location", json_string(s->where));
		json_object_set_new(doc, "generations", arr);
		json_object_set_new(doc, "temporaries", json_integer((json_int_t)ntemp));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		printf("%-10s %14s  %-20s  %-8s  %s\n", "GEN", "SIZE", "TIME", "ADLER32", "STATE");
		for (size_t i = 0; i < n; i++) {
			fmt_time(gens[i].mtime, when, sizeof(when));
			printf("%-10lu %14llu  %-20s  %08x  %s\n", gens[i].number,
			       (unsigned long long)gens[i].sum.size, when, gens[i].sum.adler32,
			       gens[i].damaged ? "damaged"
			       : gens[i].stored == gens[i].sum.size ? "complete" : "incomplete");
		}
		if (ntemp > 0)
			hpo_info("%zu unfinished save(s) in %s (removed by the next save)", ntemp,
				 s->where);
	}
	fflush(stdout);
	free(gens);
	return 0;
}

/* ---- main ---------------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	struct hpo_optstate os = {0};
	const struct hpo_option *o;
	const char *url_opt = NULL, *to = NULL, *from = NULL, *dir = NULL, *archive = NULL, *url = NULL, *sub;
	char *job_url = NULL;
	int json = 0, gzip = 0, verb = HPO_LOG_NORMAL, keep_set = 0, interval_set = 0;
	long keep = 2;
	double interval = 300;
	char **cmd = NULL;
	int nargs = argc;
	struct hpo_err err = {0};
	struct hpo_ckpt_loc *s = NULL;
	struct hpo_common com = {0};
	int rc = EXIT_ERROR;

	/* watch: the command follows the first "--", untouched */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			nargs = i;
			cmd = argv + i + 1;
			break;
		}
	while ((o = hpo_opts_next(&tool, nargs, argv, &os)) != NULL) {
		if (o == HPO_OPT_ERROR)
			return EXIT_USAGE;
		if ((rc = hpo_opts_common(&tool, o, &os, &com)) == HPO_OPTS_EXIT)
			return EXIT_OK;
		else if (rc == 1)
			continue;
		switch (o - options) {
		case OPT_URL: url_opt = os.arg; break;
		case OPT_TO: to = os.arg; break;
		case OPT_FROM: from = os.arg; break;
		case OPT_DIR: dir = os.arg; break;
		case OPT_ARCHIVE: archive = os.arg; break;
		case OPT_KEEP:
			if (hpo_opts_long(os.arg, 0, 1000000, &keep) < 0) {
				hpo_opts_error(&tool, "--keep: '%s' is not a number of generations", os.arg);
				return EXIT_USAGE;
			}
			keep_set = 1;
			break;
		case OPT_GZIP: gzip = 1; break;
		case OPT_INTERVAL:
			interval = hpo_parse_duration(os.arg);
			if (interval < 1 || interval > 86400 * 7) {
				hpo_opts_error(&tool, "--interval: '%s' is not a time like 90, 90s or 5m "
					       "(1 s to 7 d)", os.arg);
				return EXIT_USAGE;
			}
			interval_set = 1;
			break;
		case OPT_JSON: json = 1; break;
		case OPT_VERBOSE: verb = HPO_LOG_VERBOSE; break;
		}
	}
	rc = EXIT_ERROR;
	hpo_log_init(argv[0], com.quiet ? HPO_LOG_QUIET : verb);
	if (os.nops == 0) {
		hpo_opts_error(&tool, "a command is needed: save, load, ls, rm or watch");
		return EXIT_USAGE;
	}
	sub = os.ops[0];
#define ONLY(cond, what) \
	do { if (!(cond)) { hpo_opts_error(&tool, "%s does not go with '%s'", what, sub); \
		return EXIT_USAGE; } } while (0)
	int is_save = strcmp(sub, "save") == 0, is_load = strcmp(sub, "load") == 0;
	int is_ls = strcmp(sub, "ls") == 0, is_rm = strcmp(sub, "rm") == 0;
	int is_watch = strcmp(sub, "watch") == 0;
	if (!is_save && !is_load && !is_ls && !is_rm && !is_watch) {
		hpo_opts_error(&tool, "unknown command '%s': save, load, ls, rm or watch", sub);
		return EXIT_USAGE;
	}
	ONLY(cmd == NULL || is_watch, "'--'");
	ONLY(to == NULL || is_save || is_watch, "--to");
	ONLY(from == NULL || is_load, "--from");
	ONLY(dir == NULL || is_load, "-C/--directory");
	ONLY(archive == NULL || is_load, "--keep-archive");
	ONLY(!keep_set || is_save || is_watch || is_rm, "--keep");
	ONLY(!gzip || is_save || is_watch, "--gzip");
	ONLY(!interval_set || is_watch, "--interval");
	ONLY(!json || is_ls, "--json");
	if (dir != NULL && archive != NULL) {
		hpo_opts_error(&tool, "-C and --keep-archive exclude each other");
		return EXIT_USAGE;
	}
	if ((is_save || is_watch) && keep < 1) {
		hpo_opts_error(&tool, "--keep: a save keeps at least 1 generation");
		return EXIT_USAGE;
	}
	if ((is_save || is_watch) && os.nops < 2) {
		hpo_opts_error(&tool, "%s: which paths? give at least one PATH", sub);
		return EXIT_USAGE;
	}
	if (is_watch && (cmd == NULL || cmd[0] == NULL)) {
		hpo_opts_error(&tool, "watch: give the command after '--'");
		return EXIT_USAGE;
	}
	if (is_load && os.nops > 1) {
		hpo_opts_error(&tool, "load takes no operand: give the location with --url");
		return EXIT_USAGE;
	}
	if ((is_ls || is_rm) && os.nops > 2) {
		hpo_opts_error(&tool, "%s takes one URL at most", sub);
		return EXIT_USAGE;
	}
	/* --url, or the older --to, --from or operand of each command: one of them */
	url = is_save || is_watch ? to : is_load ? from : os.nops == 2 ? os.ops[1] : NULL;
	if (url_opt != NULL && url != NULL) {
		hpo_opts_error(&tool, "%s: the location is given twice: --url and %s", sub,
			       is_save || is_watch ? "--to" : is_load ? "--from" : "an operand");
		return EXIT_USAGE;
	}
	if (url_opt != NULL)
		url = url_opt;
	if (url == NULL)
		url = getenv("HPO_CKPT_URL");
	if (url == NULL || *url == '\0') {
		/* in a phpo Grid job: the point's checkpoint on the PanDA server */
		int found = hpo_ckpt_panda_job_url(".", &job_url, &err);
		if (found < 0) {
			fprintf(stderr, "%s: %s\n", tool.name, err.msg);
			return EXIT_USAGE;
		}
		url = job_url;
	}
	if (url == NULL || *url == '\0') {
		hpo_opts_error(&tool, "%s: no checkpoint location: give --url URL or set HPO_CKPT_URL",
			       sub);
		return EXIT_USAGE;
	}
	if (hpo_ckpt_open(url, &s, &err) < 0) {
		fprintf(stderr, "%s: %s\n", tool.name, err.msg);
		free(job_url);
		return err.kind == HPO_E_INPUT ? EXIT_USAGE : hpo_exit_for(&err);
	}
	free(job_url);
	if (s->gzip)
		gzip = 1;

	if (is_save) {
		struct hpo_ckpt_save opt = {(const char *const *)os.ops + 1, (size_t)os.nops - 1,
					    gzip ? HPO_TAR_GZIP : HPO_TAR_ZSTD, (int)keep, 1};
		rc = hpo_ckpt_save(s, &opt, NULL, &err) < 0 ? -1 : EXIT_OK;
	} else if (is_load) {
		char cwd[PATH_MAX];
		/* messages name the working directory by its path, not "." */
		const char *into = dir ? dir : getcwd(cwd, sizeof(cwd)) ? cwd : ".";
		if (dir != NULL && hpo_mkdirs(dir, 0755, &err) < 0)
			rc = -1;
		else
			rc = do_load(s, into, archive, &err);
	} else if (is_ls) {
		rc = do_ls(s, json, &err) < 0 ? -1 : EXIT_OK;
	} else if (is_rm) {
		size_t removed;
		if (hpo_ckpt_prune(s, keep_set ? (int)keep : 0, 1, &removed, &err) < 0) {
			rc = -1;
		} else {
			hpo_info("removed %zu file(s) from %s", removed, s->where);
			rc = EXIT_OK;
		}
	} else {
		struct hpo_ckpt_watch w = {s, (const char *const *)os.ops + 1, (size_t)os.nops - 1,
					   gzip ? HPO_TAR_GZIP : HPO_TAR_ZSTD, (int)keep, interval};
		rc = hpo_ckpt_watch(&w, cmd, &err);
	}
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", tool.name, err.msg);
		rc = hpo_exit_for(&err);
	}
	hpo_ckpt_loc_free(s);
	return rc;
}
