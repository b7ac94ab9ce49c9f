/* test_http.c - the HTTP client against a scripted HTTP/1.1 server in a
 * child process on 127.0.0.1 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <zlib.h>

#include "config.h"
#include "file.h"
#include "http.h"
#include "http_conn.h"
#include "retry.h"

/* ---- the server ------------------------------------------------------------------
 *
 * It answers request number n (over all connections, from 0) with script[n]
 * (the last entry once past the end):
 *
 *   echo        200, the request as JSON: method, target, headers (names in
 *               lowercase), body, and for multipart bodies the parts (name,
 *               filename, length, crc32, data when short)
 *   slow:MS     echo after MS milliseconds
 *   ans:STATUS|HEADERS|BODY  an answer with that status line ("404 Not
 *               Found"), header lines (separated by \r\n; may be empty) and
 *               body, with its Content-Length
 *   raw:TEXT    TEXT verbatim (a whole response), then the next request
 *   cut:TEXT    TEXT verbatim, then close the connection
 *   stall:MS    nothing for MS milliseconds, then close
 *   close       close without an answer
 *
 * whatever the script says, a target starting with /404 gets a 404 and one
 * starting with /500 a 500.  Counters live in shared memory.
 */

struct counts {
	int requests, connections, active, max_active;
};

struct srv {
	pid_t pid;
	int port;
	struct counts *c;
	char base[64];	/* http://127.0.0.1:port */
	char host[32];	/* 127.0.0.1:port */
};

static const char *const *script;
static size_t script_len;
static struct srv *current;	/* stopped by the teardown when a test fails */

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(0);
		p += w;
		n -= (size_t)w;
	}
}

static void
respond(int fd, int status, const char *reason, const char *body)
{
	char head[256];

	snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
		 "Content-Length: %zu\r\n\r\n", status, reason, strlen(body));
	write_all(fd, head, strlen(head));
	write_all(fd, body, strlen(body));
}

/* "ans:" */
static void
answer(int fd, const char *spec)
{
	const char *h = strchr(spec, '|'), *b = h != NULL ? strchr(h + 1, '|') : NULL;
	char head[512];

	if (b == NULL)
		_exit(1);
	snprintf(head, sizeof(head), "HTTP/1.1 %.*s\r\n%.*s%sContent-Length: %zu\r\n\r\n",
		 (int)(h - spec), spec, (int)(b - h - 1), h + 1, b > h + 1 ? "\r\n" : "",
		 strlen(b + 1));
	write_all(fd, head, strlen(head));
	write_all(fd, b + 1, strlen(b + 1));
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The value of attribute name="..." in a header line */
static json_t *
attr(const char *line, size_t n, const char *name)
{
	char key[64];
	const char *p, *end = line + n, *q;

	snprintf(key, sizeof(key), "%s=\"", name);
	p = memmem(line, n, key, strlen(key));
	if (p == NULL)
		return json_null();
	p += strlen(key);
	q = memchr(p, '"', (size_t)(end - p));
	return q != NULL ? json_stringn(p, (size_t)(q - p)) : json_null();
}

static json_t *
parts_of(const char *ctype, const char *body, size_t len)
{
	const char *b = strstr(ctype, "boundary="), *p, *end = body + len;
	char delim[128];
	json_t *parts = json_array();

	if (b == NULL)
		return parts;
	snprintf(delim, sizeof(delim), "\r\n--%s", b + 9);
	p = memmem(body, len, delim + 2, strlen(delim) - 2);
	while (p != NULL) {
		const char *hstart = p + strlen(delim) - 2, *hend, *next;
		json_t *part;

		if (end - hstart >= 2 && memcmp(hstart, "--", 2) == 0)
			break;
		hend = memmem(hstart, (size_t)(end - hstart), "\r\n\r\n", 4);
		if (hend == NULL)
			break;
		next = memmem(hend + 4, (size_t)(end - hend - 4), delim, strlen(delim));
		if (next == NULL)
			break;
		part = json_pack("{s:o, s:o, s:I, s:I}",
				 "name", attr(hstart, (size_t)(hend - hstart), "name"),
				 "filename", attr(hstart, (size_t)(hend - hstart), "filename"),
				 "length", (json_int_t)(next - hend - 4),
				 "crc32", (json_int_t)crc32(0, (const Bytef *)hend + 4,
							    (uInt)(next - hend - 4)));
		if (next - hend - 4 < 1000)
			json_object_set_new(part, "data", json_stringn(hend + 4,
								       (size_t)(next - hend - 4)));
		json_array_append_new(parts, part);
		p = next + 2;
	}
	return parts;
}

static void
echo(int fd, int n, const char *method, const char *target, json_t *headers, const char *body,
     size_t len)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:O, s:I}", "n", n, "method", method,
			      "target", target, "headers", headers, "body_length", (json_int_t)len);
	const char *ctype = json_string_value(json_object_get(headers, "content-type"));
	char *text;

	json_object_set_new(o, "body", json_stringn(body, len));	/* null if not UTF-8 */
	if (ctype != NULL && strncmp(ctype, "multipart/form-data", 19) == 0)
		json_object_set_new(o, "parts", parts_of(ctype, body, len));
	text = json_dumps(o, JSON_COMPACT);
	respond(fd, 200, "OK", text);
	free(text);
	json_decref(o);
}

