/* test_taskparams.c - the PanDA task parameters of an HPO task, compared
 * with parameters written by hand from phpo's source (PhpoScript.py) in
 * tests/fixtures/taskparams/<case>.json; the same task from a task file,
 * from a phpo --loadJson file, and from one laid over the other; outDS
 * names; the evaluation exec as job parameters */
#include "autoconf.h"

#include <fcntl.h>
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
#include "log.h"
#include "phpo_file.h"
#include "taskparams.h"
#include "taskspec.h"
#include "url.h"

static const struct hpo_params_ctx ctx = {
	"hpo-tools", "9.9.9", "hpo-submit --grid task.yaml",
	"jobO.00000000-0000-8000-8000-000000000000.tar", "https://pandacache.cern.ch",
};

static char fixdir[PATH_MAX];

static char *
fixture(const char *name)
{
	char *p = hpo_path_join(fixdir, name);

	assert_non_null(p);
	return p;
}

/* got must equal the fixture: the same values (json_equal) and the same key
 * order everywhere (the compact dumps). */
static void
assert_params(const json_t *got, const char *case_name, const char *how)
{
	char name[256], *path, *a, *b;
	json_error_t jerr;
	json_t *want;

	snprintf(name, sizeof(name), "%s.json", case_name);
	path = fixture(name);
	want = json_load_file(path, 0, &jerr);
	if (want == NULL)
		fail_msg("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	a = json_dumps(got, JSON_COMPACT);
	b = json_dumps(want, JSON_COMPACT);
	if (!json_equal(got, want) || strcmp(a, b) != 0) {
		char *pretty = json_dumps(got, JSON_INDENT(2));
		print_error("%s (%s) differs from %s; got:\n%s\n", case_name, how, path, pretty);
		free(pretty);
		fail();
	}
	/* the top level, key by key, in order */
	const char *k1;
	json_t *v1;
	void *it = json_object_iter(want);
	json_object_foreach((json_t *)got, k1, v1) {
		assert_non_null(it);
		assert_string_equal(k1, json_object_iter_key(it));
		it = json_object_iter_next(want, it);
	}
	assert_null(it);
	free(a);
	free(b);
	free(path);
	json_decref(want);
}

static json_t *
params_of(const struct hpo_task *t)
{
	struct hpo_err err = {0};
	json_t *p = NULL;

	if (hpo_task_params(t, &ctx, &p, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(p);
	return p;
}

/* The case from its task file. */
static void
check_task_file(const char *case_name)
{
	struct hpo_err err = {0};
	struct hpo_task *t = NULL;
	char name[256], *path;
	json_t *p;

	snprintf(name, sizeof(name), "%s.task.yaml", case_name);
	path = fixture(name);
	if (hpo_task_load(path, &t, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	p = params_of(t);
	assert_params(p, case_name, "task file");
	json_decref(p);
	hpo_task_free(t);
	free(path);
}

/* The task of a phpo option file (--load-json). */
static struct hpo_task *
task_of_phpo(const char *path)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_task *t = NULL;
	json_t *tj = NULL;

	if (hpo_doc_load(path, &doc, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	if (hpo_phpo_to_task_json(doc, hpo_doc_root(doc), fixdir, &tj, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	if (hpo_task_from_json(doc, tj, fixdir, &t, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	json_decref(tj);
	hpo_doc_free(doc);
	return t;
}

static void
check_phpo_file(const char *case_name)
{
	char name[256], *path;
	struct hpo_task *t;
	json_t *p;

	snprintf(name, sizeof(name), "%s.phpo.json", case_name);
	path = fixture(name);
	t = task_of_phpo(path);
	p = params_of(t);
	assert_params(p, case_name, "phpo option file");
	json_decref(p);
	hpo_task_free(t);
	free(path);
}

static void
test_minimal(void **state)
{
	(void)state;
	check_task_file("minimal");
	check_phpo_file("minimal");
}

static void
test_training(void **state)
{
	(void)state;
	check_task_file("training");
	check_phpo_file("training");
}

static void
test_checkpoint(void **state)
{
	(void)state;
	check_task_file("checkpoint");
	check_phpo_file("checkpoint");
}

static void
test_metrics(void **state)
{
	(void)state;
	check_task_file("metrics");
	check_phpo_file("metrics");
}

static void
test_segmented(void **state)
{
	(void)state;
	check_task_file("segmented");
	check_phpo_file("segmented");
}

/* --load-json over a task file: the phpo file wins, section by section. */
static void
test_merge_over_task_file(void **state)
{
	(void)state;
	static const char base_text[] =
		"name: other\n"
		"evaluation: {container: docker://busybox, exec: ./local.sh, time-limit: 60}\n"
		"steering: {algorithm: random, seed: 5}\n"
		"search-space: {x: {method: uniform, low: 0, high: 1}}\n"
		"grid: {output-dataset: user.jdoe.other}\n";
	struct hpo_err err = {0};
	struct hpo_doc *bdoc = NULL, *pdoc = NULL;
	struct hpo_task *t = NULL;
	json_t *base, *over = NULL, *p;
	char *path = fixture("minimal.phpo.json");

	assert_int_equal(hpo_doc_parse("base.yaml", base_text, strlen(base_text), &bdoc, &err), 0);
	assert_int_equal(hpo_doc_load(path, &pdoc, &err), 0);
	assert_int_equal(hpo_phpo_to_task_json(pdoc, hpo_doc_root(pdoc), fixdir, &over, &err), 0);
	base = json_deep_copy(hpo_doc_root(bdoc));
	assert_int_equal(hpo_task_json_merge(base, over), 0);
	/* the phpo file's values, the task file's others */
	assert_null(json_object_get(base, "search-space"));
	assert_null(json_object_get(json_object_get(base, "steering"), "algorithm"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(base, "steering"),
							    "seed")), 5);
	assert_string_equal(json_string_value(json_object_get(base, "name")), "other");
	if (hpo_task_from_json(NULL, base, fixdir, &t, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_true(t->eval.time_limit == 60);
	p = params_of(t);
	assert_params(p, "minimal", "phpo option file over a task file");
	json_decref(p);
	hpo_task_free(t);
	json_decref(base);
	json_decref(over);
	hpo_doc_free(bdoc);
	hpo_doc_free(pdoc);
	free(path);
}

/* A built-in algorithm on the Grid: hpo-steer in steering.container. */
static void
test_builtin_steering(void **state)
{
	static const char text[] =
		"evaluation: {container: docker://eval, exec: ./run.sh}\n"
		"steering:\n"
		"  algorithm: tpe\n"
		"  settings: {gamma: 0.2, multivariate: true}\n"
		"  container: docker://ghcr.io/me/hpo-steer:1\n"
		"  seed: 9\n"
		"search-space: {x: {method: uniform, low: 0, high: 1}}\n"
		"grid: {output-dataset: user.jdoe.t}\n";
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_task *t = NULL;
	const json_t *req;
	json_t *p;

	(void)state;
	assert_int_equal(hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err), 0);
	if (hpo_task_from_json(doc, hpo_doc_root(doc), fixdir, &t, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	p = params_of(t);
	req = json_object_get(p, "hpoRequestData");
	assert_string_equal(json_string_value(json_object_get(req, "sandbox")),
			    "docker://ghcr.io/me/hpo-steer:1");
	assert_string_equal(json_string_value(json_object_get(req, "arguments")),
			    "hpo-steer --algorithm tpe --in %IN --out %OUT --num-points %NUM_POINTS "
			    "--max-points %MAX_POINTS --seed 9 "
			    "--setting '{\"gamma\":0.2,\"multivariate\":true}'");
	json_decref(p);
	/* no seed, no settings: hpo-steer's defaults */
	t->steer.has_seed = 0;
	json_object_clear(t->steer.settings);
	p = params_of(t);
	req = json_object_get(p, "hpoRequestData");
	assert_string_equal(json_string_value(json_object_get(req, "arguments")),
			    "hpo-steer --algorithm tpe --in %IN --out %OUT --num-points %NUM_POINTS "
			    "--max-points %MAX_POINTS");
	json_decref(p);
	hpo_task_free(t);
	hpo_doc_free(doc);
}

static void
test_merge_rules(void **state)
{
	(void)state;
	json_t *base = json_loads("{\"name\": \"a\", \"search-space-file\": \"s.json\","
				  " \"budget\": {\"max-points\": 5, \"points-per-iteration\": 2},"
				  " \"steering\": {\"exec\": \"x %OUT\"}}", 0, NULL);
	json_t *over = json_loads("{\"search-space\": {\"x\": {}}, \"budget\": {\"max-points\": 7},"
				  " \"steering\": {\"algorithm\": \"grid\"},"
				  " \"grid\": {\"site\": \"A\"}}", 0, NULL);
	json_t *want = json_loads("{\"name\": \"a\", \"budget\": {\"max-points\": 7,"
				  " \"points-per-iteration\": 2}, \"steering\": {\"algorithm\": \"grid\"},"
				  " \"search-space\": {\"x\": {}}, \"grid\": {\"site\": \"A\"}}", 0, NULL);

	assert_non_null(base);
	assert_non_null(over);
	assert_int_equal(hpo_task_json_merge(base, over), 0);
	assert_true(json_equal(base, want));
	/* over is untouched by later changes of base */
	json_object_set_new(json_object_get(base, "grid"), "site", json_string("B"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(over, "grid"), "site")),
			    "A");
	json_t *arr = json_array();
	assert_int_equal(hpo_task_json_merge(base, arr), -1);
	json_decref(arr);
	json_decref(base);
	json_decref(over);
	json_decref(want);
}

/* Run f with stderr going to a string (malloc'ed). */
static char *
stderr_of(void (*f)(void *), void *arg)
{
	char tmpl[] = "/tmp/test_taskparams.err.XXXXXX", *buf = NULL;
	struct hpo_err err = {0};
	size_t len;
	int fd = mkstemp(tmpl), saved = dup(2);

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	f(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_int_equal(hpo_file_read(tmpl, 1 << 20, &buf, &len, &err), 0);
	unlink(tmpl);
	return buf;
}

static void
load_checkpoint_phpo(void *arg)
{
	char *path = fixture("checkpoint.phpo.json");

	*(struct hpo_task **)arg = task_of_phpo(path);
	free(path);
}

static void
test_phpo_file_notes(void **state)
{
	(void)state;
	struct hpo_task *t = NULL;
	char *out, want[PATH_MAX + 256];

	out = stderr_of(load_checkpoint_phpo, &t);
	assert_non_null(t);
	/* unknown: a warning naming the file, line and column, as phpo warns */
	snprintf(want, sizeof(want), "test_taskparams: warning: %s/checkpoint.phpo.json:18:3: ignoring "
		 "unknown phpo option 'unknownOption'\n", fixdir);
	if (strstr(out, want) == NULL)
		fail_msg("no '%s' in '%s'", want, out);
	/* without meaning here: a note */
	snprintf(want, sizeof(want), "test_taskparams: %s/checkpoint.phpo.json:16:3: phpo option "
		 "'dumpJson' means nothing for a task: ignored\n", fixdir);
	if (strstr(out, want) == NULL)
		fail_msg("no '%s' in '%s'", want, out);
	snprintf(want, sizeof(want), "%s/checkpoint.phpo.json:17:3: phpo option 'noSubmit'",
		 fixdir);
	assert_non_null(strstr(out, want));
	free(out);
	hpo_task_free(t);
}

/* A phpo option file given as text: its task JSON, or the error of
 * hpo_task_from_json on it (messages naming p.json:line:col). */
static int
phpo_text(const char *text, json_t **tj, struct hpo_task **t, struct hpo_err *err)
{
	struct hpo_doc *doc = NULL;
	int rc;

	*tj = NULL;
	*t = NULL;
	assert_int_equal(hpo_doc_parse("p.json", text, strlen(text), &doc, err), 0);
	rc = hpo_phpo_to_task_json(doc, hpo_doc_root(doc), "/fix", tj, err);
	if (rc == 0)
		rc = hpo_task_from_json(doc, *tj, "/fix", t, err);
	hpo_doc_free(doc);
	return rc;
}

static void
test_phpo_values(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	struct hpo_task *t;
	json_t *tj;

	/* numeric strings become integers where phpo's option is an integer */
	assert_int_equal(phpo_text("{\"maxPoints\": \"1_000\", \"nPointsPerIteration\": \" +4\","
				   " \"maxEvaluationJobs\": null, \"checkPointToSave\": \"5\","
				   " \"searchSpaceFile\": \"sub/s.json\", \"segmentSpecFile\": \"/abs/seg.json\","
				   " \"outDS\": \"123\"}", &tj, &t, &err), -1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(tj, "budget"),
							    "max-points")), 1000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(tj, "budget"),
							    "points-per-iteration")), 4);
	/* null is phpo's default: left out */
	assert_null(json_object_get(json_object_get(tj, "budget"), "max-evaluation-jobs"));
	/* strings stay strings for string options */
	assert_string_equal(json_string_value(json_object_get(json_object_get(tj, "checkpoint"),
							      "save")), "5");
	assert_string_equal(json_string_value(json_object_get(json_object_get(tj, "grid"),
							      "output-dataset")), "123");
	/* file names relative to the option file's directory */
	assert_string_equal(json_string_value(json_object_get(tj, "search-space-file")),
			    "/fix/sub/s.json");
	assert_string_equal(json_string_value(json_object_get(json_object_get(tj, "grid"),
							      "segment-spec-file")), "/abs/seg.json");
	json_decref(tj);

	assert_int_equal(phpo_text("{\"evaluationExec\": \"run.sh\", \"steeringExec\": \"s %OUT\","
				   " \"maxPoints\": \"ten\"}", &tj, &t, &err), -1);
	json_decref(tj);
	assert_string_equal(err.msg, "p.json: missing 'search-space' (or 'search-space-file')");

	/* what is not an integer stays as given (refused later where it stood) */
	assert_int_equal(phpo_text("{\"maxPoints\": \"12abc\", \"nParallelEvaluation\": 2.5}",
				   &tj, &t, &err), -1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(tj, "budget"),
							      "max-points")), "12abc");
	assert_true(json_is_real(json_object_get(json_object_get(tj, "budget"),
						 "parallel-evaluations")));
	json_decref(tj);

	/* the root must be an object */
	assert_int_equal(phpo_text("[1]", &tj, &t, &err), -1);
	assert_null(tj);
	assert_string_equal(err.msg, "p.json:1:1: a phpo option file must be a JSON object of "
				     "option names");
}

static void
test_phpo_value_positions(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	struct hpo_task *t;
	json_t *tj;
	char *space = fixture("space.json"), text[PATH_MAX + 256];

	snprintf(text, sizeof(text),
		 "{\"evaluationExec\": \"run.sh\", \"steeringExec\": \"s %%OUT\",\n"
		 " \"searchSpaceFile\": \"%s\",\n"
		 " \"maxPoints\": \"ten\"}", space);
	assert_int_equal(phpo_text(text, &tj, &t, &err), -1);
	assert_string_equal(err.msg, "p.json:3:15: budget.max-points must be an integer, not a string");
	json_decref(tj);

	snprintf(text, sizeof(text),
		 "{\"evaluationExec\": \"run.sh\", \"steeringExec\": \"s %%OUT\",\n"
		 " \"searchSpaceFile\": \"%s\",\n"
		 " \"official\": \"yes\"}", space);
	assert_int_equal(phpo_text(text, &tj, &t, &err), -1);
	assert_string_equal(err.msg, "p.json:3:14: grid.official must be true or false, not a string");
	json_decref(tj);
	free(space);
}

static void
test_params_errors(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	struct hpo_task *t;
	json_t *p = NULL;
	struct hpo_params_ctx bad = ctx;
	char *path = fixture("minimal.task.yaml");

	assert_int_equal(hpo_task_load(path, &t, &err), 0);

	free(t->eval.container);
	t->eval.container = NULL;
	assert_int_equal(hpo_task_params(t, &ctx, &p, &err), -1);
	assert_null(p);
	assert_string_equal(err.msg, "evaluation.container (phpo --evaluationContainer) is "
				     "required on the grid");
	t->eval.container = strdup("c");

	free(t->steer.exec);
	t->steer.exec = NULL;
	t->steer.algorithm = strdup("random");
	free(t->steer.container);
	t->steer.container = NULL;
	assert_int_equal(hpo_task_params(t, &ctx, &p, &err), -1);
	assert_string_equal(err.msg, "steering.container (phpo --steeringContainer) is required "
				     "on the grid: an image with hpo-steer for the built-in "
				     "algorithm 'random', or the image of steering.exec");
	free(t->steer.algorithm);
	t->steer.algorithm = NULL;
	t->steer.exec = strdup("s %OUT");

	free(t->grid.output_dataset);
	t->grid.output_dataset = NULL;
	assert_int_equal(hpo_task_params(t, &ctx, &p, &err), -1);
	assert_string_equal(err.msg, "grid.output-dataset (phpo --outDS) is required on the grid");
	t->grid.output_dataset = strdup("user.jdoe.x");

	bad.sandbox = NULL;
	assert_int_equal(hpo_task_params(t, &bad, &p, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);

	/* a segment file that is not a list of mappings */
	char tmpl[] = "/tmp/test_taskparams.XXXXXX", *seg;
	assert_non_null(mkdtemp(tmpl));
	seg = hpo_path_join(tmpl, "seg.json");
	assert_int_equal(hpo_file_write_atomic(seg, "[]\n", 3, 0644, &err), 0);
	t->grid.segment_spec_file = strdup(seg);
	assert_int_equal(hpo_task_params(t, &ctx, &p, &err), -1);
	char want[PATH_MAX + 128];
	snprintf(want, sizeof(want), "%s:1:1: grid.segment-spec-file must hold a non-empty list "
		 "of segments ({name: ..., files: [...]})", seg);
	assert_string_equal(err.msg, want);
	assert_int_equal(hpo_file_write_atomic(seg, "[{name: a}, 5]\n", 15, 0644, &err), 0);
	assert_int_equal(hpo_task_params(t, &ctx, &p, &err), -1);
	snprintf(want, sizeof(want), "%s:1:13: a segment must be a mapping "
		 "({name: ..., files: [...]})", seg);
	assert_string_equal(err.msg, want);
	unlink(seg);
	rmdir(tmpl);
	free(seg);
	hpo_task_free(t);
	free(path);
}

static void
outds_ok(const char *outds, const char *nick, int official, const char *wg)
{
	struct hpo_err err = {0};

	if (hpo_outds_check(outds, nick, official, wg, &err) < 0)
		fail_msg("'%s' refused: %s", outds, err.msg);
}

static void
outds_bad(const char *outds, const char *nick, int official, const char *wg, const char *want)
{
	struct hpo_err err = {0};

	assert_int_equal(hpo_outds_check(outds, nick, official, wg, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	if (strcmp(err.msg, want) != 0)
		fail_msg("'%s': error '%s', expected '%s'", outds, err.msg, want);
}

static void
test_outds_check(void **state)
{
	(void)state;
	char name[200], want[400];

	outds_ok("user.jdoe.test1234", "jdoe", 0, NULL);
	outds_ok("user.jdoe.test1234/", "jdoe", 0, NULL);
	outds_ok("user.jdoe.a.b-c_d", "jdoe", 0, "phys-higgs");
	outds_bad("user.other.x", "jdoe", 0, NULL,
		  "output dataset 'user.other.x' must start with 'user.jdoe.' (e.g. user.jdoe.test1234)");
	outds_bad("user.jdoex.x", "jdoe", 0, NULL,
		  "output dataset 'user.jdoex.x' must start with 'user.jdoe.' (e.g. user.jdoe.test1234)");
	outds_bad("user.jdoe", "jdoe", 0, NULL,
		  "output dataset 'user.jdoe' must start with 'user.jdoe.' (e.g. user.jdoe.test1234)");
	outds_bad("group.phys-higgs.x", "jdoe", 0, NULL,
		  "output dataset 'group.phys-higgs.x' must start with 'user.jdoe.' (e.g. user.jdoe.test1234)");
	outds_bad("user.jdoe.x", "", 0, NULL,
		  "output dataset 'user.jdoe.x': no grid nickname to check it against");
	outds_bad("", "jdoe", 0, NULL, "output dataset: the name is empty");
	outds_bad("user.jdoe.a:b", "jdoe", 0, NULL, "output dataset 'user.jdoe.a:b': invalid character ':'");
	outds_bad("user.jdoe.a*", "jdoe", 0, NULL, "output dataset 'user.jdoe.a*': invalid character '*'");
	outds_bad("user.jdoe.{x}", "jdoe", 0, NULL, "output dataset 'user.jdoe.{x}': invalid character '{'");

	/* at most 132 characters with the trailing '/' */
	snprintf(name, sizeof(name), "user.jdoe.%0121d", 0);	/* 131 */
	outds_ok(name, "jdoe", 0, NULL);
	strcat(name, "/");					/* 132 */
	outds_ok(name, "jdoe", 0, NULL);
	snprintf(name, sizeof(name), "user.jdoe.%0122d", 0);	/* 132 + '/' */
	snprintf(want, sizeof(want), "output dataset '%s' is too long: 133 characters with the "
		 "trailing '/', at most 132", name);
	outds_bad(name, "jdoe", 0, NULL, want);
	strcat(name, "/");
	snprintf(want, sizeof(want), "output dataset '%s' is too long: 133 characters with the "
		 "trailing '/', at most 132", name);
	outds_bad(name, "jdoe", 0, NULL, want);

	/* official: group.<group>. or groupNN.<group>. */
	outds_ok("group.phys-higgs.hpo1", "jdoe", 1, "phys-higgs");
	outds_ok("group10.phys-higgs.hpo1/", "jdoe", 1, "phys-higgs");
	outds_ok("group.perf-muons.hpo1", "jdoe", 1, NULL);
	outds_bad("group.phys-top.hpo1", "jdoe", 1, "phys-higgs",
		  "official output dataset 'group.phys-top.hpo1' must start with 'group.phys-higgs.'");
	outds_bad("group.phys-higgsx.hpo1", "jdoe", 1, "phys-higgs",
		  "official output dataset 'group.phys-higgsx.hpo1' must start with 'group.phys-higgs.'");
	outds_bad("user.jdoe.hpo1", "jdoe", 1, "phys-higgs",
		  "official output dataset 'user.jdoe.hpo1' must start with 'group.phys-higgs.'");
	outds_bad("group..hpo1", "jdoe", 1, NULL,
		  "official output dataset 'group..hpo1' must start with 'group.<group>.'");
	outds_bad("group1.perf.hpo1", "jdoe", 1, NULL,
		  "official output dataset 'group1.perf.hpo1' must start with 'group.<group>.'");
	snprintf(name, sizeof(name), "group.perf.%0122d", 0);	/* 133 with '/' */
	snprintf(want, sizeof(want), "output dataset '%s' is too long: 134 characters with the "
		 "trailing '/', at most 132", name);
	outds_bad(name, "jdoe", 1, "perf", want);
}

static void
test_outds_default(void **state)
{
	(void)state;
	time_t when = 1767225600 + 3661;	/* 2026-01-01 01:01:01 UTC */
	char *s, *t, long_name[300];
	struct hpo_err err = {0};

	s = hpo_outds_default("jdoe", "branin", when, 0xab12cdU);
	assert_string_equal(s, "user.jdoe.branin.20260101010101.ab12cd/");
	assert_int_equal(hpo_outds_check(s, "jdoe", 0, NULL, &err), 0);
	/* the same second, another tag: another name */
	t = hpo_outds_default("jdoe", "branin", when, 0x00000fU);
	assert_string_equal(t, "user.jdoe.branin.20260101010101.00000f/");
	assert_string_not_equal(s, t);
	free(s);
	free(t);
	s = hpo_outds_default("jdoe", "my task/v2:é", when, 0xffab12cdU);
	assert_string_equal(s, "user.jdoe.my_task_v2___.20260101010101.ab12cd/");
	assert_int_equal(hpo_outds_check(s, "jdoe", 0, NULL, &err), 0);
	free(s);
	s = hpo_outds_default("jdoe", "", when, 1);
	assert_string_equal(s, "user.jdoe.hpo.20260101010101.000001/");
	free(s);
	s = hpo_outds_default("jdoe", NULL, when + 1, 1);
	assert_string_equal(s, "user.jdoe.hpo.20260101010102.000001/");
	free(s);
	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	s = hpo_outds_default("jdoe", long_name, when, 0x123456U);
	assert_int_equal(strlen(s), HPO_OUTDS_MAX);
	assert_string_equal(s + strlen(s) - 23, ".20260101010101.123456/");
	assert_int_equal(hpo_outds_check(s, "jdoe", 0, NULL, &err), 0);
	free(s);
	assert_null(hpo_outds_default("", "x", when, 0));
	assert_null(hpo_outds_default(NULL, "x", when, 0));
}

static void
test_url_quote(void **state)
{
	(void)state;
	char *s;

	/* urllib.parse.quote: letters, digits, _.-~ and / stay */
	s = hpo_url_quote("AZaz09_.-~/ !\"#$%&'()*+,:;<=>?@[\\]^`{|}\t\n");
	assert_string_equal(s, "AZaz09_.-~/%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%3A%3B%3C%3D%3E"
			       "%3F%40%5B%5C%5D%5E%60%7B%7C%7D%09%0A");
	free(s);
	s = hpo_url_quote("\xc3\xa9");	/* é in UTF-8, byte by byte */
	assert_string_equal(s, "%C3%A9");
	free(s);
	s = hpo_url_quote("");
	assert_string_equal(s, "");
	free(s);
}

static void
assert_exec(const char *exec, const char *want_text)
{
	json_t *got = hpo_exec_job_params(exec), *want = json_loads(want_text, 0, NULL);
	char *a, *b;

	assert_non_null(got);
	assert_non_null(want);
	a = json_dumps(got, JSON_COMPACT);
	b = json_dumps(want, JSON_COMPACT);
	if (strcmp(a, b) != 0)
		fail_msg("exec '%s':\n got %s\nwant %s", exec, a, b);
	free(a);
	free(b);
	json_decref(got);
	json_decref(want);
}

static void
test_exec_job_params(void **state)
{
	(void)state;
	assert_exec("python train.py", "[{\"type\": \"constant\", \"value\": \"python%20train.py\","
		    " \"padding\": false}]");
	/* %RNDM without a number is no placeholder */
	assert_exec("echo %RNDM", "[{\"type\": \"constant\", \"value\": \"echo%20%25RNDM\","
		    " \"padding\": false}]");
	assert_exec("run %DB:ddo.000001.Atlas.Ideal.DBRelease.v06060101 x",
		    "[{\"type\": \"constant\", \"value\": \"run%20\", \"padding\": false},"
		    " {\"type\": \"template\", \"value\": \"${DBR}\", \"param_type\": \"number\","
		    " \"padding\": false},"
		    " {\"type\": \"constant\", \"value\": \"%20x\", \"padding\": false}]");
	assert_exec("f(%MAXEVENTS)",
		    "[{\"type\": \"constant\", \"value\": \"f%28\", \"padding\": false},"
		    " {\"type\": \"template\", \"value\": \"${MAXEVENTS}\", \"param_type\": \"number\","
		    " \"padding\": false},"
		    " {\"type\": \"constant\", \"value\": \"%29\", \"padding\": false}]");
	/* the placeholder's word is the template; a number after = or : is its offset */
	assert_exec("out_%FIRSTEVENT:7.root",
		    "[{\"type\": \"constant\", \"value\": \"\", \"padding\": false},"
		    " {\"type\": \"template\", \"value\": \"out_${FIRSTEVENT}.root\","
		    " \"param_type\": \"number\", \"offset\": 7, \"padding\": false},"
		    " {\"type\": \"constant\", \"value\": \"\", \"padding\": false}]");
	assert_exec("--seed=%RNDM=5% --name=%SEGMENT_NAME",
		    "[{\"type\": \"constant\", \"value\": \"--seed%3D\", \"padding\": false},"
		    " {\"type\": \"template\", \"value\": \"${SEQNUMBER}\","
		    " \"param_type\": \"pseudo_input\", \"dataset\": \"seq_number\", \"offset\": 5,"
		    " \"padding\": false},"
		    " {\"type\": \"constant\", \"value\": \"%20--name%3D\", \"padding\": false},"
		    " {\"type\": \"template\", \"value\": \"${SEGMENT_NAME}\", \"param_type\": \"number\","
		    " \"padding\": false},"
		    " {\"type\": \"constant\", \"value\": \"\", \"padding\": false}]");
	/* shell variables are no placeholders */
	assert_exec("echo ${HOME}", "[{\"type\": \"constant\", \"value\": \"echo%20%24%7BHOME%7D\","
		    " \"padding\": false}]");
}

int
main(void)
{
	const char *top = getenv("top_srcdir");

	hpo_log_init("test_taskparams", HPO_LOG_NORMAL);
	snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures/taskparams", top ? top : ".");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_training),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_segmented),
		cmocka_unit_test(test_merge_over_task_file),
		cmocka_unit_test(test_merge_rules),
		cmocka_unit_test(test_phpo_file_notes),
		cmocka_unit_test(test_phpo_values),
		cmocka_unit_test(test_phpo_value_positions),
		cmocka_unit_test(test_params_errors),
		cmocka_unit_test(test_outds_check),
		cmocka_unit_test(test_outds_default),
		cmocka_unit_test(test_url_quote),
		cmocka_unit_test(test_exec_job_params),
		cmocka_unit_test(test_builtin_steering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
