/* ckpt_davs.c - checkpoints in a WebDAV collection (davs://, https://)
 *
 * davs://host[:port]/path is https://host[:port]/path on the wire; the
 * location is the collection /path/.  Requests, as XRootD 5.5 answers them
 * (tests/lib/xrootd.sh has the observed answers):
 *
 *   list    PROPFIND Depth: 1 (href, getcontentlength, getlastmodified);
 *           a missing collection (404) is an empty list
 *   create  MKCOL of the collection (201, or 405 when it exists), then a
 *           PUT of the temporary, streamed with chunked transfer encoding:
 *           libcurl pulls the body from a read callback that pauses the
 *           transfer when put() has no bytes for it; put() resumes it and
 *           drives the multi handle until its buffer is taken.  Memory is
 *           constant whatever the size.  PUT is not atomic on XRootD (a
 *           killed PUT leaves a partial file), hence the temporary
 *   finish  ends the body, checks the answer (2xx)
 *   stat    HEAD with "Want-Digest: adler32": the size (Content-Length)
 *           and the adler32 from "Digest: adler32=<hex>"; a server that
 *           sends no such Digest gives no adler32 and ckpt compares the
 *           size only
 *   rename  MOVE with Destination: the full https URL, Overwrite: T
 *   open    GET, from an offset with Range: bytes=OFF-(SIZE-1) where the
 *           size comes from a HEAD (never a range past the end: XRootD
 *           promises bytes it never sends); the body goes through a
 *           bounded buffer, the transfer paused while it is full
 *   remove  DELETE (404 is success)
 *
 * Credentials: a WLCG bearer token (hpo_auth_bearer_token) when one is
 * found, else the X.509 proxy as hpo_auth_load finds and checks it
 * (X509_USER_PROXY, /tmp/x509up_u<uid>; ours, mode 600, not expired).  CA
 * directory: X509_CERT_DIR, else /etc/grid-security/certificates.  The
 * peer's certificate and host name are always verified (TLS policy:
 * http_conn.h).  The token never
 * appears in a message; a token whose expiry time has passed (a JWT's exp,
 * a macaroon's before: caveat) is refused before any request, and 401/403
 * with a token name where it was found (a server gives an expired or
 * damaged token the 403 of a missing right).
 *
 * Errors: 401 and 403 and refused credentials are HPO_E_AUTH; connection
 * failures, timeouts and 5xx after the retries of HPO_HTTP_RETRIES (delays
 * of hpo_retry_delay) are HPO_E_NET ("storage unreachable"); other
 * answers HPO_E_SERVER.  A streamed PUT is not retried here: ckpt retries
 * the whole save on HPO_E_NET.
 */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "auth.h"
#include "ckpt.h"
#include "curlerr.h"
#include "davs_parse.h"
#include "file.h"
#include "http.h"
#include "http_conn.h"
#include "log.h"
#include "xmalloc.h"

#define MAX_LISTING (32L * 1024 * 1024)	/* a PROPFIND answer */
#define MAX_ERRBODY 512			/* what is kept of an error answer */
#define RBUF_SIZE (256 * 1024)		/* the download buffer */
#define UPLOAD_CHUNK (64 * 1024)	/* curl's upload buffer: a chunk */
#define STAGE_SIZE (1024 * 1024)	/* put()'s bytes waiting for curl */

struct davs_loc {
	char *base;		/* https://host:port/path/ (with the slash) */
	char *path;		/* /path/ as hrefs have it (decoded) */
	char *where;		/* the URL as given, without a trailing slash */
	char *token_source;	/* where the token was found (NULL: given, or none) */
	struct hpo_conn conn;	/* TLS, credentials, retries (http_conn.h) */
};

/* What one request gives back. */
struct resp {
	struct hpo_xfer x;	/* the transfer: status, body (bounded) */
	int has_adler;
	uint32_t adler;
	curl_off_t clen;	/* HEAD: Content-Length, -1 when none */
};

/* ---- small helpers ----------------------------------------------------------- */

static char *
url_of(struct davs_loc *d, const char *name)
{
	char *esc = curl_easy_escape(NULL, name, 0);
	char *u;

	u = hpo_strf("%s%s", d->base, esc);
	curl_free(esc);
	return u;
}

