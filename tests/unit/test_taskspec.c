/* test_taskspec.c - the task file: defaults, every key, errors, canonical JSON */
#include "autoconf.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "doc.h"
#include "file.h"
#include "taskspec.h"

/* A search space and an evaluation every valid task below can use. */
#define EVAL "evaluation: {exec: run.sh}\n"
#define SPACE "search-space: {x: {method: uniform, low: 0, high: 1}}\n"

static struct hpo_task *
task_ok(const char *text, const char *dir)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_task *t = NULL;

	if (hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err) < 0)
		fail_msg("unexpected parse error: %s", err.msg);
	if (hpo_task_from_json(doc, hpo_doc_root(doc), dir, &t, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	hpo_doc_free(doc);
	assert_non_null(t);
	return t;
}

/* The task must be rejected with exactly the message expect. */
static void
task_fails(const char *text, const char *expect)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_task *t = NULL;

	if (hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err) < 0)
		fail_msg("unexpected parse error: %s", err.msg);
	assert_int_equal(hpo_task_from_json(doc, hpo_doc_root(doc), "/d", &t, &err), -1);
	assert_null(t);
	assert_int_equal(err.kind, HPO_E_INPUT);
	if (strcmp(err.msg, expect) != 0)
		fail_msg("error '%s', expected '%s'", err.msg, expect);
	hpo_doc_free(doc);
}

/* The same for a message that starts with expect. */
static void
task_fails_prefix(const char *text, const char *expect)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_task *t = NULL;

	if (hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err) < 0)
		fail_msg("unexpected parse error: %s", err.msg);
	assert_int_equal(hpo_task_from_json(doc, hpo_doc_root(doc), "/d", &t, &err), -1);
	assert_null(t);
	if (strncmp(err.msg, expect, strlen(expect)) != 0)
		fail_msg("error '%s', expected it to start with '%s'", err.msg, expect);
	hpo_doc_free(doc);
}

/* Canonical text of a task's JSON form (malloc'ed). */
static char *
task_text(const struct hpo_task *t)
{
	json_t *j = hpo_task_to_json(t);
	char *s;

	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(s);
	json_decref(j);
	return s;
}

