/* taskparams.c - the PanDA task parameters of an HPO task, as phpo builds them
 *
 * Facts from panda-client 2.0.2: pandaclient/PhpoScript.py (main: options,
 * defaults, --loadJson, taskParamMap), pandaclient/PsubUtils.py
 * (checkOutDsName, convertParamStrToJediParam, splitCommaConcatenatedItems).
 * Written from those facts, not from their code.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "doc.h"
#include "file.h"
#include "log.h"
#include "steer.h"
#include "taskparams.h"
#include "url.h"
#include "xmalloc.h"

/* ---------------------------------------------------------------------------
 * small helpers
 */

int
hpo_py_int(const char *s, json_int_t *out)
{
	const char *p = s;
	int neg = 0, digits = 0;
	unsigned long long v = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			unsigned d = (unsigned)(*p - '0');
			if (v > (ULLONG_MAX - d) / 10)
				return -1;
			v = v * 10 + d;
			digits++;
		} else if (*p == '_' && digits > 0 && p[1] >= '0' && p[1] <= '9') {
			continue;
		} else {
			break;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (digits == 0 || *p != '\0')
		return -1;
	/* json_int_t is long long: keep within its range */
	if (neg) {
		if (v > (unsigned long long)LLONG_MAX + 1)
			return -1;
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(json_int_t)v;
	} else {
		if (v > (unsigned long long)LLONG_MAX)
			return -1;
		*out = (json_int_t)v;
	}
	return 0;
}

/* ---------------------------------------------------------------------------
 * the evaluation exec as job parameters (convertParamStrToJediParam with
 * includeIO=False, encode=True, padding=False)
 */

enum ext { EXT_DIGITS, EXT_ANY, EXT_NONE };

static const struct holder {
	const char *jedi;	/* ${...} name */
	const char *client;	/* %... name */
	enum ext ext;
} holders[] = {
	/* the order of the dict in PsubUtils: substitution and split order */
	{"SEQNUMBER", "RNDM", EXT_DIGITS},
	{"DBR", "DB", EXT_ANY},
	{"SKIPEVENTS", "SKIPEVENTS", EXT_NONE},
	{"FIRSTEVENT", "FIRSTEVENT", EXT_DIGITS},
	{"MAXEVENTS", "MAXEVENTS", EXT_NONE},
	{"SEGMENT_NAME", "SEGMENT_NAME", EXT_NONE},
};
#define NHOLDERS (sizeof(holders) / sizeof(holders[0]))

/* Replace %<client>[:=]<ext> by ${<jedi>} everywhere in s; the first
 * extension goes to *ext (malloc'ed).  A new string. */
static char *
subst_holder(const char *s, const struct holder *h, char **ext)
{
	struct hpo_buf b = {0};
	size_t cl = strlen(h->client);
	const char *p = s;

	while (*p) {
		const char *q = p + 1 + cl, *r = NULL;
		if (*p == '%' && strncmp(p + 1, h->client, cl) == 0) {
			if (h->ext == EXT_NONE) {
				r = q;
			} else if (*q == ':' || *q == '=') {
				const char *x = q + 1;
				if (h->ext == EXT_DIGITS)
					while (*x >= '0' && *x <= '9')
						x++;
				else
					while (*x && strchr(" '\"}", *x) == NULL)
						x++;
				if (x > q + 1) {
					if (*ext == NULL)
						*ext = xstrndup(q + 1, (size_t)(x - q - 1));
					r = x;
					if (h->ext == EXT_DIGITS && *r == '%')
						r++;
				}
			}
		}
		if (r != NULL) {
			hpo_buf_adds(&b, "${");
			hpo_buf_adds(&b, h->jedi);
			hpo_buf_adds(&b, "}");
			p = r;
		} else {
			hpo_buf_add(&b, p, 1);
			p++;
		}
	}
	return hpo_buf_take(&b);
}

static int
add_item(json_t *list, json_t *item)
{
	if (item == NULL || json_object_set_new(item, "padding", json_false()) < 0) {
		json_decref(item);
		return -1;
	}
	return json_array_append_new(list, item);
}

