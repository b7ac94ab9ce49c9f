/* davs_parse.c - a PROPFIND listing and a Digest header, read (davs_parse.h)
 *
 * The XML is read by hand rather than with a parser library: the answer
 * is small, only four elements matter, and namespace prefixes differ
 * between servers (D:, d:, lp1:, none).  Every read is bounded by the
 * buffer's end; nothing past it is looked at.
 */
#include "autoconf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "davs_parse.h"
#include "xmalloc.h"

/* The next element whose local name is name (any namespace prefix) in
 * [p, end): its contents in [*in, *in_end), *after past its end tag.  An
 * empty element <x/> has empty contents.  0 found, -1 not. */
static int
element(const char *p, const char *end, const char *name, const char **in, const char **in_end,
	const char **after)
{
	size_t nl = strlen(name);

	for (; p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL; p++) {
		const char *q = p + 1, *colon, *gt, *tag;
		size_t tl;

		if (q >= end || *q == '/' || *q == '?' || *q == '!')
			continue;
		tag = q;
		while (q < end && !isspace((unsigned char)*q) && *q != '>' && *q != '/')
			q++;
		tl = (size_t)(q - tag);
		colon = memchr(tag, ':', tl);
		if (colon != NULL) {
			tl -= (size_t)(colon + 1 - tag);
			tag = colon + 1;
		}
		if (tl != nl || memcmp(tag, name, nl) != 0)
			continue;
		if ((gt = memchr(q, '>', (size_t)(end - q))) == NULL)
			return -1;
		if (gt[-1] == '/') {
			*in = *in_end = gt + 1;
			*after = gt + 1;
			return 0;
		}
		*in = gt + 1;
		/* the end tag: </prefix:name> or </name> */
		for (const char *e = gt + 1; e < end && (e = memchr(e, '<', (size_t)(end - e))) != NULL;
		     e++) {
			const char *t = e + 2, *c2;
			size_t l2;

			if (e + 1 >= end || e[1] != '/')
				continue;
			const char *g2 = memchr(t, '>', (size_t)(end - t));
			if (g2 == NULL)
				return -1;
			l2 = (size_t)(g2 - t);
			c2 = memchr(t, ':', l2);
			if (c2 != NULL) {
				l2 -= (size_t)(c2 + 1 - t);
				t = c2 + 1;
			}
			while (l2 > 0 && isspace((unsigned char)t[l2 - 1]))
				l2--;
			if (l2 == nl && memcmp(t, name, nl) == 0) {
				*in_end = e;
				*after = g2 + 1;
				return 0;
			}
		}
		return -1;
	}
	return -1;
}

/* Text of [p, end): XML entities and then %XX decoded (href), trimmed;
 * *len its length (a decoded %00 is kept: the caller sees it). */
static char *
text_of(const char *p, const char *end, int percent, size_t *len)
{
	char *s = xmalloc((size_t)(end - p) + 1), *o = s;

	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	while (p < end) {
		static const struct { const char *e; char c; } ents[] = {
			{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
		};
		int done = 0;

		if (*p == '&')
			for (size_t i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
				size_t l = strlen(ents[i].e);
				if ((size_t)(end - p) >= l && memcmp(p, ents[i].e, l) == 0) {
					*o++ = ents[i].c;
					p += l;
					done = 1;
					break;
				}
			}
		if (!done)
			*o++ = *p++;
	}
	*o = '\0';
	*len = (size_t)(o - s);
	if (percent) {
		/* over every byte: a raw NUL must not end the text early either */
		char *r = s, *w = s, *e = o;
		while (r < e) {
			if (r[0] == '%' && r + 2 < e && isxdigit((unsigned char)r[1]) &&
			    isxdigit((unsigned char)r[2])) {
				char hex[3] = {r[1], r[2], '\0'};
				*w++ = (char)strtol(hex, NULL, 16);
				r += 3;
			} else {
				*w++ = *r++;
			}
		}
		*w = '\0';
		*len = (size_t)(w - s);
	}
	return s;
}

/* RFC 1123 date ("Thu, 27 Nov 2026 10:00:00 GMT"); 0 when unreadable */
static double
http_date(const char *s)
{
	struct tm tm;
	const char *e;

	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm)) == NULL)
		return 0;
	return (double)timegm(&tm);
}

