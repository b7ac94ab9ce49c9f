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
#include "rng.h"

#define MAX_ANSWER (64L * 1024 * 1024)
#define MAX_DELAY 30.0		/* the longest backoff delay, s */
#define MAX_RETRY_AFTER 60.0	/* the longest wait a server may ask for, s */

struct hpo_http {
	CURL *easy;		/* single requests */
	CURLM *multi;		/* hpo_http_get_many, made when first needed */
	CURLSH *share;		/* connections, TLS sessions and DNS for both */
	char *proxy, *ca_dir, *user_agent;
	char *auth_header, *origin_header;	/* token auth; secret */
	long connect_timeout_ms, timeout_ms;
	int retries, verify_host;
	double backoff;
	struct hpo_rng rng;
};

/* One transfer's answer. */
struct xfer {
	CURL *easy;
	char *url;		/* with the query */
	struct curl_slist *headers;
	char *data;		/* the answer body */
	size_t len, cap;
	int too_big;
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc;
	long status;
	double retry_after;	/* s, or -1 */
	int tries;
	char *form;		/* get_many: a form to POST, or NULL for a GET */
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

/* curl_global_init once per process.  It is not thread-safe (it may
 * initialise OpenSSL and other libraries), so the first hpo_http_new must
 * run before the process starts threads; later calls only read the flag. */
static int
global_init(struct hpo_err *err)
{
	static int done;

	if (done)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return hpo_err_set(err, HPO_E_SYS, "cannot initialise libcurl");
	done = 1;
	return 0;
}

static void
secret_free(char *s)
{
	if (s != NULL) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
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
	if (h->share != NULL)
		curl_share_cleanup(h->share);
	free(h->proxy);
	free(h->ca_dir);
	free(h->user_agent);
	secret_free(h->auth_header);
	free(h->origin_header);
	free(h);
}

int
hpo_http_new(const struct hpo_http_opts *o, struct hpo_http **out, struct hpo_err *err)
{
	const struct hpo_auth *a = o->auth;
	struct hpo_http *h;
	struct timespec ts;

	*out = NULL;
	if (global_init(err) < 0)
		return -1;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	h->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 20000;
	h->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 60000;
	h->retries = o->retries > 0 ? o->retries : 0;
	h->backoff = o->backoff > 0 ? o->backoff : 0;
	h->verify_host = o->verify_host != 0;
	h->user_agent = o->user_agent != NULL ? strdup(o->user_agent)
					      : strdup(PACKAGE_NAME "/" PACKAGE_VERSION);
	h->easy = curl_easy_init();
	h->share = curl_share_init();
	if (h->user_agent == NULL || h->easy == NULL || h->share == NULL)
		goto nomem;
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(h->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	if (a != NULL && a->kind == HPO_AUTH_X509) {
		if (a->proxy == NULL || (h->proxy = strdup(a->proxy)) == NULL)
			goto nomem;
	} else if (a != NULL && a->kind == HPO_AUTH_TOKEN) {
		if (a->token == NULL || a->vo == NULL)
			goto nomem;
		h->auth_header = hpo_strf("Authorization: Bearer %s", a->token);
		h->origin_header = hpo_strf("Origin: %s", a->vo);
		if (h->auth_header == NULL || h->origin_header == NULL)
			goto nomem;
	}
	if (a != NULL && a->ca_dir != NULL && (h->ca_dir = strdup(a->ca_dir)) == NULL)
		goto nomem;
	clock_gettime(CLOCK_REALTIME, &ts);
	hpo_rng_seed(&h->rng, (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
		     ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)h);
	*out = h;
	return 0;
nomem:
	hpo_http_free(h);
	return hpo_err_set(err, HPO_E_SYS, "out of memory");
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

/* May a token go to this URL: https, or a loopback host? */
static int
token_ok(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = strcmp(scheme, "https") == 0 || strcmp(host, "localhost") == 0 ||
		     strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* name=value&name=value, URL-encoded; "" for none.  NULL: out of memory. */
static char *
encode_pairs(CURL *c, const char *const *kv)
{
	size_t len = 0, cap = 64;
	char *s = malloc(cap);

	if (s == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2) {
		char *k = curl_easy_escape(c, kv[i], 0);
		char *v = curl_easy_escape(c, kv[i + 1] != NULL ? kv[i + 1] : "", 0);
		size_t need;

		if (k == NULL || v == NULL) {
			curl_free(k);
			curl_free(v);
			free(s);
			return NULL;
		}
		need = len + strlen(k) + strlen(v) + 3;
		if (need > cap) {
			char *bigger;

			while (cap < need)
				cap *= 2;
			if ((bigger = realloc(s, cap)) == NULL) {
				curl_free(k);
				curl_free(v);
				free(s);
				return NULL;
			}
			s = bigger;
		}
		len += (size_t)sprintf(s + len, "%s%s=%s", len > 0 ? "&" : "", k, v);
		curl_free(k);
		curl_free(v);
		if (kv[i + 1] == NULL)
			break;
	}
	return s;
}

/* ---- one transfer ------------------------------------------------------------ */

static size_t
on_data(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t add = size * n;

	if (x->len + add + 1 > x->cap) {
		size_t cap = x->cap > 0 ? x->cap : 4096;
		char *bigger;

		while (cap < x->len + add + 1)
			cap *= 2;
		if (cap > (size_t)MAX_ANSWER + 1) {
			x->too_big = 1;
			return 0;
		}
		if ((bigger = realloc(x->data, cap)) == NULL)
			return 0;
		x->data = bigger;
		x->cap = cap;
	}
	memcpy(x->data + x->len, p, add);
	x->len += add;
	x->data[x->len] = '\0';
	return add;
}

static void
xfer_clear(struct xfer *x)
{
	free(x->url);
	x->url = NULL;
	free(x->form);
	x->form = NULL;
	if (x->headers != NULL) {
		for (struct curl_slist *l = x->headers; l != NULL; l = l->next)
			OPENSSL_cleanse(l->data, strlen(l->data));
		curl_slist_free_all(x->headers);
		x->headers = NULL;
	}
	free(x->data);
	x->data = NULL;
	x->len = x->cap = 0;
}

static int
append(struct curl_slist **l, const char *header)
{
	struct curl_slist *n = curl_slist_append(*l, header);

	if (n == NULL)
		return -1;
	*l = n;
	return 0;
}

/* Headers for a request to x->url; content_type may be NULL. */
static int
make_headers(struct hpo_http *h, struct xfer *x, const char *content_type, struct hpo_err *err)
{
	x->headers = NULL;
	if (append(&x->headers, "Accept: application/json") < 0 ||
	    (content_type != NULL && append(&x->headers, content_type) < 0) ||
	    (h->auth_header != NULL && token_ok(x->url) &&
	     (append(&x->headers, h->auth_header) < 0 || append(&x->headers, h->origin_header) < 0)))
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	return 0;
}

/* Options every transfer has; stall_only: the timeout is for stalls. */
static void
setup(struct hpo_http *h, CURL *c, struct xfer *x, int stall_only)
{
	curl_easy_setopt(c, CURLOPT_SHARE, h->share);
	curl_easy_setopt(c, CURLOPT_URL, x->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, h->connect_timeout_ms);
	if (stall_only) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (h->timeout_ms + 999) / 1000);
	} else {
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	}
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->verify_host ? 2L : 0L);
	if (h->ca_dir != NULL)
		curl_easy_setopt(c, CURLOPT_CAPATH, h->ca_dir);
	if (h->proxy != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, h->proxy);
		curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(c, CURLOPT_SSLKEY, h->proxy);
		curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
}

/* Before each try */
static void
xfer_rewind(struct xfer *x)
{
	x->len = 0;
	if (x->data != NULL)
		x->data[0] = '\0';
	x->too_big = 0;
	x->errbuf[0] = '\0';
	x->status = 0;
	x->retry_after = -1;
}

/* After each try */
static void
xfer_done(struct xfer *x, CURLcode cc)
{
	curl_off_t ra = 0;

	x->cc = cc;
	x->tries++;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (cc == CURLE_OK && (x->status == 429 || x->status == 503) &&
	    curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		x->retry_after = (double)ra;
}

/* The server's message: the JSON "message", else the body's first line. */
static void
server_message(const struct xfer *x, char *buf, size_t size)
{
	json_t *doc = x->len > 0 ? json_loadb(x->data, x->len, JSON_DECODE_ANY, NULL) : NULL;
	json_t *m = json_object_get(doc, "message");

	if (json_is_string(m)) {
		snprintf(buf, size, "%s", json_string_value(m));
		for (char *p = buf; *p != '\0'; p++)
			if (iscntrl((unsigned char)*p))
				*p = ' ';
	} else {
		hpo_curl_first_line(x->data, buf, size);
	}
	json_decref(doc);
}

/* Judge a finished try.  0: a JSON answer in *out; 1: transient (the reason
 * in why); -1: a permanent error in err. */
static int
judge(struct hpo_http *h, struct xfer *x, json_t **out, char *why, size_t wsize,
      struct hpo_err *err)
{
	char host[512], path[1024], reason[CURL_ERROR_SIZE + 64], msg[256];
	const char *alert;
	json_t *doc;

	url_parts(x->url, host, sizeof(host), path, sizeof(path));
	if (x->cc != CURLE_OK) {
		hpo_curl_reason(x->cc, x->errbuf, reason, sizeof(reason));
		alert = hpo_curl_cert_alert(x->cc, reason);
		if (alert != NULL) {
			if (h->proxy != NULL)
				return hpo_err_set(err, HPO_E_AUTH, "%s refused our credential, the grid "
						   "proxy %s (TLS alert: %s)", host, h->proxy, alert);
			return hpo_err_set(err, HPO_E_AUTH, "%s refused the connection for want of a "
					   "client certificate (TLS alert: %s): this needs a grid "
					   "proxy", host, alert);
		}
		switch (hpo_curl_fail_kind(x->cc)) {
		case HPO_CURL_OUR_CERT:
			return hpo_err_set(err, HPO_E_AUTH, "%s: our credential, the grid proxy %s, "
					   "cannot be used: %s", host, h->proxy != NULL ? h->proxy : "?",
					   reason);
		case HPO_CURL_PEER_CERT:
			return hpo_err_set(err, HPO_E_AUTH, "%s: the server's certificate was refused "
					   "(CA directory %s): %s", host,
					   h->ca_dir != NULL ? h->ca_dir : "none, the system's CAs",
					   reason);
		case HPO_CURL_CA_FILES:
			return hpo_err_set(err, HPO_E_AUTH, "%s: cannot use the CA certificates in %s: "
					   "%s", host, h->ca_dir != NULL ? h->ca_dir : "the system's store",
					   reason);
		case HPO_CURL_BAD_URL:
			return hpo_err_set(err, HPO_E_INPUT, "%s: bad URL: %s", x->url, reason);
		case HPO_CURL_NO_MEMORY:
			return hpo_err_set(err, HPO_E_SYS, "out of memory");
		case HPO_CURL_WRITE:
			if (x->too_big)
				return hpo_err_set(err, HPO_E_SERVER, "bad answer from %s%s: larger than "
						   "%ld MB", host, path, MAX_ANSWER >> 20);
			return hpo_err_set(err, HPO_E_SYS, "out of memory");
		case HPO_CURL_READ:
			return hpo_err_set(err, HPO_E_SYS, "%s: reading what to send: %s", host,
					   reason);
		case HPO_CURL_TRANSIENT:
			snprintf(why, wsize, "%s", reason);
			return 1;
		case HPO_CURL_OTHER:
			break;
		}
		return hpo_err_set(err, HPO_E_NET, "%s: %s", host, reason);
	}
	if (x->status >= 200 && x->status < 300) {
		doc = json_loadb(x->data != NULL ? x->data : "", x->len, JSON_DECODE_ANY, NULL);
		if (doc == NULL) {
			char excerpt[81];
			size_t i;

			for (i = 0; i < x->len && i < 80; i++)
				excerpt[i] = iscntrl((unsigned char)x->data[i]) ? ' ' : x->data[i];
			excerpt[i] = '\0';
			return hpo_err_set(err, HPO_E_SERVER, "bad answer from %s%s: not JSON (%s)",
					   host, path, x->len > 0 ? excerpt : "empty");
		}
		if (out != NULL)
			*out = doc;
		else
			json_decref(doc);
		return 0;
	}
	server_message(x, msg, sizeof(msg));
	if (x->status == 429 || x->status >= 500) {
		snprintf(why, wsize, "HTTP %ld%s%s", x->status, msg[0] != '\0' ? ": " : "", msg);
		return 1;
	}
	if (x->status >= 300 && x->status < 400) {
		char *loc = NULL;

		curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
		return hpo_err_set(err, HPO_E_SERVER, "%s%s: HTTP %ld: redirected to %s, which is "
				   "not followed", host, path, x->status, loc != NULL ? loc : "?");
	}
	return hpo_err_set(err, HPO_E_SERVER, "%s%s: HTTP %ld%s%s", host, path, x->status,
			   msg[0] != '\0' ? ": " : "", msg);
}

double
hpo_http_retry_delay(double backoff, int n, double retry_after, double u)
{
	double cap;

	if (retry_after >= 0)
		return retry_after < MAX_RETRY_AFTER ? retry_after : MAX_RETRY_AFTER;
	cap = backoff * ldexp(1.0, n < 62 ? n : 62);
	if (!(cap < MAX_DELAY))
		cap = MAX_DELAY;
	return u * cap;
}

static int
gave_up(struct hpo_err *err, const struct xfer *x, const char *why)
{
	char host[512];

	url_parts(x->url, host, sizeof(host), NULL, 0);
	return hpo_err_set(err, HPO_E_NET, "%s: %s (tried %d time%s)", host, why, x->tries,
			   x->tries == 1 ? "" : "s");
}

/* Run a prepared transfer on h->easy with the retry rules. */
static int
perform(struct hpo_http *h, struct xfer *x, int flags, json_t **out, struct hpo_err *err)
{
	char why[CURL_ERROR_SIZE + 300];
	int rc;

	/* libcurl silently sends a request again when a reused connection
	 * turns out closed; a request that must go at most once (a task
	 * submission) takes a connection of its own */
	if (flags & HPO_HTTP_NO_RETRY)
		curl_easy_setopt(x->easy, CURLOPT_FRESH_CONNECT, 1L);
	for (;;) {
		xfer_rewind(x);
		xfer_done(x, curl_easy_perform(x->easy));
		rc = judge(h, x, out, why, sizeof(why), err);
		if (rc <= 0)
			return rc;
		/* a 429 says the request was not handled: safe to send again
		 * even when it must go at most once */
		if (((flags & HPO_HTTP_NO_RETRY) && x->status != 429) || x->tries > h->retries)
			return gave_up(err, x, why);
		hpo_sleep(hpo_http_retry_delay(h->backoff, x->tries - 1, x->retry_after,
					     hpo_rng_uniform(&h->rng)));
	}
}

/* Start a single request: URL with the query, headers, common options. */
static int
begin(struct hpo_http *h, struct xfer *x, const char *url, const char *const *query,
      const char *content_type, int stall_only, struct hpo_err *err)
{
	char *q;

	memset(x, 0, sizeof(*x));
	x->easy = h->easy;
	curl_easy_reset(h->easy);
	if (query != NULL && query[0] != NULL) {
		if ((q = encode_pairs(h->easy, query)) == NULL)
			return hpo_err_set(err, HPO_E_SYS, "out of memory");
		x->url = hpo_strf("%s%c%s", url, strchr(url, '?') != NULL ? '&' : '?', q);
		free(q);
	} else {
		x->url = strdup(url);
	}
	if (x->url == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	if (make_headers(h, x, content_type, err) < 0)
		return -1;
	setup(h, h->easy, x, stall_only);
	return 0;
}

static int
finish(struct hpo_http *h, struct xfer *x, int rc)
{
	/* no pointer into x may stay in the handle */
	curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->easy, CURLOPT_ERRORBUFFER, NULL);
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
		return finish(h, &x, -1);
	curl_easy_setopt(h->easy, CURLOPT_HTTPGET, 1L);
	return finish(h, &x, perform(h, &x, flags, out, err));
}

static int
post_bytes(struct hpo_http *h, const char *url, const char *type, const char *body, size_t len,
	   int flags, json_t **out, struct hpo_err *err)
{
	struct xfer x;

	if (begin(h, &x, url, NULL, type, 0, err) < 0)
		return finish(h, &x, -1);
	curl_easy_setopt(h->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h->easy, CURLOPT_POSTFIELDS, body);
	return finish(h, &x, perform(h, &x, flags, out, err));
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
	if (text == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
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
	if ((text = encode_pairs(h->easy, fields)) == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
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
		return finish(h, &x, -1);
	if ((mime = curl_mime_init(h->easy)) == NULL)
		goto nomem;
	for (size_t i = 0; fields != NULL && fields[i] != NULL && fields[i + 1] != NULL; i += 2) {
		if ((part = curl_mime_addpart(mime)) == NULL ||
		    curl_mime_name(part, fields[i]) != CURLE_OK ||
		    curl_mime_data(part, fields[i + 1], CURL_ZERO_TERMINATED) != CURLE_OK)
			goto nomem;
	}
	if ((part = curl_mime_addpart(mime)) == NULL || curl_mime_name(part, field) != CURLE_OK ||
	    curl_mime_filedata(part, path) != CURLE_OK ||
	    curl_mime_filename(part, filename != NULL ? filename : slash != NULL ? slash + 1 : path)
	    != CURLE_OK ||
	    curl_mime_type(part, "application/octet-stream") != CURLE_OK)
		goto nomem;
	curl_easy_setopt(h->easy, CURLOPT_MIMEPOST, mime);
	rc = perform(h, &x, flags, out, err);
	curl_easy_setopt(h->easy, CURLOPT_MIMEPOST, NULL);
	curl_mime_free(mime);
	return finish(h, &x, rc);
nomem:
	curl_mime_free(mime);
	hpo_err_set(err, HPO_E_SYS, "out of memory");
	return finish(h, &x, -1);
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
	struct hpo_err err;

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
	if (h->multi == NULL && (h->multi = curl_multi_init()) == NULL)
		goto nomem;
	curl_multi_setopt(h->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)max_parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)max_parallel);
	curl_multi_setopt(h->multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)max_parallel);
	xs = calloc(n, sizeof(*xs));
	pool = calloc(npool, sizeof(*pool));
	busy = calloc(npool, sizeof(*busy));
	todo = calloc(n, sizeof(*todo));
	if (xs == NULL || pool == NULL || busy == NULL || todo == NULL)
		goto nomem;
	for (size_t k = 0; k < npool; k++)
		if ((pool[k] = curl_easy_init()) == NULL)
			goto nomem;
	for (size_t i = 0; i < n; i++) {
		char *q = NULL;

		todo[ntodo++] = i;
		if (reqs[i].query != NULL && reqs[i].query[0] != NULL &&
		    (q = encode_pairs(pool[0], reqs[i].query)) == NULL)
			goto nomem;
		xs[i].url = q == NULL ? strdup(reqs[i].url)
				      : hpo_strf("%s%c%s", reqs[i].url,
						 strchr(reqs[i].url, '?') != NULL ? '&' : '?', q);
		free(q);
		if (reqs[i].form != NULL && (xs[i].form = encode_pairs(pool[0], reqs[i].form)) == NULL)
			goto nomem;
		if (xs[i].url == NULL ||
		    make_headers(h, &xs[i], reqs[i].form != NULL
						    ? "Content-Type: application/x-www-form-urlencoded"
						    : NULL, &err) < 0)
			goto nomem;
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
				x->easy = pool[k];
				curl_easy_reset(pool[k]);
				setup(h, pool[k], x, 0);
				if (x->form != NULL) {
					curl_easy_setopt(pool[k], CURLOPT_POSTFIELDS, x->form);
					curl_easy_setopt(pool[k], CURLOPT_POSTFIELDSIZE,
							 (long)strlen(x->form));
				} else {
					curl_easy_setopt(pool[k], CURLOPT_HTTPGET, 1L);
				}
				curl_easy_setopt(pool[k], CURLOPT_PRIVATE, (void *)x);
				xfer_rewind(x);
				if (curl_multi_add_handle(h->multi, pool[k]) != CURLM_OK)
					goto nomem;
				running++;
			}
			if (running == 0)
				break;
			if (curl_multi_perform(h->multi, &still) != CURLM_OK)
				goto nomem;
			while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
				struct xfer *x = NULL;

				if (m->msg != CURLMSG_DONE)
					continue;
				curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
				xfer_done(x, m->data.result);
				curl_multi_remove_handle(h->multi, m->easy_handle);
				running--;
				for (size_t k = 0; k < npool; k++)
					if (pool[k] == m->easy_handle)
						busy[k] = SIZE_MAX;
				{
					size_t i = (size_t)(x - xs);
					int rc = judge(h, x, &reqs[i].out, why, sizeof(why),
						       &reqs[i].err);

					if (rc == 1 && x->tries > h->retries)
						rc = gave_up(&reqs[i].err, x, why);
					if (rc == 1) {
						double d = hpo_http_retry_delay(
							h->backoff, round, x->retry_after,
							hpo_rng_uniform(&h->rng));

						if (d > delay)
							delay = d;
						todo[nretry++] = i;
					} else {
						reqs[i].rc = rc;
					}
				}
			}
			if (running > 0 && curl_multi_poll(h->multi, NULL, 0, 1000, NULL) != CURLM_OK)
				goto nomem;
		}
		/* todo[0..nretry) were rewritten only at indices already started */
		ntodo = nretry;
		round++;
		if (ntodo > 0)
			hpo_sleep(delay);
	}
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
nomem:
	for (size_t i = 0; i < n; i++) {
		if (xs != NULL) {
			if (xs[i].easy != NULL)
				curl_multi_remove_handle(h->multi, xs[i].easy);
			xfer_clear(&xs[i]);
		}
		if (reqs[i].rc != 0) {
			json_decref(reqs[i].out);
			reqs[i].out = NULL;
			reqs[i].rc = hpo_err_set(&reqs[i].err, HPO_E_SYS, "out of memory");
		}
	}
	for (size_t k = 0; pool != NULL && k < npool; k++)
		if (pool[k] != NULL)
			curl_easy_cleanup(pool[k]);
	free(xs);
	free(pool);
	free(busy);
	free(todo);
	return -1;
}
