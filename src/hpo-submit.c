/* hpo-submit - submit an HPO task to PanDA, or run it here with --local
 *
 * Grid mode turns a task file (or phpo's option file) into one PanDA task
 * with the task parameters phpo would send; --local runs the same task on
 * this machine; --kill, --finish, --retry, --pause and --resume control a
 * Grid task (--resume with --local continues a local task instead).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "file.h"
#include "grid.h"
#include "jsontext.h"
#include "schema.h"
#include "log.h"
#include "opts.h"
#include "proc.h"
#include "sandbox.h"
#include "store.h"
#include "phpo_file.h"
#include "taskparams.h"
#include "taskspec.h"
#include "view.h"

/* the shared codes are exitcode.h's; 4 is hpo-submit's own */
enum {
	EXIT_OK = HPO_EXIT_OK,
	EXIT_ERROR = HPO_EXIT_ERROR,
	EXIT_USAGE = HPO_EXIT_USAGE,
	EXIT_TASK_FAILED = 4,
	EXIT_INTERRUPTED = HPO_EXIT_INTERRUPTED,
};

static const char *const usage[] = {
	"[options] TASKFILE",
	"[options] --load-json FILE [TASKFILE]",
	"--local [options] TASKFILE",
	"--local --resume ID [options]",
	"--kill ID | --finish ID | --retry ID | --pause ID | --resume ID [options]",
	NULL,
};

enum {
	OPT_LOCAL, OPT_RESUME, OPT_DB, OPT_RUNTIME, OPT_PARALLEL, OPT_MAX_POINTS, OPT_MAX_JOBS,
	OPT_TIME_LIMIT, OPT_REFRESH, OPT_SEED, OPT_LOAD_JSON,
	OPT_NICKNAME, OPT_NO_SUBMIT, OPT_LIST_SANDBOX, OPT_DUMP, OPT_KILL, OPT_FINISH, OPT_SOFT, OPT_RETRY,
	OPT_NEW_PARAMS, OPT_PAUSE, OPT_JSON, OPT_QUIET, OPT_VERBOSE, OPT_HELP, OPT_VERSION, OPT_END,
};

static const struct hpo_option options[] = {
	[OPT_LOCAL] = HPO_OPTION_LOCAL,
	[OPT_RESUME] = {"resume", 'r', "ID", "resume the paused Grid task ID; with --local: continue the local task ID"},
	[OPT_DB] = HPO_OPTION_DB,
	[OPT_RUNTIME] = {"runtime", 0, "NAME", "run evaluations in their container: apptainer, singularity, podman or docker"},
	[OPT_PARALLEL] = {"parallel", 'j', "N", "evaluate N points at a time (overrides budget.parallel-evaluations; also on --resume)"},
	[OPT_MAX_POINTS] = {"max-points", 0, "N", "with --local: at most N points (overrides budget.max-points; on --resume more points continue the task, even an ended one)"},
	[OPT_MAX_JOBS] = {"max-evaluation-jobs", 0, "N", "with --local: at most N evaluation attempts (overrides budget.max-evaluation-jobs; also on --resume)"},
	[OPT_TIME_LIMIT] = {"time-limit", 0, "DURATION", "with --local: stop an evaluation after DURATION (90, 90s, 15m, 2h; 0: none; overrides evaluation.time-limit; also on --resume)"},
	[OPT_REFRESH] = {"refresh-sandbox", 0, NULL, "with --local --resume: evaluations get the task directory's files as they are now, not as at creation"},
	[OPT_SEED] = {"seed", 0, "N", "seed of the built-in steering (overrides steering.seed)"},
	[OPT_LOAD_JSON] = {"load-json", 0, "FILE", "read phpo's options from FILE, over TASKFILE's"},
	[OPT_NICKNAME] = {"nickname", 0, "NAME", "your Grid nickname (default $HPO_NICKNAME, else from the proxy)"},
	[OPT_NO_SUBMIT] = {"no-submit", 'n', NULL, "build the submission but send nothing: no network at all"},
	[OPT_LIST_SANDBOX] = {"list-sandbox", 0, NULL, "list the files of the task's sandbox and stop: nothing is sent"},
	[OPT_DUMP] = {"dump-task-params", 0, "FILE", "write the task parameters to FILE (- for standard output)"},
	[OPT_KILL] = {"kill", 0, "ID", "kill the Grid task ID"},
	[OPT_FINISH] = {"finish", 0, "ID", "finish the Grid task ID: no more points"},
	[OPT_SOFT] = {"soft", 0, NULL, "with --finish: let running evaluations end"},
	[OPT_RETRY] = {"retry", 0, "ID", "retry the Grid task ID"},
	[OPT_NEW_PARAMS] = {"new-params", 0, "FILE", "with --retry: task parameters to change (a JSON object)"},
	[OPT_PAUSE] = {"pause", 0, "ID", "pause the Grid task ID (PanDA: production role only)"},
	[OPT_JSON] = {"json", 0, NULL, "print the result as JSON (for --local the hpo-status --json schema)"},
	[OPT_QUIET] = HPO_OPTION_QUIET,
	[OPT_VERBOSE] = {"verbose", 'v', NULL, "print more about what happens"},
	[OPT_HELP] = HPO_OPTION_HELP,
	[OPT_VERSION] = HPO_OPTION_VERSION,
	[OPT_END] = {NULL, 0, NULL, NULL},
};

