/* opts.c - option tables: parsing and --help */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "opts.h"
#include "xmalloc.h"

const struct hpo_option hpo_opt_error = {"?", 0, NULL, NULL};
/* hidden: not in --help, for the completions made at build time */
static const struct hpo_option opt_dump = {"dump-options", 0, NULL, NULL};

static void
hint(const struct hpo_tool *tool)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", tool->name);
}

void
hpo_opts_error(const struct hpo_tool *tool, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	hint(tool);
}

/* "unknown option '--paralel' (did you mean '--parallel'?)" */
static void
unknown_long(const struct hpo_tool *tool, const char *name, size_t len)
{
	const struct hpo_option *o;
	const char **names;
	const char *near;
	char *word = xasprintf("%.*s", (int)len, name);
	size_t n = 0;

	for (o = tool->opts; o->name != NULL; o++)
		n++;
	names = xcalloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = tool->opts[i].name;
	near = hpo_nearest(word, names);
	if (near != NULL)
		hpo_opts_error(tool, "unknown option '--%s' (did you mean '--%s'?)", word, near);
	else
		hpo_opts_error(tool, "unknown option '--%s'", word);
	free(names);
	free(word);
}

const struct hpo_option *
hpo_opts_next(const struct hpo_tool *tool, int argc, char **argv, struct hpo_optstate *st)
{
	const struct hpo_option *o;
	const char *a;

	/* operands are gathered at the front of argv, over words already read */
	if (st->index == 0) {
		st->index = 1;
		st->nops = 0;
		st->ops = argv + 1;
	}
	st->arg = NULL;
	for (;;) {
		if (st->index >= argc)
			return NULL;
		a = argv[st->index];
		if (strcmp(a, "--") == 0) {
			while (++st->index < argc)
				st->ops[st->nops++] = argv[st->index];
			return NULL;
		}
		if (a[0] == '-' && a[1] != '\0')
			break;
		st->ops[st->nops++] = argv[st->index++];	/* an operand */
	}
	st->index++;
	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		for (o = tool->opts; o->name != NULL; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
				break;
		if (o->name == NULL && eq == NULL && strcmp(name, opt_dump.name) == 0)
			return &opt_dump;
		if (o->name == NULL) {
			unknown_long(tool, name, len);
			return HPO_OPT_ERROR;
		}
		if (o->arg == NULL) {
			if (eq != NULL) {
				hpo_opts_error(tool, "option '--%s' takes no argument", o->name);
				return HPO_OPT_ERROR;
			}
			return o;
		}
		if (eq != NULL) {
			st->arg = eq + 1;
		} else if (st->index < argc) {
			st->arg = argv[st->index++];
		} else {
			hpo_opts_error(tool, "option '--%s' needs an argument (%s)", o->name, o->arg);
			return HPO_OPT_ERROR;
		}
		return o;
	}
	/* one short option per word (-abc clusters are not needed here) */
	for (o = tool->opts; o->name != NULL; o++)
		if (o->shrt != 0 && o->shrt == a[1])
			break;
	if (o->name == NULL) {
		hpo_opts_error(tool, "unknown option '-%c'", a[1]);
		return HPO_OPT_ERROR;
	}
	if (o->arg == NULL) {
		if (a[2] != '\0') {
			hpo_opts_error(tool, "unknown option '%s'", a);
			return HPO_OPT_ERROR;
		}
		return o;
	}
	if (a[2] != '\0') {
		st->arg = a + 2;
	} else if (st->index < argc) {
		st->arg = argv[st->index++];
	} else {
		hpo_opts_error(tool, "option '-%c' needs an argument (%s)", o->shrt, o->arg);
		return HPO_OPT_ERROR;
	}
	return o;
}

void
hpo_opts_help(FILE *f, const struct hpo_tool *tool)
{
	for (size_t i = 0; tool->usage[i] != NULL; i++)
		fprintf(f, "%s %s %s\n", i == 0 ? "usage:" : "      ", tool->name, tool->usage[i]);
	fprintf(f, "\n%s\n\noptions:\n", tool->summary);
	for (const struct hpo_option *o = tool->opts; o->name != NULL; o++) {
		char left[64];
		if (o->shrt)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shrt, o->name,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? " " : "",
				 o->arg ? o->arg : "");
		if (strlen(left) > 24)
			fprintf(f, "  %s\n  %24s  %s\n", left, "", o->help);
		else
			fprintf(f, "  %-24s  %s\n", left, o->help);
	}
	fputc('\n', f);
	hpo_exit_help(f, tool->exits);
	if (tool->footer != NULL)
		fprintf(f, "%s", tool->footer);
}

void
hpo_opts_dump(FILE *f, const struct hpo_tool *tool)
{
	for (const struct hpo_option *o = tool->opts; o->name != NULL; o++) {
		fprintf(f, "--%s ", o->name);
		if (o->shrt)
			fprintf(f, "-%c", o->shrt);
		else
			fputc('-', f);
		fprintf(f, " %s %s\n", o->arg ? o->arg : "-", o->help);
	}
}

int
hpo_opts_common(const struct hpo_tool *tool, const struct hpo_option *o,
		const struct hpo_optstate *st, struct hpo_common *c)
{
	if (o == &opt_dump) {
		hpo_opts_dump(stdout, tool);
		return HPO_OPTS_EXIT;
	}
	if (strcmp(o->name, "help") == 0) {
		hpo_opts_help(stdout, tool);
		return HPO_OPTS_EXIT;
	}
	if (strcmp(o->name, "version") == 0) {
		printf("%s %s\n", tool->name, PACKAGE_VERSION);
		return HPO_OPTS_EXIT;
	}
	if (strcmp(o->name, "quiet") == 0)
		c->quiet = 1;
	else if (strcmp(o->name, "local") == 0)
		c->local = 1;
	else if (strcmp(o->name, "db") == 0)
		c->db = st->arg;
	else
		return 0;
	return 1;
}

void
hpo_opts_usage(const struct hpo_tool *tool)
{
	for (size_t i = 0; tool->usage[i] != NULL; i++)
		fprintf(stderr, "%s %s %s\n", i == 0 ? "usage:" : "      ", tool->name,
			tool->usage[i]);
	hint(tool);
}

int
hpo_opts_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
