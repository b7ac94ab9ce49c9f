/* http_conn.h - the one libcurl layer: handles, TLS policy, credentials,
 * answer bodies, header hooks and the retry loop
 *
 * http.c (PanDA's JSON API) and ckpt_davs.c (WebDAV storage) both talk
 * HTTPS through this module; they keep what is theirs (JSON and parallel
 * requests; WebDAV verbs and streaming) and word their own messages about
 * HTTP statuses.  A struct hpo_conn holds what every transfer of one client
 * shares (connections, TLS sessions and DNS through a curl share handle;
 * credentials; timeouts; retry settings); a struct hpo_xfer is one request:
 * its easy handle, headers, the answer body and what a try ended with.
 *
 * TLS policy, the same for both callers:
 *   - The peer's certificate is always verified (CA directory ca_dir, else
 *     the system's store).  Its host name too, unless verify_host is 0:
 *     only PanDA's PANDA_VERIFY_HOST=off asks for that (panda-client has the
 *     same switch, for servers reached under a name their certificate does
 *     not carry), and the caller warns; it covers the reads of PanDA's
 *     cache for panda:// checkpoints too.  Storage (davs://) has no such
 *     switch: ckpt_davs.c sets verify_host for it.
 *   - https:// always; plain http:// only to a loopback host (localhost,
 *     127.x, [::1]).  Every URL a user gives is checked https:// before it
 *     gets here (panda.c's check_url, ckpt_davs.c builds https:// URLs);
 *     the loopback exception exists for the scripted plain-HTTP servers of
 *     tests/unit/test_http.c.  Before this module http.c took plain http to
 *     any host (a token only went to https or loopback) and ckpt_davs.c
 *     https only; the rule here is the stricter union: nothing, credentials
 *     included, goes in clear text off the machine.
 *   - No redirect is followed (a redirect would carry credentials elsewhere).
 *   - Credentials: an X.509 proxy is the client certificate and key; a
 *     token goes as "Authorization: Bearer <token>" (and "Origin: <vo>" when
 *     a VO is given: PanDA's OIDC) with every request.  Header lines holding
 *     secrets are wiped before they are freed.
 *
 * Retries: a try that failed for a transient reason (connection failures,
 * timeouts, send and receive errors, empty or cut answers, and whatever the
 * caller's judge calls transient: HTTP 5xx and 429) is tried again up to
 * retries times, after a random delay in [0, min(30 s, backoff * 2^n)]
 * before retry n+1, or after Retry-After (capped at 60 s) when a 429 or 503
 * answer carries one.  With HPO_CONN_ONCE only a 429 (the server did not
 * handle the request) is tried again, and on a connection of its own:
 * libcurl would otherwise send the request again by itself when a reused
 * connection turns out closed.  After the last try: HPO_E_NET
 * "<what>: <down><reason> (tried N times)".
 *
 * Not thread-safe: one struct hpo_conn per thread.
 */
#ifndef HPO_HTTP_CONN_H
#define HPO_HTTP_CONN_H

#include <stddef.h>

#include <curl/curl.h>

#include "auth.h"
#include "buf.h"
#include "err.h"
#include "rng.h"

struct hpo_conn_opts {
	long connect_timeout_ms;	/* <= 0: 20 s */
	long timeout_ms;		/* a whole request; <= 0: 60 s */
	int retries;			/* tries after the first; < 0: none */
	double backoff;			/* the first delay, seconds */
	int verify_host;		/* 0 only when asked: the caller warns */
	int decode;			/* ask for and decode compressed answers */
	const char *user_agent;		/* NULL: "hpo-tools/<version>" */
	const char *peer;		/* "server", "storage": for messages */
	const char *down;		/* before a transient reason: "", "storage unreachable: " */
};

struct hpo_conn {
	CURLSH *share;		/* connections, TLS sessions and DNS */
	char *proxy;		/* X.509: certificate and key */
	char *ca_dir;		/* NULL: the system's store */
	char *auth_header;	/* token: "Authorization: Bearer ..." (secret) */
	char *origin_header;	/* token with a VO: "Origin: <vo>" */
	char *user_agent;
	long connect_timeout_ms, timeout_ms;
	int retries, verify_host, decode;
	double backoff;
	const char *peer, *down;
	struct hpo_rng rng;
};

