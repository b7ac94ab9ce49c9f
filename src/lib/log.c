/* log.c - messages on stderr */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"
#include "text.h"

/* Process settings: written once by hpo_log_init, read everywhere. */
static const char *progname = "hpo";
static enum hpo_verbosity verbosity = HPO_LOG_NORMAL;
static int tty = -1;
static int line_shown;

void
hpo_log_init(const char *name, enum hpo_verbosity v)
{
	const char *slash = strrchr(name, '/');

	progname = slash ? slash + 1 : name;
	verbosity = v;
	tty = isatty(STDERR_FILENO);
	hpo_xmalloc_init(progname);
}

const char *
hpo_progname(void)
{
	return progname;
}

int
hpo_log_verbosity(void)
{
	return verbosity;
}

int
hpo_log_isatty(void)
{
	if (tty < 0)
		tty = isatty(STDERR_FILENO);
	return tty;
}

/* Messages quote servers, files and evaluations: their control characters
 * are shown as '?' (text.h), never sent to the terminal. */
static void
vlog(const char *kind, const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	hpo_text_sanitize(buf, 1);
	hpo_status_clear();
	fprintf(stderr, "%s: %s%s\n", progname, kind, buf);
	fflush(stderr);
}

void
hpo_info(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < HPO_LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void
hpo_debug(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < HPO_LOG_VERBOSE)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void
hpo_warn(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < HPO_LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void
hpo_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void
hpo_status_line(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!hpo_log_isatty() || verbosity < HPO_LOG_NORMAL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	hpo_text_sanitize(buf, 0);
	fputs("\r\033[K", stderr);
	fputs(buf, stderr);
	fflush(stderr);
	line_shown = 1;
}

void
hpo_status_clear(void)
{
	if (!line_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	line_shown = 0;
}