static const struct hpo_tool tool = {
	"hpo-submit", usage,
	"Submit the hyperparameter optimisation task described by TASKFILE (see\n"
	"hpo-task(5)) to PanDA as one task, with the task parameters phpo sends; or run\n"
	"it on this machine with --local; or kill, finish, retry, pause or resume a Grid\n"
	"task.",
	options,
	NULL,
	(const struct hpo_exitcode[]){
		{0, NULL, "the task was submitted or controlled; with --local: it ended\n"
			  "done or finished"},
		{3, NULL, "no such task (--resume, a Grid control), or no database at the path"},
		{4, "FAILED", "with --local: the task ended failed, no point was evaluated\n"
			      "successfully"},
		{10, NULL, "also: no nickname for the output dataset"},
		{11, NULL, "also: PANDA_URL_SSL, PANDACACHE_URL or PANDAMON_URL is malformed"},
		{12, NULL, "the submission, the upload or the command to a task"},
		{13, NULL, "the task file, the phpo option file or the search space, or the\n"
			   "task lacks what the Grid needs"},
		{14, NULL, "with --local: the task is being run by another hpo-submit"},
		{130, NULL, "with --local: the task is paused and can be resumed"},
		{0, NULL, NULL},
	},
};

struct args {
	int local, json, no_submit, list_sandbox, soft, refresh, has_time_limit;
	long resume, parallel, seed, control_id, max_points, max_jobs;
	double time_limit;
	enum hpo_panda_op op;
	const char *db, *runtime, *load_json, *nickname, *dump, *new_params;
	char **ops;
	int nops;
	char *cli;
};

static int
fail(const struct hpo_err *err)
{
	hpo_status_clear();
	fprintf(stderr, "%s: %s\n", tool.name, err->msg);
	return hpo_exit_for(err);
}

static uint64_t
fresh_seed(void)
{
	uint64_t s = 0;

	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s = (uint64_t)getpid() ^ (uint64_t)hpo_now();
	return s & 0x7fffffffffffffffULL;	/* fits a JSON integer */
}

