/* hpo-status - show HPO tasks, their points and the best point
 *
 * Scripts poll it: the --json schema and the exit codes are a contract,
 * documented in hpo-status(1).  Grid tasks by default, local ones with
 * --local; both as the same task view.
 */
#include "autoconf.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "jsontext.h"
#include "log.h"
#include "opts.h"
#include "store.h"
#include "taskspec.h"
#include "text.h"
#include "view.h"
#include "xmalloc.h"

/* the shared codes are exitcode.h's; 4-8 are the --wait outcomes */
enum {
	EXIT_OK = HPO_EXIT_OK,
	EXIT_ERROR = HPO_EXIT_ERROR,
	EXIT_USAGE = HPO_EXIT_USAGE,
	EXIT_W_FINISHED = 4,
	EXIT_W_FAILED = 5,
	EXIT_W_BROKEN = 6,
	EXIT_W_ABORTED = 7,
	EXIT_W_EXHAUSTED = 8,
	EXIT_W_TIMEOUT = HPO_EXIT_TIMEOUT,
};

static const char *const usage[] = {
	"[options] [ID...]",
	"--local [options] [ID...]",
	NULL,
};

enum {
	OPT_LOCAL, OPT_DB, OPT_DAYS, OPT_STATUS, OPT_NAME, OPT_LIMIT, OPT_POINTS, OPT_JSON, OPT_WAIT,
	OPT_WATCH, OPT_TIMEOUT, OPT_INTERVAL, OPT_QUIET, OPT_HELP, OPT_VERSION, OPT_END,
};

static const struct hpo_option options[] = {
	[OPT_LOCAL] = HPO_OPTION_LOCAL,
	[OPT_DB] = HPO_OPTION_DB,
	[OPT_DAYS] = {"days", 'd', "N", "with no ID: your Grid tasks of the last N days (default 14)"},
	[OPT_STATUS] = {"status", 0, "S", "only tasks whose status is S (a comma list: any of them)"},
	[OPT_NAME] = {"name", 0, "PATTERN", "only tasks whose name matches PATTERN (a shell glob)"},
	[OPT_LIMIT] = {"limit", 0, "N", "at most the N newest tasks"},
	[OPT_POINTS] = {"points", 'p', NULL, "show every point: status, loss, attempts, parameters, message; multi-fidelity: trial, budget"},
	[OPT_JSON] = {"json", 0, NULL, "print the task view as JSON (schema in hpo-status(1))"},
	[OPT_WAIT] = {"wait", 'w', NULL, "wait until every task has a final status; the exit status tells which"},
	[OPT_WATCH] = {"watch", 0, NULL, "redraw the table on the terminal until every task has a final status"},
	[OPT_TIMEOUT] = {"timeout", 0, "SECONDS", "with --wait or --watch: give up after SECONDS (exit 9)"},
	[OPT_INTERVAL] = {"interval", 0, "SECONDS", "first polling interval (default 2 local, 10 Grid; Grid polls back off)"},
	[OPT_QUIET] = HPO_OPTION_QUIET,
	[OPT_HELP] = HPO_OPTION_HELP,
	[OPT_VERSION] = HPO_OPTION_VERSION,
	[OPT_END] = {NULL, 0, NULL, NULL},
};

static const struct hpo_tool tool = {
	"hpo-status", usage,
	"Show HPO tasks: status, points done, the best loss and point.  With no ID, your\n"
	"recent Grid tasks, or with --local every task in the local database.",
	options,
	"With --wait and several tasks, the exit status is the highest of theirs.\n",
	(const struct hpo_exitcode[]){
		{0, NULL, "with --wait: every task succeeded: done, or finished with every\n"
			  "point evaluated"},
		{3, NULL, "with --local: no database at the path"},
		{4, "INCOMPLETE", "with --wait: a task ended finished with points left or unknown"},
		{5, "FAILED", "with --wait: a task ended failed"},
		{6, "BROKEN", "with --wait: a task ended broken"},
		{7, "ABORTED", "with --wait: a task was aborted"},
		{8, "EXHAUSTED", "with --wait: a task is exhausted"},
		{9, NULL, "with --wait or --watch: --timeout reached first"},
		{0, NULL, NULL},
	},
};

/* The --wait code of a task: -1 while its status is not final; 0 when it
 * succeeded (hpo_view_outcome), else its status's code. */
static int
wait_code(const json_t *task)
{
	static const struct { const char *s; int code; } codes[] = {
		{"finished", EXIT_W_FINISHED}, {"failed", EXIT_W_FAILED},
		{"broken", EXIT_W_BROKEN}, {"aborted", EXIT_W_ABORTED},
		{"exhausted", EXIT_W_EXHAUSTED},
	};
	const char *outcome = hpo_view_outcome(task);
	const char *status = json_string_value(json_object_get(task, "status"));

	if (outcome == NULL)
		return -1;	/* not final yet */
	if (strcmp(outcome, "success") == 0)
		return EXIT_OK;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(status, codes[i].s) == 0)
			return codes[i].code;
	return EXIT_W_FAILED;
}

