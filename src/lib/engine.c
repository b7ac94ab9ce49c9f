/* engine.c - the local engine's run loop */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "engine.h"
#include "file.h"
#include "jsontext.h"
#include "log.h"
#include "proc.h"
#include "sandbox.h"
#include "optim.h"
#include "steer.h"
#include "xmalloc.h"

enum job_kind { JOB_EVAL, JOB_STEER };

struct job {
	enum job_kind kind;
	pid_t pid;
	size_t point;		/* index into e->pts (evaluations) */
	int attempt;
	char *workdir;
	char *name;		/* container name */
	double started, deadline, kill_at;
	int timed_out;
	long want;		/* steering: points asked for */
	int leader_done;	/* the command ended, the rest of its group drains */
	int status;		/* the command's wait status, once leader_done */
};

struct engine {
	struct hpo_store *st;
	int64_t id;
	struct hpo_task *task;
	const struct hpo_runtime *rt;
	char *taskdir, *sandbox_dir;
	struct hpo_sandbox sb;
	struct hpo_point_row *pts;
	size_t npts, cappts;
	struct job *jobs;
	size_t njobs;
	int steering_done, steering_runs, steering_failures;
	char *steer_message;	/* why steering ended, in this run */
	char *last_failure;	/* why an evaluation failed last, in this run */
	long counted;		/* attempts that count towards max-evaluation-jobs */
	int stopping;		/* 1: SIGTERM sent to jobs; 2: SIGKILL */
	double stop_kill_at;
	double t0;
	int lockfd;
};

/* Signals reach the loop through a pipe (process settings: one engine
 * runs per process). */
static int sigpipe_fds[2] = {-1, -1};
static volatile sig_atomic_t got_stop;

static void
on_signal(int sig)
{
	int saved = errno;
	char c = (char)sig;

	if (sig != SIGCHLD)
		got_stop++;
	if (sigpipe_fds[1] >= 0)
		(void)!write(sigpipe_fds[1], &c, 1);
	errno = saved;
}

static int
install_signals(struct sigaction old[5], struct hpo_err *err)
{
	static const int sigs[4] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa, ign;

	if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return hpo_err_sys(err, "pipe");
	got_stop = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	/* a reader of our stdout or stderr that went away (| head -1) must not
	 * end the run: the write fails instead (evaluations get SIGPIPE back) */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old[4]);
	return 0;
}

static void
restore_signals(struct sigaction old[5])
{
	static const int sigs[4] = {SIGCHLD, SIGINT, SIGTERM, SIGHUP};

	for (int i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	sigaction(SIGPIPE, &old[4], NULL);
	close(sigpipe_fds[0]);
	close(sigpipe_fds[1]);
	sigpipe_fds[0] = sigpipe_fds[1] = -1;
}

static void
set_message(char **dst, const char *msg)
{
	free(*dst);
	*dst = msg ? xstrdup(msg) : NULL;
}

/* ---- registration --------------------------------------------------------- */

static int
steering_docker_args(const struct hpo_task *t)
{
	return t->steer.algorithm == NULL && t->steer.container == NULL && t->steer.exec != NULL &&
	       hpo_steer_exec_is_docker_args(t->steer.exec);
}

int
hpo_engine_check(const struct hpo_task *t, const struct hpo_runtime *rt, struct hpo_err *err)
{
	if (steering_docker_args(t) &&
	    (rt == NULL || (rt->kind != HPO_RT_DOCKER && rt->kind != HPO_RT_PODMAN)))
		return hpo_err_set(err, HPO_E_INPUT,
				   "steering.exec '%.60s%s' is the arguments of a docker command "
				   "(phpo's steeringExec without steeringContainer, which iDDS runs "
				   "as 'docker %.20s...'): run it here with --runtime docker or "
				   "--runtime podman, or give steering.container and the command "
				   "to run in it", t->steer.exec, strlen(t->steer.exec) > 60 ? "..." : "",
				   t->steer.exec + strspn(t->steer.exec, " \t"));
	return 0;
}

int
hpo_engine_create(struct hpo_store *st, const struct hpo_task *task, int64_t *id,
		  struct hpo_err *err)
{
	struct hpo_sandbox sb;
	char *spec, *taskdir = NULL, *sbdir = NULL, *dbdir = NULL;
	json_t *j;
	int rc = -1;

	j = hpo_task_to_json(task);
	spec = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	/* the database's own <db>.tasks/ (made and marked now, or refused when
	 * another database's) is left out of the sandbox */
	if (hpo_store_claim_task_dir(st, 0, 0, err) < 0) {
		free(spec);
		return -1;
	}
	dbdir = hpo_strf("%s.tasks", hpo_store_path(st));
	if (hpo_sandbox_collect(task->dir, dbdir, task->sandbox.include, task->sandbox.exclude, &sb,
				err) < 0) {
		free(spec);
		free(dbdir);
		return -1;
	}
	if (hpo_store_begin(st, err) < 0)
		goto out;
	if (hpo_store_task_create(st, task->name, spec, task->dir, id, err) < 0) {
		hpo_store_rollback(st);
		goto out;
	}
	taskdir = hpo_store_task_dir(st, *id, 0);
	sbdir = hpo_path_join(taskdir, "sandbox");
	/* a leftover directory of a task id that was rolled back before: in
	 * this database's own marked directory, so ours to remove */
	if (hpo_rmtree(taskdir, err) < 0 || hpo_mkdirs(sbdir, 0700, err) < 0 ||
	    hpo_sandbox_copy(&sb, task->dir, sbdir, err) < 0) {
		hpo_store_rollback(st);
		hpo_rmtree(taskdir, NULL);
		goto out;
	}
	if (hpo_store_commit(st, err) < 0) {
		hpo_store_rollback(st);
		hpo_rmtree(taskdir, NULL);
		goto out;
	}
	rc = 0;
out:
	hpo_sandbox_free(&sb);
	free(spec);
	free(taskdir);
	free(sbdir);
	free(dbdir);
	return rc;
}

/* ---- state ------------------------------------------------------------------ */

static size_t
count_status(const struct engine *e, const char *status)
{
	size_t n = 0;

	for (size_t i = 0; i < e->npts; i++)
		n += strcmp(e->pts[i].status, status) == 0;
	return n;
}

static size_t
running_evals(const struct engine *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->njobs; i++)
		n += e->jobs[i].kind == JOB_EVAL;
	return n;
}

static int
steering_running(const struct engine *e)
{
	for (size_t i = 0; i < e->njobs; i++)
		if (e->jobs[i].kind == JOB_STEER)
			return 1;
	return 0;
}

static const struct hpo_point_row *
best_point(const struct engine *e)
{
	const struct hpo_point_row *best = NULL;

	for (size_t i = 0; i < e->npts; i++)
		if (strcmp(e->pts[i].status, "finished") == 0 &&
		    (best == NULL || e->pts[i].loss < best->loss))
			best = &e->pts[i];
	return best;
}

static void
set_point_status(struct hpo_point_row *p, const char *status)
{
	free(p->status);
	p->status = xstrdup(status);
}

