/* panda.c - PanDA /api/v1 calls */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "clock.h"
#include "file.h"
#include "http.h"
#include "http_conn.h"
#include "log.h"
#include "panda.h"
#include "xmalloc.h"
#include "panda_answer.h"
#include "retry.h"
#include "rng.h"
#include "taskcache.h"

struct hpo_panda {
	struct hpo_http *http;
	char *api;		/* scheme://host/api/v1 of PANDA_URL_SSL */
	char *legacy;		/* PANDA_URL_SSL itself, for relay_idds_command */
	char *cache_url;	/* PANDACACHE_URL itself: its scheme and port */
	char *cache_api;	/* <cache_root>/api/v1 */
	char *cache_root;	/* scheme://host[:port] of the cache server: PANDACACHE_URL's,
				 * or the host that holds the sandbox */
	int retries;
	double backoff;
	struct hpo_taskcache *cache;	/* opened when first needed */
	int cache_tried;
};

/* scheme://host[:port] of a URL (malloc'ed), NULL if it has none */
static char *
url_root(const char *url)
{
	const char *p = strstr(url, "://"), *slash;

	if (p == NULL || p[3] == '\0')
		return NULL;
	slash = strchr(p + 3, '/');
	return slash ? hpo_strf("%.*s", (int)(slash - url), url) : strdup(url);
}

static const char *
env_or(const char *name, const char *dflt)
{
	const char *v = hpo_config_get(name);

	return v != NULL ? v : dflt;
}

/* A server URL from setting var: https (or http when plain_ok) with a
 * host, else an error naming the setting.  Nothing can reach a server
 * through it, so it is HPO_E_NET: the tools' exit status for a server
 * that cannot be reached. */
