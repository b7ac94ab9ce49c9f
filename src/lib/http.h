/* http.h - JSON over HTTP(S) with libcurl: PanDA's API, retries, credentials
 *
 * One struct hpo_http keeps its connections (and TLS sessions) open between
 * requests.  Every answer body is parsed as JSON whatever its Content-Type.
 *
 * Handles, TLS policy, credentials and the retry loop are http_conn.h's:
 * with an X.509 proxy the proxy file is the client certificate and key and
 * ca_dir the CA path; with a token "Authorization: Bearer <token>" and
 * "Origin: <vo>" go with every request; https:// only, but plain http:// to
 * a loopback host; the peer's certificate always verified, its host name
 * unless verify_host is 0 (PANDA_VERIFY_HOST=off).
 *
 * Retries: connection failures, timeouts, send and receive errors, empty
 * answers, answers cut short, HTTP 5xx and 429 are tried again up to
 * retries times (delays: hpo_retry_delay).  With HPO_HTTP_NO_RETRY only
 * a 429 (the server did not handle the request) is tried again, and on a
 * connection of its own (HPO_CONN_ONCE).
 *
 * Errors:
 *   HPO_E_NET     transient failures, after the last try:
 *                 "<host>: <reason> (tried N times)"
 *   HPO_E_SERVER  HTTP 4xx (with the server's message), a 2xx answer that
 *                 is not JSON, a redirect
 *   HPO_E_AUTH    our credential or the server's certificate refused
 *   HPO_E_INPUT   a bad URL;  HPO_E_SYS  memory, a file to upload
 *
 * Not thread-safe: one struct hpo_http per thread.
 */
#ifndef HPO_HTTP_H
#define HPO_HTTP_H

#include <stddef.h>

#include <jansson.h>

#include "auth.h"
#include "err.h"

struct hpo_http_opts {
	const struct hpo_auth *auth;	/* NULL: no credentials (plain requests) */
	long connect_timeout_ms;	/* <= 0: 20 s */
	long timeout_ms;		/* a whole request; <= 0: 60 s */
	int retries;			/* tries after the first; < 0: none */
	double backoff;			/* the first delay, seconds */
	int verify_host;		/* 0 only when asked: the caller warns */
	const char *user_agent;		/* NULL: "hpo-tools/<version>" */
};

/* Options from the environment and defaults (hpo_config_http_*,
 * PANDA_VERIFY_HOST), auth NULL. */
int hpo_http_opts_from_env(struct hpo_http_opts *opts, struct hpo_err *err);

struct hpo_http;

/* Initialises libcurl the first time it is called (curl_global_init is not
 * thread-safe: call it first from one thread, before starting others).
 * The options and auth are copied. */
int hpo_http_new(const struct hpo_http_opts *opts, struct hpo_http **out, struct hpo_err *err);
void hpo_http_free(struct hpo_http *h);

enum {
	HPO_HTTP_NO_RETRY = 1 << 0,	/* one try only, but after a 429: the caller handles retries */
};

/* name, value, name, value, ..., NULL: URL-encoded.  *out (when out is not
 * NULL) is the answer, or NULL after an error. */
int hpo_http_get(struct hpo_http *h, const char *url, const char *const *query, int flags,
		 json_t **out, struct hpo_err *err);
/* Content-Type: application/json */
int hpo_http_post_json(struct hpo_http *h, const char *url, const json_t *body, int flags,
		       json_t **out, struct hpo_err *err);
/* application/x-www-form-urlencoded; fields as for query */
int hpo_http_post_form(struct hpo_http *h, const char *url, const char *const *fields,
		       int flags, json_t **out, struct hpo_err *err);
/* multipart/form-data: the file at path as field (named filename, NULL: its
 * base name), streamed from the file, plus the fields (may be NULL).  The
 * timeout applies to stalls (no byte sent or received for that long), not
 * to the whole upload. */
int hpo_http_post_file(struct hpo_http *h, const char *url, const char *field, const char *path,
		       const char *filename, const char *const *fields, int flags, json_t **out,
		       struct hpo_err *err);

/* Many requests at once, at most max_parallel at a time (and as many
 * connections to a host), each with the retry rules above: failed ones are
 * tried again in further rounds.  A request is a GET, or with form a POST
 * of that form (as hpo_http_post_form), so only requests that may be sent
 * twice belong here.  Each request gets its answer in out (or NULL) and
 * rc, err like hpo_http_get's.  Returns 0 when all succeeded, else -1. */
struct hpo_http_req {
	const char *url;
	const char *const *query;
	const char *const *form;	/* NULL: a GET */
	json_t *out;
	struct hpo_err err;
	int rc;
};
int hpo_http_get_many(struct hpo_http *h, struct hpo_http_req *reqs, size_t n, int max_parallel);

#endif