/* Lock the task against a second engine; the lock dies with the process. */
static int
lock_task(struct engine *e, struct hpo_err *err)
{
	char *path = hpo_path_join(e->taskdir, "lock");

	if (hpo_mkdirs(e->taskdir, 0700, err) < 0) {
		free(path);
		return -1;
	}
	e->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (e->lockfd < 0) {
		hpo_err_sys(err, "%s", path);
		free(path);
		return -1;
	}
	free(path);
	if (flock(e->lockfd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return hpo_err_set(err, HPO_E_BUSY,
					   "task %lld is being run by another hpo-submit",
					   (long long)e->id);
		return hpo_err_sys(err, "lock task %lld", (long long)e->id);
	}
	return 0;
}

/* After a crash: attempts that were running are interrupted (their stale
 * processes killed) and their points go back to pending. */
static int
recover(struct engine *e, struct hpo_err *err)
{
	struct hpo_attempt_row *a;
	size_t na;
	int rc = 0, changed = 0;

	if (hpo_store_attempts(e->st, e->id, -1, &a, &na, err) < 0)
		return -1;
	if (hpo_store_begin(e->st, err) < 0) {
		hpo_attempt_rows_free(a, na);
		return -1;
	}
	for (size_t i = 0; i < na && rc == 0; i++) {
		if (strcmp(a[i].status, "running") != 0)
			continue;
		if (a[i].pid > 0 && a[i].pstart != 0 &&
		    hpo_proc_starttime((pid_t)a[i].pid) == a[i].pstart) {
			hpo_info("point %lld attempt %d: stopping its leftover process %ld",
				 (long long)a[i].point, a[i].n, a[i].pid);
			killpg((pid_t)a[i].pid, SIGKILL);
		}
		set_message(&a[i].message, "interrupted: the run was stopped");
		free(a[i].status);
		a[i].status = strdup("interrupted");
		a[i].ended = hpo_now();
		rc = hpo_store_attempt_put(e->st, e->id, &a[i], err);
		for (size_t k = 0; k < e->npts && rc == 0; k++) {
			struct hpo_point_row *p = &e->pts[k];
			if (p->id != a[i].point)
				continue;
			if (p->attempts > 0)
				p->attempts--;
			if (strcmp(p->status, "running") == 0)
				set_point_status(p, "pending");
			rc = hpo_store_point_update(e->st, e->id, p, err);
		}
		changed = 1;
	}
	/* a point marked running with no running attempt (killed between writes) */
	for (size_t k = 0; k < e->npts && rc == 0; k++) {
		if (strcmp(e->pts[k].status, "running") == 0) {
			set_point_status(&e->pts[k], "pending");
			rc = hpo_store_point_update(e->st, e->id, &e->pts[k], err);
			changed = 1;
		}
	}
	hpo_attempt_rows_free(a, na);
	if (rc < 0) {
		hpo_store_rollback(e->st);
		return -1;
	}
	if (hpo_store_commit(e->st, err) < 0)
		return -1;
	if (changed)
		hpo_info("task %lld: interrupted attempts will run again", (long long)e->id);
	return 0;
}

/* ---- jobs ------------------------------------------------------------------- */

static struct job *
add_job(struct engine *e)
{
	struct job *j;

	e->jobs = xreallocarray(e->jobs, e->njobs + 1, sizeof(*j));
	j = &e->jobs[e->njobs++];
	memset(j, 0, sizeof(*j));
	return j;
}

static void
drop_job(struct engine *e, size_t i)
{
	free(e->jobs[i].workdir);
	free(e->jobs[i].name);
	e->jobs[i] = e->jobs[--e->njobs];
}

static const char *
image_for_job(const struct engine *e, const struct job *j)
{
	return j->kind == JOB_EVAL ? e->task->eval.container : e->task->steer.container;
}

static void
fill_command(const struct engine *e, const struct job *j, struct hpo_command *cmd, char *log,
	     const char *shell, const char *const *env)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->dir = j->workdir;
	cmd->shell = shell;
	cmd->image = image_for_job(e, j);
	cmd->rt = cmd->image != NULL ? e->rt : NULL;
	cmd->log = log;
	cmd->name = j->name;
	cmd->env = env;
}

/* A file of a run's working directory: written in place, not synced, as
 * the directory is removed and made again whenever its run starts (after
 * a crash too). */
static int
write_json(const char *path, const json_t *v, struct hpo_err *err)
{
	char *text = hpo_json_text(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER, 0);
	int rc;

	rc = hpo_file_write(path, text, strlen(text), 0644, err);
	free(text);
	return rc;
}

/* Where hpo-ckpt keeps a point's checkpoints (HPO_CKPT_URL, and the
 * directory bound into its container): one directory for every attempt at
 * the point, so that a retried attempt finds what its predecessor saved.
 * A point of a trial (a multi-fidelity task, hpo-task(5)) has its trial's
 * directory, shared by the trial's points, so that a point that continues
 * the trial's earlier one finds what that one saved last.  The trial's
 * name was checked when the point came in; it is checked again here, as
 * it becomes a path. */
static char *
checkpoint_dir(const struct engine *e, const struct hpo_point_row *p, struct hpo_err *err)
{
	const json_t *t = json_object_get(p->params, HPO_KEY_TRIAL);

	if (t == NULL)
		return hpo_strf("%s/checkpoints/%lld", e->taskdir, (long long)p->id);
	if (!json_is_string(t) || !hpo_trial_name_ok(json_string_value(t))) {
		hpo_err_set(err, HPO_E_INPUT, "task %lld point %lld: %s is not a trial name",
			    (long long)e->id, (long long)p->id, HPO_KEY_TRIAL);
		return NULL;
	}
	return hpo_strf("%s/checkpoints/%s", e->taskdir, json_string_value(t));
}

static int
launch_eval(struct engine *e, size_t idx, struct hpo_err *err)
{
	struct hpo_point_row *p = &e->pts[idx];
	struct hpo_attempt_row a;
	struct hpo_command cmd;
	char *log = NULL, *input = NULL, *tdata = NULL, *ckdir = NULL, *ckenv = NULL;
	char *inenv = NULL;
	char envbuf[4][96];
	const char *env[7];
	struct job *j;
	int n = 1, rc = -1;
	pid_t pid;

	/* the next attempt number: one more than any recorded */
	{
		struct hpo_attempt_row *prev;
		size_t np;
		if (hpo_store_attempts(e->st, e->id, p->id, &prev, &np, err) < 0)
			return -1;
		for (size_t i = 0; i < np; i++)
			if (prev[i].n >= n)
				n = prev[i].n + 1;
		hpo_attempt_rows_free(prev, np);
	}
	j = add_job(e);
	j->kind = JOB_EVAL;
	j->point = idx;
	j->attempt = n;
	j->workdir = hpo_strf("%s/points/%lld/attempt-%d", e->taskdir, (long long)p->id, n);
	j->name = hpo_strf("hpo-%lld-%lld-%d-%ld", (long long)e->id, (long long)p->id, n,
			   (long)getpid());
	log = hpo_path_join(j->workdir, "job.log");
	input = hpo_path_join(j->workdir, e->task->eval.input);
	/* a fresh working directory with the task's files and the point */
	if (hpo_rmtree(j->workdir, err) < 0 || hpo_mkdirs(j->workdir, 0755, err) < 0 ||
	    hpo_sandbox_copy(&e->sb, e->sandbox_dir, j->workdir, err) < 0 ||
	    write_json(input, p->params, err) < 0)
		goto fail;
	if (e->task->eval.training_files != NULL) {
		tdata = hpo_path_join(j->workdir, e->task->eval.training_data);
		if (write_json(tdata, e->task->eval.training_files, err) < 0)
			goto fail;
	}
	snprintf(envbuf[0], sizeof(envbuf[0]), "HPO_TASK_ID=%lld", (long long)e->id);
	snprintf(envbuf[1], sizeof(envbuf[1]), "HPO_POINT_ID=%lld", (long long)p->id);
	snprintf(envbuf[2], sizeof(envbuf[2]), "HPO_ATTEMPT=%d", n);
	snprintf(envbuf[3], sizeof(envbuf[3]), "HPO_MAX_ATTEMPTS=%d", HPO_MAX_ATTEMPTS);
	for (int i = 0; i < 4; i++)
		env[i] = envbuf[i];
	if ((ckdir = checkpoint_dir(e, p, err)) == NULL)
		goto fail;
	ckenv = hpo_strf("HPO_CKPT_URL=file://%s", ckdir);
	if (hpo_mkdirs(ckdir, 0700, err) < 0)
		goto fail;
	env[4] = ckenv;
	/* the point's file, relative to the working directory: hpo-ckpt reads
	 * a multi-fidelity point's trial from it */
	inenv = hpo_strf("HPO_INPUT=%s", e->task->eval.input);
	env[5] = inenv;
	env[6] = NULL;

	/* record the attempt before the process exists: a crash in between
	 * leaves an attempt marked running that resume treats as interrupted */
	j->started = hpo_now();
	memset(&a, 0, sizeof(a));
	a.point = p->id;
	a.n = n;
	a.status = "running";
	a.workdir = j->workdir;
	a.started = j->started;
	p->attempts++;
	if (p->started == 0)
		p->started = j->started;
	set_point_status(p, "running");
	if (hpo_store_begin(e->st, err) < 0)
		goto fail;
	if (hpo_store_attempt_put(e->st, e->id, &a, err) < 0 ||
	    hpo_store_point_update(e->st, e->id, p, err) < 0 || hpo_store_commit(e->st, err) < 0) {
		hpo_store_rollback(e->st);
		goto fail;
	}
	e->counted++;
	fill_command(e, j, &cmd, log, e->task->eval.exec, env);
	cmd.state = ckdir;
	if (hpo_spawn(&cmd, &pid, err) < 0)
		goto fail;
	j->pid = pid;
	j->deadline = e->task->eval.time_limit > 0 ? j->started + e->task->eval.time_limit : 0;
	a.pid = pid;
	a.pstart = hpo_proc_starttime(pid);
	if (hpo_store_attempt_put(e->st, e->id, &a, err) < 0)
		goto fail;
	hpo_debug("point %lld attempt %d: started in %s", (long long)p->id, n, j->workdir);
	rc = 0;
	goto out;
fail:
	if (j->pid > 0)
		killpg(j->pid, SIGKILL);
	drop_job(e, e->njobs - 1);
out:
	free(log);
	free(input);
	free(tdata);
	free(ckdir);
	free(ckenv);
	free(inenv);
	return rc;
}