/* Initialises libcurl the first time it is called (curl_global_init is not
 * thread-safe: call it first from one thread, before starting others). */
int hpo_conn_init(struct hpo_conn *c, const struct hpo_conn_opts *o, struct hpo_err *err);
void hpo_conn_cleanup(struct hpo_conn *c);
/* The credential: a's proxy or token (with its VO) and CA directory
 * (copied); NULL: none. */
void hpo_conn_set_auth(struct hpo_conn *c, const struct hpo_auth *a);
/* A bearer token without VO, and the CA directory (NULL: the system's). */
void hpo_conn_set_token(struct hpo_conn *c, const char *token, const char *ca_dir);

/* One request. */
struct hpo_xfer {
	CURL *easy;			/* the caller's */
	struct curl_slist *headers;	/* the request's, freed (wiped) by hpo_xfer_clear */
	struct hpo_buf body;		/* the answer; body.max: the most kept */
	int keep_start;			/* past body.max: keep the start (else too_big) */
	int too_big;			/* the answer was cut off at body.max */
	char errbuf[CURL_ERROR_SIZE];
	CURLcode cc;
	long status;			/* HTTP status, 0 before an answer */
	double retry_after;		/* s, or -1 */
	int tries;
	int has_creds;			/* the credential headers are in headers */
	/* each header line of the answer, when set */
	void (*on_header)(void *arg, const char *line, size_t len);
	void *header_arg;
};

/* Add a request header line. */
void hpo_xfer_header(struct hpo_xfer *x, const char *line);
/* Set x->easy up for url with the policy above: credentials, timeouts
 * (stall_only: the timeout is for no byte moving, not the whole
 * transfer), the body into x->body, header lines to x->on_header.  The
 * caller sets the method and its body afterwards. */
int hpo_conn_setup(struct hpo_conn *c, struct hpo_xfer *x, const char *url, int stall_only,
		   struct hpo_err *err);
/* The write callback that fills x->body (for a caller's own callback to
 * hand error answers to). */
size_t hpo_xfer_write(char *p, size_t size, size_t n, void *x);
/* Before a try; after it (records cc, the status and Retry-After). */
void hpo_xfer_rewind(struct hpo_xfer *x);
void hpo_xfer_done(struct hpo_xfer *x, CURLcode cc);
/* Frees the headers and the body and takes every pointer into x out of
 * x->easy (which stays the caller's). */
void hpo_xfer_clear(struct hpo_xfer *x);

/* A failed try (x->cc not CURLE_OK) about what (a host or a URL): 1 when
 * worth another try (the reason in why), else -1 with err: refused
 * credentials and certificates HPO_E_AUTH, a bad URL HPO_E_INPUT, an answer
 * past body.max HPO_E_SERVER, others HPO_E_NET. */
int hpo_conn_fail(const struct hpo_conn *c, const struct hpo_xfer *x, const char *what,
		  char *why, size_t wsize, struct hpo_err *err);

enum {
	HPO_CONN_ONCE = 1 << 0,	/* at most once, but after a 429 (see above) */
};

/* Judges a finished try: 0 done, 1 transient (why filled), -1 err. */
typedef int (*hpo_conn_judge)(void *arg, struct hpo_xfer *x, char *why, size_t wsize,
			      struct hpo_err *err);
/* Run x (set up on x->easy) with the retry rules: the judge's 0 or -1. */
int hpo_conn_perform(struct hpo_conn *c, struct hpo_xfer *x, int flags, const char *what,
		     hpo_conn_judge judge, void *arg, struct hpo_err *err);
/* The error after the last try of a transient failure (see above). */
int hpo_conn_gave_up(const struct hpo_conn *c, const struct hpo_xfer *x, const char *what,
		     const char *why, struct hpo_err *err);
/* A random draw for hpo_retry_delay (retry.h). */
double hpo_conn_uniform(struct hpo_conn *c);

#endif
