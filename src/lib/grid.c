/* grid.c - HPO tasks on the Grid */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "auth.h"
#include "config.h"
#include "file.h"
#include "grid.h"
#include "xmalloc.h"
#include "log.h"
#include "panda_answer.h"
#include "sandbox.h"
#include "taskparams.h"
#include "view.h"
#include "voms.h"

/* Say so when the proxy is about to expire: a submission or a status
 * query still works, the next one may not */
#define PROXY_MIN_LEFT (2 * 3600.0)

int
hpo_grid_connect(struct hpo_auth **auth, struct hpo_panda **panda, struct hpo_err *err)
{
	*panda = NULL;
	if (hpo_auth_load(PROXY_MIN_LEFT, auth, err) < 0)
		return -1;
	if (hpo_panda_new(*auth, panda, err) < 0) {
		hpo_auth_free(*auth);
		*auth = NULL;
		return -1;
	}
	return 0;
}

/* The nickname: option, $HPO_NICKNAME (or panda-client's $PANDA_NICKNAME),
 * the credential (the proxy's VOMS nickname, the token's
 * preferred_username), or with --no-submit the user part of an output
 * dataset the task names. */
static int
find_nickname(const struct hpo_task *task, const struct hpo_grid_opts *o,
	      const struct hpo_auth *auth, char **nick, struct hpo_err *err)
{
	const char *env = hpo_config_get("HPO_NICKNAME"), *pc = getenv("PANDA_NICKNAME");
	char deflt[64];

	*nick = NULL;
	if (env == NULL && pc != NULL && *pc != '\0')
		env = pc;
	if (o->nickname != NULL) {
		*nick = xstrdup(o->nickname);
		return 0;
	}
	if (env != NULL) {
		*nick = xstrdup(env);
		return 0;
	}
	if (auth != NULL) {
		if (auth->nickname != NULL)
			*nick = xstrdup(auth->nickname);
		return 0;
	}
	if (o->no_submit) {
		/* no network, but a proxy on disk may still name the user */
		const char *p = hpo_config_get("X509_USER_PROXY");
		snprintf(deflt, sizeof(deflt), "/tmp/x509up_u%ld", (long)getuid());
		if (p == NULL)
			p = deflt;
		if (access(p, R_OK) == 0 && hpo_voms_nickname(p, nick, err) < 0)
			return -1;
	}
	if (*nick == NULL && o->no_submit && task->grid.output_dataset != NULL &&
	    strncmp(task->grid.output_dataset, "user.", 5) == 0) {
		const char *s = task->grid.output_dataset + 5, *dot = strchr(s, '.');
		if (dot != NULL && dot > s)
			*nick = hpo_strf("%.*s", (int)(dot - s), s);
	}
	return 0;
}

/* Why there is no nickname to name the output dataset, and the ways to
 * give one. */
static void
no_nickname(const struct hpo_auth *auth, struct hpo_err *err)
{
	const char *give = "give --nickname NAME or set HPO_NICKNAME (or name grid.output-dataset)";

	if (auth != NULL && auth->kind == HPO_AUTH_TOKEN)
		hpo_err_set(err, HPO_E_AUTH, "the token has no preferred_username, the nickname that names "
			    "the output dataset: %s", give);
	else if (auth != NULL)
		hpo_err_set(err, HPO_E_AUTH, "the grid proxy carries no VOMS nickname, which names the output "
			    "dataset: make the proxy with voms-proxy-init -voms atlas, or %s", give);
	else
		hpo_err_set(err, HPO_E_AUTH, "no nickname to name the output dataset (no grid proxy with a "
			    "VOMS nickname: voms-proxy-init -voms atlas makes one): %s", give);
}

/* What tells apart two default output datasets of the same second. */
static uint32_t
outds_tag(void)
{
	uint32_t t = 0;

	if (getrandom(&t, sizeof(t), 0) != (ssize_t)sizeof(t))
		t = (uint32_t)getpid() ^ (uint32_t)clock();
	return t;
}