static int
add_constant(json_t *list, const char *s, size_t n)
{
	char *raw = xstrndup(s, n), *q = hpo_url_quote(raw);	/* ASCII */
	int rc = add_item(list, json_pack("{s:s, s:s}", "type", "constant", "value", q));

	free(raw);
	free(q);
	return rc;
}

static int
add_template(json_t *list, const char *s, size_t n, char *const *exts)
{
	char *item = xstrndup(s, n), *holder = NULL;
	json_t *o = json_object();
	const char *d;
	int rc = -1, bad = 0;
	json_int_t off;
	const char *ext = NULL;

	/* the name in the first ${...}, up to ':' or '}' */
	d = strstr(item, "${");
	holder = xstrndup(d + 2, strcspn(d + 2, ":}"));
	for (size_t i = 0; i < NHOLDERS; i++)
		if (strcmp(holder, holders[i].jedi) == 0)
			ext = exts[i];
	bad |= json_object_set_new(o, "type", json_string("template"));
	bad |= json_object_set_new(o, "value", json_string(item));
	if (strcmp(holder, "SEQNUMBER") == 0) {
		bad |= json_object_set_new(o, "param_type", json_string("pseudo_input"));
		bad |= json_object_set_new(o, "dataset", json_string("seq_number"));
	} else {
		bad |= json_object_set_new(o, "param_type", json_string("number"));
	}
	if (ext != NULL && hpo_py_int(ext, &off) == 0)
		bad |= json_object_set_new(o, "offset", json_integer(off));
	if (!bad) {
		rc = add_item(list, o);
		o = NULL;
	}
	json_decref(o);
	free(item);
	free(holder);
	return rc;
}

json_t *
hpo_exec_job_params(const char *exec)
{
	static const char prefix_stop[] = "=,\"' ({;";
	static const char suffix_stop[] = ",\"' )};";
	char *exts[NHOLDERS] = {0}, *s = xstrdup(exec);
	json_t *list = json_array();
	size_t prev = 0, n;
	int bad = 0;

	for (size_t i = 0; i < NHOLDERS; i++) {
		char *t = subst_holder(s, &holders[i], &exts[i]);
		free(s);
		s = t;
	}
	n = strlen(s);
	/* split at [^stop]*${HOLDER[^}]*}[^stop]*, keeping the separators */
	for (size_t d = 0; d + 1 < n && !bad;) {
		size_t k, start, end;
		const char *close;

		if (d < prev || s[d] != '$' || s[d + 1] != '{') {
			d++;
			continue;
		}
		for (k = 0; k < NHOLDERS; k++)
			if (strncmp(s + d + 2, holders[k].jedi, strlen(holders[k].jedi)) == 0)
				break;
		close = k < NHOLDERS ? strchr(s + d + 2 + strlen(holders[k].jedi), '}') : NULL;
		if (close == NULL) {
			d++;
			continue;
		}
		for (start = d; start > prev && strchr(prefix_stop, s[start - 1]) == NULL; start--)
			;
		for (end = (size_t)(close - s) + 1; end < n && strchr(suffix_stop, s[end]) == NULL; end++)
			;
		bad |= add_constant(list, s + prev, start - prev) < 0;
		bad |= add_template(list, s + start, end - start, exts) < 0;
		prev = d = end;
	}
	if (!bad)
		bad |= add_constant(list, s + prev, n - prev) < 0;
	for (size_t i = 0; i < NHOLDERS; i++)
		free(exts[i]);
	free(s);
	if (bad) {
		json_decref(list);
		return NULL;
	}
	return list;
}

/* ---------------------------------------------------------------------------
 * task parameters
 */

/* {"type": "constant", "value": value}; NULL when value is not UTF-8 */
static json_t *
jconst(const char *value)
{
	return json_pack("{s:s, s:s}", "type", "constant", "value", value);
}

/* Append a constant job parameter formatted like printf; -1 when the text
 * is not valid UTF-8. */
static int
add_const(json_t *list, const char *fmt, ...) HPO_PRINTF(2, 3);

static int
add_const(json_t *list, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	n = json_array_append_new(list, jconst(s));
	free(s);
	return n;
}

