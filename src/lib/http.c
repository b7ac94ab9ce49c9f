/* http.c - JSON over HTTP(S) with libcurl */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "config.h"
#include "curlerr.h"
#include "file.h"
#include "clock.h"
#include "http.h"
#include "xmalloc.h"
#include "http_conn.h"
#include "retry.h"

#define MAX_ANSWER (64L * 1024 * 1024)

struct hpo_http {
	struct hpo_conn conn;	/* TLS, credentials, retries (http_conn.h) */
	CURL *easy;		/* single requests */
	CURLM *multi;		/* hpo_http_get_many, made when first needed */
};

/* One request. */
struct xfer {
	struct hpo_xfer x;	/* first: judge gets the hpo_xfer */
	struct hpo_http *h;
	char *url;		/* with the query */
	char *form;		/* get_many: a form to POST, or NULL for a GET */
	json_t **out;		/* where a JSON answer goes (may be NULL) */
	struct hpo_err *err;
};

/* ---- set-up ---------------------------------------------------------------- */

int
hpo_http_opts_from_env(struct hpo_http_opts *o, struct hpo_err *err)
{
	double timeout;

	memset(o, 0, sizeof(*o));
	if (hpo_config_http_retries(NULL, &o->retries, err) < 0 ||
	    hpo_config_http_backoff(NULL, &o->backoff, err) < 0 ||
	    hpo_config_http_timeout(NULL, &timeout, err) < 0)
		return -1;
	o->timeout_ms = (long)ceil(timeout * 1000);
	o->connect_timeout_ms = 20000;
	if (o->connect_timeout_ms > o->timeout_ms)
		o->connect_timeout_ms = o->timeout_ms;
	o->verify_host = hpo_config_verify_host();
	return 0;
}

void
hpo_http_free(struct hpo_http *h)
{
	if (h == NULL)
		return;
	if (h->easy != NULL)
		curl_easy_cleanup(h->easy);
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	hpo_conn_cleanup(&h->conn);
	free(h);
}

int
hpo_http_new(const struct hpo_http_opts *o, struct hpo_http **out, struct hpo_err *err)
{
	struct hpo_conn_opts co = {
		.connect_timeout_ms = o->connect_timeout_ms, .timeout_ms = o->timeout_ms,
		.retries = o->retries, .backoff = o->backoff, .verify_host = o->verify_host,
		.decode = 1, .user_agent = o->user_agent, .peer = "server", .down = "",
	};
	struct hpo_http *h;

	*out = NULL;
	h = xcalloc(1, sizeof(*h));
	if (hpo_conn_init(&h->conn, &co, err) < 0) {
		free(h);
		return -1;
	}
	hpo_conn_set_auth(&h->conn, o->auth);
	h->easy = curl_easy_init();
	*out = h;
	return 0;
}

/* ---- URLs -------------------------------------------------------------------- */

/* "host[:port]" and the path of a URL, for messages */
static void
url_parts(const char *url, char *host, size_t hsize, char *path, size_t psize)
{
	CURLU *u = curl_url();
	char *h = NULL, *port = NULL, *p = NULL;

	snprintf(host, hsize, "%s", url);
	if (path != NULL)
		path[0] = '\0';
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
		if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
			snprintf(host, hsize, "%s:%s", h, port);
		else
			snprintf(host, hsize, "%s", h);
		if (path != NULL && curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK &&
		    strcmp(p, "/") != 0)
			snprintf(path, psize, "%s", p);
	}
	curl_free(h);
	curl_free(port);
	curl_free(p);
	curl_url_cleanup(u);
}

/* name=value&name=value, URL-encoded; "" for none. */
static char *
encode_pairs(CURL *c, const char *const *kv)
{
	struct hpo_buf b = {0};

	for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2) {
		char *k = curl_easy_escape(c, kv[i], 0);
		char *v = curl_easy_escape(c, kv[i + 1] != NULL ? kv[i + 1] : "", 0);

		hpo_buf_addf(&b, "%s%s=%s", b.len > 0 ? "&" : "", k, v);
		curl_free(k);
		curl_free(v);
		if (kv[i + 1] == NULL)
			break;
	}
	return hpo_buf_take(&b);
}

