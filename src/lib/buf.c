/* buf.c - a growable string buffer */
#include "autoconf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define FIRST_CAP 64

int
hpo_buf_add(struct hpo_buf *b, const void *p, size_t n)
{
	if (b->max > 0 && (n > b->max || b->len > b->max - n))
		return -1;
	if (n >= SIZE_MAX / 2 - b->len)
		hpo_oom();	/* no block that large */
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap > 0 ? b->cap : FIRST_CAP;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xreallocarray(b->s, cap, 1);
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int
hpo_buf_adds(struct hpo_buf *b, const char *s)
{
	return hpo_buf_add(b, s, strlen(s));
}

int
hpo_buf_addf(struct hpo_buf *b, const char *fmt, ...)
{
	char small[256], *big;
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return hpo_buf_add(b, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	rc = hpo_buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

const char *
hpo_buf_str(const struct hpo_buf *b)
{
	return b->s != NULL ? b->s : "";
}

void
hpo_buf_reset(struct hpo_buf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

char *
hpo_buf_take(struct hpo_buf *b)
{
	char *s = b->s;
	size_t max = b->max;

	if (s == NULL)
		s = xstrdup("");
	memset(b, 0, sizeof(*b));
	b->max = max;
	return s;
}

void
hpo_buf_free(struct hpo_buf *b)
{
	size_t max = b->max;

	free(b->s);
	memset(b, 0, sizeof(*b));
	b->max = max;
}