static void
assert_list(const json_t *list, const char *const *expect, size_t n)
{
	assert_true(json_is_array(list));
	assert_int_equal(json_array_size(list), n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(json_string_value(json_array_get(list, i)), expect[i]);
}

/* ---- defaults and every key ---------------------------------------------- */

static void
test_minimal_defaults(void **state)
{
	(void)state;
	struct hpo_task *t = task_ok(EVAL SPACE, "/data/my-task");

	assert_string_equal(t->name, "my-task");
	assert_string_equal(t->dir, "/data/my-task");
	assert_string_equal(t->eval.exec, "run.sh");
	assert_null(t->eval.container);
	assert_string_equal(t->eval.input, "input.json");
	assert_string_equal(t->eval.output, "output.json");
	assert_string_equal(t->eval.training_data, "input_ds.json");
	assert_null(t->eval.metadata);
	assert_null(t->eval.metrics);
	assert_null(t->eval.training_files);
	assert_true(t->eval.time_limit == 0);
	assert_string_equal(t->steer.algorithm, "tpe");	/* the default */
	assert_int_equal(json_object_size(t->steer.settings), 0);
	assert_null(t->steer.exec);
	assert_null(t->steer.container);
	assert_int_equal(t->steer.has_seed, 0);
	assert_int_equal(t->steer.grid_steps, 5);
	assert_non_null(t->space);
	assert_int_equal(t->space->n, 1);
	assert_null(t->space_file);
	assert_int_equal(t->budget.max_points, 10);
	assert_int_equal(t->budget.max_evaluation_jobs, 20);
	assert_int_equal(t->budget.points_per_iteration, 2);
	assert_int_equal(t->budget.has_min_unevaluated, 0);
	assert_int_equal(t->budget.parallel_evaluations, 1);
	assert_int_equal(t->budget.max_points_per_job, 0);
	assert_null(t->checkpoint.save);
	assert_null(t->checkpoint.load);
	assert_int_equal(t->checkpoint.interval, 0);
	assert_null(t->grid.output_dataset);
	assert_null(t->grid.sites);
	assert_int_equal(t->grid.official, 0);
	assert_int_equal(t->grid.no_email, 0);
	assert_null(t->sandbox.include);
	assert_null(t->sandbox.exclude);
	hpo_task_free(t);

	/* max-evaluation-jobs follows max-points; null sections are empty */
	t = task_ok(EVAL SPACE "budget: {max-points: 7}\nsteering: ~\ncheckpoint:\ngrid: ~\n"
			       "sandbox: ~\n",
		    "/");
	assert_null(t->sandbox.include);
	assert_null(t->sandbox.exclude);
	assert_int_equal(t->budget.max_points, 7);
	assert_int_equal(t->budget.max_evaluation_jobs, 14);
	assert_string_equal(t->name, "task");
	assert_string_equal(t->steer.algorithm, "tpe");
	hpo_task_free(t);
}

static const char full_task[] =
	"name: full\n"
	"evaluation:\n"
	"  container: docker://gitlab-registry.cern.ch/me/eval:1\n"
	"  exec: python eval.py --in input.json\n"
	"  input: in.json\n"
	"  output: sub/out.json\n"
	"  training-data: ds.json\n"
	"  training-files: [a.root, b.root]\n"
	"  metadata: meta.json\n"
	"  metrics: metrics.tgz\n"
	"  time-limit: 90s\n"
	"steering:\n"
	"  algorithm: grid\n"
	"  seed: 42\n"
	"  grid-steps: 7\n"
	SPACE
	"budget:\n"
	"  max-points: 20\n"
	"  max-evaluation-jobs: 30\n"
	"  points-per-iteration: 4\n"
	"  min-unevaluated-points: 1\n"
	"  parallel-evaluations: 3\n"
	"  max-points-per-job: 5\n"
	"checkpoint:\n"
	"  save: [model.pt, opt.pt]\n"
	"  load: model.pt\n"
	"  interval: 15\n"
	"grid:\n"
	"  output-dataset: user.me.hpo.1\n"
	"  official: true\n"
	"  training-dataset: data18.train\n"
	"  site: 'CERN-PROD, BNL , ,DESY'\n"
	"  working-group: phys-higgs\n"
	"  architecture: x86_64-el9\n"
	"  no-email: true\n"
	"  alrb-args: --nocvmfs\n"
	"  segment-spec-file: seg.json\n"
	"sandbox:\n"
	"  include: ['*.txt', data/*.csv]\n"
	"  exclude: 'secrets.json, tests/*'\n";

static void
test_full_task(void **state)
{
	(void)state;
	static const char *const files[] = {"a.root", "b.root"};
	static const char *const saves[] = {"model.pt", "opt.pt"};
	static const char *const sites[] = {"CERN-PROD", "BNL", "DESY"};
	static const char *const includes[] = {"*.txt", "data/*.csv"};
	static const char *const excludes[] = {"secrets.json", "tests/*"};
	struct hpo_task *t = task_ok(full_task, "/d");

	assert_string_equal(t->name, "full");
	assert_string_equal(t->eval.container, "docker://gitlab-registry.cern.ch/me/eval:1");
	assert_string_equal(t->eval.exec, "python eval.py --in input.json");
	assert_string_equal(t->eval.input, "in.json");
	assert_string_equal(t->eval.output, "sub/out.json");
	assert_string_equal(t->eval.training_data, "ds.json");
	assert_list(t->eval.training_files, files, 2);
	assert_string_equal(t->eval.metadata, "meta.json");
	assert_string_equal(t->eval.metrics, "metrics.tgz");
	assert_true(t->eval.time_limit == 90);
	assert_string_equal(t->steer.algorithm, "grid");
	assert_null(t->steer.exec);
	assert_int_equal(t->steer.has_seed, 1);
	assert_int_equal(t->steer.seed, 42);
	assert_int_equal(t->steer.grid_steps, 7);
	assert_int_equal(t->budget.max_points, 20);
	assert_int_equal(t->budget.max_evaluation_jobs, 30);
	assert_int_equal(t->budget.points_per_iteration, 4);
	assert_int_equal(t->budget.has_min_unevaluated, 1);
	assert_int_equal(t->budget.min_unevaluated_points, 1);
	assert_int_equal(t->budget.parallel_evaluations, 3);
	assert_int_equal(t->budget.max_points_per_job, 5);
	assert_list(t->checkpoint.save, saves, 2);
	assert_string_equal(t->checkpoint.load, "model.pt");
	assert_int_equal(t->checkpoint.interval, 15);
	assert_string_equal(t->grid.output_dataset, "user.me.hpo.1");
	assert_int_equal(t->grid.official, 1);
	assert_string_equal(t->grid.training_dataset, "data18.train");
	assert_list(t->grid.sites, sites, 3);
	assert_string_equal(t->grid.working_group, "phys-higgs");
	assert_string_equal(t->grid.architecture, "x86_64-el9");
	assert_int_equal(t->grid.no_email, 1);
	assert_string_equal(t->grid.alrb_args, "--nocvmfs");
	assert_string_equal(t->grid.segment_spec_file, "seg.json");
	assert_list(t->sandbox.include, includes, 2);
	assert_list(t->sandbox.exclude, excludes, 2);
	hpo_task_free(t);
}

static void
test_other_spellings(void **state)
{
	(void)state;
	static const char *const one_site[] = {"CERN-PROD"};
	static const char *const two_sites[] = {"CERN-PROD", "BNL"};
	static const char *const saves[] = {"a.pt", "b.pt"};
	struct hpo_task *t;

	/* site as a list, checkpoint.save as a comma string */
	t = task_ok(EVAL SPACE "grid: {site: [CERN-PROD, BNL]}\n"
			       "checkpoint: {save: 'a.pt,b.pt'}\n", "/d");
	assert_list(t->grid.sites, two_sites, 2);
	assert_list(t->checkpoint.save, saves, 2);
	assert_null(t->checkpoint.load);
	hpo_task_free(t);
	t = task_ok(EVAL SPACE "grid: {site: CERN-PROD}\n", "/d");
	assert_list(t->grid.sites, one_site, 1);
	hpo_task_free(t);

	/* the user's steering command, with a seed above 2^63 */
	t = task_ok(EVAL SPACE "steering:\n"
			       "  container: docker://steer\n"
			       "  exec: opt.py %IN %OUT\n"
			       "  seed: '18446744073709551615'\n", "/d");
	assert_null(t->steer.algorithm);
	assert_string_equal(t->steer.container, "docker://steer");
	assert_string_equal(t->steer.exec, "opt.py %IN %OUT");
	assert_int_equal(t->steer.has_seed, 1);
	assert_true(t->steer.seed == UINT64_MAX);
	hpo_task_free(t);
	t = task_ok(EVAL SPACE "steering: {seed: '9223372036854775808'}\n", "/d");
	assert_true(t->steer.seed == UINT64_C(9223372036854775808));
	hpo_task_free(t);
	t = task_ok(EVAL SPACE "steering: {seed: 0}\n", "/d");
	assert_int_equal(t->steer.has_seed, 1);
	assert_true(t->steer.seed == 0);
	hpo_task_free(t);

	/* time limits */
	static const struct {
		const char *text;
		double seconds;
	} limits[] = {
		{"90s", 90}, {"15m", 900}, {"2h", 7200}, {"30", 30}, {"'45'", 45}, {"1.5", 1.5},
	};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "evaluation: {exec: run, time-limit: %s}\n" SPACE,
			 limits[i].text);
		t = task_ok(text, "/d");
		if (t->eval.time_limit != limits[i].seconds)
			fail_msg("time-limit %s: %g, expected %g", limits[i].text,
				 t->eval.time_limit, limits[i].seconds);
		hpo_task_free(t);
	}
}

