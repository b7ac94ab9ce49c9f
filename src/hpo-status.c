/* hpo-status - show HPO tasks, their points and the best point
 *
 * Scripts poll it: the --json schema and the exit codes are a contract,
 * documented in hpo-status(1).
 */
#include "autoconf.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "opts.h"
#include "store.h"
#include "view.h"

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_NOTFOUND = 3,
	EXIT_W_FINISHED = 4,
	EXIT_W_FAILED = 5,
	EXIT_W_BROKEN = 6,
	EXIT_W_ABORTED = 7,
	EXIT_W_EXHAUSTED = 8,
	EXIT_W_TIMEOUT = 9,
};

static const char *const usage[] = {
	"--local [options] [ID...]",
	NULL,
};

enum {
	OPT_LOCAL, OPT_DB, OPT_POINTS, OPT_JSON, OPT_WAIT, OPT_TIMEOUT, OPT_INTERVAL,
	OPT_QUIET, OPT_HELP, OPT_VERSION, OPT_END,
};

static const struct hpo_option options[] = {
	[OPT_LOCAL] = {"local", 'l', NULL, "show tasks of the local engine"},
	[OPT_DB] = {"db", 0, "PATH", "local task database (default $HPO_DB, else $XDG_DATA_HOME/hpo-tools/hpo.db)"},
	[OPT_POINTS] = {"points", 'p', NULL, "show every point: status, loss, attempts, parameters, message"},
	[OPT_JSON] = {"json", 0, NULL, "print the task view as JSON (schema in hpo-status(1))"},
	[OPT_WAIT] = {"wait", 'w', NULL, "wait until every task has a final status; the exit status tells which"},
	[OPT_TIMEOUT] = {"timeout", 0, "SECONDS", "with --wait: give up after SECONDS (exit 9)"},
	[OPT_INTERVAL] = {"interval", 0, "SECONDS", "with --wait: poll every SECONDS (default 2)"},
	[OPT_QUIET] = {"quiet", 'q', NULL, "print only errors on stderr"},
	[OPT_HELP] = {"help", 'h', NULL, "show this help and exit"},
	[OPT_VERSION] = {"version", 'V', NULL, "show the version and exit"},
	[OPT_END] = {NULL, 0, NULL, NULL},
};

static const struct hpo_tool tool = {
	"hpo-status", usage,
	"Show HPO tasks: status, points done, the best loss and point.  With no ID, every\n"
	"task in the local database.",
	options,
	"exit status:\n"
	"  0    success (with --wait: every task is done)\n"
	"  1    an error (database, file system, ...)\n"
	"  2    a usage error\n"
	"  3    no such task\n"
	"  4-8  with --wait: a task ended finished (4), failed (5), broken (6),\n"
	"       aborted (7) or is exhausted (8); with several tasks, the highest\n"
	"  9    with --wait: --timeout reached first\n",
};

static int
wait_code(const char *status)
{
	if (strcmp(status, "done") == 0)
		return EXIT_OK;
	if (strcmp(status, "finished") == 0)
		return EXIT_W_FINISHED;
	if (strcmp(status, "failed") == 0)
		return EXIT_W_FAILED;
	if (strcmp(status, "broken") == 0)
		return EXIT_W_BROKEN;
	if (strcmp(status, "aborted") == 0)
		return EXIT_W_ABORTED;
	if (strcmp(status, "exhausted") == 0)
		return EXIT_W_EXHAUSTED;
	return -1;	/* not final yet */
}

static int
collect(struct hpo_store *st, const char *db, const int64_t *ids, size_t n, json_t **tasks,
	struct hpo_err *err)
{
	*tasks = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *v;
		if (hpo_view_local(st, db, ids[i], &v, err) < 0) {
			json_decref(*tasks);
			*tasks = NULL;
			return -1;
		}
		json_array_append_new(*tasks, v);
	}
	return 0;
}

