/* err.c - error values */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "text.h"

/* Messages quote servers, files and evaluations: nothing in them may steer
 * the terminal they are printed on. */
static void
vset(struct hpo_err *err, const char *fmt, va_list ap)
{
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	hpo_text_sanitize(err->msg, 1);
}

int
hpo_err_set(struct hpo_err *err, enum hpo_errkind kind, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->kind = kind;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	return -1;
}

int
hpo_err_sys(struct hpo_err *err, const char *fmt, ...)
{
	int saved = errno;
	size_t len;
	va_list ap;

	if (err == NULL)
		return -1;
	err->kind = HPO_E_SYS;
	va_start(ap, fmt);
	vset(err, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(saved));
	errno = saved;
	return -1;
}

int
hpo_err_prefix(struct hpo_err *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof(err->msg)];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	hpo_text_sanitize(err->msg, 1);
	return -1;
}

void
hpo_err_clear(struct hpo_err *err)
{
	if (err == NULL)
		return;
	err->kind = HPO_E_OK;
	err->msg[0] = '\0';
}