static void
print_json(json_t *doc)
{
	hpo_json_print(stdout, doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

/* A reader that went away (hpo-submit --local task.yaml | head -1) costs the
 * output, never the task: SIGPIPE is ignored, and this says so once. */
static void
check_stdout(int64_t id)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return;
	hpo_status_clear();
	hpo_error("standard output: %s: the task's table was not printed; "
		  "'hpo-status --local %lld' shows it", strerror(errno), (long long)id);
}

/* ---- --local ---------------------------------------------------------------- */

static int
run_local(const struct args *a)
{
	struct hpo_err err = {0};
	struct hpo_store *st = NULL;
	struct hpo_task *task = NULL;
	struct hpo_runtime *rt = NULL;
	const char *runtime;
	char *db = NULL;
	int64_t id = a->resume;
	int rc;

	if (hpo_config_db_path(a->db, &db, &err) < 0)
		goto fail;
	/* everything that can be checked is checked before a task exists */
	if ((runtime = hpo_config_runtime(a->runtime)) != NULL &&
	    hpo_runtime_open(runtime, &rt, &err) < 0) {
		if (a->runtime == NULL && err.kind == HPO_E_INPUT)
			hpo_err_prefix(&err, "HPO_CONTAINER_RUNTIME");
		goto fail;
	}
	if (a->resume == 0) {
		if (hpo_task_load_with_phpo(a->nops ? a->ops[0] : NULL, a->load_json, &task, &err) < 0)
			goto fail;
		if (rt != NULL && task->eval.container == NULL) {
			hpo_err_set(&err, HPO_E_INPUT, "%s: --runtime %s needs evaluation.container",
				    a->nops ? a->ops[0] : a->load_json, runtime);
			goto fail;
		}
		if (hpo_engine_check(task, rt, &err) < 0)
			goto fail;
		if (a->parallel > 0)
			task->budget.parallel_evaluations = a->parallel;
		if (a->max_points > 0) {
			/* the default evaluation jobs follow, unless given */
			if (a->max_jobs == 0 && task->budget.max_evaluation_jobs == 2 * task->budget.max_points)
				task->budget.max_evaluation_jobs = 2 * a->max_points;
			task->budget.max_points = a->max_points;
		}
		if (a->max_jobs > 0)
			task->budget.max_evaluation_jobs = a->max_jobs;
		if (a->has_time_limit)
			task->eval.time_limit = a->time_limit;
		if (a->seed >= 0) {
			task->steer.seed = (uint64_t)a->seed;
			task->steer.has_seed = 1;
		}
		if (!task->steer.has_seed) {
			task->steer.seed = fresh_seed();
			task->steer.has_seed = 1;
		}
	}
	/* resuming makes no database: none is no such task */
	if (a->resume > 0 && access(db, F_OK) < 0 && errno == ENOENT) {
		hpo_err_set(&err, HPO_E_NOTFOUND, "no database at %s", db);
		goto fail;
	}
	if (hpo_store_open(db, &st, &err) < 0)
		goto fail;
	if (a->resume == 0) {
		if (hpo_engine_create(st, task, &id, &err) < 0)
			goto fail;
		hpo_info("task %lld created in %s", (long long)id, db);
	}

	struct hpo_run_opts ro = {rt, 0, 0, 0, 0, 0, 0};
	enum hpo_run_end end = HPO_RUN_ENDED;
	json_t *view, *tasks;

	if (a->resume > 0) {
		/* resuming an ended task changes nothing: say how it ended */
		if (hpo_view_local(st, id, &view, &err) < 0)
			goto fail;
		const char *status = json_string_value(json_object_get(view, "status"));
		int ended = hpo_task_status_final(status);

		/* what --resume changes from now on */
		ro.parallel = a->parallel;
		ro.max_points = a->max_points;
		ro.max_evaluation_jobs = a->max_jobs;
		ro.has_time_limit = a->has_time_limit;
		ro.time_limit = a->time_limit;
		ro.refresh_sandbox = a->refresh;
		if (ended && hpo_engine_reopens(st, id, &ro)) {
			hpo_info("task %lld had ended (%s): it goes on with the new budget", (long long)id,
				 status);
			ended = 0;
		}
		if (ended)
			hpo_info("task %lld has already ended (%s)", (long long)id, status);
		json_decref(view);
		if (!ended && hpo_engine_run(st, id, &ro, &end, &err) < 0)
			goto fail;
	} else if (hpo_engine_run(st, id, &ro, &end, &err) < 0) {
		goto fail;
	}
	if (hpo_view_local(st, id, &view, &err) < 0)
		goto fail;
	tasks = json_array();
	json_array_append(tasks, view);
	if (a->json) {
		json_t *doc = hpo_view_wrap(tasks);
		print_json(doc);
		json_decref(doc);
	} else {
		hpo_view_print_tasks(stdout, tasks);
		json_decref(tasks);
	}
	check_stdout(id);
	if (end == HPO_RUN_INTERRUPTED)
		rc = EXIT_INTERRUPTED;
	else if (strcmp(json_string_value(json_object_get(view, "status")), "failed") == 0)
		rc = EXIT_TASK_FAILED;
	else
		rc = EXIT_OK;
	json_decref(view);
	goto out;
fail:
	rc = fail(&err);
out:
	hpo_task_free(task);
	hpo_runtime_free(rt);
	hpo_store_close(st);
	free(db);
	return rc;
}

/* ---- the Grid ------------------------------------------------------------------ */

/* --list-sandbox: the files, one a line (or JSON), and their sizes */
static int
run_list(const struct args *a)
{
	struct hpo_err err = {0};
	struct hpo_task *task = NULL;
	struct hpo_sandbox sb = {0};
	uint64_t archive = 0;
	json_t *files = NULL;
	int rc = EXIT_OK;

	if (hpo_task_load_with_phpo(a->nops ? a->ops[0] : NULL, a->load_json, &task, &err) < 0 ||
	    hpo_grid_sandbox(task, &sb, &archive, &err) < 0) {
		hpo_task_free(task);
		return fail(&err);
	}
	if (a->json)
		files = json_array();
	for (size_t i = 0; rc == EXIT_OK && i < sb.n; i++) {
		if (files == NULL) {
			printf("%s\n", sb.files[i]);
			continue;
		}
		char *path = hpo_path_join(task->dir, sb.files[i]);
		struct stat st;
		if (path == NULL || stat(path, &st) < 0)
			st.st_size = 0;
		json_array_append_new(files, json_pack("{s:s, s:I}", "path", sb.files[i], "size",
						       (json_int_t)st.st_size));
		free(path);
	}
	if (rc == EXIT_OK && files != NULL) {
		json_t *doc = hpo_schema_doc(HPO_SCHEMA_SANDBOX, json_pack(
			"{s:s, s:O, s:I, s:I, s:I}", "directory", task->dir, "files", files, "bytes",
			(json_int_t)sb.bytes, "archive_bytes", (json_int_t)archive, "limit",
			(json_int_t)HPO_SANDBOX_MAX));
		print_json(doc);
		json_decref(doc);
	} else if (rc == EXIT_OK) {
		fflush(stdout);
		hpo_info("sandbox of %s: %zu files, %llu bytes; archive %llu bytes (PanDA's limit: "
			 "%u bytes with the upload's envelope of up to %d)", task->dir, sb.n,
			 (unsigned long long)sb.bytes, (unsigned long long)archive, HPO_SANDBOX_MAX,
			 HPO_SANDBOX_ENVELOPE);
	}
	json_decref(files);
	hpo_sandbox_free(&sb);
	hpo_task_free(task);
	return rc;
}

static int
run_grid(const struct args *a)
{
	struct hpo_grid_opts go = {a->nickname, a->cli, a->no_submit, a->dump};
	struct hpo_grid_result res;
	struct hpo_err err = {0};
	struct hpo_task *task = NULL;
	int rc;

	if (hpo_task_load_with_phpo(a->nops ? a->ops[0] : NULL, a->load_json, &task, &err) < 0 ||
	    hpo_grid_submit(task, &go, &res, &err) < 0) {
		hpo_task_free(task);
		return fail(&err);
	}
	if (a->json) {
		json_t *doc = hpo_schema_doc(HPO_SCHEMA_SUBMISSION, json_pack(
			"{s:o, s:s, s:s, s:b, s:o}", "task_id",
			res.task_id ? json_integer(res.task_id) : json_null(), "task_name",
			res.task_name, "sandbox", res.sandbox, "sandbox_reused", res.sandbox_reused,
			"monitor", res.monitor ? json_string(res.monitor) : json_null()));
		print_json(doc);
		json_decref(doc);
	} else if (a->no_submit) {
		hpo_info("not submitted (--no-submit): task %s, sandbox %s", res.task_name, res.sandbox);
	} else {
		printf("%lld\n", (long long)res.task_id);
		hpo_info("task %lld submitted: %s", (long long)res.task_id, res.monitor);
	}
	rc = EXIT_OK;
	hpo_grid_result_free(&res);
	hpo_task_free(task);
	return rc;
}

static int
run_control(const struct args *a)
{
	static const char *const done[] = {"kill", "finish", "retry", "pause", "resume"};
	struct hpo_err err = {0};
	struct hpo_auth *auth = NULL;
	struct hpo_panda *p = NULL;
	json_t *np = NULL;
	char *msg = NULL;
	int rc;

	if (a->new_params != NULL) {
		json_error_t je;
		if ((np = json_load_file(a->new_params, JSON_REJECT_DUPLICATES, &je)) == NULL) {
			hpo_err_set(&err, HPO_E_INPUT, "%s:%d:%d: %s", a->new_params, je.line, je.column,
				    je.text);
			return fail(&err);
		}
		if (!json_is_object(np)) {
			json_decref(np);
			hpo_err_set(&err, HPO_E_INPUT, "%s: task parameters must be a JSON object",
				    a->new_params);
			return fail(&err);
		}
	}
	if (hpo_grid_connect(&auth, &p, &err) < 0 ||
	    hpo_panda_control(p, a->op, a->control_id, a->soft, np, &msg, &err) < 0) {
		rc = fail(&err);
	} else {
		if (a->json) {
			json_t *doc = hpo_schema_doc(HPO_SCHEMA_TASK_COMMAND, json_pack(
				"{s:I, s:s, s:s}", "task_id", (json_int_t)a->control_id, "action",
				done[a->op], "message", msg));
			print_json(doc);
			json_decref(doc);
		} else {
			hpo_info("task %lld: %s: %s", (long long)a->control_id, done[a->op], msg);
		}
		rc = EXIT_OK;
	}
	free(msg);
	json_decref(np);
	hpo_panda_free(p);
	hpo_auth_free(auth);
	return rc;
}

/* The command line as phpo records it (cliParams). */
static char *
command_line(int argc, char **argv)
{
	size_t len = 1, at = 0;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	for (int i = 0; i < argc; i++) {
		/* the command's name, not where it was found */
		const char *w = i == 0 && strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[i];
		size_t n = strlen(w);
		if (i > 0)
			s[at++] = ' ';
		memcpy(s + at, w, n);
		at += n;
	}
	s[at] = '\0';
	return s;
}

static int
parse_id(const char *opt, const char *arg, long *out)
{
	if (hpo_opts_long(arg, 1, LONG_MAX, out) < 0) {
		hpo_opts_error(&tool, "--%s: '%s' is not a task id", opt, arg);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct hpo_optstate os = {0};
	const struct hpo_option *o;
	struct args a = {0};
	struct hpo_common com = {0};
	int verbose = 0, controls = 0, rc;

	a.seed = -1;
	/* a closed stdout or stderr must not kill a run: writes fail instead */
	signal(SIGPIPE, SIG_IGN);
	a.cli = command_line(argc, argv);	/* before options move operands */
	while ((o = hpo_opts_next(&tool, argc, argv, &os)) != NULL) {
		if (o == HPO_OPT_ERROR)
			goto usage;
		if ((rc = hpo_opts_common(&tool, o, &os, &com)) == HPO_OPTS_EXIT) {
			free(a.cli);
			return EXIT_OK;
		} else if (rc == 1) {
			continue;
		}
		switch (o - options) {
		case OPT_RESUME:
			if (parse_id("resume", os.arg, &a.resume) < 0)
				goto usage;
			break;
		case OPT_RUNTIME: {
			struct hpo_err e = {0};
			if (hpo_runtime_known(os.arg, &e) < 0) {
				hpo_opts_error(&tool, "--runtime: %s", e.msg);
				goto usage;
			}
			a.runtime = os.arg;
			break;
		}
		case OPT_PARALLEL:
			if (hpo_opts_long(os.arg, 1, 10000, &a.parallel) < 0) {
				hpo_opts_error(&tool, "--parallel: '%s' is not a number from 1 to 10000",
					       os.arg);
				goto usage;
			}
			break;
		case OPT_MAX_POINTS:
		case OPT_MAX_JOBS:
			if (hpo_opts_long(os.arg, 1, o - options == OPT_MAX_POINTS ? 1000000 : 10000000,
					  o - options == OPT_MAX_POINTS ? &a.max_points : &a.max_jobs) < 0) {
				hpo_opts_error(&tool, "--%s: '%s' is not a positive number", o->name, os.arg);
				goto usage;
			}
			break;
		case OPT_TIME_LIMIT:
			if ((a.time_limit = hpo_parse_duration(os.arg)) < 0) {
				hpo_opts_error(&tool, "--time-limit: '%s' is not a duration like 90, 90s, 15m or 2h",
					       os.arg);
				goto usage;
			}
			a.has_time_limit = 1;
			break;
		case OPT_REFRESH: a.refresh = 1; break;
		case OPT_SEED:
			if (hpo_opts_long(os.arg, 0, LONG_MAX, &a.seed) < 0) {
				hpo_opts_error(&tool, "--seed: '%s' is not a non-negative integer", os.arg);
				goto usage;
			}
			break;
		case OPT_LOAD_JSON: a.load_json = os.arg; break;
		case OPT_NICKNAME: a.nickname = os.arg; break;
		case OPT_NO_SUBMIT: a.no_submit = 1; break;
		case OPT_LIST_SANDBOX: a.list_sandbox = 1; break;
		case OPT_DUMP: a.dump = os.arg; break;
		case OPT_KILL:
		case OPT_FINISH:
		case OPT_RETRY:
		case OPT_PAUSE:
			if (parse_id(o->name, os.arg, &a.control_id) < 0)
				goto usage;
			a.op = o - options == OPT_KILL ? HPO_PANDA_KILL
			       : o - options == OPT_FINISH ? HPO_PANDA_FINISH
			       : o - options == OPT_RETRY ? HPO_PANDA_RETRY : HPO_PANDA_PAUSE;
			controls++;
			break;
		case OPT_SOFT: a.soft = 1; break;
		case OPT_NEW_PARAMS: a.new_params = os.arg; break;
		case OPT_JSON: a.json = 1; break;
		case OPT_VERBOSE: verbose = 1; break;
		}
	}
	a.local = com.local;
	a.db = com.db;
	a.ops = os.ops;
	a.nops = os.nops;
	hpo_log_init(argv[0], com.quiet ? HPO_LOG_QUIET : verbose ? HPO_LOG_VERBOSE : HPO_LOG_NORMAL);

	/* which mode, and do the options fit it: --resume without --local is
	 * the Grid's resume */
	if (a.resume > 0 && !a.local) {
		if (a.db || a.runtime || a.parallel || a.seed >= 0 || a.max_points || a.max_jobs ||
		    a.has_time_limit || a.refresh) {
			hpo_opts_error(&tool, "--resume ID without --local resumes the Grid task ID: "
					      "add --local to continue a local task");
			goto usage;
		}
		a.op = HPO_PANDA_RESUME;
		a.control_id = a.resume;
		a.resume = 0;
		controls++;
	}
	if (controls > 1) {
		hpo_opts_error(&tool, "give one of --kill, --finish, --retry, --pause and --resume");
		goto usage;
	}
	if (a.soft && !(controls && a.op == HPO_PANDA_FINISH)) {
		hpo_opts_error(&tool, "--soft goes with --finish");
		goto usage;
	}
	if (a.new_params && !(controls && a.op == HPO_PANDA_RETRY)) {
		hpo_opts_error(&tool, "--new-params goes with --retry");
		goto usage;
	}
	if (a.dump != NULL && strcmp(a.dump, "-") == 0 && a.json) {
		hpo_opts_error(&tool, "--dump-task-params - and --json would both write to standard output");
		goto usage;
	}
	if (a.list_sandbox && (a.local || controls || a.dump)) {
		hpo_opts_error(&tool, "--list-sandbox lists the files and stops: not with --local, "
				      "--dump-task-params, --kill, --finish, --retry, --pause or --resume");
		goto usage;
	}
	if (controls) {
		static const int opt_of[] = {
			[HPO_PANDA_KILL] = OPT_KILL, [HPO_PANDA_FINISH] = OPT_FINISH,
			[HPO_PANDA_RETRY] = OPT_RETRY, [HPO_PANDA_PAUSE] = OPT_PAUSE,
			[HPO_PANDA_RESUME] = OPT_RESUME,
		};
		if (a.local || a.nops || a.load_json || a.no_submit || a.dump || a.resume || a.nickname ||
		    a.db || a.runtime || a.parallel || a.seed >= 0 || a.max_points || a.max_jobs ||
		    a.has_time_limit || a.refresh) {
			hpo_opts_error(&tool, a.local && a.op != HPO_PANDA_RESUME
					      ? "--%s is for a Grid task, not --local"
					      : "--%s takes a task id; of the other options only --json, "
						"--quiet and --verbose apply", options[opt_of[a.op]].name);
			goto usage;
		}
		rc = run_control(&a);
	} else if (a.local) {
		if (a.no_submit || a.dump || a.nickname) {
			hpo_opts_error(&tool, "--no-submit, --dump-task-params and --nickname are for the Grid, not --local");
			goto usage;
		}
		if (a.resume > 0 && (a.nops != 0 || a.load_json)) {
			hpo_opts_error(&tool, "--resume takes no TASKFILE");
			goto usage;
		}
		if (a.resume == 0 && (a.nops > 1 || (a.nops == 0 && !a.load_json))) {
			hpo_opts_error(&tool, a.nops == 0 ? "missing TASKFILE" : "more than one TASKFILE");
			goto usage;
		}
		if (a.resume > 0 && a.seed >= 0) {
			hpo_opts_error(&tool, "--seed applies to a new task, not to --resume");
			goto usage;
		}
		if (a.resume == 0 && a.refresh) {
			hpo_opts_error(&tool, "--refresh-sandbox goes with --resume: a new task takes the files as they are");
			goto usage;
		}
		rc = run_local(&a);
	} else {
		if (a.resume || a.db || a.runtime || a.parallel || a.seed >= 0 || a.max_points ||
		    a.max_jobs || a.has_time_limit || a.refresh) {
			hpo_opts_error(&tool, "--db, --runtime, --parallel, --max-points, "
					      "--max-evaluation-jobs, --time-limit, --refresh-sandbox and "
					      "--seed go with --local");
			goto usage;
		}
		if (a.nops > 1 || (a.nops == 0 && !a.load_json)) {
			hpo_opts_error(&tool, a.nops == 0 ? "missing TASKFILE" : "more than one TASKFILE");
			goto usage;
		}
		rc = a.list_sandbox ? run_list(&a) : run_grid(&a);
	}
	free(a.cli);
	return rc;
usage:
	free(a.cli);
	return EXIT_USAGE;
}