static json_t *
history_json(const struct engine *e)
{
	json_t *h = json_array();

	for (size_t i = 0; i < e->npts; i++) {
		const struct hpo_point_row *p = &e->pts[i];
		json_t *loss = p->has_loss ? json_real(p->loss) : json_null();
		json_array_append_new(h, json_pack("[O, o]", p->params, loss));
	}
	return h;
}

static int
add_points(struct engine *e, json_t *list, struct hpo_err *err)
{
	size_t n = json_array_size(list), i;
	double now = hpo_now();
	json_t *item;

	if (e->npts + n > e->cappts) {
		size_t cap = e->cappts ? e->cappts : 64;
		while (cap < e->npts + n)
			cap *= 2;
		e->pts = xreallocarray(e->pts, cap, sizeof(*e->pts));
		e->cappts = cap;
	}
	if (hpo_store_begin(e->st, err) < 0)
		return -1;
	json_array_foreach(list, i, item) {
		int64_t id = e->npts + i + 1;
		if (hpo_store_point_add(e->st, e->id, id, item, now, err) < 0) {
			hpo_store_rollback(e->st);
			return -1;
		}
	}
	if (hpo_store_task_set_steering(e->st, e->id, e->steering_done, e->steering_runs,
					e->steering_failures, err) < 0 ||
	    hpo_store_commit(e->st, err) < 0) {
		hpo_store_rollback(e->st);
		return -1;
	}
	json_array_foreach(list, i, item) {
		struct hpo_point_row *p = &e->pts[e->npts++];
		memset(p, 0, sizeof(*p));
		p->id = (int64_t)e->npts;
		p->params = json_incref(item);
		p->status = xstrdup("pending");
		p->created = now;
	}
	return 0;
}

static int
save_steering(struct engine *e, struct hpo_err *err)
{
	return hpo_store_task_set_steering(e->st, e->id, e->steering_done, e->steering_runs,
					   e->steering_failures, err);
}

static void
steering_ended(struct engine *e, const char *why)
{
	e->steering_done = 1;
	set_message(&e->steer_message, why);
	hpo_info("steering: %s", why);
}

/* The steering run's shell command.  Docker's arguments run as iDDS runs
 * them: the runtime's client with the arguments, in the run's directory
 * (mounted by the arguments' own "$(pwd)"), %IN and %OUT as file names in it. */
static char *
steering_shell(const struct engine *e, const char *in, const char *out, long want)
{
	const struct hpo_task *t = e->task;
	char *args, *shell;

	if (!steering_docker_args(t))
		return hpo_steer_command(t->steer.exec, in, out, want, t->budget.max_points);
	args = hpo_steer_command(t->steer.exec, "input.json", "output.json", want,
				 t->budget.max_points);
	shell = hpo_strf("'%s' %s", e->rt->path, args);
	free(args);
	return shell;
}

static int
ask_steering(struct engine *e, long want, struct hpo_err *err)
{
	const struct hpo_task *t = e->task;

	if (t->steer.algorithm != NULL) {
		/* built in: the code hpo-steer runs, in this process */
		json_t *pts, *hist = history_json(e);
		int rc;
		rc = hpo_optim_propose(t->steer.algorithm, t->space, hist, want,
				       t->budget.max_points, t->steer.seed, t->steer.settings, &pts,
				       err);
		json_decref(hist);
		if (rc < 0)
			return -1;
		e->steering_runs++;
		if (json_array_size(pts) == 0)
			steering_ended(e, strcmp(t->steer.algorithm, "grid") == 0 ?
				       "the grid is exhausted" : "the algorithm proposed no more points");
		rc = add_points(e, pts, err);
		json_decref(pts);
		return rc;
	}

	/* the user's steering command, run like an evaluation */
	struct hpo_command cmd;
	struct job *j;
	char *in = NULL, *out = NULL, *log = NULL, *shell = NULL;
	json_t *doc = NULL, *hist;
	int rc = -1;
	pid_t pid;

	j = add_job(e);
	j->kind = JOB_STEER;
	j->want = want;
	j->attempt = ++e->steering_runs;
	j->workdir = hpo_strf("%s/steering/run-%d", e->taskdir, j->attempt);
	j->name = hpo_strf("hpo-%lld-steer-%d-%ld", (long long)e->id, j->attempt, (long)getpid());
	in = hpo_path_join(j->workdir, "input.json");
	out = hpo_path_join(j->workdir, "output.json");
	log = hpo_path_join(j->workdir, "steering.log");
	shell = steering_shell(e, in, out, want);
	hist = history_json(e);
	doc = hpo_steer_input(hist, t->space);
	json_decref(hist);
	if (hpo_rmtree(j->workdir, err) < 0 || hpo_mkdirs(j->workdir, 0755, err) < 0 ||
	    hpo_sandbox_copy(&e->sb, e->sandbox_dir, j->workdir, err) < 0 ||
	    write_json(in, doc, err) < 0 || save_steering(e, err) < 0)
		goto fail;
	fill_command(e, j, &cmd, log, shell, NULL);
	if (hpo_spawn(&cmd, &pid, err) < 0)
		goto fail;
	j->pid = pid;
	j->started = hpo_now();
	hpo_debug("steering run %d: %s", j->attempt, shell);
	rc = 0;
	goto out;
fail:
	drop_job(e, e->njobs - 1);
out:
	json_decref(doc);
	free(in);
	free(out);
	free(log);
	free(shell);
	return rc;
}

/* ---- results ------------------------------------------------------------------ */

/* The last line a command wrote that says something (its job.log holds
 * stdout and stderr), at most 300 bytes of it; NULL when there is none. */
#define LOG_TAIL 4096
#define LOG_LINE 300

static char *
log_last_line(const char *path)
{
	char buf[LOG_TAIL + 1], *end, *start;
	ssize_t n;
	off_t size;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	size = lseek(fd, 0, SEEK_END);
	if (size < 0 || lseek(fd, size > LOG_TAIL ? size - LOG_TAIL : 0, SEEK_SET) < 0 ||
	    (n = read(fd, buf, LOG_TAIL)) <= 0) {
		close(fd);
		return NULL;
	}
	close(fd);
	buf[n] = '\0';
	end = buf + n;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' ||
			     end[-1] == '\t'))
		*--end = '\0';
	if (end == buf)
		return NULL;
	start = end;
	while (start > buf && start[-1] != '\n')
		start--;
	while (*start == ' ' || *start == '\t')
		start++;
	if (strlen(start) > LOG_LINE)
		start[LOG_LINE] = '\0';
	return strdup(start);
}

/* Why a command that exited badly failed: its wait status and what it said
 * last ("exited with status 2: python3: can't open file ..."). */