/* ---- one transfer ------------------------------------------------------------ */

static void
xfer_clear(struct xfer *x)
{
	hpo_xfer_clear(&x->x);
	free(x->url);
	x->url = NULL;
	free(x->form);
	x->form = NULL;
}

/* Prepare a request to x->url on easy; content_type may be NULL. */
static int
prepare(struct hpo_http *h, struct xfer *x, CURL *easy, const char *content_type, int stall_only,
	struct hpo_err *err)
{
	x->h = h;
	x->x.easy = easy;
	x->x.body.max = MAX_ANSWER;
	if (x->x.headers == NULL) {
		hpo_xfer_header(&x->x, "Accept: application/json");
		if (content_type != NULL)
			hpo_xfer_header(&x->x, content_type);
	}
	return hpo_conn_setup(&h->conn, &x->x, x->url, stall_only, err);
}

/* The server's message: the JSON "message", else the body's first line. */
static void
server_message(const struct hpo_xfer *x, char *buf, size_t size)
{
	json_t *doc = x->body.len > 0 ? json_loadb(x->body.s, x->body.len, JSON_DECODE_ANY, NULL)
				      : NULL;
	json_t *m = json_object_get(doc, "message");

	if (json_is_string(m)) {
		snprintf(buf, size, "%s", json_string_value(m));
		for (char *p = buf; *p != '\0'; p++)
			if (iscntrl((unsigned char)*p))
				*p = ' ';
	} else {
		hpo_curl_first_line(x->body.s, buf, size);
	}
	json_decref(doc);
}

/* Judge a finished try (hpo_conn_judge).  0: a JSON answer in *out; 1:
 * transient (the reason in why); -1: a permanent error in err. */
static int
judge(void *arg, struct hpo_xfer *hx, char *why, size_t wsize, struct hpo_err *err)
{
	struct xfer *x = arg;
	char host[512], path[1024], msg[256], what[1600];
	json_t *doc;

	url_parts(x->url, host, sizeof(host), path, sizeof(path));
	if (hx->cc != CURLE_OK) {
		if (hpo_curl_fail_kind(hx->cc) == HPO_CURL_BAD_URL)
			snprintf(what, sizeof(what), "%s", x->url);
		else if (hpo_curl_fail_kind(hx->cc) == HPO_CURL_WRITE)
			snprintf(what, sizeof(what), "%s%s", host, path);
		else
			snprintf(what, sizeof(what), "%s", host);
		return hpo_conn_fail(&x->h->conn, hx, what, why, wsize, err);
	}
	if (hx->status >= 200 && hx->status < 300) {
		doc = json_loadb(hpo_buf_str(&hx->body), hx->body.len, JSON_DECODE_ANY, NULL);
		if (doc == NULL) {
			char excerpt[81];
			size_t i;

			for (i = 0; i < hx->body.len && i < 80; i++)
				excerpt[i] = iscntrl((unsigned char)hx->body.s[i]) ? ' ' : hx->body.s[i];
			excerpt[i] = '\0';
			return hpo_err_set(err, HPO_E_SERVER, "bad answer from %s%s: not JSON (%s)",
					   host, path, hx->body.len > 0 ? excerpt : "empty");
		}
		if (x->out != NULL)
			*x->out = doc;
		else
			json_decref(doc);
		return 0;
	}
	server_message(hx, msg, sizeof(msg));
	if (hx->status == 429 || hx->status >= 500) {
		snprintf(why, wsize, "HTTP %ld%s%s", hx->status, msg[0] != '\0' ? ": " : "", msg);
		return 1;
	}
	if (hx->status >= 300 && hx->status < 400) {
		char *loc = NULL;

		curl_easy_getinfo(hx->easy, CURLINFO_REDIRECT_URL, &loc);
		return hpo_err_set(err, HPO_E_SERVER, "%s%s: HTTP %ld: redirected to %s, which is "
				   "not followed", host, path, hx->status, loc != NULL ? loc : "?");
	}
	return hpo_err_set(err, HPO_E_SERVER, "%s%s: HTTP %ld%s%s", host, path, hx->status,
			   msg[0] != '\0' ? ": " : "", msg);
}

