/* log.h - messages on stderr, prefixed with the tool's name */
#ifndef HPO_LOG_H
#define HPO_LOG_H

#include "err.h"

enum hpo_verbosity { HPO_LOG_QUIET = 0, HPO_LOG_NORMAL = 1, HPO_LOG_VERBOSE = 2 };

/* Process settings, set once by main(); also makes jansson allocate
 * through xmalloc.h (out of memory ends the process). */
void hpo_log_init(const char *progname, enum hpo_verbosity v);
const char *hpo_progname(void);
int hpo_log_verbosity(void);

/* "prog: message" on stderr when verbosity allows (info and warnings:
 * NORMAL, debug: VERBOSE); errors always. */
void hpo_info(const char *fmt, ...) HPO_PRINTF(1, 2);
void hpo_debug(const char *fmt, ...) HPO_PRINTF(1, 2);
void hpo_warn(const char *fmt, ...) HPO_PRINTF(1, 2);
void hpo_error(const char *fmt, ...) HPO_PRINTF(1, 2);

/* A live status line on stderr when it is a terminal: hpo_status_line
 * redraws it; messages printed meanwhile go above it. */
int hpo_log_isatty(void);
void hpo_status_line(const char *fmt, ...) HPO_PRINTF(1, 2);
void hpo_status_clear(void);

#endif