static int
describe_failure(const char *workdir, const char *logname, int status, struct hpo_err *why)
{
	char desc[128], *path = hpo_path_join(workdir, logname), *last = NULL;

	hpo_wait_describe(status, desc, sizeof(desc));
	if (path != NULL)
		last = log_last_line(path);
	free(path);
	hpo_err_set(why, HPO_E_INPUT, "%s%s%s", desc, last ? ": " : "", last ? last : "");
	free(last);
	return -1;
}

/* output.json "intermediate": the losses the evaluation reported on its
 * way (per epoch, say), for learning curves: a list of numbers, or absent. */
#define MAX_INTERMEDIATE 100000

/* Python's json writes a diverged loss bare: NaN, Infinity, -Infinity, which
 * JSON (and jansson) reject.  Outside strings they become the strings
 * "NaN", "Infinity", "-Infinity", which is how the iDDS history and
 * hpo-plot read them; everything else is left to the JSON parser. */
static char *
quote_nonfinite(const char *text, size_t len)
{
	static const char *const words[] = {"-Infinity", "Infinity", "NaN"};
	char *out = xmalloc(2 * len + 1), *o = out;
	int in_string = 0;

	for (size_t i = 0; i < len;) {
		size_t w = 0, n = 0;
		if (in_string) {
			if (text[i] == '\\' && i + 1 < len)
				*o++ = text[i++];
			else if (text[i] == '"')
				in_string = 0;
			*o++ = text[i++];
			continue;
		}
		if (text[i] == '"') {
			in_string = 1;
			*o++ = text[i++];
			continue;
		}
		for (w = 0; w < 3; w++) {
			n = strlen(words[w]);
			if (len - i >= n && memcmp(text + i, words[w], n) == 0 &&
			    (i + n == len || !isalnum((unsigned char)text[i + n])) &&
			    (i == 0 || !isalnum((unsigned char)text[i - 1])))
				break;
		}
		if (w == 3) {
			*o++ = text[i++];
			continue;
		}
		*o++ = '"';
		memcpy(o, words[w], n);
		o += n;
		*o++ = '"';
		i += n;
	}
	*o = '\0';
	return out;
}

/* NaN, Infinity or -Infinity as quote_nonfinite wrote them */
static int
nonfinite_string(const json_t *v, double *x)
{
	const char *s = json_string_value(v);

	if (s == NULL)
		return 0;
	if (strcmp(s, "NaN") == 0)
		*x = NAN;
	else if (strcmp(s, "Infinity") == 0)
		*x = INFINITY;
	else if (strcmp(s, "-Infinity") == 0)
		*x = -INFINITY;
	else
		return 0;
	return 1;
}

static int
check_intermediate(const struct engine *e, const json_t *v, struct hpo_err *why)
{
	size_t i;
	const json_t *x;
	double d;

	if (!json_is_array(v))
		return hpo_err_set(why, HPO_E_INPUT, "%s: \"intermediate\" is not a list of numbers",
				   e->task->eval.output);
	if (json_array_size(v) > MAX_INTERMEDIATE)
		return hpo_err_set(why, HPO_E_INPUT, "%s: \"intermediate\" has more than %d values",
				   e->task->eval.output, MAX_INTERMEDIATE);
	json_array_foreach(v, i, x)
		if (!json_is_number(x) && !nonfinite_string(x, &d))
			return hpo_err_set(why, HPO_E_INPUT,
					   "%s: \"intermediate\"[%zu] is not a number",
					   e->task->eval.output, i);
	return 0;
}

#define RESULT_RETRY (-1)	/* the attempt failed; the point may try again */
#define RESULT_FAILED (-2)	/* the point failed for good: its loss says so */

/* Read the evaluation's output file: 0 with *loss (and *inter, a new
 * reference or NULL); RESULT_RETRY with why; RESULT_FAILED with why and
 * *loss when the loss is NaN, infinite or 1e5 or more: iDDS and the
 * steering take such a loss for a failed point, so it fails at once. */
static int
read_result(const struct engine *e, const struct job *j, double *loss, json_t **inter,
	    char **msg, struct hpo_err *why)
{
	char *path = hpo_path_join(j->workdir, e->task->eval.output), *text = NULL, *quoted;
	json_error_t jerr;
	json_t *o, *st, *l, *m;
	size_t len;
	double x;

	*msg = NULL;
	*inter = NULL;
	if (access(path, F_OK) < 0) {
		hpo_err_set(why, HPO_E_INPUT, "no %s written", e->task->eval.output);
		free(path);
		return RESULT_RETRY;
	}
	if (hpo_file_read(path, 64 << 20, &text, &len, why) < 0) {
		free(path);
		return RESULT_RETRY;
	}
	free(path);
	quoted = quote_nonfinite(text, len);
	free(text);
	o = json_loads(quoted, JSON_REJECT_DUPLICATES, &jerr);
	free(quoted);
	if (o == NULL)
		return hpo_err_set(why, HPO_E_INPUT, "%s:%d:%d: %s", e->task->eval.output, jerr.line,
				   jerr.column, jerr.text);
	if (!json_is_object(o)) {
		json_decref(o);
		return hpo_err_set(why, HPO_E_INPUT, "%s: not a JSON object", e->task->eval.output);
	}
	st = json_object_get(o, "status");
	l = json_object_get(o, "loss");
	m = json_object_get(o, "message");
	if (json_is_string(m) && *json_string_value(m))
		*msg = strdup(json_string_value(m));
	if (st != NULL && !(json_is_integer(st) && json_integer_value(st) == 0)) {
		char *t = json_dumps(st, JSON_ENCODE_ANY);
		hpo_err_set(why, HPO_E_INPUT, "%s: status %s%s%s", e->task->eval.output,
			    t ? t : "?", *msg ? ": " : "", *msg ? *msg : "");
		free(t);
		json_decref(o);
		return RESULT_RETRY;
	}
	if (nonfinite_string(l, &x) || (json_is_number(l) && json_number_value(l) >= HPO_FAILED_LOSS)) {
		char num[32];
		if (json_is_number(l)) {
			x = json_number_value(l);
			snprintf(num, sizeof(num), "%g", x);
		} else {
			snprintf(num, sizeof(num), "%s", json_string_value(l));
		}
		hpo_err_set(why, HPO_E_INPUT, "%s: loss %s: a loss that is not finite, or %g or "
			    "more, fails the point at once, as in iDDS", e->task->eval.output, num,
			    HPO_FAILED_LOSS);
		*loss = isfinite(x) ? x : HPO_FAILED_LOSS;
		json_decref(o);
		return RESULT_FAILED;
	}
	if (!json_is_number(l)) {
		hpo_err_set(why, HPO_E_INPUT, "%s: no numeric \"loss\"", e->task->eval.output);
		json_decref(o);
		return RESULT_RETRY;
	}
	if (json_object_get(o, "intermediate") != NULL) {
		if (check_intermediate(e, json_object_get(o, "intermediate"), why) < 0) {
			json_decref(o);
			return RESULT_RETRY;
		}
		*inter = json_incref(json_object_get(o, "intermediate"));
	}
	*loss = json_number_value(l);
	json_decref(o);
	return 0;
}

