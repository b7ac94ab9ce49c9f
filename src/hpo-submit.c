/* hpo-submit - run an HPO task: on this machine with --local
 *
 * Grid submission through PanDA comes with the panda module; until then
 * --local is required.
 */
#include "autoconf.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "log.h"
#include "opts.h"
#include "proc.h"
#include "store.h"
#include "taskspec.h"
#include "view.h"

enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_INPUT = 3,
	EXIT_TASK_FAILED = 4,
	EXIT_NOTFOUND = 5,
	EXIT_BUSY = 6,
	EXIT_INTERRUPTED = 130,
};

static const char *const usage[] = {
	"--local [options] TASKFILE",
	"--local --resume ID [options]",
	NULL,
};

enum {
	OPT_LOCAL, OPT_RESUME, OPT_DB, OPT_RUNTIME, OPT_PARALLEL, OPT_SEED, OPT_JSON,
	OPT_QUIET, OPT_VERBOSE, OPT_HELP, OPT_VERSION, OPT_END,
};

static const struct hpo_option options[] = {
	[OPT_LOCAL] = {"local", 'l', NULL, "run the task on this machine (the local engine)"},
	[OPT_RESUME] = {"resume", 'r', "ID", "continue the interrupted local task ID"},
	[OPT_DB] = {"db", 0, "PATH", "local task database (default $HPO_DB, else $XDG_DATA_HOME/hpo-tools/hpo.db)"},
	[OPT_RUNTIME] = {"runtime", 0, "NAME", "run evaluations in their container: apptainer, singularity, podman or docker"},
	[OPT_PARALLEL] = {"parallel", 'j', "N", "evaluate N points at a time (overrides budget.parallel-evaluations)"},
	[OPT_SEED] = {"seed", 0, "N", "seed of the built-in steering (overrides steering.seed)"},
	[OPT_JSON] = {"json", 0, NULL, "print the task as JSON when the run stops (the hpo-status --json schema)"},
	[OPT_QUIET] = {"quiet", 'q', NULL, "print only errors on stderr"},
	[OPT_VERBOSE] = {"verbose", 'v', NULL, "print more about what happens"},
	[OPT_HELP] = {"help", 'h', NULL, "show this help and exit"},
	[OPT_VERSION] = {"version", 'V', NULL, "show the version and exit"},
	[OPT_END] = {NULL, 0, NULL, NULL},
};

static const struct hpo_tool tool = {
	"hpo-submit", usage,
	"Run the hyperparameter optimisation task described by TASKFILE (see hpo-task(5)).\n"
	"With --local the task runs on this machine and is stored in the local database;\n"
	"follow it with hpo-status --local.",
	options,
	"exit status:\n"
	"  0    the task ended done or finished\n"
	"  1    an error (file system, database, container runtime, ...)\n"
	"  2    a usage error\n"
	"  3    the task file or search space is invalid\n"
	"  4    the task ended failed: no point was evaluated successfully\n"
	"  5    no such task (--resume)\n"
	"  6    the task is being run by another hpo-submit\n"
	"  130  interrupted: the task is paused and can be resumed\n",
};

static int
exit_for(const struct hpo_err *err)
{
	switch (err->kind) {
	case HPO_E_INPUT: return EXIT_INPUT;
	case HPO_E_NOTFOUND: return EXIT_NOTFOUND;
	case HPO_E_BUSY: return EXIT_BUSY;
	default: return EXIT_ERROR;
	}
}

static uint64_t
fresh_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s = (uint64_t)getpid() ^ (uint64_t)hpo_now();
	return s & 0x7fffffffffffffffULL;	/* fits a JSON integer */
}

