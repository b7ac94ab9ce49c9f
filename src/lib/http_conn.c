/* http_conn.c - the one libcurl layer (http_conn.h) */
#include "autoconf.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "clock.h"
#include "curlerr.h"
#include "file.h"
#include "http_conn.h"
#include "xmalloc.h"
#include "log.h"
#include "retry.h"


/* ---- the connection ------------------------------------------------------------ */

static void *
curl_xrealloc(void *p, size_t size)
{
	return xreallocarray(p, 1, size);
}

/* curl_global_init once per process.  It is not thread-safe (it may
 * initialise OpenSSL and other libraries), so the first hpo_conn_init must
 * run before the process starts threads; later calls only read the flag.
 * libcurl allocates through xmalloc.h's functions, as jansson does: a
 * handle, a header list, a MIME part or an escaped string is never NULL
 * for lack of memory, and callers do not check for it. */
static int
global_init(struct hpo_err *err)
{
	static int done;

	if (done)
		return 0;
	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, xmalloc, free, curl_xrealloc, xstrdup,
				 xcalloc) != CURLE_OK)
		return hpo_err_set(err, HPO_E_SYS, "cannot initialise libcurl");
	done = 1;
	return 0;
}

int
hpo_conn_init(struct hpo_conn *c, const struct hpo_conn_opts *o, struct hpo_err *err)
{
	struct timespec ts;

	memset(c, 0, sizeof(*c));
	if (global_init(err) < 0)
		return -1;
	c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 20000;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 60000;
	c->retries = o->retries > 0 ? o->retries : 0;
	c->backoff = o->backoff > 0 ? o->backoff : 0;
	c->verify_host = o->verify_host != 0;
	c->decode = o->decode != 0;
	c->peer = o->peer != NULL ? o->peer : "server";
	c->down = o->down != NULL ? o->down : "";
	c->user_agent = xstrdup(o->user_agent != NULL ? o->user_agent
						      : PACKAGE_NAME "/" PACKAGE_VERSION);
	c->share = curl_share_init();
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_share_setopt(c->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	clock_gettime(CLOCK_REALTIME, &ts);
	hpo_rng_seed(&c->rng, (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
		     ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)c);
	return 0;
}

void
hpo_conn_cleanup(struct hpo_conn *c)
{
	if (c->share != NULL)
		curl_share_cleanup(c->share);
	free(c->proxy);
	free(c->ca_dir);
	free(c->user_agent);
	hpo_auth_secret_free(c->auth_header);
	free(c->origin_header);
	memset(c, 0, sizeof(*c));
}

void
hpo_conn_set_auth(struct hpo_conn *c, const struct hpo_auth *a)
{
	if (a == NULL)
		return;
	if (a->kind == HPO_AUTH_X509 && a->proxy != NULL) {
		c->proxy = xstrdup(a->proxy);
	} else if (a->kind == HPO_AUTH_TOKEN && a->token != NULL) {
		c->auth_header = hpo_strf("Authorization: Bearer %s", a->token);
		if (a->vo != NULL)
			c->origin_header = hpo_strf("Origin: %s", a->vo);
	}
	if (a->ca_dir != NULL)
		c->ca_dir = xstrdup(a->ca_dir);
}

void
hpo_conn_set_token(struct hpo_conn *c, const char *token, const char *ca_dir)
{
	c->auth_header = hpo_strf("Authorization: Bearer %s", token);
	if (ca_dir != NULL)
		c->ca_dir = xstrdup(ca_dir);
}

/* ---- the policy ------------------------------------------------------------------ */

/* https, or http to a loopback host.  1 yes, 0 no, -1 not a URL. */
static int
url_allowed(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = -1;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = strcmp(scheme, "https") == 0 ||
		     (strcmp(scheme, "http") == 0 &&
		      (strcmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 ||
		       strcmp(host, "[::1]") == 0));
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* ---- one transfer ------------------------------------------------------------------ */

void
hpo_xfer_header(struct hpo_xfer *x, const char *line)
{
	/* NULL only for want of memory, which libcurl's allocator does not return */
	x->headers = curl_slist_append(x->headers, line);
}

size_t
hpo_xfer_write(char *p, size_t size, size_t n, void *arg)
{
	struct hpo_xfer *x = arg;
	size_t add = size * n;
	long status = 0;

	if (hpo_buf_add(&x->body, p, add) == 0)
		return add;
	/* past the limit: an error answer, or a caller that wants the start */
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	if (x->keep_start || status >= 300) {
		hpo_buf_add(&x->body, p, x->body.max - x->body.len);
		return add;
	}
	x->too_big = 1;
	return 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct hpo_xfer *x = arg;

	if (x->on_header != NULL)
		x->on_header(x->header_arg, p, size * n);
	return size * n;
}

int
hpo_conn_setup(struct hpo_conn *c, struct hpo_xfer *x, const char *url, int stall_only,
	       struct hpo_err *err)
{
	CURL *e = x->easy;

	switch (url_allowed(url)) {
	case -1:
		return hpo_err_set(err, HPO_E_INPUT, "%s: bad URL", url);
	case 0:
		return hpo_err_set(err, HPO_E_INPUT, "%s: not an https:// URL", url);
	}
	if (c->auth_header != NULL && !x->has_creds) {
		hpo_xfer_header(x, c->auth_header);
		if (c->origin_header != NULL)
			hpo_xfer_header(x, c->origin_header);
		x->has_creds = 1;
	}
	curl_easy_setopt(e, CURLOPT_SHARE, c->share);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	/* HTTP/2 where the server offers it (ALPN), HTTP/1.1 with keep-alive
	 * elsewhere: libcurl's default since 7.62, said here */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	if (c->decode)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	if (stall_only) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (c->timeout_ms + 999) / 1000);
	} else {
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	}
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, c->verify_host ? 2L : 0L);
	if (c->ca_dir != NULL) {
		/* the CA directory alone, as the manuals say and as panda-client
		 * has it (its --cacert names the proxy, not the system bundle):
		 * libcurl's default bundle would also be read whole, about 150
		 * certificates, at every connection's start (libcurl keeps a
		 * bundle between connections only when no CA directory is set) */
		curl_easy_setopt(e, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(e, CURLOPT_CAPATH, c->ca_dir);
	}
	if (c->proxy != NULL) {
		curl_easy_setopt(e, CURLOPT_SSLCERT, c->proxy);
		curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
		curl_easy_setopt(e, CURLOPT_SSLKEY, c->proxy);
		curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, hpo_xfer_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	return 0;
}

void
hpo_xfer_rewind(struct hpo_xfer *x)
{
	hpo_buf_reset(&x->body);
	x->too_big = 0;
	x->errbuf[0] = '\0';
	x->status = 0;
	x->retry_after = -1;
}

void
hpo_xfer_done(struct hpo_xfer *x, CURLcode cc)
{
	curl_off_t ra = 0;

	x->cc = cc;
	x->tries++;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
	if (cc == CURLE_OK && (x->status == 429 || x->status == 503) &&
	    curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		x->retry_after = (double)ra;
}

void
hpo_xfer_clear(struct hpo_xfer *x)
{
	if (x->easy != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, NULL);
		curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, NULL);
		curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, NULL);
		curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, NULL);
	}
	for (struct curl_slist *l = x->headers; l != NULL; l = l->next)
		OPENSSL_cleanse(l->data, strlen(l->data));
	curl_slist_free_all(x->headers);
	x->headers = NULL;
	x->has_creds = 0;
	hpo_buf_free(&x->body);
}