/* The plain file name an href (decoded, hlen bytes) names inside the
 * collection, or NULL (the collection itself, something elsewhere, a
 * sub-collection, a name with a NUL in it). */
static const char *
href_name(const char *coll_path, char *href, size_t hlen)
{
	size_t pl = strlen(coll_path), hl;
	char *p = href;

	if (strlen(href) != hlen)
		return NULL;
	/* an absolute URL: keep its path */
	if (strncmp(p, "https://", 8) == 0 || strncmp(p, "http://", 7) == 0) {
		p = strchr(strstr(p, "://") + 3, '/');
		if (p == NULL)
			return NULL;
	}
	/* the collection's path, with or without "//" doubled by the server */
	while (p[0] == '/' && p[1] == '/')
		p++;
	if (strncmp(p, coll_path, pl) != 0)
		return NULL;
	p += pl;
	hl = strlen(p);
	if (hl == 0 || strchr(p, '/') != NULL || strcmp(p, ".") == 0 || strcmp(p, "..") == 0)
		return NULL;
	return p;
}


/* digits only, within uint64_t */
static int
size_of(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

void
hpo_davs_listing(const char *coll_path, const char *xml, size_t len,
		 struct hpo_ckpt_entry **out, size_t *n)
{
	struct hpo_ckpt_entry *v = NULL;
	size_t cap = 0, l;
	const char *p = xml, *end = xml + len, *in, *in_end, *after;

	*out = NULL;
	*n = 0;
	while (element(p, end, "response", &in, &in_end, &after) == 0) {
		const char *a, *b, *c, *name;
		char *href = NULL, *size = NULL, *mod = NULL;
		uint64_t bytes;

		p = after;
		if (element(in, in_end, "href", &a, &b, &c) < 0)
			continue;
		href = text_of(a, b, 1, &l);
		name = href_name(coll_path, href, l);
		if (name == NULL || element(in, in_end, "collection", &a, &b, &c) == 0 ||
		    element(in, in_end, "getcontentlength", &a, &b, &c) < 0) {
			free(href);
			continue;
		}
		size = text_of(a, b, 0, &l);
		if (size_of(size, &bytes) < 0) {
			free(href);
			free(size);
			continue;
		}
		if (element(in, in_end, "getlastmodified", &a, &b, &c) == 0)
			mod = text_of(a, b, 0, &l);
		if (*n == cap)
			v = xreallocarray(v, cap = cap ? 2 * cap : 16, sizeof(*v));
		v[*n].name = xstrdup(name);
		v[*n].size = bytes;
		v[*n].mtime = mod != NULL ? http_date(mod) : 0;
		free(href);
		free(size);
		free(mod);
		(*n)++;
	}
	*out = v;
}

int
hpo_davs_digest_adler32(const char *line, size_t len, uint32_t *adler)
{
	const char *p = line, *end = line + len;

	if (len < 7 || strncasecmp(p, "Digest:", 7) != 0)
		return 0;
	for (p += 7; p < end; p++) {
		uint32_t a = 0;
		size_t i;

		while (p < end && (*p == ',' || *p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) >= 16 && strncasecmp(p, "adler32=", 8) == 0) {
			for (i = 8; i < 16 && isxdigit((unsigned char)p[i]); i++)
				a = a << 4 | (uint32_t)(isdigit((unsigned char)p[i]) ? p[i] - '0' :
							tolower((unsigned char)p[i]) - 'a' + 10);
			if (i == 16 && (p + 16 == end || p[16] == ',' || isspace((unsigned char)p[16]))) {
				*adler = a;
				return 1;
			}
		}
		/* the next value */
		while (p < end && *p != ',')
			p++;
	}
	return 0;
}
