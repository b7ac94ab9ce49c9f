/* plot_read.c - a task view's text read into plot data, with no JSON tree
 *
 * A view of 100,000 points is some 25 MB of JSON: as a jansson tree it
 * costs a second and 200 MB, most of it in allocating a value and a hash
 * table for each point.  Here the text is read once, front to back, by a
 * recursive descent that checks the JSON grammar (UTF-8, escapes, numbers,
 * nesting at most 2048 deep, as jansson does) and hands what the plots
 * use to hpo_plot_build as it goes: the task asked for, its name, status,
 * backend and space, and each point's id, status, loss, message,
 * parameters and intermediate losses.  Everything else is checked and
 * skipped: a multi-fidelity point's "trial", "budget" and "continues" too,
 * which the build takes from its parameters (the reserved keys and the
 * space's fidelity parameter), as it does for a local task's rows.  A parameter value that is an object or a list (rare) is parsed
 * by jansson alone, for its text as a category.
 */
#include "autoconf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plot.h"
#include "view.h"
#include "xmalloc.h"

#define MAX_DEPTH 2048

struct rd {
	const char *what, *s, *p, *end;
	struct hpo_err *err;
	int depth;
	char *buf[2];		/* decoded strings: [0] keys, [1] values */
	size_t cap[2];
};

static int
syntax(struct rd *r, const char *at, const char *fmt, ...) HPO_PRINTF(3, 4);