static int
dump_params(const char *path, const json_t *params, struct hpo_err *err)
{
	char *text = json_dumps(params, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	int rc = 0;

	if (strcmp(path, "-") == 0) {
		if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
			rc = hpo_err_sys(err, "standard output");
	} else {
		size_t n = strlen(text);
		text[n] = '\n';
		rc = hpo_file_write_atomic(path, text, n + 1, 0644, err);
	}
	free(text);
	return rc;
}

/* The task's files packed into a file of no name (hpo_file_anon), so that
 * nothing stays behind when the submission is interrupted: *fd the file
 * (-1 when none was made; the caller closes it), sb filled. */
static int
pack(const struct hpo_task *task, struct hpo_sandbox *sb, int *fd, uint64_t *size, uint32_t *crc,
     struct hpo_err *err)
{
	*fd = -1;
	if (hpo_sandbox_collect(task->dir, NULL, task->sandbox.include, task->sandbox.exclude,
				sb, err) < 0 ||
	    (*fd = hpo_file_anon(err)) < 0)
		return -1;
	return hpo_sandbox_tar_fd(sb, task->dir, *fd, "sandbox", size, crc, err);
}

int
hpo_grid_sandbox(const struct hpo_task *task, struct hpo_sandbox *sb, uint64_t *archive,
		 struct hpo_err *err)
{
	uint32_t crc;
	int fd, rc = pack(task, sb, &fd, archive, &crc, err);

	if (fd >= 0)
		close(fd);
	if (rc < 0)
		hpo_sandbox_free(sb);
	return rc;
}

int
hpo_grid_submit(struct hpo_task *task, const struct hpo_grid_opts *o, struct hpo_grid_result *res,
		struct hpo_err *err)
{
	struct hpo_auth *auth = NULL;
	struct hpo_panda *panda = NULL;
	struct hpo_sandbox sb = {0};
	char *nick = NULL, *name = NULL, tarpath[32];
	json_t *params = NULL;
	uint64_t size;
	uint32_t crc;
	time_t now = time(NULL);
	int fd = -1, rc = -1;

	memset(res, 0, sizeof(*res));
	/* what the Grid needs that a local run does not */
	if (task->eval.container == NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "the Grid needs evaluation.container (the image evaluations run in)");
	if (task->steer.exec == NULL && task->steer.container == NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "the Grid runs the built-in algorithm '%s' as hpo-steer in "
				   "steering.container: give an image with hpo-steer "
				   "(containers/steering/Containerfile builds one), or steering.exec",
				   task->steer.algorithm ? task->steer.algorithm : "?");
	if (!o->no_submit && hpo_grid_connect(&auth, &panda, err) < 0)
		return -1;
	if (find_nickname(task, o, auth, &nick, err) < 0)
		goto out;
	if (task->grid.output_dataset == NULL) {
		if (nick == NULL) {
			no_nickname(auth, err);
			goto out;
		}
		if ((task->grid.output_dataset = hpo_outds_default(nick, task->name, now,
								   outds_tag())) == NULL) {
			hpo_err_set(err, HPO_E_INPUT, "cannot make an output dataset name from nickname '%s'",
				    nick);
			goto out;
		}
	}
	if (nick != NULL && hpo_outds_check(task->grid.output_dataset, nick, task->grid.official,
					    task->grid.working_group, err) < 0)
		goto out;

	/* the sandbox: the task's files, reproducibly packed */
	if (pack(task, &sb, &fd, &size, &crc, err) < 0)
		goto out;
	snprintf(tarpath, sizeof(tarpath), "/proc/self/fd/%d", fd);
	if ((name = hpo_sandbox_name(tarpath, nick ? nick : "", now, err)) == NULL)
		goto out;
	hpo_debug("sandbox %s: %zu files, %llu bytes", name, sb.n, (unsigned long long)size);
	if (!o->no_submit) {
		char *remote;
		if (hpo_panda_sandbox(panda, tarpath, name, size, crc, &remote, &res->sandbox_reused,
				      err) < 0)
			goto out;
		free(name);
		name = remote;
		hpo_info("sandbox %s %s", name, res->sandbox_reused ? "reused from the cache" : "uploaded");
	}

	{
		const char *src = o->no_submit ? NULL : hpo_panda_source_url(panda);
		char *src_buf = NULL;
		if (src == NULL) {
			/* no network: the cache server panda-client would use */
			const char *c = hpo_config_get("PANDACACHE_URL");
			const char *u = c && *c ? c : "https://pandacache.cern.ch/server/panda";
			const char *s = strstr(u, "://"), *slash = s ? strchr(s + 3, '/') : NULL;
			src_buf = slash ? hpo_strf("%.*s", (int)(slash - u), u) : xstrdup(u);
			src = src_buf;
		}
		struct hpo_params_ctx ctx = {PACKAGE_NAME, PACKAGE_VERSION, o->cli, name, src};
		int r = hpo_task_params(task, &ctx, &params, err);
		free(src_buf);
		if (r < 0)
			goto out;
	}
	if (o->dump != NULL && dump_params(o->dump, params, err) < 0)
		goto out;
	res->task_name = strdup(json_string_value(json_object_get(params, "taskName")));
	res->sandbox = name;
	name = NULL;
	if (o->no_submit) {
		rc = 0;
		goto out;
	}
	if (hpo_panda_submit(panda, params, &res->task_id, err) < 0)
		goto out;
	res->monitor = hpo_panda_monitor_link(res->task_id);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(name);
	free(nick);
	json_decref(params);
	hpo_sandbox_free(&sb);
	hpo_panda_free(panda);
	hpo_auth_free(auth);
	if (rc < 0)
		hpo_grid_result_free(res);
	return rc;
}

void
hpo_grid_result_free(struct hpo_grid_result *res)
{
	free(res->task_name);
	free(res->sandbox);
	free(res->monitor);
	memset(res, 0, sizeof(*res));
}

int
hpo_grid_views(struct hpo_panda *p, const int64_t *ids, size_t n, json_t *const *known,
	       json_t **views, struct hpo_err *errs)
{
	json_t **info = xcalloc(n + 1, sizeof(*info)), **pt = xcalloc(n + 1, sizeof(*pt));
	char **why = xcalloc(n + 1, sizeof(*why));
	int rc = 0;

	for (size_t i = 0; known != NULL && i < n; i++)
		info[i] = known[i] ? json_incref(known[i]) : NULL;
	if (hpo_panda_task_info_many(p, ids, n, info, pt, why, errs) < 0)
		rc = -1;
	for (size_t i = 0; i < n; i++) {
		views[i] = NULL;
		if (info[i] != NULL &&
		    (views[i] = hpo_view_panda(ids[i], info[i], pt[i], why[i])) == NULL) {
			hpo_err_set(&errs[i], HPO_E_SYS, "task %lld: cannot build its view",
				    (long long)ids[i]);
			rc = -1;
		}
		json_decref(info[i]);
		json_decref(pt[i]);
		free(why[i]);
	}
	free(info);
	free(pt);
	free(why);
	return rc;
}

static int
cmp_desc(const void *a, const void *b)
{
	int64_t x = json_integer_value(json_object_get(*(json_t *const *)a, "jediTaskID"));
	int64_t y = json_integer_value(json_object_get(*(json_t *const *)b, "jediTaskID"));

	return x < y ? 1 : x > y ? -1 : 0;
}

int
hpo_grid_recent(struct hpo_panda *p, int days, const char *statuses, const char *name,
		json_t **out, struct hpo_err *err)
{
	time_t since = time(NULL) - (time_t)days * 86400;
	char buf[32], *list = statuses ? xstrdup(statuses) : NULL, *save = NULL;
	struct tm tm;
	json_t *by_id = json_object(), *v;
	const char *key, *st;
	int rc = 0;

	*out = NULL;
	gmtime_r(&since, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	/* the server takes a value without regular expression characters as
	 * an equality, and applies a pattern only to the tasks it has already
	 * cut to n_tasks: so one question per status, as pbook asks, and a
	 * name only when it is a plain name */
	st = list ? strtok_r(list, ",", &save) : NULL;
	do {
		json_t *filters = json_object(), *tasks = NULL;
		if (st != NULL)
			json_object_set_new(filters, "status", json_string(st));
		if (name != NULL && strpbrk(name, "*?[]^$+\\|()") == NULL)
			json_object_set_new(filters, "taskName", json_string(name));
		rc = hpo_panda_tasks_since(p, buf, json_object_size(filters) ? filters : NULL, 1000,
					   &tasks, err);
		json_decref(filters);
		if (rc == 0)
			hpo_panda_listing_add(by_id, tasks);
		json_decref(tasks);
	} while (rc == 0 && st != NULL && (st = strtok_r(NULL, ",", &save)) != NULL);
	free(list);
	if (rc == 0) {
		/* newest first */
		size_t n = 0, k = json_object_size(by_id);
		json_t **sorted = xcalloc(k + 1, sizeof(*sorted));
		*out = json_array();
		json_object_foreach(by_id, key, v)
			sorted[n++] = v;
		qsort(sorted, n, sizeof(*sorted), cmp_desc);
		for (size_t i = 0; i < n; i++)
			json_array_append(*out, sorted[i]);
		free(sorted);
	}
	json_decref(by_id);
	return rc;
}