static int
check_url(const char *var, const char *url, int plain_ok, struct hpo_err *err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	const char *why = NULL;
	CURLUcode uc;

	if (u == NULL)
		hpo_oom();
	uc = curl_url_set(u, CURLUPART_URL, url, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	if (uc == CURLUE_OK)
		uc = curl_url_get(u, CURLUPART_HOST, &host, 0);
	if (uc == CURLUE_OUT_OF_MEMORY)
		hpo_oom();
	if (strstr(url, "://") == NULL || uc == CURLUE_UNSUPPORTED_SCHEME || uc == CURLUE_NO_SCHEME ||
		 (uc == CURLUE_OK && strcmp(scheme, "https") != 0 &&
		  !(plain_ok && strcmp(scheme, "http") == 0)))
		why = plain_ok ? "is not an https:// or http:// URL" : "is not an https:// URL";
	else if (uc == CURLUE_NO_HOST || (uc == CURLUE_OK && *host == '\0') ||
		 strncmp(strstr(url, "://") + 3, "/", 1) == 0)	/* libcurl takes https:///a/b as host a */
		why = "names no host";
	else if (uc == CURLUE_BAD_PORT_NUMBER)
		why = "has a bad port number";
	else if (uc != CURLUE_OK)
		why = "is not a URL";
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	if (why == NULL)
		return 0;
	return hpo_err_set(err, HPO_E_NET, "%s '%s' %s", var, url, why);
}

int
hpo_panda_new(const struct hpo_auth *auth, struct hpo_panda **out, struct hpo_err *err)
{
	const char *ssl = env_or("PANDA_URL_SSL", "https://pandaserver.cern.ch/server/panda");
	const char *cache = env_or("PANDACACHE_URL", "https://pandacache.cern.ch/server/panda");
	struct hpo_http_opts ho;
	struct hpo_panda *p;
	char *root, *croot;

	*out = NULL;
	/* the monitor's too: its link is made after the task is submitted */
	if (check_url("PANDA_URL_SSL", ssl, 0, err) < 0 || check_url("PANDACACHE_URL", cache, 0, err) < 0 ||
	    check_url("PANDAMON_URL", env_or("PANDAMON_URL", "https://bigpanda.cern.ch"), 1, err) < 0)
		return -1;
	root = url_root(ssl);
	croot = url_root(cache);
	if (root == NULL || croot == NULL) {
		free(root);
		free(croot);
		return hpo_err_set(err, HPO_E_NET, "%s is not a URL",
				   root == NULL ? "PANDA_URL_SSL" : "PANDACACHE_URL");
	}
	p = xcalloc(1, sizeof(*p));
	p->api = hpo_strf("%s/api/v1", root);
	p->legacy = xstrdup(ssl);
	p->cache_url = xstrdup(cache);
	p->cache_api = hpo_strf("%s/api/v1", croot);
	p->cache_root = croot;
	free(root);
	if (hpo_http_opts_from_env(&ho, err) < 0) {
		hpo_panda_free(p);
		return -1;
	}
	ho.auth = auth;
	if (!ho.verify_host)
		hpo_warn("PANDA_VERIFY_HOST=off: the server's host name is not checked");
	p->retries = ho.retries;
	p->backoff = ho.backoff;
	if (hpo_http_new(&ho, &p->http, err) < 0) {
		hpo_panda_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

void
hpo_panda_free(struct hpo_panda *p)
{
	if (p == NULL)
		return;
	hpo_http_free(p->http);
	hpo_taskcache_free(p->cache);
	free(p->api);
	free(p->legacy);
	free(p->cache_url);
	free(p->cache_api);
	free(p->cache_root);
	free(p);
}

const char *
hpo_panda_source_url(const struct hpo_panda *p)
{
	return p->cache_root;
}

int
hpo_panda_set_cache_root(struct hpo_panda *p, const char *root, struct hpo_err *err)
{
	char *r = url_root(root), *api;

	if (r == NULL)
		return hpo_err_set(err, HPO_E_INPUT, "%s is not a URL", root);
	api = hpo_strf("%s/api/v1", r);
	free(p->cache_root);
	free(p->cache_api);
	p->cache_root = r;
	p->cache_api = api;
	return 0;
}

/* The cache server on another host, with PANDACACHE_URL's scheme and port,
 * as panda-client's setCacheServer does (Client.py) for the host that
 * validate_cache_file names. */
static int
set_cache_host(struct hpo_panda *p, const char *host, struct hpo_err *err)
{
	char *root;
	int rc;

	if (hpo_panda_cache_host_root(p->cache_url, host, &root, err) < 0)
		return -1;
	rc = hpo_panda_set_cache_root(p, root, err);
	free(root);
	return rc;
}

char *
hpo_panda_monitor_link(int64_t task_id)
{
	const char *mon = env_or("PANDAMON_URL", "https://bigpanda.cern.ch");

	return hpo_strf("%s/task/%lld/", mon, (long long)task_id);
}

static char *points_kwargs(int64_t task_id);

static char *
url_of(const char *base, const char *endpoint)
{
	return hpo_strf("%s/%s", base, endpoint);
}

static int
api_get(struct hpo_panda *p, const char *endpoint, const char *const *query, json_t **resp,
	struct hpo_err *err)
{
	char *url = url_of(p->api, endpoint);
	int rc;

	rc = hpo_http_get(p->http, url, query, 0, resp, err);
	free(url);
	return rc;
}

static int
api_post(struct hpo_panda *p, const char *endpoint, const json_t *body, int flags, json_t **resp,
	 struct hpo_err *err)
{
	char *url = url_of(p->api, endpoint);
	int rc;

	rc = hpo_http_post_json(p->http, url, body, flags, resp, err);
	free(url);
	return rc;
}

static void
sleep_backoff(const struct hpo_panda *p, int attempt)
{
	struct hpo_rng r;

	hpo_rng_seed2(&r, (uint64_t)time(NULL), (uint64_t)getpid() + (uint64_t)attempt);
	hpo_sleep(hpo_retry_delay(p->backoff, attempt, -1, hpo_rng_uniform(&r)));
}

/* The task with this name among the user's recent tasks, 0 if none. */
static int
find_task_by_name(struct hpo_panda *p, const char *name, int64_t *id, struct hpo_err *err)
{
	json_t *filters = json_pack("{s:s}", "taskName", name), *tasks = NULL, *t;
	char since[32];
	time_t now = time(NULL) - 7 * 86400;
	struct tm tm;
	size_t i;

	*id = 0;
	gmtime_r(&now, &tm);
	strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
	int rc = hpo_panda_tasks_since(p, since, filters, 100, &tasks, err);
	json_decref(filters);
	if (rc < 0)
		return -1;
	json_array_foreach(tasks, i, t) {
		json_t *n = json_object_get(t, "taskName"), *tid = json_object_get(t, "jediTaskID");
		if (json_is_string(n) && strcmp(json_string_value(n), name) == 0 && json_is_integer(tid))
			*id = json_integer_value(tid);
	}
	json_decref(tasks);
	return 0;
}

int
hpo_panda_submit(struct hpo_panda *p, const json_t *params, int64_t *task_id, struct hpo_err *err)
{
	const char *name = json_string_value(json_object_get(params, "taskName"));
	json_t *body = json_pack("{s:O, s:n}", "task_parameters", params, "parent_tid");
	int lost = 0, rc = -1;

	*task_id = 0;
	if (body == NULL || name == NULL) {
		json_decref(body);
		return hpo_err_set(err, HPO_E_INPUT, "task parameters without taskName");
	}
	for (int attempt = 0;; attempt++) {
		json_t *resp = NULL;
		struct hpo_err e = {0};

		if (lost) {
			/* the server may have the task from a try whose answer was lost */
			int64_t found;
			if (find_task_by_name(p, name, &found, &e) == 0 && found > 0) {
				hpo_info("the server already has task %s from an earlier try", name);
				*task_id = found;
				rc = 0;
				break;
			}
		}
		if (api_post(p, "task/submit", body, HPO_HTTP_NO_RETRY, &resp, &e) < 0) {
			if (e.kind == HPO_E_NET && attempt < p->retries) {
				hpo_debug("submit: %s; trying again", e.msg);
				lost = 1;
				sleep_backoff(p, attempt);
				continue;
			}
			*err = e;
			break;
		}
		if (hpo_panda_submit_answer(resp, task_id, &e) < 0) {
			json_t *code = json_object_get(resp, "data");
			if (lost && !json_is_true(json_object_get(resp, "success")) &&
			    json_is_integer(code) && json_integer_value(code) == 2) {
				/* "still active": ours, from the lost try */
				int64_t found;
				struct hpo_err fe = {0};
				if (find_task_by_name(p, name, &found, &fe) == 0 && found > 0) {
					*task_id = found;
					rc = 0;
					json_decref(resp);
					break;
				}
				if (fe.kind != HPO_E_OK && fe.kind != HPO_E_SERVER)
					e = fe;	/* why the task could not be looked up */
			}
			*err = e;
			json_decref(resp);
			break;
		}
		json_decref(resp);
		rc = 0;
		break;
	}
	json_decref(body);
	return rc;
}

/* Tasks known from the cache (seen before, among the user's) are asked in
 * one listing call for every LISTING_MAX of them, when there are at least
 * LISTING_MIN: get_tasks_detailed_info_since, cut to them by a pattern on
 * jediTaskID (a URL of a few kB at most).  The server cuts the user's tasks
 * to n_tasks before it applies a pattern, so the window starts at the
 * oldest one's creation less LISTING_SLACK (JEDI sets modificationTime a
 * day back at times: task_complex_module.py); one that is not there after
 * all (another user's, not modified for 90 days, cut away) is asked alone. */
#define LISTING_MIN 2
#define LISTING_MAX 400
#define LISTING_N_TASKS "1000"
#define LISTING_SLACK (2 * 86400)
/* connections at once: each request is a round trip of its own */
#define PARALLEL 16

static struct hpo_taskcache *
panda_cache(struct hpo_panda *p)
{
	if (!p->cache_tried) {
		p->cache = hpo_taskcache_open(p->api);
		p->cache_tried = 1;
	}
	return p->cache;
}

/* A PanDA date ({"__datetime__": ISO} or text) as Unix seconds, -1 if none */
static time_t
panda_date(const json_t *v)
{
	const char *s = json_string_value(json_is_object(v) ? json_object_get(v, "__datetime__") : v);
	struct tm tm = {0};

	if (s == NULL || sscanf(s, "%4d-%2d-%2d%*1[ T]%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
				&tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* The query of listing k of the tasks ids[i] for the i with want[i] from
 * *next on, at most LISTING_MAX of them, whose want[i] becomes k + 1:
 * {n_tasks, filters, since}; q[3] and q[5] malloc'ed. */
static void
listing_query(const int64_t *ids, const json_t *const *entry, int *want, size_t n,
	      size_t *next, int k, const char *q[7])
{
	struct hpo_buf re = {0};
	time_t oldest = -1;
	size_t taken = 0;
	char since[32] = "";

	hpo_buf_adds(&re, "^(");
	for (; *next < n && taken < LISTING_MAX; (*next)++) {
		size_t i = *next;
		time_t c;
		if (!want[i])
			continue;
		want[i] = k + 1;
		hpo_buf_addf(&re, "%s%lld", taken++ ? "|" : "", (long long)ids[i]);
		c = panda_date(json_object_get(entry[i], "creationDate"));
		if (c < 0)
			oldest = 0;	/* unknown: the server's 90 days */
		else if (oldest < 0 || (oldest > 0 && c < oldest))
			oldest = c;
	}
	hpo_buf_adds(&re, ")$");
	if (oldest > LISTING_SLACK) {
		struct tm tm;
		time_t t = oldest - LISTING_SLACK;
		gmtime_r(&t, &tm);
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S", &tm);
	}
	json_t *f = json_pack("{s:s}", "jediTaskID", hpo_buf_str(&re));
	q[0] = "n_tasks";
	q[1] = LISTING_N_TASKS;
	q[2] = "filters";
	q[3] = json_dumps(f, JSON_COMPACT);
	q[4] = since[0] != '\0' ? "since" : NULL;
	q[5] = since[0] != '\0' ? xstrdup(since) : NULL;
	q[6] = NULL;
	if (q[3] == NULL)
		hpo_oom();
	json_decref(f);
	hpo_buf_free(&re);
}

/* Run the requests of slots[0..n) with a url, at once, in the order of
 * slots[first..n) then slots[0..first); the others are not sent. */
static void
run_slots(struct hpo_panda *p, struct hpo_http_req *slots, size_t n, size_t first)
{
	struct hpo_http_req *run = xcalloc(n + 1, sizeof(*run));
	size_t *where = xcalloc(n + 1, sizeof(*where)), m = 0;

	for (size_t j = 0; j < n; j++) {
		size_t i = (first + j) % n;

		if (slots[i].url != NULL) {
			where[m] = i;
			run[m++] = slots[i];
		}
	}
	hpo_http_get_many(p->http, run, m, PARALLEL);
	for (size_t k = 0; k < m; k++)
		slots[where[k]] = run[k];
	free(run);
	free(where);
}

int
hpo_panda_task_info_many(struct hpo_panda *p, const int64_t *ids, size_t n, json_t **info,
			 json_t **points, char **points_err, struct hpo_err *errs)
{
	struct hpo_taskcache *tc = panda_cache(p);
	/* slots: [0, n) a task's info, [n, 2n) its points, then the listings */
	size_t nknown = 0, nlist, next = 0;
	json_t **entry = xcalloc(n + 1, sizeof(*entry)), *by_id = json_object();
	/* want[i]: task i is asked in listing want[i] - 1; missing[i]: that
	 * listing came, without it */
	int *want = xcalloc(n + 1, sizeof(*want)), *missing = xcalloc(n + 1, sizeof(*missing));
	char (*idbuf)[32] = xcalloc(n + 1, sizeof(*idbuf));
	const char *(*queries)[3] = xcalloc(n + 1, sizeof(*queries));
	const char *(*forms)[7] = xcalloc(n + 1, sizeof(*forms));
	char **kwargs = xcalloc(n + 1, sizeof(*kwargs));
	char *iurl = url_of(p->api, "task/get_detailed_info");
	char *lurl = url_of(p->api, "task/get_tasks_detailed_info_since");
	char *rurl = hpo_strf("%s/relay_idds_command", p->legacy);
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		points[i] = NULL;
		points_err[i] = NULL;
		entry[i] = hpo_taskcache_get(tc, ids[i]);
		if (info[i] == NULL && json_is_true(json_object_get(entry[i], "listed"))) {
			want[i] = 1;
			nknown++;
		}
	}
	if (nknown < LISTING_MIN)
		memset(want, 0, (n + 1) * sizeof(*want));
	nlist = nknown < LISTING_MIN ? 0 : (nknown + LISTING_MAX - 1) / LISTING_MAX;
	struct hpo_http_req *slots = xcalloc(2 * n + nlist + 1, sizeof(*slots));
	const char *(*lq)[7] = xcalloc(nlist + 1, sizeof(*lq));
	int *listing_ok = xcalloc(nlist + 1, sizeof(*listing_ok));

	/* the first round, all at once: task/get_detailed_info of the tasks
	 * not known (it has the status, the dates, the error dialog and the
	 * parameters; task/get_details has none of the dates), the listings of
	 * the known ones, and every task's points */
	for (size_t i = 0; i < n; i++) {
		snprintf(idbuf[i], sizeof(idbuf[i]), "%lld", (long long)ids[i]);
		queries[i][0] = "task_id";
		queries[i][1] = idbuf[i];
		queries[i][2] = NULL;
		kwargs[i] = points_kwargs(ids[i]);
		forms[i][0] = "command_name";
		forms[i][1] = "get_hyperparameters";
		forms[i][2] = "kwargs";
		forms[i][3] = kwargs[i];
		forms[i][4] = "json_outputs";
		forms[i][5] = "True";
		forms[i][6] = NULL;
		if (info[i] == NULL && !want[i]) {
			slots[i].url = iurl;
			slots[i].query = queries[i];
		}
		slots[n + i].url = rurl;
		slots[n + i].form = forms[i];
	}
	for (size_t k = 0; k < nlist; k++) {
		listing_query(ids, (const json_t *const *)entry, want, n, &next, (int)k, lq[k]);
		slots[2 * n + k].url = lurl;
		slots[2 * n + k].query = lq[k];
	}
	/* the listings first: the server takes longest over them and their
	 * answer is the largest (about 4 kB a task: on a long link several
	 * round trips of TCP's slow start), so they run beside the points'
	 * requests, not after them */
	run_slots(p, slots, 2 * n + nlist, 2 * n);
	for (size_t k = 0; k < nlist; k++) {
		json_t *tasks = NULL;
		struct hpo_err e = {0};
		if (slots[2 * n + k].rc == 0 &&
		    hpo_panda_tasks_answer(slots[2 * n + k].out, &tasks, &e) == 0) {
			hpo_panda_listing_add(by_id, tasks);
			listing_ok[k] = 1;
		} else {
			hpo_debug("the listing of known tasks failed (%s): asking them one by one",
				  slots[2 * n + k].rc < 0 ? slots[2 * n + k].err.msg : e.msg);
		}
		json_decref(tasks);
		json_decref(slots[2 * n + k].out);
		free((char *)lq[k][3]);
		free((char *)lq[k][5]);
	}
	/* the second round: the known tasks no listing had, alone */
	struct hpo_http_req *alone = xcalloc(n + 1, sizeof(*alone));
	size_t nalone = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *t;
		if (!want[i])
			continue;
		if ((t = json_object_get(by_id, idbuf[i])) != NULL) {
			info[i] = json_incref(t);
			continue;
		}
		if ((missing[i] = listing_ok[want[i] - 1]))
			hpo_debug("task %lld: not among your listed tasks; asked alone", (long long)ids[i]);
		alone[i].url = iurl;
		alone[i].query = queries[i];
		nalone++;
	}
	if (nalone > 0) {
		run_slots(p, alone, n, 0);
		for (size_t i = 0; i < n; i++)
			if (alone[i].url != NULL)
				slots[i] = alone[i];
	}
	free(alone);
	for (size_t i = 0; i < n; i++) {
		json_t *data, *fresh = NULL;
		struct hpo_http_req *r = &slots[i], *pr = &slots[n + i];

		if (info[i] != NULL) {
			/* known from the listing */
		} else if (r->rc < 0) {
			errs[i] = r->err;
			rc = -1;
		} else if (hpo_panda_task_answer(r->out, ids[i], p->api, &data, &errs[i]) < 0) {
			rc = -1;
		} else {
			info[i] = fresh = json_incref(data);
		}
		if (info[i] != NULL) {
			struct hpo_err e = {0};
			/* a task's parameters the server could not read: the cache's */
			hpo_taskcache_fill(entry[i], info[i]);
			/* new to the cache, or not among the user's listed tasks after all */
			if (entry[i] == NULL || (fresh != NULL && missing[i]))
				hpo_taskcache_put(tc, ids[i], info[i], !missing[i]);
			/* iDDS failing hides the points, not the task */
			if (pr->rc < 0)
				points_err[i] = xstrdup(pr->err.msg);
			else if (hpo_panda_points_answer(pr->out, &points[i], &e) < 0)
				points_err[i] = xstrdup(e.msg);
		}
		json_decref(r->out);
		json_decref(pr->out);
	}
	for (size_t i = 0; i < n; i++) {
		free(kwargs[i]);
		json_decref(entry[i]);
	}
	json_decref(by_id);
	free(kwargs);
	free(entry);
	free(want);
	free(missing);
	free(slots);
	free(lq);
	free(listing_ok);
	free(idbuf);
	free(queries);
	free(forms);
	free(iurl);
	free(lurl);
	free(rurl);
	return rc;
}

int
hpo_panda_tasks_since(struct hpo_panda *p, const char *since, const json_t *filters, int n_tasks,
		      json_t **tasks, struct hpo_err *err)
{
	char n[16], *f = NULL;
	const char *q[7];
	json_t *resp;
	size_t k = 0;
	int rc;

	snprintf(n, sizeof(n), "%d", n_tasks);
	q[k++] = "n_tasks";
	q[k++] = n;
	if (since != NULL) {
		q[k++] = "since";
		q[k++] = since;
	}
	if (filters != NULL) {
		f = json_dumps(filters, JSON_COMPACT);
		q[k++] = "filters";
		q[k++] = f;
	}
	q[k] = NULL;
	*tasks = NULL;
	rc = api_get(p, "task/get_tasks_detailed_info_since", q, &resp, err);
	free(f);
	if (rc < 0)
		return -1;
	rc = hpo_panda_tasks_answer(resp, tasks, err);
	json_decref(resp);
	return rc;
}

/* The relay's form for get_hyperparameters of a task (kwargs malloc'ed). */
static char *
points_kwargs(int64_t task_id)
{
	json_t *kw = json_pack("{s:I, s:n, s:n, s:n, s:n}", "workload_id", (json_int_t)task_id,
			       "request_id", "id", "status", "limit");
	char *s = json_dumps(kw, JSON_COMPACT);

	json_decref(kw);
	return s;
}

int
hpo_panda_control(struct hpo_panda *p, enum hpo_panda_op op, int64_t task_id, int soft,
		  const json_t *new_params, char **message, struct hpo_err *err)
{
	static const char *const endpoints[] = {"task/kill", "task/finish", "task/retry", "task/pause",
						"task/resume"};
	static const char *const verbs[] = {"kill", "finish", "retry", "pause", "resume"};
	json_t *body = json_pack("{s:I}", "task_id", (json_int_t)task_id), *resp = NULL;
	char what[64];
	int rc = -1;

	*message = NULL;
	if (op == HPO_PANDA_FINISH && soft)
		json_object_set_new(body, "soft", json_true());
	if (op == HPO_PANDA_RETRY && new_params != NULL)
		json_object_set(body, "new_parameters", (json_t *)new_params);
	if (api_post(p, endpoints[op], body, 0, &resp, err) < 0)
		goto out;
	snprintf(what, sizeof(what), "%s task %lld", verbs[op], (long long)task_id);
	rc = hpo_panda_control_answer(resp, what, op == HPO_PANDA_RETRY && new_params != NULL, message,
				      err);
out:
	json_decref(resp);
	json_decref(body);
	return rc;
}

/* The server's message for a file already in the cache
 * (pandaserver/api/v1/file_server_api.py: ERROR_OVERWRITE) */
#define CACHE_OVERWRITE "ERROR: cannot overwrite file"

/* validate_cache_file: 1 with *name and the cache host set when PanDA
 * knows a sandbox of the user's with this size and checksum, 0 if not. */
static int
find_sandbox(struct hpo_panda *p, uint64_t size, uint32_t crc, char **name, struct hpo_err *err)
{
	json_t *body = json_pack("{s:I, s:I}", "file_size", (json_int_t)size, "checksum",
				 (json_int_t)crc), *resp = NULL;
	char *host = NULL;
	int rc = -1;

	*name = NULL;
	if (api_post(p, "file_server/validate_cache_file", body, 0, &resp, err) < 0)
		goto out;
	if ((rc = hpo_panda_sandbox_answer(resp, &host, name)) <= 0)
		goto out;
	if (set_cache_host(p, host, err) < 0) {
		free(*name);
		*name = NULL;
		rc = -1;
		goto out;
	}
	hpo_debug("sandbox %s is on %s", *name, p->cache_root);
	rc = 1;
out:
	free(host);
	json_decref(resp);
	json_decref(body);
	return rc;
}

int
hpo_panda_sandbox(struct hpo_panda *p, const char *path, const char *base, uint64_t size,
		  uint32_t crc, char **name, int *reused, struct hpo_err *err)
{
	char *url, *found = NULL;
	json_t *resp = NULL, *data;
	const char *m;
	int rc, overwrite;

	*name = NULL;
	*reused = 0;
	if ((rc = find_sandbox(p, size, crc, name, err)) != 0) {
		*reused = rc > 0;
		return rc < 0 ? -1 : 0;
	}
	url = url_of(p->cache_api, "file_server/upload_cache_file");
	rc = hpo_http_post_file(p->http, url, "file", path, base, NULL, 0, &resp, err);
	free(url);
	if (rc < 0)
		goto out;
	/* "cannot overwrite file": ours is there already, from an upload
	 * whose answer was lost (the name comes from the contents) */
	m = json_string_value(json_object_get(resp, "message"));
	overwrite = json_is_false(json_object_get(resp, "success")) && m != NULL &&
		    strncmp(m, CACHE_OVERWRITE, strlen(CACHE_OVERWRITE)) == 0;
	if (!overwrite && (rc = hpo_panda_envelope(resp, "sandbox upload", &data, err)) < 0)
		goto out;
	/* the server recorded the file on the cache host that took it, which
	 * may be another than PANDACACHE_URL names (a load-balanced alias):
	 * ask which, as a reused sandbox is asked for */
	if ((rc = find_sandbox(p, size, crc, &found, err)) < 0)
		goto out;
	if (rc == 0 && overwrite) {
		rc = hpo_err_set(err, HPO_E_SERVER, "sandbox upload: the cache server has a file %s "
				 "already (%s), but PanDA knows no sandbox of yours of its size and "
				 "checksum", base, m);
		goto out;
	}
	if (found != NULL && strcmp(found, base) != 0)
		hpo_debug("sandbox %s: PanDA names the identical %s", base, found);
	*name = found != NULL ? found : xstrdup(base);
	found = NULL;
	rc = 0;
out:
	free(found);
	json_decref(resp);
	return rc;
}

/* ---- HPO checkpoints (file_server on the cache server) ------------------------ */

int
hpo_panda_ckpt_upload(struct hpo_panda *p, const char *path, const char *task, const char *sub,
		      struct hpo_err *err)
{
	char *url = url_of(p->cache_api, "file_server/upload_hpo_checkpoint");
	char *fname = hpo_strf("%s_%s", task, sub);
	json_t *resp = NULL, *data;
	int rc = -1;

	/* the server replaces the file only once the whole body is in: sending
	 * it again after a lost answer is harmless */
	if (hpo_http_post_file(p->http, url, "file", path, fname, NULL, 0, &resp, err) == 0)
		rc = hpo_panda_envelope(resp, "checkpoint upload", &data, err);
	json_decref(resp);
	free(fname);
	free(url);
	return rc;
}

int
hpo_panda_ckpt_delete(struct hpo_panda *p, const char *task, const char *sub, struct hpo_err *err)
{
	char *url = url_of(p->cache_api, "file_server/delete_hpo_checkpoint");
	json_t *body = json_pack("{s:s, s:s}", "task_id", task, "sub_id", sub), *resp = NULL, *data;
	int rc = -1;

	if (hpo_http_post_json(p->http, url, body, 0, &resp, err) == 0)
		rc = hpo_panda_envelope(resp, "checkpoint removal", &data, err);
	json_decref(resp);
	json_decref(body);
	free(url);
	return rc;
}