/* ---- judging and retrying --------------------------------------------------------- */

int
hpo_conn_fail(const struct hpo_conn *c, const struct hpo_xfer *x, const char *what,
	      char *why, size_t wsize, struct hpo_err *err)
{
	char reason[CURL_ERROR_SIZE + 64];
	const char *alert;

	hpo_curl_reason(x->cc, x->errbuf, reason, sizeof(reason));
	/* a TLS alert from the server: it refused our credential */
	if ((alert = hpo_curl_cert_alert(x->cc, reason)) != NULL) {
		if (c->proxy != NULL)
			return hpo_err_set(err, HPO_E_AUTH, "%s: the %s refused our credential, the "
					   "grid proxy %s (TLS alert: %s)", what, c->peer, c->proxy,
					   alert);
		if (c->auth_header != NULL)
			return hpo_err_set(err, HPO_E_AUTH, "%s: the %s refused our credential, a "
					   "bearer token (TLS alert: %s)", what, c->peer, alert);
		return hpo_err_set(err, HPO_E_AUTH, "%s: the %s refused the connection for want of "
				   "a client certificate (TLS alert: %s): this needs a grid proxy",
				   what, c->peer, alert);
	}
	switch (hpo_curl_fail_kind(x->cc)) {
	case HPO_CURL_OUR_CERT:
		return hpo_err_set(err, HPO_E_AUTH, "%s: our credential, the grid proxy %s, cannot "
				   "be used: %s", what, c->proxy != NULL ? c->proxy : "?", reason);
	case HPO_CURL_PEER_CERT:
		return hpo_err_set(err, HPO_E_AUTH, "%s: the %s's certificate was refused (CA "
				   "directory %s): %s", what, c->peer,
				   c->ca_dir != NULL ? c->ca_dir : "none, the system's CAs", reason);
	case HPO_CURL_CA_FILES:
		return hpo_err_set(err, HPO_E_AUTH, "%s: cannot use the CA certificates in %s: %s",
				   what, c->ca_dir != NULL ? c->ca_dir : "the system's store", reason);
	case HPO_CURL_BAD_URL:
		return hpo_err_set(err, HPO_E_INPUT, "%s: bad URL: %s", what, reason);
	case HPO_CURL_NO_MEMORY:
		hpo_oom();
	case HPO_CURL_WRITE:
		if (x->too_big)
			return hpo_err_set(err, HPO_E_SERVER, "bad answer from %s: larger than %zu MB",
					   what, x->body.max >> 20);
		return hpo_err_set(err, HPO_E_SYS, "%s: keeping the answer: %s", what, reason);
	case HPO_CURL_READ:
		return hpo_err_set(err, HPO_E_SYS, "%s: reading what to send: %s", what, reason);
	case HPO_CURL_TRANSIENT:
		snprintf(why, wsize, "%s", reason);
		return 1;
	case HPO_CURL_OTHER:
		break;
	}
	return hpo_err_set(err, HPO_E_NET, "%s: %s%s", what, c->down, reason);
}