/* "Digest: adler32=0a1b2c3d[, md5=...]" (hpo_davs_digest_adler32) */
static void
on_header(void *arg, const char *p, size_t len)
{
	struct resp *r = arg;
	uint32_t a;

	if (hpo_davs_digest_adler32(p, len, &a) == 1) {
		r->has_adler = 1;
		r->adler = a;
	}
}

/* A new transfer on a new easy handle: max the largest answer kept. */
static void
resp_init(struct resp *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->x.body.max = max;
	r->x.on_header = on_header;
	r->x.header_arg = r;
	r->clen = -1;
	r->x.easy = curl_easy_init();
}

static void
resp_clear(struct resp *r)
{
	CURL *e = r->x.easy;

	hpo_xfer_clear(&r->x);
	if (e != NULL)
		curl_easy_cleanup(e);
	memset(r, 0, sizeof(*r));
}

/* The first line of an error answer, printable ("" for XRootD's success
 * body). */
static void
server_line(const struct resp *r, char *buf, size_t size)
{
	hpo_curl_first_line(r->x.body.s, buf, size);
	if (strcmp(buf, ":-)") == 0)
		buf[0] = '\0';
}

/* Judge a finished try (hpo_conn_judge; arg: the struct resp, what its
 * URL).  0: an HTTP answer in status (the caller judges it); 1: transient
 * (why filled); -1: a permanent error in err. */
struct judging {
	struct davs_loc *d;
	struct resp *r;
	const char *what;
};

static int
judge_try(void *arg, struct hpo_xfer *x, char *why, size_t wsize, struct hpo_err *err)
{
	struct judging *j = arg;

	if (x->cc == CURLE_OK) {
		if (x->status >= 500 || x->status == 429) {
			char line[256];
			server_line(j->r, line, sizeof(line));
			snprintf(why, wsize, "HTTP %ld%s%s", x->status, line[0] ? ": " : "", line);
			return 1;
		}
		return 0;
	}
	return hpo_conn_fail(&j->d->conn, x, j->what, why, wsize, err);
}

/* An HTTP error answer as an error: 401/403 HPO_E_AUTH (naming the bearer
 * token's source: an expired or damaged token and a missing right get the
 * same answer), else HPO_E_SERVER. */
static int
http_error(const struct davs_loc *d, const struct resp *r, const char *what, struct hpo_err *err)
{
	char line[256];

	server_line(r, line, sizeof(line));
	if (r->x.status == 401 || r->x.status == 403)
		return hpo_err_set(err, HPO_E_AUTH, "%s: permission denied%s%s (HTTP %ld%s%s)", what,
				   d->token_source != NULL ? " to the bearer token from " : "",
				   d->token_source != NULL ? d->token_source : "",
				   r->x.status, line[0] ? ": " : "", line);
	return hpo_err_set(err, HPO_E_SERVER, "%s: HTTP %ld%s%s", what, r->x.status,
			   line[0] ? ": " : "", line);
}

/* A whole request with the retry rules: method on url with extra headers
 * (NULL-terminated, may be NULL) and a body (may be NULL); max: the largest
 * answer kept.  0 with r->status set (any HTTP status below 500), -1. */
static int
request(struct davs_loc *d, const char *method, const char *url, const char *what,
	const char *const *extra, const char *body, size_t max, struct resp *r,
	struct hpo_err *err)
{
	struct judging j = {d, r, what};
	int rc;

	resp_init(r, max);
	for (size_t i = 0; extra != NULL && extra[i] != NULL; i++)
		hpo_xfer_header(&r->x, extra[i]);
	if (hpo_conn_setup(&d->conn, &r->x, url, 0, err) < 0)
		return -1;
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(r->x.easy, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(r->x.easy, CURLOPT_CUSTOMREQUEST, method);
		if (body != NULL) {
			curl_easy_setopt(r->x.easy, CURLOPT_POSTFIELDS, body);
			curl_easy_setopt(r->x.easy, CURLOPT_POSTFIELDSIZE_LARGE,
					 (curl_off_t)strlen(body));
		}
	}
	rc = hpo_conn_perform(&d->conn, &r->x, 0, what, judge_try, &j, err);
	if (rc == 0)
		curl_easy_getinfo(r->x.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &r->clen);
	return rc;
}

