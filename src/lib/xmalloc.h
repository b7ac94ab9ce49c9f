/* xmalloc.h - allocation that cannot fail
 *
 * The tools are short-lived and every engine step is a transaction (the
 * database rolls back what a process did not commit), so when an
 * allocation fails there is nothing worth saving: these functions print
 * "<tool>: out of memory" once on stderr (the name given to hpo_log_init,
 * "hpo" before) and end the process with HPO_EXIT_ERROR.  Callers neither check their
 * result nor keep cleanup paths for it.
 *
 * jansson: hpo_xmalloc_init() makes jansson allocate through the same
 * failure handling, so json_object(), json_array(), json_integer(),
 * json_dumps() and the like never return NULL for lack of memory.  It is
 * called by hpo_log_init (every tool calls that in main(), once its
 * options are read), rather than lazily, so that no allocation path has to
 * remember it; calling it again only sets three pointers.  The unit tests
 * and fuzz harnesses that never call hpo_log_init keep jansson's own
 * allocator.  A NULL from json_string() (invalid UTF-8 or a NULL
 * argument), json_pack() (a NULL string or a bad format) or json_loads()
 * (a parse error) still means what it meant, and is still checked.
 */
#ifndef HPO_XMALLOC_H
#define HPO_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
/* realloc(p, nmemb * size), refusing a product that overflows */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* at most n bytes of s, NUL-terminated */
char *xstrndup(const char *s, size_t n);
/* printf into a new string */
char *xasprintf(const char *fmt, ...) HPO_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) HPO_PRINTF(1, 0);

/* Print "<tool>: out of memory" and exit with HPO_EXIT_ERROR. */
_Noreturn void hpo_oom(void);

/* The tool's name for the message, and jansson allocating with the
 * functions above (see the top).  hpo_log_init calls it. */
void hpo_xmalloc_init(const char *progname);

#endif