/* ---- errors ---------------------------------------------------------------- */

static void
test_errors_unknown_keys(void **state)
{
	(void)state;
	task_fails("evalution: {exec: run}\n" SPACE,
		   "t.yaml:1:1: unknown key 'evalution' (did you mean 'evaluation'?)");
	task_fails(EVAL "colour: red\n" SPACE, "t.yaml:2:1: unknown key 'colour'");
	task_fails(EVAL SPACE "budget:\n  max-points: 3\n  max-point: 3\n",
		   "t.yaml:5:3: unknown key 'max-point' in budget (did you mean 'max-points'?)");
	task_fails("evaluation:\n  exec: run\n  inptu: a.json\n" SPACE,
		   "t.yaml:3:3: unknown key 'inptu' in evaluation (did you mean 'input'?)");
	task_fails(EVAL SPACE "steering: {seeed: 1}\n",
		   "t.yaml:3:12: unknown key 'seeed' in steering (did you mean 'seed'?)");
	task_fails(EVAL SPACE "steering:\n  colour: red\n",
		   "t.yaml:4:3: unknown key 'colour' in steering");
	task_fails(EVAL SPACE "checkpoint: {sav: [a]}\n",
		   "t.yaml:3:14: unknown key 'sav' in checkpoint (did you mean 'save'?)");
	task_fails(EVAL SPACE "grid:\n  sites: [CERN]\n",
		   "t.yaml:4:3: unknown key 'sites' in grid (did you mean 'site'?)");
	task_fails(EVAL SPACE "grid:\n  queue: short\n", "t.yaml:4:3: unknown key 'queue' in grid");
	task_fails(EVAL SPACE "sandbox:\n  includes: ['*.txt']\n",
		   "t.yaml:4:3: unknown key 'includes' in sandbox (did you mean 'include'?)");
	task_fails(EVAL SPACE "sandbox: {exclud: [a]}\n",
		   "t.yaml:3:11: unknown key 'exclud' in sandbox (did you mean 'exclude'?)");
	task_fails(EVAL SPACE "sandbox:\n  files: [a]\n",
		   "t.yaml:4:3: unknown key 'files' in sandbox");
	task_fails(EVAL SPACE "sandbx: {include: [a]}\n",
		   "t.yaml:3:1: unknown key 'sandbx' (did you mean 'sandbox'?)");
}