/* HEAD: size (and adler32 when asked and given).  404: 1. */
static int
head(struct davs_loc *d, const char *url, int want_adler, uint64_t *size, int *has_adler,
     uint32_t *adler, struct hpo_err *err)
{
	static const char *const digest[] = {"Want-Digest: adler32", NULL};
	struct resp r = {0};
	int rc = -1;

	if (request(d, "HEAD", url, url, want_adler ? digest : NULL, NULL, MAX_ERRBODY, &r, err) < 0)
		goto out;
	if (r.x.status == 404) {
		rc = 1;
		goto out;
	}
	if (r.x.status != 200) {
		http_error(d, &r, url, err);
		goto out;
	}
	if (r.clen < 0) {
		hpo_err_set(err, HPO_E_SERVER, "%s: the storage gives no size (Content-Length)", url);
		goto out;
	}
	*size = (uint64_t)r.clen;
	if (has_adler != NULL) {
		*has_adler = r.has_adler;
		*adler = r.adler;
	}
	rc = 0;
out:
	resp_clear(&r);
	return rc;
}

/* ---- list: PROPFIND ------------------------------------------------------------- */

static int
d_list(struct hpo_ckpt_loc *s, struct hpo_ckpt_entry **out, size_t *n, struct hpo_err *err)
{
	static const char body[] =
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<D:propfind xmlns:D=\"DAV:\"><D:prop><D:resourcetype/><D:getcontentlength/>"
		"<D:getlastmodified/></D:prop></D:propfind>\n";
	static const char *const hdrs[] = {"Depth: 1", "Content-Type: application/xml", NULL};
	struct davs_loc *d = s->priv;
	struct resp r = {0};

	*out = NULL;
	*n = 0;
	if (request(d, "PROPFIND", d->base, s->where, hdrs, body, MAX_LISTING, &r, err) < 0)
		goto fail;
	if (r.x.status == 404) {
		resp_clear(&r);
		return 0;	/* no collection: no checkpoint yet */
	}
	if (r.x.status != 207) {
		http_error(d, &r, s->where, err);
		goto fail;
	}
	hpo_davs_listing(d->path, hpo_buf_str(&r.x.body), r.x.body.len, out, n);
	resp_clear(&r);
	return 0;
fail:
	resp_clear(&r);
	return -1;
}

/* ---- create, put, finish: a streamed PUT ------------------------------------------ */

struct dput {
	struct davs_loc *d;
	char *url;
	CURLM *multi;
	struct resp r;		/* its easy handle, the error answer */
	unsigned char *stage;	/* put()'s bytes not yet taken by curl */
	size_t soff, slen;	/* stage[soff, slen) */
	int eof, done, added, paused;
};

/* curl asks for up to size * n bytes.  Only whole requests are answered
 * until the end, so every chunk on the wire is as large as curl's upload
 * buffer (UPLOAD_CHUNK) but the last: few chunk headers, whatever sizes
 * put() gets. */
static size_t
on_read(char *dst, size_t size, size_t n, void *arg)
{
	struct dput *w = arg;
	size_t want = size * n, avail = w->slen - w->soff;

	if (avail < want && !w->eof) {
		w->paused = 1;
		return CURL_READFUNC_PAUSE;
	}
	if (want > avail)
		want = avail;
	memcpy(dst, w->stage + w->soff, want);
	w->soff += want;
	return want;
}

static void
put_free(struct dput *w)
{
	if (w == NULL)
		return;
	if (w->multi != NULL) {
		if (w->added)
			curl_multi_remove_handle(w->multi, w->r.x.easy);
		curl_multi_cleanup(w->multi);
	}
	resp_clear(&w->r);
	free(w->stage);
	free(w->url);
	free(w);
}