double
hpo_conn_uniform(struct hpo_conn *c)
{
	return hpo_rng_uniform(&c->rng);
}

int
hpo_conn_gave_up(const struct hpo_conn *c, const struct hpo_xfer *x, const char *what,
		 const char *why, struct hpo_err *err)
{
	return hpo_err_set(err, HPO_E_NET, "%s: %s%s (tried %d time%s)", what, c->down, why,
			   x->tries, x->tries == 1 ? "" : "s");
}

int
hpo_conn_perform(struct hpo_conn *c, struct hpo_xfer *x, int flags, const char *what,
		 hpo_conn_judge judge, void *arg, struct hpo_err *err)
{
	char why[CURL_ERROR_SIZE + 300];
	int rc;

	/* libcurl silently sends a request again when a reused connection
	 * turns out closed; a request that must go at most once (a task
	 * submission) takes a connection of its own */
	if (flags & HPO_CONN_ONCE)
		curl_easy_setopt(x->easy, CURLOPT_FRESH_CONNECT, 1L);
	for (;;) {
		hpo_xfer_rewind(x);
		hpo_xfer_done(x, curl_easy_perform(x->easy));
		rc = judge(arg, x, why, sizeof(why), err);
		if (rc <= 0)
			return rc;
		/* a 429 says the request was not handled: safe to send again
		 * even when it must go at most once */
		if (((flags & HPO_CONN_ONCE) && x->status != 429) || x->tries > c->retries)
			return hpo_conn_gave_up(c, x, what, why, err);
		hpo_debug("%s: %s (trying again)", what, why);
		hpo_sleep(hpo_retry_delay(c->backoff, x->tries - 1, x->retry_after,
					       hpo_conn_uniform(c)));
	}
}