/* "a,b" from a list of strings. */
static char *
join_list(const json_t *list)
{
	struct hpo_buf b = {0};
	size_t i;
	json_t *v;

	json_array_foreach(list, i, v) {
		if (i > 0)
			hpo_buf_adds(&b, ",");
		hpo_buf_adds(&b, json_string_value(v));
	}
	return hpo_buf_take(&b);
}

/* Read the segment file: a non-empty list of mappings, each given its
 * "id" (its index), as phpo does.  New reference in *out. */
static int
read_segments(const struct hpo_task *t, json_t **out, struct hpo_err *err)
{
	const char *f = t->grid.segment_spec_file;
	char *path = f[0] == '/' ? xstrdup(f) : hpo_path_join(t->dir, f);
	struct hpo_doc *doc = NULL;
	json_t *root, *seg, *copy = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (hpo_doc_load(path, &doc, err) < 0) {
		free(path);
		return -1;
	}
	root = hpo_doc_root(doc);
	if (!json_is_array(root) || json_array_size(root) == 0) {
		hpo_doc_err(err, doc, root, NULL,
			    "grid.segment-spec-file must hold a non-empty list of segments "
			    "({name: ..., files: [...]})");
		goto out;
	}
	json_array_foreach(root, i, seg) {
		if (!json_is_object(seg)) {
			hpo_doc_err(err, doc, seg, NULL, "a segment must be a mapping "
				    "({name: ..., files: [...]})");
			goto out;
		}
	}
	copy = json_deep_copy(root);
	json_array_foreach(copy, i, seg)
		json_object_set_new(seg, "id", json_integer((json_int_t)i));
	*out = copy;
	copy = NULL;
	rc = 0;
out:
	json_decref(copy);
	hpo_doc_free(doc);
	free(path);
	return rc;
}

#define SET(o, k, v) (bad |= json_object_set_new((o), (k), (v)) != 0)

static const char container_exec[] =
	"while [ ! -f __payload_in_sync_file__ ]; do sleep 5; done; "
	"echo \"=== cat exec script ===\"; "
	"cat __run_main_exec.sh; "
	"echo; "
	"echo \"=== exec script ===\"; "
	"/bin/sh __run_main_exec.sh; "
	"REAL_MAIN_RET_CODE=$?; "
	"touch __payload_out_sync_file__; "
	"exit $REAL_MAIN_RET_CODE ";

static json_t *
step(const char *args)
{
	return json_pack("{s:s, s:s}", "command", "${TRF}", "args", args);
}

static int
require(const struct hpo_task *t, const struct hpo_params_ctx *ctx, struct hpo_err *err)
{
	if (t->eval.container == NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "evaluation.container (phpo --evaluationContainer) is required "
				   "on the grid");
	if (t->steer.exec == NULL && t->steer.container == NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "steering.container (phpo --steeringContainer) is required on the "
				   "grid: an image with hpo-steer for the built-in algorithm '%s', "
				   "or the image of steering.exec",
				   t->steer.algorithm ? t->steer.algorithm : "");
	if (t->grid.output_dataset == NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "grid.output-dataset (phpo --outDS) is required on the grid");
	if (ctx == NULL || ctx->client == NULL || ctx->version == NULL || ctx->sandbox == NULL ||
	    ctx->source_url == NULL || !*ctx->client || !*ctx->version || !*ctx->sandbox ||
	    !*ctx->source_url)
		return hpo_err_set(err, HPO_E_INPUT,
				   "task parameters need the client, version, sandbox name and "
				   "cache server url");
	return 0;
}

int
hpo_task_params(const struct hpo_task *t, const struct hpo_params_ctx *ctx, json_t **out,
		struct hpo_err *err)
{
	json_t *p = NULL, *segments = NULL, *space = NULL, *mse, *copt, *log, *req, *jp, *ex;
	char *outds = NULL, *logds = NULL, *logval = NULL, *ptype = NULL, *save = NULL;
	size_t nseg = 1, len;
	int bad = 0;

