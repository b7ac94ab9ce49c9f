/* phpo_file.c - phpo option files (--loadJson) as task-file JSON
 *
 * Facts from panda-client 2.0.2: pandaclient/PhpoScript.py (its options
 * and their dests, --loadJson).  Written from those facts, not from their
 * code.
 */
#include "autoconf.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc.h"
#include "file.h"
#include "log.h"
#include "phpo_file.h"
#include "xmalloc.h"
#include "taskparams.h"

enum otype { O_STR, O_INT, O_BOOL, O_PATH };

static const struct phpo_opt {
	const char *name;	/* phpo's option (its dest) */
	const char *section;	/* NULL: top level */
	const char *key;
	enum otype type;
} phpo_opts[] = {
	{"outDS", "grid", "output-dataset", O_STR},
	{"official", "grid", "official", O_BOOL},
	{"trainingDS", "grid", "training-dataset", O_STR},
	{"site", "grid", "site", O_STR},
	{"workingGroup", "grid", "working-group", O_STR},
	{"architecture", "grid", "architecture", O_STR},
	{"noEmail", "grid", "no-email", O_BOOL},
	{"alrbArgs", "grid", "alrb-args", O_STR},
	{"segmentSpecFile", "grid", "segment-spec-file", O_PATH},
	{"evaluationContainer", "evaluation", "container", O_STR},
	{"evaluationExec", "evaluation", "exec", O_STR},
	{"evaluationInput", "evaluation", "input", O_STR},
	{"evaluationOutput", "evaluation", "output", O_STR},
	{"evaluationTrainingData", "evaluation", "training-data", O_STR},
	{"evaluationMeta", "evaluation", "metadata", O_STR},
	{"evaluationMetrics", "evaluation", "metrics", O_STR},
	{"steeringContainer", "steering", "container", O_STR},
	{"steeringExec", "steering", "exec", O_STR},
	{"searchSpaceFile", NULL, "search-space-file", O_PATH},
	{"maxPoints", "budget", "max-points", O_INT},
	{"maxEvaluationJobs", "budget", "max-evaluation-jobs", O_INT},
	{"nPointsPerIteration", "budget", "points-per-iteration", O_INT},
	{"minUnevaluatedPoints", "budget", "min-unevaluated-points", O_INT},
	{"nParallelEvaluation", "budget", "parallel-evaluations", O_INT},
	{"maxPointsPerEvaluationJob", "budget", "max-points-per-job", O_INT},
	{"checkPointToSave", "checkpoint", "save", O_STR},
	{"checkPointToLoad", "checkpoint", "load", O_STR},
	{"checkPointInterval", "checkpoint", "interval", O_INT},
};

/* phpo options that mean nothing for a task: accepted and ignored. */
static const char *const phpo_ignored[] = {
	"version", "loadJson", "dumpJson", "verbose", "noSubmit", "python3", "vomsRoles",
	"intrSrv", "help", "helpGroup", NULL,
};

static void
where(const struct hpo_doc *doc, const json_t *obj, const char *key, char *buf, size_t size)
{
	int line = 0, col = 0;

	hpo_doc_where_key(doc, obj, key, &line, &col);
	if (doc == NULL)
		snprintf(buf, size, "phpo options");
	else if (line > 0)
		snprintf(buf, size, "%s:%d:%d", hpo_doc_name(doc), line, col);
	else
		snprintf(buf, size, "%s", hpo_doc_name(doc));
}

int
hpo_phpo_to_task_json(const struct hpo_doc *doc, const json_t *phpo, const char *dir,
		      json_t **task_json, struct hpo_err *err)
{
	const char *names[sizeof(phpo_opts) / sizeof(phpo_opts[0]) + 1];
	json_t *out, *v;
	const char *key;
	size_t nopts = sizeof(phpo_opts) / sizeof(phpo_opts[0]);

	*task_json = NULL;
	if (!json_is_object(phpo))
		return hpo_doc_err(err, doc, phpo, NULL,
				   "a phpo option file must be a JSON object of option names");
	for (size_t i = 0; i < nopts; i++)
		names[i] = phpo_opts[i].name;
	names[nopts] = NULL;
	out = json_object();

	json_object_foreach((json_t *)phpo, key, v) {
		const struct phpo_opt *o = NULL;
		json_t *val = NULL, *sec;
		char at[512];

		for (size_t i = 0; i < nopts; i++)
			if (strcmp(key, phpo_opts[i].name) == 0)
				o = &phpo_opts[i];
		if (o == NULL) {
			int ignored = 0;
			for (size_t i = 0; phpo_ignored[i] != NULL; i++)
				ignored |= strcmp(key, phpo_ignored[i]) == 0;
			where(doc, phpo, key, at, sizeof(at));
			if (ignored) {
				hpo_info("%s: phpo option '%s' means nothing for a task: ignored",
					 at, key);
			} else {
				const char *near = hpo_nearest(key, names);
				hpo_warn("%s: ignoring unknown phpo option '%s'%s%s%s", at, key,
					 near ? " (did you mean '" : "", near ? near : "",
					 near ? "'?)" : "");
			}
			continue;
		}
		if (json_is_null(v))
			continue;	/* phpo's None: the default */
		if (json_is_string(v) && o->type == O_INT) {
			json_int_t n;
			if (hpo_py_int(json_string_value(v), &n) == 0)
				val = json_integer(n);
		} else if (json_is_string(v) && o->type == O_PATH && dir != NULL &&
			   json_string_value(v)[0] != '/' && json_string_value(v)[0] != '\0') {
			char *path = hpo_path_join(dir, json_string_value(v));

			val = json_string(path);
			if (val == NULL) {
				where(doc, phpo, key, at, sizeof(at));
				hpo_err_set(err, HPO_E_INPUT, "%s: %s: the path is not valid UTF-8",
					    at, path);
				free(path);
				json_decref(out);
				return -1;
			}
			free(path);
		}
		if (val == NULL)
			val = json_incref(v);	/* the same value: positions stay known */
		if (o->section == NULL) {
			json_object_set_new(out, o->key, val);
			continue;
		}
		if ((sec = json_object_get(out, o->section)) == NULL) {
			sec = json_object();
			json_object_set_new(out, o->section, sec);
		}
		json_object_set_new(sec, o->key, val);
	}
	*task_json = out;
	return 0;
}

