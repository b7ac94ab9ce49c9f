/* taskspec.c - the task file */
#include "autoconf.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc.h"
#include "file.h"
#include "optim.h"
#include "taskspec.h"
#include "xmalloc.h"

static const char *const top_keys[] = {
	"name", "evaluation", "steering", "search-space", "search-space-file",
	"budget", "checkpoint", "grid", "sandbox", NULL,
};
static const char *const eval_keys[] = {
	"container", "exec", "input", "output", "training-data", "training-files",
	"metadata", "metrics", "time-limit", NULL,
};
static const char *const steer_keys[] = {
	"algorithm", "settings", "container", "exec", "seed", "grid-steps", NULL,
};
static const char *const budget_keys[] = {
	"max-points", "max-evaluation-jobs", "points-per-iteration",
	"min-unevaluated-points", "parallel-evaluations", "max-points-per-job", NULL,
};
static const char *const ckpt_keys[] = {"save", "load", "interval", NULL};
static const char *const grid_keys[] = {
	"output-dataset", "official", "training-dataset", "site", "working-group",
	"architecture", "no-email", "alrb-args", "segment-spec-file", NULL,
};
static const char *const sandbox_keys[] = {"include", "exclude", NULL};

struct ctx {
	const struct hpo_doc *doc;
	struct hpo_err *err;
};

static int
check_keys(struct ctx *c, const json_t *obj, const char *const *allowed, const char *section)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		int ok = 0;
		for (size_t i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				ok = 1;
		if (ok)
			continue;
		const char *near = hpo_nearest(key, allowed);
		if (near != NULL)
			return hpo_doc_err_key(c->err, c->doc, obj, key,
					       "unknown key '%s'%s%s (did you mean '%s'?)", key,
					       section ? " in " : "", section ? section : "", near);
		return hpo_doc_err_key(c->err, c->doc, obj, key, "unknown key '%s'%s%s", key,
				       section ? " in " : "", section ? section : "");
	}
	return 0;
}

static const char *
kind_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "a mapping";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

/* A section: absent or null is an empty mapping. */
static int
get_section(struct ctx *c, const json_t *obj, const char *key, const json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return hpo_doc_err(c->err, c->doc, obj, key, "'%s' must be a mapping, not %s",
				   key, kind_name(v));
	*out = v;
	return 0;
}

static int
get_str(struct ctx *c, const json_t *obj, const char *key, const char *what, char **out,
	const char *dflt)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (dflt != NULL)
			*out = xstrdup(dflt);
		return 0;
	}
	if (json_is_string(v))
		s = json_string_value(v);
	else
		return hpo_doc_err(c->err, c->doc, obj, key, "%s must be a string, not %s", what,
				   kind_name(v));
	if (*s == '\0')
		return hpo_doc_err(c->err, c->doc, obj, key, "%s must not be empty", what);
	*out = xstrdup(s);
	return 0;
}

static int
get_long(struct ctx *c, const json_t *obj, const char *key, const char *what, long min,
	 long max, long *out, int *present)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	json_int_t n;

	if (present)
		*present = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return hpo_doc_err(c->err, c->doc, obj, key, "%s must be an integer, not %s", what,
				   kind_name(v));
	n = json_integer_value(v);
	if (n < min || n > max) {
		if (max == LONG_MAX)
			return hpo_doc_err(c->err, c->doc, obj, key, "%s must be at least %ld", what,
					   min);
		return hpo_doc_err(c->err, c->doc, obj, key, "%s must be from %ld to %ld", what,
				   min, max);
	}
	*out = (long)n;
	if (present)
		*present = 1;
	return 0;
}

static int
get_bool(struct ctx *c, const json_t *obj, const char *key, const char *what, int *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return hpo_doc_err(c->err, c->doc, obj, key, "%s must be true or false, not %s",
				   what, kind_name(v));
	*out = json_is_true(v);
	return 0;
}