	*out = NULL;
	if (require(t, ctx, err) < 0)
		return -1;
	if (t->grid.segment_spec_file != NULL) {
		if (read_segments(t, &segments, err) < 0)
			return -1;
		nseg = json_array_size(segments);
	}
	len = strlen(t->grid.output_dataset);
	outds = hpo_strf("%s%s", t->grid.output_dataset,
			 t->grid.output_dataset[len - 1] == '/' ? "" : "/");
	/* phpo: re.sub('/$', '.log/', outDS) */
	logds = hpo_strf("%.*s.log/", (int)(strlen(outds) - 1), outds);
	logval = hpo_strf("%.*s.$JEDITASKID.${SN}.log.tgz", (int)(strlen(logds) - 1), logds);
	ptype = hpo_strf("%s-%s-jedi-hpo", ctx->client, ctx->version);
	if (t->checkpoint.save != NULL)
		save = join_list(t->checkpoint.save);
	space = hpo_space_to_json(t->space);
	p = json_object();

	SET(p, "noInput", json_true());
	SET(p, "nEventsPerJob", json_integer(1));
	SET(p, "nEvents", json_integer(t->budget.parallel_evaluations));
	SET(p, "maxNumJobs", json_integer((json_int_t)t->budget.max_evaluation_jobs *
					  (json_int_t)nseg));
	SET(p, "totNumJobs", json_integer((json_int_t)t->budget.max_points * (json_int_t)nseg));
	SET(p, "taskName", json_string(outds));
	SET(p, "vo", json_string("atlas"));
	SET(p, "architecture", json_string(t->grid.architecture ? t->grid.architecture : ""));
	SET(p, "hpoWorkflow", json_true());
	SET(p, "transUses", json_string(""));
	SET(p, "transHome", json_string(""));
	SET(p, "transPath", json_string("http://pandaserver.cern.ch:25080/trf/user/runHPO-00-00-01"));
	SET(p, "processingType", json_string(ptype));
	SET(p, "prodSourceLabel", json_string("user"));
	SET(p, "useLocalIO", json_integer(1));
	SET(p, "cliParams", json_string(ctx->cli ? ctx->cli : ""));
	SET(p, "skipScout", json_true());
	if (t->grid.no_email)
		SET(p, "noEmail", json_true());
	if (t->grid.working_group != NULL)
		SET(p, "workingGroup", json_string(t->grid.working_group));
	SET(p, "coreCount", json_integer(1));
	if (t->grid.sites != NULL) {
		if (json_array_size(t->grid.sites) == 1) {
			SET(p, "site", json_copy(json_array_get(t->grid.sites, 0)));
		} else {
			/* splitCommaConcatenatedItems: in order, without repeats */
			json_t *inc = json_array(), *v, *w;
			size_t i, j;
			int seen;
			json_array_foreach(t->grid.sites, i, v) {
				seen = 0;
				json_array_foreach(inc, j, w)
					seen |= json_equal(v, w);
				if (!seen)
					bad |= json_array_append(inc, v) != 0;
			}
			SET(p, "includedSite", inc);
		}
	}
	SET(p, "container_name", json_string(t->eval.container));

	mse = json_object();
	copt = json_object();
	SET(p, "multiStepExec", mse);
	SET(mse, "preprocess", step("--preprocess ${TRF_ARGS}"));
	SET(mse, "postprocess", step("--postprocess ${TRF_ARGS}"));
	SET(mse, "containerOptions", copt);
	SET(copt, "containerExec", json_string(container_exec));
	SET(copt, "containerImage", json_string(t->eval.container));
	if (t->checkpoint.save != NULL)
		SET(mse, "coprocess", step("--coprocess ${TRF_ARGS}"));
	if (t->grid.alrb_args != NULL)
		SET(copt, "execArgs", json_string(t->grid.alrb_args));

	log = json_object();
	SET(p, "log", log);
	SET(log, "dataset", json_string(logds));
	SET(log, "container", json_string(logds));
	SET(log, "type", json_string("template"));
	SET(log, "param_type", json_string("log"));
	SET(log, "value", json_string(logval));