static int
finish_eval(struct engine *e, struct job *j, int status, struct hpo_err *err)
{
	struct hpo_point_row *p = &e->pts[j->point];
	struct hpo_attempt_row a;
	struct hpo_err why = {0};
	char *msg = NULL;
	json_t *inter = NULL;
	double loss = 0, now = hpo_now();
	int ok, result = RESULT_RETRY;

	/* what the command left running in its group goes too */
	killpg(j->pid, SIGKILL);
	memset(&a, 0, sizeof(a));
	a.point = p->id;
	a.n = j->attempt;
	a.pid = j->pid;
	a.workdir = j->workdir;
	a.started = j->started;
	a.ended = now;
	if (e->stopping && !j->timed_out) {
		/* stopped by us: does not count, runs again on resume */
		a.status = "interrupted";
		a.message = "interrupted: the run was stopped";
		p->attempts--;
		e->counted--;
		set_point_status(p, "pending");
		if (hpo_store_begin(e->st, err) < 0)
			return -1;
		if (hpo_store_attempt_put(e->st, e->id, &a, err) < 0 ||
		    hpo_store_point_update(e->st, e->id, p, err) < 0 ||
		    hpo_store_commit(e->st, err) < 0) {
			hpo_store_rollback(e->st);
			return -1;
		}
		return 0;
	}
	if (j->timed_out) {
		ok = hpo_err_set(&why, HPO_E_INPUT, "time limit of %gs exceeded",
				 e->task->eval.time_limit) == 0;
	} else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		ok = describe_failure(j->workdir, "job.log", status, &why) == 0;
	} else {
		result = read_result(e, j, &loss, &inter, &msg, &why);
		ok = result == 0;
	}
	if (ok) {
		a.status = "finished";
		a.loss = loss;
		a.has_loss = 1;
		a.message = msg;
		p->loss = loss;
		p->has_loss = 1;
		p->ended = now;
		json_decref(p->intermediate);
		p->intermediate = inter;
		set_message(&p->message, msg);
		set_point_status(p, "finished");
		hpo_info("point %lld: loss %.6g (%.1fs)", (long long)p->id, loss, now - j->started);
	} else {
		a.status = "failed";
		a.message = why.msg;
		set_message(&e->last_failure, why.msg);
		hpo_info("point %lld attempt %d failed: %s (see %s/job.log)", (long long)p->id,
			 j->attempt, why.msg, j->workdir);
		if (result == RESULT_FAILED) {
			/* no retry: the evaluation ran and reported a failed loss */
			a.loss = loss;
			a.has_loss = 1;
			p->loss = loss;
			p->has_loss = 1;
			p->ended = now;
			set_message(&p->message, why.msg);
			set_point_status(p, "failed");
		} else if (p->attempts >= HPO_MAX_ATTEMPTS) {
			char *m = hpo_strf("failed %d attempts, last: %s", p->attempts, why.msg);
			p->loss = HPO_FAILED_LOSS;
			p->has_loss = 1;
			p->ended = now;
			set_message(&p->message, m);
			free(m);
			set_point_status(p, "failed");
		} else {
			set_message(&p->message, why.msg);
			set_point_status(p, "pending");
		}
	}
	if (hpo_store_begin(e->st, err) < 0) {
		free(msg);
		return -1;
	}
	if (hpo_store_attempt_put(e->st, e->id, &a, err) < 0 ||
	    hpo_store_point_update(e->st, e->id, p, err) < 0 || hpo_store_commit(e->st, err) < 0) {
		hpo_store_rollback(e->st);
		free(msg);
		return -1;
	}
	free(msg);
	return 0;
}

static int
finish_steer(struct engine *e, struct job *j, int status, struct hpo_err *err)
{
	const struct hpo_task *t = e->task;
	struct hpo_err why = {0};
	char *out;
	json_t *pts = NULL;
	long room = t->budget.max_points - (long)e->npts;
	int bad;

	killpg(j->pid, SIGKILL);
	if (e->stopping)
		return save_steering(e, err);
	out = hpo_path_join(j->workdir, "output.json");
	if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		bad = describe_failure(j->workdir, "steering.log", status, &why);
	else
		bad = hpo_steer_read_output(out, t->space, room, &pts, &why);
	free(out);
	if (bad < 0) {
		e->steering_failures++;
		hpo_info("steering run %d failed: %s (see %s/steering.log)", j->attempt, why.msg,
			 j->workdir);
		if (e->steering_failures >= HPO_MAX_ATTEMPTS) {
			char *m = hpo_strf("steering failed %d times, last: %s",
					   e->steering_failures, why.msg);
			steering_ended(e, m ? m : why.msg);
			free(m);
		}
		return save_steering(e, err);
	}
	if (pts == NULL) {
		steering_ended(e, "the steering command wrote no output: search ended");
		return save_steering(e, err);
	}
	if (json_array_size(pts) == 0)
		steering_ended(e, "the steering command proposed no more points");
	int rc = add_points(e, pts, err);
	json_decref(pts);
	return rc;
}

/* ---- changes on resume -------------------------------------------------------- */

struct point_tally {
	size_t n, cancelled;
	long attempts;
};

static int
tally_points(struct hpo_store *st, int64_t id, struct point_tally *pt, struct hpo_point_row **rows,
	     struct hpo_err *err)
{
	struct hpo_point_row *p;

	memset(pt, 0, sizeof(*pt));
	if (hpo_store_points(st, id, &p, &pt->n, err) < 0)
		return -1;
	for (size_t i = 0; i < pt->n; i++) {
		pt->cancelled += strcmp(p[i].status, "cancelled") == 0;
		pt->attempts += p[i].attempts;
	}
	if (rows != NULL)
		*rows = p;
	else
		hpo_point_rows_free(p, pt->n);
	return 0;
}

static int
has_changes(const struct hpo_run_opts *o)
{
	return o != NULL && (o->parallel > 0 || o->max_points > 0 || o->max_evaluation_jobs > 0 ||
			     o->has_time_limit);
}

int
hpo_engine_reopens(struct hpo_store *st, int64_t id, const struct hpo_run_opts *o)
{
	struct point_tally pt;
	struct hpo_err err = {0};

	if (o == NULL || (o->max_points <= 0 && o->max_evaluation_jobs <= 0) ||
	    tally_points(st, id, &pt, NULL, &err) < 0)
		return 0;
	return o->max_points > (long)pt.n || (pt.cancelled > 0 && o->max_evaluation_jobs > pt.attempts);
}

/* budget.KEY or evaluation.KEY := v, said once */
static void
change_long(int64_t id, json_t *section, const char *name, const char *key, long v)
{
	long old = (long)json_integer_value(json_object_get(section, key));

	if (old == v)
		return;
	json_object_set_new(section, key, json_integer(v));
	hpo_info("task %lld: %s.%s %ld -> %ld", (long long)id, name, key, old, v);
}

/* The options of --resume into the stored spec (checked as a task file is),
 * and an ended task given more to do opened again: steering is asked again
 * when there is room for points, cancelled points are pending again. */
static int
apply_changes(struct engine *e, struct hpo_task_row *row, const struct hpo_run_opts *o,
	      struct hpo_err *err)
{
	struct point_tally pt;
	struct hpo_point_row *pts = NULL;
	struct hpo_task *check = NULL;
	json_t *spec, *b, *ev;
	char *text = NULL;
	int rc = -1;