int
hpo_task_status_final(const char *status)
{
	static const char *const final[] = {"done", "finished", "failed", "broken", "aborted", NULL};

	for (size_t i = 0; final[i] != NULL; i++)
		if (strcmp(status, final[i]) == 0)
			return 1;
	return 0;
}

double
hpo_parse_duration(const char *s)
{
	char *end;
	double x = strtod(s, &end), mult = 1;

	if (end == s || !isfinite(x) || x < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0 || strcmp(end, "min") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else if (strcmp(end, "d") == 0)
		mult = 86400;
	else
		return -1;
	return x * mult;
}

static int
get_duration(struct ctx *c, const json_t *obj, const char *key, const char *what, double *out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	double d;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_number(v))
		d = json_number_value(v);
	else if (json_is_string(v))
		d = hpo_parse_duration(json_string_value(v));
	else
		d = -1;
	if (d < 0)
		return hpo_doc_err(c->err, c->doc, obj, key,
				   "%s must be a duration like 90, 90s, 15m or 2h", what);
	*out = d;
	return 0;
}

/* A list of non-empty strings, or one string split at commas (phpo style). */
static int
get_strlist(struct ctx *c, const json_t *obj, const char *key, const char *what, json_t **out)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL, *list, *item;
	size_t i;

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	list = json_array();
	if (json_is_string(v)) {
		char *copy = xstrdup(json_string_value(v)), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			size_t n = strlen(t);
			while (n > 0 && t[n - 1] == ' ')
				t[--n] = '\0';
			if (*t != '\0')
				json_array_append_new(list, json_string(t));
		}
		free(copy);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (!json_is_string(item) || *json_string_value(item) == '\0') {
				json_decref(list);
				return hpo_doc_err(c->err, c->doc, item, NULL,
						   "%s: every item must be a non-empty string", what);
			}
			json_array_append(list, item);
		}
	} else {
		json_decref(list);
		return hpo_doc_err(c->err, c->doc, obj, key,
				   "%s must be a list of strings, not %s", what, kind_name(v));
	}
	if (json_array_size(list) == 0) {
		json_decref(list);
		return hpo_doc_err(c->err, c->doc, obj, key, "%s must not be empty", what);
	}
	*out = list;
	return 0;
}

static int
read_evaluation(struct ctx *c, const json_t *root, struct hpo_task *t)
{
	const json_t *e;

	if (get_section(c, root, "evaluation", &e) < 0)
		return -1;
	if (e == NULL)
		return hpo_doc_err(c->err, c->doc, root, NULL,
				   "missing 'evaluation' (the command that evaluates one point)");
	if (check_keys(c, e, eval_keys, "evaluation") < 0 ||
	    get_str(c, e, "container", "evaluation.container", &t->eval.container, NULL) < 0 ||
	    get_str(c, e, "exec", "evaluation.exec", &t->eval.exec, NULL) < 0 ||
	    get_str(c, e, "input", "evaluation.input", &t->eval.input, "input.json") < 0 ||
	    get_str(c, e, "output", "evaluation.output", &t->eval.output, "output.json") < 0 ||
	    get_str(c, e, "training-data", "evaluation.training-data", &t->eval.training_data,
		    "input_ds.json") < 0 ||
	    get_strlist(c, e, "training-files", "evaluation.training-files",
			&t->eval.training_files) < 0 ||
	    get_str(c, e, "metadata", "evaluation.metadata", &t->eval.metadata, NULL) < 0 ||
	    get_str(c, e, "metrics", "evaluation.metrics", &t->eval.metrics, NULL) < 0 ||
	    get_duration(c, e, "time-limit", "evaluation.time-limit", &t->eval.time_limit) < 0)
		return -1;
	if (t->eval.exec == NULL)
		return hpo_doc_err(c->err, c->doc, e, NULL, "missing 'exec' in evaluation");
	/* file names are relative to the evaluation's working directory */
	const char *names[] = {t->eval.input, t->eval.output, t->eval.training_data,
			       t->eval.metadata, t->eval.metrics};
	const char *keys[] = {"input", "output", "training-data", "metadata", "metrics"};
	for (size_t i = 0; i < 5; i++) {
		const char *n = names[i];
		if (n == NULL)
			continue;
		if (n[0] == '/' || strcmp(n, "..") == 0 || strncmp(n, "../", 3) == 0 ||
		    strstr(n, "/../") != NULL)
			return hpo_doc_err(c->err, c->doc, e, keys[i],
					   "evaluation.%s must be a relative path inside the "
					   "working directory", keys[i]);
	}
	return 0;
}