	req = json_object();
	SET(p, "hpoRequestData", req);
	SET(req, "sandbox", t->steer.container ? json_string(t->steer.container) : json_null());
	SET(req, "executable", json_string("docker"));
	if (t->steer.exec != NULL) {
		SET(req, "arguments", json_string(t->steer.exec));
	} else {
		/* a built-in algorithm: hpo-steer in steering.container */
		char *cmd = hpo_steer_exec_builtin(t->steer.algorithm, t->steer.settings,
						   t->steer.seed, t->steer.has_seed);
		SET(req, "arguments", json_string(cmd));
		free(cmd);
	}
	SET(req, "output_json", json_string("output.json"));
	SET(req, "max_points", json_integer((json_int_t)t->budget.max_points * (json_int_t)nseg));
	SET(req, "num_points_per_generation", json_integer(t->budget.points_per_iteration));
	if (t->budget.has_min_unevaluated)
		SET(req, "min_unevaluated_points", json_integer(t->budget.min_unevaluated_points));
	if (segments != NULL) {
		/* one copy of the search space per segment */
		json_t *list = json_array();
		for (size_t i = 0; i < nseg; i++) {
			json_t *m = json_object();

			json_array_append_new(list, m);
			SET(m, "model_id", json_integer((json_int_t)i));
			SET(m, "search_space", json_deep_copy(space));
		}
		SET(req, "opt_space", list);
	} else {
		SET(req, "opt_space", space);
		space = NULL;
	}

	jp = json_array();
	SET(p, "jobParameters", jp);
	bad |= add_const(jp, "-o %s -j \"\" --inSampleFile %s", t->eval.output, t->eval.input) != 0;
	bad |= add_const(jp, "-a %s --sourceURL %s", ctx->sandbox, ctx->source_url) != 0;
	bad |= add_item(jp, jconst("-p \"")) != 0;
	if ((ex = hpo_exec_job_params(t->eval.exec)) == NULL)
		goto bad_text;
	bad |= json_array_extend(jp, ex) != 0;
	json_decref(ex);
	bad |= add_const(jp, "\"") != 0;
	if (save != NULL) {
		bad |= add_const(jp, "--checkPointToSave %s", save) != 0;
		if (t->checkpoint.interval > 0)
			bad |= add_const(jp, "--checkPointInterval %ld", t->checkpoint.interval) != 0;
	}
	if (t->checkpoint.load != NULL)
		bad |= add_const(jp, "--checkPointToLoad %s", t->checkpoint.load) != 0;
	if (t->grid.training_dataset != NULL) {
		json_t *in = json_object();
		bad |= add_const(jp, "--writeInputToTxt IN_DATA:%s", t->eval.training_data) != 0;
		json_array_append_new(jp, in);
		SET(in, "type", json_string("template"));
		SET(in, "param_type", json_string("input"));
		SET(in, "value", json_string("-i \"${IN_DATA/T}\""));
		SET(in, "dataset", json_string(t->grid.training_dataset));
		SET(in, "attributes", json_string("nosplit,repeat"));
		bad |= add_const(jp, "--inMap \"{'IN_DATA': ${IN_DATA/T}}\"") != 0;
	}
	if (t->eval.metadata != NULL)
		bad |= add_const(jp, "--outMetaFile=%s", t->eval.metadata) != 0;
	if (segments != NULL) {
		SET(p, "segmentedWork", json_true());
		SET(p, "segmentSpecs", segments);
		segments = NULL;
		bad |= add_const(jp, "--segmentID=${SEGMENT_ID}") != 0;
	}
	if (t->eval.metrics != NULL) {
		json_t *m = json_object();
		json_array_append_new(jp, m);
		SET(m, "type", json_string("template"));
		SET(m, "param_type", json_string("output"));
		SET(m, "value", json_string(t->grid.segment_spec_file
						    ? "${MIDDLENAME}.$JEDITASKID.metrics.${SN}.tgz"
						    : "$JEDITASKID.metrics.${SN}.tgz"));
		SET(m, "dataset", json_string(outds));
		SET(m, "hidden", json_true());
		SET(m, "allowNoOutput", json_true());
		bad |= add_const(jp, "--outMetricsFile=${OUTPUT0}^%s", t->eval.metrics) != 0;
	}
	if (t->budget.max_points_per_job > 0)
		bad |= add_const(jp, "--maxLoopCount=%ld", t->budget.max_points_per_job) != 0;
	if (bad)
		goto bad_text;

