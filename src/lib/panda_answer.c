/* panda_answer.c - what the PanDA server and iDDS answer, read */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "panda_answer.h"
#include "xmalloc.h"

int
hpo_panda_envelope(const json_t *resp, const char *what, json_t **data, struct hpo_err *err)
{
	json_t *ok = json_object_get(resp, "success");
	json_t *msg = json_object_get(resp, "message");

	*data = NULL;
	if (!json_is_object(resp) || !json_is_boolean(ok))
		return hpo_err_set(err, HPO_E_SERVER, "%s: the server's answer has no \"success\"", what);
	if (!json_is_true(ok) && json_is_string(msg) &&
	    strcmp(json_string_value(msg), HPO_PANDA_MSG_SSL) == 0)
		return hpo_err_set(err, HPO_E_AUTH, "%s: the server took the request as anonymous, with no "
				   "certificate or token it accepts: %s", what, HPO_PANDA_MSG_SSL);
	if (!json_is_true(ok))
		return hpo_err_set(err, HPO_E_SERVER, "%s: %s", what,
				   json_is_string(msg) && *json_string_value(msg)
					   ? json_string_value(msg) : "refused by the server");
	*data = json_object_get(resp, "data");
	return 0;
}

/* dataset names are full of dots, never followed by a space; PanDA's
 * refusals go on for several sentences and lines */
void
hpo_panda_first_sentence(const char *msg, char *out, size_t size)
{
	size_t n = strcspn(msg, "\r\n");

	for (size_t i = 0; i + 2 < n; i++)
		if (msg[i] == '.' && msg[i + 1] == ' ' && msg[i + 2] >= 'A' && msg[i + 2] <= 'Z') {
			n = i;
			break;
		}
	while (n > 0 && (msg[n - 1] == ' ' || msg[n - 1] == '.'))
		n--;
	snprintf(out, size, "%.*s", (int)n, msg);
}

int
hpo_panda_submit_answer(const json_t *resp, int64_t *task_id, struct hpo_err *err)
{
	json_t *data;

	*task_id = 0;
	if (hpo_panda_envelope(resp, "submit", &data, err) < 0) {
		const char *m = json_string_value(json_object_get(resp, "message"));
		if (err != NULL && err->kind == HPO_E_SERVER &&
		    json_is_false(json_object_get(resp, "success")) && m != NULL && *m != '\0') {
			char line[768];
			hpo_panda_first_sentence(m, line, sizeof(line));
			hpo_err_set(err, HPO_E_SERVER, "submit refused: %s", line);
		}
		return -1;
	}
	if (json_is_integer(data)) {
		*task_id = json_integer_value(data);
	} else {
		/* older servers: "succeeded. new jediTaskID=N" */
		const char *m = json_string_value(json_object_get(resp, "message"));
		const char *eq = m ? strstr(m, "jediTaskID=") : NULL;
		if (eq != NULL)
			*task_id = strtoll(eq + 11, NULL, 10);
	}
	if (*task_id <= 0) {
		*task_id = 0;
		return hpo_err_set(err, HPO_E_SERVER, "submit: the server's answer has no jediTaskID");
	}
	return 0;
}

static const char *
control_code(long code)
{
	switch (code) {
	case 0: return NULL;
	case 1: return "server error";
	case 2: return "task not found";
	case 3: return "permission denied: the task is not yours";
	case 4: return "the task's status does not allow it";
	case 100: return "not an SSL connection";
	case 101: return "invalid task id";
	default: return "refused";
	}
}

int
hpo_panda_control_answer(const json_t *resp, const char *what, int new_task, char **message,
			 struct hpo_err *err)
{
	/* sendCommandTaskPanda's refusals come as success false with the code
	 * in data: worded below, as the server's other codes */
	json_t *data = json_object_get(resp, "data");

	*message = NULL;
	if (!(json_is_false(json_object_get(resp, "success")) && json_is_integer(data)) &&
	    hpo_panda_envelope(resp, what, &data, err) < 0)
		return -1;
	/* data: the code, or [code, message] */
	json_t *code = json_is_array(data) ? json_array_get(data, 0) : data;
	json_t *msg = json_is_array(data) ? json_array_get(data, 1) : json_object_get(resp, "message");
	long c = json_is_integer(code) ? (long)json_integer_value(code) : 0;
	const char *why = control_code(c);
	if (new_task)	/* insertTaskParamsPanda's codes: 3 retried with them */
		why = c == 3 ? NULL : c == 2 ? "the task is still active" : "refused";
	if (why != NULL) {
		char line[768];
		hpo_panda_first_sentence(json_is_string(msg) ? json_string_value(msg) : "", line,
					 sizeof(line));
		return hpo_err_set(err, c == 2 && !new_task ? HPO_E_NOTFOUND : HPO_E_SERVER, "%s: %s%s%s",
				   what, why, *line ? ": " : "", line);
	}
	*message = xstrdup(json_is_string(msg) ? json_string_value(msg) : "done");
	return 0;
}

int
hpo_panda_task_answer(const json_t *resp, int64_t id, const char *server, json_t **task,
		      struct hpo_err *err)
{
	char what[64];
	json_t *data;

	*task = NULL;
	snprintf(what, sizeof(what), "task %lld", (long long)id);
	if (hpo_panda_envelope(resp, what, &data, err) < 0) {
		/* "Task not found ...": an id the server does not know */
		if (err != NULL && strstr(err->msg, "not found") != NULL)
			hpo_err_set(err, HPO_E_NOTFOUND, "no task %lld on %s", (long long)id, server);
		return -1;
	}
	if (!json_is_object(data))
		return hpo_err_set(err, HPO_E_SERVER, "%s: the server's answer is not a task", what);
	*task = data;
	return 0;
}