	if (!has_changes(o))
		return 0;
	if ((spec = json_loads(row->spec, 0, NULL)) == NULL ||
	    !json_is_object(b = json_object_get(spec, "budget")) ||
	    !json_is_object(ev = json_object_get(spec, "evaluation"))) {
		json_decref(spec);
		return hpo_err_set(err, HPO_E_SYS, "task %lld: stored spec is damaged", (long long)e->id);
	}
	if (tally_points(e->st, e->id, &pt, &pts, err) < 0)
		goto out;
	long old_mp = (long)json_integer_value(json_object_get(b, "max-points"));
	long old_mej = (long)json_integer_value(json_object_get(b, "max-evaluation-jobs"));
	if (o->max_points > 0) {
		if (o->max_points < (long)pt.n) {
			hpo_err_set(err, HPO_E_INPUT, "--max-points %ld: task %lld already has %zu points",
				    o->max_points, (long long)e->id, pt.n);
			goto out;
		}
		change_long(e->id, b, "budget", "max-points", o->max_points);
		/* the default ratio of evaluation jobs to points goes with them */
		if (o->max_evaluation_jobs <= 0 && o->max_points > old_mp)
			change_long(e->id, b, "budget", "max-evaluation-jobs",
				    old_mej + 2 * (o->max_points - old_mp));
	}
	if (o->max_evaluation_jobs > 0)
		change_long(e->id, b, "budget", "max-evaluation-jobs", o->max_evaluation_jobs);
	if (o->parallel > 0)
		change_long(e->id, b, "budget", "parallel-evaluations", o->parallel);
	if (o->has_time_limit) {
		double old = json_number_value(json_object_get(ev, "time-limit"));
		if (o->time_limit > 0)
			json_object_set_new(ev, "time-limit", json_real(o->time_limit));
		else
			json_object_del(ev, "time-limit");
		char was[32] = "none", now[32] = "none";
		if (old > 0)
			snprintf(was, sizeof(was), "%gs", old);
		if (o->time_limit > 0)
			snprintf(now, sizeof(now), "%gs", o->time_limit);
		if (strcmp(was, now) != 0)
			hpo_info("task %lld: evaluation.time-limit %s -> %s", (long long)e->id, was, now);
	}
	if (hpo_task_from_json(NULL, spec, row->dir, &check, err) < 0) {
		hpo_err_prefix(err, "task %lld", (long long)e->id);
		goto out;
	}
	text = json_dumps(spec, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (hpo_store_begin(e->st, err) < 0)
		goto out;
	int more_points = check->budget.max_points > (long)pt.n;
	if (hpo_store_task_set_spec(e->st, e->id, text, err) < 0 ||
	    (more_points && row->steering_done &&
	     hpo_store_task_set_steering(e->st, e->id, 0, row->steering_runs, 0, err) < 0))
		goto rollback;
	if (more_points && row->steering_done) {
		row->steering_done = row->steering_failures = 0;
		hpo_info("task %lld: steering is asked for points again", (long long)e->id);
	}
	if (check->budget.max_evaluation_jobs > pt.attempts)
		for (size_t i = 0; i < pt.n; i++) {
			if (strcmp(pts[i].status, "cancelled") != 0)
				continue;
			free(pts[i].status);
			free(pts[i].message);
			pts[i].message = NULL;
			pts[i].ended = 0;
			pts[i].status = xstrdup("pending");
			if (hpo_store_point_update(e->st, e->id, &pts[i], err) < 0)
				goto rollback;
		}
	if (hpo_store_commit(e->st, err) < 0)
		goto rollback;
	free(row->spec);
	row->spec = text;
	text = NULL;
	rc = 0;
	goto out;
rollback:
	hpo_store_rollback(e->st);
out:
	hpo_point_rows_free(pts, pt.n);
	hpo_task_free(check);
	json_decref(spec);
	free(text);
	return rc;
}

/* Do two files hold the same bytes? */
static int
same_file(const char *a, const char *b)
{
	char *x = NULL, *y = NULL;
	size_t nx, ny;
	int same = hpo_file_read(a, HPO_SANDBOX_MAX, &x, &nx, NULL) == 0 &&
		   hpo_file_read(b, HPO_SANDBOX_MAX, &y, &ny, NULL) == 0 && nx == ny &&
		   memcmp(x, y, nx) == 0;

	free(x);
	free(y);
	return same;
}

static void
list_add(char *buf, size_t len, const char *what, const char *file, const char **last)
{
	size_t at = strlen(buf);

	if (at + strlen(file) + 16 >= len)
		return;
	snprintf(buf + at, len - at, "%s%s%s", *last == what ? ", " : *last ? "; " : "",
		 *last == what ? "" : what, file);
	*last = what;
}

/* --refresh-sandbox: the task directory's files as they are now replace the
 * snapshot taken at creation (a bug fixed in train.py), said with what
 * changed; the points run so far keep the results of the old files. */
static int
refresh_sandbox(struct engine *e, struct hpo_err *err)
{
	struct hpo_sandbox sb;
	char *fresh = hpo_strf("%s.new", e->sandbox_dir), *old = hpo_strf("%s.old", e->sandbox_dir);
	char *dbdir = hpo_strf("%s.tasks", hpo_store_path(e->st)), what[1024] = "";
	const char *last = NULL;
	size_t i = 0, k = 0;
	int rc = -1;

	if (hpo_sandbox_collect(e->task->dir, dbdir, e->task->sandbox.include,
				e->task->sandbox.exclude, &sb, err) < 0) {
		hpo_err_prefix(err, "--refresh-sandbox");
		goto out;
	}
	if (hpo_rmtree(fresh, err) < 0 || hpo_rmtree(old, err) < 0 ||
	    hpo_sandbox_copy(&sb, e->task->dir, fresh, err) < 0)
		goto out_sb;
	/* what changed, files in sorted order on both sides */
	while (i < e->sb.n || k < sb.n) {
		int c = i == e->sb.n ? 1 : k == sb.n ? -1 : strcmp(e->sb.files[i], sb.files[k]);
		if (c < 0) {
			list_add(what, sizeof(what), "removed: ", e->sb.files[i++], &last);
		} else if (c > 0) {
			list_add(what, sizeof(what), "added: ", sb.files[k++], &last);
		} else {
			char *a = hpo_path_join(e->sandbox_dir, e->sb.files[i]);
			char *b = hpo_path_join(fresh, sb.files[k]);
			if (a != NULL && b != NULL && !same_file(a, b))
				list_add(what, sizeof(what), "changed: ", sb.files[k], &last);
			free(a);
			free(b);
			i++;
			k++;
		}
	}
	if (rename(e->sandbox_dir, old) < 0) {
		hpo_err_sys(err, "%s", e->sandbox_dir);
		goto out_sb;
	}
	if (rename(fresh, e->sandbox_dir) < 0) {
		hpo_err_sys(err, "%s", fresh);
		rename(old, e->sandbox_dir);
		goto out_sb;
	}
	hpo_rmtree(old, NULL);
	hpo_sandbox_free(&e->sb);
	e->sb = sb;
	hpo_info("task %lld: the sandbox now holds the files of %s as they are: %s",
		 (long long)e->id, e->task->dir, last ? what : "nothing changed");
	rc = 0;
	goto out;
out_sb:
	hpo_sandbox_free(&sb);
	hpo_rmtree(fresh, NULL);
out:
	free(fresh);
	free(old);
	free(dbdir);
	return rc;
}

/* ---- the loop --------------------------------------------------------------------- */

static void
show_progress(const struct engine *e)
{
	const struct hpo_point_row *b = best_point(e);
	char best[64] = "-";
	double el = hpo_now() - e->t0;

	if (b != NULL)
		snprintf(best, sizeof(best), "%.6g", b->loss);
	hpo_status_line("task %lld: %zu/%ld points done, %zu running, %zu failed, best %s, %02d:%02d:%02d",
			(long long)e->id, count_status(e, "finished") + count_status(e, "failed"),
			e->task->budget.max_points, count_status(e, "running"),
			count_status(e, "failed"), best, (int)(el / 3600), (int)fmod(el / 60, 60),
			(int)fmod(el, 60));
}

static void
signal_jobs(struct engine *e, int sig)
{
	for (size_t i = 0; i < e->njobs; i++)
		killpg(e->jobs[i].pid, sig);
}

static void
cleanup_containers(struct engine *e, struct job *j)
{
	struct hpo_command cmd;

	fill_command(e, j, &cmd, NULL, NULL, NULL);
	hpo_container_cleanup(&cmd);
}

static int
end_job(struct engine *e, size_t i, int status, struct hpo_err *err)
{
	struct job *j = &e->jobs[i];
	int rc;

	if (j->kill_at > 0)
		cleanup_containers(e, j);
	rc = j->kind == JOB_EVAL ? finish_eval(e, j, status, err) : finish_steer(e, j, status, err);
	drop_job(e, i);
	return rc;
}

static int
group_alive(pid_t pgid)
{
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

/* A command told to stop (time limit, Ctrl-C) may leave the rest of its
 * process group at work, such as hpo-ckpt's last save: as the pilot does,
 * it gets until the SIGKILL, HPO_KILL_GRACE after the SIGTERM. */
static int
draining(const struct engine *e, const struct job *j)
{
	return (j->timed_out || e->stopping == 1) && group_alive(j->pid);
}

static int
reap(struct engine *e, struct hpo_err *err)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < e->njobs; i++) {
			struct job *j = &e->jobs[i];
			if (j->pid != pid)
				continue;
			if (draining(e, j)) {
				j->leader_done = 1;
				j->status = status;
				break;
			}
			if (end_job(e, i, status, err) < 0)
				return -1;
			break;
		}
	}
	/* drained groups, or groups whose grace is over */
	for (size_t i = 0; i < e->njobs;) {
		struct job *j = &e->jobs[i];
		double until = j->timed_out ? j->kill_at : e->stop_kill_at;
		if (j->leader_done && (!group_alive(j->pid) || e->stopping == 2 || hpo_now() >= until)) {
			if (end_job(e, i, j->status, err) < 0)
				return -1;
			continue;
		}
		i++;
	}
	return 0;
}