	free(outds);
	free(logds);
	free(logval);
	free(ptype);
	free(save);
	json_decref(space);
	*out = p;
	return 0;
bad_text:
	/* json_string refused a text: JSON strings are UTF-8, and a value
	 * built from a path of this machine need not be */
	free(outds);
	free(logds);
	free(logval);
	free(ptype);
	free(save);
	json_decref(space);
	json_decref(segments);
	json_decref(p);
	return hpo_err_set(err, HPO_E_INPUT, "task parameters: a value is not valid UTF-8");
}

/* ---------------------------------------------------------------------------
 * output dataset names
 */

int
hpo_outds_check(const char *outds, const char *nickname, int official, const char *working_group,
		struct hpo_err *err)
{
	static const char forbidden[] = "%|;><?'\"()$@*:=&^#\\[]{}`";
	size_t len;

	if (outds == NULL || *outds == '\0')
		return hpo_err_set(err, HPO_E_INPUT, "output dataset: the name is empty");
	for (const char *c = forbidden; *c; c++)
		if (strchr(outds, *c) != NULL)
			return hpo_err_set(err, HPO_E_INPUT,
					   "output dataset '%s': invalid character '%c'", outds, *c);
	if (official) {
		const char *p = outds;
		if (strncmp(p, "group", 5) != 0)
			goto bad_group;
		p += 5;
		if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]))
			p += 2;
		if (*p++ != '.')
			goto bad_group;
		if (working_group != NULL) {
			size_t n = strlen(working_group);
			if (n == 0 || strncmp(p, working_group, n) != 0 || p[n] != '.')
				goto bad_group;
		} else {
			const char *dot = strchr(p, '.');
			if (dot == NULL || dot == p)
				goto bad_group;
		}
	} else {
		size_t n = nickname ? strlen(nickname) : 0;
		if (n == 0)
			return hpo_err_set(err, HPO_E_INPUT,
					   "output dataset '%s': no grid nickname to check it against",
					   outds);
		if (strncmp(outds, "user.", 5) != 0 || strncmp(outds + 5, nickname, n) != 0 ||
		    outds[5 + n] != '.')
			return hpo_err_set(err, HPO_E_INPUT,
					   "output dataset '%s' must start with 'user.%s.' "
					   "(e.g. user.%s.test1234)", outds, nickname, nickname);
	}
	len = strlen(outds);
	if (outds[len - 1] != '/')
		len++;
	if (len > HPO_OUTDS_MAX)
		return hpo_err_set(err, HPO_E_INPUT,
				   "output dataset '%s' is too long: %zu characters with the "
				   "trailing '/', at most %d", outds, len, HPO_OUTDS_MAX);
	return 0;
bad_group:
	if (working_group != NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "official output dataset '%s' must start with 'group.%s.'",
				   outds, working_group);
	return hpo_err_set(err, HPO_E_INPUT,
			   "official output dataset '%s' must start with 'group.<group>.'", outds);
}

char *
hpo_outds_default(const char *nickname, const char *task_name, time_t when, uint32_t tag)
{
	struct tm tm;
	char stamp[32], *name, *out;
	size_t fixed, room, n;

	if (nickname == NULL || *nickname == '\0' || gmtime_r(&when, &tm) == NULL)
		return NULL;
	if (strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm) == 0)
		return NULL;
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%06x",
		 (unsigned)(tag & 0xffffff));
	/* user. <nick> . <name> . <stamp> . <tag> / */
	fixed = 5 + strlen(nickname) + 1 + 1 + strlen(stamp) + 1;
	if (fixed + 1 > HPO_OUTDS_MAX)
		return NULL;
	room = HPO_OUTDS_MAX - fixed;
	if (task_name == NULL || *task_name == '\0')
		task_name = "hpo";
	n = strlen(task_name);
	if (n > room)
		n = room;
	if ((name = strndup(task_name, n)) == NULL)
		return NULL;
	for (char *c = name; *c; c++)
		if (!(isalnum((unsigned char)*c) && (unsigned char)*c < 0x80) && *c != '-' &&
		    *c != '_' && *c != '.')
			*c = '_';
	out = hpo_strf("user.%s.%s.%s/", nickname, name, stamp);
	free(name);
	return out;
}
