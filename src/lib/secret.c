/* secret.c - credentials in a file's text */
#include "autoconf.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "secret.h"

/* one line: [s, end) */
struct line {
	const char *s, *end;
};

static int
b64url(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

/* the first what in the line at from or after, NULL if none */
static const char *
find(const struct line *l, const char *from, const char *what, int nocase)
{
	size_t n = strlen(what);

	for (const char *p = from; p + n <= l->end; p++)
		if ((nocase ? strncasecmp(p, what, n) : memcmp(p, what, n)) == 0)
			return p;
	return NULL;
}

static int
private_key(const struct line *l)
{
	const char *b = find(l, l->s, "-----BEGIN ", 0);

	return b != NULL && find(l, b, "PRIVATE KEY", 0) != NULL;
}

/* "eyJ" and at least 10 more base64url characters at p; its end, or NULL */
static const char *
jwt_part(const char *p, const char *end)
{
	const char *q = p + 3;

	if (end - p < 13 || memcmp(p, "eyJ", 3) != 0)
		return NULL;
	while (q < end && b64url(*q))
		q++;
	return q - p >= 13 ? q : NULL;
}

static int
jwt(const struct line *l)
{
	for (const char *p = l->s; (p = find(l, p, "eyJ", 0)) != NULL; p++) {
		const char *q;

		if (p > l->s && b64url(p[-1]))
			continue;
		if ((q = jwt_part(p, l->end)) != NULL && q < l->end && *q == '.' &&
		    (q = jwt_part(q + 1, l->end)) != NULL && q < l->end && *q == '.')
			return 1;
	}
	return 0;
}

static int
aws_key(const struct line *l)
{
	for (const char *p = l->s; (p = find(l, p, "AKIA", 0)) != NULL; p++) {
		int n = 0;

		if (p > l->s && isalnum((unsigned char)p[-1]))
			continue;
		while (p + 4 + n < l->end && n <= 16 &&
		       (isupper((unsigned char)p[4 + n]) || isdigit((unsigned char)p[4 + n])))
			n++;
		if (n == 16)
			return 1;
	}
	return 0;
}

/* the next word of a line: *w its start, returns its end (w == end: none) */
static const char *
word(const struct line *l, const char *p, const char **w)
{
	while (p < l->end && isspace((unsigned char)*p))
		p++;
	*w = p;
	while (p < l->end && !isspace((unsigned char)*p))
		p++;
	return p;
}

static int
is_word(const char *w, const char *e, const char *what)
{
	return (size_t)(e - w) == strlen(what) && memcmp(w, what, (size_t)(e - w)) == 0;
}

/* .netrc: "machine HOST ... password X" or "default ... password X" on one
 * line, or a line "password X" */
static int
netrc(const struct line *l)
{
	const char *w, *e = word(l, l->s, &w), *v, *ve;

	if (is_word(w, e, "password")) {
		ve = word(l, e, &v);
		return ve > v && word(l, ve, &w) == w;
	}
	if (!is_word(w, e, "machine") && !is_word(w, e, "default"))
		return 0;
	while (e < l->end) {
		e = word(l, e, &w);
		if (is_word(w, e, "password")) {
			ve = word(l, e, &v);
			return ve > v;
		}
	}
	return 0;
}

/* a value that names no password: a variable, a placeholder, a tag, ... */
static int
not_literal(const char *v, const char *e)
{
	static const char *const words[] = {"null", "none", "nil", "true", "false", "~", NULL};

	if (v == e || strchr("$<{[(!*&|>#%", *v) != NULL)
		return 1;
	for (size_t i = 0; words[i] != NULL; i++)
		if ((size_t)(e - v) == strlen(words[i]) && strncasecmp(v, words[i], (size_t)(e - v)) == 0)
			return 1;
	return 0;
}

/* key = value, key: value with a key holding password, passwd or passphrase */
static int
key_value(const struct line *l, int unquoted)
{
	static const char *const keys[] = {"password", "passwd", "passphrase", NULL};

	for (size_t k = 0; keys[k] != NULL; k++) {
		for (const char *p = l->s; (p = find(l, p, keys[k], 1)) != NULL; p++) {
			const char *q = p + strlen(keys[k]), *v, *e;

			while (q < l->end && (isalnum((unsigned char)*q) || *q == '_' || *q == '-'))
				q++;
			if (q < l->end && (*q == '"' || *q == '\''))
				q++;
			while (q < l->end && (*q == ' ' || *q == '\t'))
				q++;
			if (q >= l->end || (*q != ':' && *q != '=') || (q + 1 < l->end && q[1] == '='))
				continue;
			for (q++; q < l->end && (*q == ' ' || *q == '\t'); q++)
				;
			if (q < l->end && (*q == '"' || *q == '\'')) {
				v = q + 1;
				for (e = v; e < l->end && *e != *q; e++)
					;
				if (e < l->end && !not_literal(v, e))
					return 1;
			} else if (unquoted) {
				v = q;
				for (e = v; e < l->end && !isspace((unsigned char)*e) && *e != ',' &&
					    *e != '}' && *e != ';'; e++)
					;
				if (!not_literal(v, e))
					return 1;
			}
		}
	}
	return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int
hpo_secret_find(const char *buf, size_t len, const char *name, const char **what, size_t *line)
{
	int unquoted = !ends_with(name, ".py") && !ends_with(name, ".json");
	const char *p = buf, *end = buf + len;

	for (size_t n = 1; p < end; n++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct line l = {p, nl ? nl : end};

		*what = private_key(&l)		 ? "a private key"
			: jwt(&l)		 ? "a bearer token (a JSON Web Token)"
			: aws_key(&l)		 ? "an AWS access key"
			: netrc(&l)		 ? "a password (.netrc)"
			: key_value(&l, unquoted) ? "a password"
						 : NULL;
		if (*what != NULL) {
			*line = n;
			return 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}