static int
read_steering(struct ctx *c, const json_t *root, struct hpo_task *t)
{
	const json_t *s;
	long steps = 5, seed = 0;
	int has_seed = 0;
	json_t *seedv, *settings;

	if (get_section(c, root, "steering", &s) < 0 ||
	    (s != NULL && check_keys(c, s, steer_keys, "steering") < 0) ||
	    get_str(c, s, "algorithm", "steering.algorithm", &t->steer.algorithm, NULL) < 0 ||
	    get_str(c, s, "container", "steering.container", &t->steer.container, NULL) < 0 ||
	    get_str(c, s, "exec", "steering.exec", &t->steer.exec, NULL) < 0 ||
	    get_long(c, s, "grid-steps", "steering.grid-steps", 1, 1000000, &steps, NULL) < 0)
		return -1;
	/* a seed is an unsigned 64-bit number; big ones are stored as strings */
	seedv = s ? json_object_get(s, "seed") : NULL;
	if (seedv != NULL && json_is_string(seedv)) {
		const char *str = json_string_value(seedv);
		char *end;
		unsigned long long u;
		errno = 0;
		u = strtoull(str, &end, 10);
		/* digits only: strtoull skips blanks, takes a sign and saturates */
		if (*str < '0' || *str > '9' || *end != '\0' || errno == ERANGE)
			return hpo_doc_err(c->err, c->doc, s, "seed",
					   "steering.seed must be a non-negative integer");
		t->steer.seed = u;
		t->steer.has_seed = 1;
	} else if (get_long(c, s, "seed", "steering.seed", 0, LONG_MAX, &seed, &has_seed) < 0) {
		return -1;
	} else if (has_seed) {
		t->steer.seed = (uint64_t)seed;
		t->steer.has_seed = 1;
	}
	t->steer.grid_steps = (unsigned)steps;
	if (t->steer.algorithm != NULL && t->steer.exec != NULL)
		return hpo_doc_err(c->err, c->doc, s, "exec",
				   "steering takes either 'algorithm' or 'exec', not both");
	if (t->steer.algorithm == NULL && t->steer.exec == NULL)
		t->steer.algorithm = xstrdup("tpe");
	if (t->steer.algorithm != NULL) {
		struct hpo_err aerr = {0};
		if (hpo_optim_get(t->steer.algorithm, &aerr) == NULL)
			return hpo_doc_err(c->err, c->doc, s, "algorithm", "%s", aerr.msg);
	}
	settings = s ? json_object_get(s, "settings") : NULL;
	if (settings != NULL && !json_is_null(settings)) {
		if (t->steer.algorithm == NULL)
			return hpo_doc_err(c->err, c->doc, s, "settings",
					   "steering.settings go with a built-in algorithm "
					   "(a steering.exec command takes its own options)");
		if (!json_is_object(settings))
			return hpo_doc_err(c->err, c->doc, s, "settings",
					   "steering.settings must be a mapping, not %s",
					   hpo_json_kind(settings));
		t->steer.settings = json_deep_copy(settings);
	} else if (t->steer.algorithm != NULL) {
		t->steer.settings = json_object();
	}
	/* grid: steering.grid-steps is the setting 'steps' */
	if (t->steer.algorithm != NULL && strcmp(t->steer.algorithm, "grid") == 0) {
		const json_t *st = json_object_get(t->steer.settings, "steps");
		if (json_is_integer(st) && json_integer_value(st) >= 1 &&
		    json_integer_value(st) <= 1000000)
			t->steer.grid_steps = (unsigned)json_integer_value(st);
		else if (st == NULL)
			json_object_set_new(t->steer.settings, "steps",
					    json_integer(t->steer.grid_steps));
	}
	if (t->steer.exec != NULL && strstr(t->steer.exec, "%OUT") == NULL)
		return hpo_doc_err(c->err, c->doc, s, "exec",
				   "steering.exec must contain %%OUT (where the new points go)");
	return 0;
}