static int
is_section(const char *key)
{
	static const char *const sections[] = {
		"evaluation", "steering", "budget", "checkpoint", "grid", NULL,
	};

	for (size_t i = 0; sections[i] != NULL; i++)
		if (strcmp(key, sections[i]) == 0)
			return 1;
	return 0;
}

int
hpo_task_json_merge(json_t *base, const json_t *over)
{
	const char *key, *k2;
	json_t *ov, *v2;

	if (!json_is_object(base) || !json_is_object(over))
		return -1;
	json_object_foreach((json_t *)over, key, ov) {
		json_t *bv = json_object_get(base, key);

		if (strcmp(key, "search-space") == 0)
			json_object_del(base, "search-space-file");
		else if (strcmp(key, "search-space-file") == 0)
			json_object_del(base, "search-space");
		if (is_section(key) && json_is_object(ov) && json_is_object(bv)) {
			json_object_foreach(ov, k2, v2)
				json_object_set(bv, k2, v2);
			if (strcmp(key, "steering") == 0) {
				if (json_object_get(ov, "exec") != NULL &&
				    json_object_get(ov, "algorithm") == NULL)
					json_object_del(bv, "algorithm");
				else if (json_object_get(ov, "algorithm") != NULL &&
					 json_object_get(ov, "exec") == NULL)
					json_object_del(bv, "exec");
			}
			continue;
		}
		/* a shallow copy: later merges change base, never over */
		json_object_set_new(base, key, json_is_object(ov) ? json_copy(ov) : json_incref(ov));
	}
	return 0;
}

int
hpo_task_load_with_phpo(const char *task_file, const char *phpo_file, struct hpo_task **out,
			struct hpo_err *err)
{
	struct hpo_doc *tdoc = NULL, *pdoc = NULL;
	json_t *base = NULL, *over = NULL;
	char cwd[PATH_MAX], dir[PATH_MAX];
	int rc = -1;

	*out = NULL;
	if (phpo_file == NULL)
		return hpo_task_load(task_file, out, err);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return hpo_err_sys(err, "working directory");
	snprintf(dir, sizeof(dir), "%s", cwd);
	if (task_file != NULL) {
		char *copy = xstrdup(task_file), *slash;
		slash = strrchr(copy, '/');
		if (slash == copy)
			copy[1] = '\0';
		else if (slash != NULL)
			*slash = '\0';
		if (realpath(slash ? copy : ".", dir) == NULL) {
			hpo_err_sys(err, "%s", copy);
			free(copy);
			return -1;
		}
		free(copy);
		if (hpo_doc_load(task_file, &tdoc, err) < 0)
			return -1;
		/* merged in place, so the task file's values keep their positions */
		base = json_incref(hpo_doc_root(tdoc));
		if (!json_is_object(base)) {
			hpo_doc_err(err, tdoc, hpo_doc_root(tdoc), NULL,
				    "a task file must be a mapping (evaluation:, search-space:, ...)");
			goto out;
		}
	} else {
		base = json_object();
	}
	if (hpo_doc_load(phpo_file, &pdoc, err) < 0)
		goto out;
	if (!json_is_object(hpo_doc_root(pdoc))) {
		hpo_doc_err(err, pdoc, hpo_doc_root(pdoc), NULL,
			    "a phpo option file must be a JSON object of phpo options");
		goto out;
	}
	if (hpo_phpo_to_task_json(pdoc, hpo_doc_root(pdoc), cwd, &over, err) < 0)
		goto out;
	hpo_task_json_merge(base, over);	/* both objects */
	/* positions: the task file's values keep theirs; the phpo options are
	 * checked with positions by hpo_phpo_to_task_json already */
	rc = hpo_task_from_json(tdoc ? tdoc : pdoc, base, dir, out, err);
out:
	json_decref(base);
	json_decref(over);
	hpo_doc_free(tdoc);
	hpo_doc_free(pdoc);
	return rc;
}