/* One connection: requests until the client closes or the script says so. */
static void
serve(int fd, struct counts *c)
{
	static char buf[1 << 16];
	size_t have = 0;

	__atomic_fetch_add(&c->connections, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		char *hend, *line, *save = NULL, method[16] = "", target[4096] = "";
		json_t *headers = json_object();
		size_t hlen, clen = 0, got;
		const char *action;
		char *body;
		int n, act, max;
		ssize_t r;

		while ((hend = memmem(buf, have, "\r\n\r\n", 4)) == NULL) {
			r = read(fd, buf + have, sizeof(buf) - have);
			if (r <= 0)
				_exit(0);
			have += (size_t)r;
		}
		*hend = '\0';
		hlen = (size_t)(hend - buf) + 4;
		line = strtok_r(buf, "\r\n", &save);
		sscanf(line, "%15s %4095s", method, target);
		while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
			char *colon = strchr(line, ':'), *v;

			if (colon == NULL)
				continue;
			*colon = '\0';
			for (char *k = line; *k != '\0'; k++)
				*k = (char)tolower((unsigned char)*k);
			for (v = colon + 1; *v == ' '; v++)
				;
			json_object_set_new(headers, line, json_string(v));
			if (strcmp(line, "content-length") == 0)
				clen = strtoul(v, NULL, 10);
			if (strcmp(line, "expect") == 0 && strcasecmp(v, "100-continue") == 0)
				write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		}
		body = malloc(clen + 1);
		got = have - hlen < clen ? have - hlen : clen;
		memcpy(body, buf + hlen, got);
		memmove(buf, buf + hlen + got, have - hlen - got);
		have -= hlen + got;
		while (got < clen) {
			r = read(fd, body + got, clen - got);
			if (r <= 0)
				_exit(0);
			got += (size_t)r;
		}
		body[clen] = '\0';

		n = __atomic_fetch_add(&c->requests, 1, __ATOMIC_SEQ_CST);
		act = __atomic_add_fetch(&c->active, 1, __ATOMIC_SEQ_CST);
		max = __atomic_load_n(&c->max_active, __ATOMIC_SEQ_CST);
		while (act > max && !__atomic_compare_exchange_n(&c->max_active, &max, act, 0,
								  __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			;
		action = script[(size_t)n < script_len ? (size_t)n : script_len - 1];
		if (strncmp(target, "/404", 4) == 0)
			action = "ans:404 Not Found||{\"success\": false, \"message\": \"gone\"}";
		else if (strncmp(target, "/500", 4) == 0)
			action = "ans:500 Oops||oops\n";
		if (strcmp(action, "echo") == 0) {
			echo(fd, n, method, target, headers, body, clen);
		} else if (strncmp(action, "slow:", 5) == 0) {
			sleep_ms(atol(action + 5));
			echo(fd, n, method, target, headers, body, clen);
		} else if (strncmp(action, "ans:", 4) == 0) {
			answer(fd, action + 4);
		} else if (strncmp(action, "raw:", 4) == 0) {
			write_all(fd, action + 4, strlen(action + 4));
		} else if (strncmp(action, "cut:", 4) == 0) {
			write_all(fd, action + 4, strlen(action + 4));
			_exit(0);
		} else if (strncmp(action, "stall:", 6) == 0) {
			sleep_ms(atol(action + 6));
			_exit(0);
		} else {
			_exit(0);	/* close */
		}
		__atomic_sub_fetch(&c->active, 1, __ATOMIC_SEQ_CST);
		json_decref(headers);
		free(body);
	}
}

static struct srv *
srv_start(const char *const *s)
{
	struct srv *v = calloc(1, sizeof(*v));
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int one = 1, lfd;

	assert_non_null(v);
	script = s;
	for (script_len = 0; s[script_len] != NULL; script_len++)
		;
	v->c = mmap(NULL, sizeof(*v->c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(v->c != MAP_FAILED);
	memset(v->c, 0, sizeof(*v->c));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(lfd, 64), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
	v->port = ntohs(a.sin_port);
	snprintf(v->base, sizeof(v->base), "http://127.0.0.1:%d", v->port);
	snprintf(v->host, sizeof(v->host), "127.0.0.1:%d", v->port);
	fflush(NULL);
	v->pid = fork();
	assert_true(v->pid >= 0);
	if (v->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* never outlive the test */
		setpgid(0, 0);
		signal(SIGCHLD, SIG_IGN);	/* no zombies */
		for (;;) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				continue;
			if (fork() == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				close(lfd);
				serve(fd, v->c);
				_exit(0);
			}
			close(fd);
		}
	}
	setpgid(v->pid, v->pid);
	close(lfd);
	current = v;
	return v;
}

static void
srv_stop(struct srv *v)
{
	current = NULL;
	kill(-v->pid, SIGKILL);
	/* the server, then its connections' processes, which came to us (the
	 * subreaper) when it died */
	waitpid(v->pid, NULL, 0);
	while (waitpid(-v->pid, NULL, 0) > 0 || errno == EINTR)
		;
	munmap(v->c, sizeof(*v->c));
	free(v);
}

static int
teardown(void **state)
{
	(void)state;
	if (current != NULL)
		srv_stop(current);
	return 0;
}

static int
requests(const struct srv *v)
{
	return __atomic_load_n(&v->c->requests, __ATOMIC_SEQ_CST);
}

/* ---- helpers ------------------------------------------------------------------------ */

static struct hpo_http *
client(int retries, long timeout_ms, const struct hpo_auth *auth)
{
	struct hpo_http_opts o = {
		.auth = auth, .connect_timeout_ms = 2000, .timeout_ms = timeout_ms,
		.retries = retries, .backoff = 0.01, .verify_host = 1,
	};
	struct hpo_err err = {0};
	struct hpo_http *h = NULL;

	if (hpo_http_new(&o, &h, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return h;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
url_of(const struct srv *v, const char *path)
{
	char *u = hpo_strf("%s%s", v->base, path);

	assert_non_null(u);
	return u;
}

static json_t *
get_ok(struct hpo_http *h, const char *url, const char *const *query)
{
	struct hpo_err err = {0};
	json_t *out = NULL;

	if (hpo_http_get(h, url, query, 0, &out, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(out);
	return out;
}

static const char *
str_at(json_t *o, const char *path1, const char *path2)
{
	json_t *v = json_object_get(o, path1);

	if (path2 != NULL)
		v = json_object_get(v, path2);
	return json_string_value(v);
}

/* err is kind with a message starting with head and ending with tail */
static void
err_like(const struct hpo_err *err, enum hpo_errkind kind, const char *head, const char *tail)
{
	size_t n = strlen(err->msg);

	if (strncmp(err->msg, head, strlen(head)) != 0 ||
	    n < strlen(tail) || strcmp(err->msg + n - strlen(tail), tail) != 0)
		fail_msg("message \"%s\" is not \"%s...%s\"", err->msg, head, tail);
	assert_int_equal(err->kind, kind);
}

/* ---- single requests ------------------------------------------------------------------ */

static void
test_get_query_headers_reuse(void **state)
{
	static const char *const s[] = { "echo", NULL };
	static const char *const q[] = { "task_id", "42", "name", "x y&z/\xc3\xa9=", NULL };
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	char *u = url_of(v, "/api/v1/task/get_status"), *u2 = url_of(v, "/p?fixed=1");
	char ua[64];
	json_t *o;

	(void)state;
	o = get_ok(h, u, q);
	assert_string_equal(str_at(o, "method", NULL), "GET");
	assert_string_equal(str_at(o, "target", NULL),
			    "/api/v1/task/get_status?task_id=42&name=x%20y%26z%2F%C3%A9%3D");
	assert_string_equal(str_at(o, "headers", "accept"), "application/json");
	snprintf(ua, sizeof(ua), "%s/%s", PACKAGE_NAME, PACKAGE_VERSION);
	assert_string_equal(str_at(o, "headers", "user-agent"), ua);
	assert_null(json_object_get(json_object_get(o, "headers"), "authorization"));
	json_decref(o);
	/* a URL with a query already; no query at all */
	o = get_ok(h, u2, q);
	assert_string_equal(str_at(o, "target", NULL),
			    "/p?fixed=1&task_id=42&name=x%20y%26z%2F%C3%A9%3D");
	json_decref(o);
	o = get_ok(h, u, NULL);
	assert_string_equal(str_at(o, "target", NULL), "/api/v1/task/get_status");
	json_decref(o);
	/* three requests, one connection */
	assert_int_equal(requests(v), 3);
	assert_int_equal(v->c->connections, 1);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
	free(u2);
}

static void
test_retry_5xx(void **state)
{
	static const char *const s[] = {
		"raw:HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
		"raw:HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
		"echo", NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	char *u = url_of(v, "/x");
	json_t *o;

	(void)state;
	o = get_ok(h, u, NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 2);
	assert_int_equal(requests(v), 3);
	json_decref(o);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_retry_gives_up(void **state)
{
	static const char *const s[] = {
		"ans:503 Service Unavailable||down for maintenance\n", NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	char *u = url_of(v, "/x"), want[256];
	struct hpo_err err = {0};
	json_t *o = (json_t *)1;
	double t0 = now_s();

	(void)state;
	assert_int_equal(hpo_http_get(h, u, NULL, 0, &o, &err), -1);
	assert_null(o);
	assert_int_equal(err.kind, HPO_E_NET);
	snprintf(want, sizeof(want), "%s: HTTP 503: down for maintenance (tried 5 times)", v->host);
	assert_string_equal(err.msg, want);
	assert_int_equal(requests(v), 5);
	/* backoff 0.01 s: at most 0.01 + 0.02 + 0.04 + 0.08 of waiting */
	assert_true(now_s() - t0 < 1.0);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_no_retry(void **state)
{
	static const char *const s[] = {
		"raw:HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", "echo", NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	char *u = url_of(v, "/api/v1/task/submit"), want[256];
	struct hpo_err err = {0};
	json_t *body = json_pack("{s:i}", "x", 1);

	(void)state;
	assert_int_equal(hpo_http_post_json(h, u, body, HPO_HTTP_NO_RETRY, NULL, &err), -1);
	snprintf(want, sizeof(want), "%s: HTTP 500 (tried 1 time)", v->host);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, HPO_E_NET);
	assert_int_equal(requests(v), 1);
	json_decref(body);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_429_retry_after(void **state)
{
	static const char *const s[] = {
		"ans:429 Too Many Requests|Retry-After: 1|",
		"echo", NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	char *u = url_of(v, "/x");
	double t0 = now_s(), dt;

	(void)state;
	json_decref(get_ok(h, u, NULL));
	dt = now_s() - t0;
	assert_true(dt >= 1.0);	/* the server asked for a second, not backoff's 0.01 */
	assert_true(dt < 3.0);
	assert_int_equal(requests(v), 2);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_cut_short_and_empty(void **state)
{
	static const char *const s[] = {
		"cut:HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"a\": 123,",
		"close",
		"echo",
		"cut:HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"a\": 123,",
		NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL), *once = client(0, 5000, NULL);
	char *u = url_of(v, "/x"), want[256];
	struct hpo_err err = {0};
	json_t *o;

	(void)state;
	/* a body shorter than its Content-Length, then an empty reply: retried */
	o = get_ok(h, u, NULL);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 2);
	json_decref(o);
	/* without retries it is an error */
	assert_int_equal(hpo_http_get(once, u, NULL, 0, &o, &err), -1);
	assert_int_equal(err.kind, HPO_E_NET);
	snprintf(want, sizeof(want), "%s: ", v->host);
	err_like(&err, HPO_E_NET, want, " (tried 1 time)");
	assert_non_null(strstr(err.msg, "90 bytes remaining"));
	hpo_http_free(h);
	hpo_http_free(once);
	srv_stop(v);
	free(u);
}

static void
test_timeout(void **state)
{
	static const char *const s[] = { "stall:3000", "echo", "stall:3000", NULL };
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(1, 300, NULL);
	char *u = url_of(v, "/x"), want[256];
	struct hpo_err err = {0};
	json_t *o = NULL;
	double t0 = now_s();

	(void)state;
	/* the first try times out, the second is answered */
	json_decref(get_ok(h, u, NULL));
	assert_int_equal(requests(v), 2);
	/* both tries time out */
	assert_int_equal(hpo_http_get(h, u, NULL, 0, &o, &err), -1);
	snprintf(want, sizeof(want), "%s: operation timed out after ", v->host);
	err_like(&err, HPO_E_NET, want, " (tried 2 times)");
	assert_true(now_s() - t0 < 2.5);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_connect_refused(void **state)
{
	struct hpo_http *h = client(1, 2000, NULL);
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct hpo_err err = {0};
	char url[64], want[64];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	/* a port that was free a moment ago */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	close(fd);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", ntohs(a.sin_port));
	snprintf(want, sizeof(want), "127.0.0.1:%d: ", ntohs(a.sin_port));
	assert_int_equal(hpo_http_get(h, url, NULL, 0, NULL, &err), -1);
	err_like(&err, HPO_E_NET, want, " (tried 2 times)");
	assert_non_null(strstr(err.msg, "connect"));
	hpo_http_free(h);
}

#define WEB_PAGE "<html>\n<head><title>Service</title></head><body>This is not the API you " \
	"are looking for, it is a web page.</body></html>\n"

static void
test_not_json(void **state)
{
	static const char *const s[] = {
		"ans:200 OK|Content-Type: text/html|" WEB_PAGE,
		"ans:200 OK||",
		NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	char *u = url_of(v, "/api/v1/system/is_alive"), want[512], excerpt[81];
	struct hpo_err err = {0};
	json_t *o = (json_t *)1;

	(void)state;
	assert_int_equal(hpo_http_get(h, u, NULL, 0, &o, &err), -1);
	assert_null(o);
	assert_int_equal(err.kind, HPO_E_SERVER);
	snprintf(excerpt, sizeof(excerpt), "%s", WEB_PAGE);
	*strchr(excerpt, '\n') = ' ';
	snprintf(want, sizeof(want), "bad answer from %s/api/v1/system/is_alive: not JSON (%s)",
		 v->host, excerpt);
	assert_string_equal(err.msg, want);
	assert_int_equal(requests(v), 1);	/* not retried */
	assert_int_equal(hpo_http_get(h, u, NULL, 0, &o, &err), -1);
	snprintf(want, sizeof(want), "bad answer from %s/api/v1/system/is_alive: not JSON (empty)",
		 v->host);
	assert_string_equal(err.msg, want);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_4xx(void **state)
{
	static const char *const s[] = {
		"ans:404 Not Found||{\"success\": false, \"message\": \"no\"}",
		"ans:403 Forbidden||\nERROR : method get_foo is forbidden\nsecond line here\n",
		"raw:HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n",
		NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_auth tok = { .kind = HPO_AUTH_TOKEN, .token = "sEcReT.tok.en", .vo = "atlas" };
	struct hpo_http *h = client(4, 5000, &tok);
	char *u = url_of(v, "/api/v1/task/get_status"), want[512];
	static const char *const q[] = { "task_id", "1", NULL };
	struct hpo_err err = {0};

	(void)state;
	assert_int_equal(hpo_http_get(h, u, q, 0, NULL, &err), -1);
	snprintf(want, sizeof(want), "%s/api/v1/task/get_status: HTTP 404: no", v->host);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, HPO_E_SERVER);
	assert_int_equal(hpo_http_get(h, u, q, 0, NULL, &err), -1);
	snprintf(want, sizeof(want), "%s/api/v1/task/get_status: HTTP 403: ERROR : method get_foo "
		 "is forbidden", v->host);
	assert_string_equal(err.msg, want);
	assert_int_equal(hpo_http_get(h, u, q, 0, NULL, &err), -1);
	snprintf(want, sizeof(want), "%s/api/v1/task/get_status: HTTP 401", v->host);
	assert_string_equal(err.msg, want);
	assert_null(strstr(err.msg, "sEcReT"));
	assert_int_equal(requests(v), 3);	/* none retried */
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_token_headers(void **state)
{
	static const char *const s[] = { "echo", NULL };
	struct srv *v = srv_start(s);
	struct hpo_auth tok = { .kind = HPO_AUTH_TOKEN, .token = "eyJ.abc.def", .vo = "atlas" };
	struct hpo_http *h = client(4, 5000, &tok);
	char *u = url_of(v, "/x");
	json_t *o;

	(void)state;
	o = get_ok(h, u, NULL);
	assert_string_equal(str_at(o, "headers", "authorization"), "Bearer eyJ.abc.def");
	assert_string_equal(str_at(o, "headers", "origin"), "atlas");
	assert_string_equal(str_at(o, "headers", "accept"), "application/json");
	json_decref(o);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_post_json_and_form(void **state)
{
	static const char *const s[] = { "echo", NULL };
	static const char *const f[] = { "command_name", "get_hyperparameters",
					 "kwargs", "{\"a\": 1, \"b\": \"x&y=z\"}", NULL };
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	char *u = url_of(v, "/api/v1/task/submit");
	struct hpo_err err = {0};
	json_t *body = json_pack("{s:{s:s, s:i}, s:n}", "task_parameters", "taskName",
				 "user.x.\xc3\xa9", "nEvents", 5, "parent_tid");
	json_t *o = NULL, *sent;

	(void)state;
	assert_int_equal(hpo_http_post_json(h, u, body, 0, &o, &err), 0);
	assert_string_equal(str_at(o, "method", NULL), "POST");
	assert_string_equal(str_at(o, "headers", "content-type"), "application/json");
	assert_string_equal(str_at(o, "headers", "accept"), "application/json");
	sent = json_loads(str_at(o, "body", NULL), 0, NULL);
	assert_true(json_equal(sent, body));
	json_decref(sent);
	json_decref(o);

	assert_int_equal(hpo_http_post_form(h, u, f, 0, &o, &err), 0);
	assert_string_equal(str_at(o, "headers", "content-type"),
			    "application/x-www-form-urlencoded");
	assert_string_equal(str_at(o, "body", NULL),
			    "command_name=get_hyperparameters&kwargs=%7B%22a%22%3A%201%2C%20%22b"
			    "%22%3A%20%22x%26y%3Dz%22%7D");
	json_decref(o);
	json_decref(body);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_post_file(void **state)
{
	static const char *const s[] = {
		"raw:HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", "echo", NULL,
	};
	static const char *const fields[] = { "task_id", "7", NULL };
	char dir[] = "/tmp/test_http.XXXXXX", *path, *u, *missing;
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	size_t size = 3 * 1024 * 1024 + 17;
	unsigned char *data = malloc(size);
	struct hpo_err err = {0};
	json_t *o = NULL, *parts, *p;
	uLong crc;
	uint64_t x = 88172645463325252ull;

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = hpo_path_join(dir, "checkpoint.tar.gz");
	missing = hpo_path_join(dir, "missing");
	for (size_t i = 0; i < size; i++) {	/* xorshift: every byte value */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		data[i] = (unsigned char)x;
	}
	crc = crc32(0, data, (uInt)size);
	assert_int_equal(hpo_file_write_atomic(path, data, size, 0644, &err), 0);
	u = url_of(v, "/api/v1/file_server/upload_hpo_checkpoint");
	/* the first try gets a 500: the retry sends the whole file again */
	assert_int_equal(hpo_http_post_file(h, u, "file", path, "1234_5", fields, 0, &o, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "n")), 1);
	assert_string_equal(str_at(o, "method", NULL), "POST");
	assert_true(strncmp(str_at(o, "headers", "content-type"), "multipart/form-data; boundary=",
			    30) == 0);
	parts = json_object_get(o, "parts");
	assert_int_equal(json_array_size(parts), 2);
	p = json_array_get(parts, 0);
	assert_string_equal(str_at(p, "name", NULL), "task_id");
	assert_string_equal(str_at(p, "data", NULL), "7");
	p = json_array_get(parts, 1);
	assert_string_equal(str_at(p, "name", NULL), "file");
	assert_string_equal(str_at(p, "filename", NULL), "1234_5");
	assert_int_equal(json_integer_value(json_object_get(p, "length")), size);
	assert_int_equal(json_integer_value(json_object_get(p, "crc32")), crc);
	json_decref(o);
	/* the file's own name when none is given */
	assert_int_equal(hpo_http_post_file(h, u, "file", path, NULL, NULL, 0, &o, &err), 0);
	p = json_array_get(json_object_get(o, "parts"), 0);
	assert_string_equal(str_at(p, "filename", NULL), "checkpoint.tar.gz");
	assert_int_equal(json_integer_value(json_object_get(p, "crc32")), crc);
	json_decref(o);
	/* a missing file is reported before anything is sent */
	assert_int_equal(hpo_http_post_file(h, u, "file", missing, NULL, NULL, 0, &o, &err), -1);
	{
		char want[PATH_MAX + 64];

		snprintf(want, sizeof(want), "%s: No such file or directory", missing);
		assert_string_equal(err.msg, want);
		assert_int_equal(err.kind, HPO_E_SYS);
	}
	assert_int_equal(requests(v), 3);
	hpo_rmtree(dir, &err);
	free(data);
	free(path);
	free(missing);
	free(u);
	hpo_http_free(h);
	srv_stop(v);
}

/* ---- many requests ----------------------------------------------------------------------- */

static void
test_get_many(void **state)
{
	static const char *const s[] = { "slow:150", NULL };
	enum { N = 10 };
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(4, 5000, NULL);
	struct hpo_http_req reqs[N];
	char *u = url_of(v, "/api/v1/task/get_status"), ids[N][8], want[64];
	const char *q[N][3];

	(void)state;
	memset(reqs, 0, sizeof(reqs));
	for (int i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "%d", i);
		q[i][0] = "task_id";
		q[i][1] = ids[i];
		q[i][2] = NULL;
		reqs[i].url = u;
		reqs[i].query = q[i];
	}
	assert_int_equal(hpo_http_get_many(h, reqs, N, 3), 0);
	for (int i = 0; i < N; i++) {
		assert_int_equal(reqs[i].rc, 0);
		snprintf(want, sizeof(want), "/api/v1/task/get_status?task_id=%d", i);
		assert_string_equal(str_at(reqs[i].out, "target", NULL), want);
		json_decref(reqs[i].out);
	}
	assert_int_equal(requests(v), N);
	/* at most 3 at a time (150 ms each: they did overlap), over at most 3 connections */
	assert_true(v->c->max_active <= 3);
	assert_true(v->c->max_active >= 2);
	assert_true(v->c->connections <= 3);
	/* the connections stay for the next batch and for single requests */
	assert_int_equal(hpo_http_get_many(h, reqs, 4, 3), 0);
	for (int i = 0; i < 4; i++)
		json_decref(reqs[i].out);
	json_decref(get_ok(h, u, NULL));
	assert_true(v->c->connections <= 3);
	hpo_http_free(h);
	srv_stop(v);
	free(u);
}

static void
test_get_many_failures(void **state)
{
	static const char *const s[] = {
		"raw:HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
		"raw:HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
		"echo", NULL,
	};
	struct srv *v = srv_start(s);
	struct hpo_http *h = client(2, 5000, NULL);
	struct hpo_http_req reqs[5];
	char *ok = url_of(v, "/ok"), *gone = url_of(v, "/404/x"), *bad = url_of(v, "/500/y");
	char want[256];

	(void)state;
	memset(reqs, 0, sizeof(reqs));
	reqs[0].url = ok;
	reqs[1].url = gone;
	reqs[2].url = ok;
	reqs[3].url = bad;
	reqs[4].url = ok;
	assert_int_equal(hpo_http_get_many(h, reqs, 5, 2), -1);
	/* the first two answers were 502s, retried */
	for (int i = 0; i < 5; i += 2) {
		assert_int_equal(reqs[i].rc, 0);
		assert_string_equal(str_at(reqs[i].out, "target", NULL), "/ok");
		json_decref(reqs[i].out);
	}
	assert_int_equal(reqs[1].rc, -1);
	assert_null(reqs[1].out);
	assert_int_equal(reqs[1].err.kind, HPO_E_SERVER);
	snprintf(want, sizeof(want), "%s/404/x: HTTP 404: gone", v->host);
	assert_string_equal(reqs[1].err.msg, want);
	assert_int_equal(reqs[3].rc, -1);
	assert_int_equal(reqs[3].err.kind, HPO_E_NET);
	snprintf(want, sizeof(want), "%s: HTTP 500: oops (tried 3 times)", v->host);
	assert_string_equal(reqs[3].err.msg, want);
	/* 5 first tries, 2 retries of 502s at most, 2 retries of the 500 */
	assert_true(requests(v) >= 7 && requests(v) <= 9);
	hpo_http_free(h);
	srv_stop(v);
	free(ok);
	free(gone);
	free(bad);
}

/* ---- settings and delays ------------------------------------------------------------------ */

static void
test_retry_delay(void **state)
{
	(void)state;
	assert_true(hpo_retry_delay(1, 0, -1, 1.0) == 1);
	assert_true(hpo_retry_delay(1, 3, -1, 0.5) == 4);
	assert_true(hpo_retry_delay(1, 4, -1, 1.0) == 16);
	assert_true(hpo_retry_delay(1, 5, -1, 1.0) == 30);	/* capped */
	assert_true(hpo_retry_delay(1, 200, -1, 1.0) == 30);
	assert_true(hpo_retry_delay(1, 200, -1, 0.0) == 0);
	assert_true(hpo_retry_delay(0.01, 2, -1, 1.0) == 0.04);
	assert_true(hpo_retry_delay(1, 0, 5, 0.1) == 5);	/* Retry-After */
	assert_true(hpo_retry_delay(1, 0, 3600, 0.1) == 60);	/* capped */
}

static void
test_settings(void **state)
{
	struct hpo_http_opts o;
	struct hpo_err err = {0};

	(void)state;
	unsetenv("HPO_HTTP_RETRIES");
	unsetenv("HPO_HTTP_BACKOFF");
	unsetenv("HPO_HTTP_TIMEOUT");
	unsetenv("PANDA_VERIFY_HOST");
	assert_int_equal(hpo_http_opts_from_env(&o, &err), 0);
	assert_int_equal(o.retries, 4);
	assert_true(o.backoff == 1.0);
	assert_int_equal(o.timeout_ms, 60000);
	assert_int_equal(o.verify_host, 1);
	assert_null(o.auth);

	setenv("HPO_HTTP_RETRIES", "0", 1);
	setenv("HPO_HTTP_BACKOFF", "0.01", 1);
	setenv("HPO_HTTP_TIMEOUT", "2.5", 1);
	setenv("PANDA_VERIFY_HOST", "off", 1);
	assert_int_equal(hpo_http_opts_from_env(&o, &err), 0);
	assert_int_equal(o.retries, 0);
	assert_true(o.backoff == 0.01);
	assert_int_equal(o.timeout_ms, 2500);
	assert_int_equal(o.connect_timeout_ms, 2500);
	assert_int_equal(o.verify_host, 0);

	setenv("HPO_HTTP_RETRIES", "2.5", 1);
	assert_int_equal(hpo_http_opts_from_env(&o, &err), -1);
	assert_int_equal(err.kind, HPO_E_INPUT);
	assert_string_equal(err.msg, "HPO_HTTP_RETRIES='2.5': not a whole number from 0 to 20");
	setenv("HPO_HTTP_RETRIES", "3", 1);
	setenv("HPO_HTTP_BACKOFF", "-1", 1);
	assert_int_equal(hpo_http_opts_from_env(&o, &err), -1);
	assert_string_equal(err.msg, "HPO_HTTP_BACKOFF='-1': not a number from 0 to 300");
	setenv("HPO_HTTP_BACKOFF", "1", 1);
	setenv("HPO_HTTP_TIMEOUT", "0", 1);
	assert_int_equal(hpo_http_opts_from_env(&o, &err), -1);
	assert_string_equal(err.msg, "HPO_HTTP_TIMEOUT='0': not a number from 0.001 to 86400");
	/* an option beats the environment */
	{
		int r = 0;

		assert_int_equal(hpo_config_http_retries("9", &r, &err), 0);
		assert_int_equal(r, 9);
		assert_int_equal(hpo_config_http_retries("x", &r, &err), -1);
		assert_string_equal(err.msg, "'x': not a whole number from 0 to 20");
	}
	unsetenv("HPO_HTTP_RETRIES");
	unsetenv("HPO_HTTP_BACKOFF");
	unsetenv("HPO_HTTP_TIMEOUT");
	unsetenv("PANDA_VERIFY_HOST");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_get_query_headers_reuse, teardown),
		cmocka_unit_test_teardown(test_retry_5xx, teardown),
		cmocka_unit_test_teardown(test_retry_gives_up, teardown),
		cmocka_unit_test_teardown(test_no_retry, teardown),
		cmocka_unit_test_teardown(test_429_retry_after, teardown),
		cmocka_unit_test_teardown(test_cut_short_and_empty, teardown),
		cmocka_unit_test_teardown(test_timeout, teardown),
		cmocka_unit_test_teardown(test_connect_refused, teardown),
		cmocka_unit_test_teardown(test_not_json, teardown),
		cmocka_unit_test_teardown(test_4xx, teardown),
		cmocka_unit_test_teardown(test_token_headers, teardown),
		cmocka_unit_test_teardown(test_post_json_and_form, teardown),
		cmocka_unit_test_teardown(test_post_file, teardown),
		cmocka_unit_test_teardown(test_get_many, teardown),
		cmocka_unit_test_teardown(test_get_many_failures, teardown),
		cmocka_unit_test_teardown(test_retry_delay, teardown),
		cmocka_unit_test_teardown(test_settings, teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1);	/* to reap the servers' orphans */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