static void
sleep_seconds(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};

	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	struct hpo_optstate os = {0};
	const struct hpo_option *o;
	const char *db_opt = NULL;
	int local = 0, points = 0, json = 0, wait = 0, quiet = 0;
	long timeout = -1, interval = 2;
	struct hpo_err err = {0};
	struct hpo_store *st = NULL;
	int64_t *ids = NULL;
	size_t nids = 0;
	json_t *tasks = NULL;
	char *db = NULL;
	int rc = EXIT_ERROR;

	while ((o = hpo_opts_next(&tool, argc, argv, &os)) != NULL) {
		if (o == HPO_OPT_ERROR)
			return EXIT_USAGE;
		switch (o - options) {
		case OPT_LOCAL: local = 1; break;
		case OPT_DB: db_opt = os.arg; break;
		case OPT_POINTS: points = 1; break;
		case OPT_JSON: json = 1; break;
		case OPT_WAIT: wait = 1; break;
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
		case OPT_QUIET: quiet = 1; break;
		case OPT_HELP: hpo_opts_help(stdout, &tool); return EXIT_OK;
		case OPT_VERSION: printf("%s %s\n", tool.name, PACKAGE_VERSION); return EXIT_OK;
		}
	}
	hpo_log_init(argv[0], quiet ? HPO_LOG_QUIET : HPO_LOG_NORMAL);
	if (!local) {
		hpo_opts_error(&tool, "Grid tasks are not available in this version; "
				      "show local tasks with --local");
		return EXIT_USAGE;
	}
	if ((timeout >= 0 || interval != 2) && !wait) {
		hpo_opts_error(&tool, "--timeout and --interval go with --wait");
		return EXIT_USAGE;
	}
	for (int i = 0; i < os.nops; i++) {
		long id;
		if (hpo_opts_long(os.ops[i], 1, LONG_MAX, &id) < 0) {
			hpo_opts_error(&tool, "'%s' is not a task id", os.ops[i]);
			return EXIT_USAGE;
		}
	}
	if (hpo_config_db_path(db_opt, &db, &err) < 0)
		goto fail;
	if (access(db, F_OK) < 0 && os.nops == 0) {
		/* no database yet: no tasks, and none is created by looking */
		tasks = json_array();
		rc = EXIT_OK;
		goto print;
	}
	if (access(db, F_OK) < 0) {
		hpo_err_set(&err, HPO_E_NOTFOUND, "no local task %s", os.ops[0]);
		goto fail;
	}
	if (hpo_store_open(db, &st, &err) < 0)
		goto fail;
	if (os.nops > 0) {
		nids = (size_t)os.nops;
		if ((ids = calloc(nids, sizeof(*ids))) == NULL) {
			hpo_err_set(&err, HPO_E_SYS, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < nids; i++)
			ids[i] = strtoll(os.ops[i], NULL, 10);
	} else if (hpo_store_task_ids(st, &ids, &nids, &err) < 0) {
		goto fail;
	}

	double start = hpo_now();
	for (;;) {
		if (collect(st, db, ids, nids, &tasks, &err) < 0)
			goto fail;
		if (!wait)
			break;
		int worst = 0, pending = 0;
		size_t i;
		json_t *t;
		json_array_foreach(tasks, i, t) {
			int c = wait_code(json_string_value(json_object_get(t, "status")));
			if (c < 0)
				pending = 1;
			else if (c > worst)
				worst = c;
		}
		if (!pending) {
			rc = worst;
			break;
		}
		if (timeout >= 0 && hpo_now() - start >= (double)timeout) {
			hpo_info("timed out after %lds waiting for a final status", timeout);
			rc = EXIT_W_TIMEOUT;
			break;
		}
		json_decref(tasks);
		tasks = NULL;
		double left = timeout >= 0 ? (double)timeout - (hpo_now() - start) : interval;
		sleep_seconds(left < interval ? (left > 0 ? left : 0) : interval);
	}
	if (!wait)
		rc = EXIT_OK;
print:
	if (json) {
		json_t *doc = hpo_view_wrap(json_incref(tasks));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(doc);
	} else if (points) {
		size_t i;
		json_t *t;
		json_array_foreach(tasks, i, t) {
			if (i > 0)
				fputc('\n', stdout);
			printf("task %lld (%s): %s\n", (long long)json_integer_value(json_object_get(t, "id")),
			       json_string_value(json_object_get(t, "name")),
			       json_string_value(json_object_get(t, "status")));
			hpo_view_print_points(stdout, t);
		}
	} else {
		hpo_view_print_tasks(stdout, tasks);
	}
	goto out;
fail:
	fprintf(stderr, "%s: %s\n", tool.name, err.msg);
	rc = err.kind == HPO_E_NOTFOUND ? EXIT_NOTFOUND : EXIT_ERROR;
out:
	json_decref(tasks);
	free(ids);
	hpo_store_close(st);
	free(db);
	return rc;
}