int
hpo_panda_tasks_answer(const json_t *resp, json_t **tasks, struct hpo_err *err)
{
	json_t *data;

	*tasks = NULL;
	if (hpo_panda_envelope(resp, "list tasks", &data, err) < 0)
		return -1;
	if (!json_is_array(data))
		return hpo_err_set(err, HPO_E_SERVER, "list tasks: the server's answer is not a list");
	*tasks = json_incref(data);
	return 0;
}

void
hpo_panda_listing_add(json_t *by_id, const json_t *tasks)
{
	const json_t *t;
	size_t i;

	json_array_foreach(tasks, i, t) {
		const char *pt = json_string_value(json_object_get(t, "processingType"));
		json_t *id = json_object_get(t, "jediTaskID");
		char key[32];
		/* HPO tasks: processingType <client>-<version>-jedi-hpo */
		if ((pt != NULL && strstr(pt, "jedi-hpo") == NULL) || !json_is_object(t))
			continue;
		long long v;
		if (json_is_integer(id)) {
			v = json_integer_value(id);
		} else if (json_is_string(id)) {
			/* digits only: "", "12abc" or "-3" is no task's id */
			const char *d = json_string_value(id);
			char *end;
			errno = 0;
			v = d[0] >= '0' && d[0] <= '9' ? strtoll(d, &end, 10) : 0;
			if (v <= 0 || errno != 0 || *end != '\0')
				continue;
		} else {
			continue;
		}
		if (v <= 0)	/* ids start at 1: task 0 or -3 is none of the server's */
			continue;
		/* an integer, as the readers expect */
		if (!json_is_integer(id) &&
		    json_object_set_new((json_t *)t, "jediTaskID", json_integer(v)) < 0)
			continue;
		snprintf(key, sizeof(key), "%lld", v);
		json_object_set(by_id, key, (json_t *)t);
	}
}

int
hpo_panda_sandbox_answer(const json_t *resp, char **host, char **name)
{
	const char *m = json_string_value(json_object_get(resp, "message")), *colon;

	*host = NULL;
	*name = NULL;
	/* FOUND:<host>:<file>, the host being where the file was put (the
	 * server records the cache host that took the upload) */
	if (m == NULL || strncmp(m, "FOUND:", 6) != 0 || (colon = strrchr(m + 6, ':')) == NULL ||
	    colon[1] == '\0')
		return 0;
	*host = xstrndup(m + 6, (size_t)(colon - (m + 6)));
	*name = xstrdup(colon + 1);
	return 1;
}

/* A host name or address as a URL holds it: printable ASCII, none of what
 * ends or changes the authority (a server's "\r\n" or "a/b" is no host) */
static int
usable_host(const char *host)
{
	if (*host == '\0')
		return 0;
	for (const char *c = host; *c != '\0'; c++)
		if (*c <= ' ' || *c >= 0x7f || strchr("/?#@\\", *c) != NULL)
			return 0;
	return 1;
}

int
hpo_panda_cache_host_root(const char *cache_url, const char *host, char **root,
			  struct hpo_err *err)
{
	const char *s = strstr(cache_url, "://"), *h, *end, *at, *port = NULL, *q;
	int v6 = strchr(host, ':') != NULL && host[0] != '[';

	*root = NULL;
	if (s == NULL)
		return hpo_err_set(err, HPO_E_INPUT, "%s is not a URL", cache_url);
	h = s + 3;
	end = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(end - h));
	if (at != NULL)
		h = at + 1;
	/* the port: after the last ':' of the authority, past an IPv6 literal */
	q = *h == '[' ? memchr(h, ']', (size_t)(end - h)) : h;
	for (const char *c = q ? q : h; c < end; c++)
		if (*c == ':')
			port = c;
	if (!usable_host(host))
		return hpo_err_set(err, HPO_E_SERVER, "the server names no usable cache host: '%s'",
				   host);
	*root = hpo_strf("%.*s://%s%s%s%.*s", (int)(s - cache_url), cache_url, v6 ? "[" : "", host,
			 v6 ? "]" : "", port ? (int)(end - port) : 0, port ? port : "");
	return 0;
}

/* the message says why there are no points */
int
hpo_panda_points_answer(const json_t *resp, json_t **points, struct hpo_err *err)
{
	json_t *ok = json_array_get(resp, 0), *res = json_array_get(resp, 1);

	*points = NULL;
	if (!json_is_array(resp) || !json_is_boolean(ok))
		return hpo_err_set(err, HPO_E_SERVER, "iDDS: unexpected answer");
	if (!json_is_true(ok))
		return hpo_err_set(err, HPO_E_SERVER, "iDDS: %s",
				   json_is_string(res) && *json_string_value(res) ? json_string_value(res)
										  : "refused");
	if (!json_is_array(res) && !json_is_null(res))
		return hpo_err_set(err, HPO_E_SERVER, "iDDS: the points are not a list");
	for (size_t i = 0; i < json_array_size(res); i++)
		if (!json_is_object(json_array_get(res, i)))
			return hpo_err_set(err, HPO_E_SERVER, "iDDS: point %zu of the list is not an "
					   "object", i + 1);
	*points = json_is_null(res) ? json_array() : json_incref(res);
	return 0;
}
