/* taskparams.h - the PanDA task parameters of an HPO task, as phpo builds them
 *
 * The pure half of Grid submission: no network.  hpo_task_params turns a
 * task (taskspec.h) into the parameter object that phpo (panda-client,
 * pandaclient/PhpoScript.py) sends to task/submit for the same options:
 * the same keys, values, types, defaults and key order (jansson keeps
 * insertion order, as Python dicts do).
 *
 * phpo option files (--loadJson) are phpo_file.h's.
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

/* Python's int(str) for the strings phpo converts: blanks around, a sign,
 * ASCII digits with single underscores between them.  0 when it is one and
 * fits json_int_t, -1 otherwise. */
int hpo_py_int(const char *s, json_int_t *out);

/* The job parameters of an evaluation exec string, as
 * PsubUtils.convertParamStrToJediParam(exec, {}, '', True, False,
 * includeIO=False) makes them: placeholders %RNDM:N, %DB:X, %SKIPEVENTS,
 * %FIRSTEVENT:N, %MAXEVENTS, %SEGMENT_NAME become templates, the rest
 * URL-quoted constants, every item with padding false.  A new array, or
 * NULL when exec is not valid UTF-8. */
json_t *hpo_exec_job_params(const char *exec);

#endif