static void
print(const json_t *tasks, int json, int points)
{
	size_t i;
	json_t *t;

	if (json) {
		json_t *doc = hpo_view_wrap(json_incref((json_t *)tasks));
		hpo_json_print(stdout, doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(doc);
	} else if (points) {
		json_array_foreach(tasks, i, t) {
			if (i > 0)
				fputc('\n', stdout);
			char *name = strdup(json_string_value(json_object_get(t, "name")) ?
						    json_string_value(json_object_get(t, "name")) : "");
			hpo_text_sanitize(name, 0);	/* nothing from the task steers the terminal */
			printf("task %lld (%s): %s\n", (long long)json_integer_value(json_object_get(t, "id")),
			       name ? name : "", json_string_value(json_object_get(t, "status")));
			free(name);
			hpo_view_print_points(stdout, t);
		}
	} else {
		hpo_view_print_tasks(stdout, tasks);
	}
	fflush(stdout);
}

/* The --wait code of the tasks: -1 while any is not final. */
static int
tasks_code(const json_t *tasks)
{
	int worst = 0;
	size_t i;
	json_t *t;

	json_array_foreach(tasks, i, t) {
		int c = wait_code(t);
		if (c < 0)
			return -1;
		if (c > worst)
			worst = c;
	}
	return worst;
}

/* lowercase words, comma-separated */
static int
status_list_ok(const char *s)
{
	if (strspn(s, "abcdefghijklmnopqrstuvwxyz,") != strlen(s))
		return 0;
	return *s != '\0' && *s != ',' && s[strlen(s) - 1] != ',' && strstr(s, ",,") == NULL;
}

/* Keep the tasks (and their ids) that match --status and --name, then the
 * --limit newest of them (the highest ids), in the order shown. */
static void
select_tasks(json_t *tasks, int64_t *ids, size_t *n, const char *statuses, const char *name,
	     size_t limit)
{
	size_t k = 0;

	for (size_t j = 0, i = 0; j < *n; j++) {	/* j: of ids, i: of tasks */
		if (hpo_view_match(json_array_get(tasks, i), statuses, name)) {
			ids[k++] = ids[j];
			i++;
		} else {
			json_array_remove(tasks, i);
		}
	}
	while (limit > 0 && k > limit) {	/* the oldest goes */
		size_t old = 0;
		for (size_t j = 1; j < k; j++)
			if (ids[j] < ids[old])
				old = j;
		json_array_remove(tasks, old);
		memmove(ids + old, ids + old + 1, (k - old - 1) * sizeof(*ids));
		k--;
	}
	*n = k;
}

/* With --wait, a final task without its points is looked at again this
 * many times before its result stays unknown. */
#define UNKNOWN_LOOKS 2

static int
any_unknown(const json_t *tasks)
{
	size_t i;
	json_t *t;

	json_array_foreach(tasks, i, t) {
		const char *o = hpo_view_outcome(t);
		if (o != NULL && strcmp(o, "unknown") == 0)
			return 1;
	}
	return 0;
}

/* Say on stderr which tasks are shown without their points, and why. */
static void
warn_points(const json_t *tasks)
{
	size_t i;
	json_t *t;

	json_array_foreach(tasks, i, t) {
		const json_t *why = json_object_get(t, "points_error");
		if (json_is_string(why))
			hpo_warn("task %lld: points unavailable: %s",
				 (long long)json_integer_value(json_object_get(t, "id")),
				 json_string_value(why));
	}
}

int
main(int argc, char **argv)
{
	struct hpo_optstate os = {0};
	const struct hpo_option *o;
	const char *db;
	struct hpo_common com = {0};
	int local, points = 0, json = 0, wait = 0, watch = 0;
	long timeout = -1, interval = 0, days = 14, limit = 0;
	const char *statuses = NULL, *name = NULL;
	struct hpo_err err = {0};
	struct hpo_backend *b = NULL;
	int64_t *ids = NULL;
	size_t nids = 0;
	json_t *tasks = NULL;
	int rc = EXIT_ERROR;

	while ((o = hpo_opts_next(&tool, argc, argv, &os)) != NULL) {
		if (o == HPO_OPT_ERROR)
			return EXIT_USAGE;
		if ((rc = hpo_opts_common(&tool, o, &os, &com)) == HPO_OPTS_EXIT)
			return EXIT_OK;
		else if (rc == 1)
			continue;
		switch (o - options) {
		case OPT_DAYS:
			if (hpo_opts_long(os.arg, 1, 3650, &days) < 0) {
				hpo_opts_error(&tool, "--days: '%s' is not a number from 1 to 3650", os.arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_STATUS:
			statuses = os.arg;
			if (!status_list_ok(statuses)) {
				hpo_opts_error(&tool, "--status: '%s' is not a status or a comma list of them",
					       os.arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_NAME:
			name = os.arg;
			if (*name == '\0') {
				hpo_opts_error(&tool, "--name: an empty pattern");
				return EXIT_USAGE;
			}
			break;
		case OPT_LIMIT:
			if (hpo_opts_long(os.arg, 1, 100000, &limit) < 0) {
				hpo_opts_error(&tool, "--limit: '%s' is not a number from 1 to 100000", os.arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_POINTS: points = 1; break;
		case OPT_JSON: json = 1; break;
		case OPT_WAIT: wait = 1; break;
		case OPT_WATCH: watch = 1; break;
		case OPT_TIMEOUT:
			if (hpo_opts_long(os.arg, 0, INT_MAX, &timeout) < 0) {
				hpo_opts_error(&tool, "--timeout: '%s' is not a number of seconds", os.arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_INTERVAL:
			if (hpo_opts_long(os.arg, 1, 86400, &interval) < 0) {
				hpo_opts_error(&tool, "--interval: '%s' is not a number of seconds from 1 to 86400",
					       os.arg);
				return EXIT_USAGE;
			}
			break;
		}
	}
	rc = EXIT_ERROR;
	local = com.local;
	db = com.db;
	hpo_log_init(argv[0], com.quiet ? HPO_LOG_QUIET : HPO_LOG_NORMAL);
	if ((timeout >= 0 || interval > 0) && !wait && !watch) {
		hpo_opts_error(&tool, "--timeout and --interval go with --wait or --watch");
		return EXIT_USAGE;
	}
	if (watch && (json || !isatty(STDOUT_FILENO))) {
		hpo_opts_error(&tool, "--watch redraws a terminal; in scripts use --wait");
		return EXIT_USAGE;
	}
	if (db != NULL && !local) {
		hpo_opts_error(&tool, "--db goes with --local");
		return EXIT_USAGE;
	}
	if (days != 14 && (local || os.nops > 0)) {
		hpo_opts_error(&tool, "--days lists your recent Grid tasks: not with --local or IDs");
		return EXIT_USAGE;
	}
	for (int i = 0; i < os.nops; i++) {
		long id;
		if (hpo_opts_long(os.ops[i], 1, LONG_MAX, &id) < 0) {
			hpo_opts_error(&tool, "'%s' is not a task id", os.ops[i]);
			return EXIT_USAGE;
		}
	}
	if (interval == 0)
		interval = local ? 2 : 10;

	if ((local ? hpo_backend_local(db, &b, &err) : hpo_backend_panda(&b, &err)) < 0)
		goto fail;
	if (os.nops > 0) {
		nids = (size_t)os.nops;
		ids = xcalloc(nids, sizeof(*ids));
		for (size_t i = 0; i < nids; i++)
			ids[i] = strtoll(os.ops[i], NULL, 10);
	} else {
		struct hpo_task_filter f = {(int)days, statuses, name};
		if (hpo_backend_ids(b, &f, &ids, &nids, &err) < 0)
			goto fail;
	}

	double start = hpo_now(), pause = (double)interval;
	int unknown_looks = 0;
	for (int first = 1;; first = 0) {
		if (hpo_backend_views(b, ids, nids, &tasks, &err) < 0)
			goto fail;
		if (first)	/* the tasks to show, then to follow */
			select_tasks(tasks, ids, &nids, statuses, name, (size_t)limit);
		rc = tasks_code(tasks);
		if (watch) {
			fputs("\033[H\033[2J", stdout);
			print(tasks, 0, points);
		}
		if (!wait && !watch) {
			rc = EXIT_OK;
			break;
		}
		/* a final task whose points iDDS did not give: iDDS may answer at
		 * the next look or two */
		if (rc >= 0 && (!any_unknown(tasks) || ++unknown_looks > UNKNOWN_LOOKS))
			break;
		if (timeout >= 0 && hpo_now() - start >= (double)timeout) {
			if (rc < 0) {	/* else final, its points still unknown */
				hpo_info("timed out after %lds waiting for a final status", timeout);
				rc = EXIT_W_TIMEOUT;
			}
			break;
		}
		json_decref(tasks);
		tasks = NULL;
		double left = timeout >= 0 ? (double)timeout - (hpo_now() - start) : pause;
		hpo_sleep(left < pause ? left : pause);
		/* the Grid moves in minutes: ask less often as time goes by */
		if (!local) {
			double cap = 10.0 * (double)interval < 300 ? 10.0 * (double)interval : 300;
			pause = pause * 1.5 < cap ? pause * 1.5 : (pause > cap ? pause : cap);
		}
	}
	if (!watch)
		print(tasks, json, points);
	warn_points(tasks);
	goto out;
fail:
	fprintf(stderr, "%s: %s\n", tool.name, err.msg);
	rc = hpo_exit_for(&err);
out:
	json_decref(tasks);
	free(ids);
	hpo_backend_free(b);
	return rc;
}