static int
read_space(struct ctx *c, const json_t *root, struct hpo_task *t)
{
	json_t *inl = json_object_get(root, "search-space");

	if (get_str(c, root, "search-space-file", "search-space-file", &t->space_file, NULL) < 0)
		return -1;
	if (inl != NULL && t->space_file != NULL)
		return hpo_doc_err(c->err, c->doc, root, "search-space-file",
				   "give 'search-space' or 'search-space-file', not both");
	if (inl != NULL)
		return hpo_space_from_json(c->doc, inl, &t->space, c->err);
	if (t->space_file == NULL)
		return hpo_doc_err(c->err, c->doc, root, NULL,
				   "missing 'search-space' (or 'search-space-file')");
	char *path = t->space_file[0] == '/' ? xstrdup(t->space_file)
					     : hpo_path_join(t->dir, t->space_file);
	int rc = hpo_space_load(path, &t->space, c->err);
	free(path);
	return rc;
}

static int
read_budget(struct ctx *c, const json_t *root, struct hpo_task *t)
{
	const json_t *b;
	int has_jobs = 0;

	t->budget.max_points = 10;
	t->budget.points_per_iteration = 2;
	t->budget.parallel_evaluations = 1;
	if (get_section(c, root, "budget", &b) < 0 ||
	    (b != NULL && check_keys(c, b, budget_keys, "budget") < 0) ||
	    get_long(c, b, "max-points", "budget.max-points", 1, 1000000, &t->budget.max_points,
		     NULL) < 0 ||
	    get_long(c, b, "max-evaluation-jobs", "budget.max-evaluation-jobs", 1, 10000000,
		     &t->budget.max_evaluation_jobs, &has_jobs) < 0 ||
	    get_long(c, b, "points-per-iteration", "budget.points-per-iteration", 1, 100000,
		     &t->budget.points_per_iteration, NULL) < 0 ||
	    get_long(c, b, "min-unevaluated-points", "budget.min-unevaluated-points", 0, 100000,
		     &t->budget.min_unevaluated_points, &t->budget.has_min_unevaluated) < 0 ||
	    get_long(c, b, "parallel-evaluations", "budget.parallel-evaluations", 1, 10000,
		     &t->budget.parallel_evaluations, NULL) < 0 ||
	    get_long(c, b, "max-points-per-job", "budget.max-points-per-job", 1, 100000,
		     &t->budget.max_points_per_job, NULL) < 0)
		return -1;
	if (!has_jobs)
		t->budget.max_evaluation_jobs = 2 * t->budget.max_points;
	if (t->budget.has_min_unevaluated &&
	    t->budget.min_unevaluated_points >= t->budget.points_per_iteration)
		return hpo_doc_err(c->err, c->doc, b, "min-unevaluated-points",
				   "budget.min-unevaluated-points (%ld) must be below "
				   "points-per-iteration (%ld)",
				   t->budget.min_unevaluated_points, t->budget.points_per_iteration);
	return 0;
}

static int
read_checkpoint(struct ctx *c, const json_t *root, struct hpo_task *t)
{
	const json_t *k;

	if (get_section(c, root, "checkpoint", &k) < 0 ||
	    (k != NULL && check_keys(c, k, ckpt_keys, "checkpoint") < 0) ||
	    get_strlist(c, k, "save", "checkpoint.save", &t->checkpoint.save) < 0 ||
	    get_str(c, k, "load", "checkpoint.load", &t->checkpoint.load, NULL) < 0 ||
	    get_long(c, k, "interval", "checkpoint.interval", 1, 100000, &t->checkpoint.interval,
		     NULL) < 0)
		return -1;
	if ((t->checkpoint.load != NULL || t->checkpoint.interval != 0) &&
	    t->checkpoint.save == NULL)
		return hpo_doc_err(c->err, c->doc, k, NULL,
				   "checkpoint.load and checkpoint.interval need checkpoint.save");
	return 0;
}

