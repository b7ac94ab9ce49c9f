/* engine.h - the local engine: runs one HPO task on this machine
 *
 * The same task as on the Grid: steering proposes points (iDDS rules:
 * asked when the unevaluated points drop to min-unevaluated-points, at most
 * max-points in all), evaluations run in parallel in fresh working
 * directories (input file in, output file out), a point gets at most 3
 * attempts and is then recorded failed with loss 1e5, and every change is a
 * transaction in the store, so a killed run resumes where it was.
 */
#ifndef HPO_ENGINE_H
#define HPO_ENGINE_H

#include <stdint.h>

#include "err.h"
#include "store.h"
#include "taskspec.h"

#define HPO_MAX_ATTEMPTS 3
#define HPO_FAILED_LOSS 1e5
#define HPO_KILL_GRACE 10	/* seconds between SIGTERM and SIGKILL, as the pilot */

struct hpo_runtime;

struct hpo_run_opts {
	const struct hpo_runtime *rt;	/* container runtime, NULL: on the host */
	/* changes to a task from this run on (hpo-submit --local --resume),
	 * kept in its spec; 0: unchanged */
	long parallel;			/* budget.parallel-evaluations */
	long max_points;		/* budget.max-points; more reopens an ended task */
	long max_evaluation_jobs;	/* budget.max-evaluation-jobs */
	int has_time_limit;		/* evaluation.time-limit := time_limit (0: none) */
	double time_limit;
	int refresh_sandbox;		/* the task directory's current files replace
					 * the snapshot taken at creation */
};

/* 1 when opts would let an ended task run further (more points or more
 * evaluation jobs than it used). */
int hpo_engine_reopens(struct hpo_store *st, int64_t id, const struct hpo_run_opts *opts);

/* Can the task run here with this runtime (NULL: on the host)?  A steering
 * command that is docker's arguments (phpo's steeringExec without
 * steeringContainer) needs docker or podman; HPO_E_INPUT saying so. */
int hpo_engine_check(const struct hpo_task *task, const struct hpo_runtime *rt,
		     struct hpo_err *err);

/* Register a task: store its canonical spec, snapshot its files. */
int hpo_engine_create(struct hpo_store *st, const struct hpo_task *task, int64_t *id,
		      struct hpo_err *err);

enum hpo_run_end {
	HPO_RUN_ENDED,		/* the task reached a final status */
	HPO_RUN_INTERRUPTED,	/* stopped by a signal; resumable */
};

/* Run (or resume) a task until it ends or a signal stops it. */
int hpo_engine_run(struct hpo_store *st, int64_t id, const struct hpo_run_opts *opts,
		   enum hpo_run_end *end, struct hpo_err *err);

#endif