static void
test_errors_types(void **state)
{
	(void)state;
	task_fails("name: [a]\n" EVAL SPACE, "t.yaml:1:7: name must be a string, not a list");
	task_fails("evaluation: {exec: 3}\n" SPACE,
		   "t.yaml:1:20: evaluation.exec must be a string, not an integer");
	task_fails(EVAL SPACE "budget:\n  max-points: ten\n",
		   "t.yaml:4:15: budget.max-points must be an integer, not a string");
	task_fails(EVAL SPACE "budget:\n  max-points: 1.5\n",
		   "t.yaml:4:15: budget.max-points must be an integer, not a number");
	task_fails(EVAL SPACE "grid:\n  official: yes\n",
		   "t.yaml:4:13: grid.official must be true or false, not a string");
	task_fails(EVAL SPACE "grid:\n  site: 3\n",
		   "t.yaml:4:9: grid.site must be a list of strings, not an integer");
	task_fails(EVAL SPACE "grid:\n  site: [CERN, 3]\n",
		   "t.yaml:4:16: grid.site: every item must be a non-empty string");
	task_fails(EVAL SPACE "steering: {seed: true}\n",
		   "t.yaml:3:12: steering.seed must be an integer, not a boolean");
	task_fails(EVAL SPACE "steering: {seed: '12abc'}\n",
		   "t.yaml:3:18: steering.seed must be a non-negative integer");
	task_fails(EVAL SPACE "steering: {seed: '-1'}\n",
		   "t.yaml:3:18: steering.seed must be a non-negative integer");
	task_fails(EVAL SPACE "steering: {seed: '18446744073709551616'}\n",
		   "t.yaml:3:18: steering.seed must be a non-negative integer");
	task_fails(EVAL SPACE "steering: {seed: ' -1'}\n",
		   "t.yaml:3:18: steering.seed must be a non-negative integer");
	task_fails(EVAL SPACE "steering: {seed: ''}\n",
		   "t.yaml:3:18: steering.seed must be a non-negative integer");
	task_fails("evaluation:\n  exec: run\n  time-limit: 5y\n" SPACE,
		   "t.yaml:3:15: evaluation.time-limit must be a duration like 90, 90s, 15m or 2h");
	task_fails("evaluation:\n  exec: run\n  time-limit: -3\n" SPACE,
		   "t.yaml:3:15: evaluation.time-limit must be a duration like 90, 90s, 15m or 2h");
	task_fails("evaluation:\n  exec: run\n  time-limit: [1]\n" SPACE,
		   "t.yaml:3:15: evaluation.time-limit must be a duration like 90, 90s, 15m or 2h");
}

static void
test_errors_ranges_and_empty(void **state)
{
	(void)state;
	task_fails(EVAL SPACE "budget:\n  max-points: 0\n",
		   "t.yaml:4:15: budget.max-points must be from 1 to 1000000");
	task_fails(EVAL SPACE "budget:\n  max-points: 1000001\n",
		   "t.yaml:4:15: budget.max-points must be from 1 to 1000000");
	task_fails(EVAL SPACE "budget:\n  parallel-evaluations: 10001\n",
		   "t.yaml:4:25: budget.parallel-evaluations must be from 1 to 10000");
	task_fails(EVAL SPACE "steering: {grid-steps: 0}\n",
		   "t.yaml:3:24: steering.grid-steps must be from 1 to 1000000");
	task_fails(EVAL SPACE "steering: {seed: -1}\n",
		   "t.yaml:3:18: steering.seed must be at least 0");
	task_fails(EVAL SPACE "checkpoint: {save: [a], interval: 0}\n",
		   "t.yaml:3:35: checkpoint.interval must be from 1 to 100000");
	task_fails("evaluation: {exec: ''}\n" SPACE,
		   "t.yaml:1:20: evaluation.exec must not be empty");
	task_fails("name: \"\"\n" EVAL SPACE, "t.yaml:1:7: name must not be empty");
	task_fails(EVAL SPACE "grid: {site: ''}\n", "t.yaml:3:14: grid.site must not be empty");
	task_fails(EVAL SPACE "grid: {site: ' , '}\n", "t.yaml:3:14: grid.site must not be empty");
	task_fails(EVAL SPACE "grid: {site: []}\n", "t.yaml:3:14: grid.site must not be empty");
	task_fails(EVAL SPACE "checkpoint: {save: ['']}\n",
		   "t.yaml:3:21: checkpoint.save: every item must be a non-empty string");
}

