/* config.h - settings from the environment, in one precedence order:
 * command-line option, then environment variable, then built-in default
 */
#ifndef HPO_CONFIG_H
#define HPO_CONFIG_H

#include <stdint.h>

#include "err.h"

/* The local task database: opt (from --db) when not NULL, else $HPO_DB,
 * else $XDG_DATA_HOME/hpo-tools/hpo.db, else ~/.local/share/hpo-tools/hpo.db.
 * Returns a malloc'ed path. */
int hpo_config_db_path(const char *opt, char **path, struct hpo_err *err);

/* The directory that holds a local task's files: tasks/<id> beside the
 * database (malloc'ed). */
char *hpo_config_task_dir(const char *db_path, int64_t id);

/* The container runtime: opt when not NULL, else $HPO_CONTAINER_RUNTIME,
 * else NULL (evaluations run on the host). */
const char *hpo_config_runtime(const char *opt);

#endif
