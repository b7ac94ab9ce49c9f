/* config.c - settings from the environment */
#include "autoconf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "config.h"

int
hpo_config_db_path(const char *opt, char **path, struct hpo_err *err)
{
	const char *env;

	*path = NULL;
	if (opt != NULL && *opt != '\0')
		*path = strdup(opt);
	else if ((env = getenv("HPO_DB")) != NULL && *env != '\0')
		*path = strdup(env);
	else if ((env = getenv("XDG_DATA_HOME")) != NULL && env[0] == '/')
		*path = hpo_strf("%s/hpo-tools/hpo.db", env);
	else if ((env = getenv("HOME")) != NULL && *env != '\0')
		*path = hpo_strf("%s/.local/share/hpo-tools/hpo.db", env);
	else
		return hpo_err_set(err, HPO_E_INPUT,
				   "no place for the task database: set HOME, HPO_DB or use --db");
	if (*path == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	return 0;
}

char *
hpo_config_task_dir(const char *db_path, int64_t id)
{
	const char *slash = strrchr(db_path, '/');

	if (slash == NULL)
		return hpo_strf("tasks/%lld", (long long)id);
	return hpo_strf("%.*s/tasks/%lld", (int)(slash - db_path), db_path, (long long)id);
}

const char *
hpo_config_runtime(const char *opt)
{
	const char *env;

	if (opt != NULL && *opt != '\0')
		return opt;
	env = getenv("HPO_CONTAINER_RUNTIME");
	return env != NULL && *env != '\0' ? env : NULL;
}

/* The value of a setting: opt, else the environment variable, else NULL;
 * *what names it for messages. */
static const char *
setting(const char *opt, const char *var, const char **what)
{
	const char *env;

	*what = "";
	if (opt != NULL)
		return opt;
	env = getenv(var);
	if (env == NULL || *env == '\0')
		return NULL;
	*what = var;
	return env;
}

static int
number(const char *opt, const char *var, double min, double max, int whole, double def,
       double *out, struct hpo_err *err)
{
	const char *what, *s = setting(opt, var, &what);
	char *end;
	double v;

	if (s == NULL) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(v) || v < min || v > max ||
	    (min > 0 && v <= 0) || (whole && v != floor(v)))
		return hpo_err_set(err, HPO_E_INPUT, "%s%s'%s': not a %s from %g to %g", what,
				   *what != '\0' ? "=" : "", s, whole ? "whole number" : "number",
				   min, max);
	*out = v;
	return 0;
}

int
hpo_config_http_retries(const char *opt, int *retries, struct hpo_err *err)
{
	double v;

	if (number(opt, "HPO_HTTP_RETRIES", 0, 20, 1, 4, &v, err) < 0)
		return -1;
	*retries = (int)v;
	return 0;
}

int
hpo_config_http_backoff(const char *opt, double *seconds, struct hpo_err *err)
{
	return number(opt, "HPO_HTTP_BACKOFF", 0, 300, 0, 1, seconds, err);
}

int
hpo_config_http_timeout(const char *opt, double *seconds, struct hpo_err *err)
{
	/* min 0.001: above zero */
	return number(opt, "HPO_HTTP_TIMEOUT", 0.001, 86400, 0, 60, seconds, err);
}

int
hpo_config_verify_host(void)
{
	const char *env = getenv("PANDA_VERIFY_HOST");

	return !(env != NULL && strcmp(env, "off") == 0);
}
