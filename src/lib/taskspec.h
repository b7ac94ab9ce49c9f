/* taskspec.h - the task file: one HPO task for the Grid and for --local
 *
 * The format is documented in hpo-task(5).  A task is read from YAML (or
 * JSON), validated with file:line:column errors, and written back as
 * canonical JSON (the same keys, search space inline, defaults filled in),
 * which is how the local store keeps it and how --resume reads it back.
 */
#ifndef HPO_TASKSPEC_H
#define HPO_TASKSPEC_H

#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "space.h"

struct hpo_task {
	char *name;
	char *dir;		/* absolute directory of the task file */

	struct {
		char *container;	/* evaluationContainer */
		char *exec;		/* evaluationExec */
		char *input;		/* evaluationInput, default input.json */
		char *output;		/* evaluationOutput, default output.json */
		char *training_data;	/* evaluationTrainingData, default input_ds.json */
		char *metadata;		/* evaluationMeta */
		char *metrics;		/* evaluationMetrics */
		json_t *training_files;	/* local: list written to training_data */
		double time_limit;	/* local: seconds, 0 = none */
	} eval;

	struct {
		char *algorithm;	/* built-in (optim.h: tpe, random, grid, ...); NULL with exec */
		json_t *settings;	/* the algorithm's settings, a mapping; NULL with exec
					 * (grid: 'steps' is grid_steps) */
		char *container;	/* steeringContainer (with an algorithm: an image
					 * with hpo-steer, for the Grid) */
		char *exec;		/* steeringExec, with %IN %OUT %NUM_POINTS %MAX_POINTS */
		uint64_t seed;
		int has_seed;
		unsigned grid_steps;	/* grid: values per continuous parameter */
	} steer;

	struct hpo_space *space;
	char *space_file;		/* as given, for reference (searchSpaceFile) */

	struct {
		long max_points;		/* maxPoints, default 10 */
		long max_evaluation_jobs;	/* maxEvaluationJobs, default 2*max_points */
		long points_per_iteration;	/* nPointsPerIteration, default 2 */
		long min_unevaluated_points;	/* minUnevaluatedPoints, default 0 */
		int has_min_unevaluated;
		long parallel_evaluations;	/* nParallelEvaluation, default 1 */
		long max_points_per_job;	/* maxPointsPerEvaluationJob, 0 = unset */
	} budget;

	struct {
		json_t *save;		/* checkPointToSave: list of strings, or NULL */
		char *load;		/* checkPointToLoad */
		long interval;		/* checkPointInterval, minutes, 0 = unset */
	} checkpoint;

	struct {
		char *output_dataset;	/* outDS */
		int official;		/* official */
		char *training_dataset;	/* trainingDS */
		json_t *sites;		/* site: list of strings, or NULL */
		char *working_group;	/* workingGroup */
		char *architecture;	/* architecture */
		int no_email;		/* noEmail */
		char *alrb_args;	/* alrbArgs */
		char *segment_spec_file;	/* segmentSpecFile */
	} grid;

	struct {
		json_t *include;	/* sandbox.include: patterns added to phpo's, or NULL */
		json_t *exclude;	/* sandbox.exclude: patterns left out, or NULL */
	} sandbox;			/* no phpo counterpart; local and Grid */
};

/* Read and validate a task file. */
int hpo_task_load(const char *path, struct hpo_task **out, struct hpo_err *err);
/* Validate a parsed document (doc gives positions; NULL for stored JSON).
 * dir resolves relative file names (search-space-file). */
int hpo_task_from_json(const struct hpo_doc *doc, const json_t *root, const char *dir,
		       struct hpo_task **out, struct hpo_err *err);
/* Canonical JSON (new ref): every key with its value, defaults filled. */
json_t *hpo_task_to_json(const struct hpo_task *task);
void hpo_task_free(struct hpo_task *task);

/* A status after which nothing more happens to a task (JEDI's words):
 * done, finished, failed, broken, aborted. */
int hpo_task_status_final(const char *status);

/* Parse "90", "90s", "15m", "2h", "1d" into seconds; -1 if malformed. */
double hpo_parse_duration(const char *s);

#endif
