/* err.h - error values: a status code and a message
 *
 * Library functions return 0 on success and -1 on failure, filling a
 * struct hpo_err.  The message is lowercase, with no trailing period, and
 * already names the file:line:column, option or path it is about; the tool
 * prefixes its own name and prints it once.
 */
#ifndef HPO_ERR_H
#define HPO_ERR_H

#include <stddef.h>

enum hpo_errkind {
	HPO_E_OK = 0,
	HPO_E_SYS,	/* I/O, memory, a system call failed */
	HPO_E_INPUT,	/* bad user input: task file, space, JSON, options */
	HPO_E_NOTFOUND,	/* no such task, point or file asked for by id */
	HPO_E_BUSY,	/* the task is locked by another process */
	HPO_E_RUNTIME,	/* a container runtime is missing or not working */
	HPO_E_AUTH,	/* credentials missing, unsafe, expired or refused */
	HPO_E_NET,	/* the server could not be reached or kept failing (transient) */
	HPO_E_SERVER,	/* the server refused the request (permanent: 4xx, success false) */
};

struct hpo_err {
	enum hpo_errkind kind;
	char msg[1024];
};

#if defined(__GNUC__)
#define HPO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HPO_PRINTF(a, b)
#endif

/* Set the error and return -1.  err may be NULL. */
int hpo_err_set(struct hpo_err *err, enum hpo_errkind kind, const char *fmt, ...)
	HPO_PRINTF(3, 4);
/* Like hpo_err_set with ": strerror(errno)" appended. */
int hpo_err_sys(struct hpo_err *err, const char *fmt, ...) HPO_PRINTF(2, 3);
/* Put "prefix: " in front of an existing message. */
int hpo_err_prefix(struct hpo_err *err, const char *fmt, ...) HPO_PRINTF(2, 3);
void hpo_err_clear(struct hpo_err *err);

#endif
