/* taskparams.h - the PanDA task parameters of an HPO task, as phpo builds them
 *
 * The pure half of Grid submission: no network.  hpo_task_params turns a
 * task (taskspec.h) into the parameter object that phpo (panda-client,
 * pandaclient/PhpoScript.py) sends to task/submit for the same options:
 * the same keys, values, types, defaults and key order (jansson keeps
 * insertion order, as Python dicts do).
 *
 * phpo option files (--loadJson) are read by hpo_phpo_to_task_json into
 * the task-file JSON that hpo_task_from_json takes; hpo_task_json_merge lays
 * them over a task file, the phpo file winning, as phpo's --loadJson values
 * win over its command line.
 */
#ifndef HPO_TASKPARAMS_H
#define HPO_TASKPARAMS_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "doc.h"
#include "err.h"
#include "taskspec.h"

/* The longest output dataset container name, trailing '/' included
 * (PsubUtils.checkOutDsName, maxLengthCont). */
#define HPO_OUTDS_MAX 132

struct hpo_params_ctx {
	const char *client;	/* "hpo-tools": processingType <client>-<version>-jedi-hpo */
	const char *version;	/* e.g. PACKAGE_VERSION */
	const char *cli;	/* the command line, for cliParams (NULL: "") */
	const char *sandbox;	/* sandbox file name on the cache server (-a) */
	const char *source_url;	/* scheme://host[:port] of the cache server (--sourceURL) */
};

/* Build the task parameters (a new object in *out).  The task must have
 * what phpo requires: evaluation.container, evaluation.exec, steering.exec
 * (the Grid has no built-in steering) and grid.output-dataset (a trailing
 * '/' is added, as phpo does; the name is not checked here: see
 * hpo_outds_check).  With grid.segment-spec-file the segment file (JSON or
 * YAML list of mappings, relative to the task's directory) is read. */
int hpo_task_params(const struct hpo_task *task, const struct hpo_params_ctx *ctx, json_t **out,
		    struct hpo_err *err);

/* Check an output dataset name as phpo does (PsubUtils.checkOutDsName on
 * the name with its trailing '/' added): none of the characters
 * % | ; > < ? ' " ( ) $ @ * : = & ^ # \ [ ] { } `; it starts with
 * "user.<nickname>." or, when official, "group.<group>." or
 * "groupNN.<group>." (<group> is working_group; when NULL any non-empty
 * group name is accepted and the server checks the production role); at
 * most HPO_OUTDS_MAX characters with the '/'.  Unlike phpo the length is
 * checked for official names too. */
int hpo_outds_check(const char *outds, const char *nickname, int official,
		    const char *working_group, struct hpo_err *err);

/* A default output dataset name:
 * "user.<nickname>.<task name>.<YYYYMMDDhhmmss>.<tag>/" with the time in
 * UTC and tag the low 24 bits of tag as 6 hex digits (a random number, so
 * that two submissions of one second differ).
 * Characters of the task name other than letters, digits, '-', '_' and '.'
 * become '_' (an empty name becomes "hpo"), and the name is shortened so
 * that the whole stays within HPO_OUTDS_MAX.  NULL when out of memory or
 * the nickname is empty or itself too long. */
char *hpo_outds_default(const char *nickname, const char *task_name, time_t when, uint32_t tag);

/* A phpo --loadJson file (an object of phpo option names) as task-file JSON:
 * sections evaluation, steering, budget, checkpoint, grid and
 * search-space-file.  Numeric strings become integers for phpo's integer
 * options (as phpo's int() does); file names (searchSpaceFile,
 * segmentSpecFile) relative to dir become absolute; null values are left
 * out (phpo's default).  Unknown keys are warned about (hpo_warn, naming
 * file:line:col) and ignored, as phpo does; phpo options without meaning
 * here (dumpJson, noSubmit, verbose, ...) are ignored with a note.  doc
 * gives positions and may be NULL. */
int hpo_phpo_to_task_json(const struct hpo_doc *doc, const json_t *phpo, const char *dir,
			  json_t **task_json, struct hpo_err *err);

/* Lay `over` on `base`, section by section: a key in a section of `over`
 * replaces the same key in `base`, other keys stay; top-level keys that are
 * not sections are replaced.  Where the task file allows only one of two
 * keys, the one from `over` removes the other: search-space and
 * search-space-file; steering.algorithm and steering.exec.  Returns 0, -1
 * when out of memory or either is not an object. */
int hpo_task_json_merge(json_t *base, const json_t *over);

/* A task from a task file, a phpo option file, or both (the phpo file's
 * options laid over the task file's, hpo_task_json_merge).  Either may be
 * NULL, not both.  The task's directory (its sandbox) is the task file's,
 * or the working directory with a phpo file alone, as for phpo; file names
 * in the phpo file are relative to the working directory, as for phpo. */
int hpo_task_load_with_phpo(const char *task_file, const char *phpo_file, struct hpo_task **out,
			    struct hpo_err *err);

/* Python's urllib.parse.quote(s) (safe "/"): every byte but letters,
 * digits, "_.-~/" as %XX (upper case).  Malloc'ed; NULL when out of memory. */
char *hpo_url_quote(const char *s);

/* The job parameters of an evaluation exec string, as
 * PsubUtils.convertParamStrToJediParam(exec, {}, '', True, False,
 * includeIO=False) makes them: placeholders %RNDM:N, %DB:X, %SKIPEVENTS,
 * %FIRSTEVENT:N, %MAXEVENTS, %SEGMENT_NAME become templates, the rest
 * URL-quoted constants, every item with padding false.  New array. */
json_t *hpo_exec_job_params(const char *exec);

#endif