/* Run a prepared request on h->easy with the retry rules. */
static int
perform(struct hpo_http *h, struct xfer *x, int flags, json_t **out, struct hpo_err *err)
{
	char host[512];

	x->out = out;
	url_parts(x->url, host, sizeof(host), NULL, 0);
	return hpo_conn_perform(&h->conn, &x->x, (flags & HPO_HTTP_NO_RETRY) ? HPO_CONN_ONCE : 0,
				host, judge, x, err);
}

/* Start a single request: URL with the query, headers, common options. */
static int
begin(struct hpo_http *h, struct xfer *x, const char *url, const char *const *query,
      const char *content_type, int stall_only, struct hpo_err *err)
{
	char *q;

	memset(x, 0, sizeof(*x));
	curl_easy_reset(h->easy);
	if (query != NULL && query[0] != NULL) {
		q = encode_pairs(h->easy, query);
		x->url = hpo_strf("%s%c%s", url, strchr(url, '?') != NULL ? '&' : '?', q);
		free(q);
	} else {
		x->url = xstrdup(url);
	}
	return prepare(h, x, h->easy, content_type, stall_only, err);
}

static int
finish(struct xfer *x, int rc)
{
	/* no pointer into x may stay in the handle */
	xfer_clear(x);
	return rc;
}

int
hpo_http_get(struct hpo_http *h, const char *url, const char *const *query, int flags,
	     json_t **out, struct hpo_err *err)
{
	struct xfer x;

	if (out != NULL)
		*out = NULL;
	if (begin(h, &x, url, query, NULL, 0, err) < 0)
		return finish(&x, -1);
	curl_easy_setopt(h->easy, CURLOPT_HTTPGET, 1L);
	return finish(&x, perform(h, &x, flags, out, err));
}

static int
post_bytes(struct hpo_http *h, const char *url, const char *type, const char *body, size_t len,
	   int flags, json_t **out, struct hpo_err *err)
{
	struct xfer x;

	if (begin(h, &x, url, NULL, type, 0, err) < 0)
		return finish(&x, -1);
	curl_easy_setopt(h->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, body);
	return finish(&x, perform(h, &x, flags, out, err));
}

int
hpo_http_post_json(struct hpo_http *h, const char *url, const json_t *body, int flags,
		   json_t **out, struct hpo_err *err)
{
	char *text;
	int rc;

	if (out != NULL)
		*out = NULL;
	text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	rc = post_bytes(h, url, "Content-Type: application/json", text, strlen(text), flags, out,
			err);
	free(text);
	return rc;
}

int
hpo_http_post_form(struct hpo_http *h, const char *url, const char *const *fields, int flags,
		   json_t **out, struct hpo_err *err)
{
	char *text;
	int rc;

	if (out != NULL)
		*out = NULL;
	text = encode_pairs(h->easy, fields);
	rc = post_bytes(h, url, "Content-Type: application/x-www-form-urlencoded", text,
			strlen(text), flags, out, err);
	free(text);
	return rc;
}

int
hpo_http_post_file(struct hpo_http *h, const char *url, const char *field, const char *path,
		   const char *filename, const char *const *fields, int flags, json_t **out,
		   struct hpo_err *err)
{
	const char *slash = strrchr(path, '/');
	curl_mime *mime = NULL;
	curl_mimepart *part;
	struct xfer x;
	int fd, rc = -1;

