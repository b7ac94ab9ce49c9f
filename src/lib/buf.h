/* buf.h - a growable string buffer
 *
 * The bytes added so far, always NUL-terminated, in one malloc'ed block
 * that doubles as it fills; out of memory ends the process (xmalloc.h).
 * An optional limit (max) refuses what would make it longer: the buffer is
 * left as it was and hpo_buf_add returns -1 (the caller decides: libcurl
 * answers cut off, error bodies kept short).
 *
 * struct hpo_buf b = {0};  hpo_buf_adds(&b, "x");  s = hpo_buf_take(&b);
 */
#ifndef HPO_BUF_H
#define HPO_BUF_H

#include <stddef.h>

#include "err.h"

struct hpo_buf {
	char *s;		/* NULL until the first byte; s[len] == '\0' after */
	size_t len, cap;
	size_t max;		/* the most bytes it may hold; 0: no limit */
};

/* Append n bytes.  0, or -1 when over max (the buffer unchanged); without
 * a max, always 0. */
int hpo_buf_add(struct hpo_buf *b, const void *p, size_t n);
int hpo_buf_adds(struct hpo_buf *b, const char *s);
/* printf-style, any length */
int hpo_buf_addf(struct hpo_buf *b, const char *fmt, ...) HPO_PRINTF(2, 3);
/* The content, "" when nothing was added (never NULL). */
const char *hpo_buf_str(const struct hpo_buf *b);
/* Forget the content, keep the memory (and max). */
void hpo_buf_reset(struct hpo_buf *b);
/* The content as a malloc'ed string ("" when empty) that the caller frees;
 * the buffer is left empty (max kept). */
char *hpo_buf_take(struct hpo_buf *b);
void hpo_buf_free(struct hpo_buf *b);

#endif