static int
read_grid(struct ctx *c, const json_t *root, struct hpo_task *t)
{
	const json_t *g;

	if (get_section(c, root, "grid", &g) < 0 ||
	    (g != NULL && check_keys(c, g, grid_keys, "grid") < 0) ||
	    get_str(c, g, "output-dataset", "grid.output-dataset", &t->grid.output_dataset, NULL) < 0 ||
	    get_bool(c, g, "official", "grid.official", &t->grid.official) < 0 ||
	    get_str(c, g, "training-dataset", "grid.training-dataset", &t->grid.training_dataset,
		    NULL) < 0 ||
	    get_strlist(c, g, "site", "grid.site", &t->grid.sites) < 0 ||
	    get_str(c, g, "working-group", "grid.working-group", &t->grid.working_group, NULL) < 0 ||
	    get_str(c, g, "architecture", "grid.architecture", &t->grid.architecture, NULL) < 0 ||
	    get_bool(c, g, "no-email", "grid.no-email", &t->grid.no_email) < 0 ||
	    get_str(c, g, "alrb-args", "grid.alrb-args", &t->grid.alrb_args, NULL) < 0 ||
	    get_str(c, g, "segment-spec-file", "grid.segment-spec-file",
		    &t->grid.segment_spec_file, NULL) < 0)
		return -1;
	return 0;
}

/* Patterns of sandbox.include and sandbox.exclude: relative, inside the
 * task directory, naming files.  A pattern from a list has its own
 * position; one from a comma-separated string has the string's. */
static int
check_patterns(struct ctx *c, const json_t *obj, const char *key, const json_t *list)
{
	const json_t *v = json_object_get(obj, key), *item;
	size_t i;

	json_array_foreach(list, i, item) {
		const char *p = json_string_value(item), *q;
		const json_t *at = json_is_array(v) ? item : obj;
		const char *atkey = json_is_array(v) ? NULL : key;
		size_t n = strlen(p);

		if (p[0] == '/')
			return hpo_doc_err(c->err, c->doc, at, atkey,
					   "sandbox.%s: pattern '%s' must be relative to the task "
					   "directory", key, p);
		for (q = p; q != NULL; q = strchr(q, '/') ? strchr(q, '/') + 1 : NULL)
			if (q[0] == '.' && q[1] == '.' && (q[2] == '/' || q[2] == '\0'))
				return hpo_doc_err(c->err, c->doc, at, atkey,
						   "sandbox.%s: pattern '%s' must not contain '..'",
						   key, p);
		if (p[n - 1] == '/')
			return hpo_doc_err(c->err, c->doc, at, atkey,
					   "sandbox.%s: pattern '%s' names no file (for the files "
					   "below a directory write '%s*')", key, p, p);
	}
	return 0;
}

static int
read_sandbox(struct ctx *c, const json_t *root, struct hpo_task *t)
{
	const json_t *s;

	if (get_section(c, root, "sandbox", &s) < 0 ||
	    (s != NULL && check_keys(c, s, sandbox_keys, "sandbox") < 0) ||
	    get_strlist(c, s, "include", "sandbox.include", &t->sandbox.include) < 0 ||
	    check_patterns(c, s, "include", t->sandbox.include) < 0 ||
	    get_strlist(c, s, "exclude", "sandbox.exclude", &t->sandbox.exclude) < 0 ||
	    check_patterns(c, s, "exclude", t->sandbox.exclude) < 0)
		return -1;
	return 0;
}

static char *
default_name(const char *dir)
{
	const char *slash = strrchr(dir, '/');

	return xstrdup(slash && slash[1] ? slash + 1 : "task");
}

