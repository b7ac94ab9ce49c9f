/* opts.h - one option table per tool
 *
 * The table feeds the option parser and --help; the man pages and shell
 * completions are checked against --help by tests/integration/options.sh,
 * so they cannot drift apart.
 */
#ifndef HPO_OPTS_H
#define HPO_OPTS_H

#include <stdio.h>

struct hpo_option {
	const char *name;	/* long name, without the dashes */
	int shrt;		/* short letter, or 0 */
	const char *arg;	/* placeholder of the argument, NULL for a flag */
	const char *help;
};

struct hpo_tool {
	const char *name;
	const char *const *usage;	/* synopsis lines, NULL-terminated */
	const char *summary;
	const struct hpo_option *opts;	/* ends with an entry whose name is NULL */
	const char *footer;		/* exit codes and more; may be NULL */
};

struct hpo_optstate {
	int index;		/* next argv index (like optind) */
	const char *arg;	/* the option's argument */
	char **ops;		/* the operands, in order (moved to the front of argv) */
	int nops;
};

/* The next option: its entry, NULL at the end (the operands are then in
 * state->ops: options and operands may come in any order, and "--" makes
 * every later word an operand), or HPO_OPT_ERROR after printing a usage
 * error ("tool: unknown option '--x'" and a hint) on stderr. */
extern const struct hpo_option hpo_opt_error;
#define HPO_OPT_ERROR (&hpo_opt_error)
const struct hpo_option *hpo_opts_next(const struct hpo_tool *tool, int argc, char **argv,
				       struct hpo_optstate *state);

void hpo_opts_help(FILE *f, const struct hpo_tool *tool);
/* "usage: ..." lines and the hint, on stderr. */
void hpo_opts_usage(const struct hpo_tool *tool);
/* A usage error: "tool: message" and a hint on stderr. */
void hpo_opts_error(const struct hpo_tool *tool, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/* Parse a whole number in [min, max]; -1 when malformed or out of range. */
int hpo_opts_long(const char *s, long min, long max, long *out);

#endif