static int
syntax(struct rd *r, const char *at, const char *fmt, ...)
{
	char msg[128];
	int line = 1, col = 1;
	va_list ap;

	for (const char *q = r->s; q < at && q < r->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80) {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hpo_err_set(r->err, HPO_E_INPUT, "%s:%d:%d: %s", r->what, line, col, msg);
}

static void
ws(struct rd *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
		r->p++;
}

/* the next character after white space, or 0 at the end */
static int
peek(struct rd *r)
{
	ws(r);
	return r->p < r->end ? (unsigned char)*r->p : 0;
}

static int
expect(struct rd *r, char c)
{
	if (peek(r) != (unsigned char)c)
		return r->p < r->end ? syntax(r, r->p, "'%c' expected", c)
				     : syntax(r, r->p, "'%c' expected, the text ends", c);
	r->p++;
	return 0;
}

static void
put(struct rd *r, int which, size_t at, const char *s, size_t n)
{
	if (at + n + 1 > r->cap[which]) {
		size_t cap = r->cap[which] ? r->cap[which] : 256;
		while (cap < at + n + 1)
			cap *= 2;
		r->buf[which] = xreallocarray(r->buf[which], cap, 1);
		r->cap[which] = cap;
	}
	memcpy(r->buf[which] + at, s, n);
}

static int
hex4(const char *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		int c = (unsigned char)p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
		      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

/* The length of the UTF-8 character at p (n bytes left), 0 when invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0], min, v;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000, v = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return len;
}

/* A string (at its '"') decoded into buf[which], NUL-terminated. */
static int
string(struct rd *r, int which, const char **out)
{
	const char *start = r->p;
	size_t n = 0;

	if (peek(r) != '"')
		return syntax(r, r->p, "a string expected");
	r->p++;
	for (;;) {
		const char *run = r->p;
		while (r->p < r->end && (unsigned char)*r->p >= 0x20 && *r->p != '"' && *r->p != '\\' &&
		       (unsigned char)*r->p < 0x80)
			r->p++;
		put(r, which, n, run, (size_t)(r->p - run));
		n += (size_t)(r->p - run);
		if (r->p >= r->end)
			return syntax(r, start, "the text ends in a string");
		unsigned char c = (unsigned char)*r->p;
		if (c == '"') {
			r->p++;
			break;
		}
		if (c < 0x20)
			return syntax(r, r->p, "a control character in a string");
		if (c >= 0x80) {
			size_t len = utf8_len((const unsigned char *)r->p, (size_t)(r->end - r->p));
			if (len == 0)
				return syntax(r, r->p, "a string that is not UTF-8");
			put(r, which, n, r->p, len);
			n += len;
			r->p += len;
			continue;
		}
		/* an escape */
		if (r->end - r->p < 2)
			return syntax(r, start, "the text ends in a string");
		char e = r->p[1], ch = 0;
		r->p += 2;
		switch (e) {
		case '"': ch = '"'; break;
		case '\\': ch = '\\'; break;
		case '/': ch = '/'; break;
		case 'b': ch = '\b'; break;
		case 'f': ch = '\f'; break;
		case 'n': ch = '\n'; break;
		case 'r': ch = '\r'; break;
		case 't': ch = '\t'; break;
		case 'u': {
			unsigned v, lo;
			char u[4];
			if (r->end - r->p < 4 || hex4(r->p, &v) < 0)
				return syntax(r, r->p - 2, "an invalid \\u escape");
			r->p += 4;
			if (v >= 0xdc00 && v <= 0xdfff)
				return syntax(r, r->p - 6, "a lone low surrogate \\u%04X", v);
			if (v >= 0xd800 && v <= 0xdbff) {
				if (r->end - r->p < 6 || r->p[0] != '\\' || r->p[1] != 'u' ||
				    hex4(r->p + 2, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					return syntax(r, r->p - 6, "a high surrogate \\u%04X without its low one", v);
				r->p += 6;
				v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
			}
			if (v == 0)
				return syntax(r, r->p - 6, "\\u0000 is not allowed");
			size_t len = v < 0x80 ? 1 : v < 0x800 ? 2 : v < 0x10000 ? 3 : 4;
			if (len == 1)
				u[0] = (char)v;
			else if (len == 2)
				u[0] = (char)(0xc0 | v >> 6), u[1] = (char)(0x80 | (v & 0x3f));
			else if (len == 3)
				u[0] = (char)(0xe0 | v >> 12), u[1] = (char)(0x80 | (v >> 6 & 0x3f)),
				u[2] = (char)(0x80 | (v & 0x3f));
			else
				u[0] = (char)(0xf0 | v >> 18), u[1] = (char)(0x80 | (v >> 12 & 0x3f)),
				u[2] = (char)(0x80 | (v >> 6 & 0x3f)), u[3] = (char)(0x80 | (v & 0x3f));
			put(r, which, n, u, len);
			n += len;
			continue;
		}
		default:
			return syntax(r, r->p - 2, "an invalid escape \\%c", e);
		}
		put(r, which, n, &ch, 1);
		n++;
	}
	put(r, which, n, "", 1);
	*out = r->buf[which];
	return 0;
}

/* A number (at its first character): an integer (is_int, *i) or a real
 * (*v); *v holds either as a double. */
static int
number(struct rd *r, int *is_int, int64_t *i, double *v)
{
	const char *a = r->p, *q = r->p;
	char small[64], *t = small;

	*is_int = 1;
	if (q < r->end && *q == '-')
		q++;
	if (q < r->end && *q == '0')
		q++;
	else if (q < r->end && *q >= '1' && *q <= '9')
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	else
		return syntax(r, a, "an invalid number");
	if (q < r->end && *q == '.') {
		*is_int = 0;
		q++;
		if (q >= r->end || *q < '0' || *q > '9')
			return syntax(r, a, "an invalid number");
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < r->end && (*q == 'e' || *q == 'E')) {
		*is_int = 0;
		q++;
		if (q < r->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= r->end || *q < '0' || *q > '9')
			return syntax(r, a, "an invalid number");
		while (q < r->end && *q >= '0' && *q <= '9')
			q++;
	}
	size_t n = (size_t)(q - a);
	if (n >= sizeof(small))
		t = xmalloc(n + 1);
	memcpy(t, a, n);
	t[n] = '\0';
	errno = 0;
	if (*is_int) {
		long long x = strtoll(t, NULL, 10);
		if (errno == ERANGE) {
			if (t != small)
				free(t);
			return syntax(r, a, "too big %sinteger", *a == '-' ? "negative " : "");
		}
		*i = x;
		*v = (double)x;
	} else {
		*v = strtod(t, NULL);
		if (errno == ERANGE && isinf(*v)) {
			if (t != small)
				free(t);
			return syntax(r, a, "real number overflow");
		}
	}
	if (t != small)
		free(t);
	r->p = q;
	return 0;
}

static int
literal(struct rd *r, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0)
		return syntax(r, r->p, "an invalid value");
	r->p += n;
	return 0;
}

static int skip(struct rd *r);

/* Enter an object or a list (at its '{' or '['). */
static int
enter(struct rd *r)
{
	if (++r->depth > MAX_DEPTH)
		return syntax(r, r->p, "nested more than %d deep", MAX_DEPTH);
	r->p++;
	return 0;
}

/* After a member or an element: 1 when another follows (the ',' taken),
 * 0 at the close (taken). */
static int
more(struct rd *r, char close)
{
	int c = peek(r);

	if (c == ',') {
		r->p++;
		return 1;
	}
	if (c == (unsigned char)close) {
		r->p++;
		r->depth--;
		return 0;
	}
	return c ? syntax(r, r->p, "',' or '%c' expected", close)
		 : syntax(r, r->p, "'%c' expected, the text ends", close);
}

/* Is the object or list (just entered) empty?  (its close taken) */
static int
empty(struct rd *r, char close)
{
	if (peek(r) == (unsigned char)close) {
		r->p++;
		r->depth--;
		return 1;
	}
	return 0;
}

/* Enter an object or a list: -1, 0 when it is empty (and closed), 1 when
 * members or elements follow. */
static int
begin(struct rd *r, char close)
{
	if (enter(r) < 0)
		return -1;
	return !empty(r, close);
}

static int
num_start(int c)
{
	return c == '-' || (c >= '0' && c <= '9');
}

/* The next member's key (into buf[0]) and its ':'. */
static int
key(struct rd *r, const char **k)
{
	if (peek(r) != '"')
		return syntax(r, r->p, "a string expected as a key");
	if (string(r, 0, k) < 0)
		return -1;
	return expect(r, ':');
}

static int
skip(struct rd *r)
{
	int c = peek(r), is_int, m;
	const char *s;
	int64_t i;
	double v;

	switch (c) {
	case '{':
		if ((m = begin(r, '}')) <= 0)
			return m;
		do {
			if (key(r, &s) < 0 || skip(r) < 0)
				return -1;
		} while ((m = more(r, '}')) == 1);
		return m;
	case '[':
		if ((m = begin(r, ']')) <= 0)
			return m;
		do {
			if (skip(r) < 0)
				return -1;
		} while ((m = more(r, ']')) == 1);
		return m;
	case '"': return string(r, 1, &s);
	case 't': return literal(r, "true");
	case 'f': return literal(r, "false");
	case 'n': return literal(r, "null");
	case 0: return syntax(r, r->p, "a value expected, the text ends");
	default:
		if (num_start(c))
			return number(r, &is_int, &i, &v);
		return syntax(r, r->p, "a value expected");
	}
}

/* A loss or an intermediate loss: a number, or "nan", "inf", ... (as
 * plot.c's loss_value); 1 when it is one, 0 for another value (skipped). */
static int
loss(struct rd *r, double *out)
{
	int c = peek(r), is_int;
	const char *s;
	int64_t i;

	if (num_start(c))
		return number(r, &is_int, &i, out) < 0 ? -1 : 1;
	if (c != '"')
		return skip(r) < 0 ? -1 : 0;
	if (string(r, 1, &s) < 0)
		return -1;
	if (strcasecmp(s, "nan") == 0)
		*out = NAN;
	else if (strcasecmp(s, "inf") == 0 || strcasecmp(s, "infinity") == 0)
		*out = INFINITY;
	else if (strcasecmp(s, "-inf") == 0 || strcasecmp(s, "-infinity") == 0)
		*out = -INFINITY;
	else
		return 0;
	return 1;
}

static int
parameters(struct rd *r, struct hpo_plot_build *b)
{
	const char *k, *s;
	char *name;
	int m, is_int, c;
	int64_t i;
	double v;

	if ((m = begin(r, '}')) <= 0)
		return m;
	do {
		if (key(r, &k) < 0)
			return -1;
		c = peek(r);
		if (num_start(c)) {
			if (number(r, &is_int, &i, &v) < 0)
				return -1;
			if (is_int)
				hpo_plot_build_integer(b, k, i);
			else
				hpo_plot_build_real(b, k, v);
		} else if (c == '"') {
			if (string(r, 1, &s) < 0)
				return -1;
			hpo_plot_build_text(b, k, s, 1);
		} else if (c == 'n') {
			if (literal(r, "null") < 0)
				return -1;
			hpo_plot_build_null(b, k);
		} else {
			/* true, false, an object or a list: their JSON text, as jansson
			 * writes it (sorted keys) */
			const char *a = r->p;
			json_t *j;
			char *t;
			name = xstrdup(k);
			if (skip(r) < 0) {
				free(name);
				return -1;
			}
			j = json_loadb(a, (size_t)(r->p - a), JSON_DECODE_ANY, NULL);
			t = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS) : NULL;
			json_decref(j);
			hpo_plot_build_text(b, name, t ? t : "null", 0);
			free(t);
			free(name);
		}
	} while ((m = more(r, '}')) == 1);
	return m;
}

static int
intermediate(struct rd *r, struct hpo_plot_build *b)
{
	int m, c = peek(r);
	size_t k = 0;
	double v;

	if (c == 'n')
		return literal(r, "null");
	if (c != '[') {
		hpo_plot_build_bad_curve(b, (size_t)-1);
		return skip(r);
	}
	hpo_plot_build_curve_start(b);
	if ((m = begin(r, ']')) <= 0)
		return m;
	do {
		int got;
		if (peek(r) == 'n') {
			if (literal(r, "null") < 0)
				return -1;
			got = 1;
			v = NAN;
		} else if ((got = loss(r, &v)) < 0) {
			return -1;
		}
		if (!got) {
			hpo_plot_build_bad_curve(b, k);
			v = NAN;
		}
		hpo_plot_build_curve(b, v);
		k++;
	} while ((m = more(r, ']')) == 1);
	return m;
}

static int
point(struct rd *r, struct hpo_plot_build *b)
{
	const char *k, *s;
	int m, is_int, has_params = 0;
	int64_t i;
	double v = NAN;

	hpo_plot_build_point(b);
	if (peek(r) != '{') {
		hpo_plot_build_bad_params(b);
		return skip(r);
	}
	if (enter(r) < 0)
		return -1;
	if (empty(r, '}')) {
		hpo_plot_build_bad_params(b);
		return 0;
	}
	do {
		if (key(r, &k) < 0)
			return -1;
		int c = peek(r);
		if (strcmp(k, "id") == 0 && (num_start(c))) {
			if (number(r, &is_int, &i, &v) < 0)
				return -1;
			if (is_int)
				hpo_plot_build_id(b, i);
		} else if (strcmp(k, "status") == 0 && c == '"') {
			if (string(r, 1, &s) < 0)
				return -1;
			hpo_plot_build_status(b, s);
		} else if (strcmp(k, "loss") == 0) {
			int got = loss(r, &v);
			if (got < 0)
				return -1;
			hpo_plot_build_loss(b, got, v);
		} else if (strcmp(k, "message") == 0 && c == '"') {
			if (string(r, 1, &s) < 0)
				return -1;
			hpo_plot_build_message(b, s);
		} else if (strcmp(k, "parameters") == 0) {
			has_params = 1;
			if (c == '{') {
				if (parameters(r, b) < 0)
					return -1;
			} else if (c == 'n') {
				if (literal(r, "null") < 0)
					return -1;
			} else {
				hpo_plot_build_bad_params(b);
				if (skip(r) < 0)
					return -1;
			}
		} else if (strcmp(k, "intermediate") == 0) {
			if (intermediate(r, b) < 0)
				return -1;
		} else if (skip(r) < 0) {
			return -1;
		}
	} while ((m = more(r, '}')) == 1);
	if (m == 0 && !has_params)
		hpo_plot_build_bad_params(b);
	return m;
}

/* The space: each entry that is an object, with its "method". */
static int
space(struct rd *r, struct hpo_plot_build *b)
{
	const char *k, *s;
	char *name, *method;
	int m, mm;

	if (peek(r) != '{')
		return skip(r);
	if ((m = begin(r, '}')) <= 0)
		return m;
	do {
		if (key(r, &k) < 0)
			return -1;
		if (peek(r) != '{') {
			if (skip(r) < 0)
				return -1;
			continue;
		}
		name = xstrdup(k);
		method = NULL;
		if (enter(r) < 0)
			goto fail;
		if (!empty(r, '}')) {
			do {
				if (key(r, &k) < 0)
					goto fail;
				if (strcmp(k, "method") == 0 && peek(r) == '"') {
					if (string(r, 1, &s) < 0)
						goto fail;
					free(method);
					method = xstrdup(s);
				} else if (skip(r) < 0) {
					goto fail;
				}
			} while ((mm = more(r, '}')) == 1);
			if (mm < 0)
				goto fail;
		}
		hpo_plot_build_space(b, name, method);
		free(name);
		free(method);
	} while ((m = more(r, '}')) == 1);
	return m;
fail:
	free(name);
	free(method);
	return -1;
}

/* A task (at its '{'): into *out; its id (0 when not an integer) and whether
 * it has a "points" list. */
static int
task(struct rd *r, struct hpo_plot_build **out, int64_t *id, int *points)
{
	struct hpo_plot_build *b = hpo_plot_build_new();
	char *str[3] = {NULL, NULL, NULL};
	static const char *const names[3] = {"name", "status", "backend"};
	const char *k, *s;
	int m, is_int;
	int64_t i;
	double v;

	*out = NULL;
	*id = 0;
	*points = 0;
	if (enter(r) < 0)
		goto fail;
	if (!empty(r, '}')) {
		do {
			int c, f;
			if (key(r, &k) < 0)
				goto fail;
			c = peek(r);
			for (f = 0; f < 3 && strcmp(k, names[f]) != 0; f++)
				;
			if (f < 3) {
				free(str[f]);
				str[f] = NULL;
				if (c == '"') {
					if (string(r, 1, &s) < 0)
						goto fail;
					str[f] = xstrdup(s);
				} else if (skip(r) < 0) {
					goto fail;
				}
			} else if (strcmp(k, "id") == 0) {
				*id = 0;
				if (num_start(c)) {
					if (number(r, &is_int, &i, &v) < 0)
						goto fail;
					*id = is_int ? i : 0;
				} else if (skip(r) < 0) {
					goto fail;
				}
			} else if (strcmp(k, "space") == 0) {
				if (space(r, b) < 0)
					goto fail;
			} else if (strcmp(k, "points") == 0 && c == '[') {
				*points = 1;
				if (enter(r) < 0)
					goto fail;
				if (!empty(r, ']')) {
					int mm;
					do {
						if (point(r, b) < 0)
							goto fail;
					} while ((mm = more(r, ']')) == 1);
					if (mm < 0)
						goto fail;
				}
			} else if (skip(r) < 0) {
				goto fail;
			}
		} while ((m = more(r, '}')) == 1);
		if (m < 0)
			goto fail;
	}
	hpo_plot_build_task(b, *id, str[0], str[1], str[2]);
	for (int f = 0; f < 3; f++)
		free(str[f]);
	*out = b;
	return 0;
fail:
	for (int f = 0; f < 3; f++)
		free(str[f]);
	hpo_plot_build_free(b);
	return -1;
}

int
hpo_plot_read(const char *what, const char *text, size_t len, int64_t id,
	      struct hpo_plot_data **out, struct hpo_err *err)
{
	struct rd r = {what, text, text, text + len, err, 0, {NULL, NULL}, {0, 0}};
	struct hpo_plot_build *chosen = NULL;
	char *schema = NULL;
	int64_t version = 0;
	int is_object = 0, tasks_list = 0, chosen_points = 0, chosen_object = 0, m, rc = -1;
	size_t ntasks = 0;
	const char *k, *s;

	*out = NULL;
	if (peek(&r) == '[') {
		if (skip(&r) < 0)
			goto out;
	} else if (peek(&r) == '{') {
		is_object = 1;
		if (enter(&r) < 0)
			goto out;
		if (!empty(&r, '}')) {
			do {
				int c, is_int;
				int64_t i;
				double v;
				if (key(&r, &k) < 0)
					goto out;
				c = peek(&r);
				if (strcmp(k, "schema") == 0) {
					free(schema);
					schema = NULL;
					if (c == '"') {
						if (string(&r, 1, &s) < 0)
							goto out;
						schema = xstrdup(s);
					} else if (skip(&r) < 0) {
						goto out;
					}
				} else if (strcmp(k, "version") == 0) {
					version = 0;
					if (num_start(c)) {
						if (number(&r, &is_int, &i, &v) < 0)
							goto out;
						version = is_int ? i : 0;
					} else if (skip(&r) < 0) {
						goto out;
					}
				} else if (strcmp(k, "tasks") == 0 && c == '[') {
					/* a second "tasks" replaces the first */
					hpo_plot_build_free(chosen);
					chosen = NULL;
					ntasks = 0;
					tasks_list = 1;
					if (enter(&r) < 0)
						goto out;
					if (!empty(&r, ']')) {
						int mm;
						do {
							int64_t tid;
							int pts;
							struct hpo_plot_build *b;
							ntasks++;
							if (peek(&r) != '{' || (id < 0 && ntasks > 1) ||
							    (id >= 0 && chosen != NULL)) {
								if (skip(&r) < 0)
									goto out;
								continue;
							}
							if (task(&r, &b, &tid, &pts) < 0)
								goto out;
							if (id < 0 || tid == id) {
								chosen = b;
								chosen_points = pts;
								chosen_object = 1;
							} else {
								hpo_plot_build_free(b);
							}
						} while ((mm = more(&r, ']')) == 1);
						if (mm < 0)
							goto out;
					}
				} else {
					if (strcmp(k, "tasks") == 0)
						tasks_list = 0;
					if (skip(&r) < 0)
						goto out;
				}
			} while ((m = more(&r, '}')) == 1);
			if (m < 0)
				goto out;
		}
	} else {
		syntax(&r, r.p, r.p < r.end ? "'[' or '{' expected" : "no JSON value, the text is empty");
		goto out;
	}
	/* (peek's 0 is also a NUL byte) */
	ws(&r);
	if (r.p != r.end) {
		syntax(&r, r.p, "the end of the text expected");
		goto out;
	}
	/* what hpo_plot_view_task says of the tree */
	if (!is_object || schema == NULL || strcmp(schema, HPO_VIEW_SCHEMA) != 0) {
		hpo_err_set(err, HPO_E_INPUT, "%s: not a task view (no \"schema\": \"%s\")", what,
			    HPO_VIEW_SCHEMA);
		goto out;
	}
	if (version != HPO_VIEW_VERSION) {
		hpo_err_set(err, HPO_E_INPUT, "%s: task view version %lld, this hpo-plot reads %d",
			    what, (long long)version, HPO_VIEW_VERSION);
		goto out;
	}
	if (!tasks_list) {
		hpo_err_set(err, HPO_E_INPUT, "%s: \"tasks\" is not a list", what);
		goto out;
	}
	if (id < 0 && ntasks != 1) {
		hpo_err_set(err, ntasks ? HPO_E_INPUT : HPO_E_NOTFOUND,
			    "%s: holds %zu tasks: name one by its ID", what, ntasks);
		goto out;
	}
	if (id >= 0 && chosen == NULL) {
		hpo_err_set(err, HPO_E_NOTFOUND, "%s: no task %lld", what, (long long)id);
		goto out;
	}
	if (!chosen_object || !chosen_points) {
		hpo_err_set(err, HPO_E_INPUT, "%s: a task without a \"points\" list", what);
		goto out;
	}
	rc = hpo_plot_build_finish(chosen, out, err);
	chosen = NULL;
out:
	hpo_plot_build_free(chosen);
	free(schema);
	free(r.buf[0]);
	free(r.buf[1]);
	return rc;
}

/* ---- a local point's columns ----------------------------------------------------- */

int
hpo_plot_read_params(struct hpo_plot_build *b, const char *text)
{
	struct hpo_err err;
	struct rd r = {"params", text, text, text + strlen(text), &err, 0, {NULL, NULL}, {0, 0}};
	int rc = peek(&r) == '{' && parameters(&r, b) == 0 && (ws(&r), r.p == r.end) ? 0 : -1;

	free(r.buf[0]);
	free(r.buf[1]);
	return rc;
}

int
hpo_plot_read_curve(struct hpo_plot_build *b, const char *text)
{
	struct hpo_err err;
	struct rd r = {"intermediate", text, text, text + strlen(text), &err, 0, {NULL, NULL}, {0, 0}};
	int m, rc = -1;
	double v;

	hpo_plot_build_curve_start(b);
	if (peek(&r) != '[' || (m = begin(&r, ']')) < 0)
		goto out;
	/* numbers and "nan", "inf", ... only, as the store checks them */
	while (m == 1) {
		if (loss(&r, &v) != 1)
			goto out;
		hpo_plot_build_curve(b, v);
		m = more(&r, ']');
	}
	rc = m == 0 && (ws(&r), r.p == r.end) ? 0 : -1;
out:
	free(r.buf[0]);
	free(r.buf[1]);
	return rc;
}
