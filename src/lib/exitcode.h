/* exitcode.h - the exit codes of every hpo-tools command, in one table
 *
 * Scripts and evaluation wrappers call several of the tools, so a cause has
 * one number in all of them: a credential problem is 10 from hpo-submit,
 * hpo-status, hpo-plot and hpo-ckpt alike.  The shared codes are 0-3, 9-14
 * and 130; 4-8 are each tool's own results (hpo-status --wait outcomes,
 * hpo-ckpt "no usable checkpoint", hpo-submit --local "the task failed"),
 * described by the tool's --help and man page.  --help prints this table,
 * hpo-tools(7) lists it (tests/integration/options.sh checks that the page
 * and the table agree), and a code never changes meaning once released:
 * NEWS names any that moved.
 */
#ifndef HPO_EXITCODE_H
#define HPO_EXITCODE_H

#include <stdio.h>

#include "err.h"

enum hpo_exit {
	HPO_EXIT_OK = 0,
	HPO_EXIT_ERROR = 1,		/* system or internal: I/O, database, runtime */
	HPO_EXIT_USAGE = 2,
	HPO_EXIT_NOTFOUND = 3,
	HPO_EXIT_TOOL_FIRST = 4,	/* 4-8: the tool's own results */
	HPO_EXIT_TOOL_LAST = 8,
	HPO_EXIT_TIMEOUT = 9,
	HPO_EXIT_AUTH = 10,
	HPO_EXIT_UNREACHABLE = 11,
	HPO_EXIT_REFUSED = 12,
	HPO_EXIT_INPUT = 13,
	HPO_EXIT_BUSY = 14,
	HPO_EXIT_INTERRUPTED = 130,	/* 128 + SIGINT, as the shells say */
};

struct hpo_exitcode {
	int code;
	const char *name;	/* symbolic name: AUTH, NOTFOUND, ... */
	const char *help;	/* one line, lowercase, no trailing period */
};

/* The shared codes in ascending order; ends with an entry whose name is NULL. */
extern const struct hpo_exitcode hpo_exit_table[];

/* The shared entry of a code, NULL when the code is no shared one. */
const struct hpo_exitcode *hpo_exit_lookup(int code);

/* The exit code of an error: one mapping from error kind to code for every
 * tool (HPO_E_RUNTIME and HPO_E_SYS are HPO_EXIT_ERROR). */
int hpo_exit_for(const struct hpo_err *err);

/* The "exit status:" section of --help: the shared codes, with the tool's
 * note under any of them, and the tool's own codes (4-8) in order.  own
 * ends with an entry whose help is NULL; it may be NULL.  A help text may
 * hold newlines: the next lines are indented under the first. */
void hpo_exit_help(FILE *f, const struct hpo_exitcode *own);

#endif
