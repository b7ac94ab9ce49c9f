/* exitcode.c - the shared exit codes and the error kinds they come from */
#include "autoconf.h"

#include <stdio.h>

#include "exitcode.h"

const struct hpo_exitcode hpo_exit_table[] = {
	{HPO_EXIT_OK, "OK", "success"},
	{HPO_EXIT_ERROR, "ERROR", "an error here: the file system, the database, a container runtime"},
	{HPO_EXIT_USAGE, "USAGE", "a usage error: a wrong option, argument or ID"},
	{HPO_EXIT_NOTFOUND, "NOTFOUND", "not found: no such task, point, database or checkpoint"},
	{HPO_EXIT_TIMEOUT, "TIMEOUT", "a time limit given on the command line was reached"},
	{HPO_EXIT_AUTH, "AUTH", "credentials: missing, unsafe, expired or refused"},
	{HPO_EXIT_UNREACHABLE, "UNREACHABLE",
	 "the server or storage could not be reached or kept failing"},
	{HPO_EXIT_REFUSED, "REFUSED", "the server or storage refused the request"},
	{HPO_EXIT_INPUT, "INPUT", "invalid input: a task file, search space, JSON document"},
	{HPO_EXIT_BUSY, "BUSY", "the task is being run by another process"},
	{HPO_EXIT_INTERRUPTED, "INTERRUPTED", "interrupted (SIGINT)"},
	{0, NULL, NULL},
};

const struct hpo_exitcode *
hpo_exit_lookup(int code)
{
	for (const struct hpo_exitcode *e = hpo_exit_table; e->name != NULL; e++)
		if (e->code == code)
			return e;
	return NULL;
}

int
hpo_exit_for(const struct hpo_err *err)
{
	switch (err->kind) {
	case HPO_E_OK: return HPO_EXIT_OK;
	case HPO_E_INPUT: return HPO_EXIT_INPUT;
	case HPO_E_NOTFOUND: return HPO_EXIT_NOTFOUND;
	case HPO_E_BUSY: return HPO_EXIT_BUSY;
	case HPO_E_AUTH: return HPO_EXIT_AUTH;
	case HPO_E_NET: return HPO_EXIT_UNREACHABLE;
	case HPO_E_SERVER: return HPO_EXIT_REFUSED;
	case HPO_E_SYS:
	case HPO_E_RUNTIME:
		break;
	}
	return HPO_EXIT_ERROR;
}

static void
row(FILE *f, const char *left, const char *help)
{
	fprintf(f, "  %-17s ", left);
	for (const char *p = help; *p != '\0'; p++) {
		fputc(*p, f);
		if (*p == '\n')
			fprintf(f, "  %-17s ", "");
	}
	fputc('\n', f);
}

void
hpo_exit_help(FILE *f, const struct hpo_exitcode *own)
{
	const struct hpo_exitcode *e = hpo_exit_table, *o = own;
	char left[32];

	fprintf(f, "exit status (the shared codes are the same in every hpo-tools command,\n"
		   "hpo-tools(7); 4-8 are this command's own):\n");
	while (e->name != NULL || (o != NULL && o->help != NULL)) {
		if (o != NULL && o->help != NULL && (e->name == NULL || o->code < e->code)) {
			/* the tool's own code */
			snprintf(left, sizeof(left), "%-4d %s", o->code, o->name ? o->name : "");
			row(f, left, o->help);
			o++;
			continue;
		}
		snprintf(left, sizeof(left), "%-4d %s", e->code, e->name);
		row(f, left, e->help);
		/* the tool's notes on this shared code */
		for (; o != NULL && o->help != NULL && o->code == e->code; o++)
			row(f, "", o->help);
		e++;
	}
}
