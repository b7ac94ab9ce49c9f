/* opts.h - one option table per tool
 *
 * The table feeds the option parser and --help; the man pages are checked
 * against --help by tests/integration/options.sh, and the shell completions'
 * option lists are made from the hidden --dump-options at build time, so
 * they cannot drift apart.  The options every tool has (--help, --version,
 * --quiet; --db and --local where there is a local engine) are declared here
 * once and handled by hpo_opts_common, so they read and mean the same.
 */
#ifndef HPO_OPTS_H
#define HPO_OPTS_H

#include <stdio.h>

#include "exitcode.h"

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
	const char *footer;		/* after the exit codes; may be NULL */
	const struct hpo_exitcode *exits;	/* own codes and notes (hpo_exit_help); may be NULL */
};

/* The shared options: put them in a tool's table with these initialisers. */
#define HPO_OPTION_LOCAL	{"local", 'l', NULL, "use the local engine and its database, not PanDA"}
#define HPO_OPTION_DB		{"db", 0, "PATH", "local task database (default $HPO_DB, else $XDG_DATA_HOME/hpo-tools/hpo.db)"}
#define HPO_OPTION_QUIET	{"quiet", 'q', NULL, "print only errors on stderr"}
#define HPO_OPTION_HELP		{"help", 'h', NULL, "show this help and exit"}
#define HPO_OPTION_VERSION	{"version", 'V', NULL, "show the version and exit"}

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

/* What the shared options said. */
struct hpo_common {
	int local;		/* --local */
	const char *db;		/* --db PATH, or NULL */
	int quiet;		/* --quiet */
};

/* Handle o when it is a shared option: 0 when it is the tool's own (the
 * caller handles it), 1 when it was recorded in c, HPO_OPTS_EXIT when
 * --help or --version printed on stdout and the tool exits 0.  Also
 * handles the hidden --dump-options. */
#define HPO_OPTS_EXIT 2
int hpo_opts_common(const struct hpo_tool *tool, const struct hpo_option *o,
		    const struct hpo_optstate *state, struct hpo_common *c);

/* The options, one a line, for tools/gen-completion: "--long -s ARG help"
 * ("-" for no short letter or argument). */
void hpo_opts_dump(FILE *f, const struct hpo_tool *tool);

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