int
hpo_task_from_json(const struct hpo_doc *doc, const json_t *root, const char *dir,
		   struct hpo_task **out, struct hpo_err *err)
{
	struct ctx c = {doc, err};
	struct hpo_task *t;

	*out = NULL;
	if (!json_is_object(root))
		return hpo_doc_err(err, doc, root, NULL,
				   "a task file must be a mapping (evaluation:, search-space:, ...)");
	t = xcalloc(1, sizeof(*t));
	t->dir = xstrdup(dir);
	if (check_keys(&c, root, top_keys, NULL) < 0 ||
	    get_str(&c, root, "name", "name", &t->name, NULL) < 0 ||
	    read_evaluation(&c, root, t) < 0 || read_steering(&c, root, t) < 0 ||
	    read_space(&c, root, t) < 0 || read_budget(&c, root, t) < 0 ||
	    read_checkpoint(&c, root, t) < 0 || read_grid(&c, root, t) < 0 ||
	    read_sandbox(&c, root, t) < 0) {
		hpo_task_free(t);
		return -1;
	}
	if (t->steer.algorithm != NULL && strcmp(t->steer.algorithm, "grid") == 0) {
		uint64_t size;
		struct hpo_err gerr = {0};
		if (hpo_space_grid_size(t->space, t->steer.grid_steps, &size, &gerr) < 0) {
			const json_t *s = json_object_get(root, "steering");
			hpo_task_free(t);
			return hpo_doc_err(err, doc, s, "algorithm", "grid steering: %s", gerr.msg);
		}
	}
	if (t->steer.algorithm != NULL) {
		struct hpo_err serr = {0};
		if (hpo_optim_check_settings(hpo_optim_find(t->steer.algorithm), t->space,
					     t->steer.settings, &serr) < 0) {
			const json_t *s = json_object_get(root, "steering");
			hpo_task_free(t);
			return hpo_doc_err(err, doc, s, json_object_get(s, "settings") ? "settings" :
					   "algorithm", "steering.settings: %s", serr.msg);
		}
	}
	if (t->name == NULL)
		t->name = default_name(t->dir);
	*out = t;
	return 0;
}

int
hpo_task_load(const char *path, struct hpo_task **out, struct hpo_err *err)
{
	struct hpo_doc *doc;
	char *copy, *dir, abs[PATH_MAX];
	int rc;

	*out = NULL;
	if (hpo_doc_load(path, &doc, err) < 0)
		return -1;
	copy = xstrdup(path);
	dir = strrchr(copy, '/');
	if (dir == copy)
		copy[1] = '\0';
	else if (dir != NULL)
		*dir = '\0';
	dir = dir ? copy : ".";
	if (realpath(dir, abs) == NULL) {
		hpo_err_sys(err, "%s", dir);
		free(copy);
		hpo_doc_free(doc);
		return -1;
	}
	rc = hpo_task_from_json(doc, hpo_doc_root(doc), abs, out, err);
	free(copy);
	hpo_doc_free(doc);
	return rc;
}

static void
set_str(json_t *o, const char *key, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, key, json_string(v));
}