	if (out != NULL)
		*out = NULL;
	/* a missing file is ours to report, not curl's read error */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return hpo_err_sys(err, "%s", path);
	close(fd);
	if (begin(h, &x, url, NULL, NULL, 1, err) < 0)
		return finish(&x, -1);
	/* the mime calls fail for want of memory (libcurl's allocator does not
	 * return it) or a NULL argument, and filedata for a file it cannot
	 * read: the send then fails as curl's read error */
	mime = curl_mime_init(h->easy);
	for (size_t i = 0; fields != NULL && fields[i] != NULL && fields[i + 1] != NULL; i += 2) {
		part = curl_mime_addpart(mime);
		curl_mime_name(part, fields[i]);
		curl_mime_data(part, fields[i + 1], CURL_ZERO_TERMINATED);
	}
	part = curl_mime_addpart(mime);
	curl_mime_name(part, field);
	curl_mime_filedata(part, path);
	curl_mime_filename(part, filename != NULL ? filename : slash != NULL ? slash + 1 : path);
	curl_mime_type(part, "application/octet-stream");
	curl_easy_setopt(h->easy, CURLOPT_MIMEPOST, mime);
	rc = perform(h, &x, flags, out, err);
	curl_easy_setopt(h->easy, CURLOPT_MIMEPOST, NULL);
	curl_mime_free(mime);
	return finish(&x, rc);
}

/* ---- many requests ------------------------------------------------------------- */