static void
test_errors_rules(void **state)
{
	(void)state;
	task_fails(EVAL SPACE "steering:\n  algorithm: random\n  exec: opt %OUT\n",
		   "t.yaml:5:9: steering takes either 'algorithm' or 'exec', not both");
	task_fails(EVAL SPACE "steering:\n  exec: opt %OUT\n  settings: {gamma: 0.1}\n",
		   "t.yaml:5:13: steering.settings go with a built-in algorithm (a steering.exec "
		   "command takes its own options)");
	task_fails(EVAL SPACE "steering:\n  settings: [1]\n",
		   "t.yaml:4:13: steering.settings must be a mapping, not a list");
	task_fails(EVAL SPACE "steering:\n  algorithm: tpe\n  settings: {gama: 0.1}\n",
		   "t.yaml:5:13: steering.settings: unknown setting 'gama' for algorithm 'tpe' "
		   "(did you mean 'gamma'?)");
	task_fails(EVAL SPACE "steering:\n  settings: {gamma: 7}\n",
		   "t.yaml:4:13: steering.settings: setting 'gamma' (7) must be between 1e-09 "
		   "and 1");
	task_fails(EVAL SPACE "steering:\n  exec: opt %IN\n",
		   "t.yaml:4:9: steering.exec must contain %OUT (where the new points go)");
	task_fails(EVAL SPACE "steering:\n  algorithm: randon\n",
		   "t.yaml:4:14: unknown algorithm 'randon' (did you mean 'random'?)");
	/* every built-in algorithm is listed: these first, then any added later */
	task_fails_prefix(EVAL SPACE "steering:\n  algorithm: bayes\n",
			  "t.yaml:4:14: unknown algorithm 'bayes' (built in: random, grid, tpe");
	task_fails(EVAL SPACE "budget:\n  points-per-iteration: 3\n  min-unevaluated-points: 3\n",
		   "t.yaml:5:27: budget.min-unevaluated-points (3) must be below "
		   "points-per-iteration (3)");
	task_fails(EVAL SPACE "budget:\n  min-unevaluated-points: 2\n",
		   "t.yaml:4:27: budget.min-unevaluated-points (2) must be below "
		   "points-per-iteration (2)");
	task_fails(EVAL SPACE "checkpoint:\n  load: model.pt\n",
		   "t.yaml:4:3: checkpoint.load and checkpoint.interval need checkpoint.save");
	task_fails(EVAL SPACE "checkpoint:\n  interval: 10\n",
		   "t.yaml:4:3: checkpoint.load and checkpoint.interval need checkpoint.save");
	task_fails("evaluation:\n  exec: run\n  input: /etc/passwd\n" SPACE,
		   "t.yaml:3:10: evaluation.input must be a relative path inside the working "
		   "directory");
	task_fails("evaluation:\n  exec: run\n  output: ../out.json\n" SPACE,
		   "t.yaml:3:11: evaluation.output must be a relative path inside the working "
		   "directory");
	task_fails("evaluation:\n  exec: run\n  metrics: a/../../m.tgz\n" SPACE,
		   "t.yaml:3:12: evaluation.metrics must be a relative path inside the working "
		   "directory");
	task_fails("evaluation:\n  exec: run\n  training-data: ..\n" SPACE,
		   "t.yaml:3:18: evaluation.training-data must be a relative path inside the "
		   "working directory");
	task_fails("evaluation:\n  exec: run\n  metadata: /m.json\n" SPACE,
		   "t.yaml:3:13: evaluation.metadata must be a relative path inside the working "
		   "directory");
}

static void
test_errors_structure(void **state)
{
	(void)state;
	task_fails(EVAL SPACE "search-space-file: space.yaml\n",
		   "t.yaml:3:20: give 'search-space' or 'search-space-file', not both");
	task_fails(EVAL, "t.yaml:1:1: missing 'search-space' (or 'search-space-file')");
	task_fails("name: x\n" SPACE,
		   "t.yaml:1:1: missing 'evaluation' (the command that evaluates one point)");
	task_fails("evaluation:\n  input: a.json\n" SPACE,
		   "t.yaml:2:3: missing 'exec' in evaluation");
	task_fails("- evaluation\n- search-space\n",
		   "t.yaml:1:1: a task file must be a mapping (evaluation:, search-space:, ...)");
	task_fails("just a string\n",
		   "t.yaml:1:1: a task file must be a mapping (evaluation:, search-space:, ...)");
	task_fails("evaluation: run.sh\n" SPACE,
		   "t.yaml:1:13: 'evaluation' must be a mapping, not a string");
	task_fails(EVAL SPACE "budget: [1, 2]\n", "t.yaml:3:9: 'budget' must be a mapping, not a list");
	task_fails(EVAL SPACE "steering: random\n",
		   "t.yaml:3:11: 'steering' must be a mapping, not a string");
	task_fails(EVAL SPACE "checkpoint: 5\n",
		   "t.yaml:3:13: 'checkpoint' must be a mapping, not an integer");
	task_fails(EVAL SPACE "grid: true\n", "t.yaml:3:1: 'grid' must be a mapping, not a boolean");
	/* an error in the inline space names the task file */
	task_fails(EVAL "search-space:\n  y: {method: normal, mu: 0}\n",
		   "t.yaml:3:3: parameter 'y': method 'normal' needs 'sigma'");
}