json_t *
hpo_task_to_json(const struct hpo_task *t)
{
	json_t *o = json_object(), *e = json_object(), *s = json_object(), *b = json_object();

	set_str(o, "name", t->name);
	set_str(e, "container", t->eval.container);
	set_str(e, "exec", t->eval.exec);
	set_str(e, "input", t->eval.input);
	set_str(e, "output", t->eval.output);
	set_str(e, "training-data", t->eval.training_data);
	if (t->eval.training_files)
		json_object_set(e, "training-files", t->eval.training_files);
	set_str(e, "metadata", t->eval.metadata);
	set_str(e, "metrics", t->eval.metrics);
	if (t->eval.time_limit > 0)
		json_object_set_new(e, "time-limit", json_real(t->eval.time_limit));
	json_object_set_new(o, "evaluation", e);

	set_str(s, "algorithm", t->steer.algorithm);
	if (t->steer.settings != NULL)
		json_object_set(s, "settings", t->steer.settings);
	set_str(s, "container", t->steer.container);
	set_str(s, "exec", t->steer.exec);
	if (t->steer.has_seed) {
		if (t->steer.seed <= (uint64_t)LLONG_MAX)
			json_object_set_new(s, "seed", json_integer((json_int_t)t->steer.seed));
		else {
			char buf[32];
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)t->steer.seed);
			json_object_set_new(s, "seed", json_string(buf));
		}
	}
	json_object_set_new(s, "grid-steps", json_integer(t->steer.grid_steps));
	json_object_set_new(o, "steering", s);

	json_object_set_new(o, "search-space", hpo_space_to_json(t->space));

	json_object_set_new(b, "max-points", json_integer(t->budget.max_points));
	json_object_set_new(b, "max-evaluation-jobs", json_integer(t->budget.max_evaluation_jobs));
	json_object_set_new(b, "points-per-iteration", json_integer(t->budget.points_per_iteration));
	if (t->budget.has_min_unevaluated)
		json_object_set_new(b, "min-unevaluated-points",
				    json_integer(t->budget.min_unevaluated_points));
	json_object_set_new(b, "parallel-evaluations", json_integer(t->budget.parallel_evaluations));
	if (t->budget.max_points_per_job > 0)
		json_object_set_new(b, "max-points-per-job", json_integer(t->budget.max_points_per_job));
	json_object_set_new(o, "budget", b);

	if (t->checkpoint.save != NULL) {
		json_t *k = json_object();
		json_object_set(k, "save", t->checkpoint.save);
		set_str(k, "load", t->checkpoint.load);
		if (t->checkpoint.interval > 0)
			json_object_set_new(k, "interval", json_integer(t->checkpoint.interval));
		json_object_set_new(o, "checkpoint", k);
	}

	json_t *g = json_object();
	set_str(g, "output-dataset", t->grid.output_dataset);
	if (t->grid.official)
		json_object_set_new(g, "official", json_true());
	set_str(g, "training-dataset", t->grid.training_dataset);
	if (t->grid.sites)
		json_object_set(g, "site", t->grid.sites);
	set_str(g, "working-group", t->grid.working_group);
	set_str(g, "architecture", t->grid.architecture);
	if (t->grid.no_email)
		json_object_set_new(g, "no-email", json_true());
	set_str(g, "alrb-args", t->grid.alrb_args);
	set_str(g, "segment-spec-file", t->grid.segment_spec_file);
	if (json_object_size(g) > 0)
		json_object_set_new(o, "grid", g);
	else
		json_decref(g);

	if (t->sandbox.include != NULL || t->sandbox.exclude != NULL) {
		json_t *x = json_object();
		if (t->sandbox.include != NULL)
			json_object_set(x, "include", t->sandbox.include);
		if (t->sandbox.exclude != NULL)
			json_object_set(x, "exclude", t->sandbox.exclude);
		json_object_set_new(o, "sandbox", x);
	}
	return o;
}

void
hpo_task_free(struct hpo_task *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->dir);
	free(t->eval.container);
	free(t->eval.exec);
	free(t->eval.input);
	free(t->eval.output);
	free(t->eval.training_data);
	free(t->eval.metadata);
	free(t->eval.metrics);
	json_decref(t->eval.training_files);
	free(t->steer.algorithm);
	json_decref(t->steer.settings);
	free(t->steer.container);
	free(t->steer.exec);
	hpo_space_free(t->space);
	free(t->space_file);
	json_decref(t->checkpoint.save);
	free(t->checkpoint.load);
	free(t->grid.output_dataset);
	free(t->grid.training_dataset);
	json_decref(t->grid.sites);
	free(t->grid.working_group);
	free(t->grid.architecture);
	free(t->grid.alrb_args);
	free(t->grid.segment_spec_file);
	json_decref(t->sandbox.include);
	json_decref(t->sandbox.exclude);
	free(t);
}
