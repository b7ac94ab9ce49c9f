/* xmalloc.c - allocation that cannot fail: out of memory ends the process */
#include "autoconf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "exitcode.h"
#include "xmalloc.h"

/* the tool's name, from hpo_log_init (this module uses no other) */
static const char *oom_name = "hpo";

_Noreturn void
hpo_oom(void)
{
	static volatile int said;

	/* once: an exit handler that allocates and fails again ends at once */
	if (said)
		_exit(HPO_EXIT_ERROR);
	said = 1;
	fprintf(stderr, "%s: out of memory\n", oom_name);
	exit(HPO_EXIT_ERROR);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		hpo_oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		hpo_oom();
	return p;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	void *q;

	if (size != 0 && nmemb > SIZE_MAX / size)
		hpo_oom();
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((q = realloc(p, nmemb * size)) == NULL)
		hpo_oom();
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		hpo_oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		hpo_oom();
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char *s;

	/* vasprintf fails for lack of memory, or for a result longer than
	 * INT_MAX (EOVERFLOW), which no caller builds */
	if (vasprintf(&s, fmt, ap) < 0)
		hpo_oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static void *
json_xmalloc(size_t size)
{
	return xmalloc(size);
}

void
hpo_xmalloc_init(const char *progname)
{
	oom_name = progname;
	json_set_alloc_funcs(json_xmalloc, free);
}