int
main(int argc, char **argv)
{
	struct hpo_optstate os = {0};
	const struct hpo_option *o;
	const char *db_opt = NULL, *runtime = NULL;
	long resume = 0, parallel = 0, seed = -1;
	int local = 0, json = 0, quiet = 0, verbose = 0;
	struct hpo_err err = {0};
	struct hpo_store *st = NULL;
	struct hpo_task *task = NULL;
	struct hpo_runtime *rt = NULL;
	char *db = NULL;
	int64_t id;
	int rc = EXIT_ERROR;

	while ((o = hpo_opts_next(&tool, argc, argv, &os)) != NULL) {
		if (o == HPO_OPT_ERROR)
			return EXIT_USAGE;
		switch (o - options) {
		case OPT_LOCAL: local = 1; break;
		case OPT_RESUME:
			if (hpo_opts_long(os.arg, 1, LONG_MAX, &resume) < 0) {
				hpo_opts_error(&tool, "--resume: '%s' is not a task id", os.arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_DB: db_opt = os.arg; break;
		case OPT_RUNTIME: runtime = os.arg; break;
		case OPT_PARALLEL:
			if (hpo_opts_long(os.arg, 1, 10000, &parallel) < 0) {
				hpo_opts_error(&tool, "--parallel: '%s' is not a number from 1 to 10000",
					       os.arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_SEED:
			if (hpo_opts_long(os.arg, 0, LONG_MAX, &seed) < 0) {
				hpo_opts_error(&tool, "--seed: '%s' is not a non-negative integer", os.arg);
				return EXIT_USAGE;
			}
			break;
		case OPT_JSON: json = 1; break;
		case OPT_QUIET: quiet = 1; break;
		case OPT_VERBOSE: verbose = 1; break;
		case OPT_HELP: hpo_opts_help(stdout, &tool); return EXIT_OK;
		case OPT_VERSION: printf("%s %s\n", tool.name, PACKAGE_VERSION); return EXIT_OK;
		}
	}
	hpo_log_init(argv[0], quiet ? HPO_LOG_QUIET : verbose ? HPO_LOG_VERBOSE : HPO_LOG_NORMAL);
	if (!local) {
		hpo_opts_error(&tool, "Grid submission is not available in this version; "
				      "run the task on this machine with --local");
		return EXIT_USAGE;
	}
	if (resume > 0 && os.nops != 0) {
		hpo_opts_error(&tool, "--resume takes no TASKFILE");
		return EXIT_USAGE;
	}
	if (resume == 0 && os.nops != 1) {
		hpo_opts_error(&tool, os.nops == 0 ? "missing TASKFILE"
							   : "more than one TASKFILE");
		return EXIT_USAGE;
	}
	if (resume > 0 && (parallel > 0 || seed >= 0)) {
		hpo_opts_error(&tool, "--parallel and --seed apply to a new task, not to --resume");
		return EXIT_USAGE;
	}

	if (hpo_config_db_path(db_opt, &db, &err) < 0)
		goto fail;
	/* everything that can be checked is checked before a task exists */
	if ((runtime = hpo_config_runtime(runtime)) != NULL &&
	    hpo_runtime_open(runtime, &rt, &err) < 0)
		goto fail;
	if (resume == 0) {
		if (hpo_task_load(os.ops[0], &task, &err) < 0)
			goto fail;
		if (rt != NULL && task->eval.container == NULL) {
			hpo_err_set(&err, HPO_E_INPUT, "%s: --runtime %s needs evaluation.container",
				    os.ops[0], runtime);
			goto fail;
		}
		if (parallel > 0)
			task->budget.parallel_evaluations = parallel;
		if (seed >= 0) {
			task->steer.seed = (uint64_t)seed;
			task->steer.has_seed = 1;
		}
		if (!task->steer.has_seed) {
			task->steer.seed = fresh_seed();
			task->steer.has_seed = 1;
		}
	}
	if (hpo_store_open(db, &st, &err) < 0)
		goto fail;
	if (resume == 0) {
		if (hpo_engine_create(st, db, task, &id, &err) < 0)
			goto fail;
		hpo_info("task %lld created in %s", (long long)id, db);
	} else {
		id = resume;
	}

	{
		struct hpo_run_opts ro = {rt};
		enum hpo_run_end end = HPO_RUN_ENDED;
		json_t *view;

		if (resume > 0) {
			/* resuming an ended task changes nothing: say how it ended */
			if (hpo_view_local(st, db, id, &view, &err) < 0)
				goto fail;
			const char *status = json_string_value(json_object_get(view, "status"));
			int ended = hpo_task_status_final(status);
			if (ended)
				hpo_info("task %lld has already ended (%s)", (long long)id, status);
			json_decref(view);
			if (!ended && hpo_engine_run(st, db, id, &ro, &end, &err) < 0)
				goto fail;
		} else if (hpo_engine_run(st, db, id, &ro, &end, &err) < 0) {
			goto fail;
		}
		if (hpo_view_local(st, db, id, &view, &err) < 0)
			goto fail;
		json_t *tasks = json_array();
		json_array_append(tasks, view);
		if (json) {
			json_t *doc = hpo_view_wrap(tasks);
			json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
			fputc('\n', stdout);
			json_decref(doc);
		} else {
			hpo_view_print_tasks(stdout, tasks);
			json_decref(tasks);
		}
		if (end == HPO_RUN_INTERRUPTED)
			rc = EXIT_INTERRUPTED;
		else if (strcmp(json_string_value(json_object_get(view, "status")), "failed") == 0)
			rc = EXIT_TASK_FAILED;
		else
			rc = EXIT_OK;
		json_decref(view);
	}
	goto out;
fail:
	hpo_status_clear();
	fprintf(stderr, "%s: %s\n", tool.name, err.msg);
	rc = exit_for(&err);
out:
	hpo_task_free(task);
	hpo_runtime_free(rt);
	hpo_store_close(st);
	free(db);
	return rc;
}
