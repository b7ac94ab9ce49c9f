/* config.c - settings from the environment */
#include "autoconf.h"

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