int
hpo_http_get_many(struct hpo_http *h, struct hpo_http_req *reqs, size_t n, int max_parallel)
{
	struct xfer *xs = NULL;
	CURL **pool = NULL;
	size_t *todo = NULL, *busy = NULL, ntodo = 0, npool, next, running;
	char why[CURL_ERROR_SIZE + 300];
	int failed = 0, round = 0;
	CURLMcode mc;

	if (n == 0)
		return 0;
	if (max_parallel < 1)
		max_parallel = 1;
	npool = (size_t)max_parallel < n ? (size_t)max_parallel : n;
	for (size_t i = 0; i < n; i++) {
		reqs[i].out = NULL;
		reqs[i].rc = -1;
		hpo_err_clear(&reqs[i].err);
	}
	if (h->multi == NULL)
		h->multi = curl_multi_init();
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)max_parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)max_parallel);
	/* many requests as streams of one HTTP/2 connection where it can */
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	xs = xcalloc(n, sizeof(*xs));
	pool = xcalloc(npool, sizeof(*pool));
	busy = xcalloc(npool, sizeof(*busy));
	todo = xcalloc(n, sizeof(*todo));
	for (size_t k = 0; k < npool; k++)
		pool[k] = curl_easy_init();
	for (size_t i = 0; i < n; i++) {
		char *q = NULL;

		todo[ntodo++] = i;
		if (reqs[i].query != NULL && reqs[i].query[0] != NULL)
			q = encode_pairs(pool[0], reqs[i].query);
		xs[i].url = q == NULL ? xstrdup(reqs[i].url)
				      : hpo_strf("%s%c%s", reqs[i].url,
						 strchr(reqs[i].url, '?') != NULL ? '&' : '?', q);
		free(q);
		if (reqs[i].form != NULL)
			xs[i].form = encode_pairs(pool[0], reqs[i].form);
		xs[i].h = h;
		hpo_xfer_header(&xs[i].x, "Accept: application/json");
		if (reqs[i].form != NULL)
			hpo_xfer_header(&xs[i].x, "Content-Type: application/x-www-form-urlencoded");
	}
	while (ntodo > 0) {
		double delay = 0;
		size_t nretry = 0;

		/* one round: every request in todo, npool at a time */
		next = 0;
		running = 0;
		for (size_t k = 0; k < npool; k++)
			busy[k] = SIZE_MAX;
		for (;;) {
			CURLMsg *m;
			int still, left;

			for (size_t k = 0; k < npool && next < ntodo; k++) {
				struct xfer *x;

				if (busy[k] != SIZE_MAX)
					continue;
				x = &xs[todo[next]];
				busy[k] = todo[next++];
				curl_easy_reset(pool[k]);
				if (prepare(h, x, pool[k], NULL, 0, &reqs[x - xs].err) < 0) {
					/* a URL the policy refuses: not sent */
					reqs[x - xs].rc = -1;
					busy[k] = SIZE_MAX;
					continue;
				}
				if (x->form != NULL) {
					curl_easy_setopt(pool[k], CURLOPT_POSTFIELDS, x->form);
					curl_easy_setopt(pool[k], CURLOPT_POSTFIELDSIZE,
							 (long)strlen(x->form));
				} else {
					curl_easy_setopt(pool[k], CURLOPT_HTTPGET, 1L);
				}
				curl_easy_setopt(pool[k], CURLOPT_PRIVATE, (void *)x);
				hpo_xfer_rewind(&x->x);
				if ((mc = curl_multi_add_handle(h->multi, pool[k])) != CURLM_OK)
					goto broken;
				running++;
			}
			if (running == 0)
				break;
			if ((mc = curl_multi_perform(h->multi, &still)) != CURLM_OK)
				goto broken;
			while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
				struct xfer *x = NULL;

				if (m->msg != CURLMSG_DONE)
					continue;
				curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
				hpo_xfer_done(&x->x, m->data.result);
				curl_multi_remove_handle(h->multi, m->easy_handle);
				running--;
				for (size_t k = 0; k < npool; k++)
					if (pool[k] == m->easy_handle)
						busy[k] = SIZE_MAX;
				{
					size_t i = (size_t)(x - xs);
					int rc;

					x->out = &reqs[i].out;
					rc = judge(x, &x->x, why, sizeof(why), &reqs[i].err);
					if (rc == 1 && x->x.tries > h->conn.retries) {
						char host[512];

						url_parts(x->url, host, sizeof(host), NULL, 0);
						rc = hpo_conn_gave_up(&h->conn, &x->x, host, why,
								      &reqs[i].err);
					}
					if (rc == 1) {
						double d = hpo_retry_delay(
							h->conn.backoff, round, x->x.retry_after,
							hpo_conn_uniform(&h->conn));

						if (d > delay)
							delay = d;
						todo[nretry++] = i;
					} else {
						reqs[i].rc = rc;
					}
				}
			}
			/* a request waiting while a connection is free goes now,
			 * not after the next answer on another one */
			if (running < npool && next < ntodo)
				continue;
			if (running > 0 &&
			    (mc = curl_multi_poll(h->multi, NULL, 0, 1000, NULL)) != CURLM_OK)
				goto broken;
		}
		/* todo[0..nretry) were rewritten only at indices already started */
		ntodo = nretry;
		round++;
		if (ntodo > 0)
			hpo_sleep(delay);
	}
	goto done;
broken:
	/* the multi interface failed (a misuse or libcurl's internal error):
	 * every request not yet answered fails with its reason */
	for (size_t i = 0; i < n; i++) {
		if (xs[i].x.easy != NULL)
			curl_multi_remove_handle(h->multi, xs[i].x.easy);
		if (reqs[i].rc != 0) {
			json_decref(reqs[i].out);
			reqs[i].out = NULL;
			reqs[i].rc = hpo_curl_multi_fail(mc, &reqs[i].err);
		}
	}
done:
	for (size_t i = 0; i < n; i++) {
		if (reqs[i].rc < 0)
			failed = 1;
		xfer_clear(&xs[i]);
	}
	for (size_t k = 0; k < npool; k++)
		curl_easy_cleanup(pool[k]);
	free(xs);
	free(pool);
	free(busy);
	free(todo);
	return failed ? -1 : 0;
}