static void
check_deadlines(struct engine *e, double now)
{
	for (size_t i = 0; i < e->njobs; i++) {
		struct job *j = &e->jobs[i];
		if (j->deadline > 0 && now >= j->deadline && !j->timed_out) {
			hpo_info("point %lld attempt %d: time limit reached, stopping it",
				 (long long)e->pts[j->point].id, j->attempt);
			j->timed_out = 1;
			killpg(j->pid, SIGTERM);
			j->kill_at = now + HPO_KILL_GRACE;
		} else if (j->kill_at > 0 && now >= j->kill_at) {
			killpg(j->pid, SIGKILL);
			j->kill_at = now + 3600;	/* once */
		}
	}
	if (e->stopping == 1 && now >= e->stop_kill_at) {
		signal_jobs(e, SIGKILL);
		e->stopping = 2;
	}
}

static int
next_timeout_ms(const struct engine *e, double now)
{
	double t = now + 1.0;	/* the progress line ticks every second */

	for (size_t i = 0; i < e->njobs; i++)
		if (e->jobs[i].leader_done)
			t = now + 0.05;	/* watch the rest of its group drain */

	for (size_t i = 0; i < e->njobs; i++) {
		if (e->jobs[i].deadline > 0 && !e->jobs[i].timed_out && e->jobs[i].deadline < t)
			t = e->jobs[i].deadline;
		if (e->jobs[i].kill_at > 0 && e->jobs[i].kill_at < t)
			t = e->jobs[i].kill_at;
	}
	if (e->stopping == 1 && e->stop_kill_at < t)
		t = e->stop_kill_at;
	t -= now;
	return t <= 0 ? 0 : (int)(t * 1000) + 1;
}

/* Why steering gave no more points, also after a resume (the reason of the
 * run that ended it is not kept). */
static const char *
steering_reason(const struct engine *e)
{
	if (e->steer_message != NULL)
		return e->steer_message;
	if (!e->steering_done)
		return NULL;
	if (e->steering_failures >= HPO_MAX_ATTEMPTS)
		return "steering failed";
	if (e->task->steer.algorithm == NULL)
		return "the steering command proposed no more points";
	return strcmp(e->task->steer.algorithm, "grid") == 0 ? "the grid is exhausted"
							     : "the algorithm proposed no more points";
}

/* The last reason an evaluation failed: this run's, else the message of
 * the point that failed last. */
static const char *
last_failure(const struct engine *e)
{
	const struct hpo_point_row *last = NULL;

	if (e->last_failure != NULL)
		return e->last_failure;
	for (size_t i = 0; i < e->npts; i++)
		if (strcmp(e->pts[i].status, "failed") == 0 && e->pts[i].message != NULL &&
		    (last == NULL || e->pts[i].ended >= last->ended))
			last = &e->pts[i];
	return last ? last->message : NULL;
}

/* The task ends with max-evaluation-jobs spent: no point stays pending.  A
 * point whose attempts failed is failed (it may not try again), one never
 * tried is cancelled.  Inside the caller's transaction. */
static int
close_unevaluated(struct engine *e, double now, size_t *budget_failed, size_t *cancelled,
		  struct hpo_err *err)
{
	long limit = e->task->budget.max_evaluation_jobs;

	*budget_failed = *cancelled = 0;
	for (size_t i = 0; i < e->npts; i++) {
		struct hpo_point_row *p = &e->pts[i];
		char *m;
		if (strcmp(p->status, "pending") != 0)
			continue;
		if (p->attempts > 0) {
			m = hpo_strf("failed %d attempt%s and may not try again: max-evaluation-jobs "
				     "(%ld) reached; last: %s", p->attempts, p->attempts == 1 ? "" : "s",
				     limit, p->message ? p->message : "?");
			p->loss = HPO_FAILED_LOSS;
			p->has_loss = 1;
			(*budget_failed)++;
		} else {
			m = hpo_strf("not evaluated: max-evaluation-jobs (%ld) reached", limit);
			(*cancelled)++;
		}
		set_point_status(p, p->attempts > 0 ? "failed" : "cancelled");
		free(p->message);
		p->message = m;
		p->ended = now;
		if (hpo_store_point_update(e->st, e->id, p, err) < 0)
			return -1;
	}
	return 0;
}

static int
final_status(struct engine *e, struct hpo_err *err)
{
	size_t budget_failed, cancelled, ok, failed;
	const char *status, *why;
	char *msg = NULL, *fail_part = NULL;
	double now = hpo_now();

	if (hpo_store_begin(e->st, err) < 0)
		return -1;
	if (close_unevaluated(e, now, &budget_failed, &cancelled, err) < 0) {
		hpo_store_rollback(e->st);
		return -1;
	}
	ok = count_status(e, "finished");
	failed = count_status(e, "failed");
	if (ok == e->npts && e->npts > 0)
		status = "done";
	else if (ok > 0)
		status = "finished";
	else
		status = "failed";
	why = last_failure(e);
	if (failed > 0)
		fail_part = hpo_strf("%zu of %zu points failed%s%s", failed, e->npts,
				     why ? "; last failure: " : "", why ? why : "");
	/* the budget ended the task: points were left, or could have come */
	int budget_hit = e->counted >= e->task->budget.max_evaluation_jobs &&
			 (budget_failed > 0 || cancelled > 0 ||
			  (!e->steering_done && (long)e->npts < e->task->budget.max_points));
	if (budget_hit) {
		char left[48] = "";
		if (cancelled > 0)
			snprintf(left, sizeof(left), "%zu point%s not evaluated", cancelled,
				 cancelled == 1 ? "" : "s");
		msg = hpo_strf("max-evaluation-jobs (%ld) reached%s%s%s%s",
			       e->task->budget.max_evaluation_jobs,
			       fail_part || *left ? ": " : "", fail_part ? fail_part : "",
			       fail_part && *left ? ", " : "", left);
	}
	else if (e->npts == 0)
		msg = hpo_strf("no points: %s",
			       steering_reason(e) ? steering_reason(e) : "none proposed");
	else if (fail_part != NULL)
		msg = strdup(fail_part);
	else if (steering_reason(e) != NULL)
		msg = strdup(steering_reason(e));
	free(fail_part);
	if (hpo_store_task_set_status(e->st, e->id, status, msg, now, err) < 0 ||
	    hpo_store_commit(e->st, err) < 0) {
		hpo_store_rollback(e->st);
		free(msg);
		return -1;
	}
	char unevaluated[48] = "";
	if (cancelled > 0)
		snprintf(unevaluated, sizeof(unevaluated), ", %zu not evaluated", cancelled);
	hpo_status_clear();
	hpo_info("task %lld %s: %zu points: %zu finished, %zu failed%s%s%s", (long long)e->id,
		 status, e->npts, ok, failed, unevaluated, msg ? "; " : "", msg ? msg : "");
	free(msg);
	return 0;
}