/* The error of a finished PUT. */
static int
put_error(struct dput *w, struct hpo_err *err)
{
	char why[CURL_ERROR_SIZE + 300];
	struct judging j = {w->d, &w->r, w->url};
	int rc = judge_try(&j, &w->r.x, why, sizeof(why), err);

	if (rc == 1)
		return hpo_err_set(err, HPO_E_NET, "%s: upload failed: %s", w->url, why);
	if (rc == 0)
		return http_error(w->d, &w->r, w->url, err);
	return -1;
}

/* Drive the transfer until curl pauses for more bytes than the stage
 * holds (or, at the end, until it is done).  0, or -1 when it ended with
 * an error or an early answer. */
static int
pump(struct dput *w, struct hpo_err *err)
{
	w->paused = 0;
	curl_easy_pause(w->r.x.easy, CURLPAUSE_CONT);
	for (;;) {
		int running, left;
		CURLMcode mc;
		CURLMsg *m;

		if ((mc = curl_multi_perform(w->multi, &running)) != CURLM_OK)
			return hpo_curl_multi_fail(mc, err);
		while ((m = curl_multi_info_read(w->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE) {
				w->done = 1;
				w->r.x.cc = m->data.result;
				curl_easy_getinfo(w->r.x.easy, CURLINFO_RESPONSE_CODE, &w->r.x.status);
			}
		if (w->done) {
			if (w->r.x.cc != CURLE_OK || w->r.x.status < 200 || w->r.x.status >= 300)
				return put_error(w, err);
			if (!w->eof)	/* an answer before the whole body */
				return hpo_err_set(err, HPO_E_SERVER, "%s: the storage answered HTTP %ld "
						   "before the upload ended", w->url, w->r.x.status);
			return 0;
		}
		if (w->paused && !w->eof)
			return 0;
		if ((mc = curl_multi_poll(w->multi, NULL, 0, 1000, NULL)) != CURLM_OK)
			return hpo_curl_multi_fail(mc, err);
	}
}

/* MKCOL of the collection: 201, or 405 when it exists.  Only a refusal
 * (401, 403) is an error here: other answers are left to the PUT, which
 * makes missing parents on XRootD. */
static int
mkcol(struct davs_loc *d, struct hpo_ckpt_loc *s, struct hpo_err *err)
{
	struct resp r = {0};
	int rc = 0;

	if (request(d, "MKCOL", d->base, s->where, NULL, NULL, MAX_ERRBODY, &r, err) < 0)
		rc = -1;
	else if (r.x.status == 401 || r.x.status == 403)
		rc = http_error(d, &r, s->where, err);
	else if (r.x.status != 201 && r.x.status != 405)
		hpo_debug("%s: MKCOL: HTTP %ld", s->where, r.x.status);
	resp_clear(&r);
	return rc;
}

static int
d_create(struct hpo_ckpt_loc *s, const char *name, void **wp, struct hpo_err *err)
{
	struct davs_loc *d = s->priv;
	struct dput *w;
	CURLMcode mc;

	if (mkcol(d, s, err) < 0)
		return -1;
	w = xcalloc(1, sizeof(*w));
	w->d = d;
	resp_init(&w->r, MAX_ERRBODY);
	w->url = url_of(d, name);
	w->stage = xmalloc(STAGE_SIZE);
	w->multi = curl_multi_init();
	/* chunked: no Content-Length.  curl sends "Expect: 100-continue" and
	 * waits for the 100 before the body: keep it, XrdHttp 5.5.3 answers
	 * 400 "Invalid chunked encoding" to a chunked body that comes at once
	 * with the headers (seen with curl -H 'Expect:'), and a refusal
	 * (403) comes before any byte is sent */
	hpo_xfer_header(&w->r.x, "Transfer-Encoding: chunked");
	hpo_xfer_header(&w->r.x, "Content-Type: application/octet-stream");
	if (hpo_conn_setup(&d->conn, &w->r.x, w->url, 1, err) < 0) {
		put_free(w);
		return -1;
	}
	curl_easy_setopt(w->r.x.easy, CURLOPT_UPLOAD, 1L);
	/* a connection of its own: XrdHttp answers the 100 with "Connection:
	 * Close", and a streamed body must not share a link's fate */
	curl_easy_setopt(w->r.x.easy, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(w->r.x.easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(w->r.x.easy, CURLOPT_UPLOAD_BUFFERSIZE, (long)UPLOAD_CHUNK);
	curl_easy_setopt(w->r.x.easy, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(w->r.x.easy, CURLOPT_READDATA, w);
	if ((mc = curl_multi_add_handle(w->multi, w->r.x.easy)) != CURLM_OK) {
		put_free(w);
		return hpo_curl_multi_fail(mc, err);
	}
	w->added = 1;
	*wp = w;
	return 0;
}

static int
d_put(void *wp, const void *buf, size_t len, struct hpo_err *err)
{
	struct dput *w = wp;
	const unsigned char *p = buf;

	while (len > 0) {
		size_t k;

		if (w->soff > 0) {	/* keep what curl has not taken at the front */
			memmove(w->stage, w->stage + w->soff, w->slen - w->soff);
			w->slen -= w->soff;
			w->soff = 0;
		}
		k = STAGE_SIZE - w->slen < len ? STAGE_SIZE - w->slen : len;
		memcpy(w->stage + w->slen, p, k);
		w->slen += k;
		p += k;
		len -= k;
		if (w->slen == STAGE_SIZE && pump(w, err) < 0)
			return -1;
	}
	return 0;
}

static void
d_cancel(void *wp)
{
	put_free(wp);
}

static int
d_finish(void *wp, struct hpo_err *err)
{
	struct dput *w = wp;
	int rc;

	w->eof = 1;
	rc = pump(w, err);
	put_free(w);
	return rc;
}

/* ---- stat, rename, remove ------------------------------------------------------- */

static int
d_stat(struct hpo_ckpt_loc *s, const char *name, uint64_t *size, int *has_adler,
       uint32_t *adler, struct hpo_err *err)
{
	struct davs_loc *d = s->priv;
	char *url = url_of(d, name);
	int rc;

	rc = head(d, url, 1, size, has_adler, adler, err);
	if (rc == 1)
		rc = hpo_err_set(err, HPO_E_NET, "%s: not found after the upload", url);
	if (rc == 0 && !*has_adler)
		hpo_debug("%s: the storage gives no adler32: the size alone is checked", url);
	free(url);
	return rc;
}

static int
d_rename(struct hpo_ckpt_loc *s, const char *from, const char *to, struct hpo_err *err)
{
	struct davs_loc *d = s->priv;
	char *a = url_of(d, from), *b = url_of(d, to), *dest = hpo_strf("Destination: %s", b);
	struct resp r = {0};
	int rc = -1;

	{
		const char *const hdrs[] = {dest, "Overwrite: T", NULL};
		if (request(d, "MOVE", a, a, hdrs, NULL, MAX_ERRBODY, &r, err) < 0)
			goto out;
	}
	if (r.x.status == 201 || r.x.status == 204 || r.x.status == 200) {
		rc = 0;
	} else if (r.x.status == 404) {
		/* a MOVE sent twice (the first answer lost): done if the target is there */
		uint64_t size;
		struct hpo_err e2 = {0};
		if (head(d, b, 0, &size, NULL, NULL, &e2) == 0)
			rc = 0;
		else
			http_error(d, &r, a, err);
	} else {
		http_error(d, &r, b, err);
	}
out:
	resp_clear(&r);
	free(a);
	free(b);
	free(dest);
	return rc;
}

static int
d_remove(struct hpo_ckpt_loc *s, const char *name, struct hpo_err *err)
{
	struct davs_loc *d = s->priv;
	char *url = url_of(d, name);
	struct resp r = {0};
	int rc = 0;

	if (request(d, "DELETE", url, url, NULL, NULL, MAX_ERRBODY, &r, err) < 0)
		rc = -1;
	else if (r.x.status != 200 && r.x.status != 204 && r.x.status != 404)
		rc = http_error(d, &r, url, err);
	resp_clear(&r);
	free(url);
	return rc;
}

/* ---- open, read: a GET through a bounded buffer ----------------------------------- */

struct dget {
	struct davs_loc *d;
	char *url;
	CURLM *multi;
	struct resp r;		/* its easy handle, the error answer if any */
	unsigned char *buf;
	size_t head, tail;	/* buf[head, tail) not yet read */
	uint64_t offset;
	int done, eof, added, checked;
};

static void
get_free(struct dget *g)
{
	if (g == NULL)
		return;
	if (g->multi != NULL) {
		if (g->added)
			curl_multi_remove_handle(g->multi, g->r.x.easy);
		curl_multi_cleanup(g->multi);
	}
	resp_clear(&g->r);
	free(g->buf);
	free(g->url);
	free(g);
}

static size_t
on_get(char *p, size_t size, size_t n, void *arg)
{
	struct dget *g = arg;
	size_t add = size * n;

	if (!g->checked) {
		curl_easy_getinfo(g->r.x.easy, CURLINFO_RESPONSE_CODE, &g->r.x.status);
		g->checked = 1;
	}
	if (g->r.x.status != (g->offset > 0 ? 206 : 200))
		return hpo_xfer_write(p, size, n, &g->r.x);	/* an error answer */
	if (g->head == g->tail)
		g->head = g->tail = 0;
	if (RBUF_SIZE - g->tail < add) {
		if (g->head > 0) {
			memmove(g->buf, g->buf + g->head, g->tail - g->head);
			g->tail -= g->head;
			g->head = 0;
		}
		if (RBUF_SIZE - g->tail < add)
			return CURL_WRITEFUNC_PAUSE;	/* delivered again when resumed */
	}
	memcpy(g->buf + g->tail, p, add);
	g->tail += add;
	return add;
}

static int
d_open(struct hpo_ckpt_loc *s, const char *name, uint64_t offset, void **rp,
       struct hpo_err *err)
{
	struct davs_loc *d = s->priv;
	struct dget *g = xcalloc(1, sizeof(*g));
	char range[64];
	CURLMcode mc;

	g->d = d;
	g->offset = offset;
	resp_init(&g->r, MAX_ERRBODY);
	g->url = url_of(d, name);
	g->buf = xmalloc(RBUF_SIZE);
	if (offset > 0) {
		/* never a range past the end: the size first */
		uint64_t size;
		int rc = head(d, g->url, 0, &size, NULL, NULL, err);

		if (rc != 0) {
			if (rc == 1)
				hpo_err_set(err, HPO_E_INPUT, "%s: no longer there", g->url);
			get_free(g);
			return -1;
		}
		if (offset >= size) {
			g->eof = g->done = 1;
			*rp = g;
			return 0;
		}
		snprintf(range, sizeof(range), "Range: bytes=%llu-%llu", (unsigned long long)offset,
			 (unsigned long long)size - 1);
		hpo_xfer_header(&g->r.x, range);
	}
	g->multi = curl_multi_init();
	if (hpo_conn_setup(&d->conn, &g->r.x, g->url, 1, err) < 0) {
		get_free(g);
		return -1;
	}
	curl_easy_setopt(g->r.x.easy, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(g->r.x.easy, CURLOPT_WRITEFUNCTION, on_get);
	curl_easy_setopt(g->r.x.easy, CURLOPT_WRITEDATA, g);
	if ((mc = curl_multi_add_handle(g->multi, g->r.x.easy)) != CURLM_OK) {
		get_free(g);
		return hpo_curl_multi_fail(mc, err);
	}
	g->added = 1;
	*rp = g;
	return 0;
}

static ssize_t
d_read(void *rp, void *buf, size_t len, struct hpo_err *err)
{
	struct dget *g = rp;
	char why[CURL_ERROR_SIZE + 300];

	while (g->head == g->tail && !g->done) {
		int running, left;
		CURLMcode mc;
		CURLMsg *m;

		curl_easy_pause(g->r.x.easy, CURLPAUSE_CONT);
		if ((mc = curl_multi_perform(g->multi, &running)) != CURLM_OK)
			return hpo_curl_multi_fail(mc, err);
		while ((m = curl_multi_info_read(g->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE) {
				g->done = 1;
				g->r.x.cc = m->data.result;
				curl_easy_getinfo(g->r.x.easy, CURLINFO_RESPONSE_CODE, &g->r.x.status);
			}
		if (g->head == g->tail && !g->done &&
		    (mc = curl_multi_poll(g->multi, NULL, 0, 1000, NULL)) != CURLM_OK)
			return hpo_curl_multi_fail(mc, err);
	}
	if (g->head == g->tail && g->done && !g->eof) {
		struct judging j = {g->d, &g->r, g->url};
		int rc = judge_try(&j, &g->r.x, why, sizeof(why), err);

		if (rc == 1)	/* ckpt reopens at the offset reached */
			return hpo_err_set(err, HPO_E_NET, "%s: storage unreachable: %s", g->url, why);
		if (rc < 0)
			return -1;
		if (g->r.x.status == 404)
			return hpo_err_set(err, HPO_E_INPUT, "%s: no longer there", g->url);
		if (g->r.x.status != (g->offset > 0 ? 206 : 200))
			return http_error(g->d, &g->r, g->url, err);
		g->eof = 1;
	}
	if (g->head == g->tail)
		return 0;
	if (len > g->tail - g->head)
		len = g->tail - g->head;
	memcpy(buf, g->buf + g->head, len);
	g->head += len;
	return (ssize_t)len;
}

static void
d_close(void *rp)
{
	get_free(rp);
}

int
hpo_ckpt_davs_size(struct hpo_ckpt_loc *s, const char *name, uint64_t *size, struct hpo_err *err)
{
	struct davs_loc *d = s->priv;
	char *url = url_of(d, name);
	int rc;

	rc = head(d, url, 0, size, NULL, NULL, err);
	free(url);
	return rc;
}

int
hpo_ckpt_davs_peek(struct hpo_ckpt_loc *s, const char *name, void *buf, size_t len,
		   struct hpo_err *err)
{
	struct davs_loc *d = s->priv;
	struct resp r = {0};
	char range[64];
	const char *const hdrs[] = {range, NULL};
	char *url = url_of(d, name);
	int rc = -1;

	snprintf(range, sizeof(range), "Range: bytes=0-%zu", len - 1);
	if (request(d, "GET", url, url, hdrs, NULL, len, &r, err) < 0)
		goto out;
	if (r.x.status == 404)
		rc = 1;
	else if (r.x.status != 206 && r.x.status != 200)
		http_error(d, &r, url, err);
	else if (r.x.body.len != len)
		hpo_err_set(err, HPO_E_SERVER, "%s: %zu bytes asked for, %zu received", url, len,
			    r.x.body.len);
	else {
		memcpy(buf, r.x.body.s, len);
		rc = 0;
	}
out:
	resp_clear(&r);
	free(url);
	return rc;
}

/* ---- the location -------------------------------------------------------------------- */

static void
d_free(struct hpo_ckpt_loc *s)
{
	struct davs_loc *d = s->priv;

	if (d == NULL)
		return;
	free(d->base);
	free(d->path);
	free(d->where);
	hpo_conn_cleanup(&d->conn);
	free(d->token_source);
	free(d);
}

static const struct hpo_ckpt_loc_ops davs_ops = {
	d_list, d_create, d_put, d_finish, d_cancel, d_stat, d_rename,
	d_open, d_read, d_close, d_remove, d_free,
};

/* The credential: a bearer token when one is found, else the grid proxy. */
static int
credentials(struct davs_loc *d, const char *where, const struct hpo_auth *given,
	    struct hpo_err *err)
{
	struct hpo_err terr = {0};
	struct hpo_auth *a = NULL;
	const char *ca = getenv("X509_CERT_DIR");
	char *token = NULL;
	struct stat sb;

	if (given != NULL) {	/* the caller's (PanDA's, for its cache server) */
		hpo_conn_set_auth(&d->conn, given);
		return 0;
	}

	if (hpo_auth_bearer_token(&token, &d->token_source, &terr) == 0) {
		if (ca != NULL && *ca != '\0') {
			if (stat(ca, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
				hpo_auth_secret_free(token);
				return hpo_err_set(err, HPO_E_AUTH, "%s: no CA certificate directory at "
						   "%s (X509_CERT_DIR)", where, ca);
			}
		} else if (stat("/etc/grid-security/certificates", &sb) == 0 && S_ISDIR(sb.st_mode)) {
			ca = "/etc/grid-security/certificates";
		} else {
			ca = NULL;	/* the system's CA store */
		}
		hpo_conn_set_token(&d->conn, token, ca);
		hpo_auth_secret_free(token);
		hpo_debug("%s: using the bearer token from %s", where, d->token_source);
		return 0;
	}
	/* a token asked for (BEARER_TOKEN_FILE) but unusable is an error;
	 * none anywhere means the grid proxy */
	if (terr.kind != HPO_E_AUTH || strncmp(terr.msg, "no bearer token: ", 17) != 0) {
		hpo_err_set(err, terr.kind, "%s: %s", where, terr.msg);
		return -1;
	}
	if (hpo_auth_load(3600, &a, err) < 0)
		return hpo_err_prefix(err, "%s", where);
	if (a->kind != HPO_AUTH_X509) {
		hpo_auth_free(a);
		return hpo_err_set(err, HPO_E_AUTH, "%s: no bearer token and no grid proxy for the "
				   "storage (PANDA_AUTH=oidc is for PanDA only): set BEARER_TOKEN or "
				   "BEARER_TOKEN_FILE, or unset PANDA_AUTH to use X509_USER_PROXY",
				   where);
	}
	hpo_conn_set_auth(&d->conn, a);
	hpo_debug("%s: using the grid proxy %s", where, a->proxy);
	hpo_auth_free(a);
	return 0;
}

int
hpo_ckpt_loc_davs(const char *url, struct hpo_ckpt_loc **out, struct hpo_err *err)
{
	return hpo_ckpt_loc_davs_auth(url, NULL, 1, out, err);
}

int
hpo_ckpt_loc_davs_auth(const char *url, const struct hpo_auth *auth, int verify_host,
			 struct hpo_ckpt_loc **out, struct hpo_err *err)
{
	struct hpo_ckpt_loc *s = xcalloc(1, sizeof(*s));
	struct davs_loc *d = xcalloc(1, sizeof(*d));
	struct hpo_http_opts ho;
	struct hpo_conn_opts co = {0};
	const char *rest, *slash;
	CURLU *u = NULL;
	char *path = NULL, *dec = NULL;
	size_t wl;

	*out = NULL;
	s->ops = &davs_ops;
	s->priv = d;
	rest = strncmp(url, "davs://", 7) == 0 ? url + 7 : url + 8;
	slash = strchr(rest, '/');
	if (*rest == '\0' || *rest == '/' || slash == NULL || slash[1] == '\0') {
		hpo_err_set(err, HPO_E_INPUT, "%s: a WebDAV location is davs://host[:port]/path",
			    url);
		goto fail;
	}
	if (strpbrk(url, "?#") != NULL) {
		hpo_err_set(err, HPO_E_INPUT, "%s: a WebDAV location has no query or fragment", url);
		goto fail;
	}
	s->where = xstrdup(url);
	wl = strlen(s->where);
	while (wl > 0 && s->where[wl - 1] == '/')
		s->where[--wl] = '\0';
	d->base = hpo_strf("https://%s%s", rest, rest[strlen(rest) - 1] == '/' ? "" : "/");
	d->where = xstrdup(s->where);
	if (hpo_http_opts_from_env(&ho, err) < 0)
		goto fail;
	co.connect_timeout_ms = ho.connect_timeout_ms;
	co.timeout_ms = ho.timeout_ms;
	co.retries = ho.retries;
	co.backoff = ho.backoff;
	co.verify_host = verify_host;	/* 0 only for PanDA's cache (http_conn.h) */
	co.peer = "storage";
	co.down = "storage unreachable: ";
	if (hpo_conn_init(&d->conn, &co, err) < 0)
		goto fail;
	u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, d->base, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		hpo_err_set(err, HPO_E_INPUT, "%s: not a valid URL", url);
		goto fail;
	}
	dec = curl_easy_unescape(NULL, path, 0, NULL);
	d->path = xstrdup(dec);
	curl_free(dec);
	dec = NULL;
	curl_free(path);
	path = NULL;
	curl_url_cleanup(u);
	u = NULL;
	if (credentials(d, s->where, auth, err) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	curl_free(dec);
	curl_free(path);
	curl_url_cleanup(u);
	hpo_ckpt_loc_free(s);
	return -1;
}
