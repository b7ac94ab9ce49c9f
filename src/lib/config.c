/* config.c - settings from the environment */
#include "autoconf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "file.h"
#include "log.h"
#include "config.h"
#include "xmalloc.h"

static const char *const names[] = {
	"PANDA_URL_SSL", "PANDACACHE_URL", "PANDAMON_URL", "PANDA_VERIFY_HOST", "PANDA_AUTH",
	"PANDA_AUTH_VO", "PANDA_CONFIG_ROOT", "X509_USER_PROXY", "X509_CERT_DIR", "HPO_DB",
	"HPO_NICKNAME", "HPO_CONTAINER_RUNTIME", "HPO_HTTP_RETRIES", "HPO_HTTP_BACKOFF",
	"HPO_HTTP_TIMEOUT", NULL,
};

/* The configuration file's values (process settings: read once). */
static char *file_values[sizeof(names) / sizeof(names[0])];
static int file_read;

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static void
read_file(void)
{
	const char *path = getenv("HPO_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *buf = NULL, *dflt = NULL;
	size_t len;
	int lineno = 0;

	file_read = 1;
	if (path == NULL || *path == '\0') {
		if (xdg != NULL && xdg[0] == '/')
			dflt = hpo_strf("%s/hpo-tools/config", xdg);
		else if (home != NULL && *home != '\0')
			dflt = hpo_strf("%s/.config/hpo-tools/config", home);
		path = dflt;
	}
	if (path == NULL || hpo_file_read(path, 1u << 20, &buf, &len, NULL) < 0) {
		if (path != NULL && dflt == NULL)
			hpo_warn("%s: cannot read the configuration file", path);
		free(dflt);
		return;
	}
	for (char *line = buf, *next; line != NULL && *line != '\0'; line = next) {
		char *eq, *name, *value;
		size_t i;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			hpo_warn("%s:%d: not NAME = value, ignored", path, lineno);
			continue;
		}
		*eq = '\0';
		name = trim(line);
		value = trim(eq + 1);
		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], name) == 0)
				break;
		if (names[i] == NULL) {
			const char *near = hpo_nearest(name, names);
			hpo_warn("%s:%d: unknown setting '%s'%s%s%s, ignored", path, lineno, name,
				 near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
			continue;
		}
		free(file_values[i]);
		file_values[i] = *value != '\0' ? strdup(value) : NULL;
	}
	free(buf);
	free(dflt);
}

const char *
hpo_config_get(const char *name)
{
	const char *v = getenv(name);

	if (v != NULL && *v != '\0')
		return v;
	if (!file_read)
		read_file();
	for (size_t i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return file_values[i];
	return NULL;
}

int
hpo_config_db_path(const char *opt, char **path, struct hpo_err *err)
{
	const char *env;

	*path = NULL;
	if (opt != NULL && *opt != '\0')
		*path = xstrdup(opt);
	else if ((env = hpo_config_get("HPO_DB")) != NULL)
		*path = xstrdup(env);
	else if ((env = getenv("XDG_DATA_HOME")) != NULL && env[0] == '/')
		*path = hpo_strf("%s/hpo-tools/hpo.db", env);
	else if ((env = getenv("HOME")) != NULL && *env != '\0')
		*path = hpo_strf("%s/.local/share/hpo-tools/hpo.db", env);
	else
		return hpo_err_set(err, HPO_E_INPUT,
				   "no place for the task database: set HOME, HPO_DB or use --db");
	return 0;
}

const char *
hpo_config_runtime(const char *opt)
{
	const char *env;

	if (opt != NULL && *opt != '\0')
		return opt;
	env = hpo_config_get("HPO_CONTAINER_RUNTIME");
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
	env = hpo_config_get(var);
	if (env == NULL)
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
	const char *env = hpo_config_get("PANDA_VERIFY_HOST");

	return !(env != NULL && strcmp(env, "off") == 0);
}