static int
loop(struct engine *e, enum hpo_run_end *end, struct hpo_err *err)
{
	const struct hpo_task *t = e->task;
	int handled_stops = 0;

	for (;;) {
		double now = hpo_now();

		if (got_stop > handled_stops) {
			handled_stops = got_stop;
			if (e->stopping == 0) {
				hpo_status_clear();
				hpo_info("stopping: ending %zu running job(s); press Ctrl-C again to kill them",
					 e->njobs);
				e->stopping = 1;
				e->stop_kill_at = now + HPO_KILL_GRACE;
				signal_jobs(e, SIGTERM);
			} else if (e->stopping == 1) {
				e->stopping = 2;
				signal_jobs(e, SIGKILL);
			}
		}
		if (reap(e, err) < 0)
			return -1;
		check_deadlines(e, now);

		if (e->stopping) {
			if (e->njobs == 0) {
				char *m = hpo_strf("interrupted; resume with hpo-submit --local "
						       "--resume %lld", (long long)e->id);
				hpo_status_clear();
				if (hpo_store_task_set_status(e->st, e->id, "paused", m, 0, err) < 0) {
					free(m);
					return -1;
				}
				free(m);
				hpo_info("task %lld paused: resume with 'hpo-submit --local --resume %lld'",
					 (long long)e->id, (long long)e->id);
				*end = HPO_RUN_INTERRUPTED;
				return 0;
			}
		} else {
			long unevaluated = (long)(count_status(e, "pending") + count_status(e, "running"));
			long room = t->budget.max_points - (long)e->npts;
			int budget_left = e->counted < t->budget.max_evaluation_jobs;

			/* ask for points when the unevaluated ones drop to the minimum */
			if (!e->steering_done && !steering_running(e) && room > 0 && budget_left &&
			    unevaluated <= t->budget.min_unevaluated_points) {
				long want = t->budget.points_per_iteration - unevaluated;
				if (want < 1)
					want = 1;
				if (want > room)
					want = room;
				if (ask_steering(e, want, err) < 0)
					return -1;
				continue;
			}
			/* start pending points while there are free slots */
			while ((long)running_evals(e) < t->budget.parallel_evaluations &&
			       e->counted < t->budget.max_evaluation_jobs) {
				size_t i;
				for (i = 0; i < e->npts; i++)
					if (strcmp(e->pts[i].status, "pending") == 0)
						break;
				if (i == e->npts)
					break;
				if (launch_eval(e, i, err) < 0)
					return -1;
			}
			if (e->njobs == 0) {
				int more_points = !e->steering_done && room > 0;
				int can_run = e->counted < t->budget.max_evaluation_jobs;
				if (!can_run || (!more_points && count_status(e, "pending") == 0)) {
					if (final_status(e, err) < 0)
						return -1;
					*end = HPO_RUN_ENDED;
					return 0;
				}
			}
		}
		show_progress(e);

		struct pollfd pfd = {sigpipe_fds[0], POLLIN, 0};
		int r = poll(&pfd, 1, next_timeout_ms(e, hpo_now()));
		if (r > 0) {
			char buf[64];
			while (read(sigpipe_fds[0], buf, sizeof(buf)) > 0)
				;
		}
	}
}

static int
load(struct engine *e, struct hpo_task_row *row, const struct hpo_run_opts *opts,
     struct hpo_err *err)
{
	json_error_t jerr;
	json_t *spec;

	e->taskdir = hpo_store_task_dir(e->st, e->id, row->legacy);
	e->sandbox_dir = hpo_path_join(e->taskdir, "sandbox");
	if ((spec = json_loads(row->spec, 0, &jerr)) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "task %lld: stored spec is damaged: %s",
				   (long long)e->id, jerr.text);
	if (hpo_task_from_json(NULL, spec, row->dir, &e->task, err) < 0) {
		json_decref(spec);
		return hpo_err_prefix(err, "task %lld: stored spec", (long long)e->id);
	}
	json_decref(spec);
	if (hpo_sandbox_collect(e->sandbox_dir, NULL, e->task->sandbox.include,
				e->task->sandbox.exclude, &e->sb, err) < 0)
		return -1;
	if (hpo_store_points(e->st, e->id, &e->pts, &e->npts, err) < 0)
		return -1;
	e->cappts = e->npts;
	for (size_t i = 0; i < e->npts; i++)
		e->counted += e->pts[i].attempts;
	e->steering_done = row->steering_done;
	e->steering_runs = row->steering_runs;
	e->steering_failures = row->steering_failures;
	/* row->message is the last run's (paused, interrupted): not this one's */

	e->rt = opts ? opts->rt : NULL;
	if (e->rt != NULL && e->task->eval.container == NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "container runtime %s given, but the task has no "
				   "evaluation.container", hpo_runtime_name(e->rt));
	return hpo_engine_check(e->task, e->rt, err);
}

static void
engine_free(struct engine *e)
{
	while (e->njobs > 0)
		drop_job(e, e->njobs - 1);
	free(e->jobs);
	hpo_point_rows_free(e->pts, e->npts);
	hpo_sandbox_free(&e->sb);
	hpo_task_free(e->task);
	free(e->taskdir);
	free(e->sandbox_dir);
	free(e->steer_message);
	free(e->last_failure);
	if (e->lockfd >= 0)
		close(e->lockfd);
}

int
hpo_engine_run(struct hpo_store *st, int64_t id, const struct hpo_run_opts *opts,
	       enum hpo_run_end *end, struct hpo_err *err)
{
	struct engine e;
	struct hpo_task_row row;
	struct sigaction old[5];
	int rc = -1;

	memset(&e, 0, sizeof(e));
	e.st = st;
	e.id = id;
	e.lockfd = -1;
	e.t0 = hpo_now();
	*end = HPO_RUN_ENDED;
	if (hpo_store_task_get(st, id, &row, err) < 0)
		return -1;
	if (hpo_task_status_final(row.status) && !hpo_engine_reopens(st, id, opts)) {
		hpo_err_set(err, HPO_E_INPUT, "task %lld has already ended (%s)", (long long)id,
			    row.status);
		hpo_task_row_free(&row);
		return -1;
	}
	/* the task's directory is this database's (a legacy one is marked so) */
	if (hpo_store_claim_task_dir(st, id, row.legacy, err) < 0) {
		hpo_task_row_free(&row);
		return -1;
	}
	e.taskdir = hpo_store_task_dir(st, id, row.legacy);
	if (lock_task(&e, err) < 0) {
		hpo_task_row_free(&row);
		engine_free(&e);
		return -1;
	}
	free(e.taskdir);
	e.taskdir = NULL;
	if (apply_changes(&e, &row, opts, err) < 0 || load(&e, &row, opts, err) < 0 ||
	    (opts != NULL && opts->refresh_sandbox && refresh_sandbox(&e, err) < 0) ||
	    recover(&e, err) < 0) {
		hpo_task_row_free(&row);
		engine_free(&e);
		return -1;
	}
	hpo_task_row_free(&row);
	if (hpo_store_task_set_status(st, id, "running", NULL, 0, err) < 0) {
		engine_free(&e);
		return -1;
	}
	{
		const struct hpo_task *t = e.task;
		char steer[256];
		if (t->steer.algorithm)
			snprintf(steer, sizeof(steer), "%s (seed %llu)", t->steer.algorithm,
				 (unsigned long long)t->steer.seed);
		else if (steering_docker_args(t))
			snprintf(steer, sizeof(steer), "'%s %s' (docker's arguments, as iDDS runs them)",
				 hpo_runtime_name(e.rt), t->steer.exec);
		else
			snprintf(steer, sizeof(steer), "'%s'", t->steer.exec);
		hpo_info("task %lld (%s): up to %ld points, %ld in parallel, steering %s",
			 (long long)id, t->name, t->budget.max_points, t->budget.parallel_evaluations,
			 steer);
		if (t->steer.algorithm != NULL && strcmp(t->steer.algorithm, "grid") == 0) {
			uint64_t size;
			struct hpo_err gerr = {0};
			if (hpo_space_grid_size(t->space, t->steer.grid_steps, &size, &gerr) < 0) {
				*err = gerr;
				engine_free(&e);
				return -1;
			}
			if (size > (uint64_t)t->budget.max_points)
				hpo_warn("the grid has %llu points; max-points (%ld) evaluates the first ones only",
					 (unsigned long long)size, t->budget.max_points);
		}
		if (e.rt != NULL)
			hpo_info("evaluations run in %s with %s", t->eval.container,
				 hpo_runtime_name(e.rt));
		else
			hpo_info("evaluations run on this host%s%s%s",
				 t->eval.container ? " (not in " : "",
				 t->eval.container ? t->eval.container : "",
				 t->eval.container ? "; choose a runtime with --runtime)" : "");
	}
	if (install_signals(old, err) == 0) {
		rc = loop(&e, end, err);
		if (rc < 0) {
			/* leave nothing running behind us */
			signal_jobs(&e, SIGKILL);
			while (e.njobs > 0) {
				waitpid(e.jobs[e.njobs - 1].pid, NULL, 0);
				drop_job(&e, e.njobs - 1);
			}
			hpo_store_task_set_status(st, id, "paused", err->msg, 0, NULL);
		}
		restore_signals(old);
	}
	hpo_status_clear();
	engine_free(&e);
	return rc;
}