/* ---- files ------------------------------------------------------------------ */

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = hpo_path_join(dir, name);
	FILE *f;

	assert_non_null(path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static void
test_space_file(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test_taskspec.XXXXXX", dir[PATH_MAX], expect[PATH_MAX + 128];
	struct hpo_err err = {0};
	struct hpo_task *t = NULL;
	char *task, *spacepath;

	assert_non_null(mkdtemp(tmpl));
	assert_non_null(realpath(tmpl, dir));
	task = hpo_path_join(dir, "task.yaml");
	spacepath = hpo_path_join(dir, "space.yaml");
	write_file(dir, "task.yaml", "evaluation: {exec: run.sh}\nsearch-space-file: space.yaml\n");
	write_file(dir, "space.yaml", "lr: {method: loguniform, low: 0.0001, high: 0.1}\n"
				      "n: {method: uniformint, low: 1, high: 4}\n");

	/* relative to the task file's directory, not the current one */
	assert_int_equal(hpo_task_load(task, &t, &err), 0);
	assert_string_equal(t->dir, dir);
	assert_string_equal(t->name, strrchr(dir, '/') + 1);
	assert_string_equal(t->space_file, "space.yaml");
	assert_int_equal(t->space->n, 2);
	assert_string_equal(t->space->params[0].name, "lr");
	assert_int_equal(t->space->params[1].method, HPO_UNIFORMINT);
	assert_true(t->space->params[1].high == 4);
	hpo_task_free(t);

	/* an error inside the space file names that file */
	write_file(dir, "space.yaml", "lr: {method: loguniform, low: 0.0001, high: 0.1}\n"
				      "y: {method: normal, sigma: 1}\n");
	assert_int_equal(hpo_task_load(task, &t, &err), -1);
	assert_null(t);
	assert_int_equal(err.kind, HPO_E_INPUT);
	snprintf(expect, sizeof(expect), "%s:2:1: parameter 'y': method 'normal' needs 'mu'",
		 spacepath);
	assert_string_equal(err.msg, expect);

	/* a missing space file names its full path */
	unlink(spacepath);
	assert_int_equal(hpo_task_load(task, &t, &err), -1);
	assert_null(t);
	assert_int_equal(err.kind, HPO_E_SYS);
	assert_non_null(strstr(err.msg, spacepath));

	/* an error in the task file names the task file */
	write_file(dir, "task.yaml", "evaluation: {exec: run.sh}\nsearch-space-file: space.yaml\n"
				     "budget: {max-points: 0}\n");
	write_file(dir, "space.yaml", "x: {method: fixed, value: 1}\n");
	assert_int_equal(hpo_task_load(task, &t, &err), -1);
	snprintf(expect, sizeof(expect), "%s:3:22: budget.max-points must be from 1 to 1000000",
		 task);
	assert_string_equal(err.msg, expect);

	unlink(spacepath);
	unlink(task);
	assert_int_equal(rmdir(dir), 0);
	free(task);
	free(spacepath);
}

/* ---- canonical JSON -------------------------------------------------------- */

/* to_json, back through from_json without a document, and to_json again:
 * the same text.  Returns the first text (malloc'ed). */
static char *
round_trip(const struct hpo_task *t)
{
	struct hpo_err err = {0};
	struct hpo_task *back = NULL;
	json_t *j = hpo_task_to_json(t);
	char *first, *second;

	assert_non_null(j);
	first = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	if (hpo_task_from_json(NULL, j, t->dir, &back, &err) < 0)
		fail_msg("canonical JSON rejected: %s\n%s", err.msg, first);
	json_decref(j);
	second = task_text(back);
	if (strcmp(first, second) != 0) {
		fprintf(stderr, "first  %s\nsecond %s\n", first, second);
		fail();
	}
	free(second);
	hpo_task_free(back);
	return first;
}

static void
test_canonical_json(void **state)
{
	(void)state;
	struct hpo_task *t = task_ok(EVAL SPACE, "/data/my-task");
	char *text = round_trip(t);

	assert_string_equal(text,
		"{\"budget\":{\"max-evaluation-jobs\":20,\"max-points\":10,"
		"\"parallel-evaluations\":1,\"points-per-iteration\":2},"
		"\"evaluation\":{\"exec\":\"run.sh\",\"input\":\"input.json\","
		"\"output\":\"output.json\",\"training-data\":\"input_ds.json\"},"
		"\"name\":\"my-task\","
		"\"search-space\":{\"x\":{\"dimension\":{\"high\":1,\"low\":0},"
		"\"method\":\"uniform\"}},"
		"\"steering\":{\"algorithm\":\"tpe\",\"grid-steps\":5,\"settings\":{}}}");
	free(text);
	hpo_task_free(t);

	t = task_ok(full_task, "/d");
	text = round_trip(t);
	assert_string_equal(text,
		"{\"budget\":{\"max-evaluation-jobs\":30,\"max-points\":20,"
		"\"max-points-per-job\":5,\"min-unevaluated-points\":1,"
		"\"parallel-evaluations\":3,\"points-per-iteration\":4},"
		"\"checkpoint\":{\"interval\":15,\"load\":\"model.pt\","
		"\"save\":[\"model.pt\",\"opt.pt\"]},"
		"\"evaluation\":{\"container\":\"docker://gitlab-registry.cern.ch/me/eval:1\","
		"\"exec\":\"python eval.py --in input.json\",\"input\":\"in.json\","
		"\"metadata\":\"meta.json\",\"metrics\":\"metrics.tgz\","
		"\"output\":\"sub/out.json\",\"time-limit\":90.0,"
		"\"training-data\":\"ds.json\",\"training-files\":[\"a.root\",\"b.root\"]},"
		"\"grid\":{\"alrb-args\":\"--nocvmfs\",\"architecture\":\"x86_64-el9\","
		"\"no-email\":true,\"official\":true,\"output-dataset\":\"user.me.hpo.1\","
		"\"segment-spec-file\":\"seg.json\",\"site\":[\"CERN-PROD\",\"BNL\",\"DESY\"],"
		"\"training-dataset\":\"data18.train\",\"working-group\":\"phys-higgs\"},"
		"\"name\":\"full\","
		"\"sandbox\":{\"exclude\":[\"secrets.json\",\"tests/*\"],"
		"\"include\":[\"*.txt\",\"data/*.csv\"]},"
		"\"search-space\":{\"x\":{\"dimension\":{\"high\":1,\"low\":0},"
		"\"method\":\"uniform\"}},"
		"\"steering\":{\"algorithm\":\"grid\",\"grid-steps\":7,\"seed\":42,\"settings\":{\"steps\":7}}}");
	free(text);
	hpo_task_free(t);

	/* the user's steering command and a seed that only fits unsigned */
	t = task_ok(EVAL SPACE "steering:\n  container: docker://s\n  exec: opt %IN %OUT\n"
			       "  seed: '18446744073709551615'\n",
		    "/d");
	text = round_trip(t);
	assert_non_null(strstr(text, "\"steering\":{\"container\":\"docker://s\","
				     "\"exec\":\"opt %IN %OUT\",\"grid-steps\":5,"
				     "\"seed\":\"18446744073709551615\"}"));
	free(text);
	hpo_task_free(t);
}

/* ---- sandbox -------------------------------------------------------------- */

static void
test_sandbox(void **state)
{
	(void)state;
	static const char *const txt[] = {"*.txt"};
	static const char *const two[] = {"a/*.csv", "./b.txt"};
	struct hpo_task *t;
	char *text;

	/* include alone, as one string; the section only when given */
	t = task_ok(EVAL SPACE "sandbox:\n  include: '*.txt'\n", "/d");
	assert_list(t->sandbox.include, txt, 1);
	assert_null(t->sandbox.exclude);
	text = round_trip(t);
	assert_non_null(strstr(text, "\"sandbox\":{\"include\":[\"*.txt\"]}"));
	free(text);
	hpo_task_free(t);

	/* exclude alone, as a comma-separated string */
	t = task_ok(EVAL SPACE "sandbox: {exclude: ' a/*.csv ,./b.txt,'}\n", "/d");
	assert_null(t->sandbox.include);
	assert_list(t->sandbox.exclude, two, 2);
	text = round_trip(t);
	assert_non_null(strstr(text, "\"sandbox\":{\"exclude\":[\"a/*.csv\",\"./b.txt\"]}"));
	free(text);
	hpo_task_free(t);

	/* an empty or null section is no section */
	t = task_ok(EVAL SPACE "sandbox: {}\n", "/d");
	text = round_trip(t);
	assert_null(strstr(text, "sandbox"));
	free(text);
	hpo_task_free(t);
	t = task_ok(EVAL SPACE "sandbox: {include: ~, exclude: ~}\n", "/d");
	text = round_trip(t);
	assert_null(strstr(text, "sandbox"));
	free(text);
	hpo_task_free(t);

	/* patterns that stay inside: '..' as part of a name, a dot, a star */
	t = task_ok(EVAL SPACE "sandbox: {include: ['a..b', '..x/*', ./c, '*', 'a/./b']}\n", "/d");
	assert_int_equal(json_array_size(t->sandbox.include), 5);
	free(round_trip(t));
	hpo_task_free(t);
}

static void
test_sandbox_errors(void **state)
{
	(void)state;
	/* types and emptiness, as for other lists */
	task_fails(EVAL SPACE "sandbox: [a]\n",
		   "t.yaml:3:10: 'sandbox' must be a mapping, not a list");
	task_fails(EVAL SPACE "sandbox:\n  include: 3\n",
		   "t.yaml:4:12: sandbox.include must be a list of strings, not an integer");
	task_fails(EVAL SPACE "sandbox:\n  exclude: {a: 1}\n",
		   "t.yaml:4:12: sandbox.exclude must be a list of strings, not a mapping");
	task_fails(EVAL SPACE "sandbox:\n  include: ['*.txt', '']\n",
		   "t.yaml:4:22: sandbox.include: every item must be a non-empty string");
	task_fails(EVAL SPACE "sandbox:\n  exclude: [a, [b]]\n",
		   "t.yaml:4:16: sandbox.exclude: every item must be a non-empty string");
	task_fails(EVAL SPACE "sandbox:\n  include: []\n",
		   "t.yaml:4:12: sandbox.include must not be empty");
	task_fails(EVAL SPACE "sandbox:\n  exclude: ' , '\n",
		   "t.yaml:4:12: sandbox.exclude must not be empty");
	/* absolute, going up, naming a directory: the item in a list... */
	task_fails(EVAL SPACE "sandbox:\n  include: ['*.txt', /etc/*.conf]\n",
		   "t.yaml:4:22: sandbox.include: pattern '/etc/*.conf' must be relative to the "
		   "task directory");
	task_fails(EVAL SPACE "sandbox:\n  exclude:\n    - a\n    - ../x.json\n",
		   "t.yaml:6:7: sandbox.exclude: pattern '../x.json' must not contain '..'");
	task_fails(EVAL SPACE "sandbox:\n  include: [a/../../b]\n",
		   "t.yaml:4:13: sandbox.include: pattern 'a/../../b' must not contain '..'");
	task_fails(EVAL SPACE "sandbox:\n  include: [data/..]\n",
		   "t.yaml:4:13: sandbox.include: pattern 'data/..' must not contain '..'");
	task_fails(EVAL SPACE "sandbox:\n  exclude: [tests/]\n",
		   "t.yaml:4:13: sandbox.exclude: pattern 'tests/' names no file (for the files "
		   "below a directory write 'tests/*')");
	/* ...the string when comma-separated */
	task_fails(EVAL SPACE "sandbox:\n  include: 'a.txt, /b.txt'\n",
		   "t.yaml:4:12: sandbox.include: pattern '/b.txt' must be relative to the task "
		   "directory");
	task_fails(EVAL SPACE "sandbox: {exclude: '.., a'}\n",
		   "t.yaml:3:20: sandbox.exclude: pattern '..' must not contain '..'");
}

/* ---- durations ------------------------------------------------------------- */

static void
test_parse_duration(void **state)
{
	(void)state;
	assert_true(hpo_parse_duration("90") == 90);
	assert_true(hpo_parse_duration("90s") == 90);
	assert_true(hpo_parse_duration("1.5m") == 90);
	assert_true(hpo_parse_duration("15m") == 900);
	assert_true(hpo_parse_duration("2h") == 7200);
	assert_true(hpo_parse_duration("1d") == 86400);
	assert_true(hpo_parse_duration("0") == 0);
	assert_true(hpo_parse_duration("") == -1);
	assert_true(hpo_parse_duration("x") == -1);
	assert_true(hpo_parse_duration("5y") == -1);
	assert_true(hpo_parse_duration("-3") == -1);
	assert_true(hpo_parse_duration("2hh") == -1);
	assert_true(hpo_parse_duration("h") == -1);
	assert_true(hpo_parse_duration("inf") == -1);
	assert_true(hpo_parse_duration("nan") == -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full_task),
		cmocka_unit_test(test_other_spellings),
		cmocka_unit_test(test_errors_unknown_keys),
		cmocka_unit_test(test_errors_types),
		cmocka_unit_test(test_errors_ranges_and_empty),
		cmocka_unit_test(test_errors_rules),
		cmocka_unit_test(test_errors_structure),
		cmocka_unit_test(test_space_file),
		cmocka_unit_test(test_canonical_json),
		cmocka_unit_test(test_sandbox),
		cmocka_unit_test(test_sandbox_errors),
		cmocka_unit_test(test_parse_duration),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
